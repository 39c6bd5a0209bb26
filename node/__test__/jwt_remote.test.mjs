// Remote JWKS and OIDC discovery from Node against a real HTTP server on localhost.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'

import { JwtKey, KeySet, JwtIssuer, RemoteKeySet, RemoteJwtVerifier } from '../index.mjs'

async function startServer() {
  const state = { jwks: { keys: [] }, hits: 0, status: 200 }
  const server = createServer((req, res) => {
    state.hits++
    const base = `http://127.0.0.1:${server.address().port}`
    const body = req.url === '/.well-known/openid-configuration'
      ? { issuer: base, jwks_uri: `${base}/jwks.json` }
      : state.jwks
    res.writeHead(state.status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  state.base = `http://127.0.0.1:${server.address().port}`
  state.close = () => new Promise((r) => server.close(r))
  return state
}

test('verify against a remote JWKS: Promise, cache, single-flight', async () => {
  const s = await startServer()
  try {
    const key = JwtKey.generate('ES256').withKid('a')
    s.jwks = new KeySet([key]).toJwks()
    const remote = new RemoteKeySet(`${s.base}/jwks.json`)
    const verifier = new RemoteJwtVerifier(remote, { algorithms: ['ES256'] })
    const issuer = new JwtIssuer(key)
    const tokens = Array.from({ length: 200 }, (_, i) => issuer.issue({ n: i }))
    const claims = await Promise.all(tokens.map((t) => verifier.verify(t)))
    assert.deepEqual(claims.map((c) => c.n), tokens.map((_, i) => i))
    assert.equal(s.hits, 1)
    assert.equal(remote.fetchCount, 1)
  } finally {
    await s.close()
  }
})

test('remote failures reject with .code', async () => {
  const s = await startServer()
  try {
    s.status = 500
    const verifier = new RemoteJwtVerifier(new RemoteKeySet(`${s.base}/jwks.json`), { algorithms: ['ES256'] })
    const token = new JwtIssuer(JwtKey.generate('ES256')).issue()
    await assert.rejects(verifier.verify(token), (err) => err instanceof Error && err.code === 'server_error')
    assert.throws(() => new RemoteKeySet('http://keys.example.com/jwks.json'), (err) => err.code === 'invalid_input')
  } finally {
    await s.close()
  }
})

test('OpenID Connect discovery', async () => {
  const s = await startServer()
  try {
    const key = JwtKey.generate('EdDSA').withKid('d')
    s.jwks = new KeySet([key]).toJwks()
    const remote = await RemoteKeySet.discover(s.base)
    assert.equal(remote.issuer, s.base)
    const verifier = new RemoteJwtVerifier(remote, { algorithms: ['EdDSA'], issuers: remote.issuer })
    const claims = await verifier.verify(new JwtIssuer(key, { issuer: remote.issuer }).issue({}, { subject: 'u' }))
    assert.equal(claims.sub, 'u')
    await assert.rejects(RemoteKeySet.discover('http://127.0.0.1:9'), (err) => err.code === 'network')
  } finally {
    await s.close()
  }
})
