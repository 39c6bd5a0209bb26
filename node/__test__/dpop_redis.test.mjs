// The DPoP `jti` replay cache on Redis (`new DpopVerifier({ replayCacheStore: 'redis://…' })`):
// a proof accepted by one verifier is a replay at another; an unreachable Redis fails closed.
// The server comes from scripts/servers.sh (TOKENWARD_TEST_REDIS_URL); under CI a missing
// server fails the test, elsewhere it skips.
import { test } from 'node:test'
import assert from 'node:assert/strict'

import { DpopKey, DpopVerifier } from '../index.mjs'

const URL = 'https://api.example/orders'

test('redis: a proof accepted by one verifier is a replay at every other', (t) => {
  const redis = process.env.TOKENWARD_TEST_REDIS_URL
  if (!redis) {
    if (process.env.CI) assert.fail('TOKENWARD_TEST_REDIS_URL is not set: run the tests through scripts/servers.sh')
    t.skip('TOKENWARD_TEST_REDIS_URL is not set (scripts/servers.sh)')
    return
  }
  const a = new DpopVerifier({ replayCacheStore: redis })
  const b = new DpopVerifier({ replayCacheStore: redis })
  const key = DpopKey.generate('EdDSA')
  const proof = key.proof('GET', URL)
  assert.equal(a.verify(proof, 'GET', URL).jkt, key.thumbprint)
  assert.throws(() => b.verify(proof, 'GET', URL), (e) => e.code === 'invalid_dpop_proof')
  assert.throws(() => a.verify(proof, 'GET', URL), (e) => e.code === 'invalid_dpop_proof')
  assert.equal(a.replayCacheLen, 0)
  b.verify(key.proof('GET', URL), 'GET', URL)
})

test('an unreachable redis fails closed; unsupported stores are invalid_input', () => {
  const v = new DpopVerifier({ replayCacheStore: 'redis://127.0.0.1:1/' })
  const proof = DpopKey.generate('ES256').proof('GET', URL)
  assert.throws(() => v.verify(proof, 'GET', URL), (e) => e.code === 'network' || e.code === 'timeout')
  assert.throws(() => new DpopVerifier({ replayCacheStore: 'postgres://x/y' }), (e) => e.code === 'invalid_input')
})
