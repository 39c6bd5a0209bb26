// tests/vectors/abuse.json through the Node binding (the same expectations as
// core/tests/integration/abuse_vectors.rs), the abuse-detection options, and the ECS audit log.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, mkdtempSync, statSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  AbuseDetection, ApiKeys, AuditLog, Authenticator, Lockout, ManualClock, Threshold, onAudit,
} from '../index.mjs'
import { until } from './vectors.mjs'

const doc = JSON.parse(readFileSync(new URL('../../tests/vectors/abuse.json', import.meta.url), 'utf8'))

const threshold = (v) => (v == null ? null : new Threshold(v.count, v.window_seconds))

function abuse(v) {
  const l = v.lockout
  return new AbuseDetection({
    lockout: l == null ? null : new Lockout(new Threshold(l.failures, l.window_seconds), l.duration_seconds),
    enumeration: threshold(v.enumeration),
    distributedFailures: threshold(v.distributed_failures),
    keySpread: threshold(v.key_spread),
    scopeEscalation: threshold(v.scope_escalation),
  })
}

test('abuse detection matches tests/vectors/abuse.json', async () => {
  const events = []
  const sub = onAudit((e) => events.push(e))
  const prefix = doc.api_keys.prefix
  let checked = 0
  try {
    for (const [index, scenario] of doc.scenarios.entries()) {
      const clock = new ManualClock(doc.now)
      const keys = new ApiKeys(prefix)
      const subs = {}
      for (const [name, spec] of Object.entries(doc.api_keys.keys)) {
        const issued = keys.create(spec.owner, { scopes: spec.scopes })
        subs[`{key:${name}}`] = issued.secret.expose()
        subs[`{key_head:${name}}`] = `${prefix}_${issued.record.id}`
      }
      const auth = new Authenticator({
        apiKeys: keys, clock, requestIdHeader: 'x-request-id', abuseDetection: abuse(scenario.abuse),
      })
      const requestId = `abuse-vectors-${index}`
      let calls = 0
      for (const [s, step] of scenario.steps.entries()) {
        if (step.advance_seconds !== undefined) {
          clock.advance(step.advance_seconds)
          continue
        }
        for (let i = 0; i < step.repeat; i++) {
          const fill = (t) => Object.entries(subs).reduce((out, [k, v]) => out.split(k).join(v), t.split('{i}').join(String(i)))
          const headers = [['x-request-id', requestId]]
          if (step.credential !== null) headers.push(['X-API-Key', fill(step.credential)])
          calls++
          const d = auth.authenticate({
            method: 'GET', path: '/v1/things', headers, clientIp: fill(step.client_ip), requiredScopes: step.required_scopes,
          })
          const got = d.ok ? [200, null, null] : [d.status, d.code, d.retryAfter ?? null]
          const e = step.expect
          assert.deepEqual(got, [e.status, e.code, e.retry_after], `${scenario.name}: step ${s}, repetition ${i}`)
          checked++
        }
      }
      // One gateway.authenticate event per decision, delivered in order: once the last has
      // arrived, so has every signal before it.
      const ofThis = () => events.filter((e) => e.requestId === requestId)
      await until(() => ofThis().filter((e) => e.action === 'gateway.authenticate').length >= calls, `${scenario.name}: its events`)
      const counts = {}
      for (const e of ofThis()) counts[e.action] = (counts[e.action] ?? 0) + 1
      for (const [action, n] of Object.entries(scenario.events)) {
        assert.equal(counts[action] ?? 0, n, `${scenario.name}: ${action} ${JSON.stringify(counts)}`)
      }
    }
  } finally {
    sub.cancel()
  }
  assert.equal(checked, 55)
})

test('invalid numbers throw invalid_input', () => {
  assert.throws(() => new Threshold(0, 60), { code: 'invalid_input' })
  assert.throws(() => new Threshold(1, 0), { code: 'invalid_input' })
  assert.throws(() => new Lockout(new Threshold(1, 60), 0), { code: 'invalid_input' })
  const t = new Threshold(3, 60)
  assert.deepEqual([t.count, t.window, new Lockout(t, 30).duration], [3, 60, 30])
  assert.throws(() => new Authenticator({ apiKeys: new ApiKeys('tw_js'), abuseDetection: new AbuseDetection({ store: 'ftp://x' }) }), { code: 'invalid_input' })
})

test('AuditLog writes ECS lines without secrets, mode 0600', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-audit-'))
  const path = join(dir, 'audit.jsonl')
  assert.throws(() => AuditLog.open('file://relative.log'), { code: 'invalid_input' })
  const log = AuditLog.open(`file://${path}`)
  const keys = new ApiKeys('tw_jsecs')
  const issued = keys.create('acct_jsecs')
  const secret = issued.secret.expose()
  const auth = new Authenticator({
    apiKeys: keys,
    requestIdHeader: 'X-Request-Id',
    abuseDetection: new AbuseDetection({ lockout: new Lockout(new Threshold(1, 60), 60) }),
  })
  for (const [value, rid] of [[secret, 'js-ecs-ok'], [secret.slice(0, -1) + (secret.endsWith('x') ? 'y' : 'x'), 'js-ecs-bad']]) {
    auth.authenticate({ method: 'GET', path: `/v1/x?api_key=${value}`, headers: [['x-api-key', value], ['x-request-id', rid]], clientIp: '192.0.2.9' })
  }
  log.cancel()
  assert.ok(log.written() >= 4)
  const text = readFileSync(path, 'utf8')
  assert.ok(!text.includes(secret) && !text.includes(secret.slice(12, -1)))
  assert.equal(statSync(path).mode & 0o777, 0o600)
  const mine = text.trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.http?.request?.id?.startsWith('js-ecs-'))
  assert.deepEqual(mine.map((r) => [r.http.request.id, r.event.action]), [
    ['js-ecs-ok', 'gateway.authenticate'],
    ['js-ecs-bad', 'abuse.lockout'],
    ['js-ecs-bad', 'abuse.lockout'],
    ['js-ecs-bad', 'gateway.authenticate'],
  ])
  assert.equal(mine[0].event.outcome, 'success')
  assert.equal(mine[0].url.path, '/v1/x')
  assert.equal(mine[0].source.ip, '192.0.2.9')
  assert.equal(mine[1].event.severity, 4)
  assert.equal(mine[3].error.code, 'checksum_mismatch')
  rmSync(dir, { recursive: true })
})
