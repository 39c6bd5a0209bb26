// The gateway on rotating keys: new Authenticator({ remoteJwt }) against the real
// oauth2-mock-server (discovery, JWKS, key rotation; tests/oauth/mock-server.mjs).
import { test } from 'node:test'
import assert from 'node:assert/strict'

import { Authenticator, OAuthClient, RemoteJwtVerifier, RemoteKeySet } from '../index.mjs'
import { startMock } from './mock_server.mjs'

const kid = (token) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url')).kid
const outcome = (d) => (d.ok ? (assert.equal(d.kind, 'jwt'), 'ok') : `${d.code}/${d.status}`)

test('a key rotated at the provider is picked up through authenticateAsync', async () => {
  const mock = await startMock()
  try {
    const client = await OAuthClient.discover(mock.issuer, 'node-client', { clientSecret: 'node-secret' })
    const token = async () => (await client.clientCredentials(['read'])).accessToken.expose()
    const keys = await RemoteKeySet.discover(mock.issuer, { cooldown: 0 })
    assert.equal(keys.issuer, mock.issuer)
    // No issuer named: the discovered one is enforced.
    const auth = new Authenticator({ remoteJwt: new RemoteJwtVerifier(keys, { algorithms: ['RS256'] }) })
    assert.equal(auth.hasRemoteJwt, true)
    const sync = (t) => outcome(auth.authenticate({ headers: { authorization: `Bearer ${t}` } }))
    const later = async (t) => outcome(await auth.authenticateAsync({ headers: { authorization: `Bearer ${t}` } }))

    const first = await token()
    // The synchronous path never fetches: nothing is cached yet.
    assert.equal(sync(first), 'invalid_input/500')
    assert.equal(keys.fetchCount, 0)
    assert.equal(await later(first), 'ok')
    assert.equal(keys.fetchCount, 1)
    assert.equal(sync(first), 'ok')

    await mock.control('/__rotate_keys')
    const second = await token()
    assert.notEqual(kid(second), kid(first))
    assert.equal(sync(second), 'invalid_input/500')
    assert.equal(keys.fetchCount, 1, 'the synchronous path made a request')
    assert.equal(await later(second), 'ok')
    assert.equal(keys.fetchCount, 2)
    assert.equal(sync(second), 'ok')
    assert.equal(sync(first), 'ok')

    await mock.control('/__token_iss?value=https://other.example')
    assert.equal(await later(await token()), 'invalid_issuer/401')
  } finally {
    mock.stop()
  }
})

test('a verifier naming another issuer than discovery is refused', async () => {
  const mock = await startMock()
  try {
    const keys = await RemoteKeySet.discover(mock.issuer)
    assert.throws(
      () => new RemoteJwtVerifier(keys, { algorithms: ['RS256'], issuers: ['https://other.example'] }),
      (e) => e.code === 'invalid_input' && /discovered/.test(e.message),
    )
    new RemoteJwtVerifier(keys, { algorithms: ['RS256'], issuers: [mock.issuer] })
  } finally {
    mock.stop()
  }
})
