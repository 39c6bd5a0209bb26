//! Several keys addressed by `kid`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, Value};

use super::alg::Algorithm;
use super::jwk;
use super::key::JwtKey;
use crate::json;
use crate::{Error, ErrorCode};

/// Keys addressed by `kid`. A token with a `kid` selects exactly that key (an opaque,
/// case-sensitive map lookup); a token without one selects the only key that accepts its
/// algorithm, and is refused when there are several.
#[derive(Debug, Clone)]
pub struct KeySet {
    keys: Vec<JwtKey>,
    by_kid: HashMap<String, usize>,
    /// Unique to this content: a new set and every change get a new number; clones share it.
    generation: u64,
}

/// The last generation handed out (process-wide, so two sets never share one).
static GENERATIONS: AtomicU64 = AtomicU64::new(0);

fn next_generation() -> u64 {
    GENERATIONS.fetch_add(1, Ordering::Relaxed) + 1
}

impl Default for KeySet {
    fn default() -> Self {
        KeySet {
            keys: Vec::new(),
            by_kid: HashMap::new(),
            generation: next_generation(),
        }
    }
}

impl KeySet {
    /// An empty set.
    pub fn new() -> KeySet {
        KeySet::default()
    }

    /// Identifies this set's content: every new set (built, parsed, fetched) and every
    /// [`KeySet::insert`] gets a new generation, a clone keeps it. A verifier's cache of
    /// verified tokens drops its entries when it sees another generation.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// A set with one key.
    pub fn single(key: JwtKey) -> KeySet {
        let mut set = KeySet::new();
        // A single key cannot collide with anything.
        let _ = set.insert(key);
        set
    }

    /// Adds a key. Two keys with the same `kid` are refused with `invalid_key`.
    pub fn insert(&mut self, key: JwtKey) -> Result<(), Error> {
        if let Some(kid) = key.kid() {
            if self.by_kid.contains_key(kid) {
                return Err(Error::new(
                    ErrorCode::InvalidKey,
                    "duplicate kid in key set",
                ));
            }
            self.by_kid.insert(kid.to_owned(), self.keys.len());
        }
        self.keys.push(key);
        self.generation = next_generation();
        Ok(())
    }

    /// Parses a JWKS document (`{"keys": [...]}`). Entries not meant for signatures (`use`
    /// other than `sig`) and entries of unsupported key types are skipped; a supported entry
    /// that is invalid fails the whole document with `invalid_key`.
    pub fn from_jwks(document: &str) -> Result<KeySet, Error> {
        let doc = json::parse_object(document.as_bytes(), 8, "a JWKS must be a JSON object")
            .map_err(|e| Error::new(ErrorCode::InvalidKey, e.message().to_owned()))?;
        KeySet::from_jwks_value(&super::jwk::WipedOnDrop(doc).0)
    }

    /// Like [`KeySet::from_jwks`], from an already parsed document.
    pub fn from_jwks_value(doc: &Map<String, Value>) -> Result<KeySet, Error> {
        KeySet::parse_jwks(doc, false).map(|(set, _)| set)
    }

    /// Parses a JWKS fetched from a server ([`super::RemoteKeySet`]): like
    /// [`KeySet::from_jwks_value`], except that symmetric (`kty: "oct"`) entries are skipped,
    /// and their number returned. Whoever can read a published JWKS could otherwise mint HS*
    /// tokens with its secret. Each skip is logged (a `tracing` warning without key material);
    /// the other keys are kept.
    pub fn from_remote_jwks_value(doc: &Map<String, Value>) -> Result<(KeySet, usize), Error> {
        let (set, skipped) = KeySet::parse_jwks(doc, true)?;
        if skipped > 0 {
            tracing::warn!(
                target: "tokenward::jwt",
                skipped,
                "symmetric (kty oct) keys in a fetched JWKS are never trusted; skipped"
            );
        }
        Ok((set, skipped))
    }

    fn parse_jwks(
        doc: &Map<String, Value>,
        refuse_symmetric: bool,
    ) -> Result<(KeySet, usize), Error> {
        let Some(Value::Array(entries)) = doc.get("keys") else {
            return Err(Error::new(
                ErrorCode::InvalidKey,
                "a JWKS needs a keys array",
            ));
        };
        let mut set = KeySet::new();
        let mut skipped = 0;
        for entry in entries {
            let Value::Object(entry) = entry else {
                return Err(Error::new(
                    ErrorCode::InvalidKey,
                    "a JWKS entry must be an object",
                ));
            };
            if refuse_symmetric && entry.get("kty").and_then(Value::as_str) == Some("oct") {
                skipped += 1;
                continue;
            }
            if !jwk::is_signature_key(entry) || !is_supported_type(entry) {
                continue;
            }
            set.insert(jwk::parse(entry)?)?;
        }
        Ok((set, skipped))
    }

    /// The public keys as a JWKS document (for `/.well-known/jwks.json`). HMAC keys are
    /// never exported and are left out.
    pub fn to_jwks(&self) -> Value {
        let keys: Vec<Value> = self
            .keys
            .iter()
            .filter_map(|k| jwk::export_public(k).ok())
            .collect();
        serde_json::json!({ "keys": keys })
    }

    /// The keys, in insertion order.
    pub fn keys(&self) -> &[JwtKey] {
        &self.keys
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key for a token with this `kid` and `alg`.
    pub fn find(&self, kid: Option<&str>, alg: Algorithm) -> Result<&JwtKey, Error> {
        let not_found = || Error::new(ErrorCode::KeyNotFound, "no key matches the token");
        let key = match kid {
            Some(kid) => self
                .by_kid
                .get(kid)
                .map(|&i| &self.keys[i])
                .ok_or_else(not_found)?,
            None => {
                let mut candidates = self.keys.iter().filter(|k| k.accepts(alg));
                let first = candidates.next().ok_or_else(not_found)?;
                if candidates.next().is_some() {
                    return Err(Error::new(
                        ErrorCode::KeyNotFound,
                        "the token has no kid and several keys accept its algorithm",
                    ));
                }
                first
            }
        };
        if !key.accepts(alg) {
            return Err(Error::new(
                ErrorCode::AlgorithmNotAllowed,
                "the token's algorithm does not match the key",
            ));
        }
        Ok(key)
    }
}

fn is_supported_type(entry: &Map<String, Value>) -> bool {
    matches!(
        (
            entry.get("kty").and_then(Value::as_str),
            entry.get("crv").and_then(Value::as_str),
        ),
        (Some("RSA") | Some("oct"), _)
            | (Some("EC"), Some("P-256") | Some("P-384"))
            | (Some("OKP"), Some("Ed25519"))
    )
}

impl From<JwtKey> for KeySet {
    fn from(key: JwtKey) -> KeySet {
        KeySet::single(key)
    }
}
