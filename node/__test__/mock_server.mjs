// The real OAuth mock server of the suites (tests/oauth/mock-server.mjs) in a child process:
// `issuer`, `control(path)` for its /__ endpoints, `count(endpoint)` of requests seen, `stop()`.
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

export async function startMock() {
  const proc = spawn(process.execPath, ['tests/oauth/mock-server.mjs'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout }).once('line', resolve)
    proc.once('exit', (code) => reject(new Error(`mock server exited with ${code}`)))
  })
  const { issuer } = JSON.parse(line)
  const control = async (path) => (await fetch(issuer + path, { method: 'POST' })).json()
  return {
    issuer,
    control,
    count: async (endpoint) => (await control('/__stats'))[endpoint] ?? 0,
    stop: () => { proc.stdin.end(); proc.kill() },
  }
}
