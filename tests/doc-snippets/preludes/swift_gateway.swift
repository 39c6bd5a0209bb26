// docs/gateway.md (Swift): an API key store, an HS256 key and a revocation list.
let keys = try ApiKeys(prefix: "tw_live")
let key = try JwtKey.hmac(secret: Data("doc-snippet-hmac-secret-0123456789ab".utf8), algorithm: .hs256)
let revocations = try RevocationList(options: RevocationListOptions(maxEntries: 1000))
