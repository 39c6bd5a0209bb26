//! The `tokenward` command line.

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod demo;
mod jwt;
mod key;
mod oauth;
mod redact;
mod tour;

/// Everything an application does with API tokens, from the shell.
#[derive(Parser)]
#[command(name = "tokenward", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// A guided tour of what tokenward does, on embedded defaults.
    Tour,
    /// The in-process gateway end to end on embedded defaults: scripted requests through
    /// client → validation → authorization → policy → routing (offline, no secrets printed).
    Demo,
    /// Print the fingerprint of a secret read from stdin (safe to log; never echoes the secret).
    Fingerprint,
    /// List the stable error codes and their HTTP statuses.
    Codes,
    /// Sign, verify and decode JSON Web Tokens.
    #[command(subcommand)]
    Jwt(jwt::JwtCommand),
    /// Fetch JSON Web Key Sets.
    #[command(subcommand)]
    Jwks(jwt::JwksCommand),
    /// Issue, check, verify, revoke, rotate and list API keys in a SQLite database.
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// OAuth 2.0 client: get a token (client credentials), introspect, revoke.
    #[command(subcommand)]
    Oauth(oauth::OAuthCommand),
    /// Filter stdin to stdout, replacing tokens, keys and passwords (streaming).
    Redact(redact::RedactArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Tour) {
        Command::Tour => tour::run(),
        Command::Demo => demo::run(),
        Command::Fingerprint => fingerprint_stdin(),
        Command::Jwt(command) => jwt::run(command),
        Command::Jwks(command) => jwt::run_jwks(command),
        Command::Key(command) => key::run(command),
        Command::Redact(args) => redact::run(args),
        Command::Oauth(command) => oauth::run(command),
        Command::Codes => {
            for code in tokenward::ErrorCode::ALL {
                println!("{:<28} {}", code.as_str(), code.http_status());
            }
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("tokenward: {err}");
            ExitCode::FAILURE
        }
    }
}

fn fingerprint_stdin() -> tokenward::Result<()> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).map_err(|e| {
        tokenward::Error::new(tokenward::ErrorCode::InvalidInput, format!("stdin: {e}"))
    })?;
    // A trailing newline from `echo` or a file is not part of the secret.
    let secret = tokenward::Secret::new(input.trim_end_matches(['\r', '\n']))?;
    println!("{}", secret.fingerprint());
    Ok(())
}
