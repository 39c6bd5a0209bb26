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

// Waits until condition() holds, polling the event loop, or fails after a deadline. Native
// callbacks (audit listeners, token stores) run on the event loop some time after the call that
// caused them returned: a fixed delay is what a loaded machine outlasts.
export async function until(condition, what, ms = 10_000) {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
