//! The authorization-code flow of apps (RFC 6749 section 4.1 with PKCE S256, RFC 7636; native
//! apps per RFC 8252; the `iss` response parameter of RFC 9207).
//!
//! [`AuthorizationFlow`] holds what one login attempt needs on the client side: the `state`,
//! the OpenID Connect `nonce` and the PKCE verifier, all generated here, never by the caller.
//! The app opens [`AuthorizationFlow::authorization_url`] in the browser and hands the URL the
//! browser was redirected to to [`AuthorizationFlow::complete`], which checks the response and
//! exchanges the code.

use std::fmt;
use std::time::Duration;

use super::errors::{self, KNOWN_ERRORS, UNRECOGNIZED};
use super::form::b64url;
use super::{
    IdTokenChecks, IdTokenVerifier, IdTokenVerifierOptions, OAuthClient, Pkce, TokenResponse,
};
use crate::audit::{self, AuditEvent};
use crate::{Error, ErrorCode, Secret};

/// The parameters of an authorization request, for a pushed request (`par.rs`).
pub(super) type RequestParams = Vec<(&'static str, String)>;

/// Longest redirect URL [`AuthorizationFlow::complete`] reads.
const MAX_REDIRECT_URL: usize = 16 * 1024;

/// Optional settings of an [`AuthorizationFlow`]; every field has a valid default.
#[derive(Debug, Clone, Default)]
pub struct AuthorizationFlowOptions {
    scopes: Vec<String>,
    max_age: Option<Duration>,
    id_token_verifier: Option<IdTokenVerifier>,
    pub(super) pushed_authorization_url: Option<String>,
    pub(super) require_pushed_authorization: bool,
}

impl AuthorizationFlowOptions {
    /// No scopes, no `max_age`.
    pub fn new() -> Self {
        AuthorizationFlowOptions::default()
    }

    /// The scopes to ask for (`scope`). With `openid` among them the flow is an OpenID Connect
    /// login and sends a `nonce`.
    pub fn with_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The OpenID Connect `max_age`: how long ago the user may have authenticated at most
    /// (sent in whole seconds).
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// The verifier of the ID token of an `openid` login (default: the discovered provider's,
    /// [`IdTokenVerifier::for_client`]).
    pub fn with_id_token_verifier(mut self, verifier: IdTokenVerifier) -> Self {
        self.id_token_verifier = Some(verifier);
        self
    }

    /// The pushed authorization request endpoint (RFC 9126) [`AuthorizationFlow::start`]
    /// pushes to (default: the discovered `pushed_authorization_request_endpoint`).
    pub fn with_pushed_authorization_url(mut self, url: impl Into<String>) -> Self {
        self.pushed_authorization_url = Some(url.into());
        self
    }

    /// Requires a pushed authorization request: [`AuthorizationFlow::start`] fails with
    /// `invalid_input` when no PAR endpoint is known, and [`AuthorizationFlow::new`] refuses
    /// (it makes no request). A server's `require_pushed_authorization_requests` does the same.
    pub fn with_require_pushed_authorization(mut self, require: bool) -> Self {
        self.require_pushed_authorization = require;
        self
    }

    /// The scopes.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// The `max_age`, when set.
    pub fn max_age(&self) -> Option<Duration> {
        self.max_age
    }
}

/// One login attempt of an app: the authorization URL to open, and the check and code
/// exchange of the redirect that comes back.
///
/// ```
/// use tokenward::oauth::{
///     AuthMethod, AuthorizationFlow, AuthorizationFlowOptions, OAuthClient, OAuthClientOptions,
/// };
///
/// let client = OAuthClient::new(
///     "https://id.example/token",
///     "app",
///     OAuthClientOptions::default()
///         .with_auth_method(AuthMethod::PublicClient)
///         .with_authorization_url("https://id.example/authorize"),
/// )?;
/// let flow = AuthorizationFlow::new(
///     &client,
///     "com.example.app:/callback",
///     AuthorizationFlowOptions::new().with_scopes(["profile"]),
/// )?;
/// assert!(flow.authorization_url().starts_with("https://id.example/authorize?response_type=code"));
/// // A redirect with another state is refused before any request is made.
/// let refused = tokenward::runtime::block_on(
///     flow.complete("com.example.app:/callback?code=abc&state=forged"),
/// )?
/// .unwrap_err();
/// assert_eq!(refused.code(), tokenward::ErrorCode::InvalidState);
/// # Ok::<(), tokenward::Error>(())
/// ```
pub struct AuthorizationFlow {
    client: OAuthClient,
    redirect_uri: String,
    redirect: url::Url,
    state: Secret,
    nonce: Option<Secret>,
    pkce: Pkce,
    url: String,
    scopes: Vec<String>,
    max_age: Option<Duration>,
    issuer: Option<String>,
    require_iss: bool,
    id_token_verifier: Option<IdTokenVerifier>,
    pub(super) request_uri: Option<String>,
}

impl fmt::Debug for AuthorizationFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationFlow")
            .field("client_id", &self.client.client_id())
            .field("redirect_uri", &self.redirect_uri)
            .field("scopes", &self.scopes)
            .field("pushed", &self.request_uri.is_some())
            .finish_non_exhaustive()
    }
}

/// 32 random bytes, base64url (43 characters).
fn random_value() -> Result<Secret, Error> {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes)
        .map_err(|_| Error::new(ErrorCode::Internal, "the system random generator failed"))?;
    Secret::new(b64url(&bytes))
}

/// The OpenID Connect error values of an authentication response (OpenID Connect Core 1.0
/// section 3.1.2.6) that mean "the user has to interact".
const INTERACTION_ERRORS: [&str; 4] = [
    "login_required",
    "consent_required",
    "interaction_required",
    "account_selection_required",
];

/// The error of an `error=` redirect: the RFC 6749 section 4.1.2.1 value as a code (an unknown
/// value is `invalid_response`), named in the message only when it is in the known vocabulary.
fn authorization_error(value: &str) -> Error {
    let interaction = INTERACTION_ERRORS.contains(&value);
    let code = match value {
        "access_denied" => ErrorCode::AccessDenied,
        _ if interaction => ErrorCode::InteractionRequired,
        other => errors::code_for(other),
    };
    let shown = if KNOWN_ERRORS.contains(&value) {
        value
    } else {
        UNRECOGNIZED
    };
    Error::new(
        code,
        format!("the authorization server refused the request: {shown}"),
    )
}

fn invalid(msg: &'static str) -> Error {
    Error::new(ErrorCode::InvalidInput, msg)
}

impl AuthorizationFlow {
    /// A new login attempt of `client` that returns to `redirect_uri` (an `https` URL, a
    /// loopback `http` URL, or a private-use scheme such as `com.example.app:/callback`, RFC 8252
    /// section 7). Generates a fresh `state`, PKCE verifier and, for an `openid` scope, a
    /// `nonce`. When the client was discovered and its server advertises RFC 9207
    /// (`authorization_response_iss_parameter_supported`), [`AuthorizationFlow::complete`]
    /// requires the redirect's `iss` to be the discovered issuer.
    ///
    /// `invalid_input` when the client has no authorization endpoint or `redirect_uri` is not
    /// an absolute URL without a fragment, and when the flow must be pushed (RFC 9126: a
    /// `pushed_authorization_url`, [`AuthorizationFlowOptions::with_require_pushed_authorization`]
    /// or the server's `require_pushed_authorization_requests`), which only
    /// [`AuthorizationFlow::start`] does.
    pub fn new(
        client: &OAuthClient,
        redirect_uri: impl Into<String>,
        options: AuthorizationFlowOptions,
    ) -> Result<AuthorizationFlow, Error> {
        let server_requires = client
            .server_metadata()
            .is_some_and(|m| m.require_pushed_authorization_requests);
        if options.require_pushed_authorization
            || options.pushed_authorization_url.is_some()
            || server_requires
        {
            return Err(invalid(
                "this flow needs a pushed authorization request: use AuthorizationFlow::start",
            ));
        }
        Ok(AuthorizationFlow::build(client, redirect_uri.into(), options)?.0)
    }

    /// The flow with its plain authorization URL, and the authorization request's parameters
    /// (without `client_id`), for [`AuthorizationFlow::start`] to push.
    pub(super) fn build(
        client: &OAuthClient,
        redirect_uri: String,
        options: AuthorizationFlowOptions,
    ) -> Result<(AuthorizationFlow, RequestParams), Error> {
        let endpoint = client.authorization_url().ok_or_else(|| {
            invalid(
                "the client has no authorization endpoint (discover it or set authorization_url)",
            )
        })?;
        let redirect = url::Url::parse(&redirect_uri)
            .map_err(|_| invalid("redirect_uri is not an absolute URL"))?;
        if redirect.fragment().is_some() {
            return Err(invalid(
                "redirect_uri has a fragment (RFC 6749 section 3.1.2)",
            ));
        }
        if let Some(max_age) = options.max_age {
            crate::clock::check_duration(max_age, "max_age")?;
        }
        let state = random_value()?;
        let nonce = if options.scopes.iter().any(|s| s == "openid") {
            Some(random_value()?)
        } else {
            None
        };
        // An OpenID Connect login verifies its ID token: with the given verifier, else with the
        // discovered provider's keys (a client that was not discovered needs one).
        let id_token_verifier = match (&nonce, options.id_token_verifier) {
            (None, _) => None,
            (Some(_), Some(v)) => Some(v),
            (Some(_), None) => Some(IdTokenVerifier::for_client(
                client,
                IdTokenVerifierOptions::new(),
            )?),
        };
        let pkce = Pkce::generate()?;
        let mut url = reqwest::Url::parse(endpoint)
            .map_err(|_| invalid("the authorization endpoint is not a valid URL"))?;
        let mut params = vec![
            ("response_type", "code".to_owned()),
            ("redirect_uri", redirect_uri.clone()),
        ];
        if !options.scopes.is_empty() {
            params.push(("scope", options.scopes.join(" ")));
        }
        params.push(("state", state.expose().to_owned()));
        if let Some(nonce) = &nonce {
            params.push(("nonce", nonce.expose().to_owned()));
        }
        if let Some(max_age) = options.max_age {
            params.push(("max_age", max_age.as_secs().to_string()));
        }
        params.push(("code_challenge", pkce.challenge().to_owned()));
        params.push(("code_challenge_method", pkce.method().to_owned()));
        if let Some(key) = client.dpop_key() {
            // RFC 9449 section 10: bind the authorization code to the DPoP key.
            params.push(("dpop_jkt", key.thumbprint().to_owned()));
        }
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", client.client_id());
            for (name, value) in &params[1..] {
                q.append_pair(name, value);
            }
        }
        let metadata = client.server_metadata();
        let flow = AuthorizationFlow {
            client: client.clone(),
            redirect_uri,
            redirect,
            state,
            nonce,
            pkce,
            url: url.into(),
            scopes: options.scopes,
            max_age: options.max_age,
            issuer: metadata.map(|m| m.issuer.clone()),
            require_iss: metadata.is_some_and(|m| m.authorization_response_iss_parameter_supported),
            id_token_verifier,
            request_uri: None,
        };
        Ok((flow, params))
    }

    /// The URL to open in the browser (system browser or in-app browser tab, RFC 8252 section 8.12).
    /// After a pushed authorization request it carries only `client_id` and `request_uri`.
    pub fn authorization_url(&self) -> &str {
        &self.url
    }

    /// The `request_uri` the server answered a pushed authorization request with (RFC 9126),
    /// when the flow was pushed.
    pub fn request_uri(&self) -> Option<&str> {
        self.request_uri.as_deref()
    }

    pub(super) fn set_pushed(&mut self, url: String, request_uri: String) {
        self.url = url;
        self.request_uri = Some(request_uri);
    }

    /// The redirect URI the flow was made for.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The `state` sent in the authorization URL (for an app that keeps it across a restart;
    /// the flow compares it itself).
    pub fn state(&self) -> &str {
        self.state.expose()
    }

    /// The OpenID Connect `nonce` sent in the authorization URL, when the flow asks for
    /// `openid`.
    pub fn nonce(&self) -> Option<&str> {
        self.nonce.as_ref().map(Secret::expose)
    }

    /// The scopes asked for.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// The `max_age` asked for, when set.
    pub fn max_age(&self) -> Option<Duration> {
        self.max_age
    }

    /// The PKCE verifier and challenge of this flow.
    pub fn pkce(&self) -> &Pkce {
        &self.pkce
    }

    /// The client.
    pub fn client(&self) -> &OAuthClient {
        &self.client
    }

    /// Checks the redirect the browser came back with and returns its `code`, in the order
    /// RFC 9207 section 2.4 and RFC 6749 section 10.12 ask for: the redirect must be for this
    /// flow's `redirect_uri` (`invalid_input`) and repeat no parameter (`invalid_response`);
    /// `iss`, when the server advertises it or sends it, must be the issuer
    /// (`invalid_issuer`); `state` must be this flow's (`invalid_state`, compared in constant
    /// time); an `error=` answer becomes its code (`access_denied`, `interaction_required`,
    /// `invalid_scope`, …); a success must carry a `code` (`invalid_response`).
    pub fn code_from_redirect(&self, redirect_url: &str) -> Result<Secret, Error> {
        let result = self.check_redirect(redirect_url);
        if let Err(e) = &result {
            audit::emit(AuditEvent::failure("oauth.authorization_response", e));
        }
        result
    }

    fn check_redirect(&self, redirect_url: &str) -> Result<Secret, Error> {
        if redirect_url.len() > MAX_REDIRECT_URL {
            return Err(invalid("the redirect URL is too long"));
        }
        let url = url::Url::parse(redirect_url)
            .map_err(|_| invalid("the redirect URL is not an absolute URL"))?;
        let expected = &self.redirect;
        if url.scheme() != expected.scheme()
            || url.host_str() != expected.host_str()
            || url.port_or_known_default() != expected.port_or_known_default()
            || url.path() != expected.path()
        {
            return Err(invalid(
                "the redirect URL is not for this flow's redirect_uri",
            ));
        }
        let mut iss = None;
        let mut state = None;
        let mut code = None;
        let mut error = None;
        for (name, value) in url.query_pairs() {
            let slot = match name.as_ref() {
                "iss" => &mut iss,
                "state" => &mut state,
                "code" => &mut code,
                "error" => &mut error,
                _ => continue,
            };
            if slot.is_some() {
                return Err(Error::new(
                    ErrorCode::InvalidResponse,
                    "the redirect repeats a parameter",
                ));
            }
            *slot = Some(value.into_owned());
        }
        match (&iss, &self.issuer) {
            (Some(got), Some(want)) if got != want => {
                return Err(Error::new(
                    ErrorCode::InvalidIssuer,
                    "the redirect's iss is not the issuer this flow was started with",
                ))
            }
            (None, Some(_)) if self.require_iss => {
                return Err(Error::new(
                    ErrorCode::InvalidIssuer,
                    "the redirect has no iss although the server advertises RFC 9207",
                ))
            }
            _ => {}
        }
        let state_ok = state
            .as_deref()
            .is_some_and(|s| self.state.constant_time_eq(s));
        if !state_ok {
            return Err(Error::new(
                ErrorCode::InvalidState,
                "the redirect's state is not the one this flow sent",
            ));
        }
        if let Some(error) = error {
            return Err(authorization_error(&error));
        }
        match code {
            Some(code) if !code.is_empty() => Secret::new(code),
            _ => Err(Error::new(
                ErrorCode::InvalidResponse,
                "the redirect has neither a code nor an error",
            )),
        }
    }

    /// Checks the redirect (see [`AuthorizationFlow::code_from_redirect`]) and exchanges its
    /// code, with this flow's PKCE verifier and `redirect_uri`, for tokens. For an `openid`
    /// login the answer must carry an ID token (`invalid_response`), which is verified
    /// ([`IdTokenVerifier::verify`] with this flow's `nonce` and `max_age`, the access token for
    /// `at_hash` and the code for `c_hash`); its claims are in
    /// [`TokenResponse::id_token_claims`].
    pub async fn complete(&self, redirect_url: &str) -> Result<TokenResponse, Error> {
        let code = self.code_from_redirect(redirect_url)?;
        let mut tokens = self
            .client
            .exchange_code(&code, &self.redirect_uri, Some(&self.pkce))
            .await?;
        if let (Some(verifier), Some(nonce)) = (&self.id_token_verifier, &self.nonce) {
            let id_token = tokens.id_token.as_ref().ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidResponse,
                    "the answer to an openid login has no id_token",
                )
            })?;
            let mut checks = IdTokenChecks::new()
                .with_nonce(nonce.clone())
                .with_access_token(tokens.access_token.secret().clone())
                .with_code(code);
            if let Some(max_age) = self.max_age {
                checks = checks.with_max_age(max_age);
            }
            let claims = verifier.verify(id_token.expose(), &checks).await;
            if let Err(e) = &claims {
                audit::emit(AuditEvent::failure("oauth.id_token", e));
            }
            tokens.id_token_claims = Some(claims?);
        }
        Ok(tokens)
    }
}

#[cfg(test)]
#[path = "flow_tests.rs"]
mod tests;
