// Sessions over real HTTP with Fastify: the app listens on localhost, a browser-like client
// (fetch with a cookie jar that applies the `__Host-` rules a browser applies: only with Secure,
// Path=/ and no Domain; localhost is a secure context) logs in, is refused without the CSRF token
// on unsafe methods, rotates on privilege change, logs out, and is logged out by a server-side
// revocation. The cookie is the default one (`__Host-tw_session`).
import { test, after } from 'node:test'
import assert from 'node:assert/strict'

import Fastify from 'fastify'

import tokenward, { Authenticator, Sessions } from '../index.mjs'

const sessions = new Sessions()
const name = sessions.cookieName
const auth = new Authenticator({ sessions })
const sid = (request) => (request.headers.cookie ?? '').split(';').map((p) => p.trim().split('=')).find(([k]) => k === name)?.[1]

const app = Fastify()
const guard = (requiredScopes = []) => tokenward.fastifyHook({ authenticator: auth, requiredScopes })
app.post('/anonymous', async (request, reply) => {
  reply.header('set-cookie', sessions.setCookie(sessions.create('anonymous').id))
  return { ok: true }
})
app.post('/login', async (request, reply) => {
  const old = sid(request)
  const issued = old ? sessions.rotate(old, { subject: 'alice', data: { scope: 'read' } }) : sessions.create('alice', { scope: 'read' })
  reply.header('set-cookie', sessions.setCookie(issued.id))
  return { csrf: sessions.csrfToken(issued.id) }
})
app.get('/me', { preHandler: guard(['read']) }, async (request) => ({ subject: request.principal.subject, kind: request.principal.kind }))
app.post('/sudo', { preHandler: guard() }, async (request, reply) => {
  const issued = sessions.rotate(sid(request), { data: { scope: 'read admin' } })
  reply.header('set-cookie', sessions.setCookie(issued.id))
  return { csrf: sessions.csrfToken(issued.id) }
})
app.post('/logout', { preHandler: guard() }, async (request, reply) => {
  sessions.revoke(sid(request))
  reply.header('set-cookie', sessions.clearCookie())
  return { ok: true }
})
await app.listen({ port: 0, host: '127.0.0.1' })
after(() => app.close())
const base = `http://localhost:${app.server.address().port}`

// A cookie jar with a browser's rules for the `__Host-` cookies it keeps.
class Browser {
  constructor() { this.jar = new Map(); this.refusedCookies = 0 }
  async call(method, path, headers = {}) {
    const url = base + path
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ')
    const r = await fetch(url, { method, headers: { ...headers, ...(cookie ? { cookie } : {}) } })
    for (const line of r.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim())
      const [k, v] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]
      const lower = attrs.map((a) => a.toLowerCase())
      if (k.startsWith('__Host-') && !(lower.includes('secure') && lower.includes('path=/') && !lower.some((a) => a.startsWith('domain=')))) {
        this.refusedCookies += 1
        continue
      }
      if (lower.includes('max-age=0')) this.jar.delete(k)
      else this.jar.set(k, v)
    }
    return [r.status, await r.json()]
  }
}

test('log in, rotate, CSRF, log out with a cookie jar against Fastify', async () => {
  const b = new Browser()
  assert.equal((await b.call('GET', '/me'))[0], 401)
  await b.call('POST', '/anonymous')
  const anonymous = b.jar.get(name)
  assert.ok(name.startsWith('__Host-') && anonymous.startsWith('tws_'))
  const [status, { csrf }] = await b.call('POST', '/login')
  assert.equal(status, 200)
  assert.notEqual(b.jar.get(name), anonymous)
  assert.deepEqual(await b.call('GET', '/me'), [200, { subject: 'alice', kind: 'session' }])
  const stale = new Browser()
  stale.jar.set(name, anonymous)
  assert.equal((await stale.call('GET', '/me'))[0], 401)
  // Unsafe methods need this session's CSRF token.
  const [refused, why] = await b.call('POST', '/sudo')
  assert.deepEqual([refused, why.error], [403, 'invalid_csrf_token'])
  assert.equal((await b.call('POST', '/sudo', { 'x-csrf-token': 'forged' }))[0], 403)
  const before = b.jar.get(name)
  const [sudo, body] = await b.call('POST', '/sudo', { 'x-csrf-token': csrf })
  assert.equal(sudo, 200)
  assert.notEqual(b.jar.get(name), before)
  const old = new Browser()
  old.jar.set(name, before)
  assert.equal((await old.call('GET', '/me'))[0], 401)
  assert.equal((await b.call('POST', '/logout', { 'x-csrf-token': csrf }))[0], 403)
  assert.equal((await b.call('POST', '/logout', { 'x-csrf-token': body.csrf }))[0], 200)
  assert.equal(b.jar.has(name), false)
  assert.equal((await b.call('GET', '/me'))[0], 401)
  assert.equal(b.refusedCookies, 0)
})

test('a server-side revocation logs the browser out', async () => {
  const b = new Browser()
  assert.equal((await b.call('POST', '/login'))[0], 200)
  assert.equal((await b.call('GET', '/me'))[0], 200)
  assert.equal(sessions.revokeSubject('alice'), 1)
  assert.equal((await b.call('GET', '/me'))[0], 401)
})
