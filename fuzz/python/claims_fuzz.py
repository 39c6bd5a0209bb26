#!/usr/bin/env python3
"""Property test of the Python binding's dict builder: for random claim sets,
``JwtVerifier.verify(token)`` (claims built straight into Python objects by the scanner) must
equal ``json.loads`` of the token's payload — same keys in the same order, same types, same
values (floats bit for bit: json.loads rounds correctly, -0.0 included) — and a payload
json.loads reads with duplicate members must be refused. Integers follow the binding's
documented model (int within i64/u64, else float; ``-0`` is ``-0.0``).

    python3 fuzz/python/claims_fuzz.py [cases=2000] [seed]

Uses the installed ``tokenward`` package (or PYTHONPATH). A seeded generator (no hypothesis
needed). Prints "N passed, 0 failed"; exits 1 on any failure.
"""
import base64
import hashlib
import hmac
import json
import math
import random
import sys

import tokenward

CASES = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 0x5EED1234)
SECRET = b"fuzz-fixed-hmac-key-0123456789ab"
verifier = tokenward.JwtVerifier(tokenward.JwtKey.hmac(SECRET, "HS256"), algorithms=["HS256"])

NAMES = ["__proto__", "constructor", "__class__", "__dict__", "keys", "items", "0", "1", "42",
         "007", "-1", "1.5", "4294967296", "", " ", "é", "e\u0301", "😀", "\u0000", "\u2028",
         'a"b', "a\\b", "scope", "client_id", "sub", "iss", "jti", "x" * 70, "None", "True"]
NUMBERS = ["0", "-0", "1", "-1", "1.5", "-0.0", "1e3", "1E+2", "1e-7", "0.1", "2.5e-308",
           "5e-324", "1.7976931348623157e308", "9007199254740991", "9007199254740993",
           "18446744073709551615", "18446744073709551616", "-9223372036854775808",
           "-9223372036854775809", "123456789012345678901234567890", "0.30000000000000004",
           "1e400", "-1e400", "123.456e-2", "100000000000000000000000000000e-10"]
STRINGS = ["", "plain", "é", "😀", "\u0000", "\u2028", 'a"b\\c', "line\nbreak", "x" * 300,
           "__proto__", "\u00ff\u0100"]


def rand_number():
    """A listed literal, or random digits with a fraction and an exponent (many digits and
    extreme exponents are where float parsers round differently)."""
    if rng.random() < 0.6:
        return rng.choice(NUMBERS)
    text = rng.choice(["", "-"]) + str(rng.randrange(1, 10))
    text += "".join(str(rng.randrange(10)) for _ in range(rng.randrange(25)))
    if rng.random() < 0.7:
        text += "." + "".join(str(rng.randrange(10)) for _ in range(1 + rng.randrange(20)))
    if rng.random() < 0.7:
        text += rng.choice("eE") + rng.choice(["", "+", "-"]) + str(rng.randrange(330))
    return text


def rand_string():
    if rng.random() < 0.5:
        return rng.choice(STRINGS)
    out = []
    for _ in range(rng.randrange(12)):
        r = rng.random()
        if r < 0.6:
            out.append(chr(0x20 + rng.randrange(95)))
        elif r < 0.85:
            out.append(chr(rng.randrange(0xD7FF)))
        else:
            out.append(chr(0x1F600 + rng.randrange(80)))
    return "".join(out)


def json_string(s, lone_surrogate=False):
    if lone_surrogate:
        return '"\\ud83d"'
    if rng.random() < 0.2:
        return '"' + "".join("\\u%04x" % u for u in _utf16(s)) + '"'
    return json.dumps(s, ensure_ascii=rng.random() < 0.5)


def _utf16(s):
    b = s.encode("utf-16-be")
    return [int.from_bytes(b[i:i + 2], "big") for i in range(0, len(b), 2)]


def sep():
    return rng.choice([" , ", ",\n", ",\t"]) if rng.random() < 0.15 else ","


def value(depth):
    r = rng.random()
    if depth > 3 or r < 0.45:
        k = rng.randrange(4)
        if k == 0:
            return rand_number()
        if k == 1:
            return json_string(rand_string(), lone_surrogate=rng.random() < 0.01)
        return rng.choice(["true", "false", "null"])
    if r < 0.7:
        return "[" + sep().join(value(depth + 1) for _ in range(rng.randrange(5))) + "]"
    return obj(depth + 1, rng.randrange(6))


def obj(depth, n, extra=()):
    names, members = set(), list(extra)
    for _ in range(n):
        name = rng.choice(NAMES) if rng.random() < 0.5 else rand_string()
        if name in names and rng.random() < 0.97:
            continue
        names.add(name)
        members.append(json_string(name) + ":" + value(depth))
    rng.shuffle(members)
    return "{" + sep().join(members) + "}"


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


HEADER = b64(b'{"alg":"HS256","typ":"JWT"}')


def token(payload):
    signing_input = HEADER + "." + b64(payload.encode())
    sig = hmac.new(SECRET, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(sig)


class Duplicate(Exception):
    pass


def no_duplicates(pairs):
    names = [k for k, _ in pairs]
    if len(set(names)) != len(names):
        raise Duplicate()
    return dict(pairs)


def diff(a, b, path="$"):
    """Where `a` and `b` differ (types, key order, values, sign of zero), or None."""
    if type(a) is not type(b):
        return f"{path}: {a!r} ({type(a).__name__}) vs {b!r} ({type(b).__name__})"
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)!r} vs {list(b)!r}"
        return next((d for k in a if (d := diff(a[k], b[k], f"{path}[{k!r}]"))), None)
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: lengths {len(a)} vs {len(b)}"
        return next((d for i, (x, y) in enumerate(zip(a, b)) if (d := diff(x, y, f"{path}[{i}]"))), None)
    if isinstance(a, float):
        same = a == b and math.copysign(1, a) == math.copysign(1, b)
        return None if same else f"{path}: {a!r} vs {b!r}"
    return None if a == b else f"{path}: {a!r} vs {b!r}"


def parse_int(text):
    """The binding's number model (python/src/json.rs, serde_json's): an integer in the i64/u64
    range is an int, any other integer the nearest float, and -0 is the float -0.0."""
    if text == "-0":
        return -0.0
    n = int(text)
    return n if -(2**63) <= n < 2**64 else float(text)


def finite(v):
    if isinstance(v, float):
        return math.isfinite(v)
    if isinstance(v, dict):
        return all(finite(x) for x in v.values())
    if isinstance(v, list):
        return all(finite(x) for x in v)
    return True


passed = failed = 0
for i in range(CASES):
    big = rng.random() < 0.15
    payload = obj(1, 33 + rng.randrange(60) if big else rng.randrange(10), ['"exp":4102444800'])
    t = token(payload)
    try:
        expected = json.loads(payload, object_pairs_hook=no_duplicates, parse_int=parse_int)
        if not finite(expected) or "\\ud83d\"" in payload:
            expected = "refused"  # the strict parser refuses infinities and lone surrogates
    except Duplicate:
        expected = "refused"
    try:
        got = verifier.verify(t)
    except tokenward.TokenwardError as err:
        got = "refused" if err.code == "malformed" else f"error {err.code}"
    problem = None
    if expected == "refused":
        if not isinstance(got, str):
            problem = "verify accepted a payload json.loads refuses (duplicates, inf, lone surrogate)"
    elif got == "refused":
        problem = "verify refused as malformed a payload json.loads reads"
    elif isinstance(got, str):
        pass  # a claim check (exp/nbf/sub types, aud, size): not a parsing question
    elif (d := diff(got, expected)) is not None:
        problem = f"verify vs json.loads differ at {d}"
    if problem:
        failed += 1
        if failed <= 5:
            print(f"case {i}: {problem}\n  payload: {payload[:200]}", file=sys.stderr)
    else:
        passed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
