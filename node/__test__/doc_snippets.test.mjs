// Executes the JS code blocks of README.md and docs/*.md (found by tests/tools/doc_snippets.py),
// so a renamed or removed name in the documentation fails here.
// Every block's tokenward names are resolved against the package's exports (`import { X } from
// 'tokenward'`, `const { X } = require('tokenward')`, and `X.y` for such an X: static members);
// blocks without `no-run=<reason>` then run in a child process, after the prelude their
// `setup=<name>` names (PRELUDES below). A block runs as an ES module when it has `import`
// declarations, else as CommonJS inside an async function (so `await` and `return` work).
// A block with `issuer=<url>` runs against the OAuth mock server (tests/oauth/mock-server.mjs),
// its issuer in place of <url> (and in $TOKENWARD_OAUTH_ISSUER for preludes).
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { createInterface } from 'node:readline'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const nodeDir = join(dirname(fileURLToPath(import.meta.url)), '..')
const repo = join(nodeDir, '..')
const tokenward = createRequire(import.meta.url)('../index.js')

const listed = spawnSync('python3', [join(repo, 'tests/tools/doc_snippets.py'), '--json', '--lang=js'], { encoding: 'utf8' })
if (listed.status !== 0) throw new Error(`tests/tools/doc_snippets.py failed: ${listed.stderr}`)
const blocks = JSON.parse(listed.stdout)

// The variables fragments use, set up before the block runs.
const PRELUDES = {
  // docs/errors.md: a verifier and a token to verify, inside a request handler.
  verifier: `
const __tw = require('tokenward')
const __key = __tw.JwtKey.generate('EdDSA')
const verifier = new __tw.JwtVerifier(__key, { algorithms: ['EdDSA'] })
const token = new __tw.JwtIssuer(__key).issue({})
const reply401 = (code) => code
`,
  // docs/gateway.md (Node): the request of a node:http handler, and the claims of a token to revoke.
  node_request: `
process.env.JWT_SECRET ??= 'doc-snippet-hmac-secret-0123456789abcdef'
const req = { method: 'GET', url: '/v1/things', headers: { 'x-api-key': 'tw_live_unknown' }, socket: { remoteAddress: '198.51.100.7' } }
const claims = { exp: Math.floor(Date.now() / 1000) + 3600 }
`,
  // README.md: the Express app.
  express_app: `
const app = require('express')()
`,
  // docs/oauth.md, the app login: a stand-in for the browser (the mock server signs the user in
  // at once); returns the URL the browser is redirected to, what the redirect handler receives.
  browser: `
const openBrowser = async (url) => (await fetch(url, { redirect: 'manual' })).headers.get('location')
`,
  // docs/oauth.md: the app's refresh-token store and logger, and its API's URL.
  oauth_app: `
const store = { save () {} }
const log = { warn () {} }
const url = process.env.TOKENWARD_OAUTH_ISSUER + '/.well-known/openid-configuration'
`,
  // docs/gateway.md (Express, Fastify): an authenticator and a route handler.
  node_auth: `
const { Authenticator: __Authenticator, ApiKeys: __ApiKeys } = await import('tokenward')
const auth = new __Authenticator({ apiKeys: new __ApiKeys('tw_live') })
const handler = async () => ({ ok: true })
`,
}

/**
 * The tokenward names a block uses: [local name, export name] pairs and `X.y` members. `context`
 * is the code of the page's earlier blocks: a block continues them, their imports count too.
 */
export function tokenwardNames (code, context = '') {
  const bound = new Map() // local name -> export name ('' for the whole module)
  for (const m of (context + '\n' + code).matchAll(/import\s+(?:(\w+)\s*,?\s*)?(?:\{([^}]*)\})?\s*from\s*['"]tokenward['"]/g)) {
    if (m[1]) bound.set(m[1], '')
    for (const part of (m[2] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const [name, local] = part.split(/\s+as\s+/)
      bound.set((local ?? name).trim(), name.trim())
    }
  }
  for (const m of (context + '\n' + code).matchAll(/(?:const|let|var)\s+(?:(\w+)|\{([^}]*)\})\s*=\s*require\(\s*['"]tokenward['"]\s*\)/g)) {
    if (m[1]) bound.set(m[1], '')
    for (const part of (m[2] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const [name, local] = part.split(':')
      bound.set((local ?? name).trim(), name.trim())
    }
  }
  const members = []
  for (const [local, name] of bound) {
    for (const m of code.matchAll(new RegExp(`(?<![\\w.$])${local.replace('$', '\\$')}\\.(\\w+)`, 'g'))) members.push([local, name, m[1]])
  }
  return { bound, members }
}

/** Throws when a tokenward name of the block does not exist. */
export function checkNames (block) {
  const earlier = blocks.filter((b) => b.file === block.file && b.line < block.line).map((b) => b.code).join('\n')
  const { bound, members } = tokenwardNames(block.code, earlier)
  // Names this block uses (its own imports, or an earlier block's).
  const used = [...bound].filter(([local]) => new RegExp(`(?<![\\w.$])${local.replace('$', '\\$')}\\b`).test(block.code))
  for (const [local, name] of used) {
    if (name && !(name in tokenward)) throw new Error(`${block.id}: tokenward has no export ${name} (${local})`)
  }
  for (const [local, name, member] of members) {
    const value = name ? tokenward[name] : tokenward
    if (value !== null && (typeof value === 'object' || typeof value === 'function') && !(member in value)) {
      throw new Error(`${block.id}: ${name || 'tokenward'}.${member} does not exist (${local}.${member})`)
    }
  }
  return used.length + members.length
}

let mock = null // started by the first block that needs it
async function oauthIssuer () {
  if (!mock) {
    const proc = spawn(process.execPath, ['tests/oauth/mock-server.mjs'], { cwd: repo, stdio: ['pipe', 'pipe', 'inherit'] })
    const line = await new Promise((resolve, reject) => {
      createInterface({ input: proc.stdout }).once('line', resolve)
      proc.once('exit', (code) => reject(new Error(`mock server exited with ${code}`)))
    })
    mock = { proc, issuer: JSON.parse(line).issuer }
  }
  return mock.issuer
}
after(() => { if (mock) { mock.proc.stdin.end(); mock.proc.kill() } })

async function run (block) {
  const prelude = block.setup ? PRELUDES[block.setup] : ''
  assert.ok(prelude !== undefined, `${block.id}: unknown setup=${block.setup} (PRELUDES in node/__test__/doc_snippets.test.mjs)`)
  const issuer = block.issuer ? await oauthIssuer() : ''
  const code = block.issuer ? block.code.replaceAll(block.issuer, issuer) : block.code
  const esm = /^\s*import\s[^(]/m.test(code)
  const source = esm
    ? `${prelude}\n${code}`
    : `(async () => {\n${prelude}\n${code}\n})().catch((err) => { console.error(err); process.exit(1) })\n`
  // Inside node/, so 'tokenward' (the package's own name) and its dev dependencies resolve.
  const dir = mkdtempSync(join(nodeDir, '.doc-snippet-'))
  const cwd = mkdtempSync(join(tmpdir(), 'tw-doc-snippet-'))
  try {
    const file = join(dir, esm ? 'snippet.mjs' : 'snippet.cjs')
    writeFileSync(file, source)
    const env = { ...process.env, TOKENWARD_OAUTH_ISSUER: issuer, CLIENT_SECRET: 'doc-snippet-client-secret' }
    const r = await new Promise((resolve) => {
      const child = spawn(process.execPath, [file], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 })
      let stderr = ''
      child.stderr.on('data', (d) => { stderr += d })
      child.on('close', (status, signal) => resolve({ status, signal, stderr }))
    })
    assert.equal(r.status, 0, `${block.id} failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}):\n${r.stderr}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
    rmSync(cwd, { recursive: true, force: true })
  }
}

test('the extractor finds the JS blocks', () => {
  assert.ok(blocks.length >= 10, `${blocks.length} blocks`)
  assert.ok(blocks.filter((b) => !b.no_run).length >= 7)
})

for (const block of blocks) {
  test(`${block.id}: tokenward names exist`, () => {
    assert.ok(checkNames(block) > 0, `${block.id} names nothing from tokenward`)
  })
  if (!block.no_run) test(`${block.id}: runs`, async () => run(block))
}

test('a stale name fails the check', () => {
  assert.throws(() => checkNames({ id: 'stale.md:1', code: "import { NoSuchThing } from 'tokenward'\n" }), /NoSuchThing/)
  assert.throws(() => checkNames({ id: 'stale.md:1', code: "const { JwtKey } = require('tokenward')\nJwtKey.noSuchMethod()\n" }), /noSuchMethod/)
})
