// The loopback redirect of a CLI login (RFC 8252 §7.3) against the real oauth2-mock-server:
// the test plays the browser, following the authorization URL (the mock's /authorize redirects
// with a code) to the loopback listener, which completes the flow.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'

import { OAuthClient, AuthorizationFlow, LoopbackRedirect, TokenResponse } from '../index.mjs'
import { startMock } from './mock_server.mjs'

async function browser(flow, redirect) {
  const favicon = await fetch(`http://127.0.0.1:${redirect.port}/favicon.ico`)
  const answer = await fetch(flow.authorizationUrl, { redirect: 'manual' })
  assert.equal(answer.status, 302)
  const location = answer.headers.get('location')
  assert.ok(location.startsWith(`${redirect.redirectUri}?`), 'redirected to the loopback listener')
  const page = await fetch(location)
  return { favicon: favicon.status, status: page.status, page: await page.text() }
}

test('a CLI login completes through the loopback listener', async () => {
  const mock = await startMock()
  try {
    const client = await OAuthClient.discover(mock.issuer, 'node-cli', { authMethod: 'none' })
    const redirect = new LoopbackRedirect()
    assert.equal(redirect.redirectUri, `http://127.0.0.1:${redirect.port}/callback`)
    const flow = new AuthorizationFlow(client, redirect.redirectUri, { scopes: ['openid'] })
    const [tokens, seen] = await Promise.all([redirect.complete(flow, 10), browser(flow, redirect)])
    assert.ok(tokens instanceof TokenResponse)
    assert.ok(tokens.accessToken.expose() && tokens.idToken)
    assert.equal(seen.favicon, 404)
    assert.equal(seen.status, 200)
    assert.match(seen.page, /close this window/)
    assert.ok(!inspect(redirect).includes(flow.state))
    // The listener is closed: a second request is refused, a second wait too.
    await assert.rejects(fetch(`${redirect.redirectUri}?code=again`))
    await assert.rejects(redirect.complete(flow, 0.1), (e) => e.code === 'invalid_input')
  } finally {
    mock.stop()
  }
})

test('no redirect in time is a timeout', async () => {
  const mock = await startMock()
  try {
    const client = await OAuthClient.discover(mock.issuer, 'node-cli', { authMethod: 'none' })
    const redirect = new LoopbackRedirect()
    const flow = new AuthorizationFlow(client, redirect.redirectUri)
    await assert.rejects(redirect.complete(flow, 0.2), (e) => e.code === 'timeout')
  } finally {
    mock.stop()
  }
})
