//! `tokenward jwt sign|verify|decode`.

use std::io::Read;
use std::time::Duration;

use clap::{Args, Subcommand};
use serde_json::Value;
use tokenward::jwt::{
    decode_unverified, Algorithm, JwtIssueOptions, JwtIssuer, JwtIssuerOptions, JwtKey,
    JwtVerifier, JwtVerifierOptions, KeySet,
};
use tokenward::{Error, ErrorCode, Result};

/// JWT commands.
#[derive(Subcommand)]
pub enum JwtCommand {
    /// Sign claims and print the token.
    Sign(SignArgs),
    /// Verify a token read from stdin and print its claims as JSON.
    Verify(VerifyArgs),
    /// Print a token's header and claims WITHOUT verifying it (stdin).
    Decode,
}

/// JWKS commands.
#[derive(Subcommand)]
pub enum JwksCommand {
    /// Fetch a JWKS (or an issuer's, with --discover) and print its keys.
    Fetch {
        /// The JWKS URL, or the issuer URL with --discover.
        url: String,
        /// Treat URL as an OpenID Connect issuer and follow its discovery document.
        #[arg(long)]
        discover: bool,
        /// Request timeout in seconds.
        #[arg(long, default_value_t = 5)]
        timeout: u64,
    },
}

/// Runs a `jwks` subcommand.
pub fn run_jwks(command: JwksCommand) -> Result<()> {
    let JwksCommand::Fetch {
        url,
        discover,
        timeout,
    } = command;
    let http = tokenward::http::HttpPolicy {
        timeout: tokenward::clock::duration_from_secs(timeout, "--timeout")?,
        ..Default::default()
    };
    let options = tokenward::jwt::RemoteKeySetOptions::new().with_http(http);
    let keys = tokenward::runtime::block_on(async {
        let remote = if discover {
            let (issuer, remote) = tokenward::jwt::discover(&url, options).await?;
            eprintln!("issuer: {issuer}\njwks_uri: {}", remote.url());
            remote
        } else {
            tokenward::jwt::RemoteKeySet::new(&url, options)?
        };
        remote.keys().await
    })??;
    for key in keys.keys() {
        eprintln!(
            "kid={} family={:?} alg={}",
            key.kid().unwrap_or("-"),
            key.family(),
            key.algorithm().map_or("-", Algorithm::as_str)
        );
    }
    println!("{}", pretty(&keys.to_jwks()));
    Ok(())
}

/// Options of `jwt sign`.
#[derive(Args)]
pub struct SignArgs {
    /// Key file: PEM, a JWK, or (for HS*) the raw secret.
    #[arg(long)]
    key: String,
    /// Algorithm (HS256, RS256, ES256, EdDSA, …).
    #[arg(long)]
    alg: String,
    /// `kid` header.
    #[arg(long)]
    kid: Option<String>,
    /// `iss` claim.
    #[arg(long)]
    iss: Option<String>,
    /// `aud` claim (repeatable).
    #[arg(long)]
    aud: Vec<String>,
    /// `sub` claim.
    #[arg(long)]
    sub: Option<String>,
    /// Lifetime in seconds.
    #[arg(long, default_value_t = 900)]
    ttl: u64,
    /// Extra claims as a JSON object.
    #[arg(long)]
    claims: Option<String>,
}

/// Options of `jwt verify`.
#[derive(Args)]
pub struct VerifyArgs {
    /// Key file: PEM, a JWK, a JWKS, or (for HS*) the raw secret.
    #[arg(long)]
    key: String,
    /// Accepted algorithms (repeatable; required).
    #[arg(long, required = true)]
    alg: Vec<String>,
    /// Accepted issuer.
    #[arg(long)]
    iss: Option<String>,
    /// Audience this verifier identifies with (repeatable).
    #[arg(long)]
    aud: Vec<String>,
    /// Clock-skew leeway in seconds.
    #[arg(long, default_value_t = 60)]
    leeway: u64,
}

fn input_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::InvalidInput, format!("{what}: {e}"))
}

fn read_stdin() -> Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .map_err(|e| input_error("stdin", e))?;
    Ok(s.trim().to_owned())
}

/// Loads a key set from a file holding PEM, a JWK, a JWKS or a raw HMAC secret.
fn load_keys(path: &str, alg: Algorithm) -> Result<KeySet> {
    let text = std::fs::read_to_string(path).map_err(|e| input_error("key file", e))?;
    let trimmed = text.trim();
    if trimmed.starts_with("-----BEGIN") {
        return Ok(KeySet::single(JwtKey::from_pem(trimmed, Some(alg))?));
    }
    if trimmed.starts_with('{') {
        if trimmed.contains("\"keys\"") {
            return KeySet::from_jwks(trimmed);
        }
        return Ok(KeySet::single(JwtKey::from_jwk(trimmed)?));
    }
    Ok(KeySet::single(JwtKey::hmac(trimmed.as_bytes(), alg)?))
}

/// Runs a `jwt` subcommand.
pub fn run(command: JwtCommand) -> Result<()> {
    match command {
        JwtCommand::Sign(args) => {
            let alg = Algorithm::parse(&args.alg)?;
            let keys = load_keys(&args.key, alg)?;
            let mut key = keys
                .keys()
                .first()
                .cloned()
                .ok_or_else(|| Error::new(ErrorCode::InvalidKey, "no key in the file"))?;
            if let Some(kid) = &args.kid {
                key = key.with_kid(kid);
            }
            let mut options = JwtIssuerOptions::new()
                .with_algorithm(alg)
                .with_ttl(Duration::from_secs(args.ttl))
                .with_audience(args.aud);
            if let Some(iss) = args.iss {
                options = options.with_issuer(iss);
            }
            let issuer = JwtIssuer::new(key, options)?;
            let claims = match args.claims {
                Some(json) => match serde_json::from_str::<Value>(&json) {
                    Ok(Value::Object(map)) => map,
                    _ => return Err(input_error("--claims", "expected a JSON object")),
                },
                None => Default::default(),
            };
            let mut options = JwtIssueOptions::new();
            if let Some(sub) = args.sub {
                options = options.with_subject(sub);
            }
            println!("{}", issuer.issue(&claims, &options)?);
            Ok(())
        }
        JwtCommand::Verify(args) => {
            let algorithms = args
                .alg
                .iter()
                .map(|a| Algorithm::parse(a))
                .collect::<Result<Vec<_>>>()?;
            let keys = load_keys(&args.key, algorithms[0])?;
            let verifier = JwtVerifier::new(
                keys,
                JwtVerifierOptions::new(algorithms)
                    .with_issuers(args.iss)
                    .with_audiences(args.aud)
                    .with_leeway(Duration::from_secs(args.leeway)),
            )?;
            let claims = verifier.verify(&read_stdin()?)?;
            println!("{}", pretty(&claims));
            Ok(())
        }
        JwtCommand::Decode => {
            let (header, claims) = decode_unverified(&read_stdin()?)?;
            eprintln!("warning: NOT VERIFIED — do not trust these values");
            println!(
                "{}",
                pretty(&serde_json::json!({ "header": header, "claims": claims }))
            );
            Ok(())
        }
    }
}

fn pretty(v: &impl serde::Serialize) -> String {
    // JSON values always serialize.
    serde_json::to_string_pretty(v).unwrap_or_default()
}
