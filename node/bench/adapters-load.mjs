// The Express and Fastify adapters under load: real HTTP servers on 127.0.0.1, each in its own
// child process (single process), driven by autocannon (in this process, no workers) with a
// fixed number of connections for a fixed time, in rounds that visit every variant in turn
// (rotated order), so all variants see the same machine load. Every variant answers
// {"sub":"alice"} to GET /v1/things with the same HS256 bearer JWT:
//   none        no authentication (the framework's own cost)
//   inline      the handler calls auth.authenticate({...}) itself: the floor for the adapter
//   tokenward   tokenward.express(...) / the tokenward.fastify plugin
//   peer        express-jwt / @fastify/jwt verifying the same token
//
//   cd node && node bench/adapters-load.mjs [express|fastify ...]
//   env: BENCH_ROUNDS (default 5), BENCH_DURATION (s per variant and round, default 4),
//        BENCH_CONNECTIONS (default 16), BENCH_CPU_PROF=DIR (servers run with --cpu-prof)
//
// Per-request server cost: 1e6 / req/s (wall time of the single-process server, which is the
// bottleneck) and the server's CPU time per request (utime+stime from /proc/PID/stat, all
// threads: GC included), medians over the rounds. A benchmark, not a test.
import { fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'

const SECRET = 'adapters-load-bench-secret-0123456789abcdef'
const PATH = '/v1/things'
const VARIANTS = ['none', 'inline', 'tokenward', 'peer']
const PEER = { express: 'express-jwt', fastify: '@fastify/jwt' }

if (process.argv[2] === '--serve') {
  await serve(process.argv[3], process.argv[4])
} else {
  await main()
}

async function serve(framework, variant) {
  const { default: tokenward, Authenticator, JwtVerifier, JwtKey } = await import('../index.mjs')
  const key = JwtKey.hmac(SECRET, 'HS256')
  const auth = new Authenticator({ jwt: new JwtVerifier(key, { algorithms: ['HS256'] }) })
  // The floor: what an adapter must do at least (the request fields, the call, the check).
  const authenticate = (raw) => auth.authenticate({
    method: raw.method,
    path: raw.url,
    headers: raw.rawHeaders,
    clientIp: raw.socket.remoteAddress,
    requiredScopes: [],
  })
  let server
  if (framework === 'express') {
    const { default: express } = await import('express')
    const app = express()
    if (variant === 'none') {
      app.get(PATH, (req, res) => res.json({ sub: 'alice' }))
    } else if (variant === 'inline') {
      app.get(PATH, (req, res) => {
        const d = authenticate(req)
        if (!d.ok) return res.status(d.status).json({ error: d.error })
        res.json({ sub: d.subject })
      })
    } else if (variant === 'tokenward') {
      app.use(tokenward.express({ authenticator: auth }))
      app.get(PATH, (req, res) => res.json({ sub: req.principal.subject }))
    } else {
      // A KeyObject: with the secret as a string (the README's form) jsonwebtoken first tries
      // it as a PEM public key and catches the error, ~40× slower per request here.
      const { expressjwt } = await import('express-jwt')
      const { createSecretKey } = await import('node:crypto')
      app.use(expressjwt({ secret: createSecretKey(Buffer.from(SECRET)), algorithms: ['HS256'] }))
      app.get(PATH, (req, res) => res.json({ sub: req.auth.sub }))
    }
    server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)) })
  } else {
    const { default: Fastify } = await import('fastify')
    const app = Fastify()
    if (variant === 'none') {
      app.get(PATH, async () => ({ sub: 'alice' }))
    } else if (variant === 'inline') {
      app.get(PATH, async (request, reply) => {
        const d = authenticate(request.raw)
        if (!d.ok) return reply.code(d.status).send({ error: d.error })
        return { sub: d.subject }
      })
    } else if (variant === 'tokenward') {
      await app.register(tokenward.fastify, { authenticator: auth })
      app.get(PATH, async (request) => ({ sub: request.principal.subject }))
    } else {
      const { default: fastifyJwt } = await import('@fastify/jwt')
      await app.register(fastifyJwt, { secret: SECRET, verify: { algorithms: ['HS256'] } })
      app.addHook('onRequest', (request) => request.jwtVerify())
      app.get(PATH, async (request) => ({ sub: request.user.sub }))
    }
    await app.listen({ port: 0, host: '127.0.0.1' })
    server = app.server
  }
  process.on('message', (m) => { if (m === 'exit') process.exit(0) }) // --cpu-prof writes on exit
  process.send({ port: server.address().port })
}

// utime + stime of a process (all threads), in µs.
function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 1e4 // clock ticks of 10 ms
}

async function main() {
  const { default: autocannon } = await import('autocannon')
  const { JwtIssuer, JwtKey } = await import('../index.mjs')
  const frameworks = process.argv.slice(2).length ? process.argv.slice(2) : ['express', 'fastify']
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
  const duration = Number(process.env.BENCH_DURATION ?? 4)
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 16)
  const token = new JwtIssuer(JwtKey.hmac(SECRET, 'HS256'), { ttl: 86400 }).issue({}, { subject: 'alice' })
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json', 'user-agent': 'autocannon' }

  const servers = []
  for (const framework of frameworks) {
    for (const variant of VARIANTS) {
      const execArgv = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []
      const child = fork(fileURLToPath(import.meta.url), ['--serve', framework, variant], { stdio: 'inherit', execArgv })
      const { port } = await new Promise((resolve, reject) => { child.once('message', resolve); child.once('exit', reject) })
      const url = `http://127.0.0.1:${port}${PATH}`
      const check = await fetch(url, { headers })
      const body = await check.text()
      if (check.status !== 200 || body !== '{"sub":"alice"}') throw new Error(`${framework}/${variant}: ${check.status} ${body}`)
      servers.push({ framework, variant, child, url, rps: [], wall: [], cpu: [] })
    }
  }
  const run = async (s, seconds) => {
    const cpu0 = cpuMicros(s.child.pid)
    const r = await autocannon({ url: s.url, headers, connections, duration: seconds, pipelining: 1 })
    const cpu = cpuMicros(s.child.pid) - cpu0
    if (r.errors || r.non2xx || r.timeouts) throw new Error(`${s.framework}/${s.variant}: ${r.errors} errors, ${r.non2xx} non-2xx`)
    const ok = r['2xx']
    return { rps: ok / r.duration, cpu: cpu / ok }
  }
  const load = [loadavg()[0]]
  for (const s of servers) await run(s, 1) // warm-up (JIT), not counted
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < servers.length; i++) {
      const s = servers[(i + round) % servers.length]
      const { rps, cpu } = await run(s, duration)
      s.rps.push(rps); s.wall.push(1e6 / rps); s.cpu.push(cpu)
    }
    load.push(loadavg()[0])
    process.stderr.write(`round ${round + 1}/${rounds} done (load ${loadavg()[0].toFixed(2)})\n`)
  }
  for (const s of servers) s.child.send('exit')

  const median = (xs) => { const a = [...xs].sort((x, y) => x - y); const m = a.length >> 1; return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2 }
  console.log(`${rounds} rounds × ${duration} s per variant, ${connections} connections, autocannon in-process; ` +
    `load average ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)} (2 cores); medians over rounds`)
  console.log(`${'server'.padEnd(28)} ${'req/s'.padStart(8)} ${'µs/req wall'.padStart(12)} ${'µs/req CPU'.padStart(11)}`)
  const by = {}
  for (const s of servers) {
    const name = `${s.framework} ${s.variant === 'peer' ? PEER[s.framework] : s.variant}`
    by[`${s.framework}/${s.variant}`] = s
    console.log(`${name.padEnd(28)} ${Math.round(median(s.rps)).toString().padStart(8)} ${median(s.wall).toFixed(1).padStart(12)} ${median(s.cpu).toFixed(1).padStart(11)}`)
  }
  // Differences per round (paired: the two ran in the same round), then the median.
  const diff = (a, b, field) => median(a[field].map((x, i) => x - b[field][i])).toFixed(1)
  for (const f of frameworks) {
    const [none, inline, tw, peer] = VARIANTS.map((v) => by[`${f}/${v}`])
    console.log(`${f}: authenticate in the handler ${diff(inline, none, 'wall')} µs wall / ${diff(inline, none, 'cpu')} µs CPU over no auth; ` +
      `adapter added ${diff(tw, inline, 'wall')} / ${diff(tw, inline, 'cpu')}; ` +
      `tokenward minus ${PEER[f]} ${diff(tw, peer, 'wall')} / ${diff(tw, peer, 'cpu')}`)
  }
}
