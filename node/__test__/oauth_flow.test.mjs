// The app login flow (AuthorizationFlow) against the real oauth2-mock-server: its /authorize
// signs the user in at once and redirects with a code (and RFC 9207 `iss`); the test follows
// the authorization URL with fetch (redirect: 'manual'), as the browser would, and hands the
// redirect to the flow.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { inspect } from 'node:util'

import { OAuthClient, AuthorizationFlow, TokenResponse, TokenwardError } from '../index.mjs'
import { startMock } from './mock_server.mjs'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const REDIRECT = 'http://127.0.0.1:9/callback'

async function follow(url) {
  const answer = await fetch(url, { redirect: 'manual' })
  assert.equal(answer.status, 302)
  return answer.headers.get('location')
}

const claimsOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString())

async function withClient(fn) {
  const mock = await startMock()
  try {
    const client = await OAuthClient.discover(mock.issuer, 'node-app', { authMethod: 'none' })
    await fn(mock, client)
  } finally {
    mock.stop()
  }
}

const newFlow = (client) => new AuthorizationFlow(client, REDIRECT, { scopes: ['openid', 'profile'] })

test('the login flow gets tokens from the real server', () => withClient(async (mock, client) => {
  const flow = newFlow(client)
  const query = new URL(flow.authorizationUrl).searchParams
  assert.equal(query.get('state'), flow.state)
  assert.equal(query.get('nonce'), flow.nonce)
  assert.equal(query.get('code_challenge_method'), 'S256')
  assert.equal(query.get('scope'), 'openid profile')
  const location = await follow(flow.authorizationUrl)
  assert.match(location, /iss=/)
  const tokens = await flow.complete(location)
  assert.ok(tokens instanceof TokenResponse)
  assert.ok(tokens.refreshToken)
  assert.equal(claimsOf(tokens.idToken.expose()).nonce, flow.nonce)
  assert.equal(await mock.count('token'), 1)
  assert.ok(!inspect(flow).includes(flow.state) && !JSON.stringify(flow).includes(flow.state))
}))

test('refusals come with codes and reach no token endpoint', () => withClient(async (mock, client) => {
  const refusal = async (flow, location) => {
    const err = await flow.complete(location).then(() => null, (e) => e)
    assert.ok(err instanceof TokenwardError, String(err))
    return err.code
  }
  const first = newFlow(client)
  const second = newFlow(client)
  assert.equal(await refusal(first, await follow(second.authorizationUrl)), 'invalid_state')

  await mock.control('/__authorize_error?error=access_denied')
  const denied = newFlow(client)
  assert.equal(await refusal(denied, await follow(denied.authorizationUrl)), 'access_denied')

  await mock.control('/__authorize_iss?value=https%3A%2F%2Fevil.example')
  const mixed = newFlow(client)
  assert.equal(await refusal(mixed, await follow(mixed.authorizationUrl)), 'invalid_issuer')

  assert.equal(await refusal(first, `http://127.0.0.1:10/elsewhere?code=x&state=${first.state}`), 'invalid_input')
  assert.equal(await mock.count('token'), 0)
}))

test('a client without an authorization endpoint cannot start a flow', () => {
  const bare = new OAuthClient('https://as.example/token', 'app', { authMethod: 'none' })
  assert.throws(() => new AuthorizationFlow(bare, REDIRECT), (e) => e.code === 'invalid_input')
})
