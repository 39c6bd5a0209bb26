// Runs tests/vectors/gateway.json through the Node binding with the same expectations as
// core/tests/integration/gateway_vectors.rs: status, code, WWW-Authenticate, Retry-After, subject, remaining.
import { test } from 'node:test'
import assert from 'node:assert/strict'

import { ApiKeys, Authenticator, JwtVerifier, JwtKey, ManualClock, RevocationList } from '../index.mjs'
import { loadVectors } from './vectors.mjs'

const limit = (v) => ({ rate: v.rate, period: v.period_seconds, burst: v.burst })

function build(setup) {
  const clock = new ManualClock(setup.now)
  const keys = new ApiKeys(setup.api_keys.prefix)
  const revocations = new RevocationList({ maxEntries: 1000, clock })
  const secrets = {}
  const ids = {}
  for (const [name, spec] of Object.entries(setup.api_keys.keys)) {
    const issued = keys.create(spec.owner, { scopes: spec.scopes, metadata: spec.metadata })
    if (spec.revoke_in_store === true) keys.revoke(issued.record.id)
    secrets[name] = issued.secret.expose()
    ids[name] = issued.record.id
  }
  // A well-formed key that was never stored here.
  secrets.unknown = new ApiKeys(setup.api_keys.prefix).create('nobody').secret.expose()

  for (const r of setup.revocations) {
    const m = /^\{key_id:(.+)\}$/.exec(r.id)
    revocations.revoke(r.kind, m ? ids[m[1]] : r.id, r.until)
  }
  const j = setup.jwt
  const verifier = new JwtVerifier(JwtKey.hmac(j.hmac_secret, j.algorithms[0]), { algorithms: j.algorithms, clock })
  const plans = Object.fromEntries(Object.entries(setup.plans).map(([k, v]) => [k, limit(v)]))
  const rateLimitOverrides = Object.fromEntries(Object.entries(setup.rate_limit_overrides).map(([k, v]) => [k, limit(v)]))
  const auth = new Authenticator({
    realm: setup.realm,
    apiKeys: keys,
    jwt: verifier,
    ipDeny: setup.ip_deny,
    trustedProxies: setup.trusted_proxies.networks,
    forwardedHeader: setup.trusted_proxies.header,
    rateLimit: limit(setup.rate_limit),
    failureRateLimit: limit(setup.failure_rate_limit),
    plans,
    rateLimitOverrides,
    revocations,
    clock,
  })
  return { auth, secrets, ids }
}

function substitute(s, f) {
  return s.replace(/\{key(_typo)?:([a-z_]+)\}/g, (_, typo, name) => {
    const secret = f.secrets[name]
    assert.ok(secret, `unknown key placeholder ${name}`)
    if (!typo) return secret
    return secret.slice(0, -1) + (secret.endsWith('a') ? 'b' : 'a')
  })
}

// Header forms the binding accepts that keep repeated headers: [name, value] pairs and a flat
// rawHeaders array.
const FORMS = {
  pairs: (headers) => headers,
  rawHeaders: (headers) => headers.flat(),
}

for (const [form, toHeaders] of Object.entries(FORMS)) {
  test(`gateway.json: every case as the core decides it (headers as ${form})`, () => {
    const doc = loadVectors('gateway.json')
    const f = build(doc.setup)
    assert.ok(doc.cases.length >= 40)
    const failures = []
    for (const c of doc.cases) {
      const r = c.request
      const e = c.expect
      const d = f.auth.authenticate({
        method: r.method,
        path: substitute(r.path, f),
        headers: toHeaders(r.headers.map(([n, v]) => [n, substitute(v, f)])),
        clientIp: r.client_ip,
        requiredScopes: r.required_scopes,
      })
      const got = d.ok
        ? { status: 200, subject: d.subject, ...(e.remaining !== undefined ? { remaining: d.rateLimitRemaining } : {}) }
        : { status: d.status, code: d.code, www_authenticate: d.wwwAuthenticate, retry_after: d.retryAfter }
      const want = e.status === 200
        ? { status: 200, subject: e.subject, ...(e.remaining !== undefined ? { remaining: e.remaining } : {}) }
        : { status: e.status, code: e.code, www_authenticate: e.www_authenticate ?? null, retry_after: e.retry_after ?? null }
      try {
        assert.deepEqual(got, want)
      } catch {
        failures.push(`${c.name}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`)
      }
    }
    assert.deepEqual(failures, [])
  })
}

test('gateway.json: a principal carries kind, key id, scopes and claims', () => {
  const doc = loadVectors('gateway.json')
  const f = build(doc.setup)
  const byName = Object.fromEntries(doc.cases.map((c) => [c.name, c]))
  const key = f.auth.authenticate({
    headers: { 'x-api-key': f.secrets.reader },
    clientIp: '198.51.100.7',
    requiredScopes: ['read'],
  })
  assert.equal(key.ok, true)
  assert.deepEqual(
    { kind: key.kind, subject: key.subject, keyId: key.keyId, scopes: key.scopes, claims: key.claims },
    { kind: 'api_key', subject: 'acct_reader', keyId: f.ids.reader, scopes: ['read'], claims: {} },
  )
  assert.equal(typeof key.rateLimitRemaining, 'number')
  const jwtCase = byName['jwt with scope claim']
  const jwt = f.auth.authenticate({ headers: jwtCase.request.headers, clientIp: '198.51.100.7' })
  assert.equal(jwt.ok, true)
  assert.equal(jwt.kind, 'jwt')
  assert.equal(jwt.keyId, 'j-alice-1')
  assert.deepEqual(jwt.scopes, ['read', 'write'])
  assert.equal(jwt.claims.sub, 'alice')
  assert.equal(jwt.claims.exp, 1700003600)
})
