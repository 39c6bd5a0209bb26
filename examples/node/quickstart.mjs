// A tour of the main jobs from Node: API keys, a JWT issued and verified, a log line scrubbed,
// and a request through the in-process gateway.
// Run: `node examples/node/quickstart.mjs` (from a checkout after `scripts/build.sh`; in your
// project, import from 'tokenward'). Exits non-zero if tokenward does not behave as described.
import { ApiKeys, Authenticator, JwtIssuer, JwtVerifier, JwtKey, KeySet, redact } from '../../node/index.mjs'

// API keys: the secret is shown once; the store keeps a hash.
const keys = new ApiKeys('tw_live')
const issued = keys.create('acct_42', { scopes: ['read'] })
console.log(`issued API key ${issued.record.id} (printed form: ${issued.secret})`)
console.log(`verified: owner ${keys.verify(issued.secret).owner}`)

// JWT: an explicit algorithm allowlist, issuer and audience checked.
const key = JwtKey.generate('EdDSA').withKid('2026-12')
const token = new JwtIssuer(key, { issuer: 'https://auth.example', audience: 'api' }).issue({ scope: 'read' }, { subject: 'user-1' })
const verifier = new JwtVerifier(new KeySet([key]), { algorithms: ['EdDSA'], issuers: 'https://auth.example', audiences: 'api' })
console.log(`JWT verified: sub = ${verifier.verify(token).sub}`)
try {
  // A different signature: its first character changed (the last ones carry padding bits).
  const start = token.lastIndexOf('.') + 1
  verifier.verify(token.slice(0, start) + (token[start] === 'A' ? 'B' : 'A') + token.slice(start + 1))
  throw new Error('a tampered JWT verified')
} catch (err) {
  if (!err.code) throw err
  console.log(`tampered JWT refused: ${err.code}`)
}

// Redaction: secrets in a log line become fingerprints.
console.log(`log line: ${redact(`GET /v1 Authorization: Bearer ${token} api_key=${issued.secret.expose()}`)}`)

// Gateway: the API key authenticates a request; a request without one gets a 401.
const auth = new Authenticator({ apiKeys: keys, rateLimit: { rate: 100, burst: 20 } })
const allowed = auth.authenticate({ method: 'GET', path: '/v1/things', headers: { 'x-api-key': issued.secret.expose() }, clientIp: '198.51.100.7', requiredScopes: ['read'] })
if (!allowed.ok) throw new Error(`the API key was refused: ${allowed.code}`)
console.log(`gateway: ${allowed.subject} allowed`)
const refused = auth.authenticate({ method: 'GET', path: '/v1/things', headers: {}, clientIp: '198.51.100.7' })
if (refused.ok) throw new Error('a request without credentials was let through')
console.log(`gateway: no credentials -> ${refused.status} ${refused.code}`)
