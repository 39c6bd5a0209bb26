// Cost of `await source.token()` on the hot path (cached token) through Node, beside the floor
// of any Promise-returning getter (a plain JS cache) in the same run, plus the cost of a refresh
// against a local token endpoint (node:http on 127.0.0.1, same process).
//
//   cd node && node bench/oauth.mjs            (BENCH_TIME=ms per task, default 1500)
//
// Each task call awaits BATCH tokens so the timer's own cost does not dominate; ns/op counts
// single awaits.
import { createServer } from 'node:http'
import { Bench } from 'tinybench'

import { OAuthClient, TokenSource } from '../index.mjs'

const BATCH = 256
const TIME = Number(process.env.BENCH_TIME ?? 1500)

let issued = 0
const server = createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    issued++
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ access_token: `at-${issued}-${'x'.repeat(800)}`, token_type: 'Bearer', expires_in: 3600, scope: 'read' }))
  })
})
// The server shares this busy event loop: with Node's default 5 s keep-alive timeout it would close
// the pooled connection while a request is on its way (a keep-alive race, reported as `network`).
server.keepAliveTimeout = 60_000
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const client = new OAuthClient(`http://127.0.0.1:${server.address().port}/token`, 'bench', { clientSecret: 'bench-secret' })
const source = TokenSource.clientCredentials(client, ['read'])
await source.token()

// Floors: one call into any native getter, and a JS object cache behind an async getter (what any token cache costs at least).
const cached = { value: 'at', expiresAt: Date.now() + 3_600_000 }
const plain = { async token() { if (Date.now() < cached.expiresAt) return cached; throw new Error('expired') } }

const bench = new Bench({ time: TIME, warmupTime: 300 })
bench
  .add('tokenward `await source.token()` (cached)', async () => {
    for (let i = 0; i < BATCH; i++) await source.token()
  })
  .add('tokenward `await source.token()` + expose()', async () => {
    for (let i = 0; i < BATCH; i++) (await source.token()).expose()
  })
  .add('any native getter `source.status` (napi call floor, no await)', () => {
    for (let i = 0; i < BATCH; i++) source.status
  })
  .add('plain JS cache `await cache.token()` (floor)', async () => {
    for (let i = 0; i < BATCH; i++) await plain.token()
  })
const refresh = new Bench({ time: TIME, warmupTime: 300 })
refresh.add('tokenward `await source.forceRefresh()` (local server)', async () => { await source.forceRefresh() })
await bench.run()
await refresh.run()

const rows = []
for (const t of bench.tasks) {
  const ns = (t.result.latency.mean * 1e6) / BATCH
  rows.push({ task: t.name, 'ns/op': Math.round(ns), 'ops/s': Math.round(1e9 / ns) })
}
for (const t of refresh.tasks) {
  if (!t.result?.latency) { console.error(t.name, t.result); continue }
  const ns = t.result.latency.mean * 1e6
  rows.push({ task: t.name, 'ns/op': Math.round(ns), 'ops/s': Math.round(1e9 / ns) })
}
console.log(`node ${process.version}, ${BATCH} awaits per sample, ${TIME} ms per task, ${issued} tokens issued`)
console.table(rows)
console.log('| call | ns/op | ops/s |')
console.log('|---|---:|---:|')
for (const r of rows) console.log(`| ${r.task} | ${r['ns/op'].toLocaleString('en-US')} | ${r['ops/s'].toLocaleString('en-US')} |`)
source.close()
server.close()
