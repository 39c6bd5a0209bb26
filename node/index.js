'use strict'
// Public entry point: the generated napi loader plus the few JS-only touches a native class
// cannot provide itself (util.inspect redaction). No token logic lives here.
const { inspect } = require('node:util')
const binding = require('./binding.js')

const redactedInspect = function (depth, options) {
  return `Secret ${options && options.stylize ? options.stylize(this.toString(), 'special') : this.toString()}`
}
binding.Secret.prototype[inspect.custom] = redactedInspect

module.exports = binding
