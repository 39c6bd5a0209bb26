//! Rate-limit buckets: which bucket a validated credential and a client address are counted in.

use std::net::{IpAddr, Ipv6Addr};

use serde_json::Value;

use super::decision::{CredentialKind, Principal};
use super::introspection::token_hash;

/// The principal rate-limit bucket of a validated credential: `k:<key id>` for an API key,
/// `s:<subject>` for a token with a subject (JWT `sub`; for introspection `sub`, else
/// `client_id`). A JWT without `sub` is keyed by its `client_id` (RFC 9068) or `azp` claim
/// (`c:<id>`): the client it was issued to, which is what such tokens (client-credentials
/// grants) identify. A token with none of these is keyed by its own fingerprint (`t:` + 128
/// bits of its SHA-256): it is its own bucket, so callers without an identity never share one
/// bucket (which let one of them starve all the others) — each token is limited on its own,
/// and the per-address limits bound how many tokens one client can spread over. `jti` is not
/// used: it is optional, and one `jti` repeated by an issuer would merge unrelated tokens.
pub(super) fn bucket_key(principal: &Principal, token: &str) -> String {
    let mut key = String::with_capacity(36);
    match principal.kind {
        CredentialKind::ApiKey => {
            key.push_str("k:");
            key.push_str(principal.key_id.as_deref().unwrap_or_default());
            return key;
        }
        CredentialKind::Jwt | CredentialKind::Introspected | CredentialKind::Session
            if !principal.subject.is_empty() =>
        {
            key.push_str("s:");
            key.push_str(&principal.subject);
            return key;
        }
        CredentialKind::Jwt | CredentialKind::Introspected | CredentialKind::Session => {}
    }
    let client = ["client_id", "azp"]
        .iter()
        .find_map(|c| principal.claims.get(c).and_then(Value::as_str))
        .filter(|c| !c.is_empty());
    if let Some(c) = client {
        key.push_str("c:");
        key.push_str(c);
        return key;
    }
    key.push_str("t:");
    for b in token_hash(token).iter().take(16) {
        use std::fmt::Write as _;
        let _ = write!(key, "{b:02x}");
    }
    key
}

/// Rate-limit bucket of an address: IPv6 per /64 (one customer's subnet), IPv4 per address.
pub(super) fn ip_bucket(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64))),
        v4 => v4,
    }
}
