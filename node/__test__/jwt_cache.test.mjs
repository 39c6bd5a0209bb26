// The verified-token cache (`cacheSize`): expiry on the verifier's clock, rotation through a
// remote JWKS, revocation at the Authenticator, the memory bound.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'

import {
  Authenticator, JwtIssuer, JwtKey, JwtVerifier, KeySet, ManualClock, RemoteJwtVerifier, RemoteKeySet, RevocationList,
} from '../index.mjs'
import { codeOf } from './vectors.mjs'

const NOW = 1_900_000_000
const SECRET = 'cache-node-secret-0123456789abcdef'

for (const alg of ['ES256', 'EdDSA', 'RS256', 'HS256']) {
  test(`a cached ${alg} token is refused after exp, with the same leeway as uncached`, () => {
    const clock = new ManualClock(NOW)
    const key = alg === 'HS256' ? JwtKey.hmac(SECRET, alg) : JwtKey.generate(alg)
    const token = new JwtIssuer(key, { ttl: 60, clock }).issue({ n: 1 }, { subject: 'u1' })
    const cached = new JwtVerifier(key, { algorithms: [alg], leeway: 5, clock, cacheSize: 8 })
    const uncached = new JwtVerifier(key, { algorithms: [alg], leeway: 5, clock })
    assert.deepEqual(cached.verify(token), uncached.verify(token))
    assert.equal(cached.verify(token).n, 1)
    assert.equal(cached.verifyJson(token), uncached.verifyJson(token))
    assert.deepEqual([cached.cacheLen, uncached.cacheLen], [1, 0])
    clock.advance(64)
    assert.equal(cached.verify(token).sub, 'u1')
    clock.advance(1)
    assert.equal(codeOf(() => cached.verify(token)), 'expired')
    assert.equal(codeOf(() => uncached.verify(token)), 'expired')
    assert.equal(cached.cacheLen, 0)
  })
}

test('failures are never cached; the entry count never exceeds the bound', () => {
  const clock = new ManualClock(NOW)
  const key = JwtKey.generate('ES256')
  const issuer = new JwtIssuer(key, { clock })
  const verifier = new JwtVerifier(key, { algorithms: ['ES256'], clock, cacheSize: 5 })
  const token = issuer.issue()
  const tampered = token.slice(0, -10) + (token.at(-10) === 'A' ? 'B' : 'A') + token.slice(-9)
  for (let i = 0; i < 2; i++) assert.equal(codeOf(() => verifier.verify(tampered)), 'invalid_signature')
  assert.equal(verifier.cacheLen, 0)
  for (let i = 0; i < 50; i++) {
    const t = issuer.issue({ n: i })
    assert.equal(verifier.verify(t).n, i)
    assert.equal(verifier.verify(t).n, i)
    assert.ok(verifier.cacheLen <= 5)
  }
  assert.equal(verifier.cacheLen, 5)
})

test('a JWKS rotation drops the cached tokens', async () => {
  const state = { jwks: { keys: [] }, hits: 0 }
  const server = createServer((req, res) => {
    state.hits++
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(state.jwks))
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  try {
    const a = JwtKey.generate('ES256').withKid('a')
    const b = JwtKey.generate('ES256').withKid('b')
    state.jwks = new KeySet([a]).toJwks()
    const remote = new RemoteKeySet(`http://127.0.0.1:${server.address().port}/jwks.json`, { cooldown: 0 })
    const verifier = new RemoteJwtVerifier(remote, { algorithms: ['ES256'], cacheSize: 8 })
    const tokenA = new JwtIssuer(a).issue()
    await verifier.verify(tokenA)
    await verifier.verify(tokenA)
    // The set rotates to b: b's token refetches it, and a's cached token is refused after.
    state.jwks = new KeySet([b]).toJwks()
    await verifier.verify(new JwtIssuer(b).issue())
    assert.equal(state.hits, 2)
    await assert.rejects(verifier.verify(tokenA), (err) => err.code === 'key_not_found')
  } finally {
    await new Promise((r) => server.close(r))
  }
})

test('revocation and scopes still run for a cached token at the Authenticator', () => {
  const clock = new ManualClock(NOW)
  const key = JwtKey.generate('EdDSA')
  const token = new JwtIssuer(key, { clock }).issue({ jti: 'tok-1', scope: 'read' }, { subject: 'alice' })
  const verifier = new JwtVerifier(key, { algorithms: ['EdDSA'], clock, cacheSize: 16 })
  const revocations = new RevocationList({ clock })
  const auth = new Authenticator({ jwt: verifier, revocations, clock })
  const headers = { authorization: `Bearer ${token}` }
  assert.equal(auth.authenticate({ headers, requiredScopes: ['read'] }).ok, true)
  assert.equal(verifier.cacheLen, 1)
  assert.equal(auth.authenticate({ headers, requiredScopes: ['write'] }).code, 'insufficient_scope')
  revocations.revoke('jti', 'tok-1', NOW + 600)
  const refused = auth.authenticate({ headers, requiredScopes: ['read'] })
  assert.deepEqual([refused.ok, refused.status, refused.code], [false, 401, 'revoked'])
  assert.equal(verifier.cacheLen, 1)
  revocations.unrevoke('jti', 'tok-1')
  assert.equal(auth.authenticate({ headers }).ok, true)
  clock.advance(3600)
  assert.equal(auth.authenticate({ headers }).code, 'expired')
})
