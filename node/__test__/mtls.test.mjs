// Mutual TLS (RFC 8705): the shared vectors tests/vectors/mtls.json at the gateway, and
// tls_client_auth against a real TLS server on loopback (node:https) that requires a client
// certificate. The certificates are made at test time with node:crypto (keys) and a small DER
// writer below (X.509 v3, ECDSA P-256 with SHA-256).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import https from 'node:https'
import { inspect } from 'node:util'

import { Authenticator, DpopVerifier, JwtIssuer, JwtKey, JwtVerifier, ManualClock, OAuthClient, certificateThumbprint } from '../index.mjs'
import { codeOf, loadVectors } from './vectors.mjs'
import { certificate, ec } from '../../tests/oauth/test-certs.mjs'

// --- the shared vectors ------------------------------------------------------------------------

const pemOf = (der) => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----\n`

function vectorAuthenticator(setup, mtls = true, extra = {}) {
  const clock = new ManualClock(setup.now)
  return new Authenticator({
    jwt: new JwtVerifier(JwtKey.hmac(setup.jwt.hmac_secret, 'HS256'), { algorithms: ['HS256'], clock }),
    trustedProxies: setup.trusted_proxies,
    mtlsBoundTokens: mtls && setup.mtls_bound_tokens,
    clock,
    ...extra,
  })
}

function checkCase(doc, auth, c) {
  const headers = c.request.headers.map(([n, v]) => [n, v.startsWith('{client_cert:') ? `:${doc.certificates[v.slice(13, -1)]}:` : v])
  const r = auth.authenticate({
    method: 'GET', path: '/v1/things', headers, clientIp: c.request.client_ip,
    clientCertificate: vectorCert(doc, c.request.client_certificate),
  })
  if (c.expect.status === 200) {
    assert.equal(r.ok, true, `${c.name}: ${r.code}`)
  } else {
    assert.deepEqual([r.status, r.code, r.error], [c.expect.status, c.expect.code, c.expect.error], c.name)
    if (c.expect.www_authenticate !== undefined) assert.equal(r.wwwAuthenticate, c.expect.www_authenticate, c.name)
  }
}

function vectorCert(doc, name) {
  if (name === null) return null
  if (name.endsWith('_pem')) return pemOf(Buffer.from(doc.certificates[name.slice(0, -4)], 'base64'))
  return Buffer.from(doc.certificates[name], 'base64')
}

test('vectors: mTLS-bound tokens', () => {
  const doc = loadVectors('mtls.json')
  const auth = vectorAuthenticator(doc.setup)
  assert.ok(auth.headerNames.includes('client-cert'))
  for (const c of doc.cases) checkCase(doc, auth, c)
})

test('vectors: requireSenderConstrained refuses unbound access tokens', () => {
  const doc = loadVectors('mtls.json')
  const section = doc.sender_constrained
  assert.equal(section.require_sender_constrained, true)
  for (const c of section.cases) {
    const auth = vectorAuthenticator(doc.setup, true, {
      requireSenderConstrained: true,
      ...(c.dpop ? { dpop: new DpopVerifier() } : {}),
    })
    checkCase(doc, auth, c)
  }
  // Nothing to check a binding with: refused when built.
  const clock = new ManualClock(doc.setup.now)
  const jwt = new JwtVerifier(JwtKey.hmac(doc.setup.jwt.hmac_secret, 'HS256'), { algorithms: ['HS256'], clock })
  assert.equal(codeOf(() => new Authenticator({ jwt, requireSenderConstrained: true })), 'invalid_input')
})

test('vectors: certificate thumbprints', () => {
  const doc = loadVectors('mtls.json')
  for (const [name, thumb] of Object.entries(doc.thumbprints)) {
    const der = Buffer.from(doc.certificates[name], 'base64')
    assert.equal(certificateThumbprint(der), thumb)
    assert.equal(certificateThumbprint(new Uint8Array(der)), thumb)
    assert.equal(certificateThumbprint(pemOf(der)), thumb)
  }
  assert.equal(codeOf(() => certificateThumbprint('nope')), 'malformed')
})

test('without mtlsBoundTokens a bound token is a bearer token', () => {
  const doc = loadVectors('mtls.json')
  const auth = vectorAuthenticator(doc.setup, false)
  assert.ok(!auth.headerNames.includes('client-cert'))
  const r = auth.authenticate({ headers: [doc.cases[2].request.headers[0]] })
  assert.equal(r.ok, true)
})

// --- certificates made here --------------------------------------------------------------------

const caKey = ec()
const ca = certificate({ cn: 'test CA', key: caKey, ca: true })
const server = certificate({ cn: 'server', issuer: 'test CA', key: ec(), signer: caKey.privateKey, ip: '127.0.0.1' })
const client = certificate({ cn: 'client app', issuer: 'test CA', key: ec(), signer: caKey.privateKey })
const other = certificate({ cn: 'other app', issuer: 'test CA', key: ec(), signer: caKey.privateKey })

async function tlsServer() {
  const seen = []
  const srv = https.createServer({ key: server.keyPem, cert: server.pem, ca: ca.pem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    let body = ''
    req.on('data', (c) => { body += c })
    req.on('end', () => {
      const der = req.socket.getPeerCertificate().raw
      const thumb = createHash('sha256').update(der).digest('base64url')
      seen.push({ path: req.url, body, thumb, authorization: req.headers.authorization })
      const answer = req.url === '/token'
        ? { access_token: `bound-to-${thumb}`, token_type: 'Bearer', expires_in: 60 }
        : req.url === '/introspect' ? { active: true, sub: 'app', cnf: { 'x5t#S256': thumb } } : {}
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(answer))
    })
  })
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve))
  return { url: `https://127.0.0.1:${srv.address().port}`, seen, close: () => new Promise((r) => srv.close(r)) }
}

const clientOf = (url, options) => new OAuthClient(`${url}/token`, 'app', {
  introspectionUrl: `${url}/introspect`, revocationUrl: `${url}/revoke`, caCertificates: ca.pem, ...options,
})

test('tls_client_auth presents the certificate on every call', async () => {
  const { url, seen, close } = await tlsServer()
  try {
    const c = clientOf(url, { clientCertificate: client.pem, clientCertificateKey: client.keyPem })
    assert.equal(c.authMethod, 'tls_client_auth')
    const expected = certificateThumbprint(client.der)
    const token = (await c.clientCredentials()).accessToken
    assert.equal(token.expose(), `bound-to-${expected}`)
    assert.equal((await c.introspect(token.expose())).active, true)
    await c.revoke(token.expose())
    assert.deepEqual(seen.map((s) => s.path), ['/token', '/introspect', '/revoke'])
    for (const s of seen) {
      assert.equal(s.thumb, expected)
      assert.match(s.body, /client_id=app/)
      assert.doesNotMatch(s.body, /client_secret/)
      assert.equal(s.authorization, undefined)
    }
    assert.doesNotMatch(inspect(c), /PRIVATE/)

    // The token the server bound to the certificate passes the gateway only with it.
    const clock = new ManualClock(1_700_000_000)
    const key = JwtKey.hmac('mtls-node-test-secret-0123456789abcdef', 'HS256')
    const jwt = new JwtIssuer(key).issue({ sub: 'app', cnf: { 'x5t#S256': expected } })
    const auth = new Authenticator({ jwt: new JwtVerifier(key, { algorithms: ['HS256'] }), mtlsBoundTokens: true, clock })
    const headers = { authorization: `Bearer ${jwt}` }
    assert.equal(auth.authenticate({ headers, clientCertificate: client.der }).ok, true)
    assert.equal(auth.authenticate({ headers, clientCertificate: client.pem }).ok, true)
    const wrong = auth.authenticate({ headers, clientCertificate: other.der })
    assert.deepEqual([wrong.ok, wrong.status, wrong.code], [false, 401, 'certificate_mismatch'])
    assert.equal(auth.authenticate({ headers }).code, 'certificate_mismatch')
  } finally {
    await close()
  }
})

test('without a client certificate the server refuses the handshake', async () => {
  const { url, seen, close } = await tlsServer()
  try {
    const c = clientOf(url, { clientSecret: 's3cret', authMethod: 'client_secret_post' })
    await assert.rejects(c.clientCredentials(), (e) => e.code === 'network')
    assert.deepEqual(seen, [])
  } finally {
    await close()
  }
})

test('certificate options are checked', () => {
  assert.equal(codeOf(() => new OAuthClient('https://as.example/token', 'app', { authMethod: 'tls_client_auth' })), 'invalid_input')
  assert.equal(codeOf(() => new OAuthClient('https://as.example/token', 'app', { clientCertificate: client.pem })), 'invalid_input')
  assert.equal(codeOf(() => new OAuthClient('https://as.example/token', 'app', { clientCertificate: 'nope', clientCertificateKey: client.keyPem })), 'invalid_key')
})
