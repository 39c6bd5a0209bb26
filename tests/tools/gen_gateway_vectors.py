import base64, hmac, hashlib, json
SECRET=b"gateway-vector-secret-0123456789abcdef"
def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def tok(claims, alg="HS256", secret=SECRET, sig=None):
    h=b64(json.dumps({"alg":alg,"typ":"JWT"},separators=(",",":")).encode())
    p=b64(json.dumps(claims,separators=(",",":")).encode())
    if sig is None:
        sig=b64(hmac.new(secret,(h+"."+p).encode(),hashlib.sha256).digest())
    return h+"."+p+"."+sig
NOW=1700000000
EXP=NOW+3600
jwts={
 "valid": tok({"sub":"alice","scope":"read write","exp":EXP,"iat":NOW,"jti":"j-alice-1"}),
 "scp": tok({"sub":"bob","scp":["read","admin"],"exp":EXP,"iat":NOW}),
 "expired": tok({"sub":"alice","scope":"read","exp":NOW-3600,"iat":NOW-7200}),
 "bad_signature": tok({"sub":"alice","scope":"read","exp":EXP}, secret=b"another-secret-another-secret-0000"),
 "revoked_jti": tok({"sub":"carol","scope":"read","exp":EXP,"jti":"j-revoked"}),
 "revoked_subject": tok({"sub":"mallory","scope":"read","exp":EXP,"jti":"j-m"}),
 "alg_none": tok({"sub":"alice","scope":"read","exp":EXP}, alg="none", sig=""),
 "no_exp": tok({"sub":"alice","scope":"read"}),
 "limited": tok({"sub":"dave","scope":"read","exp":EXP}),
 # Without `sub`: each token is its own rate-limit bucket (issue 14 item 8), not one shared "".
 "nosub_1": tok({"plan":"tiny","scope":"read","exp":EXP,"jti":"nosub-1"}),
 "nosub_2": tok({"plan":"tiny","scope":"read","exp":EXP,"jti":"nosub-2"}),
}
R='Bearer realm="api"'
def ch(err, desc, scope=None):
    s=f'{R}, error="{err}", error_description="{desc}"'
    if scope: s+=f', scope="{scope}"'
    return s
INV=ch("invalid_token","the access token is invalid")
REQ=ch("invalid_request","the request is malformed")
def scope(s): return ch("insufficient_scope","the access token lacks a required scope",s)
IP="198.51.100.7"
cases=[]
def c(name, headers, status, code, www=None, ip=IP, path="/v1/things", scopes=(), subject=None, retry=None, remaining=None):
    d={"name":name,"request":{"method":"GET","path":path,"headers":headers,"client_ip":ip,"required_scopes":list(scopes)},
       "expect":{"status":status,"code":code,"www_authenticate":www}}
    if subject is not None: d["expect"]["subject"]=subject
    if retry is not None: d["expect"]["retry_after"]=retry
    if remaining is not None: d["expect"]["remaining"]=remaining
    cases.append(d)
B=lambda t: [["Authorization","Bearer "+t]]
# success
c("api key in X-API-Key", [["X-API-Key","{key:reader}"]], 200, None, scopes=["read"], subject="acct_reader")
c("api key as Bearer", B("{key:reader}"), 200, None, scopes=["read"], subject="acct_reader")
c("api key header name is case-insensitive", [["x-api-key","{key:reader}"]], 200, None, subject="acct_reader")
c("jwt with scope claim", B(jwts["valid"]), 200, None, scopes=["read","write"], subject="alice")
c("jwt with scp array", B(jwts["scp"]), 200, None, scopes=["admin"], subject="bob")
c("bearer scheme is case-insensitive", [["authorization","bearer "+jwts["valid"]]], 200, None, subject="alice")
# presence
c("no credentials", [], 401, "missing_credentials", R)
c("basic auth is not a credential of ours", [["Authorization","Basic dXNlcjpwYXNz"]], 401, "missing_credentials", R)
c("query parameter disabled by default", [], 401, "missing_credentials", R, path="/v1/things?api_key={key:reader}")
c("bearer without token", [["Authorization","Bearer"]], 400, "malformed", REQ)
c("bearer token with space", [["Authorization","Bearer abc def"]], 400, "malformed", REQ)
c("bearer token with invalid character", [["Authorization","Bearer abc$def"]], 400, "malformed", REQ)
c("two credentials (bearer and x-api-key)", B(jwts["valid"])+[["X-API-Key","{key:reader}"]], 400, "malformed", REQ)
c("two authorization headers", B(jwts["valid"])+B(jwts["valid"]), 400, "malformed", REQ)
c("two x-api-key headers", [["X-API-Key","{key:reader}"],["X-API-Key","{key:reader}"]], 400, "malformed", REQ)
c("oversize authorization header", [["Authorization","Bearer "+"a"*9000]], 400, "token_too_large", REQ)
# validation
c("expired jwt", B(jwts["expired"]), 401, "expired", INV)
c("jwt with bad signature", B(jwts["bad_signature"]), 401, "invalid_signature", INV)
c("alg none", B(jwts["alg_none"]), 401, "algorithm_not_allowed", INV)
c("jwt without exp", B(jwts["no_exp"]), 401, "missing_claim", INV)
c("garbage bearer token", B("not-a-token"), 401, "invalid_format", INV)
c("api key with a typo", [["X-API-Key","{key_typo:reader}"]], 401, "checksum_mismatch", INV)
c("unknown api key", [["X-API-Key","{key:unknown}"]], 401, "unknown_key", INV)
c("api key revoked in the store", [["X-API-Key","{key:store_revoked}"]], 401, "revoked", INV)
# revocation list
c("api key on the revocation list", [["X-API-Key","{key:list_revoked}"]], 401, "revoked", INV)
c("jti on the revocation list", B(jwts["revoked_jti"]), 401, "revoked", INV)
c("subject on the revocation list", B(jwts["revoked_subject"]), 401, "revoked", INV)
# scopes
c("api key lacks scope", [["X-API-Key","{key:reader}"]], 403, "insufficient_scope", scope("write"), scopes=["write"])
c("jwt lacks scope", B(jwts["valid"]), 403, "insufficient_scope", scope("read admin"), scopes=["read","admin"])
# ip
c("denied ipv4", [["X-API-Key","{key:reader}"]], 403, "ip_denied", None, ip="192.0.2.55")
c("denied ipv4-mapped ipv6", [["X-API-Key","{key:reader}"]], 403, "ip_denied", None, ip="::ffff:192.0.2.55")
c("denied ipv6 network", [["X-API-Key","{key:reader}"]], 403, "ip_denied", None, ip="2001:db8:bad:1::9")
c("ip checked before credentials", [], 403, "ip_denied", None, ip="192.0.2.1")
c("xff from an untrusted peer is ignored", [["X-API-Key","{key:reader}"],["X-Forwarded-For","192.0.2.1"]], 200, None, subject="acct_reader")
c("xff spoofing cannot hide a denied client", [["X-API-Key","{key:reader}"],["X-Forwarded-For","198.51.100.9, 192.0.2.1"]], 403, "ip_denied", None, ip="10.0.0.5")
c("xff behind a trusted proxy allows a good client", [["X-API-Key","{key:reader}"],["X-Forwarded-For","192.0.2.1, 198.51.100.9"]], 200, None, ip="10.0.0.5", subject="acct_reader")
c("xff chain of trusted proxies", [["X-API-Key","{key:reader}"],["X-Forwarded-For","192.0.2.1, 10.1.1.1"]], 403, "ip_denied", None, ip="10.0.0.5")
c("forwarded header is ignored when xff is configured", [["X-API-Key","{key:reader}"],["Forwarded","for=192.0.2.1"]], 200, None, ip="10.0.0.5", subject="acct_reader")
c("malformed xff hop behind a trusted proxy", [["X-API-Key","{key:reader}"],["X-Forwarded-For","nonsense"]], 400, "malformed", REQ, ip="10.0.0.5")
# rate limit (sequential: limited principals allow 1 per minute)
c("rate limit: first request of a limited key", [["X-API-Key","{key:limited}"]], 200, None, subject="acct_limited", remaining=0)
c("rate limit: second request is refused", [["X-API-Key","{key:limited}"]], 429, "rate_limited", None, retry=60)
c("rate limit: limited jwt subject", B(jwts["limited"]), 200, None, subject="dave", remaining=0)
c("rate limit: limited jwt subject again", B(jwts["limited"]), 429, "rate_limited", None, retry=60)
c("rate limit: a jwt without sub has its own bucket", B(jwts["nosub_1"]), 200, None, subject="", remaining=0)
c("rate limit: another jwt without sub does not share it", B(jwts["nosub_2"]), 200, None, subject="", remaining=0)
c("rate limit: the first jwt without sub again", B(jwts["nosub_1"]), 429, "rate_limited", None, retry=60)
# failure budget (issue 14 item 2): FAILURE_BURST refused credentials per address (IPv6 per /64),
# then 429 before any verification, whatever the credential; other networks unaffected.
FAILURE_BURST=15
for k in range(1, FAILURE_BURST+1):
    c(f"failure budget: refused credential {k}/{FAILURE_BURST}", B(jwts["bad_signature"]), 401, "invalid_signature", INV, ip=f"2001:db8:66:1::{k:x}")
c("failure budget: spent, a refused credential gets 429", B(jwts["bad_signature"]), 429, "rate_limited", None, ip="2001:db8:66:1::99", retry=60)
c("failure budget: spent, a good credential is refused before verification", B(jwts["valid"]), 429, "rate_limited", None, ip="2001:db8:66:1:ffff::1", retry=60)
c("failure budget: spent, a good api key too", [["X-API-Key","{key:reader}"]], 429, "rate_limited", None, ip="2001:db8:66:1::1", retry=60)
c("failure budget: the next /64 has its own budget", [["X-API-Key","{key:reader}"]], 200, None, ip="2001:db8:66:2::1", subject="acct_reader")
# No other address may reach the budget by accident (the cases share one Authenticator).
from collections import Counter
spent=Counter(x["request"]["client_ip"] for x in cases
              if x["expect"]["status"]==401 and x["expect"]["code"]!="missing_credentials"
              and not x["request"]["client_ip"].startswith("2001:db8:66:1:"))
assert max(spent.values()) < FAILURE_BURST, spent
doc={
 "description":"In-process gateway vectors: run the cases in order against one Authenticator built from `setup` (the rate-limit cases depend on order). Placeholders: {key:NAME} is the secret of API key NAME created in setup; {key_typo:NAME} is that key with its last character changed (checksum mismatch); {key:unknown} is a well-formed key never stored. `code` null and status 200 mean a Principal.",
 "setup":{
   "now":NOW,"realm":"api",
   "api_keys":{"prefix":"tw_test","keys":{
      "reader":{"owner":"acct_reader","scopes":["read"]},
      "store_revoked":{"owner":"acct_x","scopes":["read"],"revoke_in_store":True},
      "list_revoked":{"owner":"acct_y","scopes":["read"],"revoke_in_list":True},
      "limited":{"owner":"acct_limited","scopes":["read"],"metadata":{"plan":"tiny"}}}},
   "jwt":{"algorithms":["HS256"],"hmac_secret":SECRET.decode()},
   "ip_deny":["192.0.2.0/24","2001:db8:bad::/48"],
   "trusted_proxies":{"networks":["10.0.0.0/8"],"header":"x-forwarded-for"},
   "rate_limit":{"rate":1000,"period_seconds":1,"burst":1000},
   "plans":{"tiny":{"rate":1,"period_seconds":60,"burst":1}},
   "rate_limit_overrides":{"dave":{"rate":1,"period_seconds":60,"burst":1}},
   "failure_rate_limit":{"rate":1,"period_seconds":60,"burst":FAILURE_BURST},
   "revocations":[{"kind":"jti","id":"j-revoked","until":EXP},{"kind":"subject","id":"mallory","until":EXP},{"kind":"key_id","id":"{key_id:list_revoked}","until":EXP}]
 },
 "cases":cases}
open("/work/main/tests/vectors/gateway.json","w").write(json.dumps(doc,indent=2)+"\n")
print(len(cases))
