'use strict'
// HTTP client hooks: requests authorized by a TokenSource, with one refresh and one retry when
// the server rejects the token. Whether an answer is a rejection is the core's rule
// (`tokenRejected`), the same in every language; the header comes from the core too
// (`AccessToken.authorizationHeader()`: `DPoP …` for a DPoP-bound token, else `Bearer …`).
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
    request.headers.set('authorization', (await source.token()).authorizationHeader())
    const response = await fetchImpl(request)
    if (!binding().tokenRejected(response.status, response.headers.get('www-authenticate'))) return response
    // Drain the refused answer so its connection returns to the pool.
    await response.arrayBuffer().catch(() => {})
    retry.headers.set('authorization', (await source.forceRefresh()).authorizationHeader())
    return fetchImpl(retry)
  }
}

const RETRIED = Symbol('tokenward.retried')

function setHeader(config, value) {
  if (config.headers && typeof config.headers.set === 'function') config.headers.set('Authorization', value)
  else config.headers = { ...config.headers, Authorization: value }
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
    if (!config[RETRIED]) setHeader(config, (await source.token()).authorizationHeader())
    return config
  })
  const onError = instance.interceptors.response.use(undefined, async (error) => {
    const { config, response } = error ?? {}
    const rejected = response && config && !config[RETRIED] &&
      binding().tokenRejected(response.status, challengeOf(response.headers?.['www-authenticate']))
    if (!rejected) {
      if (config) setHeader(config, '[REDACTED]')
      throw error
    }
    config[RETRIED] = true
    setHeader(config, (await source.forceRefresh()).authorizationHeader())
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
