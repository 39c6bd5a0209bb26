// OpenTelemetry from Node: enableTelemetry exports tokenward's metrics and spans over OTLP/HTTP
// (here `http/json`) to a collector, a receiver on loopback in this process; outbound-request
// spans are made against the real OAuth server (tests/oauth/mock-server.mjs).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'

import { ApiKeys, Authenticator, JwtIssuer, JwtKey, JwtVerifier, OAuthClient, InvalidInputError, enableTelemetry } from '../index.mjs'
import { startMock } from './mock_server.mjs'

const CLIENT_SECRET = 'node-secret-7c6a180b36896a0a'
const IP = '198.51.100.1'

async function collector() {
  const requests = []
  const server = createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      requests.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() })
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
    // The last exported value of every data point: `name|k=v,...` -> sum or histogram count.
    metrics() {
      const out = new Map()
      for (const r of requests.filter((r) => r.path === '/v1/metrics')) {
        for (const rm of JSON.parse(r.body).resourceMetrics) {
          for (const sm of rm.scopeMetrics) {
            assert.equal(sm.scope.name, 'tokenward')
            for (const m of sm.metrics) {
              for (const p of (m.sum ?? m.histogram).dataPoints) {
                const attrs = (p.attributes ?? []).map((a) => `${a.key}=${a.value.stringValue}`).sort().join(',')
                out.set(`${m.name}|${attrs}`, Number(m.sum ? p.asInt : p.count))
              }
            }
          }
        }
      }
      return out
    },
    spans() {
      return requests
        .filter((r) => r.path === '/v1/traces')
        .flatMap((r) => JSON.parse(r.body).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)))
    },
  }
}

const attrsOf = (span) => Object.fromEntries(span.attributes.map((a) => [a.key, a.value.stringValue ?? Number(a.value.intValue)]))

test('decisions and JWT verifications are counted by outcome and code', async () => {
  const c = await collector()
  const keys = new ApiKeys('tw_test')
  const secret = keys.create('acct').secret.expose()
  const typo = secret.slice(0, -1) + (secret.endsWith('a') ? 'b' : 'a')
  const auth = new Authenticator({ apiKeys: keys })
  const telemetry = enableTelemetry({ endpoint: c.endpoint, protocol: 'http/json', serviceName: 'node-app', headers: { 'x-collector-key': 'k1' } })
  let jwt
  try {
    for (let i = 0; i < 3; i++) assert.equal(auth.authenticate({ headers: { 'x-api-key': secret }, clientIp: IP }).ok, true)
    for (let i = 0; i < 2; i++) assert.equal(auth.authenticate({ headers: { 'x-api-key': typo }, clientIp: IP }).code, 'checksum_mismatch')
    assert.equal(auth.authenticate({ clientIp: IP }).code, 'missing_credentials')
    const hmac = JwtKey.hmac('k'.repeat(32), 'HS256')
    jwt = new JwtIssuer(hmac).issue({ sub: 'u' })
    const verifier = new JwtVerifier(hmac, { algorithms: ['HS256'] })
    verifier.verify(jwt)
    verifier.verify(jwt)
    assert.throws(() => verifier.verify('not.a.jwt'), { code: 'malformed' })
    await telemetry.flush()
  } finally {
    await telemetry.shutdown()
    await c.close()
  }
  const m = c.metrics()
  assert.equal(m.get('tokenward.gateway.decisions|outcome=allowed'), 3)
  assert.equal(m.get('tokenward.gateway.decisions|code=checksum_mismatch,outcome=refused'), 2)
  assert.equal(m.get('tokenward.gateway.decisions|code=missing_credentials,outcome=refused'), 1)
  assert.equal(m.get('tokenward.gateway.decision.duration|outcome=allowed'), 3)
  assert.equal(m.get('tokenward.jwt.verifications|outcome=valid'), 2)
  assert.equal(m.get('tokenward.jwt.verifications|code=malformed,outcome=invalid'), 1)
  const first = c.requests.find((r) => r.path === '/v1/metrics')
  assert.equal(first.headers['content-type'], 'application/json')
  assert.equal(first.headers['x-collector-key'], 'k1')
  const resource = JSON.parse(first.body).resourceMetrics[0].resource
  assert.equal(resource.attributes.find((a) => a.key === 'service.name').value.stringValue, 'node-app')
  assert.ok(c.requests.length > 0)
  for (const r of c.requests) for (const s of [secret, typo, jwt]) assert.ok(!r.body.includes(s), 'an export holds a credential')
})

test('outbound requests are spans, with the code of a failure', async () => {
  const c = await collector()
  const mock = await startMock()
  const telemetry = enableTelemetry({ endpoint: c.endpoint, protocol: 'http/json' })
  let token
  try {
    const client = await OAuthClient.discover(mock.issuer, 'node-client', { clientSecret: CLIENT_SECRET })
    token = (await client.clientCredentials(['read'])).accessToken.expose()
    assert.equal((await client.introspect(token)).active, true)
    await client.revoke(token)
    const down = new OAuthClient('http://127.0.0.1:9/token', 'node-client', { clientSecret: CLIENT_SECRET })
    await assert.rejects(down.clientCredentials([]), { code: 'network' })
    await telemetry.flush()
  } finally {
    await telemetry.shutdown()
    mock.stop()
    await c.close()
  }
  const spans = c.spans()
  const names = spans.map((s) => s.name)
  assert.equal(names.filter((n) => n === 'POST token').length, 2, names.join())
  assert.equal(names.filter((n) => n === 'POST introspection').length, 1, names.join())
  assert.equal(names.filter((n) => n === 'POST revocation').length, 1, names.join())
  assert.ok(names.includes('GET discovery'), names.join())
  const ok = spans.find((s) => s.name === 'POST token' && !('error.type' in attrsOf(s)))
  const a = attrsOf(ok)
  assert.deepEqual(
    [a['http.request.method'], a['http.response.status_code'], a['server.address'], a['server.port'], a['tokenward.operation']],
    ['POST', 200, '127.0.0.1', Number(new URL(mock.issuer).port), 'token'],
  )
  const failed = spans.find((s) => s.name === 'POST token' && 'error.type' in attrsOf(s))
  assert.equal(attrsOf(failed)['error.type'], 'network')
  assert.equal(failed.status.code, 2) // STATUS_CODE_ERROR
  for (const r of c.requests) for (const s of [CLIENT_SECRET, token]) assert.ok(!r.body.includes(s), 'an export holds a secret')
})

test('nothing is recorded before enableTelemetry or after shutdown', async () => {
  const c = await collector()
  const auth = new Authenticator({ apiKeys: new ApiKeys('tw_test') })
  const refused = () => c.metrics().get('tokenward.gateway.decisions|code=missing_credentials,outcome=refused')
  try {
    for (let i = 0; i < 4; i++) auth.authenticate({ clientIp: IP })
    let telemetry = enableTelemetry({ endpoint: c.endpoint, protocol: 'http/json' })
    auth.authenticate({ clientIp: IP })
    await telemetry.flush()
    await telemetry.shutdown()
    assert.equal(refused(), 1)
    for (let i = 0; i < 3; i++) auth.authenticate({ clientIp: IP })
    c.requests.length = 0
    telemetry = enableTelemetry({ endpoint: c.endpoint, protocol: 'http/json' })
    auth.authenticate({ clientIp: IP })
    await telemetry.flush()
    await telemetry.shutdown()
    assert.equal(refused(), 1)
  } finally {
    await c.close()
  }
})

test('bad options are invalid_input', () => {
  for (const endpoint of ['ftp://127.0.0.1:4318', 'not a url', '']) {
    assert.throws(() => enableTelemetry({ endpoint }), InvalidInputError)
  }
  assert.throws(() => enableTelemetry({ endpoint: 'http://127.0.0.1:4318', protocol: 'grpc' }), { code: 'invalid_input' })
  assert.throws(() => enableTelemetry({ endpoint: 'http://127.0.0.1:4318', exportInterval: 0 }), { code: 'invalid_input' })
  assert.throws(() => enableTelemetry({ endpoint: 'http://127.0.0.1:4318', headers: { 'bad header': 'x' } }), { code: 'invalid_input' })
})
