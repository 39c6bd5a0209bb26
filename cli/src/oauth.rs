//! `tokenward oauth token|introspect|revoke`: the OAuth 2.0 client from the shell. Secrets
//! never travel in argv: the client secret comes from an environment variable and the token
//! to introspect or revoke from stdin. Tokens are printed only with `--show-token`.

use std::io::Read;
use std::str::FromStr;
use std::time::UNIX_EPOCH;

use clap::{Args, Subcommand};
use tokenward::oauth::{AuthMethod, OAuthClient, OAuthClientOptions, TokenTypeHint};
use tokenward::{runtime, Error, ErrorCode, Result, Secret};

/// How to reach and authenticate to the authorization server.
#[derive(Args)]
pub struct ServerArgs {
    /// Issuer URL: endpoints are discovered (RFC 8414, then OpenID Connect).
    #[arg(long, conflicts_with = "token_url")]
    issuer: Option<String>,
    /// Token endpoint (instead of --issuer).
    #[arg(long)]
    token_url: Option<String>,
    /// Introspection endpoint (with --token-url).
    #[arg(long)]
    introspection_url: Option<String>,
    /// Revocation endpoint (with --token-url).
    #[arg(long)]
    revocation_url: Option<String>,
    /// The client id.
    #[arg(long)]
    client_id: String,
    /// Environment variable holding the client secret (never pass secrets as arguments).
    #[arg(long, default_value = "TOKENWARD_CLIENT_SECRET")]
    client_secret_env: String,
    /// client_secret_basic (default), client_secret_post or none.
    #[arg(long)]
    auth_method: Option<String>,
    /// Request timeout in seconds.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
}

/// `tokenward oauth …`
#[derive(Subcommand)]
pub enum OAuthCommand {
    /// Get a token with the client-credentials grant; prints its redacted form, expiry and
    /// scopes (the token itself only with --show-token).
    Token {
        #[command(flatten)]
        server: ServerArgs,
        /// Scope to request (repeatable).
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// Print the access token itself (it will be visible on screen and in scrollback).
        #[arg(long)]
        show_token: bool,
    },
    /// Introspect a token read from stdin (RFC 7662); prints the JSON answer.
    Introspect {
        #[command(flatten)]
        server: ServerArgs,
        /// access_token or refresh_token.
        #[arg(long)]
        hint: Option<String>,
    },
    /// Revoke a token read from stdin (RFC 7009).
    Revoke {
        #[command(flatten)]
        server: ServerArgs,
        /// access_token or refresh_token.
        #[arg(long)]
        hint: Option<String>,
    },
}

fn client(args: &ServerArgs) -> Result<OAuthClient> {
    // Bounded by the core: NaN, negative, infinite or huge values are invalid_input.
    let timeout = tokenward::clock::duration_from_secs_f64(args.timeout, "--timeout")?;
    if timeout.is_zero() {
        return Err(Error::new(
            ErrorCode::InvalidInput,
            "--timeout must be positive",
        ));
    }
    let mut options = OAuthClientOptions::default().with_timeout(timeout);
    if let Some(u) = &args.introspection_url {
        options = options.with_introspection_url(u.clone());
    }
    if let Some(u) = &args.revocation_url {
        options = options.with_revocation_url(u.clone());
    }
    if let Ok(secret) = std::env::var(&args.client_secret_env) {
        options = options.with_client_secret(Secret::new(secret)?);
    }
    if let Some(m) = &args.auth_method {
        options = options.with_auth_method(AuthMethod::from_str(m)?);
    }
    match (&args.issuer, &args.token_url) {
        (Some(issuer), _) => runtime::block_on(OAuthClient::discover(
            issuer,
            args.client_id.clone(),
            options,
        ))?,
        (None, Some(url)) => OAuthClient::new(url.clone(), args.client_id.clone(), options),
        (None, None) => Err(Error::new(
            ErrorCode::InvalidInput,
            "give --issuer or --token-url",
        )),
    }
}

/// The `--hint` argument, parsed by the core (`invalid_input` names the valid values).
fn hint(value: Option<&str>) -> Result<Option<TokenTypeHint>> {
    value.map(TokenTypeHint::from_str).transpose()
}

fn stdin_token() -> Result<Secret> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| Error::new(ErrorCode::InvalidInput, format!("stdin: {e}")))?;
    Secret::new(input.trim())
}

/// Runs an `oauth` subcommand.
pub fn run(command: OAuthCommand) -> Result<()> {
    match command {
        OAuthCommand::Token {
            server,
            scopes,
            show_token,
        } => {
            let client = client(&server)?;
            let r = runtime::block_on(client.client_credentials(&scopes))??;
            let t = &r.access_token;
            if show_token {
                println!("{}", t.expose());
            } else {
                println!("token:      {}", t.redacted());
            }
            let expires = t
                .expires_at()
                .and_then(|e| e.duration_since(UNIX_EPOCH).ok())
                .map_or("unknown".to_owned(), |d| {
                    format!("{} (unix seconds)", d.as_secs())
                });
            eprintln!("type:       {}", t.token_type());
            eprintln!("expires_at: {expires}");
            eprintln!("scopes:     {}", t.scopes().join(" "));
            Ok(())
        }
        OAuthCommand::Introspect { server, hint } => {
            let client = client(&server)?;
            let hint = self::hint(hint.as_deref())?;
            let token = stdin_token()?;
            let i = runtime::block_on(client.introspect(&token, hint))??;
            println!("{}", serde_json::Value::Object(i.claims));
            Ok(())
        }
        OAuthCommand::Revoke { server, hint } => {
            let client = client(&server)?;
            let hint = self::hint(hint.as_deref())?;
            let token = stdin_token()?;
            runtime::block_on(client.revoke(&token, hint))??;
            println!("revoked {}", token.redacted());
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(timeout: f64) -> ServerArgs {
        ServerArgs {
            issuer: None,
            token_url: Some("http://127.0.0.1:9/token".to_owned()),
            introspection_url: None,
            revocation_url: None,
            client_id: "c".to_owned(),
            client_secret_env: "TOKENWARD_TEST_UNSET_SECRET_ENV".to_owned(),
            auth_method: Some("none".to_owned()),
            timeout,
        }
    }

    /// `--timeout 1e20` used to panic in `Duration::from_secs_f64`.
    #[test]
    fn out_of_range_timeouts_are_invalid_input() {
        for bad in [1e20, 1e19, f64::NAN, f64::INFINITY, -1.0, 0.0] {
            let err = client(&args(bad)).err().map(|e| e.code());
            assert_eq!(err, Some(ErrorCode::InvalidInput), "{bad}");
        }
        assert!(client(&args(2.5)).is_ok());
    }
}
