// DPoP (RFC 9449) proofs: creation and verification, tokenward beside peer libraries in one run.
//
//   cd node && node bench/dpop.mjs            (BENCH_TIME=ms per task, default 1500)
//
// Creation (ES256, with `ath`): tokenward `DpopKey.proof`, panva's `dpop` package
// (`generateProof`, WebCrypto) and `jose` (`SignJWT` with the public JWK in the header).
// Verification (ES256): tokenward `DpopVerifier.verify` (typ, alg, embedded JWK, signature,
// htm, htu, iat window, ath, cnf.jkt, jti replay cache) and the same checks written with `jose`
// (`jwtVerify` with `EmbeddedJWK`, `calculateJwkThumbprint`, a SHA-256 `ath`, a Set of jti).
// A proof verifies once (twice is a replay), so each verification takes the next proof of a
// pool made before the timing; the pool is refilled, and the replay state reset, between tasks.
import { createHash } from 'node:crypto'
import { Bench } from 'tinybench'
import * as jose from 'jose'
import { generateKeyPair as dpopKeyPair, generateProof } from 'dpop'

import { DpopKey, DpopVerifier } from '../index.mjs'

const BATCH = 32
const TIME = Number(process.env.BENCH_TIME ?? 1500)
const URL = 'https://api.example/orders'
const TOKEN = 'an-access-token-of-typical-length-0123456789abcdefghijklmnop'
const ATH = createHash('sha256').update(TOKEN).digest('base64url')

// --- creation -----------------------------------------------------------------------------------
const twKey = DpopKey.generate('ES256')
const peerKeys = await dpopKeyPair('ES256')
const josePair = await jose.generateKeyPair('ES256')
const joseJwk = await jose.exportJWK(josePair.publicKey)
const joseProof = () => new jose.SignJWT({ htm: 'GET', htu: URL, iat: Math.floor(Date.now() / 1000), jti: crypto.randomUUID(), ath: ATH })
  .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: joseJwk })
  .sign(josePair.privateKey)

const create = new Bench({ name: 'proof creation (ES256, ath)', time: TIME, warmupTime: 300 })
create.add('tokenward DpopKey.proof', () => { for (let i = 0; i < BATCH; i++) twKey.proof('GET', URL, { accessToken: TOKEN }) })
create.add('dpop generateProof', async () => { for (let i = 0; i < BATCH; i++) await generateProof(peerKeys, URL, 'GET', undefined, TOKEN) })
create.add('jose SignJWT', async () => { for (let i = 0; i < BATCH; i++) await joseProof() })

// --- verification -------------------------------------------------------------------------------
const jkt = twKey.thumbprint
const POOL = Number(process.env.BENCH_POOL ?? 40000)
let pool = []
let next = 0
const refill = () => {
  pool = Array.from({ length: POOL }, () => twKey.proof('GET', URL, { accessToken: TOKEN }))
  next = 0
}
const take = () => {
  if (next === pool.length) throw new Error('proof pool exhausted: raise BENCH_POOL')
  return pool[next++]
}

let verifier = new DpopVerifier()
const seen = new Set()
async function joseVerify(proof) {
  const header = jose.decodeProtectedHeader(proof)
  const { payload } = await jose.jwtVerify(proof, jose.EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256', 'EdDSA'] })
  const now = Math.floor(Date.now() / 1000)
  if (payload.htm !== 'GET' || payload.htu !== URL) throw new Error('htm/htu')
  if (typeof payload.iat !== 'number' || payload.iat > now + 5 || payload.iat < now - 65) throw new Error('iat')
  if (payload.ath !== ATH) throw new Error('ath')
  if (await jose.calculateJwkThumbprint(header.jwk, 'sha256') !== jkt) throw new Error('jkt')
  if (typeof payload.jti !== 'string' || seen.has(payload.jti)) throw new Error('replay')
  seen.add(payload.jti)
}

// Both verify the same proofs before anything is timed.
refill()
verifier.verify(pool[0], 'GET', URL, { accessToken: TOKEN, jkt })
await joseVerify(pool[0])

const verify = new Bench({
  name: 'proof verification (ES256)',
  time: TIME,
  warmupTime: 300,
  // A fresh pool and replay state for each task, outside its timing.
  setup: () => { refill(); verifier = new DpopVerifier(); seen.clear() },
})
verify.add('tokenward DpopVerifier.verify', () => { for (let i = 0; i < BATCH; i++) verifier.verify(take(), 'GET', URL, { accessToken: TOKEN, jkt }) })
verify.add('jose (jwtVerify + EmbeddedJWK + checks)', async () => { for (let i = 0; i < BATCH; i++) await joseVerify(take()) })

const rows = []
for (const bench of [create, verify]) {
  await bench.run()
  const opsOf = (task) => (BATCH * 1000) / task.result.period
  const base = opsOf(bench.tasks[0])
  for (const task of bench.tasks) {
    const ops = opsOf(task)
    rows.push({ what: bench.name, library: task.name, 'ops/s': Math.round(ops), 'µs/op': (1e6 / ops).toFixed(2), 'tokenward ×': (base / ops).toFixed(2) })
  }
}

console.log(`node ${process.version}, ${BATCH} operations per sample, ${TIME} ms per task`)
console.table(rows)
console.log('| operation | library | ops/s | µs/op | tokenward is × faster |')
console.log('|---|---|---:|---:|---:|')
for (const r of rows) console.log(`| ${r.what} | ${r.library} | ${r['ops/s'].toLocaleString('en-US')} | ${r['µs/op']} | ${r['tokenward ×']} |`)
