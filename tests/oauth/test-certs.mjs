// Test certificates made with node:crypto and a small DER writer (ECDSA P-256, nothing kept on
// disk by this module): used by tests/oauth/mtls-server.mjs and node/__test__/mtls.test.mjs.
import { generateKeyPairSync, sign } from 'node:crypto'

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
export function certificate({ cn, issuer = cn, key, signer = key.privateKey, ca = false, ip }) {
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

export const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' })
