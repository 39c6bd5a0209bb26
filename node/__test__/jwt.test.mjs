import { test } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { createHmac } from 'node:crypto'

import * as jose from 'jose'

import { JwtKey, KeySet, JwtIssuer, JwtVerifier, ManualClock, Secret, errorCodes } from '../index.mjs'
import { loadVectors, codeOf } from './vectors.mjs'

const ALGS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA']
const ISS = 'https://issuer.example'
const AUD = 'api://tokenward-tests'

// Vector option names are snake_case; the JS options are camelCase.
const OPTION_NAMES = {
  algorithms: 'algorithms',
  issuer: 'issuers',
  audience: 'audiences',
  leeway: 'leeway',
  require_exp: 'requireExp',
  max_age: 'maxAge',
  required_claims: 'requiredClaims',
  typ: 'typ',
  max_token_size: 'maxTokenSize',
}

function jsOptions(...sources) {
  const out = {}
  for (const source of sources) {
    for (const [name, value] of Object.entries(source ?? {})) {
      const js = OPTION_NAMES[name]
      assert.ok(js, `unknown vector option ${name}`)
      out[js] = value
    }
  }
  return out
}

test('jwt_attacks.json: every case gives the expected code', () => {
  const keys = loadVectors('jwt_keys.json')
  const doc = loadVectors('jwt_attacks.json')
  const set = KeySet.fromJwks(keys.verification_jwks)
  assert.ok(doc.cases.length >= 40)
  const failures = []
  for (const c of doc.cases) {
    const verifier = new JwtVerifier(set, jsOptions(doc.defaults, c.options))
    let got
    try {
      verifier.verify(c.token)
      got = 'ok'
    } catch (err) {
      assert.ok(err instanceof Error, c.name)
      assert.ok(!err.message.includes('eyJ'), `${c.name}: message echoes token material`)
      got = err.code
    }
    if (got !== c.expect) failures.push(`${c.name}: expected ${c.expect}, got ${got}`)
  }
  assert.deepEqual(failures, [])
})

test('the JWKS can also be passed as JSON text or straight to the verifier', () => {
  const keys = loadVectors('jwt_keys.json')
  const doc = loadVectors('jwt_attacks.json')
  const valid = doc.cases.find((c) => c.expect === 'ok' && !c.options)
  const options = jsOptions(doc.defaults)
  for (const source of [keys.verification_jwks, JSON.stringify(keys.verification_jwks), KeySet.fromJwks(JSON.stringify(keys.verification_jwks))]) {
    const claims = new JwtVerifier(source, options).verify(valid.token)
    assert.equal(claims.iss, ISS)
  }
})

function roundTripKeys(alg) {
  const signing = JwtKey.generate(alg).withKid(`kid-${alg}`)
  // Asymmetric: verify with the public key only, imported back from the published JWKS.
  const verifying = alg.startsWith('HS') ? signing : KeySet.fromJwks(new KeySet([signing]).toJwks())
  return { signing, verifying }
}

for (const alg of ALGS) {
  test(`issue and verify round trip: ${alg}`, () => {
    const { signing, verifying } = roundTripKeys(alg)
    assert.equal(signing.kid, `kid-${alg}`)
    const issuer = new JwtIssuer(signing, { issuer: ISS, audience: AUD, ttl: 300, algorithm: alg })
    const token = issuer.issue({ role: 'admin', nested: { n: [1, 2, 3] } }, { subject: 'user-1' })
    const verifier = new JwtVerifier(verifying, { algorithms: [alg], issuers: ISS, audiences: [AUD] })
    const claims = verifier.verify(token)
    assert.equal(Object.getPrototypeOf(claims), Object.prototype)
    assert.equal(claims.iss, ISS)
    assert.equal(claims.aud, AUD)
    assert.equal(claims.sub, 'user-1')
    assert.equal(claims.role, 'admin')
    assert.deepEqual(claims.nested, { n: [1, 2, 3] })
    assert.equal(claims.exp - claims.iat, 300)
    assert.equal(typeof claims.jti, 'string')
    const header = jose.decodeProtectedHeader(token)
    assert.deepEqual(header, { alg, typ: 'JWT', kid: `kid-${alg}` })

    // Tampering with the payload breaks the signature.
    const [h, , s] = token.split('.')
    const forged = jose.base64url.encode(JSON.stringify({ ...claims, role: 'root' }))
    assert.equal(codeOf(() => verifier.verify(`${h}.${forged}.${s}`)), 'invalid_signature')
    // Another algorithm is refused before any crypto.
    const other = alg === 'HS256' ? 'HS384' : 'HS256'
    assert.equal(codeOf(() => new JwtVerifier(verifying, { algorithms: [other] }).verify(token)), 'algorithm_not_allowed')
  })
}

test('issuer options: per-call ttl and audience, typ, custom claims override defaults', () => {
  const key = JwtKey.hmac('k'.repeat(32), 'HS256')
  const issuer = new JwtIssuer(key, { issuer: ISS, audience: ['a', 'b'], ttl: 60, typ: 'at+jwt' })
  const token = issuer.issue({ iss: 'custom' }, { ttl: 10, audience: 'c' })
  const claims = new JwtVerifier(key, { algorithms: ['HS256'], issuers: 'custom', audiences: 'c', typ: 'at+jwt' }).verify(token)
  assert.equal(claims.exp - claims.iat, 10)
  assert.equal(claims.aud, 'c')
  const twoAud = issuer.issue()
  assert.deepEqual(new JwtVerifier(key, { algorithms: ['HS256'], audiences: 'b', typ: 'at+jwt' }).verify(twoAud).aud, ['a', 'b'])
  assert.equal(codeOf(() => new JwtVerifier(key, { algorithms: ['HS256'], audiences: 'b' }).verify(token)), 'invalid_audience')
  assert.equal(codeOf(() => issuer.issue({}, { ttl: -1 })), 'invalid_input')
  assert.equal(codeOf(() => new JwtIssuer(key, { ttl: 1.5 })), 'invalid_input')
})

test('a __proto__ claim stays an own property and never changes the prototype', () => {
  const secret = Buffer.alloc(32, 7)
  const header = jose.base64url.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const payload = jose.base64url.encode(`{"exp":4100000000,"__proto__":{"admin":true}}`)
  const sig = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url')
  const claims = new JwtVerifier(JwtKey.hmac(secret, 'HS256'), { algorithms: ['HS256'] }).verify(`${header}.${payload}.${sig}`)
  assert.equal(Object.getPrototypeOf(claims), Object.prototype)
  assert.equal(claims.admin, undefined)
  assert.ok(Object.hasOwn(claims, '__proto__'))
})

test('keys: PEM round trip, JWK export, key sets', () => {
  const key = JwtKey.generate('ES256').withKid('ec-1')
  const pem = key.toPrivatePem()
  assert.ok(pem instanceof Secret)
  const again = JwtKey.fromPem(pem.expose()).withKid('ec-1')
  assert.deepEqual(again.toJwk(), key.toJwk())
  const publicKey = JwtKey.fromPem(key.toPublicPem())
  assert.equal(publicKey.canSign, false)
  assert.equal(codeOf(() => new JwtIssuer(publicKey, { algorithm: 'ES256' })), 'invalid_key')
  const jwk = key.toJwk()
  assert.deepEqual(Object.keys(jwk).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'])
  assert.equal(JwtKey.fromJwk(JSON.stringify(jwk)).kid, 'ec-1')
  assert.equal(JwtKey.fromJwk(jwk).algorithm, 'ES256')

  const set = new KeySet()
  set.insert(key)
  set.insert(JwtKey.generate('EdDSA').withKid('ed-1'))
  set.insert(JwtKey.hmac('s'.repeat(32), 'HS256').withKid('hs-1'))
  assert.equal(set.size, 3)
  assert.deepEqual(set.kids, ['ec-1', 'ed-1', 'hs-1'])
  assert.equal(codeOf(() => set.insert(key)), 'invalid_key')
  // HMAC keys are never published.
  assert.deepEqual(set.toJwks().keys.map((k) => k.kid), ['ec-1', 'ed-1'])
  assert.equal(codeOf(() => JwtKey.hmac('s'.repeat(32), 'HS256').toJwk()), 'invalid_key')
})

test('invalid keys and options throw with a code', () => {
  assert.equal(codeOf(() => JwtKey.hmac('short', 'HS256')), 'invalid_key')
  assert.equal(codeOf(() => JwtKey.hmac('', 'HS256')), 'invalid_key')
  assert.equal(codeOf(() => JwtKey.hmac('k'.repeat(64), 'RS256')), 'invalid_key')
  assert.equal(codeOf(() => JwtKey.generate('none')), 'algorithm_not_allowed')
  assert.equal(codeOf(() => JwtKey.fromPem('not a pem')), 'invalid_key')
  assert.equal(codeOf(() => JwtKey.fromJwk({ kty: 'EC', crv: 'P-256', alg: 'RS256', x: 'AA', y: 'AA' })), 'invalid_key')
  assert.equal(codeOf(() => JwtKey.fromJwk({ kty: 'oct', k: 'AAAA', alg: 'HS256', use: 'enc' })), 'invalid_key')
  assert.equal(codeOf(() => JwtKey.fromJwk('[]')), 'invalid_key')
  assert.equal(codeOf(() => KeySet.fromJwks({ nokeys: [] })), 'invalid_key')
  const key = JwtKey.generate('HS256')
  assert.equal(codeOf(() => new JwtVerifier(key, { algorithms: [] })), 'invalid_input')
  assert.equal(codeOf(() => new JwtVerifier(key, { algorithms: ['none'] })), 'algorithm_not_allowed')
  assert.equal(codeOf(() => new JwtVerifier(key, { algorithms: ['HS256'], leeway: -5 })), 'invalid_input')
  const verifier = new JwtVerifier(key, { algorithms: ['HS256'] })
  assert.equal(codeOf(() => verifier.verify('')), 'malformed')
  assert.equal(codeOf(() => verifier.verify('a.b.c.d.e')), 'malformed')
  assert.equal(codeOf(() => verifier.verify('x'.repeat(20000))), 'token_too_large')
  const err = (() => { try { verifier.verify('a.b') } catch (e) { return e } })()
  assert.ok(err instanceof Error)
  assert.ok(errorCodes().includes(err.code))
})

test('printed forms of keys and key sets never contain key material', () => {
  const secretText = 'SuperSecretHmacKeyMaterial-0123456789'
  const hmac = JwtKey.hmac(secretText, 'HS256').withKid('hs')
  const rsa = JwtKey.generate('RS256').withKid('rsa')
  const ec = JwtKey.generate('ES384')
  const privatePem = rsa.toPrivatePem()
  const pemBody = privatePem.expose().split('\n').slice(1, 3).join('')
  const ed = JwtKey.generate('EdDSA')
  const edPem = ed.toPrivatePem().expose()
  const set = new KeySet([hmac, rsa])
  const needles = [
    secretText,
    Buffer.from(secretText).toString('base64url'),
    Buffer.from(secretText).toString('base64'),
    pemBody.slice(0, 40),
    edPem.split('\n')[1],
  ]
  const forms = [
    inspect(hmac), inspect(rsa), inspect(ec), inspect(ed), inspect(set),
    inspect({ nested: { hmac, rsa, set, privatePem } }, { depth: 10, showHidden: true }),
    String(hmac), `${rsa}`, JSON.stringify({ hmac, rsa, set, privatePem }),
    inspect(privatePem), String(privatePem),
    inspect(new JwtIssuer(hmac)), inspect(new JwtVerifier(set, { algorithms: ['HS256'] })),
  ]
  for (const printed of forms) {
    for (const needle of needles) {
      assert.ok(!printed.includes(needle), `printed form leaked key material: ${printed}`)
    }
  }
  assert.equal(inspect(hmac), 'JwtKey { kid: "hs", algorithm: "HS256", canSign: true }')
  assert.equal(inspect(set), 'KeySet { size: 2, kids: ["hs","rsa"] }')
})

// --- interop with the `jose` npm package, both directions, every algorithm ---

async function joseKeys(alg) {
  if (alg.startsWith('HS')) {
    const secret = await jose.generateSecret(alg, { extractable: true })
    const jwk = await jose.exportJWK(secret)
    return { privateKey: secret, publicJwk: { ...jwk, alg } }
  }
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true })
  return { privateKey, publicJwk: await jose.exportJWK(publicKey) }
}

for (const alg of ALGS) {
  test(`interop: jose signs, tokenward verifies (${alg})`, async () => {
    const { privateKey, publicJwk } = await joseKeys(alg)
    const token = await new jose.SignJWT({ role: 'reader', scopes: ['a', 'b'] })
      .setProtectedHeader({ alg, kid: 'jose-1', typ: 'JWT' })
      .setIssuer(ISS)
      .setAudience(AUD)
      .setSubject('user-2')
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime('5m')
      .setJti('jti-1')
      .sign(privateKey)
    // The JWK names its alg: an RSA JWK without one is bound to RS* (RFC 8725 section 3.1).
    const keys = KeySet.fromJwks({ keys: [{ ...publicJwk, kid: 'jose-1', alg }] })
    const claims = new JwtVerifier(keys, { algorithms: [alg], issuers: ISS, audiences: AUD, subject: 'user-2' }).verify(token)
    assert.equal(claims.role, 'reader')
    assert.deepEqual(claims.scopes, ['a', 'b'])
    assert.equal(claims.jti, 'jti-1')
    // The same token with a flipped signature bit is refused.
    const last = token.at(-2) === 'A' ? 'B' : 'A'
    const bad = token.slice(0, -2) + last + token.at(-1)
    assert.equal(codeOf(() => new JwtVerifier(keys, { algorithms: [alg], issuers: ISS, audiences: AUD }).verify(bad)), 'invalid_signature')
  })

  test(`interop: tokenward signs, jose verifies (${alg})`, async () => {
    let signing, joseKey
    if (alg.startsWith('HS')) {
      const secret = Buffer.alloc({ HS256: 32, HS384: 48, HS512: 64 }[alg], 0x5a)
      signing = JwtKey.hmac(secret, alg).withKid('tw-1')
      joseKey = new Uint8Array(secret)
    } else {
      signing = JwtKey.generate(alg).withKid('tw-1')
      // Import through the published JWK (and, for RSA keys, the PEM too).
      joseKey = await jose.importJWK({ ...signing.toJwk(), alg }, alg)
      if (alg.startsWith('RS')) {
        const spki = await jose.importSPKI(signing.toPublicPem(), alg)
        assert.ok(spki)
      }
    }
    const token = new JwtIssuer(signing, { issuer: ISS, audience: AUD, ttl: 120, algorithm: alg }).issue({ role: 'writer' }, { subject: 'user-3' })
    const { payload, protectedHeader } = await jose.jwtVerify(token, joseKey, { algorithms: [alg], issuer: ISS, audience: AUD, subject: 'user-3', typ: 'JWT' })
    assert.equal(payload.role, 'writer')
    assert.equal(protectedHeader.kid, 'tw-1')
    assert.equal(payload.exp - payload.iat, 120)
  })
}

test('vocabulary: JwtKey, KeySet.insert/size, options issuers/audiences/clock, durations in seconds', () => {
  const a = JwtKey.generate('ES256').withKid('a')
  const set = new KeySet([a])
  set.insert(JwtKey.generate('EdDSA').withKid('b'))
  assert.equal(set.size, 2)
  assert.deepEqual(set.kids, ['a', 'b'])
  // A key read without an algorithm (here PEM) is pinned to one; a generated key already is.
  assert.equal(JwtKey.fromPem(JwtKey.generate('RS256').toPublicPem()).withAlgorithm('PS256').algorithm, 'PS256')
  assert.equal(codeOf(() => JwtKey.generate('ES256').withAlgorithm('none')), 'algorithm_not_allowed')
  // The clock is an option, for the issuer and the verifier alike.
  const clock = new ManualClock(1_000_000)
  const key = JwtKey.hmac('k'.repeat(32), 'HS256')
  const token = new JwtIssuer(key, { ttl: 10, clock, issuer: 'https://idp' }).issue()
  const claims = new JwtVerifier(key, { algorithms: ['HS256'], issuers: 'https://idp', clock }).verify(token)
  assert.equal(claims.iat, 1_000_000)
  assert.equal(claims.exp - claims.iat, 10)
  // The issuer's default lifetime is the core's (900 s).
  const plain = new JwtVerifier(key, { algorithms: ['HS256'] }).verify(new JwtIssuer(key).issue())
  assert.equal(plain.exp - plain.iat, 900)
  // leeway in seconds: 30 s past exp passes with 60, not with 10.
  clock.advance(40)
  assert.ok(new JwtVerifier(key, { algorithms: ['HS256'], leeway: 60, clock }).verify(token))
  assert.equal(codeOf(() => new JwtVerifier(key, { algorithms: ['HS256'], leeway: 10, clock }).verify(token)), 'expired')
  assert.equal(codeOf(() => new JwtVerifier(key, { algorithms: [] })), 'invalid_input')
})
