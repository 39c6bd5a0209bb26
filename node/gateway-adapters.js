'use strict'
// Express and Fastify adapters of the native Authenticator. They only convert the request
// (raw header lines, socket peer address, URL) and send the refusal; every check is in the core.
// `express` and `fastify` are optional peer dependencies: nothing here requires them.
const { invalidInput } = require('./errors.js')

// The JSON body of a refusal: the core's client-safe error (identical in every language), never
// the internal code (an attacker must not tell an expired token from a forged one).
function refusalBody(refusal) {
  return { error: refusal.error, error_description: refusal.errorDescription }
}

// Response headers of a refusal.
function refusalHeaders(refusal) {
  const headers = { 'cache-control': 'no-store' }
  if (refusal.wwwAuthenticate) headers['www-authenticate'] = refusal.wwwAuthenticate
  if (refusal.retryAfter != null) headers['retry-after'] = String(refusal.retryAfter)
  if (refusal.dpopNonce) headers['dpop-nonce'] = refusal.dpopNonce
  return headers
}

function checkOptions(options, name) {
  if (!options || typeof options.authenticator?.authenticate !== 'function') {
    throw invalidInput(`tokenward.${name}: pass { authenticator: new Authenticator({...}) }`)
  }
  const requiredScopes = options.requiredScopes ?? []
  if (!Array.isArray(requiredScopes)) throw invalidInput(`tokenward.${name}: requiredScopes is an array`)
  // Network I/O goes through authenticateAsync unless the caller says otherwise: the event loop
  // never waits for an introspection endpoint, a key set or a shared store.
  const useAsync = options.async ??
    (options.authenticator.hasIntrospection === true || options.authenticator.hasRemoteJwt === true ||
      options.authenticator.hasSharedStores === true)
  return { authenticator: options.authenticator, requiredScopes, useAsync }
}

// The authenticator's view of a Node request (http.IncomingMessage). Raw header lines keep
// repeated headers (Node folds two Authorization headers into one); the address is the socket
// peer, forwarding headers count only through the authenticator's trustedProxies.
function toAuthRequest(raw, requiredScopes) {
  return {
    method: raw.method,
    path: raw.originalUrl ?? raw.url,
    // Injected requests (fastify.inject, light-my-request) have no raw lines.
    headers: raw.rawHeaders?.length ? raw.rawHeaders : raw.headers,
    clientIp: raw.socket?.remoteAddress ?? null,
    requiredScopes,
    clientCertificate: peerCertificate(raw.socket),
  }
}

// The client certificate of a mutual-TLS connection (DER), for `mtlsBoundTokens`; null on plain
// sockets and when the client presented none.
function peerCertificate(socket) {
  if (typeof socket?.getPeerCertificate !== 'function') return null
  return socket.getPeerCertificate()?.raw ?? null
}

// Answers a refusal with its status, headers and JSON body.
function refuse(res, refusal) {
  res.statusCode = refusal.status
  const headers = refusalHeaders(refusal)
  for (const name in headers) res.setHeader(name, headers[name])
  res.setHeader('content-type', 'application/json; charset=utf-8')
  res.end(JSON.stringify(refusalBody(refusal)))
}

/**
 * Express middleware: `app.use(tokenward.express({ authenticator, requiredScopes }))`, or per
 * route `app.get(path, tokenward.express({ ... }), handler)`.
 *
 * With a handler, `tokenward.express({ ... }, handler)` is the route's handler itself: it runs
 * `handler(req, res, next)` for admitted requests. Express then dispatches no middleware layer
 * for authentication, which costs more than the check itself (docs/performance.md).
 */
function express(options, handler) {
  const { authenticator, requiredScopes, useAsync } = checkOptions(options, 'express')
  if (handler !== undefined && typeof handler !== 'function') {
    throw invalidInput('tokenward.express: the handler (second argument) is a function')
  }
  // What follows admission: the next layer, or the wrapped handler (its error, thrown or
  // rejected, goes to Express's error handling as a handler's would).
  const admitted = handler ?? ((req, res, next) => next())
  const admit = (req, res, next, decision) => {
    if (!decision.ok) return refuse(res, decision)
    req.principal = decision
    return admitted(req, res, next)
  }
  if (useAsync) {
    return function tokenwardAsync(req, res, next) {
      let pending
      try {
        pending = authenticator.authenticateAsync(toAuthRequest(req, requiredScopes))
      } catch (err) {
        return next(err)
      }
      pending.then((decision) => admit(req, res, next, decision)).catch(next)
    }
  }
  return function tokenward(req, res, next) {
    let decision
    try {
      decision = authenticator.authenticate(toAuthRequest(req, requiredScopes))
    } catch (err) {
      return next(err)
    }
    return admit(req, res, next, decision)
  }
}

// The route's `config.requiredScopes`, else the hook's.
const routeScopes = (request, requiredScopes) => request.routeOptions?.config?.requiredScopes ?? requiredScopes

// Sets `request.principal` (true), or sends the refusal (false).
function admit(request, reply, decision) {
  if (decision.ok) {
    request.principal = decision
    return true
  }
  reply.code(decision.status).headers(refusalHeaders(decision)).send(refusalBody(decision))
  return false
}

/**
 * Fastify preHandler hook: `fastify.addHook('preHandler', tokenward.fastifyHook({ authenticator }))`
 * or per route `{ preHandler: tokenward.fastifyHook({ authenticator, requiredScopes: ['write'] }) }`.
 * A route's `config.requiredScopes` replaces the hook's.
 */
function fastifyHook(options) {
  const { authenticator, requiredScopes, useAsync } = checkOptions(options, 'fastifyHook')
  return async function tokenwardPreHandler(request, reply) {
    const req = toAuthRequest(request.raw, routeScopes(request, requiredScopes))
    const decision = useAsync ? await authenticator.authenticateAsync(req) : authenticator.authenticate(req)
    if (!admit(request, reply, decision)) return reply
  }
}

// The plugin's hook without an await: a callback-style hook runs without a Promise and a
// microtask per request (a throw reaches Fastify's error handler, as a rejection would).
function fastifySyncHook(options) {
  const { authenticator, requiredScopes } = checkOptions(options, 'fastifyHook')
  return function tokenwardPreHandler(request, reply, done) {
    const decision = authenticator.authenticate(toAuthRequest(request.raw, routeScopes(request, requiredScopes)))
    if (admit(request, reply, decision)) done()
  }
}

/**
 * Fastify plugin: `await fastify.register(tokenward.fastify, { authenticator, requiredScopes })`.
 * Not encapsulated (like fastify-plugin): the hook applies to every route of the instance it is
 * registered on.
 */
async function fastify(instance, options) {
  const hook = checkOptions(options, 'fastifyHook').useAsync ? fastifyHook(options) : fastifySyncHook(options)
  if (!instance.hasRequestDecorator('principal')) instance.decorateRequest('principal', null)
  instance.addHook('preHandler', hook)
}
fastify[Symbol.for('skip-override')] = true
fastify[Symbol.for('fastify.display-name')] = 'tokenward'

module.exports = { express, fastify, fastifyHook }
