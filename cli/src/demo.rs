//! `tokenward demo`: the whole in-process gateway flow on embedded defaults — client →
//! validation → authorization → policy → routing — for a scripted series of requests.
//!
//! Offline and in memory: API keys and an HS256 issuer are created on the spot, time is a fixed
//! manual clock (so expiries, rate limits and `Retry-After` are the same on every run). Key
//! material is random, so fingerprints differ between runs. No secret is printed: credentials
//! appear as their redacted form (`[REDACTED:<fingerprint>]`) or the API key display form.

use std::sync::Arc;
use std::time::Duration;
use tokenward::apikey::ApiKeysOptions;

use serde_json::{json, Value};
use tokenward::apikey::{ApiKeys, NewKey};
use tokenward::clock::{ManualClock, SharedClock};
use tokenward::gateway::{
    Authenticator, AuthenticatorOptions, Principal, RateLimit, Refusal, Request, RevocationKind,
    RevocationList, RevocationListOptions,
};
use tokenward::jwt::{
    Algorithm, JwtIssueOptions, JwtIssuer, JwtIssuerOptions, JwtKey, JwtVerifier,
    JwtVerifierOptions, KeySet,
};
use tokenward::{Error, ErrorCode, Result, Secret};

/// 2026-01-01T00:00:00Z: the demo's fixed "now".
const NOW: u64 = 1_767_225_600;
const ISSUER: &str = "https://auth.demo.example";
const AUDIENCE: &str = "api://demo";

/// One route of the demo's routing table.
struct Route {
    method: &'static str,
    path: &'static str,
    scopes: &'static [&'static str],
    upstream: &'static str,
}

const ROUTES: &[Route] = &[
    Route {
        method: "GET",
        path: "/v1/orders",
        scopes: &["orders:read"],
        upstream: "orders-service (http://orders.internal:8080)",
    },
    Route {
        method: "POST",
        path: "/v1/orders",
        scopes: &["orders:write"],
        upstream: "orders-service (http://orders.internal:8080)",
    },
    Route {
        method: "GET",
        path: "/v1/reports",
        scopes: &["reports:read"],
        upstream: "reports-service (http://reports.internal:8080)",
    },
];

/// How a scripted request carries its credential.
enum Cred {
    None,
    ApiKey(Secret),
    Bearer(Secret),
}

struct Step {
    title: &'static str,
    method: &'static str,
    path: &'static str,
    ip: &'static str,
    cred: Cred,
    /// The expected status (the demo checks itself and fails loudly if tokenward disagrees).
    expect: u16,
}

/// The pipeline stages, in the order the authenticator runs them, with the demo's grouping.
const STAGES: &[(&str, &str)] = &[
    (
        "address",
        "policy: IP allow/deny (first: no credential is read from a denied client)",
    ),
    ("presence", "client: exactly one credential"),
    ("validation", "validation: API key or JWT"),
    ("revocation", "policy: revocation list"),
    ("scopes", "authorization: the route's scopes"),
    ("rate limit", "policy: rate limits"),
    ("route", "routing: the upstream"),
];

/// The stage that decided a refusal.
fn stage_of(r: &Refusal) -> usize {
    match r.code {
        ErrorCode::IpDenied => 0,
        ErrorCode::MissingCredentials | ErrorCode::TokenTooLarge => 1,
        ErrorCode::Malformed if r.status == 400 => 1,
        ErrorCode::Revoked => 3,
        ErrorCode::InsufficientScope => 4,
        ErrorCode::RateLimited => 5,
        _ => 2,
    }
}

fn route_for(method: &str, path: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.method == method && r.path == path)
}

fn chain(decided: usize, ok: bool) -> String {
    let mut out = String::new();
    for (i, (name, _)) in STAGES.iter().enumerate().take(decided + 1) {
        if i > 0 {
            out.push_str(" → ");
        }
        out.push_str(name);
        out.push(' ');
        out.push(if i < decided || ok { '✓' } else { '✗' });
    }
    out
}

/// Runs the demo.
pub fn run() -> Result<()> {
    println!(
        "tokenward {} — gateway demo (offline, in memory, clock fixed at 2026-01-01T00:00:00Z)\n",
        env!("CARGO_PKG_VERSION")
    );
    let clock = ManualClock::at_unix(NOW);
    let shared: SharedClock = clock.clone();

    // --- Setup -------------------------------------------------------------------------
    println!("Setup");
    let keys = Arc::new(ApiKeys::new(
        "tw_demo",
        ApiKeysOptions::default().with_clock(shared.clone()),
    )?);
    let alice = keys.create(NewKey::new("alice").scopes(["orders:read", "orders:write"]))?;
    let bob = keys.create(NewKey::new("bob").scopes(["orders:read"]))?;
    let carol = keys.create(NewKey::new("carol").scopes(["orders:read"]))?;
    for k in [&alice, &bob, &carol] {
        println!(
            "  API key {:<34} owner={:<6} scopes={:?}",
            k.record.display, k.record.owner, k.record.scopes
        );
    }
    // A fixed HMAC secret keeps the demo deterministic; it is never printed.
    let hmac = JwtKey::hmac(b"tokenward-demo-hs256-secret-32-bytes!!", Algorithm::HS256)?
        .with_kid("demo-hs256");
    let issuer = JwtIssuer::new(
        hmac.clone(),
        JwtIssuerOptions::new()
            .with_issuer(ISSUER)
            .with_audience([AUDIENCE])
            .with_ttl(Duration::from_secs(300))
            .with_clock(shared.clone()),
    )?;
    let verifier = JwtVerifier::new(
        KeySet::single(hmac),
        JwtVerifierOptions::new([Algorithm::HS256])
            .with_issuers([ISSUER])
            .with_audiences([AUDIENCE])
            .with_clock(shared.clone()),
    )?;
    println!("  JWT issuer {ISSUER} (HS256, kid demo-hs256, audience {AUDIENCE}, ttl 300 s)");
    let claims = |v: Value| v.as_object().cloned().unwrap_or_default();
    let issue =
        |sub: &str, c: Value| issuer.issue(&claims(c), &JwtIssueOptions::new().with_subject(sub));
    let report_jwt = Secret::new(issue("svc-reports", json!({"scope": "reports:read"}))?)?;
    let revoked_jwt = Secret::new(issue(
        "svc-legacy",
        json!({"scope": "reports:read", "jti": "jti-legacy-7"}),
    )?)?;
    let revocations = Arc::new(RevocationList::new(
        RevocationListOptions::new()
            .with_max_entries(1000)
            .with_clock(shared.clone()),
    )?);
    revocations.revoke(RevocationKind::Jti, "jti-legacy-7", (NOW + 3600) as i64)?;
    println!("  revocation list: jti jti-legacy-7 (until +1 h)");
    let auth = Authenticator::new(
        AuthenticatorOptions::new()
            .with_api_keys(keys.clone())
            .with_jwt(Arc::new(verifier))
            .with_realm("demo")
            .with_ip_deny(["203.0.113.0/24"])
            .with_rate_limit(RateLimit::per_minute(60, 3))
            .with_revocations(revocations)
            .with_clock(shared.clone()),
    )?;
    println!("  IP deny: 203.0.113.0/24; rate limit per principal: 60/min, burst 3");
    println!("  routes:");
    for r in ROUTES {
        println!(
            "    {:<4} {:<12} needs {:<14} → {}",
            r.method,
            r.path,
            r.scopes.join(" "),
            r.upstream
        );
    }
    println!("  stages, in the order they run:");
    for (name, what) in STAGES {
        println!("    {name:<10} {what}");
    }

    // --- Requests ------------------------------------------------------------------------
    let mut typo = alice.secret.expose().to_owned();
    let last = typo.pop();
    typo.push(if last == Some('a') { 'b' } else { 'a' });
    let typo = Secret::new(typo)?;
    let mut steps = vec![
        Step {
            title: "valid API key",
            method: "GET",
            path: "/v1/orders",
            ip: "198.51.100.7",
            cred: Cred::ApiKey(alice.secret.clone()),
            expect: 200,
        },
        Step {
            title: "valid JWT",
            method: "GET",
            path: "/v1/reports",
            ip: "198.51.100.8",
            cred: Cred::Bearer(report_jwt),
            expect: 200,
        },
        Step {
            title: "missing credential",
            method: "GET",
            path: "/v1/orders",
            ip: "198.51.100.7",
            cred: Cred::None,
            expect: 401,
        },
        Step {
            title: "typo'd API key (refused offline by the checksum)",
            method: "GET",
            path: "/v1/orders",
            ip: "198.51.100.7",
            cred: Cred::ApiKey(typo),
            expect: 401,
        },
        Step {
            title: "wrong scope (bob may only read)",
            method: "POST",
            path: "/v1/orders",
            ip: "198.51.100.9",
            cred: Cred::Bearer(bob.secret.clone()),
            expect: 403,
        },
        Step {
            title: "denied IP",
            method: "GET",
            path: "/v1/orders",
            ip: "203.0.113.50",
            cred: Cred::ApiKey(alice.secret.clone()),
            expect: 403,
        },
        Step {
            title: "revoked jti",
            method: "GET",
            path: "/v1/reports",
            ip: "198.51.100.10",
            cred: Cred::Bearer(revoked_jwt),
            expect: 401,
        },
    ];
    for (i, expect) in [200, 200, 200, 429, 429].into_iter().enumerate() {
        steps.push(Step {
            title: if i == 0 {
                "rate-limited burst (carol, 5 requests at the same instant)"
            } else {
                "  … burst"
            },
            method: "GET",
            path: "/v1/orders",
            ip: "198.51.100.11",
            cred: Cred::ApiKey(carol.secret.clone()),
            expect,
        });
    }
    println!();
    let mut n = 0;
    for step in &steps {
        n += 1;
        send(&auth, n, step)?;
    }
    clock.advance(Duration::from_secs(1));
    println!("\n(the clock moves 1 s: one request's worth of carol's budget comes back)");
    n += 1;
    send(
        &auth,
        n,
        &Step {
            title: "carol again after Retry-After",
            method: "GET",
            path: "/v1/orders",
            ip: "198.51.100.11",
            cred: Cred::ApiKey(carol.secret.clone()),
            expect: 200,
        },
    )?;
    println!("\nEvery decision above also emitted one `gateway.authenticate` audit event (no token material).");
    Ok(())
}

fn send(auth: &Authenticator, n: usize, step: &Step) -> Result<()> {
    let route = route_for(step.method, step.path).ok_or_else(|| {
        Error::new(
            ErrorCode::Internal,
            "the demo script names an unknown route",
        )
    })?;
    let (headers, shown): (Vec<(&str, String)>, String) = match &step.cred {
        Cred::None => (Vec::new(), "none".to_owned()),
        Cred::ApiKey(s) => (
            vec![("x-api-key", s.expose().to_owned())],
            format!("X-API-Key {}", s.redacted()),
        ),
        Cred::Bearer(s) => (
            vec![("authorization", format!("Bearer {}", s.expose()))],
            format!("Bearer {}", s.redacted()),
        ),
    };
    let header_refs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let result = auth.authenticate(&Request {
        method: step.method,
        path: step.path,
        headers: &header_refs,
        client_ip: step.ip.parse().ok(),
        required_scopes: route.scopes,
        client_certificate: None,
    });
    println!(
        "[{n:>2}] {}\n     {} {} from {}  credential: {shown}",
        step.title, step.method, step.path, step.ip
    );
    let status = match &result {
        Ok(p) => {
            print_accepted(p, route);
            200
        }
        Err(r) => {
            print_refused(r);
            r.status
        }
    };
    if status != step.expect {
        return Err(Error::new(
            ErrorCode::Internal,
            format!(
                "demo step {n} ({}) answered {status}, expected {}",
                step.title, step.expect
            ),
        ));
    }
    Ok(())
}

fn print_accepted(p: &Principal, route: &Route) {
    println!("     {}", chain(STAGES.len() - 1, true));
    println!(
        "     → 200 principal: kind={} subject={} id={} scopes={:?} remaining={}",
        p.kind.as_str(),
        p.subject,
        p.key_id.as_deref().unwrap_or("-"),
        p.scopes,
        p.rate_limit_remaining
            .map_or_else(|| "-".to_owned(), |r| r.to_string())
    );
    println!("       routed to {}", route.upstream);
}

fn print_refused(r: &Refusal) {
    let stage = stage_of(r);
    println!("     {}", chain(stage, false));
    println!(
        "     → {} code={} (decided by: {})",
        r.status,
        r.code_str(),
        STAGES[stage].1
    );
    if let Some(w) = &r.www_authenticate {
        println!("       WWW-Authenticate: {w}");
    }
    if let Some(s) = r.retry_after_seconds() {
        println!("       Retry-After: {s}");
    }
}
