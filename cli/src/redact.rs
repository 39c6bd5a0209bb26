//! `tokenward redact`: filters stdin to stdout as a stream, replacing secrets.

use std::io::{self, Read, Write};
use std::str::FromStr;

use clap::Args;
use tokenward::redact::{Redactor, RedactorOptions, Replacement};
use tokenward::{Error, ErrorCode, Result};

/// Options of `tokenward redact`.
#[derive(Args)]
pub struct RedactArgs {
    /// Extra sensitive field name (repeatable), e.g. `--name ssn`.
    #[arg(long = "name", value_name = "NAME")]
    names: Vec<String>,
    /// Extra pattern as KIND=REGEX (repeatable); group 1 is redacted when present.
    #[arg(long = "pattern", value_name = "KIND=REGEX")]
    patterns: Vec<String>,
    /// Replacement: fingerprint (default), kind, plain, or a template with {kind}/{fingerprint}.
    #[arg(long, default_value = "fingerprint")]
    replacement: String,
}

fn io_err(what: &str, e: &io::Error) -> Error {
    Error::new(ErrorCode::InvalidInput, format!("{what}: {e}"))
}

/// Runs the filter until end of input. Memory is bounded by the longest line (1 MiB cap).
pub fn run(args: RedactArgs) -> Result<()> {
    let mut patterns = Vec::with_capacity(args.patterns.len());
    for p in &args.patterns {
        let Some(pair) = p.split_once('=') else {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                "--pattern must be KIND=REGEX",
            ));
        };
        patterns.push(pair);
    }
    let redactor = Redactor::new(
        RedactorOptions::default()
            .with_replacement(Replacement::from_str(&args.replacement)?)
            .with_names(args.names)
            .with_patterns(patterns),
    )?;
    let stdout = io::stdout().lock();
    let mut writer = redactor.writer_into(io::BufWriter::with_capacity(64 * 1024, stdout));
    let mut stdin = io::stdin().lock();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match stdin.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_err("stdin", &e)),
        };
        match writer.write_all(&buf[..n]) {
            Ok(()) => {}
            // `tokenward redact < log | head`: the reader went away; stop quietly.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
            Err(e) => return Err(io_err("stdout", &e)),
        }
    }
    match writer.finish() {
        Ok(mut w) => w.flush().or_else(ignore_broken_pipe),
        Err(e) => ignore_broken_pipe(e),
    }
}

fn ignore_broken_pipe(e: io::Error) -> Result<()> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(io_err("stdout", &e))
    }
}
