// Panics never abort Node: every export turns a Rust panic into an Error with code 'internal'.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import tokenward from '../index.js'

const indexJs = fileURLToPath(new URL('../index.js', import.meta.url))
const srcDir = new URL('../src/', import.meta.url)
// Every Rust source of the addon, subdirectories included (paths relative to src/).
const rustFiles = () => readdirSync(srcDir, { recursive: true }).filter((f) => f.endsWith('.rs')).sort()

// Runs `script` in a fresh Node with the panic hook enabled; returns status, signal, output.
function runChild(script) {
  const r = spawnSync(process.execPath, ['-e', script], {
    env: { ...process.env, TOKENWARD_TEST_PANIC: '1', TOKENWARD_INDEX: indexJs },
    encoding: 'utf8',
  })
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr }
}

test('a panic in a synchronous export throws code internal and the process lives on', () => {
  const r = runChild(`
    const tw = require(process.env.TOKENWARD_INDEX)
    let caught
    try { tw.__panicForTest() } catch (e) { caught = e }
    // The addon still works after the panic.
    const after = tw.redact('password=hunter2hunter2')
    console.log(JSON.stringify({
      isError: caught instanceof Error, code: caught && caught.code, message: caught && caught.message,
      after, version: tw.version(),
    }))
  `)
  assert.equal(r.signal, null, `the child died by ${r.signal}: ${r.stderr}`)
  assert.equal(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  assert.equal(out.isError, true)
  assert.equal(out.code, 'internal')
  assert.match(out.message, /panicked/)
  assert.ok(!out.after.includes('hunter2hunter2'))
  assert.equal(typeof out.version, 'string')
  // Neither the error nor the panic report shows the panic message (it may hold data).
  assert.ok(!out.message.includes('sk_live_'), out.message)
  assert.match(r.stderr, /tokenward: internal error \(Rust panic\) at /)
  assert.ok(!r.stderr.includes('sk_live_'), r.stderr)
})

test('a panic while an async export runs resolves to an internal failure', () => {
  const r = runChild(`
    const tw = require(process.env.TOKENWARD_INDEX)
    tw.__panicForTestAsync().then(
      (v) => console.log(JSON.stringify({ resolved: v })),
      (e) => console.log(JSON.stringify({ rejected: { code: e.code, message: e.message } })),
    )
  `)
  assert.equal(r.signal, null, r.stderr)
  assert.equal(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  assert.equal(out.resolved && out.resolved.code, 'internal', r.stdout)
})

test('a panic while converting a listener value is an uncaught internal error, not an abort', () => {
  const r = runChild(`
    const tw = require(process.env.TOKENWARD_INDEX)
    let called = false
    process.on('uncaughtException', (e) => {
      console.log(JSON.stringify({ called, code: e.code, message: e.message, isError: e instanceof Error }))
      // The addon still works after the panic.
      console.log(JSON.stringify({ after: tw.redact('password=hunter2hunter2') }))
    })
    tw.__panicInListenerForTest(() => { called = true })
    // Keep the loop alive until the (weak) listener has run.
    setTimeout(() => {}, 200)
  `)
  assert.equal(r.signal, null, `the child died by ${r.signal}: ${r.stderr}`)
  assert.equal(r.status, 0, r.stderr)
  const [first, second] = r.stdout.trim().split('\n').map((l) => JSON.parse(l))
  assert.deepEqual(first, {
    called: false,
    code: 'internal',
    message: first.message,
    isError: true,
  })
  assert.match(first.message, /panicked/)
  assert.ok(!second.after.includes('hunter2hunter2'))
  assert.ok(!r.stdout.includes('sk_live_') && !r.stderr.includes('sk_live_'), r.stderr)
  assert.match(r.stderr, /tokenward: internal error \(Rust panic\) at /)
})

test('every listener (threadsafe function) is made by unwind::listener', () => {
  const raw = []
  for (const file of rustFiles().filter((f) => f !== 'unwind.rs')) {
    const source = readFileSync(new URL(file, srcDir), 'utf8')
    if (/build_threadsafe_function\(/.test(source)) raw.push(file)
  }
  assert.deepEqual(raw, [], 'build threadsafe functions with crate::unwind::listener (conversion under catch_unwind)')
  const uses = execFileSync('grep', ['-rlw', 'listener(callback)', fileURLToPath(srcDir)], { encoding: 'utf8' })
  assert.ok(uses.includes('audit.rs') && uses.includes('oauth/source.rs'), uses)
})

test('the panic hooks are inert unless TOKENWARD_TEST_PANIC=1', async () => {
  assert.equal(process.env.TOKENWARD_TEST_PANIC, undefined)
  assert.throws(() => tokenward.__panicForTest(), (e) => e.code === 'invalid_input')
  assert.throws(() => tokenward.__panicInListenerForTest(() => {}), (e) => e.code === 'invalid_input')
  assert.equal((await tokenward.__panicForTestAsync()).code, 'invalid_input')
})

// Static guard: an export without catch_unwind (or a module that skips the shim import that
// makes catch_unwind throw `internal`) fails here, so new exports cannot forget it.
test('every #[napi] function carries catch_unwind; every module uses the unwind shim', () => {
  const missing = []
  for (const file of rustFiles()) {
    const lines = readFileSync(new URL(file, srcDir), 'utf8').split('\n')
    let exports = 0
    for (let i = 0; i < lines.length; i++) {
      if (!/^\s*#\[(napi_derive::)?napi\b/.test(lines[i])) continue
      let attr = lines[i]
      let j = i
      while (!/\]\s*$/.test(lines[j])) attr += lines[++j]
      let k = j + 1
      while (/^\s*(#\[|\/\/\/)/.test(lines[k])) k++
      if (!/\bfn\b/.test(lines[k])) continue // a class, impl block, object or const
      if (/module_exports/.test(attr)) continue // module load hook, not callable from JS
      exports++
      if (!/\bcatch_unwind\b/.test(attr)) missing.push(`${file}:${i + 1}: ${lines[k].trim()}`)
      if (/\basync fn\b/.test(lines[k])) {
        // The body must run under crate::unwind::caught (napi would reject with GenericFailure).
        let body = ''
        for (let b = k; b < Math.min(lines.length, k + 12); b++) body += lines[b]
        if (!/unwind::caught\(/.test(body) && !/\bcaught\(/.test(body)) missing.push(`${file}:${k + 1}: async body not under unwind::caught`)
      }
    }
    const source = lines.join('\n')
    if (exports > 0 && file !== 'lib.rs' && !/^use crate::napi(::\{self\b.*)?;$/m.test(source)) {
      missing.push(`${file}: exports without \`use crate::napi;\` (the shim of lib.rs)`)
    }
  }
  // No extern crate is called `napi` (else a path could bypass the shim).
  const manifest = readFileSync(new URL('../Cargo.toml', import.meta.url), 'utf8')
  if (/^napi\s*=/m.test(manifest)) missing.push('Cargo.toml: a dependency named `napi` bypasses the shim')
  assert.deepEqual(missing, [])
})

test('the guard sees the exports (the scan is not vacuous)', () => {
  const out = execFileSync('grep', ['-rc', 'catch_unwind)]', fileURLToPath(srcDir)], { encoding: 'utf8' })
  const total = out.trim().split('\n').reduce((n, l) => n + Number(l.split(':').pop()), 0)
  assert.ok(total >= 100, `only ${total} catch_unwind exports found`)
})
