//! Runs tests/vectors/sessions.json (the same file every binding runs) and tests the session
//! cookie as a credential kind of the Authenticator.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use crate::vector_files::load;
use serde_json::Value;
use tokenward::clock::ManualClock;
use tokenward::gateway::{Authenticator, AuthenticatorOptions, CredentialKind, Request};
use tokenward::session::{IssuedSession, SameSite, SessionCookie, Sessions, SessionsOptions};
use tokenward::{Result, Secret};

fn code<T>(r: Result<T>) -> String {
    r.err()
        .map_or("ok".into(), |e| e.code().as_str().to_owned())
}

fn options(v: &Value, clock: &Arc<ManualClock>) -> SessionsOptions {
    SessionsOptions::new()
        .with_clock(clock.clone())
        .with_idle_timeout(Duration::from_secs(
            v["options"]["idle_timeout"].as_u64().unwrap(),
        ))
        .with_absolute_timeout(Duration::from_secs(
            v["options"]["absolute_timeout"].as_u64().unwrap(),
        ))
        .with_csrf_secret(Secret::new(v["csrf_secret"].as_str().unwrap()).unwrap())
}

fn cookie(c: &Value) -> Result<SessionCookie> {
    let mut out = SessionCookie::new();
    if let Some(n) = c["name"].as_str() {
        out = out.with_name(n);
    }
    if let Some(b) = c["secure"].as_bool() {
        out = out.with_secure(b);
    }
    if let Some(b) = c["http_only"].as_bool() {
        out = out.with_http_only(b);
    }
    if let Some(s) = c["same_site"].as_str() {
        out = out.with_same_site(SameSite::parse(s)?);
    }
    if let Some(p) = c["path"].as_str() {
        out = out.with_path(p);
    }
    if let Some(d) = c["domain"].as_str() {
        out = out.with_domain(Some(d.to_owned()));
    }
    if let Some(b) = c["dangerous_allow_insecure"].as_bool() {
        out = out.with_dangerous_allow_insecure(b);
    }
    Ok(out)
}

fn data(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn sessions_match_vectors() {
    let v = load("sessions.json");
    let start = v["start"].as_u64().unwrap();
    let clock = ManualClock::at_unix(start);
    let s = Sessions::new(options(&v, &clock)).unwrap();
    let mut n = 0;
    for case in v["ids"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        assert_eq!(
            code(s.verify(id)),
            case["error"].as_str().unwrap(),
            "{}",
            case["name"]
        );
        n += 1;
    }
    for case in v["csrf"].as_array().unwrap() {
        let id = case["session_id"].as_str().unwrap();
        let token = s.csrf_token(id).unwrap();
        assert_eq!(token, case["token"].as_str().unwrap(), "{}", case["name"]);
        s.verify_csrf(id, &token).unwrap();
        n += 1;
    }
    for case in v["csrf_refusals"].as_array().unwrap() {
        let r = s.verify_csrf(
            case["session_id"].as_str().unwrap(),
            case["token"].as_str().unwrap(),
        );
        assert_eq!(code(r), case["error"].as_str().unwrap(), "{}", case["name"]);
        n += 1;
    }
    let first_id = v["ids"][0]["id"].as_str().unwrap();
    for case in v["cookies"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let built =
            cookie(&case["cookie"]).and_then(|c| Sessions::new(options(&v, &clock).with_cookie(c)));
        match case["error"].as_str() {
            Some(e) => assert_eq!(code(built), e, "{name}"),
            None => {
                let s = built.unwrap();
                assert_eq!(
                    s.set_cookie(first_id).unwrap(),
                    case["set_cookie"],
                    "{name}"
                );
                assert_eq!(s.clear_cookie(), case["clear_cookie"], "{name}");
            }
        }
        n += 1;
    }
    for scenario in v["scenarios"].as_array().unwrap() {
        let name = scenario["name"].as_str().unwrap();
        let clock = ManualClock::at_unix(start);
        let s = Sessions::new(options(&v, &clock)).unwrap();
        let mut saved: HashMap<String, IssuedSession> = HashMap::new();
        let id_of = |saved: &HashMap<String, IssuedSession>, key: &Value| {
            saved[key.as_str().unwrap()].id.expose().to_owned()
        };
        for (i, step) in scenario["steps"].as_array().unwrap().iter().enumerate() {
            let at = format!("{name} step {i}");
            let want = step["error"].as_str().unwrap_or("ok");
            match step["op"].as_str().unwrap() {
                "advance" => clock.advance(Duration::from_secs(step["seconds"].as_u64().unwrap())),
                "create" => {
                    let r = s.create(step["subject"].as_str().unwrap(), data(&step["data"]));
                    assert_eq!(
                        code(r.as_ref().map(|_| ()).map_err(Clone::clone)),
                        want,
                        "{at}"
                    );
                    if let (Ok(issued), Some(k)) = (r, step["save"].as_str()) {
                        saved.insert(k.to_owned(), issued);
                    }
                }
                "verify" => {
                    let r = s.verify(&id_of(&saved, &step["session"]));
                    assert_eq!(code(r.clone()), want, "{at}");
                    if let Ok(rec) = r {
                        if let Some(sub) = step["subject"].as_str() {
                            assert_eq!(rec.subject, sub, "{at}");
                        }
                        if step["data"].is_object() {
                            assert_eq!(rec.data, data(&step["data"]), "{at}");
                        }
                    }
                }
                "rotate" => {
                    let d = step["data"].is_object().then(|| data(&step["data"]));
                    let r = s.rotate(
                        &id_of(&saved, &step["session"]),
                        step["subject"].as_str(),
                        d,
                    );
                    assert_eq!(
                        code(r.as_ref().map(|_| ()).map_err(Clone::clone)),
                        want,
                        "{at}"
                    );
                    if let (Ok(issued), Some(k)) = (r, step["save"].as_str()) {
                        saved.insert(k.to_owned(), issued);
                    }
                }
                "revoke" => {
                    let r = s.revoke(&id_of(&saved, &step["session"])).unwrap();
                    assert_eq!(r, step["result"].as_bool().unwrap(), "{at}");
                }
                "revoke_subject" => {
                    let r = s.revoke_subject(step["subject"].as_str().unwrap()).unwrap();
                    assert_eq!(r, step["count"].as_u64().unwrap(), "{at}");
                }
                "csrf" => {
                    let token = s.csrf_token(&id_of(&saved, &step["token_of"])).unwrap();
                    let r = s.verify_csrf(&id_of(&saved, &step["session"]), &token);
                    assert_eq!(code(r), want, "{at}");
                }
                other => panic!("unknown op {other}"),
            }
        }
        n += 1;
    }
    assert!(n >= 35, "{n}");
}

fn request<'a>(method: &'a str, headers: &'a [(&'a str, &'a str)]) -> Request<'a> {
    Request {
        method,
        path: "/",
        headers,
        client_ip: "198.51.100.7".parse().ok(),
        required_scopes: &[],
        client_certificate: None,
    }
}

#[test]
fn the_authenticator_accepts_a_session_cookie_with_the_same_refusals() {
    let clock = ManualClock::at_unix(1_700_000_000);
    let sessions = Arc::new(
        Sessions::new(
            SessionsOptions::new()
                .with_clock(clock.clone())
                .with_idle_timeout(Duration::from_secs(600)),
        )
        .unwrap(),
    );
    let auth = Authenticator::new(
        AuthenticatorOptions::new()
            .with_sessions(sessions.clone())
            .with_clock(clock.clone()),
    )
    .unwrap();
    assert!(auth.header_names().iter().any(|h| h == "cookie"));
    assert!(auth.header_names().iter().any(|h| h == "x-csrf-token"));
    let mut data = BTreeMap::new();
    data.insert("scope".to_owned(), "read write".to_owned());
    let issued = sessions.create("alice", data).unwrap();
    let cookie = format!("theme=dark; __Host-tw_session={}", issued.id.expose());
    let csrf = sessions.csrf_token(issued.id.expose()).unwrap();

    let p = auth
        .authenticate(&request("GET", &[("Cookie", &cookie)]))
        .unwrap();
    assert_eq!(p.kind, CredentialKind::Session);
    assert_eq!(p.subject, "alice");
    assert_eq!(p.scopes, ["read", "write"]);
    assert_eq!(p.key_id.as_deref(), Some(issued.record.handle.as_str()));
    let headers = [("Cookie", cookie.as_str())];
    let scoped = Request {
        required_scopes: &["admin"],
        client_certificate: None,
        ..request("GET", &headers)
    };
    assert_eq!(
        auth.authenticate(&scoped).unwrap_err().code_str(),
        "insufficient_scope"
    );

    // Unsafe methods need the CSRF token.
    let r = auth
        .authenticate(&request("POST", &[("Cookie", &cookie)]))
        .unwrap_err();
    assert_eq!((r.status, r.code_str()), (403, "invalid_csrf_token"));
    let r = auth
        .authenticate(&request(
            "POST",
            &[("Cookie", &cookie), ("X-CSRF-Token", "nope")],
        ))
        .unwrap_err();
    assert_eq!((r.status, r.code_str()), (403, "invalid_csrf_token"));
    let p = auth
        .authenticate(&request(
            "POST",
            &[("Cookie", &cookie), ("X-CSRF-Token", &csrf)],
        ))
        .unwrap();
    assert_eq!(p.subject, "alice");

    // The same refusals as other credentials.
    let r = auth.authenticate(&request("GET", &[])).unwrap_err();
    assert_eq!((r.status, r.code_str()), (401, "missing_credentials"));
    let two = format!("{cookie}; __Host-tw_session={}", issued.id.expose());
    let r = auth
        .authenticate(&request("GET", &[("Cookie", &two)]))
        .unwrap_err();
    assert_eq!((r.status, r.code_str()), (400, "malformed"));
    let r = auth
        .authenticate(&request(
            "GET",
            &[("Cookie", &cookie), ("Authorization", "Bearer abc")],
        ))
        .unwrap_err();
    assert_eq!((r.status, r.code_str()), (400, "malformed"));
    let r = auth
        .authenticate(&request("GET", &[("Cookie", "__Host-tw_session=junk")]))
        .unwrap_err();
    assert_eq!((r.status, r.code_str()), (401, "malformed"));
    clock.advance(Duration::from_secs(600));
    let r = auth
        .authenticate(&request("GET", &[("Cookie", &cookie)]))
        .unwrap_err();
    assert_eq!((r.status, r.code_str()), (401, "expired"));
    let fresh = sessions.create("bob", BTreeMap::new()).unwrap();
    let cookie = format!("__Host-tw_session={}", fresh.id.expose());
    auth.authenticate(&request("GET", &[("Cookie", &cookie)]))
        .unwrap();
    sessions.revoke(fresh.id.expose()).unwrap();
    let r = auth
        .authenticate(&request("GET", &[("Cookie", &cookie)]))
        .unwrap_err();
    assert_eq!((r.status, r.code_str()), (401, "revoked"));
    assert!(r.www_authenticate.is_some());

    // A session cookie named like the credential cookie is refused.
    let clash = AuthenticatorOptions::new()
        .with_sessions(sessions)
        .with_cookie("__Host-tw_session");
    assert_eq!(code(Authenticator::new(clash)), "invalid_input");
}
