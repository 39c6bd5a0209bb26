// Audit events reach onAudit listeners, produced by real operations (no test hook).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import tokenward from '../index.js'
import { until } from './vectors.mjs'

const { onAudit, ApiKeys, Authenticator, RevocationList } = tokenward

const inTheFuture = () => Math.floor(Date.now() / 1000) + 60

test('audit events reach onAudit listeners; cancel() stops them', async () => {
  const events = []
  const sub = onAudit((e) => events.push(e))
  const list = new RevocationList()
  const auth = new Authenticator({ apiKeys: new ApiKeys('tw_test') })
  list.revoke('subject', 'audit-alice', inTheFuture())
  assert.equal(auth.authenticate({ headers: {}, clientIp: '198.51.100.7' }).ok, false)
  await until(() => events.some((e) => e.action === 'gateway.authenticate'), 'the authenticate event')
  const revoked = events.filter((e) => e.credentialId === 'audit-alice')
  assert.deepEqual(revoked.map(({ action, outcome, credentialId }) => ({ action, outcome, credentialId })), [
    { action: 'gateway.revoke_subject', outcome: 'success', credentialId: 'audit-alice' },
  ])
  const refused = events.filter((e) => e.action === 'gateway.authenticate')
  assert.ok(refused.length >= 1)
  assert.deepEqual([refused[0].outcome, refused[0].code], ['failure', 'missing_credentials'])

  sub.cancel()
  sub.cancel() // cancelling twice does nothing
  // A second listener, still subscribed, sees carol's event: once it has, the first had its chance.
  const witness = []
  const other = onAudit((e) => witness.push(e.credentialId))
  list.revoke('subject', 'audit-carol', inTheFuture())
  await until(() => witness.includes('audit-carol'), "carol's event at the second listener")
  other.cancel()
  assert.equal(events.filter((e) => e.credentialId === 'audit-carol').length, 0)
})

test('two listeners are independent', async () => {
  const first = []
  const second = []
  const a = onAudit((e) => first.push(e.credentialId))
  const b = onAudit((e) => second.push(e.credentialId))
  const list = new RevocationList()
  list.revoke('jti', 'audit-both', inTheFuture())
  a.cancel()
  list.revoke('jti', 'audit-second', inTheFuture())
  await until(() => second.includes('audit-second'), 'the second event')
  b.cancel()
  assert.deepEqual(first.filter((c) => c?.startsWith('audit-')), ['audit-both'])
  assert.deepEqual(second.filter((c) => c?.startsWith('audit-')), ['audit-both', 'audit-second'])
})

test('no test hook is exported', () => {
  assert.deepEqual(Object.keys(tokenward).filter((k) => /emit/i.test(k)), [])
})
