// Finishes the declaration file `napi build --dts index.d.ts` writes, so the published types
// hold the public API only. Idempotent; run by `npm run build` (scripts/build.sh runs that).
//
// Internal functions and methods are kept out at the source with `#[napi(skip_typescript)]`.
// napi-rs refuses that attribute on structs and always declares the loader's own
// `__napiBindingTarget`, so those declarations (with their doc comments) are removed here.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

// Declarations that are loader metadata or internal plumbing of index.js, not API.
const INTERNAL = [
  /export declare const __napiBindingTarget\b[^\n]*\n/, // the loader's flavour marker
  /export interface Failure \{\n(?:[^\n]*\n)*?\}\n/, // failure values of the internal *Raw calls
  /export declare class PendingToken \{(?:\}|\n(?:[^\n]*\n)*?\})\n/, // returned by the internal tokenStart
  /export declare class PendingClient \{(?:\}|\n(?:[^\n]*\n)*?\})\n/, // returned by the internal discoverStart
  /export declare class PendingFlow \{(?:\}|\n(?:[^\n]*\n)*?\})\n/, // returned by the internal startRaw
]
const DOC = String.raw`(?:\/\*\*(?:(?!\*\/)[\s\S])*\*\/\n)?`

const path = fileURLToPath(new URL('../index.d.ts', import.meta.url))
const text = readFileSync(path, 'utf8')
let out = text
for (const decl of INTERNAL) out = out.replace(new RegExp(DOC + decl.source + '\\n?'), '')
const left = /__napiBindingTarget|interface Failure\b|class PendingToken\b|class PendingClient\b|class PendingFlow\b/.exec(out)
if (left) {
  console.error(`public-dts: could not remove ${left[0]} from index.d.ts`)
  process.exit(1)
}
if (out !== text) writeFileSync(path, out)
