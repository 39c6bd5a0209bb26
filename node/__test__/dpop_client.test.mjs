// The DPoP client (RFC 9449) against the real oauth2-mock-server, whose token endpoint and
// protected resource /__dpop_api verify proofs with `jose` (tests/oauth/dpop.mjs): proofs on
// token requests, the nonce challenge answered once and not twice, DPoP-bound tokens sent by the
// HTTP hooks (fetch, axios), bearer tokens unchanged, refusal codes, dpop_jkt in the flow.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import axios from 'axios'

import {
  AuthorizationFlow, DpopKey, OAuthClient, TokenSource, fetchWithTokenSource, useTokenSource, retryAction,
} from '../index.mjs'
import { startMock } from './mock_server.mjs'

const claimsOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString())
const codeOf = (promise) => promise.then(() => null, (e) => e.code)

async function withMock(fn) {
  const mock = await startMock()
  try {
    await fn(mock)
  } finally {
    mock.stop()
  }
}

const dpopClient = (mock, key) =>
  OAuthClient.discover(mock.issuer, 'node-client', { clientSecret: 'node-secret', dpopKey: key })

for (const alg of ['ES256', 'EdDSA']) {
  test(`token requests carry ${alg} proofs and DPoP tokens are bound`, () => withMock(async (mock) => {
    const key = DpopKey.generate(alg)
    const client = await dpopClient(mock, key)
    const token = (await client.clientCredentials(['read'])).accessToken
    assert.equal(token.isDpop, true)
    assert.equal(token.tokenType, 'DPoP')
    assert.deepEqual(claimsOf(token.expose()).cnf, { jkt: key.thumbprint })
    const last = (await mock.control('/__dpop_last')).token
    assert.equal(last.htm, 'POST')
    assert.equal(last.htu, `${mock.issuer}/token`)

    const headers = token.requestHeaders('GET', 'https://api.example/x?q=1')
    assert.equal(headers.Authorization, `DPoP ${token.expose()}`)
    const proof = claimsOf(headers.DPoP)
    assert.equal(proof.htu, 'https://api.example/x')
    assert.equal(proof.ath, createHash('sha256').update(token.expose()).digest('base64url'))
    assert.equal((await client.refresh('some-refresh')).accessToken.isDpop, true)
  }))
}

test('the nonce challenge is answered once and not twice', () => withMock(async (mock) => {
  const client = await dpopClient(mock, DpopKey.generate())
  await mock.control('/__dpop_nonce?token=require')
  assert.equal((await client.clientCredentials()).accessToken.isDpop, true)
  assert.equal(await mock.count('token'), 2)
  assert.equal(typeof (await mock.control('/__dpop_last')).token.nonce, 'string')
  await client.clientCredentials()
  assert.equal(await mock.count('token'), 3, 'the nonce is remembered')
  await mock.control('/__dpop_nonce?token=always')
  assert.equal(await codeOf(client.clientCredentials()), 'use_dpop_nonce')
  assert.equal(await mock.count('token'), 5)
}))

test('retryAction is the core rule', () => {
  const nonce = 'DPoP error="use_dpop_nonce"'
  assert.deepEqual({ ...retryAction(401, nonce, 'n-1') }, { kind: 'retry_with_nonce', nonce: 'n-1' })
  assert.equal(retryAction(401, nonce).kind, 'no_retry')
  assert.equal(retryAction(401).kind, 'refresh_and_retry')
  assert.equal(retryAction(200, nonce, 'n').kind, 'no_retry')
})

test('fetchWithTokenSource sends DPoP tokens and answers the nonce challenge', () => withMock(async (mock) => {
  const source = TokenSource.clientCredentials(await dpopClient(mock, DpopKey.generate()), ['read'])
  try {
    const fetchIt = fetchWithTokenSource(source)
    const url = `${mock.issuer}/__dpop_api?page=2`
    assert.equal((await fetchIt(url)).status, 200)
    await mock.control('/__dpop_nonce?api=require')
    const second = await fetchIt(url, { method: 'POST', body: 'x' })
    assert.equal(second.status, 200)
    assert.equal((await second.json()).body, 'x')
    assert.equal(await mock.count('__dpop_api'), 3)
    assert.equal((await fetchIt(url)).status, 200)
    assert.equal(await mock.count('__dpop_api'), 4, 'the nonce is remembered')
    await mock.control('/__dpop_nonce?api=always')
    const third = await fetchIt(url)
    assert.equal(third.status, 401)
    assert.equal(await mock.count('__dpop_api'), 6, 'one retry, no loop')
    assert.equal(await mock.count('token'), 1)
  } finally {
    source.close()
  }
}))

test('useTokenSource (axios) sends DPoP tokens and answers the nonce challenge', () => withMock(async (mock) => {
  const source = TokenSource.clientCredentials(await dpopClient(mock, DpopKey.generate('EdDSA')))
  try {
    const instance = axios.create({ baseURL: mock.issuer })
    useTokenSource(instance, source)
    assert.equal((await instance.get('/__dpop_api')).status, 200)
    await mock.control('/__dpop_nonce?api=require')
    const second = await instance.put('/__dpop_api', 'y')
    assert.equal(second.status, 200)
    assert.equal(await mock.count('__dpop_api'), 3)
    await mock.control('/__dpop_nonce?api=always')
    const err = await instance.get('/__dpop_api').then(() => null, (e) => e)
    assert.equal(err.response.status, 401)
    assert.equal(await mock.count('__dpop_api'), 5)
    const token = await source.token()
    assert.ok(!JSON.stringify(err.config.headers).includes(token.expose()))
  } finally {
    source.close()
  }
}))

test('bearer stays bearer and refusals have codes', () => withMock(async (mock) => {
  const plain = await OAuthClient.discover(mock.issuer, 'node-client', { clientSecret: 'node-secret' })
  const token = (await plain.clientCredentials()).accessToken
  assert.equal(token.isDpop, false)
  assert.deepEqual({ ...token.requestHeaders('GET', 'https://api.example/') }, { Authorization: `Bearer ${token.expose()}` })
  const source = TokenSource.clientCredentials(plain)
  try {
    assert.equal((await fetchWithTokenSource(source)(`${mock.issuer}/__api`)).status, 200)
  } finally {
    source.close()
  }
  await mock.control('/__dpop_token_type')
  assert.equal(await codeOf(plain.clientCredentials()), 'invalid_response')

  const client = await dpopClient(mock, DpopKey.generate())
  for (const error of ['invalid_dpop_proof', 'use_dpop_nonce']) {
    await mock.control(`/__next_error?error=${error}&status=400`)
    assert.equal(await codeOf(client.clientCredentials()), error)
  }
  const bound = (await client.clientCredentials()).accessToken
  assert.throws(() => bound.requestHeaders('GET', '/relative'), (e) => e.code === 'invalid_input')
}))

test('the authorization flow sends dpop_jkt', () => withMock(async (mock) => {
  const key = DpopKey.generate()
  const client = await OAuthClient.discover(mock.issuer, 'app', { authMethod: 'none', dpopKey: key })
  const flow = new AuthorizationFlow(client, 'http://127.0.0.1:9/cb', { scopes: ['profile'] })
  assert.equal(new URL(flow.authorizationUrl).searchParams.get('dpop_jkt'), key.thumbprint)
  const answer = await fetch(flow.authorizationUrl, { redirect: 'manual' })
  assert.equal((await flow.complete(answer.headers.get('location'))).accessToken.isDpop, true)
  const plain = await OAuthClient.discover(mock.issuer, 'app', { authMethod: 'none' })
  assert.ok(!new AuthorizationFlow(plain, 'http://127.0.0.1:9/cb').authorizationUrl.includes('dpop_jkt'))
}))

// RFC 9449 section 8.2: a DPoP-Nonce on a 200 (token endpoint or resource) goes into the next
// proof to that origin, through the client and through both hooks.
test('nonces sent on successful answers are used next', () => withMock(async (mock) => {
  const client = await dpopClient(mock, DpopKey.generate())
  await mock.control('/__dpop_nonce?token=advertise&api=advertise')
  await client.clientCredentials()
  let sent = (await mock.control('/__dpop_last')).advertised.token
  await client.clientCredentials()
  assert.equal((await mock.control('/__dpop_last')).token.nonce, sent)
  const source = TokenSource.clientCredentials(client)
  try {
    const fetchIt = fetchWithTokenSource(source)
    const url = `${mock.issuer}/__dpop_api`
    assert.equal((await fetchIt(url)).status, 200)
    sent = (await mock.control('/__dpop_last')).advertised.api
    assert.equal((await fetchIt(url)).status, 200)
    assert.equal((await mock.control('/__dpop_last')).api.nonce, sent)
    const instance = axios.create({ baseURL: mock.issuer })
    useTokenSource(instance, source)
    assert.equal((await instance.get('/__dpop_api')).status, 200)
    sent = (await mock.control('/__dpop_last')).advertised.api
    assert.equal((await instance.get('/__dpop_api')).status, 200)
    assert.equal((await mock.control('/__dpop_last')).api.nonce, sent)
    assert.equal(await mock.count('__dpop_api'), 4, 'no challenge, no retry')
  } finally {
    source.close()
  }
}))
