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
import { createHash, generateKeyPairSync, sign } from 'node:crypto'
import { writeFileSync, renameSync, mkdirSync } from 'node:fs'
import https from 'node:https'
import { join } from 'node:path'

const dir = process.argv[2]
if (!dir) {
  console.error('usage: node tests/oauth/mtls-server.mjs DIR')
  process.exit(2)
}

const pemOf = (der) => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----\n`
const len = (n) => (n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff])
const tlv = (tag, ...parts) => {
  const body = Buffer.concat(parts)
  return Buffer.concat([Buffer.from([tag, ...len(body.length)]), body])
}
const seq = (...p) => tlv(0x30, ...p)
const int = (n) => tlv(0x02, Buffer.from([n]))
const oid = (s) => {
  const a = s.split('.').map(Number)
  const out = [40 * a[0] + a[1]]
  for (const v of a.slice(2)) {
    const bytes = [v & 0x7f]
    for (let x = v >> 7; x > 0; x >>= 7) bytes.unshift((x & 0x7f) | 0x80)
    out.push(...bytes)
  }
  return tlv(0x06, Buffer.from(out))
}
const name = (cn) => seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn)))))
const utcTime = (d) => tlv(0x17, Buffer.from(d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'))
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'))
let serial = 1

// An X.509 v3 certificate for `key`, signed by `signer` (its own key when self-signed).
function certificate({ cn, issuer = cn, key, signer = key.privateKey, ca = false, ip }) {
  const TRUE = tlv(0x01, Buffer.from([0xff]))
  const exts = [seq(oid('2.5.29.19'), TRUE, tlv(0x04, ca ? seq(TRUE) : seq()))]
  if (ip) exts.push(seq(oid('2.5.29.17'), tlv(0x04, seq(tlv(0x87, Buffer.from(ip.split('.').map(Number)))))))
  const now = Date.now()
  const tbs = seq(
    tlv(0xa0, int(2)), int(serial++), ECDSA_SHA256, name(issuer),
    seq(utcTime(new Date(now - 3600e3)), utcTime(new Date(now + 86400e3))), name(cn),
    key.publicKey.export({ type: 'spki', format: 'der' }), tlv(0xa3, seq(...exts)),
  )
  const der = seq(tbs, ECDSA_SHA256, tlv(0x03, Buffer.from([0]), sign('sha256', tbs, signer)))
  return { der, pem: pemOf(der), keyPem: key.privateKey.export({ type: 'pkcs8', format: 'pem' }) }
}

const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' })
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
