// Pushed authorization requests (RFC 9126) for the OAuth mock server (mock-server.mjs), which has
// none of its own.
//
//   POST /par  -> 201 {"request_uri": "urn:ietf:params:oauth:request_uri:<uuid>", "expires_in": 60}
//     for a form with client authentication (Basic, client_secret_post, a client assertion, or
//     client_id alone for a public client) and response_type; the parameters are kept under the
//     request_uri for one use. Refusals: 401 invalid_client without client_id, 400
//     invalid_request for a form carrying request_uri.
//   GET /authorize?client_id=..&request_uri=.. -> the pushed parameters replace the query (the
//     client_id must match; an unknown or used request_uri is 400 invalid_request). In
//     "require" mode, /authorize without request_uri is 400 invalid_request.
//   POST /__par?mode=MODE -> MODE: ok (default), require (metadata says
//     require_pushed_authorization_requests and /authorize needs a request_uri),
//     error (400 invalid_request), no_request_uri (201 without request_uri),
//     bad_expiry (201 with expires_in 0)
//   GET  /__par_last -> what the last push carried: {params (state, nonce and the PKCE
//     challenge included), auth: "basic" | "post" | "jwt" | "none", assertion_aud: the `aud`
//     of the client assertion (decoded, not verified) or null}
// The discovery document advertises pushed_authorization_request_endpoint.
import { randomUUID } from 'node:crypto';

export function createPar() {
  const state = { mode: 'ok', pushed: new Map(), last: null };

  function reset() {
    state.mode = 'ok';
    state.last = null;
  }

  // Test-control endpoints; true when answered.
  function control(pathname, params, json) {
    if (pathname === '/__par') {
      state.mode = params.get('mode') ?? 'ok';
      json(200, {});
      return true;
    }
    if (pathname === '/__par_last') {
      json(200, state.last ?? {});
      return true;
    }
    return false;
  }

  function clientOf(req, form) {
    const header = req.headers.authorization ?? '';
    if (header.startsWith('Basic ')) {
      const [id] = Buffer.from(header.slice(6), 'base64').toString().split(':');
      return { id: decodeURIComponent(id), auth: 'basic' };
    }
    if (form.client_assertion) return { id: form.client_id, auth: 'jwt' };
    if (form.client_secret) return { id: form.client_id, auth: 'post' };
    return { id: form.client_id, auth: 'none' };
  }

  // The `aud` of a client assertion, decoded without verification (what the client sent).
  function audienceOf(assertion) {
    if (typeof assertion !== 'string') return null;
    try {
      return JSON.parse(Buffer.from(assertion.split('.')[1], 'base64url').toString()).aud ?? null;
    } catch {
      return null;
    }
  }

  // POST /par.
  function pushed(req, res, json) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
      const client = clientOf(req, form);
      const params = { ...form };
      for (const k of ['client_secret', 'client_assertion', 'client_assertion_type']) delete params[k];
      state.last = { params, auth: client.auth, assertion_aud: audienceOf(form.client_assertion) };
      if (!client.id) return json(401, { error: 'invalid_client' });
      if (state.mode === 'error' || 'request_uri' in form || form.response_type !== 'code') {
        return json(400, { error: 'invalid_request', error_description: 'refused tok_SECRET' });
      }
      if (state.mode === 'no_request_uri') return json(201, { expires_in: 60 });
      const requestUri = `urn:ietf:params:oauth:request_uri:${randomUUID()}`;
      state.pushed.set(requestUri, { ...params, client_id: client.id });
      json(201, { request_uri: requestUri, expires_in: state.mode === 'bad_expiry' ? 0 : 60 });
    });
  }

  // GET /authorize: rewrites req.url to the pushed parameters. Returns true when answered.
  function authorize(req, url, json) {
    const requestUri = url.searchParams.get('request_uri');
    if (requestUri === null) {
      if (state.mode === 'require') {
        json(400, { error: 'invalid_request', error_description: 'pushed authorization required' });
        return true;
      }
      return false;
    }
    const params = state.pushed.get(requestUri);
    state.pushed.delete(requestUri);
    if (params === undefined || params.client_id !== url.searchParams.get('client_id')) {
      json(400, { error: 'invalid_request', error_description: 'unknown request_uri' });
      return true;
    }
    req.url = `${url.pathname}?${new URLSearchParams(params)}`;
    return false;
  }

  // The discovery document's additions.
  function metadata(doc, issuerUrl) {
    doc.pushed_authorization_request_endpoint = `${issuerUrl}/par`;
    if (state.mode === 'require') doc.require_pushed_authorization_requests = true;
  }

  return { reset, control, pushed, authorize, metadata };
}
