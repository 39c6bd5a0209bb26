// A TLS server on loopback that requires a client certificate (RFC 8705 mutual TLS), for test
// suites that cannot start one themselves (the Swift tests run in a chroot whose Foundation has
// no TLS server). Run: node tests/oauth/mtls-server.mjs DIR
//
// At start it makes a test CA, a server certificate for 127.0.0.1 and two client certificates
// (ECDSA P-256, made here with node:crypto and a small DER writer: nothing is kept), writes
// DIR/ca.pem, DIR/client.pem, DIR/client-key.pem, DIR/stranger.pem, DIR/stranger-key.pem (the
// stranger's certificate is self-signed, unknown to the server), then DIR/url last
// (`https://127.0.0.1:PORT`) once it listens. The handshake fails without a certificate from the
// CA. Answers, over JSON:
//   POST /token      -> {"access_token": "bound-to-<x5t#S256 of the client certificate>", ...}
//   POST /introspect -> {"active": true, "sub": "app", "cnf": {"x5t#S256": <thumbprint>}}
//   GET  /__seen     -> what it saw: [{path, thumb, body, authorization}]
// It stops on SIGTERM (scripts/common.sh stop_mtls_server).
import { createHash } from 'node:crypto'
import { writeFileSync, renameSync, mkdirSync } from 'node:fs'
import https from 'node:https'
import { join } from 'node:path'

import { certificate, ec } from './test-certs.mjs'

const dir = process.argv[2]
if (!dir) {
  console.error('usage: node tests/oauth/mtls-server.mjs DIR')
  process.exit(2)
}

const caKey = ec()
const ca = certificate({ cn: 'test CA', key: caKey, ca: true })
const server = certificate({ cn: 'server', issuer: 'test CA', key: ec(), signer: caKey.privateKey, ip: '127.0.0.1' })
const client = certificate({ cn: 'client app', issuer: 'test CA', key: ec(), signer: caKey.privateKey })
const stranger = certificate({ cn: 'stranger', key: ec() })

const seen = []
const srv = https.createServer({ key: server.keyPem, cert: server.pem, ca: ca.pem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
  let body = ''
  req.on('data', (c) => { body += c })
  req.on('end', () => {
    const der = req.socket.getPeerCertificate().raw
    const thumb = createHash('sha256').update(der).digest('base64url')
    let answer = {}
    if (req.url === '/__seen') {
      answer = seen
    } else {
      seen.push({ path: req.url, thumb, body, authorization: req.headers.authorization ?? null })
      if (req.url === '/token') answer = { access_token: `bound-to-${thumb}`, token_type: 'Bearer', expires_in: 60 }
      if (req.url === '/introspect') answer = { active: true, sub: 'app', cnf: { 'x5t#S256': thumb } }
    }
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(answer))
  })
})

srv.listen(0, '127.0.0.1', () => {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'ca.pem'), ca.pem)
  writeFileSync(join(dir, 'client.pem'), client.pem)
  writeFileSync(join(dir, 'client-key.pem'), client.keyPem, { mode: 0o600 })
  writeFileSync(join(dir, 'stranger.pem'), stranger.pem)
  writeFileSync(join(dir, 'stranger-key.pem'), stranger.keyPem, { mode: 0o600 })
  // The URL last, so a reader that sees it finds the certificates.
  writeFileSync(join(dir, 'url.tmp'), `https://127.0.0.1:${srv.address().port}`)
  renameSync(join(dir, 'url.tmp'), join(dir, 'url'))
})
process.on('SIGTERM', () => srv.close(() => process.exit(0)))
