'use strict'
// HTTP client hooks: requests authorized by a TokenSource, with at most one retry. What to do
// with an answer is the core's rule (`retryAction`), the same in every language: a rejected
// token is refreshed once, a DPoP nonce challenge answered with one new proof. The headers come
// from the core too (`AccessToken.requestHeaders()`: `Authorization: Bearer …`, or for a
// DPoP-bound token `Authorization: DPoP …` plus a `DPoP` proof).
// `axios` is an optional peer dependency: nothing here requires it.
const { invalidInput } = require('./errors.js')

function checkSource(source, name) {
  if (!source || typeof source.token !== 'function' || typeof source.forceRefresh !== 'function') {
    throw invalidInput(`tokenward.${name}: pass a TokenSource`)
  }
}

// The WWW-Authenticate values of a response as one comma-joined string (or null).
function challengeOf(value) {
  if (value == null) return null
  return Array.isArray(value) ? value.join(', ') : String(value)
}

/**
 * A `fetch` that puts `source`'s token on every request and, when the server rejects it, forces
 * one refresh and sends the request once more (never a loop). `fetchImpl` defaults to the global
 * `fetch` (undici in Node). A request body is kept for the retry through `Request.clone()`.
 */
function fetchWithTokenSource(source, fetchImpl = globalThis.fetch) {
  checkSource(source, 'fetchWithTokenSource')
  if (typeof fetchImpl !== 'function') throw invalidInput('tokenward.fetchWithTokenSource: fetchImpl is not a function')
  return async function fetchWithToken(input, init) {
    const request = new Request(input, init)
    const retry = request.clone()
    const token = await source.token()
    applyHeaders(request.headers, token.requestHeaders(request.method, request.url))
    const response = await fetchImpl(request)
    rememberNonce(token, request.url, response.headers.get('dpop-nonce'))
    const action = binding().retryAction(
      response.status, response.headers.get('www-authenticate'), response.headers.get('dpop-nonce'))
    if (action.kind === 'no_retry') return response
    // Drain the refused answer so its connection returns to the pool.
    await response.arrayBuffer().catch(() => {})
    const next = action.kind === 'retry_with_nonce' ? token : await source.forceRefresh()
    applyHeaders(retry.headers, next.requestHeaders(retry.method, retry.url, action.nonce ?? undefined))
    const second = await fetchImpl(retry)
    rememberNonce(next, retry.url, second.headers.get('dpop-nonce'))
    return second
  }
}

// A `DPoP-Nonce` on any answer (a 200 too) goes into the next proof to that origin.
function rememberNonce(token, url, nonce) {
  if (nonce != null && token) token.rememberDpopNonce(url, String(nonce))
}

// Sets the headers of `AccessToken.requestHeaders()` on a fetch `Headers`; a `DPoP` header
// from an earlier token is removed when the new token is a bearer token.
function applyHeaders(headers, values) {
  if (!('DPoP' in values)) headers.delete('dpop')
  for (const [name, value] of Object.entries(values)) headers.set(name, value)
}

const RETRIED = Symbol('tokenward.retried')
const TOKEN = Symbol('tokenward.token')

function setHeader(config, name, value) {
  if (config.headers && typeof config.headers.set === 'function') config.headers.set(name, value)
  else config.headers = { ...config.headers, [name]: value }
}

function setHeaders(config, values) {
  if (!('DPoP' in values) && config.headers) {
    if (typeof config.headers.delete === 'function') config.headers.delete('DPoP')
    else delete config.headers.DPoP
  }
  for (const [name, value] of Object.entries(values)) setHeader(config, name, value)
}

// The method and absolute URL of an axios request, as the proof's htm and htu.
function target(instance, config) {
  return [String(config.method ?? 'get').toUpperCase(), instance.getUri(config)]
}

/**
 * Adds request and response interceptors to an axios instance: `source`'s token on every
 * request; a rejected token refreshed once and the request sent once more. Errors that reach the
 * caller have the `Authorization` header of their `config` replaced by `[REDACTED]`, so a logged
 * axios error holds no token. Returns a function that removes the interceptors.
 */
function useTokenSource(instance, source) {
  checkSource(source, 'useTokenSource')
  if (!instance || !instance.interceptors || typeof instance.request !== 'function') {
    throw invalidInput('tokenward.useTokenSource: pass an axios instance')
  }
  const onRequest = instance.interceptors.request.use(async (config) => {
    if (!config[RETRIED]) {
      const token = await source.token()
      config[TOKEN] = token
      setHeaders(config, token.requestHeaders(...target(instance, config)))
    }
    return config
  })
  const onError = instance.interceptors.response.use((response) => {
    const config = response?.config
    if (config?.[TOKEN]) rememberNonce(config[TOKEN], instance.getUri(config), challengeOf(response.headers?.['dpop-nonce']))
    return response
  }, async (error) => {
    const { config, response } = error ?? {}
    if (response && config?.[TOKEN]) {
      rememberNonce(config[TOKEN], instance.getUri(config), challengeOf(response.headers?.['dpop-nonce']))
    }
    const action = response && config && !config[RETRIED]
      ? binding().retryAction(response.status, challengeOf(response.headers?.['www-authenticate']),
        challengeOf(response.headers?.['dpop-nonce']))
      : { kind: 'no_retry' }
    if (action.kind === 'no_retry') {
      if (config) {
        setHeader(config, 'Authorization', '[REDACTED]')
        if (config.headers?.DPoP !== undefined || config.headers?.get?.('DPoP')) setHeader(config, 'DPoP', '[REDACTED]')
      }
      throw error
    }
    config[RETRIED] = true
    const token = action.kind === 'retry_with_nonce' && config[TOKEN] ? config[TOKEN] : await source.forceRefresh()
    config[TOKEN] = token
    setHeaders(config, token.requestHeaders(...target(instance, config), action.nonce ?? undefined))
    return instance.request(config)
  })
  return function eject() {
    instance.interceptors.request.eject(onRequest)
    instance.interceptors.response.eject(onError)
  }
}

// The native binding, loaded on first use (index.js requires this file while loading it).
let native
function binding() {
  native ??= require('./binding.js')
  return native
}

module.exports = { fetchWithTokenSource, useTokenSource }
