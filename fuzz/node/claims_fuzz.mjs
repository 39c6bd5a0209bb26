// Property test of the Node binding's fast verify path: for random claim sets,
// `verifier.verify(token)` (claims built straight into JS objects) must equal
// `JSON.parse(verifier.verifyJson(token))` — same keys in the same order, own `__proto__`
// members (never a prototype change), same numbers (-0 included), same nesting — and both must
// refuse the same tokens with the same error code.
//
//   node fuzz/node/claims_fuzz.mjs [cases=2000] [seed]
//
// Loads the package in node/ (built with `npm run build` there), or the copy of it named by
// TOKENWARD_NODE_PACKAGE. Prints "N passed, 0 failed"; exits 1 on any failure.
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
// The package (index.js wires `verify` to the fast path); TOKENWARD_NODE_PACKAGE names another
// copy of it (a directory with index.js, binding.js and the built addon).
const tw = require(path.resolve(process.env.TOKENWARD_NODE_PACKAGE ?? path.join(here, '..', '..', 'node')));

const cases = Number(process.argv[2] ?? 2000);
let seed = BigInt(process.argv[3] ?? 0x5eed_1234);
function rand() {
  // xorshift64*
  seed ^= seed >> 12n; seed ^= (seed << 25n) & 0xffffffffffffffffn; seed ^= seed >> 27n;
  return Number(((seed * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn) >> 11n) / 2 ** 53;
}
const pick = (a) => a[Math.floor(rand() * a.length)];
const int = (n) => Math.floor(rand() * n);

const SECRET = 'fuzz-fixed-hmac-key-0123456789ab';
const key = tw.JwtKey.hmac(SECRET, 'HS256');
const verifier = new tw.JwtVerifier(key, { algorithms: ['HS256'] });

const NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf',
  '__defineGetter__', '0', '1', '2', '42', '007', '-1', '1.5', '4294967294', '4294967295',
  '4294967296', '9007199254740993', '', ' ', 'é', 'e\u0301', '😀', '\u0000', '\u2028', 'a"b',
  'a\\b', 'scope', 'client_id', 'sub', 'iss', 'jti', 'nbf', 'iat', 'x'.repeat(70)];
const NUMBERS = ['0', '-0', '1', '-1', '1.5', '-0.0', '1e3', '1E+2', '1e-7', '0.1', '2.5e-308',
  '5e-324', '1.7976931348623157e308', '9007199254740991', '9007199254740993',
  '18446744073709551615', '18446744073709551616', '-9223372036854775809',
  '123456789012345678901234567890', '4294967296', '0.30000000000000004', '1e400', '-1e400',
  '123.456e-2', '100000000000000000000000000000e-10'];
const STRINGS = ['', 'plain', 'é', '😀', '\u0000', '\u2028', 'a"b\\c', '\ud83d', 'line\nbreak',
  'x'.repeat(300), '__proto__', '\u00ff\u0100'];

/** A listed literal, or random digits with a fraction and an exponent. */
function randNumber() {
  if (rand() < 0.6) return pick(NUMBERS);
  let t = (rand() < 0.5 ? '-' : '') + String(1 + int(9));
  for (let i = int(25); i > 0; i--) t += String(int(10));
  if (rand() < 0.7) {
    t += '.';
    for (let i = 1 + int(20); i > 0; i--) t += String(int(10));
  }
  if (rand() < 0.7) t += pick(['e', 'E']) + pick(['', '+', '-']) + String(int(330));
  return t;
}

function randString() {
  if (rand() < 0.5) return pick(STRINGS);
  let s = '';
  for (let i = int(12); i > 0; i--) {
    const r = rand();
    s += r < 0.6 ? String.fromCharCode(0x20 + int(95))
      : r < 0.8 ? String.fromCharCode(int(0x800))
        : r < 0.95 ? String.fromCodePoint(0x1f600 + int(80)) : String.fromCharCode(0xd800 + int(0x800));
  }
  return s;
}

/** JSON text for a string, sometimes with every character escaped as \uXXXX. */
function jsonString(s) {
  if (rand() < 0.2) {
    let out = '"';
    for (let i = 0; i < s.length; i++) out += '\\u' + s.charCodeAt(i).toString(16).padStart(4, '0');
    return out + '"';
  }
  return JSON.stringify(s);
}

function value(depth) {
  const r = rand();
  if (depth > 3 || r < 0.45) {
    const k = int(4);
    if (k === 0) return randNumber();
    if (k === 1) return jsonString(randString());
    return pick(['true', 'false', 'null']);
  }
  if (r < 0.7) {
    const items = [];
    for (let i = int(5); i > 0; i--) items.push(value(depth + 1));
    return '[' + items.join(ws()) + ']';
  }
  return object(depth + 1, int(6));
}

const ws = () => (rand() < 0.15 ? pick([' , ', ',\n', ',\t']) : ',');

function object(depth, n, extra = []) {
  const names = new Set();
  const members = [...extra];
  for (let i = 0; i < n; i++) {
    let name = rand() < 0.5 ? pick(NAMES) : randString();
    if (names.has(name) && rand() < 0.97) continue;
    names.add(name);
    members.push(jsonString(name) + ':' + value(depth));
  }
  // shuffle
  for (let i = members.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [members[i], members[j]] = [members[j], members[i]];
  }
  return '{' + members.join(ws()) + '}';
}

const b64 = (s) => Buffer.from(s).toString('base64url');
const HEADER = b64('{"alg":"HS256","typ":"JWT"}');
function token(payload) {
  const input = HEADER + '.' + b64(payload);
  return input + '.' + createHmac('sha256', SECRET).update(input).digest('base64url');
}

function outcome(f) {
  try {
    return { ok: f() };
  } catch (e) {
    return { err: e.code ?? String(e) };
  }
}

/** Own keys in order, recursively, with prototype checks: what isDeepStrictEqual misses. */
function shape(v) {
  if (Array.isArray(v)) return v.map(shape);
  if (v !== null && typeof v === 'object') {
    if (Object.getPrototypeOf(v) !== Object.prototype) return { BAD_PROTOTYPE: true };
    return Object.keys(v).map((k) => [k, shape(v[k])]);
  }
  return Object.is(v, -0) ? '-0' : v;
}

let passed = 0;
let failed = 0;
for (let i = 0; i < cases; i++) {
  const big = rand() < 0.15;
  const payload = object(1, big ? 33 + int(60) : int(10), ['"exp":4102444800']);
  const t = token(payload);
  const fast = outcome(() => verifier.verify(t));
  const slow = outcome(() => JSON.parse(verifier.verifyJson(t)));
  let problem = null;
  if ('err' in fast || 'err' in slow) {
    if (fast.err !== slow.err) problem = `errors differ: verify ${fast.err}, verifyJson ${slow.err}`;
  } else if (!isDeepStrictEqual(fast.ok, slow.ok)) {
    problem = 'values differ';
  } else if (!isDeepStrictEqual(shape(fast.ok), shape(slow.ok))) {
    problem = 'key order or prototypes differ';
  } else if (Object.getPrototypeOf(fast.ok) !== Object.prototype) {
    problem = 'the claims object has another prototype';
  }
  if (problem) {
    failed++;
    if (failed <= 5) console.error(`case ${i}: ${problem}\n  payload: ${payload.slice(0, 400)}`);
  } else {
    passed++;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
