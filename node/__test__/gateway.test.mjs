// The Node binding of the in-process gateway: header forms, options, rate limits with a
// ManualClock, proxy spoofing, revocation list, async path and introspection, audit events.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'

import {
  ApiKeys, Authenticator, JwtIssuer, JwtVerifier, JwtKey, ManualClock, OAuthClient, RevocationList, onAudit,
} from '../index.mjs'
import { codeOf, until } from './vectors.mjs'

const NOW = 1_700_000_000
const IP = '198.51.100.7'

function fixture(options = {}) {
  const keys = new ApiKeys('tw_test')
  const reader = keys.create('acct', { scopes: ['read'] })
  const clock = new ManualClock(NOW)
  const auth = new Authenticator({ apiKeys: keys, clock, ...options })
  return { keys, reader, key: reader.secret.expose(), clock, auth }
}

test('headers: req.headers objects, [name, value] pairs and flat rawHeaders', () => {
  const { auth, key } = fixture()
  for (const headers of [
    { 'x-api-key': key, accept: '*/*', 'set-cookie': ['a=b', 'c=d'] },
    { 'X-API-Key': key }, // plain objects may use any case
    [['X-Api-Key', key], ['Accept', '*/*']],
    ['Host', 'localhost', 'X-API-Key', key],
    { authorization: `Bearer ${key}`, 'x-ignored': undefined },
  ]) {
    const d = auth.authenticate({ headers, clientIp: IP, requiredScopes: ['read'] })
    assert.equal(d.ok, true, JSON.stringify(headers))
    assert.equal(d.subject, 'acct')
  }
  // Two credentials are refused in every form, including a mixed-case object.
  for (const headers of [
    { authorization: `Bearer ${key}`, 'x-api-key': key },
    { Authorization: `Bearer ${key}`, authorization: `Bearer ${key}` },
    { 'x-api-key': [key, key] },
    ['Authorization', `Bearer ${key}`, 'authorization', `Bearer ${key}`],
  ]) {
    const d = auth.authenticate({ headers, clientIp: IP })
    assert.deepEqual([d.ok, d.status, d.code], [false, 400, 'malformed'], JSON.stringify(headers))
  }
  const none = auth.authenticate({ clientIp: IP })
  assert.deepEqual(none, { ok: false, code: 'missing_credentials', status: 401, wwwAuthenticate: 'Bearer realm="api"', retryAfter: null,
    error: 'missing_credentials', errorDescription: 'the request carries no credential', dpopNonce: null })
})

test('invalid arguments throw invalid_input; refusals never throw', () => {
  const { auth, keys } = fixture()
  assert.equal(codeOf(() => auth.authenticate({ clientIp: 'not-an-ip' })), 'invalid_input')
  assert.equal(codeOf(() => auth.authenticate({ headers: { 'x-api-key': 5 } })), 'invalid_input')
  assert.equal(codeOf(() => auth.authenticate({ headers: 'x-api-key: k' })), 'invalid_input')
  assert.equal(codeOf(() => auth.authenticate({ headers: ['x-api-key'] })), 'invalid_input')
  assert.equal(codeOf(() => new Authenticator({})), 'invalid_input')
  assert.equal(codeOf(() => new Authenticator({ apiKeys: {} })), 'invalid_input')
  assert.equal(codeOf(() => new Authenticator({ apiKeys: keys, ipDeny: ['300.1.2.3/8'] })), 'invalid_input')
  assert.equal(codeOf(() => new Authenticator({ apiKeys: keys, rateLimit: { rate: 0, burst: 1 } })), 'invalid_input')
  assert.throws(() => new Authenticator({ apiKeys: keys, forwardedHeader: 'x-real-ip', trustedProxies: [] }), { code: 'invalid_input', message: /a forwarded header is one of: x-forwarded-for, forwarded/ })
  assert.equal(codeOf(() => new Authenticator({ apiKeys: keys, realm: 'a\nb' })), 'invalid_input')
  // Zone ids of link-local peers are tolerated; no peer at all is allowed without IP rules.
  assert.equal(auth.authenticate({ clientIp: 'fe80::1%eth0' }).code, 'missing_credentials')
  assert.equal(auth.authenticate({ clientIp: null }).code, 'missing_credentials')
})

test('rate limits under a ManualClock: burst, Retry-After, refill', () => {
  const { auth, key, clock } = fixture({ rateLimit: { rate: 2, period: 1, burst: 3 } })
  const req = { headers: { 'x-api-key': key }, clientIp: IP }
  assert.deepEqual([0, 1, 2].map(() => auth.authenticate(req).rateLimitRemaining), [2, 1, 0])
  assert.deepEqual(auth.authenticate(req), { ok: false, code: 'rate_limited', status: 429, wwwAuthenticate: null, retryAfter: 1,
    error: 'rate_limited', errorDescription: 'too many requests', dpopNonce: null })
  clock.advance(0.499)
  assert.equal(auth.authenticate(req).ok, false)
  clock.advance(0.001)
  assert.equal(auth.authenticate(req).rateLimitRemaining, 0)
  clock.advance(10)
  assert.equal(auth.authenticate(req).rateLimitRemaining, 2)
})

test('per-IP limit counts an IPv6 /64 as one client and mapped IPv4 as IPv4', () => {
  const { auth, key } = fixture({ ipRateLimit: { rate: 1, period: 60, burst: 1 } })
  const at = (clientIp) => auth.authenticate({ headers: { 'x-api-key': key }, clientIp })
  assert.equal(at('2001:db8:1:2::1').ok, true)
  assert.equal(at('2001:db8:1:2:ffff::9').code, 'rate_limited')
  assert.equal(at('2001:db8:1:3::1').ok, true)
  assert.equal(at('192.0.2.1').ok, true)
  assert.equal(at('::ffff:192.0.2.1').code, 'rate_limited')
})

test('plans and per-key limits', () => {
  const keys = new ApiKeys('tw_test')
  const free = keys.create('f', { metadata: { plan: 'free' } })
  const vip = keys.create('v')
  const auth = new Authenticator({
    apiKeys: keys,
    clock: new ManualClock(NOW),
    rateLimit: { rate: 100, burst: 100 },
    plans: { free: { rate: 1, period: 60, burst: 1 } },
    rateLimitOverrides: { [vip.record.id]: { rate: 1, period: 3600, burst: 2 } },
  })
  const go = (k) => auth.authenticate({ headers: { 'x-api-key': k.secret.expose() }, clientIp: IP })
  assert.equal(go(free).rateLimitRemaining, 0)
  assert.equal(go(free).retryAfter, 60)
  assert.equal(go(vip).rateLimitRemaining, 1)
  assert.equal(go(vip).ok, true)
  assert.equal(go(vip).retryAfter, 3600)
})

test('forwarding headers count only from trusted proxies', () => {
  const { keys, key } = fixture()
  const direct = new Authenticator({ apiKeys: keys, ipAllow: ['203.0.113.0/24'] })
  for (const [name, value] of [['x-forwarded-for', '203.0.113.9'], ['forwarded', 'for=203.0.113.9'], ['x-real-ip', '203.0.113.9']]) {
    const d = direct.authenticate({ headers: { 'x-api-key': key, [name]: value }, clientIp: IP })
    assert.equal(d.code, 'ip_denied', name)
  }
  assert.equal(direct.authenticate({ headers: { 'x-api-key': key }, clientIp: '::ffff:203.0.113.9' }).ok, true)
  assert.equal(direct.authenticate({ headers: { 'x-api-key': key }, clientIp: null }).code, 'ip_denied')

  const proxied = new Authenticator({
    apiKeys: keys,
    ipAllow: ['203.0.113.0/24', '2001:db8::/32'],
    trustedProxies: ['10.0.0.0/8', 'fd00::/8'],
    forwardedHeader: 'forwarded',
  })
  const via = (fwd, peer) => {
    const d = proxied.authenticate({ headers: { 'x-api-key': key, Forwarded: fwd }, clientIp: peer })
    return d.ok ? 'ok' : d.code
  }
  assert.equal(via('for=203.0.113.9', '10.0.0.1'), 'ok')
  assert.equal(via('for="[2001:db8::1]:443"', 'fd00::1'), 'ok')
  assert.equal(via('for=203.0.113.9, for=198.51.100.1', '10.0.0.1'), 'ip_denied')
  assert.equal(via('for=203.0.113.9', '198.51.100.1'), 'ip_denied')
  assert.equal(via('for=unknown', '10.0.0.1'), 'ip_denied')
  const xff = proxied.authenticate({ headers: { 'x-api-key': key, 'x-forwarded-for': '203.0.113.9' }, clientIp: '10.0.0.1' })
  assert.equal(xff.code, 'ip_denied')
  // The headers read are the core's list for this configuration.
  assert.deepEqual(proxied.headerNames, ['authorization', 'x-api-key', 'forwarded'])
  assert.deepEqual(direct.headerNames, ['authorization', 'x-api-key'])
})

test('query parameter, cookie and API-key header options', () => {
  const { keys, key } = fixture()
  const auth = new Authenticator({ apiKeys: keys, queryParam: 'api_key', cookie: 'tw', apiKeyHeader: 'X-Service-Key' })
  assert.equal(auth.authenticate({ path: `/x?a=1&api_key=${key}` }).subject, 'acct')
  assert.equal(auth.authenticate({ headers: { cookie: `a=b; tw=${key}` } }).subject, 'acct')
  assert.equal(auth.authenticate({ headers: { 'x-service-key': key } }).subject, 'acct')
  assert.equal(auth.authenticate({ headers: { 'x-api-key': key } }).code, 'missing_credentials')
  assert.equal(auth.authenticate({ path: `/?api_key=${key}`, headers: { cookie: `tw=${key}` } }).code, 'malformed')
})

test('RevocationList: kinds, expiry with the clock, bounds', () => {
  const clock = new ManualClock(NOW)
  const list = new RevocationList({ maxEntries: 2, clock })
  assert.throws(() => new RevocationList({ maxEntries: 0 }), { name: 'InvalidInputError', code: 'invalid_input', message: /max_entries must be at least 1/ })
  list.revoke('jti', 'a', NOW + 10)
  list.revoke('subject', 'alice', NOW + 100)
  assert.equal(list.isRevoked('jti', 'a'), true)
  assert.equal(list.isRevoked('key_id', 'a'), false)
  assert.equal(list.size, 2)
  assert.equal(codeOf(() => list.revoke('key_id', 'k', NOW + 100)), 'invalid_input') // full
  assert.equal(codeOf(() => list.revoke('jti', 'x', NOW - 1)), 'invalid_input') // past
  assert.equal(codeOf(() => list.revoke('session', 'x', NOW + 1)), 'invalid_input')
  // The kinds and the message listing them are the core's; `keyId` is not one of them.
  assert.throws(() => list.revoke('keyId', 'x', NOW + 1), { code: 'invalid_input', message: /a revocation kind is one of: jti, key_id, subject/ })
  clock.advance(10)
  assert.equal(list.isRevoked('jti', 'a'), false)
  list.revoke('key_id', 'k', NOW + 100)
  assert.equal(list.unrevoke('key_id', 'k'), true)
  assert.equal(list.unrevoke('key_id', 'k'), false)
  clock.advance(100)
  assert.equal(list.purge(), 0)
  assert.equal(clock.now, NOW + 110)
  clock.set(NOW)
  assert.equal(clock.now, NOW)
})

test('revocations apply to keys, jtis and subjects; JWT claims and scopes reach JS', () => {
  const clock = new ManualClock(NOW)
  const { keys, reader, key } = fixture()
  const hmac = JwtKey.hmac('s'.repeat(32), 'HS256')
  const issuer = new JwtIssuer(hmac)
  const verifier = new JwtVerifier(hmac, { algorithms: ['HS256'], clock: clock })
  const list = new RevocationList({ clock })
  const auth = new Authenticator({ apiKeys: keys, jwt: verifier, revocations: list })
  // The issuer uses the system clock; give the token a time the manual clock accepts.
  const token = issuer.issue({ sub: 'bob', scp: ['read', 'admin'], jti: 'j1', iat: NOW, nbf: NOW, exp: NOW + 600, __proto__x: 1 })
  const d = auth.authenticate({ headers: { authorization: `Bearer ${token}` }, requiredScopes: ['admin'] })
  assert.equal(d.ok, true)
  assert.deepEqual([d.kind, d.subject, d.keyId, d.scopes], ['jwt', 'bob', 'j1', ['read', 'admin']])
  assert.equal(d.claims.exp, NOW + 600)
  assert.equal(d.rateLimitRemaining, null)
  list.revoke('jti', 'j1', NOW + 600)
  assert.equal(auth.authenticate({ headers: { authorization: `Bearer ${token}` } }).code, 'revoked')
  list.revoke('key_id', reader.record.id, NOW + 600)
  assert.equal(auth.authenticate({ headers: { 'x-api-key': key } }).code, 'revoked')
  clock.advance(700)
  // Entries expired with the clock; the JWT itself is now expired too (past the 60 s leeway).
  assert.equal(auth.authenticate({ headers: { 'x-api-key': key } }).ok, true)
  assert.equal(auth.authenticate({ headers: { authorization: `Bearer ${token}` } }).code, 'expired')
})

test('authenticateAsync resolves to the same decisions', async () => {
  const { auth, key } = fixture()
  assert.equal(auth.hasIntrospection, false)
  const ok = await auth.authenticateAsync({ headers: { 'x-api-key': key }, clientIp: IP, requiredScopes: ['read'] })
  assert.deepEqual(ok, auth.authenticate({ headers: { 'x-api-key': key }, clientIp: IP, requiredScopes: ['read'] }))
  const no = await auth.authenticateAsync({ headers: { 'x-api-key': key }, requiredScopes: ['write'] })
  assert.equal(no.status, 403)
  assert.match(no.wwwAuthenticate, /scope="write"/)
  // Invalid arguments throw before a Promise exists, as with authenticate.
  assert.equal(codeOf(() => auth.authenticateAsync({ clientIp: 'bad' })), 'invalid_input')
})

async function introspectionServer(answer) {
  let calls = 0
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => { body += c })
    req.on('end', () => {
      calls += 1
      const token = new URLSearchParams(body).get('token')
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(answer(token)))
    })
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${server.address().port}`
  return { url, calls: () => calls, close: () => new Promise((r) => server.close(r)) }
}

test('opaque bearer tokens through introspection, cached', async () => {
  const exp = Math.floor(Date.now() / 1000) + 3600
  const s = await introspectionServer((token) => (token === 'opaque-good'
    ? { active: true, sub: 'svc', scope: 'read write', exp, jti: 'op-1' }
    : { active: false }))
  try {
    const client = new OAuthClient(`${s.url}/token`, 'gw', { clientSecret: 'gw-secret', introspectionUrl: `${s.url}/introspect` })
    const { keys } = fixture()
    const auth = new Authenticator({ apiKeys: keys, introspection: client })
    assert.equal(auth.hasIntrospection, true)
    const req = { headers: { authorization: 'Bearer opaque-good' }, clientIp: IP, requiredScopes: ['write'] }
    const d = await auth.authenticateAsync(req)
    assert.equal(d.ok, true, JSON.stringify(d))
    assert.deepEqual([d.kind, d.subject, d.scopes], ['introspected', 'svc', ['read', 'write']])
    // Cached: the synchronous call is served without the network.
    assert.equal(auth.authenticate(req).subject, 'svc')
    assert.equal((await auth.authenticateAsync(req)).subject, 'svc')
    assert.equal(s.calls(), 1)
    const bad = await auth.authenticateAsync({ headers: { authorization: 'Bearer opaque-bad' }, clientIp: IP })
    assert.deepEqual([bad.ok, bad.status, bad.code], [false, 401, 'unknown_key'])
  } finally {
    await s.close()
  }
  // An unreachable endpoint is a 503 refusal, not an exception.
  const down = new OAuthClient(`${s.url}/token`, 'gw', { clientSecret: 'x', introspectionUrl: `${s.url}/introspect`, timeout: 2 })
  const auth = new Authenticator({ introspection: down })
  const d = await auth.authenticateAsync({ headers: { authorization: 'Bearer opaque-other' } })
  assert.equal(d.ok, false)
  assert.equal(d.status, 503)
  assert.equal(d.code, 'network')
})

test('every decision emits an audit event without token material', async () => {
  const events = []
  const sub = onAudit((e) => events.push(e))
  try {
    const { auth, key, reader } = fixture()
    auth.authenticate({ headers: { 'x-api-key': key }, clientIp: IP })
    auth.authenticate({ headers: { 'x-api-key': key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a') }, clientIp: IP })
    await until(() => events.filter((e) => e.action === 'gateway.authenticate').length >= 2, 'both decisions')
    const gw = events.filter((e) => e.action === 'gateway.authenticate')
    assert.ok(gw.some((e) => e.outcome === 'success' && e.credentialId === reader.record.id && e.subject === 'acct'))
    assert.ok(gw.some((e) => e.outcome === 'failure' && e.code === 'checksum_mismatch'))
    const text = JSON.stringify(events)
    assert.ok(!text.includes(key.slice(12)), 'an audit event carries key material')
  } finally {
    sub.cancel()
  }
})

test('failureRateLimit: refused credentials spend a budget per address, then 429 before verification', () => {
  const other = new ApiKeys('tw_test')
  const unknown = other.create('x').secret.expose()
  const { auth, key, clock } = fixture({ failureRateLimit: { rate: 1, period: 60, burst: 3 } })
  const bad = { headers: { 'x-api-key': unknown }, clientIp: '203.0.113.9' }
  for (let i = 0; i < 3; i++) assert.equal(auth.authenticate(bad).code, 'unknown_key')
  assert.deepEqual(auth.authenticate(bad), { ok: false, code: 'rate_limited', status: 429, wwwAuthenticate: null, retryAfter: 60,
    error: 'rate_limited', errorDescription: 'too many requests', dpopNonce: null })
  // Spent: even a good key from that address is refused; other addresses are not affected.
  assert.equal(auth.authenticate({ headers: { 'x-api-key': key }, clientIp: '203.0.113.9' }).code, 'rate_limited')
  assert.equal(auth.authenticate({ headers: { 'x-api-key': key }, clientIp: '203.0.113.10' }).ok, true)
  clock.advance(60)
  assert.equal(auth.authenticate({ headers: { 'x-api-key': key }, clientIp: '203.0.113.9' }).ok, true)
  // On by default: 20 refused credentials, then 429 (one more every 6 s).
  const dflt = fixture().auth
  for (let i = 0; i < 20; i++) assert.equal(dflt.authenticate(bad).code, 'unknown_key', `attempt ${i}`)
  assert.deepEqual([dflt.authenticate(bad).code, dflt.authenticate(bad).retryAfter], ['rate_limited', 6])
  assert.equal(codeOf(() => fixture({ failureRateLimit: { rate: 0, burst: 1 } })), 'invalid_input')
})

test('introspectionRateLimit / introspectionMaxInflight bound outbound introspection', async () => {
  const s = await introspectionServer((token) => (token === 'opaque-good'
    ? { active: true, sub: 'svc', scope: 'read' }
    : { active: false }))
  try {
    const client = new OAuthClient(`${s.url}/token`, 'gw', { clientSecret: 'gw-secret', introspectionUrl: `${s.url}/introspect` })
    const auth = new Authenticator({
      introspection: client,
      introspectionRateLimit: { rate: 1, period: 60, burst: 2 },
      introspectionMaxInflight: 4,
      failureRateLimit: { rate: 1, period: 60, burst: 1000 },
    })
    const call = (t) => auth.authenticateAsync({ headers: { authorization: `Bearer ${t}` }, clientIp: IP })
    assert.equal((await call('opaque-good')).ok, true)
    assert.equal((await call('random-1')).code, 'unknown_key')
    for (let i = 2; i < 10; i++) {
      const d = await call(`random-${i}`)
      assert.deepEqual([d.ok, d.status, d.code, d.retryAfter], [false, 503, 'rate_limited', 60])
    }
    assert.equal(s.calls(), 2)
    // The cached good token keeps working.
    assert.equal((await call('opaque-good')).ok, true)
    assert.equal(s.calls(), 2)
    assert.equal(codeOf(() => new Authenticator({ introspection: client, introspectionMaxInflight: 0 })), 'invalid_input')
  } finally {
    await s.close()
  }
})
