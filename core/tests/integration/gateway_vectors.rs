//! Runs tests/vectors/gateway.json (the same file every binding runs), plus gateway behaviour
//! that needs Rust-side control: rate limits under a manual clock, proxy spoofing, concurrency.

// Fixture helpers outside #[test] functions unwrap freely: a broken fixture should fail loudly.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use tokenward::apikey::ApiKeysOptions;

use crate::vector_files::load;
use serde_json::Value;
use tokenward::apikey::{ApiKeys, NewKey};
use tokenward::clock::{ManualClock, SharedClock};
use tokenward::gateway::{
    Authenticator, AuthenticatorOptions, ForwardedHeader, RateLimit, Request, RevocationKind,
    RevocationList, RevocationListOptions,
};
use tokenward::jwt::{Algorithm, JwtKey, JwtVerifier, JwtVerifierOptions};

fn limit(v: &Value) -> RateLimit {
    RateLimit {
        rate: v["rate"].as_u64().unwrap() as u32,
        period: Duration::from_secs(v["period_seconds"].as_u64().unwrap()),
        burst: v["burst"].as_u64().unwrap() as u32,
    }
}

struct Fixture {
    auth: Authenticator,
    secrets: HashMap<String, String>,
    ids: HashMap<String, String>,
}

fn build(setup: &Value) -> Fixture {
    let clock: SharedClock = ManualClock::at_unix(setup["now"].as_u64().unwrap());
    let prefix = setup["api_keys"]["prefix"].as_str().unwrap();
    let keys = Arc::new(
        ApiKeys::new(prefix, ApiKeysOptions::default().with_clock(clock.clone())).unwrap(),
    );
    let list = Arc::new(
        RevocationList::new(
            RevocationListOptions::new()
                .with_max_entries(1000)
                .with_clock(clock.clone()),
        )
        .unwrap(),
    );
    let mut secrets = HashMap::new();
    let mut ids = HashMap::new();
    for (name, spec) in setup["api_keys"]["keys"].as_object().unwrap() {
        let mut new = NewKey::new(spec["owner"].as_str().unwrap()).scopes(
            spec["scopes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_owned()),
        );
        if let Some(meta) = spec["metadata"].as_object() {
            for (k, v) in meta {
                new = new.metadata(k, v.as_str().unwrap());
            }
        }
        let issued = keys.create(new).unwrap();
        if spec["revoke_in_store"] == true {
            keys.revoke(&issued.record.id).unwrap();
        }
        secrets.insert(name.clone(), issued.secret.expose().to_owned());
        ids.insert(name.clone(), issued.record.id.clone());
    }
    // A well-formed key that was never stored here.
    let other = ApiKeys::new(prefix, ApiKeysOptions::default()).unwrap();
    let unknown = other.create(NewKey::new("nobody")).unwrap();
    secrets.insert("unknown".into(), unknown.secret.expose().to_owned());

    for r in setup["revocations"].as_array().unwrap() {
        let kind = match r["kind"].as_str().unwrap() {
            "jti" => RevocationKind::Jti,
            "subject" => RevocationKind::Subject,
            "key_id" => RevocationKind::KeyId,
            k => unreachable!("{k}"),
        };
        let mut id = r["id"].as_str().unwrap().to_owned();
        if let Some(name) = id
            .strip_prefix("{key_id:")
            .and_then(|s| s.strip_suffix('}'))
        {
            id = ids[name].clone();
        }
        list.revoke(kind, &id, r["until"].as_i64().unwrap())
            .unwrap();
    }

    let j = &setup["jwt"];
    let algs: Vec<Algorithm> = j["algorithms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| Algorithm::parse(a.as_str().unwrap()).unwrap())
        .collect();
    let key = JwtKey::hmac(j["hmac_secret"].as_str().unwrap().as_bytes(), algs[0]).unwrap();
    let verifier =
        JwtVerifier::new(key, JwtVerifierOptions::new(algs).with_clock(clock.clone())).unwrap();

    let tp = &setup["trusted_proxies"];
    let header: ForwardedHeader = tp["header"].as_str().unwrap().parse().unwrap();
    let mut b = AuthenticatorOptions::new()
        .with_realm(setup["realm"].as_str().unwrap())
        .with_api_keys(keys)
        .with_jwt(Arc::new(verifier))
        .with_ip_deny(
            setup["ip_deny"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap()),
        )
        .with_trusted_proxies(
            tp["networks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap()),
        )
        .with_forwarded_header(header)
        .with_rate_limit(limit(&setup["rate_limit"]))
        .with_failure_rate_limit(Some(limit(&setup["failure_rate_limit"])))
        .with_revocations(list)
        .with_clock(clock);
    for (plan, l) in setup["plans"].as_object().unwrap() {
        b = b.with_plan(plan, limit(l));
    }
    for (who, l) in setup["rate_limit_overrides"].as_object().unwrap() {
        b = b.with_rate_limit_override(who, limit(l));
    }
    Fixture {
        auth: Authenticator::new(b).unwrap(),
        secrets,
        ids,
    }
}

fn substitute(s: &str, f: &Fixture) -> String {
    let mut out = s.to_owned();
    for (name, secret) in &f.secrets {
        out = out.replace(&format!("{{key:{name}}}"), secret);
        let mut typo = secret.clone();
        let last = typo.pop().unwrap();
        typo.push(if last == 'a' { 'b' } else { 'a' });
        out = out.replace(&format!("{{key_typo:{name}}}"), &typo);
    }
    out
}

#[test]
fn vectors() {
    let doc = load("gateway.json");
    let f = build(&doc["setup"]);
    assert!(!f.ids.is_empty());
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 40);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let r = &case["request"];
        let owned: Vec<(String, String)> = r["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h[0].as_str().unwrap().to_owned(),
                    substitute(h[1].as_str().unwrap(), &f),
                )
            })
            .collect();
        let headers: Vec<(&str, &str)> = owned
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let scopes: Vec<&str> = r["required_scopes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        let path = substitute(r["path"].as_str().unwrap(), &f);
        let req = Request {
            method: r["method"].as_str().unwrap(),
            path: &path,
            headers: &headers,
            client_ip: r["client_ip"]
                .as_str()
                .map(|s| s.parse::<IpAddr>().unwrap()),
            required_scopes: &scopes,
            client_certificate: None,
        };
        let e = &case["expect"];
        match f.auth.authenticate(&req) {
            Ok(p) => {
                assert_eq!(e["status"], 200, "{name}: got a principal");
                if let Some(s) = e["subject"].as_str() {
                    assert_eq!(p.subject, s, "{name}");
                }
                if let Some(n) = e["remaining"].as_u64() {
                    assert_eq!(p.rate_limit_remaining, Some(n), "{name}");
                }
            }
            Err(refusal) => {
                assert_eq!(
                    (refusal.status as u64, refusal.code.as_str()),
                    (
                        e["status"].as_u64().unwrap(),
                        e["code"].as_str().unwrap_or("-")
                    ),
                    "{name}"
                );
                assert_eq!(
                    refusal.www_authenticate.as_deref(),
                    e["www_authenticate"].as_str(),
                    "{name}"
                );
                assert_eq!(
                    refusal.retry_after_seconds(),
                    e["retry_after"].as_u64(),
                    "{name}"
                );
            }
        }
    }
}

fn keyed(clock: SharedClock) -> (Arc<ApiKeys>, String) {
    let keys =
        Arc::new(ApiKeys::new("tw_test", ApiKeysOptions::default().with_clock(clock)).unwrap());
    let k = keys.create(NewKey::new("acct").scopes(["read"])).unwrap();
    (keys, k.secret.expose().to_owned())
}

fn req<'a>(headers: &'a [(&'a str, &'a str)], ip: &str) -> Request<'a> {
    Request {
        method: "GET",
        path: "/",
        headers,
        client_ip: Some(ip.parse().unwrap()),
        required_scopes: &[],
        client_certificate: None,
    }
}

#[test]
fn rate_limit_with_manual_clock() {
    let clock = ManualClock::at_unix(1_700_000_000);
    let (keys, key) = keyed(clock.clone());
    let auth = Authenticator::new(
        AuthenticatorOptions::new()
            .with_api_keys(keys)
            .with_rate_limit(RateLimit::per_second(2, 3)) // one every 500 ms, bursts of 3
            .with_clock(clock.clone()),
    )
    .unwrap();
    let h = [("x-api-key", key.as_str())];
    let remaining: Vec<_> = (0..3)
        .map(|_| {
            auth.authenticate(&req(&h, "198.51.100.1"))
                .unwrap()
                .rate_limit_remaining
        })
        .collect();
    assert_eq!(remaining, [Some(2), Some(1), Some(0)]);
    let r = auth.authenticate(&req(&h, "198.51.100.1")).unwrap_err();
    assert_eq!(
        (r.status, r.code_str(), r.retry_after_seconds()),
        (429, "rate_limited", Some(1))
    );
    clock.advance(Duration::from_millis(499));
    assert!(auth.authenticate(&req(&h, "198.51.100.1")).is_err());
    clock.advance(Duration::from_millis(1));
    assert_eq!(
        auth.authenticate(&req(&h, "198.51.100.1"))
            .unwrap()
            .rate_limit_remaining,
        Some(0)
    );
    // A refused request does not consume budget.
    clock.advance(Duration::from_secs(10));
    assert_eq!(
        auth.authenticate(&req(&h, "198.51.100.1"))
            .unwrap()
            .rate_limit_remaining,
        Some(2)
    );
}

#[test]
fn ip_rate_limit_counts_ipv6_per_64_and_mapped_as_v4() {
    let clock = ManualClock::at_unix(1_700_000_000);
    let (keys, key) = keyed(clock.clone());
    let auth = Authenticator::new(
        AuthenticatorOptions::new()
            .with_api_keys(keys)
            .with_ip_rate_limit(RateLimit::per_minute(1, 1))
            .with_clock(clock.clone()),
    )
    .unwrap();
    let h = [("x-api-key", key.as_str())];
    assert!(auth.authenticate(&req(&h, "2001:db8:1:2::1")).is_ok());
    // Same /64, another address: same bucket.
    assert_eq!(
        auth.authenticate(&req(&h, "2001:db8:1:2:ffff::9"))
            .unwrap_err()
            .code_str(),
        "rate_limited"
    );
    assert!(auth.authenticate(&req(&h, "2001:db8:1:3::1")).is_ok());
    assert!(auth.authenticate(&req(&h, "192.0.2.1")).is_ok());
    assert_eq!(
        auth.authenticate(&req(&h, "::ffff:192.0.2.1"))
            .unwrap_err()
            .code_str(),
        "rate_limited"
    );
}

#[test]
fn proxy_headers_ignored_without_trusted_proxies() {
    let clock = ManualClock::at_unix(1_700_000_000);
    let (keys, key) = keyed(clock.clone());
    let auth = Authenticator::new(
        AuthenticatorOptions::new()
            .with_api_keys(keys)
            .with_ip_allow(["203.0.113.0/24"]),
    )
    .unwrap();
    // The attacker claims an allowed address; the socket peer decides.
    for (name, value) in [
        ("x-forwarded-for", "203.0.113.9"),
        ("forwarded", "for=203.0.113.9"),
        ("x-real-ip", "203.0.113.9"),
    ] {
        let h = [("x-api-key", key.as_str()), (name, value)];
        assert_eq!(
            auth.authenticate(&req(&h, "198.51.100.1"))
                .unwrap_err()
                .code_str(),
            "ip_denied",
            "{name}"
        );
    }
    let h = [("x-api-key", key.as_str())];
    assert!(auth.authenticate(&req(&h, "203.0.113.9")).is_ok());
    assert!(auth.authenticate(&req(&h, "::ffff:203.0.113.9")).is_ok());
    // No peer address with rules configured: refused.
    let mut r = req(&h, "203.0.113.9");
    r.client_ip = None;
    assert_eq!(auth.authenticate(&r).unwrap_err().code_str(), "ip_denied");
}

#[test]
fn forwarded_header_behind_trusted_proxy() {
    let clock = ManualClock::at_unix(1_700_000_000);
    let (keys, key) = keyed(clock.clone());
    let auth = Authenticator::new(
        AuthenticatorOptions::new()
            .with_api_keys(keys)
            .with_ip_allow(["203.0.113.0/24", "2001:db8::/32"])
            .with_trusted_proxies(["10.0.0.0/8", "fd00::/8"])
            .with_forwarded_header(ForwardedHeader::Forwarded),
    )
    .unwrap();
    let ok = |fwd: &str, peer: &str| {
        let h = [("x-api-key", key.as_str()), ("Forwarded", fwd)];
        auth.authenticate(&req(&h, peer))
            .map(|_| ())
            .map_err(|r| r.code_str())
    };
    assert_eq!(ok("for=203.0.113.9", "10.0.0.1"), Ok(()));
    assert_eq!(ok(r#"for="[2001:db8::1]:443""#, "fd00::1"), Ok(()));
    // Spoofed allowed address on the left of a real untrusted one.
    assert_eq!(
        ok("for=203.0.113.9, for=198.51.100.1", "10.0.0.1"),
        Err("ip_denied")
    );
    // Untrusted peer: the header is ignored.
    assert_eq!(ok("for=203.0.113.9", "198.51.100.1"), Err("ip_denied"));
    // Unknown client behind a trusted proxy: refused because allow rules exist.
    assert_eq!(ok("for=unknown", "10.0.0.1"), Err("ip_denied"));
    // X-Forwarded-For is not what the proxy sets: ignored.
    let h = [
        ("x-api-key", key.as_str()),
        ("X-Forwarded-For", "203.0.113.9"),
    ];
    assert_eq!(
        auth.authenticate(&req(&h, "10.0.0.1"))
            .unwrap_err()
            .code_str(),
        "ip_denied"
    );
}

#[test]
fn concurrent_authentication_respects_the_burst() {
    let clock = ManualClock::at_unix(1_700_000_000);
    let (keys, key) = keyed(clock.clone());
    let auth = Arc::new(
        Authenticator::new(
            AuthenticatorOptions::new()
                .with_api_keys(keys)
                .with_rate_limit(RateLimit::per_minute(1, 100))
                .with_clock(clock),
        )
        .unwrap(),
    );
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let auth = auth.clone();
            let key = key.clone();
            std::thread::spawn(move || {
                let h = [("x-api-key", key.as_str())];
                (0..100)
                    .filter(|_| auth.authenticate(&req(&h, "198.51.100.1")).is_ok())
                    .count()
            })
        })
        .collect();
    let ok: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(ok, 100);
}

#[test]
fn audit_events_never_carry_token_material() {
    use std::sync::Mutex;
    use tokenward::audit::{subscribe, AuditEvent, AuditSink};
    struct Sink(Mutex<Vec<AuditEvent>>);
    impl AuditSink for Sink {
        fn record(&self, e: &AuditEvent) {
            self.0.lock().unwrap().push(e.clone());
        }
    }
    let sink = Arc::new(Sink(Mutex::new(Vec::new())));
    // Scoped: a sink kept for the process would take the events of the other tests of this
    // binary away from `tracing`.
    let _subscription = subscribe(sink.clone());
    let clock = ManualClock::at_unix(1_700_000_000);
    let (keys, key) = keyed(clock);
    let auth = Authenticator::new(AuthenticatorOptions::new().with_api_keys(keys)).unwrap();
    let h = [("x-api-key", key.as_str())];
    let p = auth.authenticate(&req(&h, "198.51.100.1")).unwrap();
    // A one-character typo; the replacement must differ from the original, or the "bad" key is
    // the key itself (random keys end in 'x' often enough to fail CI).
    let mut bad = key.clone();
    let last = bad.pop();
    bad.push(if last == Some('x') { 'y' } else { 'x' });
    let h2 = [("x-api-key", bad.as_str())];
    let _ = auth.authenticate(&req(&h2, "198.51.100.1"));
    let events = sink.0.lock().unwrap().clone();
    let gw: Vec<_> = events
        .iter()
        .filter(|e| e.action == "gateway.authenticate")
        .collect();
    assert!(gw.iter().any(|e| e.code.is_none()
        && e.credential_id.as_deref() == p.key_id.as_deref()
        && e.subject.as_deref() == Some("acct")));
    assert!(gw.iter().any(|e| e.code.is_some()));
    for e in &events {
        let text = format!("{e:?}");
        assert!(
            !text.contains(&key[10..]) && !text.contains(&bad[10..]),
            "{text}"
        );
    }
}
