// Shared backends from Node (docs/distributed.md): API keys in PostgreSQL, rate limits and
// revocations in Redis. The servers come from scripts/servers.sh (TOKENWARD_TEST_REDIS_URL,
// TOKENWARD_TEST_POSTGRES_URL); under CI a missing server fails the test, elsewhere it skips.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:net'

import { ApiKeys, Authenticator, RevocationList } from '../index.mjs'

function url(name, t) {
  const value = process.env[name]
  if (value) return value
  if (process.env.CI) assert.fail(`${name} is not set: run the tests through scripts/servers.sh`)
  t.skip(`${name} is not set (scripts/servers.sh)`)
  return null
}

test('postgres: keys are shared between instances; a revocation is seen by the other', (t) => {
  const pg = url('TOKENWARD_TEST_POSTGRES_URL', t)
  if (!pg) return
  const a = new ApiKeys('tw_pg', { store: pg })
  const b = new ApiKeys('tw_pg', { store: pg })
  const owner = `node-${randomUUID().slice(0, 12)}`
  const issued = a.create(owner, { scopes: ['read'] })
  assert.equal(b.verify(issued.secret.expose()).owner, owner)
  assert.deepEqual(b.list(owner).map((r) => r.id), [issued.record.id])
  a.revoke(issued.record.id)
  // A fresh instance has no cache: refused at once.
  const c = new ApiKeys('tw_pg', { store: pg })
  assert.throws(() => c.verify(issued.secret.expose()), (e) => e.code === 'revoked')
})

test('redis: rate limits are counted once for every instance', (t) => {
  const redis = url('TOKENWARD_TEST_REDIS_URL', t)
  if (!redis) return
  const apiKeys = new ApiKeys('tw_rd')
  const key = apiKeys.create('nina').secret.expose()
  const options = { apiKeys, rateLimit: { rate: 1, burst: 7, period: 60 }, rateLimitStore: redis }
  const instances = [new Authenticator(options), new Authenticator(options)]
  let admitted = 0
  for (let i = 0; i < 20; i++) {
    if (instances[i % 2].authenticate({ headers: { 'x-api-key': key } }).ok) admitted++
  }
  assert.equal(admitted, 7)
  const refusal = instances[0].authenticate({ headers: { 'x-api-key': key } })
  assert.equal(refusal.code, 'rate_limited')
  assert.equal(refusal.status, 429)
})

test('redis: revocations are shared and refused by another instance at once', async (t) => {
  const redis = url('TOKENWARD_TEST_REDIS_URL', t)
  if (!redis) return
  const apiKeys = new ApiKeys('tw_rd')
  const issued = apiKeys.create('olga')
  const here = new RevocationList({ store: redis })
  const there = new RevocationList({ store: redis })
  const auth = new Authenticator({ apiKeys, revocations: there })
  const headers = { 'x-api-key': issued.secret.expose() }
  assert.ok(auth.authenticate({ headers }).ok)
  here.revoke('key_id', issued.record.id, Date.now() / 1000 + 60)
  const refused = auth.authenticate({ headers })
  assert.equal(refused.code, 'revoked')
  assert.equal((await auth.authenticateAsync({ headers })).code, 'revoked')
  assert.ok(there.isRevoked('key_id', issued.record.id))
  assert.equal(there.size, 0) // Redis expires the entries itself
  assert.ok(here.unrevoke('key_id', issued.record.id))
  assert.ok(auth.authenticate({ headers }).ok)
})

test('redis down: revocations fail closed (503), rate limits fall back unless told not to', async (t) => {
  if (!url('TOKENWARD_TEST_REDIS_URL', t)) return
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port
      s.close(() => resolve(p))
    })
  })
  const down = `redis://127.0.0.1:${port}/`
  const apiKeys = new ApiKeys('tw_rd')
  const headers = { 'x-api-key': apiKeys.create('pia').secret.expose() }
  const strict = new Authenticator({ apiKeys, revocations: new RevocationList({ store: down }) })
  assert.equal(strict.hasSharedStores, true)
  assert.equal(new Authenticator({ apiKeys }).hasSharedStores, false)
  const r = strict.authenticate({ headers })
  assert.equal(r.status, 503)
  assert.ok(['network', 'timeout'].includes(r.code), r.code)
  const lenient = new Authenticator({
    apiKeys,
    revocations: new RevocationList({ store: down, failOpen: true }),
    rateLimit: { rate: 10, burst: 10 },
    rateLimitStore: down,
  })
  assert.ok(lenient.authenticate({ headers }).ok)
  const closed = new Authenticator({
    apiKeys, rateLimit: { rate: 10, burst: 10 }, rateLimitStore: down, rateLimitStoreFailOpen: false,
  })
  assert.equal(closed.authenticate({ headers }).status, 503)
  assert.throws(() => new RevocationList({ store: 'mysql://x' }), (e) => e.code === 'invalid_input')
})
