// DPoP (RFC 9449) for the OAuth mock server (mock-server.mjs): proofs verified with `jose`, a
// peer implementation, on the token endpoint and on a small protected resource.
//
//   token endpoint: a request with a `DPoP` header must carry a valid proof (typ dpop+jwt, ES256
//     or EdDSA signature by the embedded public JWK, htm POST, htu the token URL, fresh iat,
//     unused jti, the current nonce in nonce mode); the access token then gets `cnf.jkt` and the
//     answer `token_type: DPoP`. A code from an authorization request with `dpop_jkt` needs a
//     proof by that key. Refusals: 400 invalid_dpop_proof / use_dpop_nonce (+ DPoP-Nonce).
//   ANY  /__dpop_api  -> 200 {"ok": true, "method", "jkt"} for `Authorization: DPoP <token>` with
//     a proof of the token's key (htm, htu, ath, nonce); else 401 with a DPoP challenge.
//   POST /__dpop_nonce?token=MODE&api=MODE -> MODE: off (default), require (one current nonce,
//     a proof without it is challenged once), always (every request is challenged, new nonce),
//     advertise (no nonce required; every accepted request's 200 answer carries a new DPoP-Nonce)
//   GET  /__dpop_last  -> what the last proofs carried: {token, api, authorize_dpop_jkt}, and
//     `advertised`: {token, api}, the last nonce each sent on a 200 in advertise mode
//   POST /__dpop_token_type -> the next token answer says `token_type: DPoP` even without a proof
import { createHash, randomUUID } from 'node:crypto';

const joseUrl = new URL('../../node/node_modules/jose/dist/webapi/index.js', import.meta.url);
const { jwtVerify, EmbeddedJWK, calculateJwkThumbprint, decodeProtectedHeader } = await import(joseUrl.href);

const MAX_AGE_S = 60;

export function createDpop() {
  const state = {
    modes: { token: 'off', api: 'off' },
    nonces: { token: randomUUID(), api: randomUUID() },
    seenJti: new Set(),
    boundTokens: new Map(), // access token -> jkt
    codeJkt: new Map(), // authorization code -> dpop_jkt
    last: { token: null, api: null, authorize_dpop_jkt: null },
    advertised: { token: null, api: null },
    forceType: false,
  };

  // In advertise mode: a new nonce for the 200 answer's DPoP-Nonce header.
  function advertise(where, res) {
    if (state.modes[where] !== 'advertise') return;
    state.advertised[where] = randomUUID();
    res.setHeader('dpop-nonce', state.advertised[where]);
  }

  function reset() {
    state.modes = { token: 'off', api: 'off' };
    state.last = { token: null, api: null, authorize_dpop_jkt: null };
    state.advertised = { token: null, api: null };
    state.forceType = false;
  }

  class Refusal extends Error {
    constructor(error, nonce) { super(error); this.error = error; this.nonce = nonce; }
  }

  // Verifies `proof` for `method` on `htu`; returns {jkt, claims}. Throws a Refusal.
  async function verify(proof, method, htu, where, accessToken) {
    if (typeof proof !== 'string' || proof.includes(',')) throw new Refusal('invalid_dpop_proof');
    let payload;
    let header;
    try {
      header = decodeProtectedHeader(proof);
      ({ payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256', 'EdDSA'] }));
    } catch {
      throw new Refusal('invalid_dpop_proof');
    }
    const jkt = await calculateJwkThumbprint(header.jwk, 'sha256');
    state.last[where] = { htm: payload.htm, htu: payload.htu, nonce: payload.nonce ?? null, ath: payload.ath ?? null, jkt };
    const now = Math.floor(Date.now() / 1000);
    if (payload.htm !== method || payload.htu !== htu) throw new Refusal('invalid_dpop_proof');
    if (typeof payload.iat !== 'number' || Math.abs(now - payload.iat) > MAX_AGE_S) throw new Refusal('invalid_dpop_proof');
    if (typeof payload.jti !== 'string' || state.seenJti.has(payload.jti)) throw new Refusal('invalid_dpop_proof');
    state.seenJti.add(payload.jti);
    if (accessToken !== undefined) {
      const ath = createHash('sha256').update(accessToken).digest('base64url');
      if (payload.ath !== ath) throw new Refusal('invalid_dpop_proof');
    }
    const mode = state.modes[where];
    if (mode === 'always') {
      state.nonces[where] = randomUUID();
      throw new Refusal('use_dpop_nonce', state.nonces[where]);
    }
    if (mode === 'require' && payload.nonce !== state.nonces[where]) {
      throw new Refusal('use_dpop_nonce', state.nonces[where]);
    }
    return { jkt, claims: payload };
  }

  // Token endpoint: verifies the proof (when present) before the mock's own handler runs.
  // Returns true when the request was answered here (a refusal).
  async function tokenRequest(req, res, issuerUrl) {
    const proof = req.headers.dpop;
    if (proof === undefined) return false;
    try {
      const { jkt } = await verify(proof, 'POST', `${issuerUrl}/token`, 'token');
      req.dpopJkt = jkt;
      advertise('token', res);
      return false;
    } catch (e) {
      const headers = { 'content-type': 'application/json', 'cache-control': 'no-store' };
      if (e.nonce) headers['dpop-nonce'] = e.nonce;
      res.writeHead(400, headers);
      res.end(JSON.stringify({ error: e.error ?? 'invalid_dpop_proof' }));
      return true;
    }
  }

  // beforeTokenSigning: the access token (the one with a scope member) gets cnf.jkt.
  function onTokenSigning(token, req) {
    if (req?.dpopJkt && 'scope' in token.payload) token.payload.cnf = { jkt: req.dpopJkt };
  }

  // beforeResponse: `token_type: DPoP`, and the authorization code's dpop_jkt binding.
  function onTokenResponse(response, req) {
    if (!req) return;
    const code = req.body?.code;
    if (code !== undefined && state.codeJkt.has(code)) {
      const want = state.codeJkt.get(code);
      state.codeJkt.delete(code);
      if (want !== req.dpopJkt) {
        response.statusCode = 400;
        response.body = { error: 'invalid_dpop_proof' };
        return;
      }
    }
    if (state.forceType && response.body?.access_token) {
      state.forceType = false;
      response.body.token_type = 'DPoP';
    }
    if (req.dpopJkt && response.body?.access_token) {
      response.body.token_type = 'DPoP';
      state.boundTokens.set(response.body.access_token, req.dpopJkt);
    }
  }

  // beforeAuthorizeRedirect: remember the authorization request's dpop_jkt for its code.
  function onAuthorize(redirect, req) {
    const jkt = req?.query?.dpop_jkt;
    state.last.authorize_dpop_jkt = typeof jkt === 'string' ? jkt : null;
    const code = redirect.url.searchParams.get('code');
    if (typeof jkt === 'string' && code) state.codeJkt.set(code, jkt);
  }

  function protectedResource(req, res, issuerUrl) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const deny = (error, nonce) => {
        const headers = {
          'content-type': 'application/json',
          'www-authenticate': `DPoP algs="ES256 EdDSA", error="${error}"`,
        };
        if (nonce) headers['dpop-nonce'] = nonce;
        res.writeHead(401, headers);
        res.end(JSON.stringify({ error }));
      };
      const auth = req.headers.authorization ?? '';
      const match = /^DPoP (.+)$/.exec(auth);
      const jkt = match ? state.boundTokens.get(match[1]) : undefined;
      if (!match || !jkt) return deny('invalid_token');
      try {
        const proof = await verify(req.headers.dpop, req.method, `${issuerUrl}/__dpop_api`, 'api', match[1]);
        if (proof.jkt !== jkt) return deny('invalid_dpop_proof');
      } catch (e) {
        return deny(e.error ?? 'invalid_dpop_proof', e.nonce);
      }
      advertise('api', res);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, method: req.method, jkt, body: Buffer.concat(chunks).toString() }));
    });
  }

  // Test-control endpoints; true when `pathname` was one.
  function control(pathname, params, json) {
    if (pathname === '/__dpop_nonce') {
      for (const where of ['token', 'api']) {
        const mode = params.get(where);
        if (mode) state.modes[where] = mode;
      }
      json(200, state.modes);
      return true;
    }
    if (pathname === '/__dpop_token_type') {
      state.forceType = true;
      json(200, {});
      return true;
    }
    if (pathname === '/__dpop_last') {
      json(200, { ...state.last, advertised: state.advertised });
      return true;
    }
    return false;
  }

  return { reset, tokenRequest, onTokenSigning, onTokenResponse, onAuthorize, protectedResource, control };
}
