// Sessions and abuse counters on the shared backends from Node (docs/sessions.md,
// docs/abuse.md): two instances opened from one Redis or PostgreSQL URL share sessions,
// rotations and revocations; two Authenticators on one Redis share a lockout. The servers come
// from scripts/servers.sh (TOKENWARD_TEST_REDIS_URL, TOKENWARD_TEST_POSTGRES_URL); under CI a
// missing server fails the test, elsewhere it skips.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { inspect } from 'node:util'

import { Sessions } from '../index.mjs'

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
