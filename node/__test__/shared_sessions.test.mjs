// Sessions and abuse counters on the shared backends from Node (docs/sessions.md,
// docs/abuse.md): two instances opened from one Redis or PostgreSQL URL share sessions,
// rotations and revocations; two Authenticators on one Redis share a lockout. The servers come
// from scripts/servers.sh (TOKENWARD_TEST_REDIS_URL, TOKENWARD_TEST_POSTGRES_URL); under CI a
// missing server fails the test, elsewhere it skips.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID, randomInt } from 'node:crypto'
import { inspect } from 'node:util'

import { AbuseDetection, ApiKeys, Authenticator, Lockout, Sessions, Threshold } from '../index.mjs'

function url(name, t) {
  const value = process.env[name]
  if (value) return value
  if (process.env.CI) assert.fail(`${name} is not set: run the tests through scripts/servers.sh`)
  t.skip(`${name} is not set (scripts/servers.sh)`)
  return null
}

for (const server of ['TOKENWARD_TEST_REDIS_URL', 'TOKENWARD_TEST_POSTGRES_URL']) {
  test(`sessions: one created through one instance is found through another (${server})`, (t) => {
    const store = url(server, t)
    if (!store) return
    const a = new Sessions({ store })
    const b = new Sessions({ store })
    const subject = `node-${randomUUID().slice(0, 12)}`
    const issued = a.create(subject, { scope: 'read' })
    assert.equal(b.verify(issued.id).subject, subject)
    const rotated = b.rotate(issued.id, { data: { scope: 'read admin' } })
    assert.throws(() => a.verify(issued.id), (e) => e.code === 'revoked')
    assert.deepEqual(a.verify(rotated.id).data, { scope: 'read admin' })
    a.create(subject)
    assert.equal(b.revokeSubject(subject), 2)
    assert.throws(() => a.verify(rotated.id), (e) => e.code === 'revoked')
    assert.ok(!inspect(a).includes('tokenward@'))
  })
}

test('sessions: a Redis that is down is an error code, and the password is never shown', () => {
  const sessions = new Sessions({ store: 'redis://user:hunter2secret@127.0.0.1:1/' })
  const started = Date.now()
  assert.throws(() => sessions.create('alice'), (e) => {
    assert.ok(['network', 'timeout'].includes(e.code), e.code)
    assert.ok(!`${e.message} ${inspect(e)} ${inspect(sessions)}`.includes('hunter2secret'))
    return true
  })
  assert.ok(Date.now() - started < 5000)
})

test('abuse: two Authenticators on one Redis share the lockout', (t) => {
  const redis = url('TOKENWARD_TEST_REDIS_URL', t)
  if (!redis) return
  const apiKeys = new ApiKeys('tw_ab')
  const good = apiKeys.create('acct').secret.expose()
  const instance = () => new Authenticator({
    apiKeys,
    abuseDetection: new AbuseDetection({ lockout: new Lockout(new Threshold(3, 60), 30), store: redis, storeFailOpen: false }),
  })
  const [a, b] = [instance(), instance()]
  // An address no earlier run used (the counters outlive a run in the shared Redis).
  const hex = () => randomInt(0x10000).toString(16)
  const ip = `2001:db8:${hex()}:${hex()}:${hex()}::1`
  for (const [i, auth] of [a, a, b].entries()) {
    const d = auth.authenticate({ method: 'GET', headers: [['x-api-key', `bad-${i}-${ip}`]], clientIp: ip })
    assert.equal(d.status, 401)
  }
  const locked = a.authenticate({ method: 'GET', headers: [['x-api-key', good]], clientIp: ip })
  assert.deepEqual([locked.ok, locked.status, locked.code], [false, 429, 'rate_limited'])
  assert.ok(locked.retryAfter >= 29 && locked.retryAfter <= 30, String(locked.retryAfter))
  assert.equal(b.authenticate({ method: 'GET', headers: [['x-api-key', good]], clientIp: '192.0.2.77' }).ok, true)
})
