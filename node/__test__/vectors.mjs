// Loads the shared conformance vectors in tests/vectors (one runner per language).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

export const vectorsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'vectors')

export function loadVectors(name) {
  return JSON.parse(readFileSync(join(vectorsDir, name), 'utf8'))
}

// Runs fn and returns the code of the error it throws, or null when it does not throw.
export function codeOf(fn) {
  try {
    fn()
    return null
  } catch (err) {
    if (!(err instanceof Error)) throw err
    return err.code
  }
}
