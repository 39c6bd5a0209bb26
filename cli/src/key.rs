//! `tokenward key new|check|verify|revoke|rotate|list` on a SQLite key database.
//!
//! Keys to check or verify are read from stdin, never from the command line (which other users
//! can see in `ps` and shell history). `new` and `rotate` print the plaintext key exactly once,
//! alone on stdout; everything else goes to stderr or is printed without secret material.

use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use tokenward::apikey::ApiKeysOptions;
use tokenward::{ApiKeys, Error, ErrorCode, KeyRecord, NewKey, Result, Secret};

/// API key commands.
#[derive(Subcommand)]
pub enum KeyCommand {
    /// Issue a key; prints the plaintext key once on stdout.
    New(NewArgs),
    /// Check the shape and checksum of a key read from stdin (offline, no database).
    Check,
    /// Verify a key read from stdin against the database and print its record.
    Verify(DbArgs),
    /// Revoke a key by id.
    Revoke(IdArgs),
    /// Issue a successor of a key; the old one stays valid for --overlap seconds.
    Rotate(RotateArgs),
    /// List the keys of an owner.
    List(ListArgs),
}

/// The database and the pepper.
#[derive(Args)]
pub struct DbArgs {
    /// The key store: a SQLite database file, or a PostgreSQL server as postgres://… (created
    /// and migrated if needed).
    #[arg(long, value_name = "PATH|URL")]
    db: PathBuf,
    /// Name of an environment variable holding the pepper (never pass the pepper itself).
    #[arg(long, value_name = "VAR")]
    pepper_env: Option<String>,
}

/// Arguments of `key new`.
#[derive(Args)]
pub struct NewArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Key prefix, e.g. tw_live.
    #[arg(long, default_value = "tw")]
    prefix: String,
    /// Owner of the key.
    #[arg(long)]
    owner: String,
    /// A scope to grant (repeatable).
    #[arg(long = "scope", value_name = "SCOPE")]
    scopes: Vec<String>,
    /// Lifetime in seconds.
    #[arg(long, value_name = "SECONDS")]
    expires_in: Option<u64>,
    /// Metadata entry KEY=VALUE (repeatable).
    #[arg(long = "meta", value_name = "KEY=VALUE")]
    metadata: Vec<String>,
}

/// A key id.
#[derive(Args)]
pub struct IdArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The key id (12 characters, shown by `list` and `verify`).
    id: String,
}

/// Arguments of `key rotate`.
#[derive(Args)]
pub struct RotateArgs {
    #[command(flatten)]
    key: IdArgs,
    /// Seconds the old key stays valid.
    #[arg(long, value_name = "SECONDS", default_value_t = 86_400)]
    overlap: u64,
}

/// Arguments of `key list`.
#[derive(Args)]
pub struct ListArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The owner whose keys to list.
    #[arg(long)]
    owner: String,
}

/// Runs one key command.
pub fn run(command: KeyCommand) -> Result<()> {
    match command {
        KeyCommand::New(args) => new(args),
        KeyCommand::Check => {
            let key = read_key()?;
            let parsed = ApiKeys::check_format(key.expose())?;
            println!(
                "ok prefix={} id={} display={}",
                parsed.prefix(),
                parsed.id(),
                parsed.display()
            );
            Ok(())
        }
        KeyCommand::Verify(db) => {
            let key = read_key()?;
            // The key names its own prefix; the checksum is checked before the database is opened.
            let prefix = ApiKeys::check_format(key.expose())?.prefix().to_owned();
            print_record(&*open(&db, &prefix)?.verify(key.expose())?);
            Ok(())
        }
        KeyCommand::Revoke(args) => {
            print_record(&*open(&args.db, "tw")?.revoke(&args.id)?);
            Ok(())
        }
        KeyCommand::Rotate(args) => {
            let id = &args.key.id;
            let prefix = open(&args.key.db, "tw")?.get(id)?.prefix.clone();
            let issued =
                open(&args.key.db, &prefix)?.rotate(id, Duration::from_secs(args.overlap))?;
            announce(&issued.secret, &issued.record);
            Ok(())
        }
        KeyCommand::List(args) => {
            for record in open(&args.db, "tw")?.list(&args.owner)? {
                print_record(&record);
            }
            Ok(())
        }
    }
}

fn open(db: &DbArgs, prefix: &str) -> Result<ApiKeys> {
    let pepper = match &db.pepper_env {
        None => None,
        Some(var) => Some(Secret::new(std::env::var(var).map_err(|_| {
            Error::new(
                ErrorCode::InvalidInput,
                "the --pepper-env variable is not set",
            )
        })?)?),
    };
    let path = db
        .db
        .to_str()
        .ok_or_else(|| Error::new(ErrorCode::InvalidInput, "--db must be a UTF-8 path or URL"))?;
    let mut options = ApiKeysOptions::default().with_store_spec(path)?;
    if let Some(p) = pepper {
        options = options.with_pepper(p);
    }
    ApiKeys::new(prefix, options)
}

fn new(args: NewArgs) -> Result<()> {
    let mut new = NewKey::new(args.owner).scopes(args.scopes);
    new.expires_in = args.expires_in.map(Duration::from_secs);
    for entry in &args.metadata {
        let (k, v) = entry
            .split_once('=')
            .ok_or_else(|| Error::new(ErrorCode::InvalidInput, "--meta takes KEY=VALUE"))?;
        new = new.metadata(k, v);
    }
    let issued = open(&args.db, &args.prefix)?.create(new)?;
    announce(&issued.secret, &issued.record);
    Ok(())
}

/// The one place a plaintext key is printed: alone on stdout, the record on stderr.
fn announce(secret: &Secret, record: &KeyRecord) {
    println!("{}", secret.expose());
    eprintln!(
        "created {} (id {}) for {}; this is the only time the key is shown",
        record.display, record.id, record.owner
    );
}

fn read_key() -> Result<Secret> {
    let mut input = String::new();
    // Bounded read: anything longer than a key is refused by the format check anyway.
    std::io::stdin()
        .take(4096)
        .read_to_string(&mut input)
        .map_err(|_| Error::new(ErrorCode::InvalidFormat, "stdin is not a UTF-8 API key"))?;
    let key = input.trim_end_matches(['\r', '\n']);
    if key.is_empty() {
        return Err(Error::new(ErrorCode::InvalidFormat, "no API key on stdin"));
    }
    Secret::new(key)
}

fn print_record(r: &KeyRecord) {
    let status = match (r.revoked_at, r.expires_at) {
        (Some(_), _) => "revoked",
        (None, Some(t)) if t <= tokenward::clock::system().unix_seconds() => "expired",
        _ => "active",
    };
    println!(
        "{id}  {display}  owner={owner}  scopes={scopes}  status={status}  created={created}  expires={expires}  last_used={used}{replaced}",
        id = r.id,
        display = r.display,
        owner = r.owner,
        scopes = if r.scopes.is_empty() { "-".to_owned() } else { r.scopes.join(",") },
        created = utc(Some(r.created_at)),
        expires = utc(r.expires_at),
        used = utc(r.last_used_at),
        replaced = r.replaced_by.as_ref().map_or(String::new(), |n| format!("  replaced_by={n}")),
    );
}

/// `YYYY-MM-DDTHH:MM:SSZ` for Unix seconds, `-` for none (civil-from-days, proleptic Gregorian).
fn utc(t: Option<i64>) -> String {
    let Some(t) = t else { return "-".to_owned() };
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_formats() {
        assert_eq!(super::utc(Some(0)), "1970-01-01T00:00:00Z");
        assert_eq!(super::utc(Some(1_700_000_000)), "2023-11-14T22:13:20Z");
        assert_eq!(super::utc(Some(951_782_400)), "2000-02-29T00:00:00Z");
        assert_eq!(super::utc(None), "-");
    }
}
