import { test } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { createRequire } from 'node:module'

import tokenward, { Secret, errorCodes, fingerprint } from '../index.mjs'
import { loadVectors, codeOf } from './vectors.mjs'

const require = createRequire(import.meta.url)

test('CommonJS and ESM expose the same native module', () => {
  const cjs = require('../index.js')
  assert.equal(cjs.Secret, Secret)
  assert.equal(tokenward.version(), cjs.version())
})

test('printed forms of a secret never contain it', () => {
  const value = 'tw_live_SuperSecretValue123'
  const s = new Secret(value)
  const forms = [
    inspect(s),
    inspect({ nested: { s } }, { depth: 5 }),
    String(s),
    `${s}`,
    JSON.stringify({ s }),
    s.toString(),
  ]
  for (const printed of forms) {
    assert.ok(!printed.includes('SuperSecret'), printed)
  }
  assert.ok(inspect(s).includes(s.fingerprint))
  assert.equal(s.expose(), value)
  assert.ok(s.equals(value))
  assert.ok(!s.equals(value + 'x'))
})

test('an error raised in Rust reaches JS as an Error with .code', () => {
  assert.throws(() => new Secret(''), (err) => {
    assert.ok(err instanceof Error)
    assert.equal(err.code, 'invalid_input')
    assert.match(err.message, /empty/)
    return true
  })
})

test('vectors: error codes', () => {
  const { codes } = loadVectors('error_codes.json')
  assert.deepEqual(errorCodes(), codes.map((c) => c.code))
})

test('vectors: secrets and fingerprints', () => {
  const { cases, fingerprint_of_empty } = loadVectors('secrets.json')
  assert.equal(fingerprint(''), fingerprint_of_empty)
  for (const c of cases) {
    if (c.error) {
      assert.equal(codeOf(() => new Secret(c.input)), c.error, c.name)
      continue
    }
    const s = new Secret(c.input)
    assert.equal(s.fingerprint, c.fingerprint, c.name)
    assert.equal(fingerprint(c.input), c.fingerprint, c.name)
    assert.ok(!inspect(s).includes(c.input), c.name)
  }
})
