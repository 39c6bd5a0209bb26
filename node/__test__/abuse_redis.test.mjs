// Abuse counters on the shared Redis from Node (docs/abuse.md): two Authenticators on one Redis
// share a lockout. The servers come
// from scripts/servers.sh (TOKENWARD_TEST_REDIS_URL, TOKENWARD_TEST_POSTGRES_URL); under CI a
// missing server fails the test, elsewhere it skips.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomInt } from 'node:crypto'

import { AbuseDetection, ApiKeys, Authenticator, Lockout, Threshold } from '../index.mjs'

function url(name, t) {
  const value = process.env[name]
  if (value) return value
  if (process.env.CI) assert.fail(`${name} is not set: run the tests through scripts/servers.sh`)
  t.skip(`${name} is not set (scripts/servers.sh)`)
  return null
}

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
