#!/usr/bin/env python3
"""Writes the committed seed corpora fuzz/corpus/<target>/ (small, hand-picked inputs).

Run from the repository root: python3 fuzz/seeds/make_seeds.py. Key material comes from the
repository's own test vectors (tests/vectors/jwt_keys.json) and, for PEM/DER, from published
test keys in tests/vectors/public/ (RFC 8037 A.1 Ed25519, RFC 7520 3.4 RSA, Wycheproof P-256 and
P-384), converted with `cryptography`; they protect nothing.
"""
import base64, hashlib, json, os, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
VEC = os.path.join(ROOT, "tests", "vectors")


def write(target, items):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    for old in os.listdir(d):
        os.remove(os.path.join(d, old))
    for item in items:
        if isinstance(item, str):
            item = item.encode()
        name = hashlib.sha1(item).hexdigest()
        with open(os.path.join(d, name), "wb") as f:
            f.write(item)
    print(f"{target}: {len(items)} seeds")


def b64(b):
    if isinstance(b, str):
        b = b.encode()
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def vec(name):
    with open(os.path.join(VEC, name)) as f:
        return json.load(f)


# ---- b64_diff: [garbage-len byte] + segment
segs = ["", "Q", "QQ", "QUI", "QUJD", "QR", "QUJ", "QQ==", "QUI=", "Q+/x", "QU I", "QU\nI", "_-_-",
        "eyJhbGciOiJIUzI1NiJ9", "AAAA", "////", "____", "YWI", "YWJ", "\xff\xfe"]
segs += [b64(bytes(range(n, 2 * n))) for n in (5, 6, 7, 8, 9, 31, 64)]
write("b64_diff", [bytes([i % 7]) + s.encode("latin-1") for i, s in enumerate(segs)])

# ---- jwt_scan_diff: JSON payloads
docs = [
    '{"a":1,"b":[1,{"c":2}]}', '{"a":1,"a":2}', '{"a":1,"\\u0061":2}', '{"a":{"b":1,"b":2}}',
    '{"a":[]}', '{"a":{}}', '[1]', '1', '', '{}', ' {} ', '{"a":1} x', '{"a":"\\ud800"}',
    '{"a":"\\ud83d\\ude00"}', '{"a":"\\ud83d\\u0041"}', '{"a":1e400}', '{"a":-0}', '{"a":1e-400}',
    '{"a":01}', '{"a":1.}', '{"a":1.5e+3,"b":-0.0,"c":1E2}', '{"a":true,"b":false,"c":null}',
    '{"a":1,}', '{"exp":"1","aud":["x",1],"iss":null}', '{"aud":["x","y"],"sub":"a\\"b"}',
    '{"iss":"a\\u00e9","aud":[],"exp":1.5e3,"n":[{"k":[true,false,null]},-0.25E-2],"s":"q\\"\\\\\\/\\b\\f\\n\\r\\t"}',
    '{"exp":18446744073709551615,"nbf":18446744073709551616,"iat":-9223372036854775809}',
    '{"exp":9007199254740993,"x":123456789012345678901234567890}',
    '{"__proto__":{"admin":true},"constructor":1,"0":"zero","1e3":2}',
    '{"a":' + "[" * 20 + "1" + "]" * 20 + "}",
    '{"a":' + "[" * 130 + "]" * 130 + "}",
    '{"k\\u0000":"\\u0000","\xc3\xa9":"\xe2\x82\xac\xf0\x9f\x94\x91"}',
    '{"a":"' + "x" * 300 + '"}',
    '{"a":' + "9" * 400 + "}",
    "{" + ",".join('"m%d":%d' % (i, i) for i in range(40)) + "}",
    '{"a" : [ 1 , 2 ] ,\n\t"b" :\r{ } }',
]
write("jwt_scan_diff", docs)

# ---- jwt_verify: flags + header + 0xFF + payload, and raw tokens
FAR = 4102444800
headers = ['{"alg":"HS256","typ":"JWT"}', '{"alg":"HS256","kid":"h"}', '{"alg":"ES256","kid":"e"}',
           '{"alg":"EdDSA"}', '{"alg":"none"}', '{"alg":"HS256","crit":["x"],"x":1}',
           '{"alg":"HS256","b64":false}', '{"alg":"RS256"}', '{"alg":"HS256","alg":"ES256"}',
           '{"alg":"HS256","kid":"e"}', '{"alg":"ES256","kid":"h"}', '{"alg":"HS256","typ":1}']
payloads = ['{"sub":"u1","exp":%d}' % FAR, '{"exp":%d,"aud":"api"}' % FAR, '{"exp":1}',
            '{"exp":%d,"nbf":%d}' % (FAR, FAR), '{"sub":"u","exp":%d,"sub":"v"}' % FAR,
            '{"exp":"%d"}' % FAR, '{"exp":%d.5,"iat":1e3,"n":{"a":[1,2,{"b":null}]}}' % FAR,
            '[1]', '', '{"exp":%d,"__proto__":{"x":1}}' % FAR]
items = []
for i, h in enumerate(headers):
    p = payloads[i % len(payloads)]
    flag = {"ES256": 0, "EdDSA": 1}.get(json.loads(h.replace('"alg":"HS256","alg"', '"alg"'))["alg"] if h.startswith("{") else "", 2)
    items.append(bytes([flag]) + h.encode() + b"\xff" + p.encode())
for j, p in enumerate(payloads):
    items.append(bytes([2 + 16 * j]) + headers[0].encode() + b"\xff" + p.encode())
attacks = vec("jwt_attacks.json")["cases"]
for case in attacks[:12]:
    tok = case.get("token")
    if isinstance(tok, str) and len(tok) < 3000:
        items.append(b"\x02" + tok.encode())
write("jwt_verify", items)

# ---- apikey_parse: keys from the vectors + shapes
ak = vec("apikeys.json")
keys = []
for case in ak.get("format", []):
    k = case.get("key") or case.get("input")
    if isinstance(k, str):
        keys.append(k)
keys = keys[:24] + ["", "tw_", "tw_live_", "a_" + "A" * 50, "TW_live_" + "a" * 50, "tw__" + "a" * 50]
write("apikey_parse", keys)

# ---- redact_chunking: mode, ncuts, cut bytes, text
texts = [
    "GET /cb?code=1&access_token=abc123def456 HTTP/1.1\n",
    "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX3NpZ25hdHVyZQ\n",
    "password=hunter2 user=bob\npassword=${SECRET} next=1\n",
    "password=${" * 40 + "\n",
    '{"client_secret":"s3cr3t-value","api_key":"tw_live_4eC39HqLyjWDarjtT1zdp7dcXXXXXXXXXXXXXXXXXX"}\n',
    "curl -u admin:Pa55word https://h/ && postgres://u:pw@db/x\n",
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\nafter\n",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\ntruncated",
    "Cookie: session=abcdef0123456789; theme=dark\r\nSet-Cookie: sid=zzz; Path=/\r\n",
    "ghp_" + "a1B2" * 9 + " sk_live_" + "x" * 24 + " AKIAIOSFODNN7EXAMPLE xoxb-123-456-abc\n",
    "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    "x=%70assword%3Dhunter2 y=password%253Dhunter3\n",
    "token_type=Bearer expires_in=3600\n",
    "session-id: 0123456789abcdef sk-abcdefgh12 4111111111111111\n",
    "\xff\xfe password=\x00\x01 \n\n\n",
    "a" * 200 + " Bearer " + "b" * 200,
]
items = []
for i, t in enumerate(texts):
    raw = t.encode("latin-1") if any(ord(c) > 0x7f and ord(c) < 0x100 for c in t) else t.encode()
    cuts = bytes([(37 * i + 11 * k) % 256 for k in range(i % 5)])
    items.append(bytes([i % 3, len(cuts)]) + cuts + raw)
write("redact_chunking", items)

def rsa_jwk_findings():
    """Regression seeds of the jwk_import finding: RSA JWKs the JWK path accepts and the DER
    path refuses (an even 2048-bit modulus; a 48-bit public exponent)."""
    import random
    r = random.Random(1)
    n = r.getrandbits(2048) | (1 << 2047)
    even, odd = n & ~1, n | 1
    b = lambda i: base64.urlsafe_b64encode(i.to_bytes((i.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()
    return [b"\x00" + json.dumps({"kty": "RSA", "n": b(even), "e": "AQAB"}).encode(),
            b"\x00" + json.dumps({"kty": "RSA", "n": b(odd), "e": b(218924968902657)}).encode()]


# ---- jwk_import: mode byte + document
keys = vec("jwt_keys.json")
items = []
for name, jwk in keys["private"].items():
    items.append(b"\x00" + json.dumps(jwk).encode())
    pub = {k: v for k, v in jwk.items() if k not in ("d", "p", "q", "dp", "dq", "qi")}
    items.append(b"\x00" + json.dumps(pub).encode())
items.append(b"\x01" + json.dumps(keys["verification_jwks"]).encode())
items.append(b"\x01" + b'{"keys":[{"kty":"oct","k":"AAAA"},{"kty":"EC","crv":"P-256","use":"enc"}]}')
items.append(b"\x00" + b'{"kty":"RSA","n":"AQAB","e":"AQAB"}')
items.append(b"\x00" + b'{"kty":"OKP","crv":"Ed25519","x":"' + b64(bytes(32)).encode() + b'"}')
# PEM and DER forms of published test keys (tests/vectors/public/: the Ed25519 key of RFC 8037
# A.1, the RSA key of RFC 7520 3.4, Wycheproof's P-256 and P-384 JWK test keys), so the corpus
# holds no key material of its own.
def published_keys():
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    def num(x):
        return int.from_bytes(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)), "big")

    def find(path, pred):
        def walk(o):
            if isinstance(o, dict):
                if pred(o):
                    yield o
                for v in o.values():
                    yield from walk(v)
            elif isinstance(o, list):
                for v in o:
                    yield from walk(v)
        return next(walk(vec(path)))

    okp = find("public/jose-cookbook/curve25519/jws.json", lambda o: o.get("kty") == "OKP" and "d" in o)
    r = find("public/jose-cookbook/jwk/3_4.rsa_private_key.json", lambda o: o.get("kty") == "RSA" and "p" in o)
    p256 = find("public/wycheproof/json_web_crypto_test.json",
                lambda o: o.get("kty") == "EC" and o.get("crv") == "P-256" and "d" in o)
    p384 = find("public/wycheproof/json_web_key_test.json",
                lambda o: o.get("kty") == "EC" and o.get("crv") == "P-384" and "d" in o)
    rsa_key = rsa.RSAPrivateNumbers(
        num(r["p"]), num(r["q"]), num(r["d"]), num(r["dp"]), num(r["dq"]), num(r["qi"]),
        rsa.RSAPublicNumbers(num(r["e"]), num(r["n"]))).private_key()
    return {
        "rsa": rsa_key,
        "p256": ec.derive_private_key(num(p256["d"]), ec.SECP256R1()),
        "p384": ec.derive_private_key(num(p384["d"]), ec.SECP384R1()),
        "ed": ed25519.Ed25519PrivateKey.from_private_bytes(
            base64.urlsafe_b64decode(okp["d"] + "=" * (-len(okp["d"]) % 4))),
    }


def pem_and_der(key):
    from cryptography.hazmat.primitives import serialization as S

    none = S.NoEncryption()
    pub = key.public_key()
    return (key.private_bytes(S.Encoding.PEM, S.PrivateFormat.PKCS8, none),
            pub.public_bytes(S.Encoding.PEM, S.PublicFormat.SubjectPublicKeyInfo),
            pub.public_bytes(S.Encoding.DER, S.PublicFormat.SubjectPublicKeyInfo),
            key.private_bytes(S.Encoding.DER, S.PrivateFormat.PKCS8, none))


for name, key in published_keys().items():
    from cryptography.hazmat.primitives import serialization as S

    priv_pem, pub_pem, pub_der, priv_der = pem_and_der(key)
    hint = {"rsa": 0x10, "p256": 0x30, "p384": 0x40, "ed": 0x50}[name]
    items += [bytes([2]) + priv_pem, bytes([2 + hint]) + pub_pem,
              bytes([3]) + pub_der, bytes([4 + hint]) + priv_der]
    if name == "rsa":
        items.append(bytes([2]) + key.private_bytes(S.Encoding.PEM, S.PrivateFormat.TraditionalOpenSSL, S.NoEncryption()))
        items.append(bytes([2]) + key.public_key().public_bytes(S.Encoding.PEM, S.PublicFormat.PKCS1))
    if name == "p256":
        items.append(bytes([2]) + key.private_bytes(S.Encoding.PEM, S.PrivateFormat.TraditionalOpenSSL, S.NoEncryption()))
items.append(b"\x02-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n")
items += rsa_jwk_findings()
write("jwk_import", items)

# ---- gateway_extract: flags, max_len/16, then path / headers / @cidr / #peer lines
reqs = [
    (0x01, 64, "/a\nAuthorization: Bearer abc.def.ghi\n#203.0.113.9"),
    (0x01, 64, "/a\nauthorization: bearer  x\tY\nAuthorization: Basic dXNlcjpwdw=="),
    (0x03, 64, "/a\nX-API-Key: tw_live_abc\nx-api-key: second"),
    (0x05, 64, "/a?x=1&access_token=tok&access_token=again#frag\n"),
    (0x05, 64, "/a?access_token=%41\n"),
    (0x09, 64, "/\nCookie: a=1; session=\"tok\"; session=two\n"),
    (0x01, 1, "/\nAuthorization: Bearer " + "a" * 40),
    (0x00, 64, "/\nX-Forwarded-For: 203.0.113.1, 10.0.0.2\n@10.0.0.0/8\n#10.0.0.1"),
    (0x00, 64, "/\nX-Forwarded-For: [2001:db8::1]:443, 198.51.100.7:80\nx-forwarded-for: ::ffff:10.1.1.1\n@10.0.0.0/8\n@::1\n#::ffff:10.0.0.1"),
    (0x10, 64, "/\nForwarded: for=192.0.2.60;proto=http;by=203.0.113.43, for=\"[2001:db8:cafe::17]:4711\"\n@10.0.0.0/8\n#10.0.0.3"),
    (0x10, 64, "/\nForwarded: for=unknown, for=_hidden\n@10.0.0.0/8\n#10.9.9.9"),
    (0x10, 64, "/\nForwarded: by=x;for=\"unterminated\n@0.0.0.0/0\n#1.2.3.4"),
    (0x00, 64, "/\n@10.0.0.1/8\n@::ffff:0:0/96\n@2001:db8::/129\n@1.2.3.4/033\n@fe80::1%eth0\n#fe80::1"),
    (0x01, 64, "/\nX-Forwarded-For: 192.0.2.5\n@0.0.0.0/0\n@::/0\n#192.0.2.1"),
]
write("gateway_extract", [bytes([f, m]) + t.encode() for f, m, t in reqs])

# ---- oauth_parse: mode, status (2 bytes), retry-after len, retry-after, body
def o(mode, status, body, retry=b""):
    return bytes([mode, status >> 8, status & 0xFF, len(retry)]) + retry + body.encode()

bodies = [
    o(0, 200, '{"access_token":"at-0123456789abcdef","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-0123456789abcdef","scope":"read write"}'),
    o(0, 200, '{"access_token":"at-0123456789abcdef","expires_in":"3600","id_token":"eyJ.x.y"}'),
    o(0, 200, '{"access_token":"x","expires_in":99999999999999999999}'),
    o(0, 200, '{"access_token":"x","expires_in":-1,"token_type":""}'),
    o(0, 200, '{"access_token":"","scope":null}'),
    o(1, 200, '{"active":true,"scope":"a b","client_id":"c","username":"u","sub":"s","exp":9223372036854775807}'),
    o(1, 200, '{"active":"true"}'),
    o(1, 200, '{"active":false,"exp":1e300}'),
    o(2, 400, '{"error":"invalid_grant","error_description":"tok_SECRET"}'),
    o(2, 400, '{"error":"' + "x" * 64 + '"}'),
    o(2, 429, '{"error":"slow_down"}', b"7"),
    o(2, 503, "oops", b"99999999999999999999"),
    o(2, 401, '{"error":"invalid_client\\u0000"}', b" 1 "),
    o(3, 200, '{"issuer":"https://as.example","token_endpoint":"https://as.example/token","token_endpoint_auth_methods_supported":["client_secret_basic",1]}', b"https://as.example/"),
    o(3, 200, '{"issuer":"https://evil.example","token_endpoint":"x"}', b"https://as.example"),
    o(3, 200, '{"issuer":"https://as.example/"}', b"https://as.example"),
]
write("oauth_parse", bodies)
