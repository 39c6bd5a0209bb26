//! API keys against real stores: concurrency and what lands on disk.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokenward::apikey::ApiKeysOptions;

use tokenward::apikey::{store, ApiKeys, KeyStore, NewKey, SqliteStore};
use tokenward::clock::ManualClock;
use tokenward::Secret;

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tw-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Many threads verify a fixed set of keys while others create and revoke keys: every verify
/// of a stable key succeeds, every verify of a revoked key is refused, nothing panics.
fn hammer(keys: Arc<ApiKeys>) {
    let stable: Vec<Secret> = (0..32)
        .map(|i| keys.create(NewKey::new(format!("o{i}"))).unwrap().secret)
        .collect();
    let stable = Arc::new(stable);
    let stop = Arc::new(AtomicBool::new(false));
    let verified = Arc::new(AtomicUsize::new(0));
    let mut threads = Vec::new();
    for t in 0..6 {
        let (keys, stable, stop, verified) =
            (keys.clone(), stable.clone(), stop.clone(), verified.clone());
        threads.push(std::thread::spawn(move || {
            let mut i = t;
            while !stop.load(Ordering::Relaxed) || i < t + 200 {
                let record = keys.verify(stable[i % stable.len()].expose()).unwrap();
                assert!(record.owner.starts_with('o'));
                verified.fetch_add(1, Ordering::Relaxed);
                i += 1;
            }
        }));
    }
    for _ in 0..2 {
        let keys = keys.clone();
        threads.push(std::thread::spawn(move || {
            for i in 0..100 {
                let issued = keys.create(NewKey::new("churn").scopes(["s"])).unwrap();
                assert!(keys.verify(issued.secret.expose()).is_ok());
                if i % 2 == 0 {
                    keys.revoke(&issued.record.id).unwrap();
                    let err = keys.verify(issued.secret.expose()).unwrap_err();
                    assert_eq!(err.code().as_str(), "revoked");
                }
            }
        }));
    }
    for t in threads.drain(6..) {
        t.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().unwrap();
    }
    assert!(verified.load(Ordering::Relaxed) >= 6 * 200);
    let churn = keys.list("churn").unwrap();
    assert_eq!(churn.len(), 200);
    assert_eq!(churn.iter().filter(|r| r.revoked_at.is_some()).count(), 100);
}

#[test]
fn concurrent_verify_create_revoke_memory() {
    hammer(Arc::new(
        ApiKeys::new("tw_conc", ApiKeysOptions::default()).unwrap(),
    ));
}

#[test]
fn concurrent_verify_create_revoke_sqlite() {
    let dir = temp_dir("conc");
    let store = Arc::new(SqliteStore::open(dir.join("keys.db")).unwrap());
    hammer(Arc::new(
        ApiKeys::new("tw_conc", ApiKeysOptions::default().with_store(store)).unwrap(),
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sqlite_file_holds_no_plaintext_key() {
    let dir = temp_dir("plain");
    let path = dir.join("keys.db");
    let mut secrets = Vec::new();
    {
        let options = ApiKeysOptions::default()
            .with_store_spec(&format!("sqlite://{}", path.display()))
            .unwrap();
        let keys = ApiKeys::new("tw_disk", options).unwrap();
        for i in 0..20 {
            let issued = keys
                .create(NewKey::new(format!("owner{i}")).scopes(["read"]))
                .unwrap();
            keys.verify(issued.secret.expose()).unwrap();
            secrets.push(issued.secret);
        }
        let rotated = keys.rotate(&keys.list("owner0").unwrap()[0].id, Duration::from_secs(60));
        secrets.push(rotated.unwrap().secret);
        // Inspect while the store is open too (the WAL file holds recent writes).
        assert_no_plaintext(&dir, &secrets);
    }
    assert_no_plaintext(&dir, &secrets);
    // And the keys still verify after reopening the file.
    let options = ApiKeysOptions::default()
        .with_store_spec(path.to_str().unwrap())
        .unwrap();
    let keys = ApiKeys::new("tw_disk", options).unwrap();
    for s in &secrets {
        assert!(keys.verify(s.expose()).is_ok());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

fn assert_no_plaintext(dir: &std::path::Path, secrets: &[Secret]) {
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        files += 1;
        for s in secrets {
            let key = s.expose();
            // Neither the key, nor its secret part (after prefix + id), nor a long piece of it.
            let secret_part = &key["tw_disk_".len() + 12..key.len() - 6];
            for needle in [key, secret_part, &secret_part[..12], &secret_part[20..]] {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                    "plaintext found on disk"
                );
            }
        }
    }
    assert!(files >= 1);
}

#[test]
fn sqlite_rotation_overlap_with_injected_clock() {
    let dir = temp_dir("rot");
    let clock = ManualClock::at_unix(1_700_000_000);
    let store: Arc<dyn KeyStore> = store::open(Some(dir.join("k.db").to_str().unwrap())).unwrap();
    let keys = ApiKeys::new(
        "tw",
        ApiKeysOptions::default()
            .with_store(store)
            .with_clock(clock.clone()),
    )
    .unwrap();
    let old = keys.create(NewKey::new("a")).unwrap();
    let new = keys
        .rotate(&old.record.id, Duration::from_secs(600))
        .unwrap();
    assert_eq!(new.record.expires_at, None);
    clock.advance(Duration::from_secs(599));
    assert!(keys.verify(old.secret.expose()).is_ok());
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        keys.verify(old.secret.expose())
            .unwrap_err()
            .code()
            .as_str(),
        "expired"
    );
    assert!(keys.verify(new.secret.expose()).is_ok());
    std::fs::remove_dir_all(&dir).unwrap();
}
