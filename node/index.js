'use strict'
// Public entry point: the generated napi loader plus the few JS-only touches a native class
// cannot provide itself (util.inspect redaction). No token logic lives here.
const { inspect } = require('node:util')
const binding = require('./binding.js')
const errors = require('./errors.js')

// Native errors are built by `errors.fromNative` (instances of the classes below). The native
// side offers a hidden, non-enumerable registration function for that once per load; it is
// removed right away so it is no API (see src/error.rs).
{
  const register = binding.__tokenwardRegisterErrors
  if (typeof register === 'function') {
    delete binding.__tokenwardRegisterErrors
    register(errors.fromNative)
  }
}

const redactedInspect = function (depth, options) {
  return `Secret ${options && options.stylize ? options.stylize(this.toString(), 'special') : this.toString()}`
}
binding.Secret.prototype[inspect.custom] = redactedInspect

// Records have native getters only; show their fields (never secret material) when inspected.
binding.KeyRecord.prototype[inspect.custom] = function (depth, options) {
  return `KeyRecord ${inspect(this.toJSON(), options)}`
}

module.exports = binding
// TokenwardError and its subclasses (InvalidTokenError, …), for `instanceof`.
Object.assign(module.exports, errors.classes)

// JWT keys print their kid and algorithm only, never key material.
binding.JwtKey.prototype[inspect.custom] = function () {
  const body = `{ kid: ${JSON.stringify(this.kid)}, algorithm: ${JSON.stringify(this.algorithm)}, canSign: ${this.canSign} }`
  return `JwtKey ${body}`
}
binding.KeySet.prototype[inspect.custom] = function () {
  return `KeySet { size: ${this.size}, kids: ${JSON.stringify(this.kids)} }`
}

// Logging integrations of the scrubber (pino hooks, winston format).
Object.assign(module.exports, require('./redact-integrations.js'))
// HTTP client hooks (fetch, axios) over a TokenSource.
Object.assign(module.exports, require('./http-hooks.js'))

// Remote JWKS: napi's async functions cannot reject with tokenward's codes, so the native side
// resolves to a value or a { code, category, message } failure, and these wrappers throw the
// error of its class (see errors.js).
function rejectWithCode(failure) {
  throw errors.fromFailure(failure)
}
const isFailure = (v) => v !== null && typeof v === 'object' && typeof v.code === 'string' && typeof v.message === 'string'

binding.RemoteKeySet.discover = async function discover(issuerUrl, options) {
  const out = await binding.RemoteKeySet.discoverRaw(issuerUrl, options)
  return isFailure(out) ? rejectWithCode(out) : out
}
binding.RemoteKeySet.prototype.keys = async function keys() {
  const out = await this.keysRaw()
  return isFailure(out) ? rejectWithCode(out) : out
}
// OpenTelemetry: flush and shutdown export on the library runtime, never on the JS thread.
binding.Telemetry.prototype.flush = async function flush() {
  const out = await this.flushRaw()
  if (out != null) rejectWithCode(out)
}
binding.Telemetry.prototype.shutdown = async function shutdown() {
  const out = await this.shutdownRaw()
  if (out != null) rejectWithCode(out)
}
binding.RemoteJwtVerifier.prototype.verify = async function verify(token) {
  const out = await this.verifyRaw(token)
  return isFailure(out) ? rejectWithCode(out) : JSON.parse(out)
}
// Local JWT verify: a raw N-API function bound to the verifier (created once, see
// src/jwt_fast.rs) verifies the token and builds the claims in the verifier's one strict pass:
// top-level values come as JS values, nested containers as their JSON text, and a generated
// *shape function* per member-name sequence assembles the object with an object literal, so the
// result is what JSON.parse(payload) gives. Non-strings take the napi-rs method, which throws
// its usual conversion error.
{
  const proto = binding.JwtVerifier.prototype
  const nativeVerifyJson = proto.verifyJson
  const FAST = Symbol('tokenward.fastVerify')
  const parse = JSON.parse
  // compile(names, flags): a function of the member values returning the claims object;
  // flags[i] === '1' marks a nested container passed as JSON text. A literal `"__proto__":`
  // member would set the prototype (JSON.parse makes an own property): those shapes, very wide
  // ones and runtimes that refuse code generation use `generic`.
  const compile = (names, flags) => {
    if (names.length > 32 || names.includes('__proto__')) return undefined
    const params = names.map((_, i) => `a${i}`)
    const members = names.map((name, i) => `${JSON.stringify(name)}: ${flags[i] === '1' ? `J(a${i})` : `a${i}`}`)
    try {
      return new Function('J', `'use strict'; return function shape(${params.join(', ')}) { return { ${members.join(', ')} } }`)(parse)
    } catch {
      return undefined
    }
  }
  // generic(name0, raw0, value0, name1, ...): own data properties in order, like JSON.parse.
  const generic = function () {
    const out = {}
    for (let i = 0; i < arguments.length; i += 3) {
      const value = arguments[i + 1] ? parse(arguments[i + 2]) : arguments[i + 2]
      Object.defineProperty(out, arguments[i], { value, writable: true, enumerable: true, configurable: true })
    }
    return out
  }
  // The function is kept on the verifier (a hidden symbol property: one inline-cached load per
  // call), or in a WeakMap for a frozen verifier.
  const sealed = new WeakMap()
  const fastOf = (verifier) => {
    let fn = sealed.get(verifier)
    if (fn === undefined) {
      fn = verifier.fastVerifier(compile, generic)
      if (Object.isExtensible(verifier)) Object.defineProperty(verifier, FAST, { value: fn })
      else sealed.set(verifier, fn)
    }
    return fn
  }
  proto.verify = function verify(token) {
    if (typeof token !== 'string') return parse(nativeVerifyJson.call(this, token))
    return (this[FAST] ?? fastOf(this))(token)
  }
  proto.verifyJson = function verifyJson(token) {
    if (typeof token !== 'string') return nativeVerifyJson.call(this, token)
    return (this[FAST] ?? fastOf(this))(token, true)
  }
}
binding.RemoteKeySet.prototype[inspect.custom] = function () {
  return `RemoteKeySet { url: ${JSON.stringify(this.url)} }`
}

// OAuth 2.0 client and TokenSource: Promise wrappers over the native `...Raw` methods (same
// failure convention as remote JWKS) and redacted util.inspect forms.
{
  const { OAuthClient, TokenSource, AccessToken, TokenResponse, PendingToken, Pkce, AuthorizationFlow, LoopbackRedirect, IdTokenVerifier } = binding
  const codeError = errors.fromFailure
  const unwrap = (out) => {
    if (isFailure(out)) throw codeError(out)
    return out
  }

  // The options are read synchronously (they may hold a Secret or a Key); the request runs on
  // the library runtime.
  OAuthClient.discover = async function discover(issuerUrl, clientId, options) {
    const pending = unwrap(OAuthClient.discoverStart(issuerUrl, clientId, options))
    return unwrap(await pending.wait())
  }
  OAuthClient.prototype.clientCredentials = async function clientCredentials(scopes) {
    return unwrap(await this.clientCredentialsRaw(scopes))
  }
  OAuthClient.prototype.refresh = async function refresh(refreshToken, scopes) {
    return unwrap(await this.refreshRaw(refreshToken, scopes))
  }
  OAuthClient.prototype.exchangeCode = async function exchangeCode(code, redirectUri, pkce) {
    return unwrap(await this.exchangeCodeRaw(code, redirectUri, pkce))
  }
  AuthorizationFlow.start = async function start(client, redirectUri, options) {
    const pending = unwrap(AuthorizationFlow.startRaw(client, redirectUri, options))
    return unwrap(await pending.wait())
  }
  AuthorizationFlow.prototype.complete = async function complete(redirectUrl) {
    return unwrap(await this.completeRaw(redirectUrl))
  }
  LoopbackRedirect.prototype.complete = async function complete(flow, timeout) {
    return flow.complete(unwrap(await this.waitRaw(timeout)))
  }
  LoopbackRedirect.prototype[inspect.custom] = function () {
    return this.toString()
  }
  IdTokenVerifier.prototype.verify = async function verify(idToken, checks) {
    return JSON.parse(unwrap(await this.verifyRaw(idToken, checks)))
  }
  IdTokenVerifier.prototype[inspect.custom] = function () {
    return `IdTokenVerifier { issuer: ${JSON.stringify(this.issuer)}, clientId: ${JSON.stringify(this.clientId)} }`
  }
  AuthorizationFlow.prototype[inspect.custom] = function (depth, options) {
    return `AuthorizationFlow ${inspect(this.toJSON(), options)}`
  }
  OAuthClient.prototype.introspect = async function introspect(token, tokenTypeHint) {
    return JSON.parse(unwrap(await this.introspectRaw(token, tokenTypeHint)))
  }
  OAuthClient.prototype.revoke = async function revoke(token, tokenTypeHint) {
    const out = await this.revokeRaw(token, tokenTypeHint)
    if (out) throw codeError(out)
  }
  OAuthClient.prototype[inspect.custom] = function () {
    return `OAuthClient { tokenUrl: ${JSON.stringify(this.tokenUrl)}, clientId: ${JSON.stringify(this.clientId)}, authMethod: ${JSON.stringify(this.authMethod)} }`
  }

  // The hot path: a cached token comes back from one synchronous native call; the JS object of
  // the current token is kept and handed out again while the native side reports it current.
  const LAST = Symbol('tokenward.lastToken')
  const remember = (source, tok) => {
    source[LAST] = { tok, fp: tok.fingerprint }
    return tok
  }
  TokenSource.prototype.token = function token() {
    const last = this[LAST]
    const out = this.tokenStart(last === undefined ? undefined : last.fp)
    if (out === null) return Promise.resolve(last.tok)
    if (out instanceof AccessToken) return Promise.resolve(remember(this, out))
    if (out instanceof PendingToken) return out.wait().then((o) => remember(this, unwrap(o)))
    return Promise.reject(codeError(out))
  }
  TokenSource.prototype.forceRefresh = async function forceRefresh() {
    return unwrap(await this.forceRefreshRaw())
  }
  // Callbacks of onError, also told of failures of a kept-tokens store (below).
  const ERROR_CALLBACKS = Symbol('tokenward.errorCallbacks')
  TokenSource.prototype.onError = function onError(callback) {
    ;(this[ERROR_CALLBACKS] ??= []).push(callback)
    this.onErrorRaw((failure) => callback(codeError(failure)))
  }

  // Kept tokens: the native side queues save(tokens) / clear() (null) in order to this thread;
  // a store may be synchronous or return a promise. A throw or a rejection is reported to the
  // source's onError callbacks as a `storage` error naming the error's class only (its message
  // may quote a token); it never fails token().
  const { StoredTokens } = binding
  const storageError = (what, err) => codeError({
    code: 'storage',
    category: 'internal',
    message: `the token store's ${what} failed with ${(err && err.name) || typeof err}`,
  })
  const checkStore = (store) => {
    for (const name of ['save', 'load', 'clear']) {
      if (store === null || typeof store !== 'object' || typeof store[name] !== 'function') {
        throw codeError({ code: 'invalid_input', category: 'input', message: `the token store has no ${name}() method` })
      }
    }
  }
  const storeCalls = (store, sourceOf) => (tokens) => {
    const what = tokens === null ? 'clear' : 'save'
    const report = (err) => {
      const source = sourceOf()
      for (const cb of (source && source[ERROR_CALLBACKS]) || []) cb(storageError(what, err))
    }
    try {
      const out = tokens === null ? store.clear() : store.save(tokens)
      if (out && typeof out.then === 'function') out.then(undefined, report)
    } catch (err) {
      report(err)
    }
  }
  TokenSource.prototype.keepTokens = function keepTokens(store) {
    checkStore(store)
    this.keepTokensRaw(storeCalls(store, () => this))
  }
  TokenSource.restore = async function restore(client, store, options) {
    checkStore(store)
    let tokens
    try {
      tokens = await store.load()
    } catch (err) {
      throw storageError('load', err)
    }
    if (tokens != null && !(tokens instanceof StoredTokens)) {
      throw codeError({ code: 'storage', category: 'internal', message: "the token store's load returned neither StoredTokens nor null" })
    }
    let source = null
    source = TokenSource.restoreRaw(client, tokens ?? null, storeCalls(store, () => source), options)
    return source
  }
  StoredTokens.prototype[inspect.custom] = function (depth, options) {
    return options && options.stylize ? options.stylize(this.toString(), 'special') : this.toString()
  }
  TokenSource.prototype[inspect.custom] = function () {
    return `TokenSource { status: ${JSON.stringify(this.status)}, requestCount: ${this.requestCount} }`
  }

  AccessToken.prototype[inspect.custom] = function (depth, options) {
    return options && options.stylize ? options.stylize(this.toString(), 'special') : this.toString()
  }
  TokenResponse.prototype[inspect.custom] = function (depth, options) {
    return `TokenResponse ${inspect(this.toJSON(), options)}`
  }
  Pkce.prototype[inspect.custom] = function (depth, options) {
    return `Pkce ${inspect(this.toJSON(), options)}`
  }
}

// In-process gateway: Express middleware and Fastify plugin/hook (express, fastify: optional peers).
Object.assign(module.exports, require('./gateway-adapters.js'))
