// The Express and Fastify adapters under load: real HTTP servers on 127.0.0.1, each in its own
// child process (single process), driven by autocannon (in this process, no workers) with a
// fixed number of connections for a fixed time, in rounds that visit every variant in turn
// (rotated order), so all variants see the same machine load. Every variant answers
// {"sub":"alice"} to GET /v1/things with the same HS256 bearer JWT:
//   none        no authentication (the framework's own cost)
//   inline      the handler calls auth.authenticate({...}) itself: the floor for the adapter
//   tokenward   tokenward.express(...) in app.use / the tokenward.fastify plugin
//   route       Express only: tokenward.express(...) as the route's own middleware
//               (app.get(path, tokenward.express(...), handler))
//   handler     Express only: tokenward.express(..., handler) as the route's handler (no
//               middleware layer to dispatch)
//   peer        express-jwt / @fastify/jwt verifying the same token
//
//   cd node && node bench/adapters-load.mjs [express|fastify ...]
//   env: BENCH_ROUNDS (default 5), BENCH_DURATION (s per variant and round, default 4),
//        BENCH_CONNECTIONS (default 16), BENCH_CPU_PROF=DIR (servers run with --cpu-prof)
//   BENCH_CALLGRIND=1: instead, each server in turn runs under valgrind's callgrind and the
//        instructions it executes per request are counted (BENCH_REQUESTS after as many
//        warm-up requests, default 2000): a figure the machine's load does not move.
//
// Per-request server cost: 1e6 / req/s (wall time of the single-process server, which is the
// bottleneck) and the server's CPU time per request (utime+stime from /proc/PID/stat, all
// threads: GC included), medians over the rounds. A benchmark, not a test.
import { execFileSync, fork } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const SECRET = 'adapters-load-bench-secret-0123456789abcdef'
const PATH = '/v1/things'
const VARIANTS = ['none', 'inline', 'tokenward', 'peer', 'route', 'handler']
const EXPRESS_ONLY = ['route', 'handler']
const variantsOf = (framework) => (framework === 'express' ? VARIANTS : VARIANTS.filter((v) => !EXPRESS_ONLY.includes(v)))
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
    } else if (variant === 'route') {
      app.get(PATH, tokenward.express({ authenticator: auth }), (req, res) => res.json({ sub: req.principal.subject }))
    } else if (variant === 'handler') {
      app.get(PATH, tokenward.express({ authenticator: auth }, (req, res) => res.json({ sub: req.principal.subject })))
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

// Starts the server of `framework`/`variant` in a child process (under `valgrind` when given
// its arguments) and checks its answer.
async function start(framework, variant, headers, valgrind = null) {
  const execArgv = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []
  const options = { stdio: 'inherit', execArgv }
  if (valgrind) Object.assign(options, { execPath: 'valgrind', execArgv: [...valgrind, process.execPath] })
  const child = fork(fileURLToPath(import.meta.url), ['--serve', framework, variant], options)
  const { port } = await new Promise((resolve, reject) => { child.once('message', resolve); child.once('exit', reject) })
  const url = `http://127.0.0.1:${port}${PATH}`
  const check = await fetch(url, { headers })
  const body = await check.text()
  if (check.status !== 200 || body !== '{"sub":"alice"}') throw new Error(`${framework}/${variant}: ${check.status} ${body}`)
  return { framework, variant, child, url, rps: [], wall: [], cpu: [] }
}

// Instructions per request of each server under callgrind, one server at a time.
async function instructions(autocannon, frameworks, headers) {
  const requests = Number(process.env.BENCH_REQUESTS ?? 2000)
  const dir = mkdtempSync(join(tmpdir(), 'adapters-callgrind-'))
  const ir = {}
  try {
    for (const framework of frameworks) {
      for (const variant of variantsOf(framework)) {
        const out = join(dir, `${framework}-${variant}`)
        const s = await start(framework, variant, headers, ['--tool=callgrind', `--callgrind-out-file=${out}`])
        const load = (amount) => autocannon({ url: s.url, headers, connections: 4, amount, timeout: 60 })
        await load(requests) // warm-up (JIT), not counted
        execFileSync('callgrind_control', ['--zero', String(s.child.pid)], { stdio: 'ignore' })
        const r = await load(requests)
        execFileSync('callgrind_control', ['--dump', String(s.child.pid)], { stdio: 'ignore' })
        if (r.errors || r.non2xx || r['2xx'] !== requests) throw new Error(`${framework}/${variant}: ${r['2xx']} of ${requests}`)
        const dump = readdirSync(dir).find((f) => f.startsWith(`${framework}-${variant}.`))
        const total = Number(/^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dir, dump), 'utf8'))[1])
        s.child.send('exit')
        await new Promise((resolve) => s.child.once('exit', resolve))
        ir[`${framework}/${variant}`] = total / requests
        process.stderr.write(`${framework} ${variant}: ${Math.round(total / requests)} instructions per request\n`)
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  console.log(`instructions per request (callgrind, ${requests} requests after ${requests} warm-up, 4 connections)`)
  for (const f of frameworks) {
    const [none, inline, tw, peer, route, handler] = VARIANTS.map((v) => ir[`${f}/${v}`])
    const k = (x) => `${(x / 1000).toFixed(1)} k`
    console.log(`${f}: none ${k(none)}, inline ${k(inline)}, tokenward ${k(tw)}, ${PEER[f]} ${k(peer)}; ` +
      `authenticate in the handler ${k(inline - none)}, adapter added ${k(tw - inline)}, tokenward minus ${PEER[f]} ${k(tw - peer)}` +
      (route === undefined ? '' : `; as route middleware ${k(route)}, added ${k(route - inline)}; ` +
        `as the route's handler ${k(handler)}, added ${k(handler - inline)}`))
  }
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

  if (process.env.BENCH_CALLGRIND) return instructions(autocannon, frameworks, headers)
  const servers = []
  for (const framework of frameworks) {
    for (const variant of variantsOf(framework)) servers.push(await start(framework, variant, headers))
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
    const [none, inline, tw, peer, route, handler] = VARIANTS.map((v) => by[`${f}/${v}`])
    console.log(`${f}: authenticate in the handler ${diff(inline, none, 'wall')} µs wall / ${diff(inline, none, 'cpu')} µs CPU over no auth; ` +
      `adapter added ${diff(tw, inline, 'wall')} / ${diff(tw, inline, 'cpu')}; ` +
      `tokenward minus ${PEER[f]} ${diff(tw, peer, 'wall')} / ${diff(tw, peer, 'cpu')}` +
      (route === undefined ? '' : `; as route middleware added ${diff(route, inline, 'wall')} / ${diff(route, inline, 'cpu')}` +
        `; as the route's handler added ${diff(handler, inline, 'wall')} / ${diff(handler, inline, 'cpu')}`))
  }
}
