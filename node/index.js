'use strict'
// Public entry point: the generated napi loader plus the few JS-only touches a native class
// cannot provide itself (util.inspect redaction). No token logic lives here.
const { inspect } = require('node:util')
const binding = require('./binding.js')

const redactedInspect = function (depth, options) {
  return `Secret ${options && options.stylize ? options.stylize(this.toString(), 'special') : this.toString()}`
}
binding.Secret.prototype[inspect.custom] = redactedInspect

// Records have native getters only; show their fields (never secret material) when inspected.
binding.KeyRecord.prototype[inspect.custom] = function (depth, options) {
  return `KeyRecord ${inspect(this.toJSON(), options)}`
}

module.exports = binding

// JWT keys print their kid and algorithm only, never key material.
binding.Key.prototype[inspect.custom] = function () {
  const body = `{ kid: ${JSON.stringify(this.kid)}, algorithm: ${JSON.stringify(this.algorithm)}, canSign: ${this.canSign} }`
  return `Key ${body}`
}
binding.KeySet.prototype[inspect.custom] = function () {
  return `KeySet { size: ${this.size}, kids: ${JSON.stringify(this.kids)} }`
}

// Logging integrations of the scrubber (pino hooks, winston format).
Object.assign(module.exports, require('./redact-integrations.js'))

// Remote JWKS: napi's async functions cannot reject with tokenward's codes, so the native side
// resolves to a value or a { code, message } failure, and these wrappers throw the usual Error.
function rejectWithCode(failure) {
  const err = new Error(failure.message)
  err.code = failure.code
  throw err
}
const isFailure = (v) => v !== null && typeof v === 'object' && typeof v.code === 'string' && typeof v.message === 'string'

binding.RemoteKeySet.discover = async function discover(issuerUrl, options) {
  const out = await binding.RemoteKeySet.discoverRaw(issuerUrl, options)
  return isFailure(out) ? rejectWithCode(out) : out
}
binding.RemoteJwtVerifier.prototype.verify = async function verify(token) {
  const out = await this.verifyRaw(token)
  return isFailure(out) ? rejectWithCode(out) : JSON.parse(out)
}
binding.RemoteKeySet.prototype[inspect.custom] = function () {
  return `RemoteKeySet { url: ${JSON.stringify(this.url)} }`
}
