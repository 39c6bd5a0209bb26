// API key verify throughput through Node, beside a plain node:crypto equivalent in the same run.
//
//   cd node && node bench/apikeys.mjs            (BENCH_TIME=ms per task, default 1500)
//
// The baseline does the same work in JS: shape check, CRC32 checksum (zlib.crc32), Map lookup
// by id, SHA-256 / HMAC-SHA-256 (node:crypto), timingSafeEqual, revocation and expiry checks.
// Each task call verifies BATCH keys so the timer's own cost does not dominate; ops/s counts
// single verifications.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import zlib from 'node:zlib'
import { Bench } from 'tinybench'

import { ApiKeys } from '../index.mjs'

const BATCH = 32
const KEYS = 1000
const TIME = Number(process.env.BENCH_TIME ?? 1500)
const PEPPER = 'bench-pepper-0123456789abcdefghij'
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const BODY = /^[0-9A-Za-z]{50}$/

function b62(v) {
  let s = ''
  for (let i = 0; i < 6; i++) {
    s = ALPHABET[v % 62] + s
    v = Math.floor(v / 62)
  }
  return s
}

class PlainJs {
  constructor(prefix, pepper) {
    this.prefix = prefix
    this.pepper = pepper
    this.records = new Map()
  }
  hash(key) {
    return this.pepper ? createHmac('sha256', this.pepper).update(key).digest() : createHash('sha256').update(key).digest()
  }
  add(key, record) {
    const cut = this.prefix.length + 1
    this.records.set(key.slice(cut, cut + 12), { hash: this.hash(key), record })
  }
  verify(key) {
    const n = key.length
    if (n < 53 || n > 84) throw new Error('invalid_format')
    const cut = n - 51
    if (key[cut] !== '_' || !BODY.test(key.slice(cut + 1)) || key.slice(0, cut) !== this.prefix) throw new Error('invalid_format')
    if (b62(zlib.crc32(key.slice(0, -6))) !== key.slice(-6)) throw new Error('checksum_mismatch')
    const entry = this.records.get(key.slice(cut + 1, cut + 13))
    if (!entry || !timingSafeEqual(entry.hash, this.hash(key))) throw new Error('unknown_key')
    const r = entry.record
    if (r.revokedAt != null) throw new Error('revoked')
    if (r.expiresAt != null && Date.now() / 1000 >= r.expiresAt) throw new Error('expired')
    return r
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tw-bench-'))
const setups = [
  ['memory', new ApiKeys('tw_bench'), null],
  ['memory+pepper', new ApiKeys('tw_bench', { pepper: PEPPER }), PEPPER],
  ['sqlite', new ApiKeys('tw_bench', { store: `sqlite://${join(dir, 'k.db')}` }), null],
]

const bench = new Bench({ time: TIME, warmupTime: 300 })
for (const [name, keys, pepper] of setups) {
  const plain = new PlainJs('tw_bench', pepper)
  const secrets = []
  for (let i = 0; i < KEYS; i++) {
    const key = keys.create(`owner${i}`, { scopes: ['read'] }).secret.expose()
    secrets.push(key)
    plain.add(key, { owner: `owner${i}`, revokedAt: null, expiresAt: null })
  }
  let i = 0
  bench.add(`tokenward verify/${name}`, () => {
    for (let b = 0; b < BATCH; b++) keys.verify(secrets[i++ % KEYS])
  })
  bench.add(`node:crypto verify/${name === 'sqlite' ? 'Map (no database)' : name}`, () => {
    for (let b = 0; b < BATCH; b++) plain.verify(secrets[i++ % KEYS])
  })
  if (name === 'memory') {
    const typos = secrets.map((k) => k.slice(0, -1) + (k.endsWith('a') ? 'b' : 'a'))
    bench.add('tokenward refuse checksum_mismatch', () => {
      for (let b = 0; b < BATCH; b++) {
        try { keys.verify(typos[i++ % KEYS]) } catch {}
      }
    })
    bench.add('node:crypto refuse checksum_mismatch', () => {
      for (let b = 0; b < BATCH; b++) {
        try { plain.verify(typos[i++ % KEYS]) } catch {}
      }
    })
  }
}

await bench.run()
console.log(`${'task'.padEnd(44)} ${'verifies/s'.padStart(12)}`)
for (const task of bench.tasks) {
  const hz = task.result.throughput?.mean ?? task.result.hz
  console.log(`${task.name.padEnd(44)} ${Math.round(hz * BATCH).toLocaleString('en-US').padStart(12)}`)
}
rmSync(dir, { recursive: true, force: true })
