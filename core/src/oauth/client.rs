//! The OAuth 2.0 client: endpoints, client authentication and the request plumbing.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use serde_json::{Map, Value};

use super::auth_method::AuthMethod;
use super::errors::{self, Failure};
use super::form::{encode_component, Form};
use super::mtls::{tls_client, ClientCertificate};
use super::ServerMetadata;
use crate::clock::{self, SharedClock};
use crate::dpop::{DpopKey, DpopSigner};
use crate::http::{self, HttpPolicy, HttpResponse, Operation};
use crate::jwt::{JwtIssueOptions, JwtIssuer, JwtIssuerOptions, JwtKey};
use crate::{Error, ErrorCode, Secret};

/// Lifetime of `private_key_jwt` client assertions.
const ASSERTION_TTL: Duration = Duration::from_secs(60);

/// Optional settings of an [`OAuthClient`]; every field has a valid default.
///
/// ```
/// use tokenward::oauth::{OAuthClient, OAuthClientOptions};
/// use tokenward::Secret;
///
/// let options = OAuthClientOptions::default().with_client_secret(Secret::new("s3cret")?);
/// let client = OAuthClient::new("https://as.example/token", "app", options)?;
/// assert_eq!(client.auth_method().as_str(), "client_secret_basic");
/// # Ok::<(), tokenward::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct OAuthClientOptions {
    client_secret: Option<Secret>,
    auth_method: Option<AuthMethod>,
    private_key: Option<JwtKey>,
    introspection_url: Option<String>,
    revocation_url: Option<String>,
    authorization_url: Option<String>,
    dpop_key: Option<DpopKey>,
    http: HttpPolicy,
    clock: SharedClock,
    client_certificate: Option<ClientCertificate>,
    ca_certificates: Option<String>,
    issuer: Option<String>,
}

impl Default for OAuthClientOptions {
    fn default() -> Self {
        OAuthClientOptions {
            client_secret: None,
            auth_method: None,
            private_key: None,
            introspection_url: None,
            revocation_url: None,
            authorization_url: None,
            dpop_key: None,
            http: HttpPolicy::default(),
            clock: clock::system(),
            client_certificate: None,
            ca_certificates: None,
            issuer: None,
        }
    }
}

impl OAuthClientOptions {
    /// The client secret (for `client_secret_basic` / `client_secret_post`).
    pub fn with_client_secret(mut self, secret: Secret) -> Self {
        self.client_secret = Some(secret);
        self
    }

    /// The authentication method. Unset (the default): `private_key_jwt` when a private key is
    /// given, else `client_secret_basic`.
    pub fn with_auth_method(mut self, method: AuthMethod) -> Self {
        self.auth_method = Some(method);
        self
    }

    /// The private key for `private_key_jwt`.
    pub fn with_private_key(mut self, key: JwtKey) -> Self {
        self.private_key = Some(key);
        self
    }

    /// The authorization server's issuer identifier. `private_key_jwt` assertions name it as
    /// their sole audience (`aud`, as FAPI 2.0 and RFC 7523bis ask); without it (and without
    /// discovery, which sets it from the metadata) the audience is the token endpoint URL.
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// The RFC 7662 introspection endpoint.
    pub fn with_introspection_url(mut self, url: impl Into<String>) -> Self {
        self.introspection_url = Some(url.into());
        self
    }

    /// The RFC 7009 revocation endpoint.
    pub fn with_revocation_url(mut self, url: impl Into<String>) -> Self {
        self.revocation_url = Some(url.into());
        self
    }

    /// The authorization endpoint (for [`super::Pkce::authorization_url`]).
    pub fn with_authorization_url(mut self, url: impl Into<String>) -> Self {
        self.authorization_url = Some(url.into());
        self
    }

    /// A DPoP key (RFC 9449): every token request carries a `DPoP` proof (answering the
    /// server's `use_dpop_nonce` challenge with one retry), `token_type: DPoP` answers become
    /// DPoP-bound tokens ([`super::AccessToken::request_headers`] signs their proofs), and the
    /// authorization URL carries the key's `dpop_jkt`.
    pub fn with_dpop_key(mut self, key: DpopKey) -> Self {
        self.dpop_key = Some(key);
        self
    }

    /// The client certificate presented on every connection to the authorization server
    /// (mutual TLS, RFC 8705; docs/mtls.md): needed by `tls_client_auth` /
    /// `self_signed_tls_client_auth` (the default method when a certificate and no secret or
    /// key is given), and binds the access tokens the server issues to it (`cnf.x5t#S256`).
    /// The server's `mtls_endpoint_aliases` are used when the client is discovered.
    pub fn with_client_certificate(mut self, certificate: ClientCertificate) -> Self {
        self.client_certificate = Some(certificate);
        self
    }

    /// CA certificates (PEM bundle) trusted for the authorization server's TLS certificate
    /// besides the platform's roots (a private PKI).
    pub fn with_ca_certificates(mut self, pem: impl Into<String>) -> Self {
        self.ca_certificates = Some(pem.into());
        self
    }

    /// Timeout, body limit and scheme policy of every request (default
    /// [`HttpPolicy::default`], a timeout of [`crate::http::DEFAULT_TIMEOUT`]). The timeout must
    /// be positive.
    pub fn with_http_policy(mut self, policy: HttpPolicy) -> Self {
        self.http = policy;
        self
    }

    /// The request timeout (shorthand for a default [`HttpPolicy`] with this timeout).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.http.timeout = timeout;
        self
    }

    /// The clock used for expiry times and client assertions (default: the system clock).
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// The HTTP policy.
    pub fn http_policy(&self) -> &HttpPolicy {
        &self.http
    }

    /// Fills the endpoints that are still unset from discovered `metadata`.
    pub(crate) fn with_endpoints_of(mut self, metadata: &super::ServerMetadata) -> Self {
        if self.issuer.is_none() {
            self.issuer = Some(metadata.issuer.clone());
        }
        let fill = |slot: &mut Option<String>, found: &Option<String>| {
            if slot.is_none() {
                slot.clone_from(found);
            }
        };
        fill(
            &mut self.introspection_url,
            &metadata.introspection_endpoint,
        );
        fill(&mut self.revocation_url, &metadata.revocation_endpoint);
        fill(
            &mut self.authorization_url,
            &metadata.authorization_endpoint,
        );
        self
    }

    pub(crate) fn has_auth_method(&self) -> bool {
        self.auth_method.is_some()
    }

    pub(crate) fn has_private_key(&self) -> bool {
        self.private_key.is_some()
    }

    pub(crate) fn has_client_certificate(&self) -> bool {
        self.client_certificate.is_some()
    }
}

enum Auth {
    /// The whole `Authorization` header value, computed once.
    Basic(Secret),
    Post(Secret),
    Jwt(Box<JwtIssuer>),
    Public,
    /// `tls_client_auth` / `self_signed_tls_client_auth`: the certificate authenticates.
    Tls(AuthMethod),
}

struct Inner {
    token_url: String,
    client_id: String,
    auth: Auth,
    introspection_url: Option<String>,
    revocation_url: Option<String>,
    authorization_url: Option<String>,
    dpop: Option<DpopSigner>,
    http: HttpPolicy,
    clock: SharedClock,
    metadata: Option<ServerMetadata>,
    /// The issuer identifier, configured or discovered (the `private_key_jwt` audience).
    issuer: Option<String>,
    /// The client of its own when there is a client certificate or extra CA certificates.
    tls: Option<reqwest::Client>,
}

/// An OAuth 2.0 client of one authorization server. Cheap to clone.
#[derive(Clone)]
pub struct OAuthClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthClient")
            .field("token_url", &self.inner.token_url)
            .field("client_id", &self.inner.client_id)
            .field("auth_method", &self.auth_method().as_str())
            .finish_non_exhaustive()
    }
}

impl OAuthClient {
    /// A client of the token endpoint `token_url` for `client_id`. Fails with `invalid_input`
    /// when a URL is refused by the HTTP policy (https unless loopback), `client_id` is empty,
    /// or the authentication method lacks its secret or key.
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        options: OAuthClientOptions,
    ) -> Result<OAuthClient, Error> {
        let (token_url, client_id) = (token_url.into(), client_id.into());
        let o = options;
        clock::check_duration(o.http.timeout, "timeout")?;
        if o.http.timeout.is_zero() {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "timeout must be positive",
            ));
        }
        http::check_url(&token_url, &o.http)?;
        for url in [
            &o.introspection_url,
            &o.revocation_url,
            &o.authorization_url,
        ]
        .into_iter()
        .flatten()
        {
            http::check_url(url, &o.http)?;
        }
        if client_id.is_empty() {
            return Err(Error::new(ErrorCode::InvalidInput, "client_id is empty"));
        }
        let method = o.auth_method.unwrap_or(if o.private_key.is_some() {
            AuthMethod::PrivateKeyJwt
        } else if o.client_certificate.is_some() && o.client_secret.is_none() {
            AuthMethod::TlsClientAuth
        } else {
            AuthMethod::ClientSecretBasic
        });
        let auth = match method {
            AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost => {
                let secret = o.client_secret.ok_or_else(|| {
                    Error::new(
                        ErrorCode::InvalidInput,
                        "this authentication method needs a client secret",
                    )
                })?;
                if method == AuthMethod::ClientSecretBasic {
                    let pair = format!(
                        "{}:{}",
                        encode_component(&client_id),
                        encode_component(secret.expose())
                    );
                    Auth::Basic(Secret::new(format!("Basic {}", STANDARD.encode(pair)))?)
                } else {
                    Auth::Post(secret)
                }
            }
            AuthMethod::PrivateKeyJwt => {
                let key = o.private_key.ok_or_else(|| {
                    Error::new(
                        ErrorCode::InvalidInput,
                        "private_key_jwt needs a private key",
                    )
                })?;
                // FAPI 2.0 / RFC 7523bis: the audience is the server's issuer identifier
                // when known; the token endpoint (RFC 7523) otherwise.
                let audience = o.issuer.clone().unwrap_or_else(|| token_url.clone());
                let issuer = JwtIssuer::new(
                    key,
                    JwtIssuerOptions::new()
                        .with_issuer(client_id.clone())
                        .with_audience([audience])
                        .with_ttl(ASSERTION_TTL)
                        .with_clock(o.clock.clone()),
                )?;
                Auth::Jwt(Box::new(issuer))
            }
            AuthMethod::PublicClient => Auth::Public,
            AuthMethod::TlsClientAuth | AuthMethod::SelfSignedTlsClientAuth => {
                if o.client_certificate.is_none() {
                    return Err(Error::new(
                        ErrorCode::InvalidInput,
                        "this authentication method needs a client certificate",
                    ));
                }
                Auth::Tls(method)
            }
        };
        let tls = tls_client(o.client_certificate.as_ref(), o.ca_certificates.as_deref())?;
        Ok(OAuthClient {
            inner: Arc::new(Inner {
                token_url,
                client_id,
                auth,
                introspection_url: o.introspection_url,
                revocation_url: o.revocation_url,
                authorization_url: o.authorization_url,
                dpop: o
                    .dpop_key
                    .map(|k| DpopSigner::new(k, Some(o.clock.clone()))),
                http: o.http,
                clock: o.clock,
                metadata: None,
                issuer: o.issuer,
                tls,
            }),
        })
    }

    /// The token endpoint.
    pub fn token_url(&self) -> &str {
        &self.inner.token_url
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// The authentication method in use.
    pub fn auth_method(&self) -> AuthMethod {
        match self.inner.auth {
            Auth::Basic(_) => AuthMethod::ClientSecretBasic,
            Auth::Post(_) => AuthMethod::ClientSecretPost,
            Auth::Jwt(_) => AuthMethod::PrivateKeyJwt,
            Auth::Public => AuthMethod::PublicClient,
            Auth::Tls(m) => m,
        }
    }

    /// The authorization server's issuer identifier, when known: configured
    /// ([`OAuthClientOptions::with_issuer`]) or discovered.
    pub fn issuer(&self) -> Option<&str> {
        self.inner.issuer.as_deref()
    }

    /// The authorization endpoint, when known.
    pub fn authorization_url(&self) -> Option<&str> {
        self.inner.authorization_url.as_deref()
    }

    /// The DPoP key, when the client has one ([`OAuthClientOptions::with_dpop_key`]).
    pub fn dpop_key(&self) -> Option<&DpopKey> {
        self.inner.dpop.as_ref().map(DpopSigner::key)
    }

    pub(crate) fn dpop_signer(&self) -> Option<&DpopSigner> {
        self.inner.dpop.as_ref()
    }

    /// The server metadata, when the client was made by [`OAuthClient::discover`].
    pub fn server_metadata(&self) -> Option<&ServerMetadata> {
        self.inner.metadata.as_ref()
    }

    /// Attaches the metadata the client was discovered from (the client is new, not shared).
    pub(crate) fn with_metadata(mut self, metadata: ServerMetadata) -> OAuthClient {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.metadata = Some(metadata);
        }
        self
    }

    pub(crate) fn http_policy(&self) -> &HttpPolicy {
        &self.inner.http
    }

    pub(crate) fn clock(&self) -> &SharedClock {
        &self.inner.clock
    }

    pub(crate) fn introspection_endpoint(&self) -> Result<&str, Error> {
        self.inner.introspection_url.as_deref().ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidInput,
                "no introspection endpoint configured",
            )
        })
    }

    pub(crate) fn revocation_endpoint(&self) -> Result<&str, Error> {
        self.inner
            .revocation_url
            .as_deref()
            .ok_or_else(|| Error::new(ErrorCode::InvalidInput, "no revocation endpoint configured"))
    }

    /// POSTs `form` plus client authentication to `url`; returns the 2xx answer, or the
    /// mapped failure.
    pub(crate) async fn post_form(
        &self,
        op: Operation,
        url: &str,
        form: Form,
    ) -> Result<HttpResponse, Failure> {
        let response = self.send_form(op, url, form, None).await?;
        if (200..300).contains(&response.status) {
            Ok(response)
        } else {
            Err(errors::failure(&response))
        }
    }

    /// POSTs `form` plus client authentication (and a `DPoP` proof header) to `url`; returns
    /// the answer whatever its status.
    pub(crate) async fn send_form(
        &self,
        op: Operation,
        url: &str,
        mut form: Form,
        dpop_proof: Option<&str>,
    ) -> Result<HttpResponse, Failure> {
        let inner = &self.inner;
        let parsed = http::check_url(url, &inner.http)?;
        let client = match &inner.tls {
            Some(c) => c,
            None => http::client()?,
        };
        let mut request = client
            .post(parsed)
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(proof) = dpop_proof {
            request = request.header("DPoP", proof);
        }
        match &inner.auth {
            Auth::Basic(header) => {
                request = request.header(AUTHORIZATION, header.expose());
            }
            Auth::Post(secret) => {
                form.add("client_id", &inner.client_id)
                    .add("client_secret", secret.expose());
            }
            Auth::Jwt(issuer) => {
                let assertion = issuer.issue(
                    &Map::from_iter([("sub".to_owned(), Value::from(inner.client_id.clone()))]),
                    &JwtIssueOptions::new(),
                )?;
                form.add("client_id", &inner.client_id)
                    .add(
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    )
                    .add("client_assertion", &assertion);
            }
            Auth::Public | Auth::Tls(_) => {
                form.add("client_id", &inner.client_id);
            }
        }
        Ok(http::send(op, request.body(form.finish()), &inner.http).await?)
    }
}
