// JWT verify throughput: tokenward vs jose vs fast-jwt (no cache) vs jsonwebtoken.
//
//   cd node && node bench/jwt.mjs            (BENCH_TIME=ms per task, default 1500)
//
// Every library verifies the same token with a verifier/key prepared once, checking the
// signature, exp/nbf/iat, iss and aud. Each task call verifies BATCH tokens so the timer's
// own cost does not dominate microsecond operations; ops/s counts single verifications.
import { createPublicKey, createSecretKey } from 'node:crypto'
import { Bench } from 'tinybench'
import * as jose from 'jose'
import { createVerifier } from 'fast-jwt'
import jsonwebtoken from 'jsonwebtoken'

import { JwtKey, JwtIssuer, JwtVerifier } from '../index.mjs'

const BATCH = 32
const TIME = Number(process.env.BENCH_TIME ?? 1500)
const ISS = 'https://issuer.example'
const AUD = 'api://bench'

async function setup(alg) {
  const secret = Buffer.alloc(32, 0x42)
  const key = (alg === 'HS256' ? JwtKey.hmac(secret, alg) : JwtKey.generate(alg)).withKid('k1')
  const token = new JwtIssuer(key, { issuer: ISS, audience: AUD, ttl: 3600, algorithm: alg })
    .issue({ scope: 'read write', tenant: 't-42', roles: ['admin', 'user'] }, { subject: 'user-1' })
  const pem = alg === 'HS256' ? null : key.toPublicPem()
  const keyObject = alg === 'HS256' ? createSecretKey(secret) : createPublicKey(pem)

  const tw = new JwtVerifier(alg === 'HS256' ? key : JwtKey.fromPem(pem, alg).withKid('k1'), { algorithms: [alg], issuers: ISS, audiences: AUD })
  const joseKey = alg === 'HS256' ? new Uint8Array(secret) : await jose.importSPKI(pem, alg)
  const joseOptions = { algorithms: [alg], issuer: ISS, audience: AUD }
  const fast = createVerifier({ key: alg === 'HS256' ? secret : pem, algorithms: [alg], allowedIss: ISS, allowedAud: AUD, cache: false })
  const jwtOptions = { algorithms: [alg], issuer: ISS, audience: AUD }

  // Every contender must accept the token before it is timed.
  const claims = [
    tw.verify(token),
    (await jose.jwtVerify(token, joseKey, joseOptions)).payload,
    fast(token),
    jsonwebtoken.verify(token, keyObject, jwtOptions),
  ]
  for (const c of claims) if (c.tenant !== 't-42') throw new Error('a contender failed to verify')

  return {
    tokenward: () => { for (let i = 0; i < BATCH; i++) tw.verify(token) },
    jose: async () => { for (let i = 0; i < BATCH; i++) await jose.jwtVerify(token, joseKey, joseOptions) },
    'fast-jwt (no cache)': () => { for (let i = 0; i < BATCH; i++) fast(token) },
    jsonwebtoken: () => { for (let i = 0; i < BATCH; i++) jsonwebtoken.verify(token, keyObject, jwtOptions) },
  }
}

const rows = []
for (const alg of ['HS256', 'RS256', 'ES256']) {
  const tasks = await setup(alg)
  const bench = new Bench({ name: `${alg} verify`, time: TIME, warmupTime: 300 })
  for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn)
  await bench.run()
  const opsOf = (task) => (BATCH * 1000) / task.result.period
  const base = opsOf(bench.tasks[0])
  for (const task of bench.tasks) {
    const ops = opsOf(task)
    rows.push({ alg, library: task.name, 'ops/s': Math.round(ops), 'µs/op': (1e6 / ops).toFixed(2), 'tokenward ×': (base / ops).toFixed(2) })
  }
}

console.log(`node ${process.version}, ${BATCH} verifications per sample, ${TIME} ms per task`)
console.table(rows)
console.log('| alg | library | ops/s | µs/op | tokenward is × faster |')
console.log('|---|---|---:|---:|---:|')
for (const r of rows) console.log(`| ${r.alg} | ${r.library} | ${r['ops/s'].toLocaleString('en-US')} | ${r['µs/op']} | ${r['tokenward ×']} |`)
