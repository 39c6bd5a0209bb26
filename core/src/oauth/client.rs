//! The OAuth 2.0 client: endpoints, client authentication and the request plumbing.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use serde_json::{Map, Value};

use super::errors::{self, Failure};
use super::form::{encode_component, Form};
use crate::clock::{self, SharedClock};
use crate::http::{self, HttpPolicy, HttpResponse};
use crate::jwt::{JwtIssueOptions, JwtIssuer, JwtIssuerOptions, JwtKey};
use crate::{Error, ErrorCode, Secret};

/// Lifetime of `private_key_jwt` client assertions.
const ASSERTION_TTL: Duration = Duration::from_secs(60);

/// How the client authenticates to the token, introspection and revocation endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthMethod {
    /// HTTP Basic with the form-encoded id and secret (RFC 6749 section 2.3.1). The default.
    #[default]
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
    /// A signed JWT assertion (RFC 7523) made with the client's private key.
    PrivateKeyJwt,
    /// A public client: only `client_id` in the body (mobile apps with PKCE).
    None,
}

impl AuthMethod {
    /// Parses the RFC 8414 name (`client_secret_basic`, `client_secret_post`,
    /// `private_key_jwt`, `none`).
    pub fn parse(name: &str) -> Result<AuthMethod, Error> {
        match name {
            "client_secret_basic" => Ok(AuthMethod::ClientSecretBasic),
            "client_secret_post" => Ok(AuthMethod::ClientSecretPost),
            "private_key_jwt" => Ok(AuthMethod::PrivateKeyJwt),
            "none" => Ok(AuthMethod::None),
            _ => Err(Error::new(
                ErrorCode::InvalidInput,
                "unknown client authentication method",
            )),
        }
    }

    /// The RFC 8414 name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
            AuthMethod::None => "none",
        }
    }
}

/// Settings for an [`OAuthClient`]; finish with [`OAuthClientBuilder::build`].
#[derive(Debug, Clone)]
pub struct OAuthClientBuilder {
    pub(crate) token_url: String,
    pub(crate) client_id: String,
    secret: Option<Secret>,
    auth_method: AuthMethod,
    key: Option<JwtKey>,
    pub(crate) introspection_url: Option<String>,
    pub(crate) revocation_url: Option<String>,
    pub(crate) authorization_url: Option<String>,
    pub(crate) http: HttpPolicy,
    clock: SharedClock,
}

impl OAuthClientBuilder {
    /// The client secret (for `client_secret_basic` / `client_secret_post`).
    pub fn client_secret(mut self, secret: Secret) -> Self {
        self.secret = Some(secret);
        self
    }

    /// The authentication method (default `client_secret_basic`).
    pub fn auth_method(mut self, method: AuthMethod) -> Self {
        self.auth_method = method;
        self
    }

    /// The private key for `private_key_jwt` (also selects that method).
    pub fn private_key(mut self, key: JwtKey) -> Self {
        self.key = Some(key);
        self.auth_method = AuthMethod::PrivateKeyJwt;
        self
    }

    /// The RFC 7662 introspection endpoint.
    pub fn introspection_url(mut self, url: impl Into<String>) -> Self {
        self.introspection_url = Some(url.into());
        self
    }

    /// The RFC 7009 revocation endpoint.
    pub fn revocation_url(mut self, url: impl Into<String>) -> Self {
        self.revocation_url = Some(url.into());
        self
    }

    /// The authorization endpoint (for [`super::Pkce::authorization_url`]).
    pub fn authorization_url(mut self, url: impl Into<String>) -> Self {
        self.authorization_url = Some(url.into());
        self
    }

    /// Timeout, body limit and scheme policy for every request.
    pub fn http_policy(mut self, policy: HttpPolicy) -> Self {
        self.http = policy;
        self
    }

    /// The clock used for expiry times and client assertions.
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<OAuthClient, Error> {
        http::check_url(&self.token_url, &self.http)?;
        for url in [
            &self.introspection_url,
            &self.revocation_url,
            &self.authorization_url,
        ]
        .into_iter()
        .flatten()
        {
            http::check_url(url, &self.http)?;
        }
        if self.client_id.is_empty() {
            return Err(Error::new(ErrorCode::InvalidInput, "client_id is empty"));
        }
        let auth = match self.auth_method {
            AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost => {
                let secret = self.secret.ok_or_else(|| {
                    Error::new(
                        ErrorCode::InvalidInput,
                        "this authentication method needs a client secret",
                    )
                })?;
                if self.auth_method == AuthMethod::ClientSecretBasic {
                    let pair = format!(
                        "{}:{}",
                        encode_component(&self.client_id),
                        encode_component(secret.expose())
                    );
                    Auth::Basic(Secret::new(format!("Basic {}", STANDARD.encode(pair)))?)
                } else {
                    Auth::Post(secret)
                }
            }
            AuthMethod::PrivateKeyJwt => {
                let key = self.key.ok_or_else(|| {
                    Error::new(
                        ErrorCode::InvalidInput,
                        "private_key_jwt needs a private key",
                    )
                })?;
                let issuer = JwtIssuer::new(
                    key,
                    JwtIssuerOptions::new()
                        .with_issuer(self.client_id.clone())
                        .with_audience([self.token_url.clone()])
                        .with_ttl(ASSERTION_TTL)
                        .with_clock(self.clock.clone()),
                )?;
                Auth::Jwt(Box::new(issuer))
            }
            AuthMethod::None => Auth::Public,
        };
        Ok(OAuthClient {
            inner: Arc::new(Inner {
                token_url: self.token_url,
                client_id: self.client_id,
                auth,
                introspection_url: self.introspection_url,
                revocation_url: self.revocation_url,
                authorization_url: self.authorization_url,
                http: self.http,
                clock: self.clock,
            }),
        })
    }
}

enum Auth {
    /// The whole `Authorization` header value, computed once.
    Basic(Secret),
    Post(Secret),
    Jwt(Box<JwtIssuer>),
    Public,
}

struct Inner {
    token_url: String,
    client_id: String,
    auth: Auth,
    introspection_url: Option<String>,
    revocation_url: Option<String>,
    authorization_url: Option<String>,
    http: HttpPolicy,
    clock: SharedClock,
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
    /// Starts a client of the token endpoint `token_url` for `client_id`.
    pub fn builder(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
    ) -> OAuthClientBuilder {
        OAuthClientBuilder {
            token_url: token_url.into(),
            client_id: client_id.into(),
            secret: None,
            auth_method: AuthMethod::default(),
            key: None,
            introspection_url: None,
            revocation_url: None,
            authorization_url: None,
            http: HttpPolicy::default(),
            clock: clock::system(),
        }
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
            Auth::Public => AuthMethod::None,
        }
    }

    /// The authorization endpoint, when known.
    pub fn authorization_url(&self) -> Option<&str> {
        self.inner.authorization_url.as_deref()
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
        url: &str,
        mut form: Form,
    ) -> Result<HttpResponse, Failure> {
        let inner = &self.inner;
        let parsed = http::check_url(url, &inner.http)?;
        let mut request = http::client()?
            .post(parsed)
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded");
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
            Auth::Public => {
                form.add("client_id", &inner.client_id);
            }
        }
        let response = http::send(request.body(form.finish()), &inner.http).await?;
        if (200..300).contains(&response.status) {
            Ok(response)
        } else {
            Err(errors::failure(&response))
        }
    }
}
