// Pushed authorization requests (RFC 9126) against the real oauth2-mock-server, whose PAR
// endpoint comes from tests/oauth/par.mjs: AuthorizationFlow.start pushes the parameters with
// client authentication, the authorization URL carries client_id and request_uri only, the
// whole login goes through it, and refusals carry their codes.
import { test } from 'node:test'
import assert from 'node:assert/strict'

import { OAuthClient, AuthorizationFlow, DpopKey, JwtKey, TokenwardError } from '../index.mjs'
import { startMock } from './mock_server.mjs'

const REDIRECT = 'http://127.0.0.1:9/callback'

async function follow(url) {
  const answer = await fetch(url, { redirect: 'manual' })
  assert.equal(answer.status, 302)
  return answer.headers.get('location')
}

async function withMock(fn) {
  const mock = await startMock()
  try {
    await fn(mock)
  } finally {
    mock.stop()
  }
}

const codeOf = async (promise) => {
  const err = await promise.then(() => null, (e) => e)
  assert.ok(err instanceof TokenwardError, String(err))
  return err.code
}

test('a pushed login with client authentication and dpop_jkt', () => withMock(async (mock) => {
  const key = DpopKey.generate('ES256')
  const client = await OAuthClient.discover(mock.issuer, 'node-app', { clientSecret: 'node-secret', dpopKey: key })
  const flow = await AuthorizationFlow.start(client, REDIRECT, { scopes: ['openid', 'profile'] })
  assert.ok(flow instanceof AuthorizationFlow)
  assert.match(flow.requestUri, /^urn:ietf:params:oauth:request_uri:/)
  assert.deepEqual([...new URL(flow.authorizationUrl).searchParams.keys()], ['client_id', 'request_uri'])
  const last = await mock.control('/__par_last')
  assert.equal(last.auth, 'basic')
  assert.equal(last.params.client_id, 'node-app')
  assert.equal(last.params.state, flow.state)
  assert.equal(last.params.nonce, flow.nonce)
  assert.equal(last.params.dpop_jkt, key.thumbprint)
  const tokens = await flow.complete(await follow(flow.authorizationUrl))
  assert.ok(tokens.accessToken.isDpop)
  // Not pushed: no request_uri.
  const plain = new AuthorizationFlow(client, REDIRECT)
  assert.equal(plain.requestUri, null)
}))

test('pushing required by the server or the options', () => withMock(async (mock) => {
  await mock.control('/__par?mode=require')
  const client = await OAuthClient.discover(mock.issuer, 'node-app', { authMethod: 'none' })
  assert.throws(() => new AuthorizationFlow(client, REDIRECT), (e) => e.code === 'invalid_input')
  const flow = await AuthorizationFlow.start(client, REDIRECT)
  assert.equal((await mock.control('/__par_last')).auth, 'none')
  assert.ok((await flow.complete(await follow(flow.authorizationUrl))).accessToken.expose())
  const plain = new OAuthClient(`${mock.issuer}/token`, 'node-app', { authMethod: 'none', authorizationUrl: `${mock.issuer}/authorize` })
  const before = await mock.count('par')
  assert.equal(await codeOf(AuthorizationFlow.start(plain, REDIRECT, { requirePushedAuthorization: true })), 'invalid_input')
  assert.equal(await mock.count('par'), before)
  const pushed = await AuthorizationFlow.start(plain, REDIRECT, { pushedAuthorizationUrl: `${mock.issuer}/par` })
  assert.ok(pushed.requestUri)
}))

test('refusals carry codes', () => withMock(async (mock) => {
  const client = await OAuthClient.discover(mock.issuer, 'node-app', { clientSecret: 'node-secret' })
  await mock.control('/__par?mode=error')
  const err = await AuthorizationFlow.start(client, REDIRECT).then(() => null, (e) => e)
  assert.equal(err.code, 'invalid_input')
  assert.ok(!err.message.includes('tok_SECRET'))
  await mock.control('/__par?mode=no_request_uri')
  assert.equal(await codeOf(AuthorizationFlow.start(client, REDIRECT)), 'invalid_response')
  await mock.control('/__par?mode=ok')
  assert.equal(await codeOf(AuthorizationFlow.start(client, REDIRECT, { pushedAuthorizationUrl: 'http://as.example/par' })), 'invalid_input')
  assert.equal(await mock.count('token'), 0)
}))

// FAPI 2.0 / RFC 7523bis: with a discovered or configured issuer it is the assertion's sole
// audience; without one, the token endpoint (RFC 7523).
test('private_key_jwt assertions name the issuer when it is known', () => withMock(async (mock) => {
  const privateKey = JwtKey.generate('ES256')
  const discovered = await OAuthClient.discover(mock.issuer, 'node-app', { privateKey })
  assert.equal(discovered.authMethod, 'private_key_jwt')
  assert.equal(discovered.issuer, mock.issuer)
  await AuthorizationFlow.start(discovered, REDIRECT)
  assert.equal((await mock.control('/__par_last')).assertion_aud, mock.issuer)
  const pushedAuthorizationUrl = `${mock.issuer}/par`
  const common = { privateKey, authorizationUrl: `${mock.issuer}/authorize` }
  const configured = new OAuthClient(`${mock.issuer}/token`, 'node-app', { ...common, issuer: 'https://as.example' })
  assert.equal(configured.issuer, 'https://as.example')
  await AuthorizationFlow.start(configured, REDIRECT, { pushedAuthorizationUrl })
  assert.equal((await mock.control('/__par_last')).assertion_aud, 'https://as.example')
  const plain = new OAuthClient(`${mock.issuer}/token`, 'node-app', common)
  assert.equal(plain.issuer, null)
  await AuthorizationFlow.start(plain, REDIRECT, { pushedAuthorizationUrl })
  assert.equal((await mock.control('/__par_last')).assertion_aud, `${mock.issuer}/token`)
}))
