// In-process gateway through Node: Authenticator.authenticate for an API key and an HS256 JWT,
// the header forms, and the per-request overhead of the Express and Fastify adapters measured
// in-process (light-my-request / fastify.inject, with and without the middleware).
//
//   cd node && node bench/gateway.mjs            (BENCH_TIME=ms per task, default 1500)
//
// Policy in every authenticate case: in-memory key store, one rate limit (never reached), one
// IP deny rule, one required scope. Each task call runs BATCH decisions; µs/op is per decision.
import { Bench } from 'tinybench'
import inject from 'light-my-request'
import expressFactory from 'express'
import Fastify from 'fastify'

import tokenward, { ApiKeys, Authenticator, JwtIssuer, JwtVerifier, JwtKey } from '../index.mjs'

const BATCH = 32
const TIME = Number(process.env.BENCH_TIME ?? 1500)
const IP = '198.51.100.7'

const keys = new ApiKeys('tw_bench')
const key = keys.create('acct', { scopes: ['read'] }).secret.expose()
const hmac = JwtKey.hmac('gateway-bench-secret-0123456789abcdef', 'HS256')
const token = new JwtIssuer(hmac, { ttl: 3600 }).issue({ scope: 'read' }, { subject: 'alice' })
const auth = new Authenticator({
  apiKeys: keys,
  jwt: new JwtVerifier(hmac, { algorithms: ['HS256'] }),
  ipDeny: ['192.0.2.0/24'],
  rateLimit: { rate: 1_000_000_000, period: 60, burst: 1_000_000_000 },
})

// What a browser-less API client typically sends.
const common = {
  host: 'api.example.com',
  'user-agent': 'bench-client/1.0',
  accept: 'application/json',
  'accept-encoding': 'gzip, deflate, br',
  connection: 'keep-alive',
}
const keyHeaders = { ...common, 'x-api-key': key }
const jwtHeaders = { ...common, authorization: `Bearer ${token}` }
const keyRaw = Object.entries(keyHeaders).flat()
const keyReq = { method: 'GET', path: '/v1/things', headers: keyHeaders, clientIp: IP, requiredScopes: ['read'] }
const keyRawReq = { ...keyReq, headers: keyRaw }
const keyOnlyReq = { ...keyReq, headers: { 'x-api-key': key } }
const jwtReq = { ...keyReq, headers: jwtHeaders }
for (const r of [keyReq, keyRawReq, keyOnlyReq, jwtReq]) {
  if (!auth.authenticate(r).ok) throw new Error('bench fixture refused')
}

const bench = new Bench({ time: TIME, warmupTime: 300 })
const batches = {}
const add = (name, fn, batch) => { batches[name] = batch; bench.add(name, fn) }
const batched = (name, fn) => add(name, () => { for (let b = 0; b < BATCH; b++) fn() }, BATCH)
batched('authenticate: API key (req.headers, 6 headers)', () => auth.authenticate(keyReq))
batched('authenticate: API key (rawHeaders, 6 headers)', () => auth.authenticate(keyRawReq))
batched('authenticate: API key (x-api-key only)', () => auth.authenticate(keyOnlyReq))
batched('authenticate: HS256 JWT (req.headers, 6 headers)', () => auth.authenticate(jwtReq))
add('authenticateAsync: API key (await each)', async () => {
  for (let b = 0; b < BATCH; b++) await auth.authenticateAsync(keyReq)
}, BATCH)

// Adapters: the same app with and without the middleware; the difference is the adapter's cost
// (authenticate included).
const fastifyWith = Fastify()
await fastifyWith.register(tokenward.fastify, { authenticator: auth, requiredScopes: ['read'] })
fastifyWith.get('/v1/things', async () => 'ok')
const fastifyWithout = Fastify()
fastifyWithout.get('/v1/things', async () => 'ok')
await fastifyWith.ready()
await fastifyWithout.ready()
const expressWith = expressFactory()
expressWith.get('/v1/things', tokenward.express({ authenticator: auth, requiredScopes: ['read'] }), (req, res) => res.send('ok'))
const expressWithout = expressFactory()
expressWithout.get('/v1/things', (req, res) => res.send('ok'))

const injected = { method: 'GET', url: '/v1/things', headers: keyHeaders, remoteAddress: IP }
for (const [name, run] of [
  ['fastify.inject with tokenward plugin', () => fastifyWith.inject(injected)],
  ['fastify.inject without', () => fastifyWithout.inject(injected)],
  ['express (light-my-request) with tokenward.express', () => inject(expressWith, injected)],
  ['express (light-my-request) without', () => inject(expressWithout, injected)],
]) {
  const r = await run()
  if (r.statusCode !== 200) throw new Error(`${name}: ${r.statusCode}`)
  add(name, async () => { for (let b = 0; b < 8; b++) await run() }, 8)
}

await bench.run()
console.log(`${'task'.padEnd(52)} ${'µs/op'.padStart(8)} ${'ops/s'.padStart(12)}`)
const perOp = {}
for (const task of bench.tasks) {
  const batch = batches[task.name]
  const hz = (task.result.throughput?.mean ?? task.result.hz) * batch
  perOp[task.name] = 1e6 / hz
  console.log(`${task.name.padEnd(52)} ${(1e6 / hz).toFixed(2).padStart(8)} ${Math.round(hz).toLocaleString('en-US').padStart(12)}`)
}
const diff = (a, b) => (perOp[a] - perOp[b]).toFixed(2)
console.log(`fastify adapter overhead per request (incl. authenticate): ${diff('fastify.inject with tokenward plugin', 'fastify.inject without')} µs`)
console.log(`express adapter overhead per request (incl. authenticate): ${diff('express (light-my-request) with tokenward.express', 'express (light-my-request) without')} µs`)
