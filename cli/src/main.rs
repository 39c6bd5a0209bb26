//! The `tokenward` command line.

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod jwt;
mod key;

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
    /// Print the fingerprint of a secret read from stdin (safe to log; never echoes the secret).
    Fingerprint,
    /// List the stable error codes and their HTTP statuses.
    Codes,
    /// Sign, verify and decode JSON Web Tokens.
    #[command(subcommand)]
    Jwt(jwt::JwtCommand),
    /// Issue, check, verify, revoke, rotate and list API keys in a SQLite database.
    #[command(subcommand)]
    Key(key::KeyCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Tour) {
        Command::Tour => tour(),
        Command::Fingerprint => fingerprint_stdin(),
        Command::Jwt(command) => jwt::run(command),
        Command::Key(command) => key::run(command),
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

fn tour() -> tokenward::Result<()> {
    println!(
        "tokenward {} — a tour on embedded defaults\n",
        env!("CARGO_PKG_VERSION")
    );
    println!("1. Secrets print redacted; reading one is an explicit call.");
    let secret = tokenward::Secret::new("tw_demo_0123456789abcdef")?;
    println!("   println!(\"{{secret}}\")   -> {secret}");
    println!("   println!(\"{{secret:?}}\") -> {secret:?}");
    println!("   fingerprint             -> {}", secret.fingerprint());
    println!(
        "\n2. Every failure has a stable code, the same in Rust, Python, Node, Swift and Kotlin."
    );
    let err = tokenward::Secret::new("").unwrap_err_or_internal();
    println!(
        "   Secret::new(\"\") -> code={} message={:?}",
        err.code(),
        err.message()
    );
    println!("\nRun `tokenward --help` for the commands.");
    Ok(())
}

/// Small helper so the tour can show an error without `unwrap_err` (workspace lint).
trait UnwrapErrOrInternal {
    fn unwrap_err_or_internal(self) -> tokenward::Error;
}

impl<T> UnwrapErrOrInternal for tokenward::Result<T> {
    fn unwrap_err_or_internal(self) -> tokenward::Error {
        match self {
            Err(e) => e,
            Ok(_) => tokenward::Error::new(tokenward::ErrorCode::Internal, "expected an error"),
        }
    }
}
