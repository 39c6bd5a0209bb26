"""A tour of the main jobs from Python: API keys, a JWT issued and verified, a log line
scrubbed, and a request through the in-process gateway.

Run: ``python3 examples/python/quickstart.py`` (with tokenward installed: ``pip install tokenward``
or ``scripts/build.sh``). Exits non-zero if tokenward does not behave as described.
"""

import tokenward
from tokenward import ApiKeys, Authenticator, JwtIssuer, JwtKey, JwtVerifier, KeySet, RateLimit

# API keys: the secret is shown once; the store keeps a hash.
keys = ApiKeys("tw_live")
issued = keys.create("acct_42", scopes=["read"])
print(f"issued API key {issued.record.id} (printed form: {issued.secret})")
print(f"verified: owner {keys.verify(issued.secret).owner}")

# JWT: an explicit algorithm allowlist, issuer and audience checked.
key = JwtKey.generate("ES256").with_kid("2026-12")
token = JwtIssuer(key, issuer="https://auth.example", audience="api").issue({"scope": "read"}, subject="user-1")
verifier = JwtVerifier(KeySet([key]), algorithms=["ES256"], issuers="https://auth.example", audiences="api")
print(f"JWT verified: sub = {verifier.verify(token)['sub']}")
try:
    # A different signature: its first character changed (the last ones carry padding bits).
    start = token.rindex(".") + 1
    verifier.verify(token[:start] + ("B" if token[start] == "A" else "A") + token[start + 1 :])
    raise SystemExit("a tampered JWT verified")
except tokenward.TokenwardError as err:
    print(f"tampered JWT refused: {err.code}")

# Redaction: secrets in a log line become fingerprints.
line = f"GET /v1 Authorization: Bearer {token} api_key={issued.secret.expose()}"
print(f"log line: {tokenward.redact(line)}")

# Gateway: the API key authenticates a request; a request without one gets a 401.
auth = Authenticator(api_keys=keys, rate_limit=RateLimit.per_second(100, 20))
decision = auth.authenticate("GET", "/v1/things", {"x-api-key": issued.secret.expose()},
                             client_ip="198.51.100.7", required_scopes=["read"])
if not decision:
    raise SystemExit(f"the API key was refused: {decision.code}")
print(f"gateway: {decision.subject} allowed")
refusal = auth.authenticate("GET", "/v1/things", {}, client_ip="198.51.100.7")
if refusal:
    raise SystemExit("a request without credentials was let through")
print(f"gateway: no credentials -> {refusal.status} {refusal.code}")
