// The published entry points: ESM and CommonJS agree, and the public types hold no internals.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

import * as esm from '../index.mjs'

const require = createRequire(import.meta.url)
const cjs = require('../index.js')
const dts = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

// Runtime values the types declare (classes, functions, consts, namespaces).
const declared = [...dts.matchAll(/^export declare (?:class|function|const|namespace|enum|const enum) (\w+)/gm)].map((m) => m[1])

test('the public types declare no internal or test-only symbol', () => {
  assert.ok(declared.length >= 30, `only ${declared.length} declarations found`)
  const internal = /Raw\b|emitTestAuditEvent|__napiBindingTarget|__panicForTest|tokenStart|fastVerifier|PendingToken|\bFailure\b/
  const hits = dts.split('\n').filter((l) => internal.test(l) && !l.trim().startsWith('//'))
  assert.deepEqual(hits, [])
})

test('every declared value is a named ESM export, the same object as in CommonJS', () => {
  const missing = declared.filter((name) => !(name in esm))
  assert.deepEqual(missing, [])
  for (const name of declared) assert.equal(esm[name], cjs[name], name)
  assert.equal(esm.default, cjs)
})

test('package.json: conditional exports with types for import and require, engines >= 20', () => {
  const root = pkg.exports['.']
  assert.deepEqual(root.import, { types: './index.d.mts', default: './index.mjs' })
  assert.deepEqual(root.require, { types: './index.d.ts', default: './index.js' })
  assert.equal(pkg.engines.node, '>=20')
  for (const f of ['index.d.mts', 'index.d.ts', 'index.mjs', 'index.js', 'binding.js']) assert.ok(pkg.files.includes(f), f)
  assert.ok(!pkg.files.some((f) => f.endsWith('.node')), 'the addon ships in the platform packages')
})
