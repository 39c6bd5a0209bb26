// tests/vectors/rotation.json: the gateway on rotating keys as sequences of served key sets and
// authentications (sync / async path), with their outcomes and the key set's fetch counts. The
// JWKS is served by the OAuth mock server (/__jwks_doc?id=...).
import { test } from 'node:test'
import assert from 'node:assert/strict'

import { Authenticator, RemoteJwtVerifier, RemoteKeySet } from '../index.mjs'
import { startMock } from './mock_server.mjs'
import { loadVectors } from './vectors.mjs'

const v = loadVectors('rotation.json')
const outcome = (d) => (d.ok ? 'ok' : `${d.code}/${d.status}`)

test('rotation vectors', async () => {
  const mock = await startMock()
  let checked = 0
  try {
    for (const [n, c] of v.cases.entries()) {
      const id = `node-${n}`
      const keys = new RemoteKeySet(`${mock.issuer}/__jwks_doc?id=${id}`, { cooldown: v.cooldown_seconds })
      const verifier = new RemoteJwtVerifier(keys, { algorithms: v.algorithms, issuers: [v.issuer], audiences: [v.audience] })
      const auth = new Authenticator({ remoteJwt: verifier })
      for (const [i, step] of c.steps.entries()) {
        if (step.serve !== undefined) {
          const doc = encodeURIComponent(JSON.stringify(v.key_sets[step.serve]))
          await mock.control(`/__jwks_doc?id=${id}&doc=${doc}`)
          continue
        }
        const req = { headers: { authorization: `Bearer ${v.tokens[step.token]}` } }
        const got = step.path === 'sync' ? outcome(auth.authenticate(req)) : outcome(await auth.authenticateAsync(req))
        assert.equal(got, step.expect, `${c.name}: step ${i}`)
        assert.equal(keys.fetchCount, step.fetches, `${c.name}: step ${i} fetches`)
        checked++
      }
    }
  } finally {
    mock.stop()
  }
  assert.ok(checked >= 25, String(checked))
})
