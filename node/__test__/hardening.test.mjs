// Issue 14 hardening from Node: out-of-range durations are `invalid_input` errors (never a
// process abort), redirects never change port, symmetric keys in a fetched JWKS are never
// used, and unknown OAuth error strings are not echoed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'

import { JwtKey, KeySet, JwtIssuer, JwtVerifier, RemoteKeySet, RemoteJwtVerifier, OAuthClient, ManualClock, Authenticator } from '../index.mjs'

const BAD = [1e20, 1e19, NaN, Infinity, -Infinity, -1]
const invalidInput = (e) => e instanceof Error && e.code === 'invalid_input'

async function serve(handler) {
  const state = { hits: 0 }
  const server = createServer((req, res) => {
    state.hits++
    req.resume()
    req.on('end', () => handler(req, res))
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  state.base = `http://127.0.0.1:${server.address().port}`
  state.close = () => new Promise((r) => server.close(r))
  return state
}

test('durations out of range are invalid_input, never a crash', () => {
  for (const bad of BAD) {
    assert.throws(() => new RemoteKeySet('http://127.0.0.1:9/jwks.json', { timeout: bad }), invalidInput, String(bad))
    assert.throws(() => new OAuthClient('http://127.0.0.1:9/t', 'c', { timeout: bad }), invalidInput, String(bad))
    assert.throws(() => new JwtVerifier(JwtKey.hmac('k'.repeat(32), 'HS256'), { algorithms: ['HS256'], leeway: bad }), invalidInput, String(bad))
    assert.throws(() => new JwtIssuer(JwtKey.hmac('k'.repeat(32), 'HS256'), { ttl: bad }), invalidInput, String(bad))
    // Unix seconds and clock steps: UNIX_EPOCH + 1e19 s overflows SystemTime (a panic, then an
    // `internal` error, before the core bounded them).
    assert.throws(() => new ManualClock(bad), invalidInput, String(bad))
    assert.throws(() => new ManualClock(0).set(bad), invalidInput, String(bad))
    assert.throws(() => new ManualClock(0).advance(bad), invalidInput, String(bad))
    const verifier = new JwtVerifier(JwtKey.hmac('k'.repeat(32), 'HS256'), { algorithms: ['HS256'] })
    assert.throws(() => new Authenticator({ jwt: verifier, rateLimit: { rate: 1, burst: 1, period: bad } }), invalidInput, String(bad))
    const client = new OAuthClient('http://127.0.0.1:9/t', 'c', { clientSecret: 'client-secret-value', introspectionUrl: 'http://127.0.0.1:9/i' })
    assert.throws(() => new Authenticator({ introspection: client, introspectionCacheTtl: bad }), invalidInput, String(bad))
    assert.throws(() => new Authenticator({ introspection: client, introspectionNegativeTtl: bad }), invalidInput, String(bad))
  }
  const clock = new ManualClock(1e9)
  clock.advance(100 * 366 * 24 * 3600) // the bound itself is accepted
  assert.ok(clock.now > 1e9)
})

test('a token request is not redirected to another port', async () => {
  const other = await serve((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ access_token: 'AT', expires_in: 60 }))
  })
  const front = await serve((req, res) => {
    res.writeHead(307, { location: `${other.base}/token` })
    res.end()
  })
  try {
    const client = new OAuthClient(`${front.base}/token`, 'c', { clientSecret: 'client-secret-value' })
    await assert.rejects(client.clientCredentials(), (e) => e.code === 'invalid_response')
    assert.equal(other.hits, 0, 'the client secret followed the redirect to another port')
  } finally {
    await other.close()
    await front.close()
  }
})

test('symmetric keys in a fetched JWKS are never used', async () => {
  const secret = Buffer.from('0123456789abcdef0123456789abcdef')
  const es = JwtKey.generate('ES256').withKid('es')
  const jwks = new KeySet([es]).toJwks()
  jwks.keys.push({ kty: 'oct', kid: 'hs', alg: 'HS256', k: secret.toString('base64url') })
  const s = await serve((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(jwks))
  })
  try {
    const remote = new RemoteKeySet(`${s.base}/jwks.json`)
    const verifier = new RemoteJwtVerifier(remote, { algorithms: ['HS256', 'ES256'] })
    const forged = new JwtIssuer(JwtKey.hmac(secret, 'HS256').withKid('hs')).issue({ sub: 'admin' })
    await assert.rejects(verifier.verify(forged), (e) => e.code === 'key_not_found')
    const good = new JwtIssuer(es).issue({ sub: 'u' })
    assert.equal((await verifier.verify(good)).sub, 'u')
  } finally {
    await s.close()
  }
})

test('unknown OAuth error strings are not echoed', async () => {
  const hostile = 'sk_live_51HqLyjWDarjtT1zdp7dcXYZ'
  const s = await serve((req, res) => {
    res.writeHead(400, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: hostile }))
  })
  try {
    const client = new OAuthClient(`${s.base}/token`, 'c', { clientSecret: 'client-secret-value' })
    await assert.rejects(client.clientCredentials(), (e) => {
      assert.equal(e.code, 'invalid_response')
      assert.ok(!String(e.message).includes('sk_live'), e.message)
      assert.ok(String(e.message).includes('unrecognized'), e.message)
      return true
    })
  } finally {
    await s.close()
  }
})
