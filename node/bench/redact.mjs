// Redaction throughput (MB/s): tokenward's redact beside a JS RegExp baseline with equivalent
// patterns, on the same clean and secret-dense text (tests/redaction/bench_lines.json).
//
//   cd node && node bench/redact.mjs
import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { redact } from '../index.mjs'

const LINES = JSON.parse(readFileSync(new URL('../../tests/redaction/bench_lines.json', import.meta.url), 'utf8'))

const KEY_NAMES = String.raw`[\w.-]*?(?:token|secret|password|passwd|pwd|passphrase|api[_-]?key|access[_-]?key|private[_-]?key|secret[_-]?key|session[_-]?id|signature|credentials?)`
// [kind, kept prefix, secret]
const PATTERNS = [
  ['jwt', '', String.raw`\beyJ[A-Za-z0-9_-]{7,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?`],
  ['private_key', '', String.raw`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----`],
  ['github', '', String.raw`\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b`],
  ['stripe', '', String.raw`\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}\b`],
  ['slack', '', String.raw`\bxox[abposre]-[A-Za-z0-9-]{10,}`],
  ['aws_access_key_id', '', String.raw`\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}\b`],
  ['google_api_key', '', String.raw`\bAIza[A-Za-z0-9_-]{35}\b`],
  ['google_oauth', '', String.raw`\bya29\.[A-Za-z0-9_.-]{20,}`],
  ['api_key', '', String.raw`\b[a-z][a-z0-9]{1,15}(?:_[a-z0-9]{1,16})?_(?=[A-Za-z0-9]*[A-Z])(?=[A-Za-z0-9]*[a-z])[A-Za-z0-9]{20,}\b`],
  ['authorization', String.raw`authorization["']?\s*[:=]\s*["']?(?:\w+\s+)?`, String.raw`[A-Za-z0-9._~+/=-]+`],
  ['bearer', String.raw`\b(?:bearer|basic) `, String.raw`[A-Za-z0-9._~+/=-]{8,}`],
  ['cookie', 'cookie: ', String.raw`[^\r\n"']+`],
  ['password', String.raw`:\/\/[^/\s:@]*:`, String.raw`[^/\s@]+(?=@)`],
  ['secret', String.raw`(?<![\w.-])` + KEY_NAMES + String.raw`["']?\s*(?:=>|[:=])\s*["']?`, String.raw`[^\s&,;"'<>)}\]]+`],
]
const BASELINE = new RegExp(PATTERNS.map(([, pre, sec], i) => `(${pre})(${sec})`).join('|'), 'gi')

const fp = (s) => createHash('sha256').update(s).digest().subarray(0, 6).toString('base64url')
function baseline(text) {
  return text.replace(BASELINE, (...m) => {
    for (let i = 0; i < PATTERNS.length; i++) {
      const sec = m[2 + 2 * i]
      if (sec !== undefined) return `${m[1 + 2 * i]}[REDACTED:${PATTERNS[i][0]}:${fp(sec)}]`
    }
    return m[0]
  })
}

function mbps(fn, data, bytes, minMs = 1000) {
  let runs = 0
  const start = performance.now()
  for (;;) {
    fn(data)
    runs++
    const el = performance.now() - start
    if (el >= minMs) return (bytes * runs) / (el / 1000) / 1e6
  }
}

console.log(`${'text'.padEnd(8)}${'mode'.padEnd(10)}${'tokenward MB/s'.padStart(16)}${'JS RegExp MB/s'.padStart(16)}${'ratio'.padStart(8)}`)
for (const name of ['clean', 'dense']) {
  let blob = ''
  while (blob.length < 4 << 20) blob += LINES[name].join('\n') + '\n'
  const lines = blob.split('\n')
  const bytes = Buffer.byteLength(blob)
  for (const [mode, data, tw, js] of [
    ['blob', blob, redact, baseline],
    ['per-line', lines, (ls) => ls.map((l) => redact(l)), (ls) => ls.map((l) => baseline(l))],
  ]) {
    const a = mbps(tw, data, bytes)
    const b = mbps(js, data, bytes)
    console.log(`${name.padEnd(8)}${mode.padEnd(10)}${a.toFixed(1).padStart(16)}${b.toFixed(1).padStart(16)}${(a / b).toFixed(2).padStart(7)}x`)
  }
}
