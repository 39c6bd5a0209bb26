//! The Rust HTTP client hook: [`TokenSource::send_authorized`] sends a `reqwest` request with
//! the source's token and retries it at most once, as [`retry_action`] says — the rule every
//! language's hook (Python `httpx`/`requests`, Node `fetch`/axios, Kotlin OkHttp, Swift
//! `URLSession`) follows.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, WWW_AUTHENTICATE};

use super::{retry_action, RetryAction, TokenSource};
use crate::http::transport_error;
use crate::oauth::AccessToken;
use crate::{Error, ErrorCode};

const DPOP: HeaderName = HeaderName::from_static("dpop");
const DPOP_NONCE: HeaderName = HeaderName::from_static("dpop-nonce");

impl TokenSource {
    /// Sends the request that `build` makes, authorized with this source's token, and retries
    /// it at most once — never in a loop:
    ///
    /// - the request gets the token's [`AccessToken::request_headers`]: `Authorization: Bearer
    ///   <token>`, or for a DPoP-bound token `Authorization: DPoP <token>` and a `DPoP` proof
    ///   for the request's method and URL (replacing any the builder set);
    /// - a `401` that rejects the token (`error="invalid_token"`, or no Bearer/DPoP error):
    ///   [`TokenSource::force_refresh`], then the request once more with the new token;
    /// - a `401` DPoP `use_dpop_nonce` challenge with a `DPoP-Nonce`: once more with a proof
    ///   carrying that nonce (same token);
    /// - anything else (a `2xx`, a `403`, `insufficient_scope`, a second refusal) is returned
    ///   as it is, for the caller to read.
    ///
    /// A `DPoP-Nonce` on any answer (a `200` too) is remembered for the next proof to that
    /// origin. `build` is called once per attempt (a [`reqwest::RequestBuilder`] cannot be
    /// sent twice), so the retry sends the body again; it chooses the [`reqwest::Client`],
    /// timeouts and body. Errors: the source's (`token`, `force_refresh`); a request `build`
    /// could not make is `invalid_input`; a failed send `network` or `timeout` (the message and
    /// source hold no URL and no token). The header values are marked sensitive, so the
    /// request's `Debug` does not print the token.
    ///
    /// ```no_run
    /// # async fn example(source: tokenward::TokenSource) -> Result<(), tokenward::Error> {
    /// let http = reqwest::Client::new();
    /// let answer = source
    ///     .send_authorized(|| http.get("https://api.example.com/things"))
    ///     .await?;
    /// println!("{}", answer.status());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn send_authorized<F>(&self, mut build: F) -> Result<reqwest::Response, Error>
    where
        F: FnMut() -> reqwest::RequestBuilder,
    {
        let token = self.token().await?;
        let answer = send(&mut build, &token, None).await?;
        let retry = match action(&answer) {
            RetryAction::NoRetry => return Ok(answer),
            RetryAction::RefreshAndRetry => {
                drop(answer);
                tracing::debug!("the token was rejected: refreshing it and retrying once");
                send(&mut build, &self.force_refresh().await?, None).await?
            }
            RetryAction::RetryWithNonce(nonce) => {
                drop(answer);
                tracing::debug!("the resource server asked for a DPoP nonce: retrying once");
                send(&mut build, &token, Some(&nonce)).await?
            }
        };
        Ok(retry)
    }
}

/// One attempt: a request from `build` with `token`'s headers; a `DPoP-Nonce` of the answer
/// is remembered for the request's origin.
async fn send<F>(
    build: &mut F,
    token: &AccessToken,
    nonce: Option<&str>,
) -> Result<reqwest::Response, Error>
where
    F: FnMut() -> reqwest::RequestBuilder,
{
    let (client, request) = build().build_split();
    let mut request = request.map_err(|e| {
        Error::new(ErrorCode::InvalidInput, "the request could not be built")
            .with_source(e.without_url())
    })?;
    let url = request.url().as_str().to_owned();
    let headers = token.request_headers(request.method().as_str(), &url, nonce)?;
    authorize(request.headers_mut(), headers)?;
    let answer = client.execute(request).await.map_err(transport_error)?;
    if let Some(nonce) = answer
        .headers()
        .get(DPOP_NONCE)
        .and_then(|v| v.to_str().ok())
    {
        token.remember_dpop_nonce(&url, nonce);
    }
    Ok(answer)
}

/// Puts `headers` (from [`AccessToken::request_headers`]) on the request, sensitive, in place
/// of any `Authorization` or `DPoP` header it had.
fn authorize(target: &mut HeaderMap, headers: Vec<(String, String)>) -> Result<(), Error> {
    target.remove(AUTHORIZATION);
    target.remove(DPOP);
    for (name, value) in headers {
        let name = HeaderName::from_bytes(name.as_bytes());
        let value = HeaderValue::from_str(&value);
        let (Ok(name), Ok(mut value)) = (name, value) else {
            // The value is not in the message: it holds the token.
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "the token cannot be sent in an HTTP header",
            ));
        };
        value.set_sensitive(true);
        target.insert(name, value);
    }
    Ok(())
}

/// What [`retry_action`] says about `answer`: its `WWW-Authenticate` values, comma-joined, and
/// its `DPoP-Nonce`.
fn action(answer: &reqwest::Response) -> RetryAction {
    let headers = answer.headers();
    let challenges: Vec<&str> = headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let challenge = (!challenges.is_empty()).then(|| challenges.join(", "));
    let nonce = headers.get(DPOP_NONCE).and_then(|v| v.to_str().ok());
    retry_action(answer.status().as_u16(), challenge.as_deref(), nonce)
}
