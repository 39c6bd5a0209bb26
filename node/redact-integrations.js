'use strict'
// Logging integrations of the scrubber: a pino hook set and a winston format. Small adapters
// around the native `redact`; the rules themselves live in the Rust core.
const binding = require('./binding.js')
const { invalidInput } = require('./errors.js')

const MESSAGE = Symbol.for('message')
const MAX_DEPTH = 16

/** The redact function of `redactor` (a `Redactor`), or the default one. */
function redactorFn(redactor) {
  if (redactor == null) return binding.redact
  if (typeof redactor.redact !== 'function') throw invalidInput('expected a tokenward Redactor')
  return (s) => redactor.redact(s)
}

/**
 * Redacts one field: the value is judged together with its key, so `{ password: 'hunter2' }`
 * is caught even though `hunter2` alone is not recognisable.
 */
function scrubField(redact, key, value) {
  const asJson = JSON.stringify({ [key]: value })
  const out = redact(asJson)
  if (out === asJson) return value
  try {
    return JSON.parse(out)[key]
  } catch {
    return redact(value)
  }
}

/** Below MAX_DEPTH: the whole value redacted as JSON (fail closed, never returned as is). */
function scrubDeep(redact, value) {
  try {
    const json = JSON.stringify(value)
    if (json === undefined) return value
    const out = redact(json)
    return out === json ? value : JSON.parse(out)
  } catch {
    return '[REDACTED]'
  }
}

function scrubAny(redact, key, value, depth, seen) {
  if (typeof value === 'string') return key === null ? redact(value) : scrubField(redact, key, value)
  if (value === null || typeof value !== 'object') return value
  // A cycle would hand the caller's unredacted object back: fail closed.
  if (seen.has(value)) return '[Circular]'
  if (depth > MAX_DEPTH) return scrubDeep(redact, value)
  seen.add(value)
  if (Array.isArray(value)) return value.map((v) => scrubAny(redact, null, v, depth + 1, seen))
  if (value instanceof Error) {
    const err = new value.constructor(redact(String(value.message)))
    err.stack = redact(String(value.stack))
    for (const k of Object.keys(value)) err[k] = scrubAny(redact, k, value[k], depth + 1, seen)
    return err
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return value
  const out = {}
  for (const k of Object.keys(value)) out[k] = scrubAny(redact, k, value[k], depth + 1, seen)
  return out
}

/** Returns a copy of a plain object (or string, array, Error) with every secret redacted. */
function scrubObject(value, redactor) {
  return scrubAny(redactorFn(redactor), null, value, 0, new WeakSet())
}

/**
 * pino options that scrub every log line: spread into `pino({ ...pinoRedaction(), ... })`.
 * `formatters.log` scrubs the merging object; `hooks.streamWrite` scrubs the final serialised
 * line (message, interpolated arguments, serialized errors) just before it is written.
 */
function pinoRedaction(redactor) {
  const redact = redactorFn(redactor)
  return {
    formatters: { log: (obj) => scrubAny(redact, null, obj, 0, new WeakSet()) },
    hooks: { streamWrite: (line) => redact(line) },
  }
}

/**
 * A winston (logform) format that scrubs `message`, every other field, and the finished
 * `info[Symbol.for('message')]`: `winston.format.combine(redactFormat(), winston.format.json())`.
 * Put it first to scrub fields, or also last to scrub the formatted output.
 */
function redactFormat(redactor) {
  const redact = redactorFn(redactor)
  return {
    transform(info) {
      for (const k of Object.keys(info)) {
        if (k === 'level') continue
        info[k] = k === 'message' && typeof info[k] === 'string'
          ? redact(info[k])
          : scrubAny(redact, k, info[k], 0, new WeakSet())
      }
      if (typeof info[MESSAGE] === 'string') info[MESSAGE] = redact(info[MESSAGE])
      return info
    },
  }
}

module.exports = { scrubObject, pinoRedaction, redactFormat }
