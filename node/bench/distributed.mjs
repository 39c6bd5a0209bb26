// Redis rate limits from Node beside `rate-limiter-flexible` (RateLimiterRedis on ioredis), on
// the same Redis in the same run (docs/distributed.md): µs per decision one at a time, its
// ratio to an ioredis PING and to `redis-benchmark -c 1 -t ping`, round trips per decision
// (counted by a loopback proxy that counts the commands a client sends), throughput with many
// decisions in flight, and how many of many concurrent attempts each admits against a burst.
//
//   TOKENWARD_TEST_REDIS_URL=redis://127.0.0.1:6379/ node bench/distributed.mjs   (from node/)
//
// A benchmark, not a test. BENCH_N: calls per run (default 2000).
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { Worker } from 'node:worker_threads'

import { Redis } from 'ioredis'
import { RateLimiterRedis } from 'rate-limiter-flexible'

import { ApiKeys, Authenticator, RevocationList } from '../index.mjs'

const REDIS = process.env.TOKENWARD_TEST_REDIS_URL
if (!REDIS) throw new Error('TOKENWARD_TEST_REDIS_URL is not set (scripts/servers.sh)')
const N = Number(process.env.BENCH_N ?? 2000)
const [HOST, PORT] = new URL(REDIS).host.split(':')

function redisBenchmarkPing() {
  const out = execFileSync('redis-benchmark', ['-h', HOST, '-p', PORT, '-c', '1', '-n', '20000', '-t', 'ping'], {
    encoding: 'utf8',
  })
  const m = [...out.matchAll(/avg\s+min\s+p50.*\n\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)/g)].at(-1)
  return `avg ${Math.round(m[1] * 1000)} µs, p50 ${Math.round(m[3] * 1000)} µs`
}

/** Length of the first complete RESP command in `buf`, or -1. */
function commandLen(buf) {
  if (buf.length === 0) return -1
  let end = buf.indexOf('\r\n')
  if (end < 0) return -1
  const n = Number(buf.subarray(1, end).toString())
  let at = end + 2
  for (let i = 0; i < n; i++) {
    end = buf.indexOf('\r\n', at)
    if (end < 0) return -1
    at = end + 2 + Number(buf.subarray(at + 1, end).toString()) + 2
    if (at > buf.length) return -1
  }
  return at
}

/** A loopback proxy to Redis counting the commands sent through it, in a worker thread (a
 * synchronous `authenticate` blocks this thread while it waits for Redis). */
async function countingProxy() {
  const counter = new Int32Array(new SharedArrayBuffer(4))
  const source = `
    const { createConnection, createServer } = require('node:net')
    const { parentPort, workerData } = require('node:worker_threads')
    ${commandLen.toString()}
    const server = createServer((client) => {
      const upstream = createConnection({ host: workerData.host, port: workerData.port })
      let buf = Buffer.alloc(0)
      client.on('data', (data) => {
        buf = Buffer.concat([buf, data])
        for (let n; (n = commandLen(buf)) > 0; ) {
          buf = buf.subarray(n)
          Atomics.add(workerData.counter, 0, 1)
        }
        upstream.write(data)
      })
      upstream.pipe(client)
      client.on('error', () => upstream.destroy())
      upstream.on('error', () => client.destroy())
    })
    server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port))
  `
  const worker = new Worker(source, { eval: true, workerData: { counter, host: HOST, port: Number(PORT) } })
  const port = await new Promise((resolve) => worker.once('message', resolve))
  worker.unref()
  return {
    url: `redis://127.0.0.1:${port}/`,
    get commands() {
      return Atomics.load(counter, 0)
    },
  }
}

async function perCall(fn, n = N) {
  const runs = []
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < n; i++) await fn()
    runs.push(Number(process.hrtime.bigint() - t0) / 1000 / n)
  }
  return runs.sort((a, b) => a - b)[2]
}

async function throughput(fn, inFlight = 64, n = 4 * N) {
  let next = 0
  const t0 = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < n) await fn()
    }),
  )
  return n / (Number(process.hrtime.bigint() - t0) / 1e9)
}

async function roundTrips(proxy, fn, n = 200) {
  await fn()
  const before = proxy.commands
  for (let i = 0; i < n; i++) await fn()
  return (proxy.commands - before) / n
}

async function main() {
  console.log(`\`redis-benchmark -c 1 -n 20000 -t ping\` before: ${redisBenchmarkPing()}`)
  const proxy = await countingProxy()
  const ioredis = new Redis(REDIS)
  const pingUs = await perCall(() => ioredis.ping())
  console.log(`ioredis PING, one at a time: ${pingUs.toFixed(1)} µs per call\n`)

  const apiKeys = new ApiKeys('tw_bench')
  const headers = { 'x-api-key': apiKeys.create('bench').secret.expose() }
  const big = { rate: 1_000_000_000, burst: 1_000_000_000 }
  const run = randomUUID().slice(0, 8)
  const tokenward = (url, withRevocations) =>
    new Authenticator({
      apiKeys,
      rateLimit: big,
      rateLimitStore: url,
      ...(withRevocations ? { revocations: new RevocationList({ store: url }) } : {}),
    })
  // The revocation list alone on Redis (the rate limit counted in this process).
  const listOnly = (url) => new Authenticator({ apiKeys, rateLimit: big, revocations: new RevocationList({ store: url }) })
  const flexible = (url) =>
    new RateLimiterRedis({ storeClient: new Redis(url), points: 1_000_000_000, duration: 3600, keyPrefix: `rlf-${run}` })
  const local = new Authenticator({ apiKeys, rateLimit: big })
  const rows = [
    ['tokenward `authenticate` (sync), in-process rate limit', () => local.authenticate({ headers }), null],
    [
      'tokenward `authenticate` (sync), Redis rate limit',
      (a = tokenward(REDIS, false)) => () => a.authenticate({ headers }),
      (a = tokenward(proxy.url, false)) => () => a.authenticate({ headers }),
    ],
    [
      'tokenward `authenticate` (sync), Redis rate limit + revocation list',
      (a = tokenward(REDIS, true)) => () => a.authenticate({ headers }),
      (a = tokenward(proxy.url, true)) => () => a.authenticate({ headers }),
    ],
    [
      'tokenward `authenticateAsync`, Redis rate limit',
      (a = tokenward(REDIS, false)) => () => a.authenticateAsync({ headers }),
      (a = tokenward(proxy.url, false)) => () => a.authenticateAsync({ headers }),
    ],
    [
      'tokenward `authenticateAsync`, Redis rate limit + revocation list',
      (a = tokenward(REDIS, true)) => () => a.authenticateAsync({ headers }),
      (a = tokenward(proxy.url, true)) => () => a.authenticateAsync({ headers }),
    ],
    [
      'tokenward `authenticateAsync`, Redis revocation list',
      (a = listOnly(REDIS)) => () => a.authenticateAsync({ headers }),
      (a = listOnly(proxy.url)) => () => a.authenticateAsync({ headers }),
    ],
    [
      '`rate-limiter-flexible` RateLimiterRedis (ioredis) `consume`',
      (l = flexible(REDIS)) => () => l.consume('bench'),
      (l = flexible(proxy.url)) => () => l.consume('bench'),
    ],
  ]
  console.log('| one decision from Node | µs per call, one at a time | ÷ PING | round trips per call | calls/s, 64 in flight |')
  console.log('|---|---|---|---|---|')
  for (const [name, make, makeCounted] of rows) {
    const fn = makeCounted ? make() : make
    await fn()
    const us = await perCall(fn)
    const trips = makeCounted ? await roundTrips(proxy, makeCounted()) : 0
    const rate = await throughput(fn)
    console.log(
      `| ${name} | ${us.toFixed(1)} | ${(us / pingUs).toFixed(2)} | ${trips.toFixed(2)} | ${Math.round(rate).toLocaleString('en')} |`,
    )
  }

  const burst = 50
  const attempts = 200
  console.log(`\nExactness: ${attempts} attempts in flight at once at one key, burst ${burst}:\n`)
  console.log('| limiter | admitted |')
  console.log('|---|---|')
  const secret = apiKeys.create(`exact-${run}`).secret.expose()
  const limit = { rate: 1, burst, period: 60 }
  const instances = [0, 1].map(() => new Authenticator({ apiKeys, rateLimit: limit, rateLimitStore: REDIS }))
  const decided = await Promise.all(
    Array.from({ length: attempts }, (_, i) => instances[i % 2].authenticateAsync({ headers: { 'x-api-key': secret } })),
  )
  console.log(`| tokenward \`authenticateAsync\` (two authenticators) | ${decided.filter((d) => d.ok).length} |`)
  const limiters = [0, 1].map(
    () => new RateLimiterRedis({ storeClient: new Redis(REDIS), points: burst, duration: 60, keyPrefix: `rlf-exact-${run}` }),
  )
  const consumed = await Promise.allSettled(Array.from({ length: attempts }, (_, i) => limiters[i % 2].consume('k')))
  console.log(
    `| \`rate-limiter-flexible\` (two limiters, two ioredis clients) | ${consumed.filter((r) => r.status === 'fulfilled').length} |`,
  )
  console.log(`\n\`redis-benchmark -c 1 -n 20000 -t ping\` after: ${redisBenchmarkPing()}`)
  process.exit(0)
}

await main()
