// A real OAuth 2.0 / OIDC server for tokenward's tests: the npm package oauth2-mock-server
// (installed under node/node_modules), wrapped to count requests per endpoint and to inject
// faults. Listens on 127.0.0.1 (random port unless PORT is set) and prints one JSON line
// {"issuer": ..., "port": ...} on stdout. Exits when stdin closes, so it never outlives the test.
//
// Test-control endpoints (not part of OAuth):
//   GET  /__stats            -> {"token": n, "introspect": n, "revoke": n, ...}
//   POST /__reset            -> counters to zero, faults cleared
//   POST /__delay?ms=N       -> delay every token answer by N ms
//   POST /__next_error?error=invalid_grant&status=400 -> next token answer is that error
//   POST /__ttl?seconds=N    -> expires_in (and exp) of the next tokens
//   POST /__id_token_ttl?seconds=N -> exp of the next ID tokens (N may be negative: expired)
//   POST /__authorize_error?error=access_denied -> the next /authorize redirects with that error
//   POST /__authorize_iss?value=URL -> the next /authorize redirect carries that iss (a mix-up)
//   POST /__rotate_keys      -> a new RS256 key joins the JWKS and signs every token from now on
//                               -> {"kid": new kid}
//   POST /__token_iss?value=URL -> the next token's `iss` is that (a token of another issuer)
//   POST /__jwks_doc?doc=JSON -> GET /__jwks_doc serves that document from now on (a JWKS the
//                               test rotates; counted as `jwks_doc`); with &id=X, GET
//                               /__jwks_doc?id=X serves it (tests sharing one server keep apart)
// A protected resource for the HTTP client hooks, which accepts the access tokens issued since
// the last /__api_revoke and answers others with 401 and a Bearer challenge:
//   ANY  /__api              -> 200 {"ok": true, "method", "body"} or 401 WWW-Authenticate
//   POST /__api_revoke       -> every access token issued so far is rejected from now on
//   POST /__api_error?error=E -> the challenge's error (default invalid_token; "" for none;
//                               "basic" for a Basic challenge only); ?all=1 rejects every token
// DPoP (RFC 9449) on the token endpoint and the protected resource /__dpop_api: see dpop.mjs
// (POST /__dpop_nonce?token=MODE&api=MODE, GET /__dpop_last).
// Pushed authorization requests (RFC 9126) on POST /par: see par.mjs (POST /__par?mode=MODE,
// GET /__par_last).
// An OTLP/HTTP collector (JSON encoding) for the telemetry tests of languages without an HTTP
// server at hand: POST /v1/metrics and /v1/traces keep the body; GET /__otlp ->
// {"metrics": [export, ...], "traces": [export, ...]}; /__reset empties them.
// Revoked tokens introspect as {"active": false}.
// Authorization responses carry `iss` (RFC 9207) and the discovery document advertises it
// (`authorization_response_iss_parameter_supported`), as a current server does.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createDpop } from './dpop.mjs';
import { createPar } from './par.mjs';

const modUrl = new URL('../../node/node_modules/oauth2-mock-server/dist/index.mjs', import.meta.url);
const { OAuth2Issuer, OAuth2Service } = await import(modUrl.href);

const issuer = new OAuth2Issuer();
await issuer.keys.generate('RS256');
const service = new OAuth2Service(issuer);
const dpop = createDpop();
// Key rotation (/__rotate_keys): once set, every token is signed with this key (the old keys
// stay published in the JWKS, as at a provider that rotates).
let signingKid;
const getKey = issuer.keys.get.bind(issuer.keys);
issuer.keys.get = (kid) => getKey(kid ?? signingKid);
let tokenIss = null;
const par = createPar();

const counts = {};
const jwksDocs = new Map();
let delayMs = 0;
let nextError = null;
let ttl = null;
let idTokenTtl = null;
let authorizeError = null;
let authorizeIss = null;
const revoked = new Set();
let apiAccepted = new Set();
let apiError = 'invalid_token';
let apiRejectAll = false;

service.on('beforeTokenSigning', (token) => {
  // Two tokens signed in the same second are otherwise byte-identical.
  token.payload.jti ??= randomUUID();
  if (ttl !== null) token.payload.exp = Math.floor(Date.now() / 1000) + ttl;
  if (tokenIss !== null) { token.payload.iss = tokenIss; tokenIss = null; }
  // The ID token is the one with an audience and no scope.
  const isIdToken = 'aud' in token.payload && !('scope' in token.payload);
  if (idTokenTtl !== null && isIdToken) token.payload.exp = Math.floor(Date.now() / 1000) + idTokenTtl;
});
service.on('beforeTokenSigning', (token, req) => dpop.onTokenSigning(token, req));
service.on('beforeResponse', (response, req) => {
  dpop.onTokenResponse(response, req);
  if (nextError) {
    response.statusCode = nextError.status;
    response.body = { error: nextError.error };
    nextError = null;
  } else if (response.body && typeof response.body === 'object') {
    if (ttl !== null) response.body.expires_in = ttl;
    if (response.body.access_token) apiAccepted.add(response.body.access_token);
  }
});
service.on('beforeAuthorizeRedirect', (redirect, req) => {
  dpop.onAuthorize(redirect, req);
  const params = redirect.url.searchParams;
  if (authorizeError) {
    params.delete('code');
    params.set('error', authorizeError);
    authorizeError = null;
  }
  params.set('iss', authorizeIss ?? issuer.url);
  authorizeIss = null;
});
service.on('beforeRevoke', (_response, req) => {
  if (req.body && req.body.token) revoked.add(req.body.token);
});
service.on('beforeIntrospect', (response, req) => {
  if (req.body && revoked.has(req.body.token)) response.body = { active: false };
  else response.body = { active: true, scope: 'read write', client_id: 'mock-client' };
});

let otlp = { metrics: [], traces: [] };

const handler = service.requestHandler;
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const name = url.pathname.replace(/^\//, '') || 'root';
  const json = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  switch (url.pathname) {
    case '/__stats': return json(200, counts);
    case '/__otlp': return json(200, otlp);
    case '/v1/metrics':
    case '/v1/traces': {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        otlp[name.slice(3)].push(JSON.parse(Buffer.concat(chunks).toString()));
        json(200, {});
      });
      return;
    }
    case '/__reset':
      for (const k of Object.keys(counts)) delete counts[k];
      delayMs = 0; nextError = null; ttl = null; authorizeError = null; authorizeIss = null; idTokenTtl = null;
      apiError = 'invalid_token'; apiRejectAll = false; tokenIss = null;
      dpop.reset();
      par.reset();
      otlp = { metrics: [], traces: [] };
      return json(200, {});
    case '/__api_revoke': apiAccepted = new Set(); return json(200, {});
    case '/__api_error':
      apiError = url.searchParams.get('error') ?? 'invalid_token';
      apiRejectAll = url.searchParams.get('all') === '1';
      return json(200, {});
    case '/__delay': delayMs = Number(url.searchParams.get('ms') ?? 0); return json(200, {});
    case '/__ttl': ttl = Number(url.searchParams.get('seconds')); return json(200, {});
    case '/__id_token_ttl': idTokenTtl = Number(url.searchParams.get('seconds')); return json(200, {});
    case '/__authorize_error': authorizeError = url.searchParams.get('error') ?? 'access_denied'; return json(200, {});
    case '/__authorize_iss': authorizeIss = url.searchParams.get('value'); return json(200, {});
    case '/__token_iss': tokenIss = url.searchParams.get('value'); return json(200, {});
    case '/__rotate_keys':
      issuer.keys.generate('RS256').then((key) => { signingKid = key.kid; json(200, { kid: key.kid }); });
      return;
    case '/__jwks_doc':
      if (req.method === 'POST') {
        jwksDocs.set(url.searchParams.get('id') ?? '', url.searchParams.get('doc') ?? '{"keys":[]}');
        return json(200, {});
      }
      counts.jwks_doc = (counts.jwks_doc ?? 0) + 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(jwksDocs.get(url.searchParams.get('id') ?? '') ?? '{"keys":[]}');
    case '/__next_error':
      nextError = { error: url.searchParams.get('error') ?? 'invalid_grant', status: Number(url.searchParams.get('status') ?? 400) };
      return json(200, {});
    default:
      if (dpop.control(url.pathname, url.searchParams, json)) return;
      if (par.control(url.pathname, url.searchParams, json)) return;
      break;
  }
  counts[name] = (counts[name] ?? 0) + 1;
  if (url.pathname === '/__api') return protectedResource(req, res, json);
  if (url.pathname === '/__dpop_api') return dpop.protectedResource(req, res, issuer.url);
  if (url.pathname === '/par' && req.method === 'POST') return par.pushed(req, res, json);
  if (url.pathname === '/authorize' && par.authorize(req, url, json)) return;
  if (url.pathname === '/token' && req.headers.dpop !== undefined) {
    dpop.tokenRequest(req, res, issuer.url).then((answered) => {
      if (answered) return;
      if (delayMs > 0) setTimeout(() => handler(req, res), delayMs);
      else handler(req, res);
    });
    return;
  }
  if (url.pathname === '/.well-known/openid-configuration') {
    // RFC 9207: advertise the `iss` authorization response parameter the redirects carry.
    const end = res.end.bind(res);
    res.end = (chunk, ...rest) => {
      let doc;
      try { doc = JSON.parse(String(chunk)); } catch { return end(chunk, ...rest); }
      doc.authorization_response_iss_parameter_supported = true;
      par.metadata(doc, issuer.url);
      const body = JSON.stringify(doc);
      res.setHeader('content-length', Buffer.byteLength(body));
      return end(body);
    };
  }
  if (url.pathname === '/token' && delayMs > 0) return setTimeout(() => handler(req, res), delayMs);
  if (url.pathname === '/revoke' || url.pathname === '/introspect') {
    // The mock parses form bodies only on /token; RFC 7009 / 7662 requests are forms too.
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      req.body = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
      handler(req, res);
    });
    return;
  }
  handler(req, res);
});

// The resource server of the HTTP-hook tests: the request's bearer token against apiAccepted.
function protectedResource(req, res, json) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const auth = req.headers.authorization ?? '';
    const token = auth.replace(/^(Bearer|DPoP) /i, '');
    if (!apiRejectAll && auth !== token && apiAccepted.has(token)) {
      return json(200, { ok: true, method: req.method, body: Buffer.concat(chunks).toString() });
    }
    const challenge = apiError === 'basic' ? 'Basic realm="api"'
      : apiError === '' ? 'Bearer realm="api"'
      : `Bearer realm="api", error="${apiError}"`;
    res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': challenge });
    res.end(JSON.stringify({ error: apiError || 'unauthorized' }));
  });
}

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address();
  issuer.url = `http://127.0.0.1:${port}`;
  process.stdout.write(JSON.stringify({ issuer: issuer.url, port }) + '\n');
});

process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
