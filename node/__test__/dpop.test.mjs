// DPoP (RFC 9449): the shared vectors tests/vectors/dpop.json, keys and proofs, the gateway with
// `Authorization: DPoP`, and interop with `jose` in both directions.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomUUID } from 'node:crypto'
import { inspect } from 'node:util'
import * as jose from 'jose'

import { Authenticator, DpopKey, DpopVerifier, JwtIssuer, JwtKey, JwtVerifier, ManualClock } from '../index.mjs'
import { codeOf, loadVectors } from './vectors.mjs'

const URL_ = 'https://api.example/orders'
const b64 = (buf) => Buffer.from(buf).toString('base64url')
const ath = (token) => b64(createHash('sha256').update(token).digest())

test('vectors: DPoP proofs', () => {
  const v = loadVectors('dpop.json')
  const conf = v.verifier
  assert.ok(v.cases.length >= 40)
  for (const c of v.cases) {
    const verifier = new DpopVerifier({
      algorithms: conf.algorithms, maxAge: conf.max_age, leeway: conf.leeway, clock: new ManualClock(v.now),
    })
    const run = () => verifier.verify(c.proof, c.method, c.url, { accessToken: c.access_token, jkt: c.jkt })
    assert.equal(codeOf(run) ?? 'ok', c.expect, c.name)
    if (c.expect_again) assert.equal(codeOf(run) ?? 'ok', c.expect_again, c.name)
  }
})

test('vectors: DPoP keys import with their thumbprints', () => {
  for (const k of loadVectors('dpop.json').keys) {
    const key = DpopKey.fromPrivateKey(k.private_key)
    assert.equal(key.thumbprint, k.jkt)
    assert.equal(key.algorithm, k.algorithm)
    assert.deepEqual(key.publicJwk(), k.jwk)
  }
})

for (const alg of ['ES256', 'EdDSA']) {
  test(`${alg} keys round-trip and never print the private key`, () => {
    const key = DpopKey.generate(alg)
    const pem = key.exportPrivateKey()
    const body = pem.expose().split('\n').filter((l) => !l.startsWith('-----')).join('')
    assert.equal(DpopKey.fromPrivateKey(pem.expose()).thumbprint, key.thumbprint)
    const printed = `${inspect(key)} ${String(key)} ${inspect(pem)} ${String(pem)} ${JSON.stringify(key.publicJwk())}`
    for (let i = 0; i + 12 < body.length; i += 6) assert.ok(!printed.includes(body.slice(i, i + 12)), printed)
    let err
    try { DpopKey.fromPrivateKey(pem.expose().replaceAll('A', '*')) } catch (e) { err = e }
    assert.ok(err && !`${err.message} ${inspect(err)}`.includes(body.slice(10, 22)))
  })
}

test('bad arguments are invalid_input', () => {
  assert.equal(codeOf(() => DpopKey.generate('RS256')), 'invalid_input')
  assert.equal(codeOf(() => DpopKey.generate().proof('GET', '/relative')), 'invalid_input')
  assert.equal(codeOf(() => new DpopVerifier({ algorithms: ['HS256'] })), 'invalid_input')
})

test('proofs verify once, follow the clock, and ask for nonces', () => {
  const clock = new ManualClock(1_700_000_000)
  const verifier = new DpopVerifier({ clock })
  const key = DpopKey.generate()
  const proof = key.proof('POST', URL_ + '?x=1', { accessToken: 'at', clock })
  const got = verifier.verify(proof, 'POST', URL_, { accessToken: 'at', jkt: key.thumbprint })
  assert.equal(got.jkt, key.thumbprint)
  assert.equal(got.iat, 1_700_000_000)
  assert.equal(codeOf(() => verifier.verify(proof, 'POST', URL_, { accessToken: 'at' })), 'invalid_dpop_proof')
  const nonces = new DpopVerifier({ nonceLifetime: 60, clock })
  assert.equal(codeOf(() => nonces.verify(key.proof('GET', URL_, { clock }), 'GET', URL_)), 'use_dpop_nonce')
  nonces.verify(key.proof('GET', URL_, { clock, nonce: nonces.nonce() }), 'GET', URL_)
})

test('the gateway accepts bound tokens with proofs and refuses them as Bearer', () => {
  const clock = new ManualClock(1_700_000_000)
  const hmac = JwtKey.hmac('gateway-dpop-node-secret-0123456789abcdef', 'HS256')
  const issuer = new JwtIssuer(hmac)
  const auth = new Authenticator({
    jwt: new JwtVerifier(hmac, { algorithms: ['HS256'] }),
    dpop: new DpopVerifier({ nonceLifetime: 300, clock }),
    clock,
  })
  const key = DpopKey.generate()
  const token = issuer.issue({ sub: 'u1', cnf: { jkt: key.thumbprint } })
  const headers = { authorization: `DPoP ${token}`, host: 'api.example' }
  const first = auth.authenticate({ method: 'GET', path: '/orders', headers: { ...headers, dpop: key.proof('GET', URL_, { accessToken: token, clock }) } })
  assert.equal(first.ok, false)
  assert.equal(first.code, 'use_dpop_nonce')
  assert.equal(first.dpopNonce, auth.dpopNonce())
  assert.match(first.wwwAuthenticate, /^DPoP realm="api", error="use_dpop_nonce"/)
  const proof = key.proof('GET', URL_, { accessToken: token, nonce: first.dpopNonce, clock })
  const ok = auth.authenticate({ method: 'GET', path: '/orders', headers: { ...headers, dpop: proof } })
  assert.equal(ok.ok, true)
  assert.equal(ok.subject, 'u1')
  const bearer = auth.authenticate({ method: 'GET', path: '/orders', headers: { authorization: `Bearer ${token}`, host: 'api.example' } })
  assert.equal(bearer.code, 'invalid_dpop_proof')
  assert.equal(bearer.error, 'invalid_dpop_proof')
})

// --- interop with jose ------------------------------------------------------------------------

test('a jose proof is verified by tokenward', async () => {
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true })
  const jwk = await jose.exportJWK(publicKey)
  const proof = await new jose.SignJWT({ jti: randomUUID(), htm: 'GET', htu: URL_, ath: ath('interop-token') })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
    .setIssuedAt(1_700_000_000)
    .sign(privateKey)
  const jkt = await jose.calculateJwkThumbprint(jwk, 'sha256')
  const verifier = new DpopVerifier({ clock: new ManualClock(1_700_000_030) })
  assert.equal(verifier.verify(proof, 'GET', URL_ + '?page=1', { accessToken: 'interop-token', jkt }).jkt, jkt)
  const forged = await new jose.SignJWT({ jti: randomUUID(), htm: 'POST', htu: URL_ })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
    .setIssuedAt(1_700_000_000)
    .sign(privateKey)
  assert.equal(codeOf(() => verifier.verify(forged, 'GET', URL_)), 'invalid_dpop_proof')
})

for (const alg of ['ES256', 'EdDSA']) {
  test(`a tokenward ${alg} proof is verified by jose`, async () => {
    const key = DpopKey.generate(alg)
    const proof = key.proof('PUT', URL_ + '?q=1#f', { accessToken: 'at-1', nonce: 'n-1', clock: new ManualClock(1_700_000_000) })
    const { payload, protectedHeader } = await jose.jwtVerify(proof, jose.EmbeddedJWK, {
      typ: 'dpop+jwt', algorithms: [alg], currentDate: new Date(1_700_000_010_000),
    })
    assert.equal(protectedHeader.alg, alg)
    assert.equal(protectedHeader.jwk.d, undefined)
    assert.equal(payload.htm, 'PUT')
    assert.equal(payload.htu, URL_)
    assert.equal(payload.nonce, 'n-1')
    assert.equal(payload.ath, ath('at-1'))
    assert.equal(payload.iat, 1_700_000_000)
    assert.ok(Buffer.from(payload.jti, 'base64url').length >= 16)
    assert.equal(await jose.calculateJwkThumbprint(protectedHeader.jwk, 'sha256'), key.thumbprint)
  })
}
