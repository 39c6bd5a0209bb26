// Sessions: the shared vectors tests/vectors/sessions.json, the session cookie as an
// Authenticator credential, and the id / CSRF secret never in inspect, JSON, errors or audit.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'

import { Authenticator, ManualClock, Secret, Sessions, onAudit } from '../index.mjs'
import { loadVectors, codeOf } from './vectors.mjs'

const V = loadVectors('sessions.json')
const camel = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c) => c.toUpperCase()), v]))
const make = (clock, cookie) => new Sessions({
  idleTimeout: V.options.idle_timeout,
  absoluteTimeout: V.options.absolute_timeout,
  csrfSecret: V.csrf_secret,
  clock,
  cookie,
})

test('vectors: ids, CSRF tokens, cookies', () => {
  const s = make(new ManualClock(V.start))
  for (const c of V.ids) assert.equal(codeOf(() => s.verify(c.id)), c.error, c.name)
  for (const c of V.csrf) {
    assert.equal(s.csrfToken(c.session_id), c.token, c.name)
    s.verifyCsrf(c.session_id, c.token)
  }
  for (const c of V.csrf_refusals) {
    assert.equal(codeOf(() => s.verifyCsrf(c.session_id, c.token)), c.error, c.name)
  }
  for (const c of V.cookies) {
    let built
    const got = codeOf(() => { built = make(new ManualClock(V.start), camel(c.cookie)) })
    if (c.error) {
      assert.equal(got, c.error, c.name)
    } else {
      assert.equal(got, null, c.name)
      assert.equal(built.setCookie(V.ids[0].id), c.set_cookie, c.name)
      assert.equal(built.clearCookie(), c.clear_cookie, c.name)
    }
  }
})

test('vectors: scenarios', () => {
  for (const sc of V.scenarios) {
    const clock = new ManualClock(V.start)
    const s = make(clock)
    const saved = {}
    sc.steps.forEach((step, i) => {
      const at = `${sc.name} step ${i}`
      const want = step.error ?? null
      const id = step.session ? saved[step.session].id : undefined
      let out
      switch (step.op) {
        case 'advance': clock.advance(step.seconds); return
        case 'revoke': assert.equal(s.revoke(id), step.result, at); return
        case 'revoke_subject': assert.equal(s.revokeSubject(step.subject), step.count, at); return
        case 'create': assert.equal(codeOf(() => { out = s.create(step.subject, step.data) }), want, at); break
        case 'verify': assert.equal(codeOf(() => { out = s.verify(id) }), want, at); break
        case 'rotate':
          assert.equal(codeOf(() => { out = s.rotate(id, { subject: step.subject, data: step.data }) }), want, at)
          break
        case 'csrf': {
          const token = s.csrfToken(saved[step.token_of].id)
          assert.equal(codeOf(() => s.verifyCsrf(id, token)), want, at)
          break
        }
        default: throw new Error(`unknown op ${step.op}`)
      }
      if (out && step.save) saved[step.save] = out
      if (out && step.op === 'verify') {
        if (step.subject !== undefined) assert.equal(out.subject, step.subject, at)
        if (step.data !== undefined) assert.deepEqual({ ...out.data }, step.data, at)
      }
    })
  }
})

test('the Authenticator accepts a session cookie, with a CSRF check on unsafe methods', () => {
  const clock = new ManualClock(1_700_000_000)
  const sessions = new Sessions({ clock })
  const auth = new Authenticator({ sessions, clock })
  const issued = sessions.create('alice', { scope: 'read' })
  const cookie = `${sessions.cookieName}=${issued.id.expose()}`
  const p = auth.authenticate({ method: 'GET', headers: { cookie } })
  assert.deepEqual([p.ok, p.kind, p.subject, p.scopes, p.keyId], [true, 'session', 'alice', ['read'], issued.record.handle])
  const r = auth.authenticate({ method: 'POST', headers: { cookie } })
  assert.deepEqual([r.ok, r.status, r.code], [false, 403, 'invalid_csrf_token'])
  const ok = auth.authenticate({ method: 'POST', headers: { cookie, 'x-csrf-token': sessions.csrfToken(issued.id) } })
  assert.equal(ok.ok, true)
  sessions.revoke(issued.id)
  const gone = auth.authenticate({ method: 'GET', headers: { cookie } })
  assert.deepEqual([gone.status, gone.code], [401, 'revoked'])
})

test('the id and the CSRF secret are never printed', async () => {
  const events = []
  const sub = onAudit((e) => events.push(e))
  const csrfSecret = 'node-csrf-secret-0123456789abcdefgh'
  const s = new Sessions({ csrfSecret: new Secret(csrfSecret) })
  const issued = s.create('alice')
  const id = issued.id.expose()
  const token = s.csrfToken(id)
  const rotated = s.rotate(id)
  const errors = [() => s.verify(id), () => s.verify(`${id}x`), () => s.verifyCsrf(rotated.id, token)].map((f) => {
    try { f() } catch (e) { return e }
    return null
  })
  s.revoke(rotated.id)
  // Listeners run on the event loop after the call returns: wait for the event, with a deadline.
  for (const end = Date.now() + 5000; !events.some((e) => e.action === 'session.create') && Date.now() < end;) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  sub.cancel()
  assert.deepEqual(errors.map((e) => e.code), ['revoked', 'malformed', 'invalid_csrf_token'])
  assert.ok(events.some((e) => e.action === 'session.create'))
  const printed = [inspect(issued), JSON.stringify(issued), String(issued.id), inspect(s), inspect(rotated),
    ...errors.map((e) => `${inspect(e)} ${e.message}`), JSON.stringify(events.map((e) => ({ ...e })))]
  for (const text of printed) {
    for (const secret of [id.slice(4), rotated.id.expose().slice(4), csrfSecret, token]) {
      assert.ok(!text.includes(secret), text)
    }
  }
})

test('unsafe cookies are refused with a clear message', () => {
  assert.throws(() => new Sessions({ cookie: { domain: 'example.com' } }), (e) => e.code === 'invalid_input' && e.message.includes('__Host-'))
  assert.throws(() => new Sessions({ cookie: { name: 'sid', secure: false } }), (e) => e.code === 'invalid_input' && e.message.includes('dangerous_allow_insecure'))
  assert.equal(new Sessions({ cookie: { name: 'sid', secure: false, dangerousAllowInsecure: true } }).cookieName, 'sid')
})
