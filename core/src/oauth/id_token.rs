//! OpenID Connect ID tokens (OpenID Connect Core 1.0 sections 3.1.3.7, 3.1.3.6 and 3.3.2.11):
//! the signature with the provider's keys, `iss`, `aud`, `azp`, `exp`/`iat`, the `nonce` the
//! login sent, `auth_time` against `max_age`, and `at_hash` / `c_hash` when present.

use std::time::Duration;

use aws_lc_rs::digest;
use serde_json::Value;

use super::form::b64url;
use super::OAuthClient;
use crate::clock::{self, SharedClock};
use crate::jwt::{
    decode_unverified, Algorithm, Claims, JwtVerifier, JwtVerifierOptions, KeySet,
    RemoteJwtVerifier, RemoteKeySet, RemoteKeySetOptions, DEFAULT_LEEWAY,
};
use crate::secret::constant_time_eq;
use crate::{Error, ErrorCode, Secret};

/// The algorithms an ID token may be signed with, whatever the provider lists: the asymmetric
/// ones (an HMAC ID token would be signed with the client secret, and `none` does not exist
/// here). The allowlist of a verifier is this list intersected with the provider's
/// `id_token_signing_alg_values_supported`, or with the caller's list.
pub const ID_TOKEN_ALGORITHMS: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// Optional settings of an [`IdTokenVerifier`]; every field has a valid default.
#[derive(Debug, Clone)]
pub struct IdTokenVerifierOptions {
    algorithms: Option<Vec<Algorithm>>,
    leeway: Duration,
    clock: SharedClock,
}

impl Default for IdTokenVerifierOptions {
    fn default() -> Self {
        IdTokenVerifierOptions {
            algorithms: None,
            leeway: DEFAULT_LEEWAY,
            clock: clock::system(),
        }
    }
}

impl IdTokenVerifierOptions {
    /// The defaults: the algorithms of discovery (else all of [`ID_TOKEN_ALGORITHMS`]), leeway
    /// [`DEFAULT_LEEWAY`], the system clock.
    pub fn new() -> Self {
        IdTokenVerifierOptions::default()
    }

    /// Accept only these algorithms (still intersected with [`ID_TOKEN_ALGORITHMS`]).
    pub fn with_algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = Some(algorithms.into_iter().collect());
        self
    }

    /// Tolerance for `exp`, `iat`, `nbf` and `auth_time`.
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The clock (tests).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }
}

/// What one login expects of its ID token beyond the verifier's fixed rules: the `nonce` it
/// sent, its `max_age`, and the access token and code it got (for `at_hash` and `c_hash`).
#[derive(Debug, Clone, Default)]
pub struct IdTokenChecks {
    nonce: Option<Secret>,
    max_age: Option<Duration>,
    access_token: Option<Secret>,
    code: Option<Secret>,
}

impl IdTokenChecks {
    /// No nonce, no `max_age`, no hashes to compare.
    pub fn new() -> Self {
        IdTokenChecks::default()
    }

    /// The `nonce` the authorization request sent: the token must carry it (`invalid_nonce`).
    pub fn with_nonce(mut self, nonce: Secret) -> Self {
        self.nonce = Some(nonce);
        self
    }

    /// The `max_age` the authorization request sent: `auth_time` must be present
    /// (`missing_claim`) and no older (`invalid_claim`).
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// The access token issued with the ID token: an `at_hash` must match it (`invalid_claim`).
    pub fn with_access_token(mut self, access_token: Secret) -> Self {
        self.access_token = Some(access_token);
        self
    }

    /// The authorization code: a `c_hash` must match it (`invalid_claim`).
    pub fn with_code(mut self, code: Secret) -> Self {
        self.code = Some(code);
        self
    }
}

#[derive(Debug, Clone)]
enum Keys {
    Local(JwtVerifier),
    Remote(RemoteJwtVerifier),
}

/// Verifies the ID tokens of one provider for one client.
///
/// ```
/// use tokenward::jwt::{Algorithm, JwtIssueOptions, JwtIssuer, JwtIssuerOptions, JwtKey, KeySet};
/// use tokenward::oauth::{IdTokenChecks, IdTokenVerifier, IdTokenVerifierOptions};
/// use tokenward::Secret;
///
/// let key = JwtKey::generate(Algorithm::ES256)?.with_kid("k1");
/// let provider = JwtIssuer::new(
///     key.clone(),
///     JwtIssuerOptions::new().with_issuer("https://id.example").with_audience(["app"]),
/// )?;
/// let mut claims = serde_json::Map::new();
/// claims.insert("nonce".into(), "n-1".into());
/// let id_token = provider.issue(&claims, &JwtIssueOptions::new().with_subject("user-1"))?;
///
/// let keys = KeySet::from(key);
/// let verifier =
///     IdTokenVerifier::new("https://id.example", "app", keys, IdTokenVerifierOptions::new())?;
/// let checks = IdTokenChecks::new().with_nonce(Secret::new("n-1")?);
/// let claims = tokenward::runtime::block_on(verifier.verify(&id_token, &checks))??;
/// assert_eq!(claims.sub(), Some("user-1"));
/// let other = IdTokenChecks::new().with_nonce(Secret::new("n-2")?);
/// let refused = tokenward::runtime::block_on(verifier.verify(&id_token, &other))?.unwrap_err();
/// assert_eq!(refused.code(), tokenward::ErrorCode::InvalidNonce);
/// # Ok::<(), tokenward::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct IdTokenVerifier {
    issuer: String,
    client_id: String,
    keys: Keys,
    algorithms: Vec<Algorithm>,
    leeway: Duration,
    clock: SharedClock,
}

fn allowed(wanted: &[Algorithm]) -> Vec<Algorithm> {
    ID_TOKEN_ALGORITHMS
        .into_iter()
        .filter(|a| wanted.contains(a))
        .collect()
}

impl IdTokenVerifier {
    fn build(
        issuer: String,
        client_id: String,
        options: IdTokenVerifierOptions,
        discovered: Option<&[String]>,
        make: impl FnOnce(JwtVerifierOptions) -> Result<Keys, Error>,
    ) -> Result<IdTokenVerifier, Error> {
        clock::check_duration(options.leeway, "leeway")?;
        if issuer.is_empty() || client_id.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "an ID token verifier needs the issuer and the client id",
            ));
        }
        let algorithms = match (&options.algorithms, discovered) {
            (Some(mine), _) => allowed(mine),
            (None, Some(listed)) if !listed.is_empty() => {
                let listed: Vec<Algorithm> = listed.iter().filter_map(|a| a.parse().ok()).collect();
                allowed(&listed)
            }
            // OpenID Connect Discovery: RS256 is the default when nothing is listed.
            (None, Some(_)) => vec![Algorithm::RS256],
            (None, None) => ID_TOKEN_ALGORITHMS.to_vec(),
        };
        if algorithms.is_empty() {
            return Err(Error::new(
                if discovered.is_some() && options.algorithms.is_none() {
                    ErrorCode::InvalidResponse
                } else {
                    ErrorCode::InvalidInput
                },
                "no ID token algorithm is both allowed and in the safe allowlist",
            ));
        }
        let jwt_options = JwtVerifierOptions::new(algorithms.iter().copied())
            .with_issuers([issuer.clone()])
            .with_audiences([client_id.clone()])
            .with_required_claims(["sub", "iat"])
            .with_leeway(options.leeway)
            .with_clock(options.clock.clone());
        Ok(IdTokenVerifier {
            keys: make(jwt_options)?,
            issuer,
            client_id,
            algorithms,
            leeway: options.leeway,
            clock: options.clock,
        })
    }

    /// A verifier of the ID tokens `issuer` makes for `client_id`, with local `keys`.
    pub fn new(
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        keys: KeySet,
        options: IdTokenVerifierOptions,
    ) -> Result<IdTokenVerifier, Error> {
        IdTokenVerifier::build(issuer.into(), client_id.into(), options, None, |o| {
            Ok(Keys::Local(JwtVerifier::new(keys, o)?))
        })
    }

    /// A verifier with the provider's published keys, fetched and cached by `keys` (a rotated
    /// key is picked up on its first unknown `kid`).
    pub fn with_remote_keys(
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        keys: RemoteKeySet,
        options: IdTokenVerifierOptions,
    ) -> Result<IdTokenVerifier, Error> {
        IdTokenVerifier::build(issuer.into(), client_id.into(), options, None, |o| {
            Ok(Keys::Remote(RemoteJwtVerifier::new(keys, o)?))
        })
    }

    /// The verifier of a discovered `client`: the discovered issuer, its `jwks_uri` (with the
    /// client's HTTP policy) and its `id_token_signing_alg_values_supported` intersected with
    /// [`ID_TOKEN_ALGORITHMS`]. `invalid_input` when the client was not discovered or its
    /// provider publishes no `jwks_uri`.
    pub fn for_client(
        client: &OAuthClient,
        options: IdTokenVerifierOptions,
    ) -> Result<IdTokenVerifier, Error> {
        let meta = client.server_metadata().ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidInput,
                "ID tokens need the provider's keys: discover the client or build an IdTokenVerifier",
            )
        })?;
        let jwks_uri = meta.jwks_uri.as_deref().ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidInput,
                "the provider publishes no jwks_uri",
            )
        })?;
        let keys = RemoteKeySet::new(
            jwks_uri,
            RemoteKeySetOptions::new()
                .with_http(*client.http_policy())
                .with_clock(options.clock.clone()),
        )?;
        IdTokenVerifier::build(
            meta.issuer.clone(),
            client.client_id().to_owned(),
            options,
            Some(&meta.id_token_signing_alg_values),
            |o| Ok(Keys::Remote(RemoteJwtVerifier::new(keys, o)?)),
        )
    }

    /// The expected `iss`.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The client id (the expected audience).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The accepted algorithms.
    pub fn algorithms(&self) -> &[Algorithm] {
        &self.algorithms
    }

    /// Verifies `id_token` and returns its claims. Refusals: the JWT codes (`invalid_signature`,
    /// `expired`, `not_yet_valid`, `invalid_issuer`, `invalid_audience`, `missing_claim`,
    /// `algorithm_not_allowed`, `key_not_found`, …), `invalid_audience` for an `azp` that is not
    /// the client (or missing with several audiences), `invalid_nonce`, and `invalid_claim` for
    /// an `auth_time` older than `max_age` or an `at_hash` / `c_hash` that does not match.
    /// Async: remote keys may be fetched.
    pub async fn verify(&self, id_token: &str, checks: &IdTokenChecks) -> Result<Claims, Error> {
        let claims = match &self.keys {
            Keys::Local(v) => v.verify(id_token)?,
            Keys::Remote(v) => v.verify(id_token).await?,
        };
        self.check(id_token, &claims, checks)?;
        Ok(claims)
    }

    fn check(&self, id_token: &str, claims: &Claims, checks: &IdTokenChecks) -> Result<(), Error> {
        let invalid = |code, msg: &'static str| Err(Error::new(code, msg));
        match claims.get("azp") {
            None if claims.audiences().len() > 1 => {
                return invalid(
                    ErrorCode::InvalidAudience,
                    "an ID token for several audiences must name the client in azp",
                )
            }
            None => {}
            Some(Value::String(azp)) if *azp == self.client_id => {}
            Some(Value::String(_)) => {
                return invalid(
                    ErrorCode::InvalidAudience,
                    "the ID token's azp is another client",
                )
            }
            Some(_) => return invalid(ErrorCode::InvalidClaim, "azp is not a string"),
        }
        if let Some(expected) = &checks.nonce {
            let ok = matches!(claims.get("nonce"),
                Some(Value::String(n)) if constant_time_eq(n.as_bytes(), expected.expose().as_bytes()));
            if !ok {
                return invalid(
                    ErrorCode::InvalidNonce,
                    "the ID token's nonce is not the one the login sent",
                );
            }
        }
        if let Some(max_age) = checks.max_age {
            let auth_time = match claims.get("auth_time") {
                None => {
                    return invalid(
                        ErrorCode::MissingClaim,
                        "max_age was requested but the ID token has no auth_time",
                    )
                }
                Some(Value::Number(n)) => n.as_i64().ok_or_else(|| {
                    Error::new(ErrorCode::InvalidClaim, "auth_time is not an integer")
                })?,
                Some(_) => return invalid(ErrorCode::InvalidClaim, "auth_time is not a number"),
            };
            let limit = auth_time
                .saturating_add(max_age.as_secs().min(i64::MAX as u64) as i64)
                .saturating_add(self.leeway.as_secs() as i64);
            if self.clock.unix_seconds() > limit {
                return invalid(
                    ErrorCode::InvalidClaim,
                    "the user authenticated longer ago than max_age",
                );
            }
        }
        let pairs = [
            ("at_hash", checks.access_token.as_ref()),
            ("c_hash", checks.code.as_ref()),
        ];
        if pairs
            .iter()
            .any(|(name, v)| v.is_some() && claims.contains_key(name))
        {
            let (header, _) = decode_unverified(id_token)?;
            let alg: Algorithm = match header.get("alg") {
                Some(Value::String(a)) => a.parse()?,
                _ => return invalid(ErrorCode::Malformed, "the header has no alg"),
            };
            for (name, value) in pairs {
                let (Some(value), Some(claim)) = (value, claims.get(name)) else {
                    continue;
                };
                let ok = matches!(claim, Value::String(c) if *c == half_hash(alg, value.expose()));
                if !ok {
                    return Err(Error::new(
                        ErrorCode::InvalidClaim,
                        format!("the ID token's {name} does not match"),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// OpenID Connect Core 3.1.3.6: base64url of the left half of the hash of `value`, with the
/// hash of the token's algorithm (SHA-512 for Ed25519).
fn half_hash(alg: Algorithm, value: &str) -> String {
    let hash = match alg {
        Algorithm::HS384 | Algorithm::RS384 | Algorithm::PS384 | Algorithm::ES384 => {
            &digest::SHA384
        }
        Algorithm::HS512 | Algorithm::RS512 | Algorithm::PS512 | Algorithm::EdDSA => {
            &digest::SHA512
        }
        _ => &digest::SHA256,
    };
    let d = digest::digest(hash, value.as_bytes());
    let bytes = d.as_ref();
    b64url(&bytes[..bytes.len() / 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_hash_of_the_openid_example() {
        // OpenID Connect Core 1.0 appendix A.3: the access token and its at_hash (RS256).
        assert_eq!(
            half_hash(
                Algorithm::RS256,
                "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
            ),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }
}
