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
// Local JWT verify: the native side verifies and checks the claims in one strict pass over the
// payload and hands back its validated JSON text; V8's JSON.parse builds the object faster than
// napi calls could (and keeps a `__proto__` claim an own property).
binding.JwtVerifier.prototype.verify = function verify(token) {
  return JSON.parse(this.verifyJson(token))
}
binding.RemoteKeySet.prototype[inspect.custom] = function () {
  return `RemoteKeySet { url: ${JSON.stringify(this.url)} }`
}

// OAuth 2.0 client and TokenSource: Promise wrappers over the native `...Raw` methods (same
// failure convention as remote JWKS), Date for `expiresAt`, and redacted util.inspect forms.
{
  const { OAuthClient, OAuthDiscovery, TokenSource, AccessToken, TokenResponse, PendingToken, Pkce } = binding
  const codeError = (failure) => {
    const err = new Error(failure.message)
    err.code = failure.code
    return err
  }
  const unwrap = (out) => {
    if (isFailure(out)) throw codeError(out)
    return out
  }

  OAuthClient.discover = async function discover(issuerUrl, options = {}) {
    const { clientId, timeout, dangerousAllowHttp, ...credentials } = options
    const out = unwrap(await OAuthClient.discoverRaw(issuerUrl, clientId, { timeout, dangerousAllowHttp }))
    return out.build(credentials)
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
  OAuthDiscovery.prototype[inspect.custom] = function () {
    return `OAuthDiscovery { issuer: ${JSON.stringify(this.issuer)} }`
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
  TokenSource.prototype.onError = function onError(callback) {
    this.onErrorRaw((failure) => callback(codeError(failure)))
  }
  TokenSource.prototype[inspect.custom] = function () {
    return `TokenSource { status: ${JSON.stringify(this.status)}, requestCount: ${this.requestCount} }`
  }

  Object.defineProperty(AccessToken.prototype, 'expiresAt', {
    get() {
      const ms = this.expiresAtMs
      return ms == null ? null : new Date(ms)
    },
    enumerable: false,
    configurable: true,
  })
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
