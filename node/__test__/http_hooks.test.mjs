// The HTTP client hooks (fetchWithTokenSource, useTokenSource for axios) with the real clients
// (Node's fetch, axios) against the real oauth2-mock-server and its protected resource /__api,
// which accepts only the access tokens issued since the last /__api_revoke
// (tests/oauth/mock-server.mjs).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import axios from 'axios'

import {
  OAuthClient, TokenSource, fetchWithTokenSource, useTokenSource, tokenRejected, InvalidInputError,
} from '../index.mjs'
import { startMock } from './mock_server.mjs'

async function withSource(fn) {
  const mock = await startMock()
  try {
    const client = await OAuthClient.discover(mock.issuer, 'node-client', { clientSecret: 'node-secret' })
    const source = TokenSource.clientCredentials(client, ['read'])
    try {
      await fn(mock, source)
    } finally {
      source.close()
    }
  } finally {
    mock.stop()
  }
}

test('tokenRejected is the core rule', () => {
  assert.equal(tokenRejected(401, 'Bearer realm="api", error="invalid_token"'), true)
  assert.equal(tokenRejected(401), true)
  assert.equal(tokenRejected(401, 'Bearer error="insufficient_scope"'), false)
  assert.equal(tokenRejected(401, 'Basic realm="x"'), false)
  assert.equal(tokenRejected(403, 'Bearer error="invalid_token"'), false)
  assert.equal(tokenRejected(70000), false)
})

test('fetchWithTokenSource authorizes, retries once after a rejection, never loops', async () => {
  await withSource(async (mock, source) => {
    const api = mock.issuer + '/__api'
    const fetchApi = fetchWithTokenSource(source)
    const first = await fetchApi(api, { method: 'POST', body: 'payload' })
    assert.equal(first.status, 200)
    assert.deepEqual(await first.json(), { ok: true, method: 'POST', body: 'payload' })
    const used = await source.token()
    assert.equal(used.authorizationHeader(), `Bearer ${used.expose()}`)

    await mock.control('/__api_revoke')
    const second = await fetchApi(new Request(api, { method: 'PUT', body: 'again' }))
    assert.equal(second.status, 200)
    assert.equal((await second.json()).body, 'again')
    assert.equal(await mock.count('token'), 2)
    assert.equal(await mock.count('__api'), 3)
    assert.notEqual((await source.token()).fingerprint, used.fingerprint)

    await mock.control('/__api_error?all=1')
    assert.equal((await fetchApi(api)).status, 401)
    assert.equal(await mock.count('token'), 3)
    assert.equal(await mock.count('__api'), 5)

    await mock.control('/__api_error?error=insufficient_scope&all=1')
    assert.equal((await fetchApi(api)).status, 401)
    await mock.control('/__api_error?error=basic&all=1')
    assert.equal((await fetchApi(api)).status, 401)
    assert.equal(await mock.count('token'), 3)
    assert.equal(await mock.count('__api'), 7)
  })
})

test('useTokenSource (axios) authorizes, retries once, and redacts the header of errors', async () => {
  await withSource(async (mock, source) => {
    const api = mock.issuer + '/__api'
    const http = axios.create()
    const eject = useTokenSource(http, source)
    const first = await http.post(api, 'payload', { headers: { 'content-type': 'text/plain' } })
    assert.deepEqual(first.data, { ok: true, method: 'POST', body: 'payload' })

    await mock.control('/__api_revoke')
    const second = await http.post(api, 'again', { headers: { 'content-type': 'text/plain' } })
    assert.equal(second.data.body, 'again')
    assert.equal(await mock.count('token'), 2)
    assert.equal(await mock.count('__api'), 3)

    await mock.control('/__api_error?all=1')
    const err = await http.get(api).then(() => assert.fail('a second rejection must reach the caller'), (e) => e)
    assert.equal(err.response.status, 401)
    assert.equal(await mock.count('token'), 3)
    assert.equal(await mock.count('__api'), 5)
    const token = (await source.token()).expose()
    assert.equal(err.config.headers.Authorization, '[REDACTED]')
    assert.ok(!JSON.stringify(err.toJSON()).includes(token))
    assert.ok(!inspect(err.toJSON(), { depth: 10 }).includes(token))

    eject()
    await mock.control('/__reset')
    const unauthorized = await http.get(api).then(() => null, (e) => e)
    assert.equal(unauthorized.response.status, 401, 'after eject no token is sent')
  })
})

test('the hooks refuse what is not a TokenSource', () => {
  assert.throws(() => fetchWithTokenSource({}), InvalidInputError)
  assert.throws(() => useTokenSource(axios.create(), null), InvalidInputError)
  assert.throws(() => useTokenSource({}, { token() {}, forceRefresh() {} }), InvalidInputError)
})
