// Error classes: every error the package throws or rejects with is a TokenwardError of its
// category's subclass (the names Python uses), an Error, with `.code` unchanged.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

import tokenward from '../index.js'
import * as esm from '../index.mjs'
import { loadVectors } from './vectors.mjs'

const {
  TokenwardError, InvalidTokenError, InvalidKeyError, ApiKeyError, AuthorizationError, OAuthError,
  TransportError, InvalidInputError, InternalError,
  ApiKeys, Authenticator, JwtIssuer, JwtVerifier, JwtKey, KeySet, RemoteKeySet, Secret, scrubObject,
} = tokenward
const BY_CATEGORY = {
  token: InvalidTokenError, key: InvalidKeyError, api_key: ApiKeyError, authorization: AuthorizationError,
  oauth: OAuthError, transport: TransportError, input: InvalidInputError, internal: InternalError,
}
const indexJs = fileURLToPath(new URL('../index.js', import.meta.url))
const bindingJs = fileURLToPath(new URL('../binding.js', import.meta.url))

// The error `fn` throws, checked to be the class of `code`'s category.
function thrown(fn, cls, code) {
  let caught
  assert.throws(fn, (e) => { caught = e; return true })
  assert.ok(caught instanceof cls, `${caught && caught.name}: ${caught && caught.message}`)
  assert.ok(caught instanceof TokenwardError && caught instanceof Error)
  assert.equal(caught.code, code)
  assert.equal(caught.name, cls.name)
  return caught
}

test('the classes are exported (CommonJS and ESM, the same objects) and are Errors', () => {
  for (const [category, cls] of Object.entries(BY_CATEGORY)) {
    assert.equal(esm[cls.name], cls)
    assert.equal(Object.getPrototypeOf(cls), TokenwardError)
    assert.equal(cls.prototype.category, category)
  }
  assert.equal(esm.TokenwardError, TokenwardError)
  assert.equal(Object.getPrototypeOf(TokenwardError), Error)
  const e = new InvalidTokenError('expired', 'the token has expired')
  assert.deepEqual([e.code, e.category, e.message, e.name, String(e)],
    ['expired', 'token', 'the token has expired', 'InvalidTokenError', 'InvalidTokenError: the token has expired'])
  // `.code` is the one own enumerable property, as on the former plain errors.
  assert.deepEqual(Object.keys(e), ['code'])
})

test('a synchronous throw from a native function is an instance of its class', () => {
  const e = thrown(() => new Secret(''), InvalidInputError, 'invalid_input')
  assert.equal(e.category, 'input')
  thrown(() => new ApiKeys('tw_live').verify('tw_live_not-a-key'), ApiKeyError, 'invalid_format')
  thrown(() => JwtKey.fromJwk({ kty: 'oct' }), InvalidKeyError, 'invalid_key')
  thrown(() => new Authenticator({}), InvalidInputError, 'invalid_input')
})

test('the JwtVerifier hot path (raw N-API) throws the classes too', () => {
  const key = JwtKey.hmac('k'.repeat(32), 'HS256')
  const verifier = new JwtVerifier(key, { algorithms: ['HS256'] })
  const expired = new JwtIssuer(key, { ttl: 1 }).issue({ exp: 1000 })
  thrown(() => verifier.verify(expired), InvalidTokenError, 'expired')
  thrown(() => verifier.verifyJson('not.a.token'), InvalidTokenError, 'malformed')
  const other = new JwtIssuer(JwtKey.hmac('x'.repeat(32), 'HS256')).issue({})
  thrown(() => verifier.verify(other), InvalidTokenError, 'invalid_signature')
  // A success is the plain claims object, nothing else.
  assert.equal(verifier.verify(new JwtIssuer(key).issue({ sub: 'u' })).sub, 'u')
})

test("napi's argument conversion errors are InvalidInputErrors and keep napi's code", () => {
  const e = thrown(() => tokenward.redact(42), InvalidInputError, 'StringExpected')
  assert.equal(e.category, 'input')
  const key = JwtKey.hmac('k'.repeat(32), 'HS256')
  thrown(() => new JwtVerifier(key, { algorithms: ['HS256'] }).verify(42), InvalidInputError, 'StringExpected')
})

test('an async rejection is an instance of its class', async () => {
  await assert.rejects(RemoteKeySet.discover('http://127.0.0.1:9'), (e) =>
    e instanceof TransportError && e instanceof TokenwardError && e instanceof Error && e.code === 'network' &&
    e.category === 'transport')
})

test('errors of the JS integrations are InvalidInputErrors', () => {
  thrown(() => scrubObject({ a: 1 }, {}), InvalidInputError, 'invalid_input')
  thrown(() => tokenward.express({}), InvalidInputError, 'invalid_input')
  thrown(() => tokenward.fastifyHook(undefined), InvalidInputError, 'invalid_input')
})

test('every code of the shared vocabulary maps to the class of its category', () => {
  const require = createRequire(import.meta.url)
  const { fromNative, fromFailure } = require('../errors.js')
  for (const { code, category } of loadVectors('error_codes.json').codes) {
    const e = fromNative(code, category, 'm')
    assert.ok(e instanceof BY_CATEGORY[category], `${code} -> ${e.name}`)
    assert.deepEqual([e.code, e.category, e.message], [code, category, 'm'])
    assert.ok(fromFailure({ code, category, message: 'm' }) instanceof BY_CATEGORY[category])
  }
  // An unknown category still gives a TokenwardError with the code.
  const e = fromNative('new_code', 'new_category', 'm')
  assert.equal(Object.getPrototypeOf(e), TokenwardError.prototype)
  assert.equal(e.code, 'new_code')
})

test('the registration hook is hidden: not enumerable, not typed, gone after load', () => {
  assert.equal('__tokenwardRegisterErrors' in tokenward, false)
  assert.equal(Object.keys(tokenward).some((k) => /register/i.test(k)), false)
})

test('a panic throws an InternalError (code internal)', () => {
  const r = spawnSync(process.execPath, ['-e', `
    const tw = require(process.env.TOKENWARD_INDEX)
    try { tw.__panicForTest() } catch (e) {
      console.log(JSON.stringify({ internal: e instanceof tw.InternalError, base: e instanceof tw.TokenwardError,
        error: e instanceof Error, code: e.code, category: e.category }))
    }
  `], { env: { ...process.env, TOKENWARD_TEST_PANIC: '1', TOKENWARD_INDEX: indexJs }, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout), { internal: true, base: true, error: true, code: 'internal', category: 'internal' })
})

test('without index.js (the bare loader) native errors are plain Errors with .code', () => {
  const r = spawnSync(process.execPath, ['-e', `
    const b = require(process.env.TOKENWARD_BINDING)
    try { new b.Secret('') } catch (e) {
      console.log(JSON.stringify({ proto: Object.getPrototypeOf(e) === Error.prototype, code: e.code }))
    }
  `], { env: { ...process.env, TOKENWARD_BINDING: bindingJs }, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout), { proto: true, code: 'invalid_input' })
})

test('a worker thread gets the classes of its own module instance', async () => {
  const worker = new Worker(`
    const { parentPort } = require('node:worker_threads')
    const tw = require(${JSON.stringify(indexJs)})
    try { new tw.Secret('') } catch (e) {
      parentPort.postMessage({ cls: e instanceof tw.InvalidInputError, code: e.code })
    }
  `, { eval: true })
  const message = await new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  await worker.terminate()
  assert.deepEqual(message, { cls: true, code: 'invalid_input' })
})
