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
// Revoked tokens introspect as {"active": false}.
import http from 'node:http';

const modUrl = new URL('../../node/node_modules/oauth2-mock-server/dist/index.mjs', import.meta.url);
const { OAuth2Issuer, OAuth2Service } = await import(modUrl.href);

const issuer = new OAuth2Issuer();
await issuer.keys.generate('RS256');
const service = new OAuth2Service(issuer);

const counts = {};
let delayMs = 0;
let nextError = null;
let ttl = null;
const revoked = new Set();

service.on('beforeTokenSigning', (token) => {
  if (ttl !== null) token.payload.exp = Math.floor(Date.now() / 1000) + ttl;
});
service.on('beforeResponse', (response) => {
  if (nextError) {
    response.statusCode = nextError.status;
    response.body = { error: nextError.error };
    nextError = null;
  } else if (ttl !== null && response.body && typeof response.body === 'object') {
    response.body.expires_in = ttl;
  }
});
service.on('beforeRevoke', (_response, req) => {
  if (req.body && req.body.token) revoked.add(req.body.token);
});
service.on('beforeIntrospect', (response, req) => {
  if (req.body && revoked.has(req.body.token)) response.body = { active: false };
  else response.body = { active: true, scope: 'read write', client_id: 'mock-client' };
});

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
    case '/__reset':
      for (const k of Object.keys(counts)) delete counts[k];
      delayMs = 0; nextError = null; ttl = null;
      return json(200, {});
    case '/__delay': delayMs = Number(url.searchParams.get('ms') ?? 0); return json(200, {});
    case '/__ttl': ttl = Number(url.searchParams.get('seconds')); return json(200, {});
    case '/__next_error':
      nextError = { error: url.searchParams.get('error') ?? 'invalid_grant', status: Number(url.searchParams.get('status') ?? 400) };
      return json(200, {});
    default:
      break;
  }
  counts[name] = (counts[name] ?? 0) + 1;
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

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address();
  issuer.url = `http://127.0.0.1:${port}`;
  process.stdout.write(JSON.stringify({ issuer: issuer.url, port }) + '\n');
});

process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
