// The raw N-API verify path (src/jwt_fast.rs + index.js): its claims must be exactly what
// JSON.parse gives for the payload, and its errors those of the napi-rs methods.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

import { JwtKey, JwtVerifier, ManualClock, errorCodes } from '../index.mjs'
import { codeOf } from './vectors.mjs'

/** The error `call` throws (undefined when it returns). */
function thrown(call) {
  try {
    call()
  } catch (e) {
    return e
  }
  return undefined
}

const SECRET = Buffer.alloc(32, 0x5a)
const key = JwtKey.hmac(SECRET, 'HS256')
const EXP = Math.floor(Date.now() / 1000) + 3600
const HEADER = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')

// An HS256 token over `payload`, the JSON text exactly as given (member order, escapes).
function sign(payload) {
  const body = Buffer.from(payload, 'utf8').toString('base64url')
  const sig = createHmac('sha256', SECRET).update(`${HEADER}.${body}`).digest('base64url')
  return `${HEADER}.${body}.${sig}`
}

// The payload of `token` as JSON.parse reads it.
const parsed = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'))

const verifier = new JwtVerifier(key, { algorithms: ['HS256'] })

function assertSame(v, token) {
  const want = parsed(token)
  const got = v.verify(token)
  assert.deepStrictEqual(got, want)
  assert.deepStrictEqual(Object.keys(got), Object.keys(want))
  assert.equal(Object.getPrototypeOf(got), Object.prototype)
  assert.deepStrictEqual(JSON.parse(v.verifyJson(token)), want)
  return got
}

const PAYLOADS = [
  `{"exp":${EXP}}`,
  `{"sub":"u1","exp":${EXP},"scope":"read write","tenant":"acme"}`,
  // Nested containers, in several places and depths.
  `{"exp":${EXP},"a":{"b":{"c":[1,{"d":null}]}},"list":[],"obj":{},"roles":["admin","user"]}`,
  `{"m":[[],[[]],{"x":[{"y":{}}]}],"exp":${EXP}}`,
  // Unicode and escapes, in values, names and nested text.
  `{"exp":${EXP},"s":"é ü 漢字 😀","esc":"q\\"b\\\\s\\/n\\n\\r\\t\\b\\f","u":"\\u0000\\u001f\\u00e9\\ud83d\\ude00\\u2028\\u2029"}`,
  `{"exp":${EXP},"nom\\u00e9":"x","😀":1,"a\\"b":2,"\\u2028":3,"":4,"n":{"k\\n":"v\\u0041"}}`,
  // Numbers: large, negative, floats, exponents, -0, extremes.
  `{"exp":${EXP},"big":12345678901234567890,"p53":9007199254740993,"neg":-42,"negbig":-9223372036854775809,"zero":0,"negzero":-0}`,
  `{"exp":${EXP},"f":0.1,"g":-1.5e-7,"h":1E2,"i":2.5e+300,"max":1.7976931348623157e308,"tiny":5e-324,"long":0.30000000000000004,"d18":999999999999999999,"d19":9999999999999999999}`,
  // Booleans, null, and names that matter to JS objects.
  `{"exp":${EXP},"t":true,"f":false,"z":null,"constructor":"c","toString":1,"hasOwnProperty":null,"valueOf":[1]}`,
  // Integer-like names: JSON.parse and object literals both put them first, ascending.
  `{"b":1,"10":2,"exp":${EXP},"2":3,"0":4,"-1":5,"01":6,"4294967295":7,"4294967294":8}`,
  // Whitespace around everything.
  ` { "exp" : ${EXP} , "a" : [ 1 , 2 ] , "s" : "x" } `,
]

test('claims equal JSON.parse of the payload, member order included', () => {
  for (const payload of PAYLOADS) {
    const token = sign(payload)
    // Twice: the second call takes the cached shape function.
    assertSame(verifier, token)
    assertSame(verifier, token)
  }
  const got = verifier.verify(sign(PAYLOADS[6]))
  assert.ok(Object.is(got.negzero, -0))
  assert.equal(got.big, 12345678901234567890)
  assert.equal(got.p53, 9007199254740992)
})

test('verifyJson returns the payload text unchanged', () => {
  for (const payload of PAYLOADS) {
    assert.equal(verifier.verifyJson(sign(payload)), payload)
  }
})

test('__proto__ and constructor claims stay own properties and pollute nothing', () => {
  const cases = [
    `{"__proto__":{"polluted":true},"exp":${EXP}}`,
    `{"exp":${EXP},"__proto__":"x"}`,
    `{"exp":${EXP},"__pro\\u0074o__":null,"constructor":{"prototype":{"polluted":true}}}`,
    `{"exp":${EXP},"nested":{"__proto__":{"polluted":true}}}`,
  ]
  for (const payload of cases) {
    const token = sign(payload)
    for (let i = 0; i < 2; i++) {
      const got = assertSame(verifier, token)
      assert.equal(Object.getPrototypeOf(got), Object.prototype)
      assert.equal({}.polluted, undefined)
      assert.equal(got.polluted, undefined)
    }
  }
  const own = verifier.verify(sign(cases[0]))
  assert.ok(Object.hasOwn(own, '__proto__'))
  assert.deepStrictEqual(own.__proto__, JSON.parse('{"polluted":true}'))
  const nested = verifier.verify(sign(cases[3]))
  assert.ok(Object.hasOwn(nested.nested, '__proto__'))
})

test('more member-name sequences than the shape cache holds, and very wide objects', () => {
  const v = new JwtVerifier(key, { algorithms: ['HS256'] })
  const tokens = []
  for (let i = 0; i < 40; i++) {
    const extra = Array.from({ length: i % 7 }, (_, j) => `,"k${i}_${j}":${i % 2 ? `[${j}]` : `"v${j}"`}`).join('')
    tokens.push(sign(`{"exp":${EXP},"shape${i}":${i}${extra}}`))
  }
  for (let round = 0; round < 3; round++) {
    for (const token of tokens) assertSame(v, token)
  }
  // Wider than a shape function takes (the generic builder), with nested and odd names.
  const members = Array.from({ length: 60 }, (_, i) => `"m${59 - i}":${i % 3 === 0 ? `{"i":${i}}` : i % 3 === 1 ? `"s${i}"` : i}`)
  const wide = sign(`{"exp":${EXP},"__proto__":[1],${members.join(',')},"7":"seven"}`)
  for (let i = 0; i < 3; i++) assertSame(v, wide)
})

test('a token longer than the stack buffer verifies', () => {
  const v = new JwtVerifier(key, { algorithms: ['HS256'], maxTokenSize: 65536 })
  const big = sign(`{"exp":${EXP},"blob":"${'x'.repeat(10_000)}","n":[1,2,3]}`)
  assert.ok(big.length > 10_000)
  assertSame(v, big)
  // Every length around the 4 KiB buffer boundary.
  for (let pad = 2980; pad < 3100; pad++) {
    const token = sign(`{"exp":${EXP},"p":"${'y'.repeat(pad)}"}`)
    assertSame(v, token)
  }
  // Past the limit (16384 bytes by default) the core refuses with its own code.
  const huge = sign(`{"exp":${EXP},"blob":"${'x'.repeat(20_000)}"}`)
  assertSame(v, huge)
  assert.equal(codeOf(() => verifier.verify(huge)), 'token_too_large')
  assert.equal(codeOf(() => verifier.verifyJson(huge)), 'token_too_large')
  // Non-ASCII text near the boundary is refused, never cut into something else.
  for (let pad = 4085; pad < 4100; pad++) {
    assert.equal(codeOf(() => v.verify(`${'a'.repeat(pad)}é€😀`)), 'malformed')
  }
})

test('errors keep their code and never contain the token', () => {
  const clock = new ManualClock(1_700_000_000)
  const v = new JwtVerifier(key, { algorithms: ['HS256'], clock: clock })
  const expired = sign('{"exp":1600000000,"sub":"u"}')
  const good = sign(`{"exp":${EXP},"sub":"u"}`)
  const [h, p, s] = good.split('.')
  const forged = `${h}.${Buffer.from(`{"exp":${EXP},"sub":"admin"}`).toString('base64url')}.${s}`
  const cases = [
    [expired, 'expired'],
    [forged, 'invalid_signature'],
    [`${h}.${p}.${s.slice(0, -2)}AA`, 'invalid_signature'],
    ['', 'malformed'],
    ['a.b', 'malformed'],
    [`${h}.${p}`, 'malformed'],
    [sign('{"exp":1,'), 'malformed'],
    [sign('[1]'), 'malformed'],
    [sign(`{"exp":${EXP},"a":1,"a":2}`), 'malformed'],
    ['x'.repeat(20000), 'token_too_large'],
    [sign(`{"exp":${EXP},"d":${'['.repeat(40)}${']'.repeat(40)}}`), 'token_too_large'],
  ]
  for (const [token, code] of cases) {
    for (const call of [() => v.verify(token), () => v.verifyJson(token)]) {
      const err = thrown(call)
      assert.ok(err instanceof Error, code)
      assert.equal(err.code, code, `${code}: ${err.message}`)
      assert.ok(errorCodes().includes(err.code))
      assert.ok(!token || token.length < 4 || !err.message.includes(token), code)
      assert.ok(!err.message.includes('eyJ'), `${code}: message echoes token material`)
      assert.deepStrictEqual(Object.keys(err), ['code'])
    }
  }
  // A failed verification does not disturb the next one.
  assert.equal(v.verify(good).sub, 'u')
})

test('a frozen verifier verifies, and the fast function stays hidden', () => {
  const v = Object.freeze(new JwtVerifier(key, { algorithms: ['HS256'] }))
  const token = sign(`{"exp":${EXP},"a":[1]}`)
  for (let i = 0; i < 3; i++) assertSame(v, token)
  const w = new JwtVerifier(key, { algorithms: ['HS256'] })
  w.verify(token)
  assert.deepStrictEqual(Object.keys(w), [])
  assert.equal(typeof JwtVerifier.prototype.verify, 'function')
})

test('a non-string token throws the conversion error of the napi methods', () => {
  for (const bad of [42, undefined, null, {}, ['a.b.c'], Buffer.from('a.b.c')]) {
    for (const call of [() => verifier.verify(bad), () => verifier.verifyJson(bad)]) {
      const err = thrown(call)
      assert.ok(err instanceof Error)
      assert.equal(err.code, 'StringExpected')
    }
  }
  assert.throws(() => verifier.verify(), { code: 'StringExpected' })
})

test('verifiers and their claims survive garbage collection', () => {
  const script = `
    const { JwtKey, JwtVerifier, JwtIssuer } = require(${JSON.stringify(fileURLToPath(new URL('../index.js', import.meta.url)))})
    const key = JwtKey.hmac(Buffer.alloc(32, 1), 'HS256')
    const issuer = new JwtIssuer(key, { ttl: 3600, algorithm: 'HS256' })
    const kept = []
    for (let i = 0; i < 300; i++) {
      const v = new JwtVerifier(key, { algorithms: ['HS256'] })
      const token = issuer.issue({ i, ['c' + (i % 20)]: [i], s: 'x' })
      const claims = v.verify(token)
      if (claims.i !== i) throw new Error('bad claims')
      if (i % 10 === 0) kept.push([v, token])
      if (i % 50 === 0) globalThis.gc()
    }
    globalThis.gc()
    for (const [v, token] of kept) v.verify(token)
    kept.length = 0
    globalThis.gc()
    console.log('ok')
  `
  const out = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' })
  assert.equal(out.status, 0, out.stderr)
  assert.equal(out.stdout.trim(), 'ok')
})
