// The verified-token cache: tokenward `cacheSize` beside fast-jwt `cache: true`, same tokens,
// same run; the uncached tokenward HS256 verify is the reference row.
//
//   cd node && node bench/jwt-cache.mjs      (BENCH_TIME=ms per task, default 1500)
//
// Every verifier checks the signature (or finds the token in its cache), exp/nbf/iat, iss and
// aud. Each task call verifies BATCH tokens; ops/s counts single verifications. `hot`: one token
// again and again (a client reusing its token); `mix`: 256 tokens cycled (fits every cache).
import { createVerifier } from 'fast-jwt'
import { Bench } from 'tinybench'

import { JwtIssuer, JwtKey, JwtVerifier } from '../index.mjs'

const BATCH = 32
const TIME = Number(process.env.BENCH_TIME ?? 1500)
const ISS = 'https://issuer.example'
const AUD = 'api://bench'
const CLAIMS = { scope: 'read write', tenant: 't-42', roles: ['admin', 'user'] }

function setup(alg) {
  const secret = Buffer.alloc(32, 0x42)
  const key = alg === 'HS256' ? JwtKey.hmac(secret, alg) : JwtKey.generate(alg)
  const issuer = new JwtIssuer(key, { issuer: ISS, audience: AUD, ttl: 3600, algorithm: alg })
  const tokens = Array.from({ length: 256 }, (_, i) => issuer.issue({ ...CLAIMS, n: i }, { subject: 'user-1' }))
  const verifyKey = alg === 'HS256' ? key : JwtKey.fromPem(key.toPublicPem(), alg)
  const options = { algorithms: [alg], issuers: ISS, audiences: AUD }
  const fastKey = alg === 'HS256' ? secret : key.toPublicPem()
  const fastOptions = { key: fastKey, algorithms: [alg], allowedIss: ISS, allowedAud: AUD }
  return {
    tokens,
    uncached: new JwtVerifier(verifyKey, options),
    cached: new JwtVerifier(verifyKey, { ...options, cacheSize: 1024 }),
    fastCached: createVerifier({ ...fastOptions, cache: 1024 }),
    fastUncached: createVerifier({ ...fastOptions, cache: false }),
  }
}

const hs = setup('HS256')
const rows = []
for (const alg of ['RS256', 'ES256', 'EdDSA']) {
  const s = setup(alg)
  for (const v of [s.cached, s.fastCached, s.uncached, s.fastUncached]) {
    for (const t of s.tokens) {
      const c = typeof v === 'function' ? v(t) : v.verify(t)
      if (c.tenant !== 't-42') throw new Error('a contender failed to verify')
    }
  }
  if (s.cached.cacheLen !== 256) throw new Error('the tokenward cache did not fill')
  const [one] = s.tokens
  let i = 0
  const next = () => s.tokens[(i = (i + 1) & 255)]
  const bench = new Bench({ name: `${alg} cached verify`, time: TIME, warmupTime: 300 })
  bench.add('tokenward cacheSize, hot', () => { for (let k = 0; k < BATCH; k++) s.cached.verify(one) })
  bench.add('fast-jwt cache, hot', () => { for (let k = 0; k < BATCH; k++) s.fastCached(one) })
  bench.add('tokenward cacheSize, mix', () => { for (let k = 0; k < BATCH; k++) s.cached.verify(next()) })
  bench.add('fast-jwt cache, mix', () => { for (let k = 0; k < BATCH; k++) s.fastCached(next()) })
  bench.add('tokenward uncached HS256', () => { for (let k = 0; k < BATCH; k++) hs.uncached.verify(hs.tokens[0]) })
  bench.add(`tokenward uncached ${alg}`, () => { for (let k = 0; k < BATCH; k++) s.uncached.verify(one) })
  bench.add(`fast-jwt uncached ${alg}`, () => { for (let k = 0; k < BATCH; k++) s.fastUncached(one) })
  await bench.run()
  for (const task of bench.tasks) {
    const ops = (BATCH * 1000) / task.result.period
    rows.push({ alg, contender: task.name, 'ops/s': Math.round(ops), 'µs/op': (1e6 / ops).toFixed(3) })
  }
}

console.log(`node ${process.version}, ${BATCH} verifications per sample, ${TIME} ms per task`)
console.table(rows)
console.log('| alg | contender | ops/s | µs/op |')
console.log('|---|---|---:|---:|')
for (const r of rows) console.log(`| ${r.alg} | ${r.contender} | ${r['ops/s'].toLocaleString('en-US')} | ${r['µs/op']} |`)
