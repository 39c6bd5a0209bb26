//! Lifecycle tests of [`ApiKeys`] with an injected clock.

use crate::apikey::ApiKeysOptions;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

use super::format::checksum;
use super::*;
use crate::audit::{add_sink, AuditEvent, AuditSink};
use crate::clock::ManualClock;
use crate::Secret;

const T0: u64 = 1_700_000_000;

fn keys_at(clock: &Arc<ManualClock>) -> ApiKeys {
    ApiKeys::new(
        "tw_test",
        ApiKeysOptions::default().with_clock(clock.clone()),
    )
    .unwrap()
}

fn code<T>(r: crate::Result<T>) -> &'static str {
    r.err().map_or("ok", |e| e.code().as_str())
}

/// `key` with its id changed and a valid checksum: passes the format check, unknown to stores.
fn forge_unknown_id(key: &str) -> String {
    let mut data = key.as_bytes()[..key.len() - 6].to_vec();
    let i = "tw_test_".len();
    data[i] = if data[i] == b'A' { b'B' } else { b'A' };
    let sum = checksum(&data);
    data.extend_from_slice(&sum);
    String::from_utf8(data).unwrap()
}

#[test]
fn create_verify_revoke() {
    let clock = ManualClock::at_unix(T0);
    let keys = keys_at(&clock);
    let issued = keys
        .create(
            NewKey::new("alice")
                .scopes(["read", "write"])
                .metadata("plan", "pro"),
        )
        .unwrap();
    let key = issued.secret.expose();
    assert!(key.starts_with("tw_test_"));
    let record = keys.verify(key).unwrap();
    assert_eq!(record.id, issued.record.id);
    assert_eq!(record.owner, "alice");
    assert_eq!(record.scopes, ["read", "write"]);
    assert_eq!(record.metadata["plan"], "pro");
    assert_eq!(record.created_at, T0 as i64);
    assert_eq!(record.expires_at, None);
    assert!(!format!("{record:?}{issued:?}").contains(&key[8..]));

    assert_eq!(keys.revoke(&record.id).unwrap().revoked_at, Some(T0 as i64));
    assert_eq!(code(keys.verify(key)), "revoked");
    assert_eq!(code(keys.revoke("nope")), "unknown_key");
}

#[test]
fn refusals_have_their_codes() {
    let clock = ManualClock::at_unix(T0);
    let keys = keys_at(&clock);
    let key = keys.create(NewKey::new("bob")).unwrap().secret;
    let key = key.expose();
    assert_eq!(code(keys.verify("")), "invalid_format");
    assert_eq!(code(keys.verify(&"a".repeat(1 << 20))), "invalid_format");
    assert_eq!(code(keys.verify(&format!("{key}é"))), "invalid_format");
    let mut typo = key.to_owned();
    typo.replace_range(20..21, if &key[20..21] == "x" { "y" } else { "x" });
    assert_eq!(code(keys.verify(&typo)), "checksum_mismatch");
    assert_eq!(code(keys.verify(&forge_unknown_id(key))), "unknown_key");

    // A well-formed key of another prefix (another environment) is refused before lookup.
    let live = ApiKeys::new("tw_live", ApiKeysOptions::default()).unwrap();
    let live_key = live.create(NewKey::new("bob")).unwrap().secret;
    assert_eq!(code(keys.verify(live_key.expose())), "invalid_format");

    // Right id, wrong secret part (checksum recomputed): the hash comparison refuses it.
    let mut data = key.as_bytes()[..key.len() - 6].to_vec();
    let last = data.len() - 1;
    data[last] = if data[last] == b'0' { b'1' } else { b'0' };
    let sum = checksum(&data);
    data.extend_from_slice(&sum);
    assert_eq!(
        code(keys.verify(std::str::from_utf8(&data).unwrap())),
        "unknown_key"
    );
}

#[test]
fn expiry_follows_the_clock() {
    let clock = ManualClock::at_unix(T0);
    let keys = keys_at(&clock);
    let issued = keys
        .create(NewKey::new("c").expires_in(Duration::from_secs(3600)))
        .unwrap();
    assert_eq!(issued.record.expires_at, Some(T0 as i64 + 3600));
    clock.advance(Duration::from_secs(3599));
    assert!(keys.verify(issued.secret.expose()).is_ok());
    clock.advance(Duration::from_secs(1));
    assert_eq!(code(keys.verify(issued.secret.expose())), "expired");
}

#[test]
fn rotation_keeps_the_old_key_valid_for_the_overlap() {
    let clock = ManualClock::at_unix(T0);
    let keys = keys_at(&clock);
    let old = keys
        .create(
            NewKey::new("d")
                .scopes(["read"])
                .expires_in(Duration::from_secs(86_400)),
        )
        .unwrap();
    clock.advance(Duration::from_secs(1000));
    let new = keys
        .rotate(&old.record.id, Duration::from_secs(300))
        .unwrap();
    assert_ne!(new.record.id, old.record.id);
    assert_eq!(new.record.scopes, ["read"]);
    assert_eq!(new.record.owner, "d");
    // Same lifetime, counted from the rotation.
    assert_eq!(new.record.expires_at, Some(T0 as i64 + 1000 + 86_400));
    let old_now = keys.get(&old.record.id).unwrap();
    assert_eq!(old_now.replaced_by.as_deref(), Some(new.record.id.as_str()));
    assert_eq!(old_now.expires_at, Some(T0 as i64 + 1300));

    clock.advance(Duration::from_secs(299));
    assert!(keys.verify(old.secret.expose()).is_ok());
    assert!(keys.verify(new.secret.expose()).is_ok());
    clock.advance(Duration::from_secs(1));
    assert_eq!(code(keys.verify(old.secret.expose())), "expired");
    assert!(keys.verify(new.secret.expose()).is_ok());
    // A dead key cannot be rotated.
    assert_eq!(code(keys.rotate(&old.record.id, Duration::ZERO)), "expired");
    assert_eq!(code(keys.rotate("unknown", Duration::ZERO)), "unknown_key");
    let ids: Vec<_> = keys
        .list("d")
        .unwrap()
        .iter()
        .map(|r| r.id.clone())
        .collect();
    assert_eq!(ids, [old.record.id.clone(), new.record.id.clone()]);
}

#[test]
fn overlap_never_extends_an_expiry() {
    let clock = ManualClock::at_unix(T0);
    let keys = keys_at(&clock);
    let old = keys
        .create(NewKey::new("e").expires_in(Duration::from_secs(60)))
        .unwrap();
    keys.rotate(&old.record.id, Duration::from_secs(3600))
        .unwrap();
    assert_eq!(
        keys.get(&old.record.id).unwrap().expires_at,
        Some(T0 as i64 + 60)
    );
}

#[test]
fn last_used_is_written_at_most_once_per_granularity() {
    let clock = ManualClock::at_unix(T0);
    let keys = keys_at(&clock);
    let issued = keys.create(NewKey::new("f")).unwrap();
    let key = issued.secret.expose();
    assert_eq!(issued.record.last_used_at, None);
    keys.verify(key).unwrap();
    assert_eq!(
        keys.get(&issued.record.id).unwrap().last_used_at,
        Some(T0 as i64)
    );
    clock.advance(Duration::from_secs(59));
    keys.verify(key).unwrap();
    assert_eq!(
        keys.get(&issued.record.id).unwrap().last_used_at,
        Some(T0 as i64)
    );
    clock.advance(Duration::from_secs(1));
    keys.verify(key).unwrap();
    assert_eq!(
        keys.get(&issued.record.id).unwrap().last_used_at,
        Some(T0 as i64 + 60)
    );
}

#[test]
fn pepper_changes_the_stored_hash() {
    let store: Arc<dyn KeyStore> = Arc::new(MemoryStore::new());
    let peppered = ApiKeys::new(
        "tw",
        ApiKeysOptions::default()
            .with_store(store.clone())
            .with_pepper(Secret::new("a-pepper-of-32-bytes-0123456789ab").unwrap()),
    )
    .unwrap();
    let plain = ApiKeys::new("tw", ApiKeysOptions::default().with_store(store.clone())).unwrap();
    let issued = peppered.create(NewKey::new("g")).unwrap();
    assert!(peppered.verify(issued.secret.expose()).is_ok());
    // Same store, no pepper: the hash does not match.
    assert_eq!(code(plain.verify(issued.secret.expose())), "unknown_key");
    let short = ApiKeys::new(
        "tw",
        ApiKeysOptions::default().with_pepper(Secret::new("short").unwrap()),
    );
    assert_eq!(code(short), "invalid_input");
    assert_eq!(
        code(ApiKeys::new("TW", ApiKeysOptions::default())),
        "invalid_input"
    );
}

#[test]
fn invalid_new_keys_are_refused_before_storing() {
    let keys = ApiKeys::new("tw", ApiKeysOptions::default()).unwrap();
    assert_eq!(code(keys.create(NewKey::new(""))), "invalid_input");
    assert!(keys.list("").unwrap().is_empty());
}

#[derive(Default)]
struct Capture(Mutex<Vec<AuditEvent>>);

impl AuditSink for Capture {
    fn record(&self, event: &AuditEvent) {
        self.0.lock().push(event.clone());
    }
}

#[test]
fn audit_events_carry_ids_never_keys() {
    let sink = Arc::new(Capture::default());
    add_sink(sink.clone());
    let keys = ApiKeys::new("tw_audit", ApiKeysOptions::default()).unwrap();
    let issued = keys.create(NewKey::new("h")).unwrap();
    let id = issued.record.id.clone();
    keys.verify(issued.secret.expose()).unwrap();
    keys.revoke(&id).unwrap();
    let _ = keys.verify(issued.secret.expose());
    let events: Vec<AuditEvent> = sink
        .0
        .lock()
        .iter()
        .filter(|e| e.credential_id.as_deref() == Some(id.as_str()))
        .cloned()
        .collect();
    let summary: Vec<(&str, &str, Option<&str>)> = events
        .iter()
        .map(|e| {
            (
                e.action,
                e.outcome.as_str(),
                e.code.map(crate::ErrorCode::as_str),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("apikey.create", "success", None),
            ("apikey.verify", "success", None),
            ("apikey.revoke", "success", None),
            ("apikey.verify", "failure", Some("revoked")),
        ]
    );
    assert!(events
        .iter()
        .all(|e| e.subject.as_deref() == Some("h") || e.code.is_some()));
    assert!(!format!("{events:?}").contains(&issued.secret.expose()[20..]));
}

/// An unknown id and a known id with a wrong secret cost the same hash work (counted, not
/// timed): the answer time must not tell which ids exist.
#[test]
fn unknown_id_and_wrong_secret_do_the_same_hash_work() {
    use super::hash::HASHES;
    let clock = ManualClock::at_unix(T0);
    let keys = keys_at(&clock);
    let issued = keys.create(NewKey::new("alice")).unwrap();
    let key = issued.secret.expose();
    // Known id, wrong secret: change the last secret character, fix the checksum.
    let mut data = key.as_bytes()[..key.len() - 6].to_vec();
    let last = data.len() - 1;
    data[last] = if data[last] == b'A' { b'B' } else { b'A' };
    let sum = checksum(&data);
    data.extend_from_slice(&sum);
    let wrong_secret = String::from_utf8(data).unwrap();
    let unknown = forge_unknown_id(key);
    let count = |k: &str| {
        let before = HASHES.with(std::cell::Cell::get);
        assert_eq!(code(keys.verify(k)), "unknown_key");
        HASHES.with(std::cell::Cell::get) - before
    };
    let wrong = count(&wrong_secret);
    let missing = count(&unknown);
    assert_eq!(wrong, 1);
    assert_eq!(missing, wrong, "an unknown id must do the same hash work");
}
