//! [`AuditLog`]: a sink writing each event as one line of ECS JSON
//! ([`AuditEvent::to_ecs_json`]) to stdout, stderr or a file (created with mode 0600).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

use super::event::{AuditEvent, AuditSink};
use crate::{Error, ErrorCode, Result};

enum Target {
    Stdout,
    Stderr,
    File(Mutex<File>),
}

/// Writes audit events as JSON lines in Elastic Common Schema. Open it with
/// [`AuditLog::open`] and register it with [`subscribe`](super::subscribe) (the bindings'
/// `AuditLog.open` does both). Each event is written with one `write` call, so lines from
/// several processes appending to one file do not interleave.
pub struct AuditLog {
    target: Target,
    name: String,
    written: AtomicU64,
    failed: AtomicU64,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("target", &self.name)
            .finish()
    }
}

fn bad(message: &str) -> Error {
    Error::new(ErrorCode::InvalidInput, message.to_owned())
}

impl AuditLog {
    /// Opens `target`: `stdout`, `stderr`, or `file:///absolute/path` (appended to, created
    /// with mode 0600 on Unix, its directory must exist). `invalid_input` for another target or
    /// a relative path; the I/O error's code (`internal`) when the file cannot be opened.
    pub fn open(target: &str) -> Result<AuditLog> {
        let (target, name) = match target.trim() {
            "stdout" => (Target::Stdout, "stdout".to_owned()),
            "stderr" => (Target::Stderr, "stderr".to_owned()),
            t => {
                let Some(path) = t.strip_prefix("file://") else {
                    return Err(bad(
                        "an audit log target is stdout, stderr or file:///absolute/path",
                    ));
                };
                let path = PathBuf::from(path);
                if !path.is_absolute() || path.as_os_str().is_empty() {
                    return Err(bad("an audit log file needs an absolute path (file:///…)"));
                }
                let mut options = OpenOptions::new();
                options.create(true).append(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                let file = options.open(&path).map_err(|e| {
                    Error::new(
                        ErrorCode::Internal,
                        format!("cannot open the audit log file: {}", e.kind()),
                    )
                })?;
                (
                    Target::File(Mutex::new(file)),
                    format!("file://{}", path.display()),
                )
            }
        };
        Ok(AuditLog {
            target,
            name,
            written: AtomicU64::new(0),
            failed: AtomicU64::new(0),
        })
    }

    /// Lines written so far.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// Events that could not be written (an I/O error; the operation that emitted them is
    /// not affected).
    pub fn failed(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }

    /// Writes one event now (what the sink does for each event).
    pub fn write(&self, event: &AuditEvent) {
        let mut line = event.to_ecs_json();
        line.push('\n');
        let r = match &self.target {
            Target::Stdout => std::io::stdout().lock().write_all(line.as_bytes()),
            Target::Stderr => std::io::stderr().lock().write_all(line.as_bytes()),
            Target::File(f) => f.lock().write_all(line.as_bytes()),
        };
        let counter = if r.is_ok() {
            &self.written
        } else {
            &self.failed
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

impl AuditSink for AuditLog {
    fn record(&self, event: &AuditEvent) {
        self.write(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Outcome;

    #[test]
    fn targets_are_checked() {
        for t in ["", "file://relative/x.log", "http://x", "/tmp/x.log"] {
            let err = AuditLog::open(t).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidInput, "{t}");
        }
        assert!(AuditLog::open("stderr").is_ok());
    }

    #[test]
    fn a_file_log_appends_lines_with_mode_0600() {
        let dir = std::env::temp_dir().join(format!("tw-audit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("audit.jsonl");
        let _ = std::fs::remove_file(&path);
        let log = AuditLog::open(&format!("file://{}", path.display())).unwrap();
        log.write(&AuditEvent::new("test.audit", Outcome::Success).subject("s1"));
        log.write(&AuditEvent::new("test.audit", Outcome::Failure).subject("s2"));
        assert_eq!((log.written(), log.failed()), (2, 0));
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        for l in lines {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            assert_eq!(v["event"]["action"], "test.audit");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
