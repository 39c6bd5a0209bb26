// OpenID Connect ID tokens: the shared vectors tests/vectors/oidc.json (local keys), and ID tokens
// minted by the real oauth2-mock-server, verified through the login flow and with the provider's
// discovered keys.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

import { AuthorizationFlow, IdTokenVerifier, KeySet, OAuthClient } from '../index.mjs'
import { loadVectors } from './vectors.mjs'
import { startMock } from './mock_server.mjs'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const REDIRECT = 'http://127.0.0.1:9/callback'

const codeOfAsync = async (promise) => promise.then(() => 'ok', (e) => e.code ?? String(e))

test('vectors: ID tokens', async () => {
  const v = loadVectors('oidc.json')
  const keys = KeySet.fromJwks(v.jwks)
  assert.ok(v.cases.length >= 30)
  for (const c of v.cases) {
    const opts = c.options ?? {}
    const verifier = new IdTokenVerifier(v.issuer, opts.client_id ?? v.client_id, keys,
      opts.algorithms ? { algorithms: opts.algorithms } : undefined)
    const ch = c.checks ?? {}
    const checks = { nonce: ch.nonce, maxAge: ch.max_age, accessToken: ch.access_token, code: ch.code }
    assert.equal(await codeOfAsync(verifier.verify(c.token, checks)), c.expect, c.name)
  }
})

test('HMAC is never an ID token algorithm', () => {
  assert.throws(() => new IdTokenVerifier('https://id.example', 'app', new KeySet(), { algorithms: ['HS256'] }),
    (e) => e.code === 'invalid_input')
})

const follow = async (url) => (await fetch(url, { redirect: 'manual' })).headers.get('location')

test('ID tokens of the real server verify; wrong nonce, other audience, expired are refused', async () => {
  const mock = await startMock()
  try {
    const client = await OAuthClient.discover(mock.issuer, 'node-app', { authMethod: 'none' })
    const verifier = IdTokenVerifier.forClient(client)
    assert.deepEqual(verifier.algorithms, ['RS256'])
    const flow = new AuthorizationFlow(client, REDIRECT, { scopes: ['openid'] })
    const tokens = await flow.complete(await follow(flow.authorizationUrl))
    assert.equal(tokens.idTokenClaims.sub, 'johndoe')
    assert.equal(tokens.idTokenClaims.nonce, flow.nonce)

    const idToken = tokens.idToken.expose()
    assert.equal((await verifier.verify(idToken, { nonce: flow.nonce })).aud, 'node-app')
    assert.equal(await codeOfAsync(verifier.verify(idToken, { nonce: 'not-the-nonce' })), 'invalid_nonce')
    const other = IdTokenVerifier.forClient(await OAuthClient.discover(mock.issuer, 'other-app', { authMethod: 'none' }))
    assert.equal(await codeOfAsync(other.verify(idToken)), 'invalid_audience')

    await mock.control('/__id_token_ttl?seconds=-600')
    const late = new AuthorizationFlow(client, REDIRECT, { scopes: ['openid'] })
    assert.equal(await codeOfAsync(late.complete(await follow(late.authorizationUrl))), 'expired')
  } finally {
    mock.stop()
  }
})
