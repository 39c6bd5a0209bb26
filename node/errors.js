'use strict'
// tokenward's error classes, the same names as Python's: every error the package throws or
// rejects with is a `TokenwardError` (an `Error`) with the stable `.code` and its `.category`,
// an instance of the subclass of that category. The native side builds its errors through
// `fromNative` (index.js registers it at load), so only the error path pays for the classes.

class TokenwardError extends Error {
  /** `code`: the stable snake_case code (`expired`, `invalid_input`, …). */
  constructor(code, message) {
    super(message)
    this.code = code
  }
}

// One subclass per category of tokenward's codes; `category` is on the prototype (one value
// per class, not an own property of every error).
const CATEGORIES = {
  token: 'InvalidTokenError',
  key: 'InvalidKeyError',
  api_key: 'ApiKeyError',
  authorization: 'AuthorizationError',
  oauth: 'OAuthError',
  transport: 'TransportError',
  input: 'InvalidInputError',
  internal: 'InternalError',
}
const classes = { TokenwardError }
const byCategory = new Map()
for (const [category, name] of Object.entries(CATEGORIES)) {
  // An object literal names the class (`err.name`, stack traces) without eval.
  const cls = { [name]: class extends TokenwardError {} }[name]
  byCategory.set(category, cls)
  classes[name] = cls
}
const define = (proto, key, value) =>
  Object.defineProperty(proto, key, { value, writable: true, enumerable: false, configurable: true })
define(TokenwardError.prototype, 'name', 'TokenwardError')
define(TokenwardError.prototype, 'category', undefined)
for (const [category, cls] of byCategory) {
  define(cls.prototype, 'name', cls.name)
  define(cls.prototype, 'category', category)
}

/** The error of a native code: an instance of its category's class (the base for none). */
function fromNative(code, category, message) {
  const Cls = byCategory.get(category) ?? TokenwardError
  return new Cls(code, message)
}

/** The `{ code, category, message }` failure values of the native `...Raw` calls as errors. */
function fromFailure(failure) {
  return fromNative(failure.code, failure.category, failure.message)
}

/** A refusal of input by the JS part of the package (wrong options, wrong types). */
function invalidInput(message) {
  return new classes.InvalidInputError('invalid_input', message)
}

module.exports = { classes, fromNative, fromFailure, invalidInput }
