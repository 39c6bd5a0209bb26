// Express middleware and Fastify plugin/hook against real servers on localhost: real HTTP
// requests (fetch, and a raw socket for repeated headers).
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'

import expressFactory from 'express'
import Fastify from 'fastify'

import tokenward, { ApiKeys, Authenticator, ManualClock } from '../index.mjs'

const NOW = 1_700_000_000
const keys = new ApiKeys('tw_test')
const reader = keys.create('acct_reader', { scopes: ['read'] }).secret.expose()
const writer = keys.create('acct_writer', { scopes: ['read', 'write'] }).secret.expose()
const tiny = keys.create('acct_tiny', { scopes: ['read'], metadata: { plan: 'tiny' } }).secret.expose()

function authenticator(extra = {}) {
  return new Authenticator({
    apiKeys: keys,
    clock: new ManualClock(NOW),
    ipDeny: ['192.0.2.0/24'],
    plans: { tiny: { rate: 1, period: 60, burst: 1 } },
    ...extra,
  })
}

const closers = []
after(async () => { for (const close of closers) await close() })

async function listenExpress(app) {
  const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)) })
  closers.push(() => new Promise((r) => server.close(r)))
  return `http://127.0.0.1:${server.address().port}`
}

async function listenFastify(app) {
  await app.listen({ port: 0, host: '127.0.0.1' })
  closers.push(() => app.close())
  return `http://127.0.0.1:${app.server.address().port}`
}

// Sends raw header lines (fetch folds repeated headers into one line).
function rawRequest(base, lines) {
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(['GET /things HTTP/1.1', `Host: ${hostname}`, 'Connection: close', ...lines, '', ''].join('\r\n'))
    })
    let data = ''
    socket.on('data', (c) => { data += c })
    socket.on('end', () => resolve(Number(data.split(' ')[1])))
    socket.on('error', reject)
  })
}

// The same checks against both frameworks.
async function conformance(base) {
  let r = await fetch(`${base}/things`, { headers: { 'x-api-key': reader } })
  assert.equal(r.status, 200)
  assert.deepEqual(await r.json(), { subject: 'acct_reader', kind: 'api_key', scopes: ['read'] })

  r = await fetch(`${base}/things`, { headers: { authorization: `Bearer ${reader}` } })
  assert.equal(r.status, 200)

  r = await fetch(`${base}/things`)
  assert.equal(r.status, 401)
  assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="api"')
  assert.equal(r.headers.get('cache-control'), 'no-store')
  assert.match(r.headers.get('content-type'), /^application\/json/)
  assert.deepEqual(await r.json(), { error: 'missing_credentials', error_description: 'the request carries no credential' })

  r = await fetch(`${base}/things`, { headers: { 'x-api-key': reader.slice(0, -1) + (reader.endsWith('a') ? 'b' : 'a') } })
  assert.equal(r.status, 401)
  assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="api", error="invalid_token", error_description="the access token is invalid"')
  const body = await r.json()
  assert.deepEqual(body, { error: 'invalid_token', error_description: 'the access token is invalid' })

  r = await fetch(`${base}/admin`, { headers: { 'x-api-key': reader } })
  assert.equal(r.status, 403)
  assert.match(r.headers.get('www-authenticate'), /error="insufficient_scope".*scope="write"/)
  assert.equal((await r.json()).error, 'insufficient_scope')
  r = await fetch(`${base}/admin`, { headers: { 'x-api-key': writer } })
  assert.equal(r.status, 200)
  assert.equal((await r.json()).subject, 'acct_writer')

  r = await fetch(`${base}/things`, { headers: { 'x-api-key': tiny } })
  assert.equal(r.status, 200)
  r = await fetch(`${base}/things`, { headers: { 'x-api-key': tiny } })
  assert.equal(r.status, 429)
  assert.equal(r.headers.get('retry-after'), '60')
  assert.equal(r.headers.get('www-authenticate'), null)
  assert.deepEqual(await r.json(), { error: 'rate_limited', error_description: 'too many requests' })

  r = await fetch(`${base}/things`, { headers: { authorization: 'Bearer a b' } })
  assert.equal(r.status, 400)
  assert.equal((await r.json()).error, 'invalid_request')

  // Repeated Authorization lines: Node keeps only the first in req.headers; the adapters pass
  // the raw lines, so the request is refused as the vectors say.
  assert.equal(await rawRequest(base, [`Authorization: Bearer ${reader}`, `Authorization: Bearer ${reader}`]), 400)
  assert.equal(await rawRequest(base, [`X-API-Key: ${reader}`]), 200)

  // X-Forwarded-For from an untrusted peer (this test) is ignored: the socket address decides.
  r = await fetch(`${base}/things`, { headers: { 'x-api-key': reader, 'x-forwarded-for': '192.0.2.1' } })
  assert.equal(r.status, 200)
}

// Behind a trusted proxy (loopback here), the forwarded client is checked.
async function proxied(base) {
  let r = await fetch(`${base}/things`, { headers: { 'x-api-key': reader, 'x-forwarded-for': '192.0.2.1' } })
  assert.equal(r.status, 403)
  assert.equal(r.headers.get('www-authenticate'), null)
  assert.deepEqual(await r.json(), { error: 'ip_denied', error_description: 'the client address is not allowed' })
  r = await fetch(`${base}/things`, { headers: { 'x-api-key': reader, 'x-forwarded-for': '192.0.2.1, 198.51.100.9' } })
  assert.equal(r.status, 200)
  r = await fetch(`${base}/things`, { headers: { 'x-api-key': reader, 'x-forwarded-for': 'nonsense' } })
  assert.equal(r.status, 400)
}

// mode 'middleware': tokenward.express(...) as the route's middleware; 'handler': the route's
// handler wrapped by tokenward.express(..., handler).
function expressApp(auth, mode = 'middleware') {
  const app = expressFactory()
  const show = (req, res) => res.json({ subject: req.principal.subject, kind: req.principal.kind, scopes: req.principal.scopes })
  for (const [path, scopes] of [['/things', ['read']], ['/admin', ['write']]]) {
    const options = { authenticator: auth, requiredScopes: scopes }
    if (mode === 'handler') app.get(path, tokenward.express(options, show))
    else app.get(path, tokenward.express(options), show)
  }
  return app
}

async function fastifyApp(auth, mode) {
  const app = Fastify()
  const show = async (request) => ({ subject: request.principal.subject, kind: request.principal.kind, scopes: request.principal.scopes })
  if (mode === 'plugin') {
    await app.register(tokenward.fastify, { authenticator: auth, requiredScopes: ['read'] })
    app.get('/things', show)
    app.get('/admin', { config: { requiredScopes: ['write'] } }, show)
  } else {
    app.get('/things', { preHandler: tokenward.fastifyHook({ authenticator: auth, requiredScopes: ['read'] }) }, show)
    app.get('/admin', { preHandler: tokenward.fastifyHook({ authenticator: auth, requiredScopes: ['write'] }) }, show)
  }
  return app
}

test('express middleware over HTTP', async () => {
  await conformance(await listenExpress(expressApp(authenticator())))
})

test('express handler form over HTTP: tokenward.express(options, handler)', async () => {
  await conformance(await listenExpress(expressApp(authenticator(), 'handler')))
})

test('express handler form: a refused request never reaches the handler; its errors reach Express', async () => {
  for (const async of [false, true]) {
    const auth = authenticator()
    const app = expressFactory()
    let calls = 0
    app.get('/things', tokenward.express({ authenticator: auth, requiredScopes: ['read'], async }, (req, res) => {
      calls++
      res.json({ subject: req.principal.subject })
    }))
    app.get('/boom', tokenward.express({ authenticator: auth, async }, () => { throw new Error('handler failed') }))
    app.get('/reject', tokenward.express({ authenticator: auth, async }, async () => { throw new Error('handler rejected') }))
    const errors = []
    app.use((err, req, res, next) => { errors.push(err.message); res.status(500).json({ failed: true }) })
    const base = await listenExpress(app)
    let r = await fetch(`${base}/things`)
    assert.equal(r.status, 401, `async=${async}`)
    assert.equal(calls, 0)
    r = await fetch(`${base}/things`, { headers: { 'x-api-key': reader } })
    assert.deepEqual([r.status, await r.json(), calls], [200, { subject: 'acct_reader' }, 1])
    assert.equal((await fetch(`${base}/boom`, { headers: { 'x-api-key': reader } })).status, 500)
    assert.equal((await fetch(`${base}/reject`, { headers: { 'x-api-key': reader } })).status, 500)
    assert.deepEqual(errors, ['handler failed', 'handler rejected'], `async=${async}`)
  }
})

test('express middleware behind a trusted proxy', async () => {
  await proxied(await listenExpress(expressApp(authenticator({ trustedProxies: ['127.0.0.0/8', '::1'] }))))
})

test('express middleware, async path (authenticateAsync)', async () => {
  const auth = authenticator()
  const app = expressFactory()
  app.get('/things', tokenward.express({ authenticator: auth, requiredScopes: ['read'], async: true }), (req, res) => res.json({ subject: req.principal.subject }))
  const base = await listenExpress(app)
  let r = await fetch(`${base}/things`, { headers: { 'x-api-key': reader } })
  assert.deepEqual([r.status, await r.json()], [200, { subject: 'acct_reader' }])
  r = await fetch(`${base}/things`)
  assert.equal(r.status, 401)
})

test('with a shared store the adapters call authenticateAsync unless told otherwise', async () => {
  // Nothing listens on port 1: the rate limit falls back to this process (the default policy).
  const auth = authenticator({ rateLimit: { rate: 100, burst: 100 }, rateLimitStore: 'redis://127.0.0.1:1/' })
  assert.equal(auth.hasSharedStores, true)
  assert.equal(authenticator().hasSharedStores, false)
  const calls = { sync: 0, async: 0 }
  const counted = new Proxy(auth, {
    get(target, name) {
      const value = Reflect.get(target, name, target)
      if (name === 'authenticate') return (r) => { calls.sync += 1; return value.call(target, r) }
      if (name === 'authenticateAsync') return (r) => { calls.async += 1; return value.call(target, r) }
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  const handler = (req, res) => res.json({ subject: req.principal.subject })
  const app = expressFactory()
  app.get('/default', tokenward.express({ authenticator: counted, requiredScopes: ['read'] }), handler)
  app.get('/sync', tokenward.express({ authenticator: counted, requiredScopes: ['read'], async: false }), handler)
  const base = await listenExpress(app)
  let r = await fetch(`${base}/default`, { headers: { 'x-api-key': reader } })
  assert.deepEqual([r.status, await r.json()], [200, { subject: 'acct_reader' }])
  assert.deepEqual(calls, { sync: 0, async: 1 })
  r = await fetch(`${base}/sync`, { headers: { 'x-api-key': reader } })
  assert.equal(r.status, 200)
  assert.deepEqual(calls, { sync: 1, async: 1 })
})

test('fastify plugin over HTTP (route config scopes)', async () => {
  await conformance(await listenFastify(await fastifyApp(authenticator(), 'plugin')))
})

test('fastify per-route preHandler hook over HTTP', async () => {
  await conformance(await listenFastify(await fastifyApp(authenticator(), 'hook')))
})

test('fastify plugin behind a trusted proxy', async () => {
  await proxied(await listenFastify(await fastifyApp(authenticator({ trustedProxies: ['127.0.0.0/8', '::1'] }), 'plugin')))
})

test('adapters reject a missing authenticator at setup', () => {
  const refused = (e) => e instanceof tokenward.InvalidInputError && e.code === 'invalid_input'
  assert.throws(() => tokenward.express({}), refused)
  assert.throws(() => tokenward.fastifyHook({ authenticator: {} }), refused)
  assert.throws(() => tokenward.express({ authenticator: authenticator(), requiredScopes: 'read' }), refused)
  assert.throws(() => tokenward.express({ authenticator: authenticator() }, 'not a handler'), refused)
})

test('fastify.inject (no raw header lines) goes through the plugin too', async () => {
  const app = await fastifyApp(authenticator(), 'plugin')
  let r = await app.inject({ url: '/things', headers: { 'x-api-key': reader } })
  assert.deepEqual([r.statusCode, r.json().subject], [200, 'acct_reader'])
  r = await app.inject({ url: '/things', headers: { 'x-api-key': reader }, remoteAddress: '192.0.2.7' })
  assert.equal(r.statusCode, 403)
  r = await app.inject({ url: '/admin', headers: { 'x-api-key': reader } })
  assert.equal(r.statusCode, 403)
  assert.match(r.headers['www-authenticate'], /insufficient_scope/)
  await app.close()
})
