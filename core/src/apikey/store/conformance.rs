//! One behavioural suite every [`KeyStore`] must pass (run by each store's tests).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{KeyStore, StoredKey};
use crate::apikey::hash::KeyHash;
use crate::apikey::record::KeyRecord;
use crate::ErrorCode;

fn key(id: &str, owner: &str, created_at: i64) -> StoredKey {
    StoredKey {
        record: Arc::new(KeyRecord {
            id: id.into(),
            prefix: "tw".into(),
            display: format!("tw_{id}…abcd"),
            owner: owner.into(),
            scopes: vec!["read".into(), "write".into()],
            metadata: BTreeMap::from([("team".into(), "core".into())]),
            created_at,
            expires_at: None,
            revoked_at: None,
            last_used_at: None,
            replaced_by: None,
        }),
        hash: KeyHash::from_slice(&[id.len() as u8; 32]).unwrap(),
    }
}

/// Leaves three keys: `a1` (alice, rotated to `a2`), `a2` (alice), `b1` (bob, revoked).
pub(crate) fn run(store: &dyn KeyStore) {
    store.insert(key("a1", "alice", 10)).unwrap();
    store.insert(key("b1", "bob", 5)).unwrap();
    assert_eq!(
        store.insert(key("a1", "x", 1)).unwrap_err().code(),
        ErrorCode::Storage
    );

    let got = store.get("a1").unwrap().unwrap();
    assert_eq!(*got.record, *key("a1", "alice", 10).record);
    assert!(got.hash.ct_eq(&key("a1", "", 0).hash));
    assert!(store.get("zz").unwrap().is_none());

    store.touch("a1", 100).unwrap();
    store.touch("a1", 50).unwrap(); // older: ignored
    store.touch("zz", 50).unwrap(); // unknown: ignored
    assert_eq!(
        store.get("a1").unwrap().unwrap().record.last_used_at,
        Some(100)
    );

    let revoked = store.revoke("b1", 20).unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(20));
    assert_eq!(
        store.revoke("b1", 30).unwrap().unwrap().revoked_at,
        Some(20)
    );
    assert!(store.revoke("zz", 30).unwrap().is_none());

    assert!(!store.rotate("zz", 40, key("a3", "alice", 30)).unwrap());
    assert!(store.get("a3").unwrap().is_none());
    assert!(store.rotate("a1", 40, key("a2", "alice", 30)).unwrap());
    let old = store.get("a1").unwrap().unwrap().record;
    assert_eq!(
        (old.expires_at, old.replaced_by.as_deref()),
        (Some(40), Some("a2"))
    );

    let ids: Vec<String> = store
        .list("alice")
        .unwrap()
        .iter()
        .map(|r| r.id.clone())
        .collect();
    assert_eq!(ids, ["a1", "a2"]);
    assert!(store.list("nobody").unwrap().is_empty());
}
