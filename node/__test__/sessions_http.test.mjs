// Sessions over real HTTP: an Express app on localhost and a browser-like client (fetch with a
// cookie jar): log in, rotate on privilege change, CSRF check, log out. The cookie is the
// development variant (no Secure: the test server speaks plain HTTP).
import { test, after } from 'node:test'
import assert from 'node:assert/strict'

import expressFactory from 'express'

import tokenward, { Authenticator, Sessions } from '../index.mjs'

const sessions = new Sessions({ cookie: { name: 'sid', secure: false, dangerousAllowInsecure: true } })
const auth = new Authenticator({ sessions })
const guard = (requiredScopes = []) => tokenward.express({ authenticator: auth, requiredScopes })
const sid = (req) => (req.headers.cookie ?? '').split(';').map((p) => p.trim().split('=')).find(([k]) => k === 'sid')?.[1]

const app = expressFactory()
app.post('/anonymous', (req, res) => {
  res.setHeader('set-cookie', sessions.setCookie(sessions.create('anonymous').id)).json({ ok: true })
})
app.post('/login', (req, res) => {
  const old = sid(req)
  const issued = old ? sessions.rotate(old, { subject: 'alice', data: { scope: 'read' } }) : sessions.create('alice', { scope: 'read' })
  res.setHeader('set-cookie', sessions.setCookie(issued.id)).json({ csrf: sessions.csrfToken(issued.id) })
})
app.get('/me', guard(['read']), (req, res) => res.json({ subject: req.principal.subject, kind: req.principal.kind }))
app.post('/sudo', guard(), (req, res) => {
  const issued = sessions.rotate(sid(req), { data: { scope: 'read admin' } })
  res.setHeader('set-cookie', sessions.setCookie(issued.id)).json({ csrf: sessions.csrfToken(issued.id) })
})
app.post('/logout', guard(), (req, res) => {
  sessions.revoke(sid(req))
  res.setHeader('set-cookie', sessions.clearCookie()).json({ ok: true })
})
const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)) })
after(() => new Promise((r) => server.close(r)))
const base = `http://127.0.0.1:${server.address().port}`

// Keeps the cookies the server sets (Max-Age=0 deletes), and sends them back.
class Browser {
  constructor() { this.jar = new Map() }
  async call(method, path, headers = {}) {
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ')
    const r = await fetch(base + path, { method, headers: { ...headers, ...(cookie ? { cookie } : {}) } })
    for (const line of r.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim())
      const [k, v] = pair.split('=')
      if (attrs.includes('Max-Age=0')) this.jar.delete(k)
      else this.jar.set(k, v)
    }
    return [r.status, await r.json()]
  }
}

test('log in, rotate, CSRF, log out with a cookie jar against Express', async () => {
  const b = new Browser()
  assert.equal((await b.call('GET', '/me'))[0], 401)
  await b.call('POST', '/anonymous')
  const anonymous = b.jar.get('sid')
  assert.ok(anonymous.startsWith('tws_'))
  const [, { csrf }] = await b.call('POST', '/login')
  assert.notEqual(b.jar.get('sid'), anonymous)
  assert.deepEqual(await b.call('GET', '/me'), [200, { subject: 'alice', kind: 'session' }])
  const stale = new Browser()
  stale.jar.set('sid', anonymous)
  assert.equal((await stale.call('GET', '/me'))[0], 401)
  assert.deepEqual((await b.call('POST', '/sudo'))[0], 403)
  assert.equal((await b.call('POST', '/sudo', { 'x-csrf-token': 'forged' }))[0], 403)
  const before = b.jar.get('sid')
  const [status, body] = await b.call('POST', '/sudo', { 'x-csrf-token': csrf })
  assert.equal(status, 200)
  assert.notEqual(b.jar.get('sid'), before)
  assert.equal((await b.call('POST', '/logout', { 'x-csrf-token': csrf }))[0], 403)
  assert.equal((await b.call('POST', '/logout', { 'x-csrf-token': body.csrf }))[0], 200)
  assert.equal(b.jar.has('sid'), false)
  assert.equal((await b.call('GET', '/me'))[0], 401)
})
