import { test } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { ApiKeys, KeyRecord, Secret, API_KEY_PATTERN } from '../index.mjs'
import { loadVectors, codeOf } from './vectors.mjs'

const V = loadVectors('apikeys.json')
const expand = (c) => ('key' in c ? c.key : c.key_repeat.unit.repeat(c.key_repeat.count))
const fullMatch = new RegExp(`^(?:${API_KEY_PATTERN})$`)

test('the published pattern is the vectors one', () => {
  assert.equal(API_KEY_PATTERN, V.pattern)
})

test('format vectors', () => {
  for (const c of V.format) {
    const key = expand(c)
    assert.equal(fullMatch.test(key), c.matches_pattern, c.name)
    if (c.error) {
      assert.equal(codeOf(() => ApiKeys.checkFormat(key)), c.error, c.name)
    } else {
      const info = ApiKeys.checkFormat(key)
      assert.deepEqual({ ...info }, { prefix: c.prefix, id: c.id, display: c.display }, c.name)
      assert.ok(key.endsWith(c.checksum), c.name)
    }
  }
})

test('verify vectors', () => {
  const keys = new ApiKeys(V.verify.prefix)
  for (const c of V.verify.cases) {
    assert.equal(codeOf(() => keys.verify(expand(c))), c.error, c.name)
  }
})

test('create, verify, printed forms', () => {
  const keys = new ApiKeys('tw_live')
  const issued = keys.create('alice', { scopes: ['read', 'write'], expiresIn: 3600, metadata: { plan: 'pro' } })
  assert.ok(issued.secret instanceof Secret)
  assert.ok(issued.record instanceof KeyRecord)
  const key = issued.secret.expose()
  assert.match(key, new RegExp(`^${keys.pattern}$`))
  const secretPart = key.slice('tw_live_'.length + 12)
  for (const printed of [inspect(issued), JSON.stringify(issued), String(issued.secret), inspect(issued.record), inspect(keys)]) {
    assert.ok(!printed.includes(secretPart), printed)
  }
  const record = keys.verify(key)
  assert.equal(record.id, issued.record.id)
  assert.equal(record.owner, 'alice')
  assert.deepEqual(record.scopes, ['read', 'write'])
  assert.ok(record.hasScope('read') && !record.hasScope('admin'))
  assert.deepEqual(record.metadata, { plan: 'pro' })
  assert.equal(record.expiresAt, record.createdAt + 3600)
  assert.ok(record.display.startsWith(`tw_live_${record.id.slice(0, 8)}…`))
  assert.ok(record.display.endsWith(key.slice(-4)))
  assert.equal(keys.verify(issued.secret).id, record.id)
  assert.equal(ApiKeys.checkFormat(issued.secret).id, record.id)
  assert.equal(record.toJSON().owner, 'alice')
})

test('refusals carry codes', () => {
  const keys = new ApiKeys('tw_test')
  const key = keys.create('bob').secret.expose()
  const typo = key.slice(0, 20) + (key[20] === 'x' ? 'y' : 'x') + key.slice(21)
  let err
  try { keys.verify(typo) } catch (e) { err = e }
  assert.equal(err.code, 'checksum_mismatch')
  assert.ok(!err.message.includes(key))
  assert.equal(codeOf(() => keys.verify('')), 'invalid_format')
  assert.equal(codeOf(() => keys.verify('x'.repeat(10_000_000))), 'invalid_format')
  assert.equal(codeOf(() => keys.verify(new ApiKeys('tw_live').create('b').secret)), 'invalid_format')
  assert.equal(codeOf(() => keys.revoke('nope')), 'unknown_key')
  assert.equal(codeOf(() => keys.create('')), 'invalid_input')
  assert.equal(codeOf(() => keys.create('a', { expiresIn: -1 })), 'invalid_input')
  assert.equal(codeOf(() => new ApiKeys('TW')), 'invalid_input')
  assert.equal(codeOf(() => new ApiKeys('tw', { pepper: 'short' })), 'invalid_input')
  assert.equal(codeOf(() => new ApiKeys('tw', { store: 'redis://x' })), 'invalid_input')
  assert.throws(() => keys.verify(42))
})

test('revoke and rotate', () => {
  const keys = new ApiKeys('tw')
  const old = keys.create('carol', { scopes: ['read'] })
  const next = keys.rotate(old.record.id, 3600)
  assert.notEqual(next.record.id, old.record.id)
  assert.deepEqual(next.record.scopes, ['read'])
  assert.equal(keys.get(old.record.id).replacedBy, next.record.id)
  assert.equal(keys.verify(old.secret).id, old.record.id)
  const newer = keys.rotate(next.record.id, 0)
  assert.equal(codeOf(() => keys.verify(next.secret)), 'expired')
  assert.equal(keys.verify(newer.secret).owner, 'carol')
  assert.notEqual(keys.revoke(newer.record.id).revokedAt, null)
  assert.equal(codeOf(() => keys.verify(newer.secret)), 'revoked')
  assert.deepEqual(new Set(keys.list('carol').map((r) => r.id)), new Set([old.record.id, next.record.id, newer.record.id]))
  assert.deepEqual(keys.list('nobody'), [])
})

test('sqlite store persists and holds no plaintext', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-node-'))
  try {
    const path = join(dir, 'keys.db')
    const pepper = 'a-long-server-side-pepper-value!'
    const keys = new ApiKeys('tw_live', { store: `sqlite://${path}`, pepper })
    const issued = Array.from({ length: 5 }, (_, i) => keys.create(`user${i}`))
    for (const i of issued) keys.verify(i.secret)
    const again = new ApiKeys('tw_live', { store: path, pepper })
    assert.equal(again.verify(issued[0].secret).owner, 'user0')
    assert.equal(codeOf(() => new ApiKeys('tw_live', { store: path }).verify(issued[0].secret)), 'unknown_key')
    const blob = Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))))
    for (const i of issued) {
      const key = i.secret.expose()
      assert.ok(!blob.includes(key))
      assert.ok(!blob.includes(key.slice('tw_live_'.length + 12, -6)))
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
