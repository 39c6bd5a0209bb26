//! The verified-token cache (`JwtVerifierOptions::with_cache_size`): expiry on the verifier's
//! clock, key-set changes (a replaced set, a remote JWKS refetch), the memory bound, and the
//! gateway steps that still run on every request (revocation, scopes).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Map, Value};
use tokenward::clock::ManualClock;
use tokenward::jwt::{
    Algorithm, JwtIssueOptions, JwtIssuer, JwtIssuerOptions, JwtKey, JwtVerifier,
    JwtVerifierOptions, KeySet,
};
use tokenward::ErrorCode;

const T0: u64 = 1_900_000_000;

fn issuer(key: &JwtKey, clock: &Arc<ManualClock>) -> JwtIssuer {
    JwtIssuer::new(
        key.clone(),
        JwtIssuerOptions::new().with_clock(clock.clone()),
    )
    .unwrap()
}

fn token(issuer: &JwtIssuer, ttl: u64, claims: Value) -> String {
    let claims: Map<String, Value> = claims.as_object().cloned().unwrap_or_default();
    let options = JwtIssueOptions::new()
        .with_subject("user-1")
        .with_ttl(Duration::from_secs(ttl));
    issuer.issue(&claims, &options).unwrap()
}

fn options(alg: Algorithm, clock: &Arc<ManualClock>, size: usize) -> JwtVerifierOptions {
    JwtVerifierOptions::new([alg])
        .with_clock(clock.clone())
        .with_leeway(Duration::from_secs(5))
        .with_cache_size(size)
}

#[test]
fn a_cached_token_is_refused_once_expired_with_the_same_leeway() {
    for alg in [Algorithm::ES256, Algorithm::EdDSA, Algorithm::HS256] {
        let clock = ManualClock::at_unix(T0);
        let key = JwtKey::generate(alg).unwrap();
        let tok = token(&issuer(&key, &clock), 60, json!({}));
        let cached = JwtVerifier::new(key.clone(), options(alg, &clock, 8)).unwrap();
        let uncached = JwtVerifier::new(key.clone(), options(alg, &clock, 0)).unwrap();
        assert!(cached.verify(&tok).is_ok());
        assert_eq!(cached.cache_len(), 1);
        assert_eq!(uncached.cache_len(), 0);
        // exp = T0 + 60, leeway 5: accepted up to T0 + 64, refused from T0 + 65, both ways.
        clock.advance(Duration::from_secs(64));
        assert!(cached.verify(&tok).is_ok());
        assert!(uncached.verify(&tok).is_ok());
        clock.advance(Duration::from_secs(1));
        assert_eq!(cached.verify(&tok).unwrap_err().code(), ErrorCode::Expired);
        assert_eq!(
            uncached.verify(&tok).unwrap_err().code(),
            ErrorCode::Expired
        );
        assert_eq!(cached.cache_len(), 0, "the expired entry is dropped");
        // verify_json, verify_as and verify_into share the cache and its checks.
        assert_eq!(
            cached.verify_json(&tok).unwrap_err().code(),
            ErrorCode::Expired
        );
    }
}

#[test]
fn a_cached_token_is_refused_before_nbf_when_the_clock_goes_back() {
    let clock = ManualClock::at_unix(T0);
    let key = JwtKey::generate(Algorithm::ES256).unwrap();
    let tok = token(&issuer(&key, &clock), 600, json!({}));
    let verifier = JwtVerifier::new(key, options(Algorithm::ES256, &clock, 8)).unwrap();
    verifier.verify(&tok).unwrap();
    clock.set(std::time::UNIX_EPOCH + Duration::from_secs(T0 - 6));
    assert_eq!(
        verifier.verify(&tok).unwrap_err().code(),
        ErrorCode::NotYetValid
    );
}

#[test]
fn failures_are_never_cached_and_hits_answer_like_misses() {
    let clock = ManualClock::at_unix(T0);
    let key = JwtKey::generate(Algorithm::ES256).unwrap();
    let claims = json!({"scope": "read", "iss": "https://issuer.example"});
    let tok = token(&issuer(&key, &clock), 600, claims);
    let verifier = JwtVerifier::new(key, options(Algorithm::ES256, &clock, 8)).unwrap();
    let mut tampered = tok.clone();
    let last = tampered.pop();
    tampered.push(if last == Some('A') { 'B' } else { 'A' });
    for _ in 0..2 {
        assert!(verifier.verify(&tampered).is_err());
    }
    assert_eq!(verifier.cache_len(), 0);
    let first = verifier.verify(&tok).unwrap();
    let second = verifier.verify(&tok).unwrap();
    assert_eq!(first, second);
    assert_eq!(verifier.verify_json(&tok).unwrap(), {
        let payload = tok.split('.').nth(1).unwrap();
        let bytes = base64_url(payload);
        String::from_utf8(bytes).unwrap()
    });
    assert_eq!(verifier.cache_len(), 1);
    // Another policy over the same keys has a cache of its own: a cached token is not
    // accepted for an issuer the token does not name.
    let strict = JwtVerifier::new(
        verifier.keys().clone(),
        options(Algorithm::ES256, &clock, 8).with_issuers(["https://other.example"]),
    )
    .unwrap();
    assert_eq!(
        strict.verify(&tok).unwrap_err().code(),
        ErrorCode::InvalidIssuer
    );
}

fn base64_url(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}

#[test]
fn another_key_set_drops_every_entry() {
    let clock = ManualClock::at_unix(T0);
    let old = JwtKey::generate(Algorithm::EdDSA).unwrap().with_kid("old");
    let new = JwtKey::generate(Algorithm::EdDSA).unwrap().with_kid("new");
    let tok = token(&issuer(&old, &clock), 600, json!({}));
    let verifier = JwtVerifier::new(old.clone(), options(Algorithm::EdDSA, &clock, 8)).unwrap();
    verifier.verify(&tok).unwrap();
    assert_eq!(verifier.cache_len(), 1);
    // The key set is replaced (rotation): the cached token no longer verifies.
    let rotated = verifier.with_keys(KeySet::single(new.clone()));
    assert_eq!(
        rotated.verify(&tok).unwrap_err().code(),
        ErrorCode::KeyNotFound
    );
    assert_eq!(verifier.cache_len(), 0, "the clones share one cache");
    // A set with the same keys is still another set: entries verified under the old one go.
    let mut same = KeySet::new();
    same.insert(old.clone()).unwrap();
    let generation = same.generation();
    same.insert(new).unwrap();
    assert_ne!(same.generation(), generation);
    let again = verifier.with_keys(same.clone());
    again.verify(&tok).unwrap();
    assert_eq!(again.cache_len(), 1);
    assert_eq!(
        verifier.with_keys(same).cache_len(),
        1,
        "a clone keeps its set"
    );
    verifier.verify(&tok).unwrap();
    assert_eq!(verifier.cache_len(), 1);
}

#[test]
fn the_entry_count_never_exceeds_the_bound() {
    let clock = ManualClock::at_unix(T0);
    let key = JwtKey::hmac(&[9u8; 32], Algorithm::HS256).unwrap();
    let issuer = issuer(&key, &clock);
    for bound in [1, 5, 40] {
        let verifier =
            JwtVerifier::new(key.clone(), options(Algorithm::HS256, &clock, bound)).unwrap();
        for i in 0..200 {
            let tok = token(&issuer, 600, json!({ "n": i }));
            verifier.verify(&tok).unwrap();
            verifier.verify(&tok).unwrap();
            assert!(verifier.cache_len() <= bound);
        }
        assert_eq!(verifier.cache_len(), bound);
    }
}

#[cfg(feature = "http")]
mod remote {
    use super::*;
    use crate::common::{Reply, TestServer};
    use tokenward::jwt::{RemoteJwtVerifier, RemoteKeySet, RemoteKeySetOptions};

    #[tokio::test]
    async fn a_jwks_refetch_drops_every_entry() {
        let clock = ManualClock::at_unix(T0);
        let a = JwtKey::generate(Algorithm::ES256).unwrap().with_kid("a");
        let b = JwtKey::generate(Algorithm::ES256).unwrap().with_kid("b");
        let jwks_a = KeySet::single(a.clone()).to_jwks().to_string();
        let jwks_b = KeySet::single(b.clone()).to_jwks().to_string();
        let server = TestServer::start(move |_| Reply::json(200, jwks_a.clone())).await;
        let remote = RemoteKeySet::new(
            &server.url("/jwks.json"),
            RemoteKeySetOptions::default()
                .with_clock(clock.clone())
                .with_ttl(Duration::from_secs(60)),
        )
        .unwrap();
        let verifier =
            RemoteJwtVerifier::new(remote, options(Algorithm::ES256, &clock, 8)).unwrap();
        let tok_a = token(&issuer(&a, &clock), 3600, json!({}));
        verifier.verify(&tok_a).await.unwrap();
        verifier.verify(&tok_a).await.unwrap();
        assert_eq!(server.hits(), 1);
        // The JWKS rotates to b; after the TTL the set is refetched and a's token, cached
        // before, is refused.
        server.set(move |_| Reply::json(200, jwks_b.clone()));
        clock.advance(Duration::from_secs(61));
        let err = verifier.verify(&tok_a).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::KeyNotFound);
        assert_eq!(server.hits(), 2);
        verifier
            .verify(&token(&issuer(&b, &clock), 3600, json!({})))
            .await
            .unwrap();
    }
}

#[cfg(feature = "gateway")]
mod gateway {
    use super::*;
    use tokenward::gateway::{
        Authenticator, AuthenticatorOptions, Request, RevocationKind, RevocationList,
        RevocationListOptions,
    };

    #[test]
    fn revocation_and_scopes_still_run_for_a_cached_token() {
        let clock = ManualClock::at_unix(T0);
        let key = JwtKey::generate(Algorithm::ES256).unwrap();
        let tok = token(
            &issuer(&key, &clock),
            600,
            json!({"jti": "tok-1", "scope": "read"}),
        );
        let verifier =
            Arc::new(JwtVerifier::new(key, options(Algorithm::ES256, &clock, 16)).unwrap());
        let revocations = Arc::new(
            RevocationList::new(RevocationListOptions::new().with_clock(clock.clone())).unwrap(),
        );
        let auth = Authenticator::new(
            AuthenticatorOptions::new()
                .with_jwt(verifier.clone())
                .with_revocations(revocations.clone()),
        )
        .unwrap();
        let bearer = format!("Bearer {tok}");
        let headers = [("authorization", bearer.as_str())];
        let req = |scopes: &'static [&'static str]| Request {
            method: "GET",
            path: "/",
            headers: &headers,
            client_ip: "198.51.100.7".parse().ok(),
            required_scopes: scopes,
            client_certificate: None,
        };
        assert_eq!(
            auth.authenticate(&req(&["read"])).unwrap().subject,
            "user-1"
        );
        assert_eq!(verifier.cache_len(), 1);
        // Cached, yet a scope it lacks is refused.
        let refusal = auth.authenticate(&req(&["write"])).unwrap_err();
        assert_eq!(refusal.code, ErrorCode::InsufficientScope);
        // Cached, yet revoked: refused.
        revocations
            .revoke(RevocationKind::Jti, "tok-1", (T0 + 600) as i64)
            .unwrap();
        let refusal = auth.authenticate(&req(&["read"])).unwrap_err();
        assert_eq!((refusal.code, refusal.status), (ErrorCode::Revoked, 401));
        assert_eq!(verifier.cache_len(), 1, "the token itself still verifies");
        // And expired: refused too.
        clock.advance(Duration::from_secs(700));
        revocations.unrevoke(RevocationKind::Jti, "tok-1");
        let refusal = auth.authenticate(&req(&["read"])).unwrap_err();
        assert_eq!(refusal.code, ErrorCode::Expired);
    }
}
