// HS256 verify per-call breakdown: where the Node binding's time goes.
//   cd node && node bench/jwt-breakdown.mjs
import { JwtKey, JwtIssuer, JwtVerifier } from '../index.mjs'
import { createVerifier } from 'fast-jwt'
const secret = Buffer.alloc(32, 0x42)
const key = JwtKey.hmac(secret, 'HS256').withKid('k1')
const ISS='https://issuer.example', AUD='api://bench'
const token = new JwtIssuer(key, { issuer: ISS, audience: AUD, ttl: 3600, algorithm: 'HS256' })
  .issue({ scope: 'read write', tenant: 't-42', roles: ['admin', 'user'] }, { subject: 'user-1' })
const tw = new JwtVerifier(key, { algorithms: ['HS256'], issuers: ISS, audiences: AUD })
const fast = createVerifier({ key: secret, algorithms: ['HS256'], allowedIss: ISS, allowedAud: AUD, cache: false })
// The token of `cargo run --release -p tokenward --example jwt_ratio` (same secret, claims and
// policy), to set the Node call against the same verify in Rust.
const ratioKey = JwtKey.hmac(Buffer.alloc(32, 7), 'HS256')
const ratioToken = new JwtIssuer(ratioKey, { issuer: 'iss', audience: 'aud', ttl: 3600, algorithm: 'HS256' })
  .issue({ scope: 'read write', tenant: 'acme' }, { subject: 'u1' })
const ratioVerifier = new JwtVerifier(ratioKey, { algorithms: ['HS256'], issuers: 'iss', audiences: 'aud' })
const cases = {
  'verify, jwt_ratio token': () => ratioVerifier.verify(ratioToken),
  'verifyJson, jwt_ratio token': () => ratioVerifier.verifyJson(ratioToken),
  // The step before the shape functions: the raw N-API verifyJson, then JSON.parse.
  'JSON.parse(verifyJson), jwt_ratio token': () => JSON.parse(ratioVerifier.verifyJson(ratioToken)),
  // index.js binds a raw N-API function per verifier (src/jwt_fast.rs) that builds the claims
  // in the verifier's pass; nested containers (`roles` here) go through JSON.parse.
  'verify': () => tw.verify(token),
  'verifyJson only': () => tw.verifyJson(token),
  'JSON.parse(verifyJson)': () => JSON.parse(tw.verifyJson(token)),
  'fast-jwt': () => fast(token),
}
const N = 100000
for (let round = 0; round < 3; round++) {
  for (const [name, fn] of Object.entries(cases)) {
    for (let i = 0; i < 5000; i++) fn()
    let best = Infinity
    for (let r = 0; r < 5; r++) { const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) fn(); best = Math.min(best, Number(process.hrtime.bigint() - t) / N) }
    console.log(round, name.padEnd(42), best.toFixed(0), 'ns')
  }
}
