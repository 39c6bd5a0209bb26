//! Round trips per `authenticate` on a real Redis (TOKENWARD_TEST_REDIS_URL): the instances talk
//! to Redis through a loopback proxy of this test that counts the commands they send, so the
//! count is this test's own (other tests share the server) and needs no MONITOR.

use std::io::{Read, Write};
use std::net::IpAddr;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use tokenward::apikey::{ApiKeys, ApiKeysOptions, NewKey};
use tokenward::gateway::{
    Authenticator, AuthenticatorOptions, RateLimit, RedisRevocationList, Request, RevocationKind,
    RevocationStore,
};
use tokenward::{ErrorCode, Secret};

fn redis_url() -> Option<String> {
    match std::env::var("TOKENWARD_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("TOKENWARD_TEST_REDIS_URL is not set: run the tests through scripts/servers.sh")
        }
        _ => {
            eprintln!("skipped: TOKENWARD_TEST_REDIS_URL is not set (scripts/servers.sh)");
            None
        }
    }
}

/// Counts complete RESP commands (`*<n>` arrays of bulk strings) in a byte stream.
#[derive(Default)]
struct CommandCounter {
    buf: Vec<u8>,
}

impl CommandCounter {
    /// Adds `bytes`; returns how many commands they completed.
    fn feed(&mut self, bytes: &[u8]) -> usize {
        self.buf.extend_from_slice(bytes);
        let mut done = 0;
        while let Some(len) = Self::command_len(&self.buf) {
            self.buf.drain(..len);
            done += 1;
        }
        done
    }

    fn line(buf: &[u8], at: usize) -> Option<(i64, usize)> {
        let end = buf[at..].windows(2).position(|w| w == b"\r\n")? + at;
        let n = std::str::from_utf8(&buf[at + 1..end]).ok()?.parse().ok()?;
        Some((n, end + 2))
    }

    fn command_len(buf: &[u8]) -> Option<usize> {
        if buf.first()? != &b'*' {
            panic!("the clients send RESP arrays");
        }
        let (n, mut at) = Self::line(buf, 0)?;
        for _ in 0..n {
            let (len, start) = Self::line(buf, at)?;
            at = start + usize::try_from(len).unwrap() + 2;
            if at > buf.len() {
                return None;
            }
        }
        Some(at)
    }
}

/// A proxy to the Redis at `upstream` (`host:port`) counting the commands sent through it, and
/// the connections made to it.
fn counting_proxy(upstream: String) -> (String, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("redis://{}/", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let counted = count.clone();
    let connections = Arc::new(AtomicUsize::new(0));
    let connected = connections.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { return };
            connected.fetch_add(1, Ordering::SeqCst);
            let Ok(mut server) = TcpStream::connect(&upstream) else {
                continue;
            };
            let (mut client_r, mut server_w) =
                (client.try_clone().unwrap(), server.try_clone().unwrap());
            let counted = counted.clone();
            std::thread::spawn(move || {
                let mut counter = CommandCounter::default();
                let mut buf = [0u8; 16384];
                while let Ok(n @ 1..) = client_r.read(&mut buf) {
                    counted.fetch_add(counter.feed(&buf[..n]), Ordering::SeqCst);
                    if server_w.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut server, &mut client);
            });
        }
    });
    (url, count, connections)
}

fn upstream(url: &str) -> String {
    let rest = url.split("://").nth(1).unwrap();
    rest.split('/').next().unwrap().to_owned()
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A client address no earlier run used (address buckets outlive a run in the shared Redis).
fn fresh_ip() -> IpAddr {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let u = nanos ^ (u64::from(std::process::id()) << 40);
    format!("2001:db8:{:x}:{:x}::1", (u >> 16) & 0xffff, u & 0xffff)
        .parse()
        .unwrap()
}

fn call(auth: &Authenticator, key: &Secret, scopes: &[&str]) -> Result<(), (ErrorCode, u16)> {
    thread_local!(static IP: IpAddr = fresh_ip());
    let headers = [("x-api-key", key.expose())];
    let req = Request {
        headers: &headers,
        client_ip: Some(IP.with(|ip| *ip)),
        required_scopes: scopes,
        ..Request::default()
    };
    auth.authenticate(&req)
        .map(|_| ())
        .map_err(|r| (r.code, r.status))
}

/// Runs `f` and returns how many commands reached Redis meanwhile.
fn commands(count: &AtomicUsize, f: impl FnOnce()) -> usize {
    let before = count.load(Ordering::SeqCst);
    f();
    // The proxy counts after forwarding; the answer has come back, so the command was counted
    // before (the forwarding thread counts, then writes).
    count.load(Ordering::SeqCst) - before
}

#[test]
fn rate_limits_and_revocations_on_one_redis_cost_one_round_trip() {
    let Some(url) = redis_url() else { return };
    let (proxied, count, _) = counting_proxy(upstream(&url));
    let keys = Arc::new(ApiKeys::new("tw_rt", ApiKeysOptions::default()).unwrap());
    let alice = keys.create(NewKey::new("alice").scopes(["read"])).unwrap();
    let bob = keys.create(NewKey::new("bob")).unwrap();
    let revocations = Arc::new(RedisRevocationList::open(&proxied).unwrap());
    let auth = Authenticator::new(
        AuthenticatorOptions::new()
            .with_api_keys(keys.clone())
            .with_rate_limit(RateLimit::per_minute(1, 25))
            .with_ip_rate_limit(RateLimit::per_minute(1, 1000))
            .with_rate_limit_store(proxied.clone())
            .with_revocation_store(revocations.clone()),
    )
    .unwrap();
    // The first call connects (and loads the script once): not counted.
    assert_eq!(call(&auth, &alice.secret, &[]), Ok(()));

    // Admitted, then rate limited: one command each, both stages answered.
    let mut outcomes = Vec::new();
    let n = commands(&count, || {
        for _ in 0..30 {
            outcomes.push(call(&auth, &alice.secret, &["read"]));
        }
    });
    assert_eq!(n, 30, "one round trip per authenticate");
    assert_eq!(outcomes.iter().filter(|r| r.is_ok()).count(), 24);
    assert!(outcomes[24..]
        .iter()
        .all(|r| r.unwrap_err().0 == ErrorCode::RateLimited));

    // Revoked through another instance (its own connection, straight to Redis): refused by
    // the same single round trip.
    let elsewhere = RedisRevocationList::open(&url).unwrap();
    elsewhere
        .revoke(RevocationKind::KeyId, &bob.record.id, now() + 60)
        .unwrap();
    let n = commands(&count, || {
        assert_eq!(
            call(&auth, &bob.secret, &[]),
            Err((ErrorCode::Revoked, 401))
        );
    });
    assert_eq!(n, 1);
    // Revocation still comes before scopes: a revoked credential lacking a scope is `revoked`
    // (the scope refusal needs no rate limit, so only the revocation is asked).
    let n = commands(&count, || {
        assert_eq!(
            call(&auth, &bob.secret, &["admin"]),
            Err((ErrorCode::Revoked, 401))
        );
    });
    assert_eq!(n, 1);
    // The revocation did not count bob's requests: after lifting it he has his burst.
    elsewhere
        .unrevoke(RevocationKind::KeyId, &bob.record.id)
        .unwrap();
    let n = commands(&count, || {
        for _ in 0..25 {
            assert_eq!(call(&auth, &bob.secret, &[]), Ok(()));
        }
    });
    assert_eq!(n, 25);
}

#[test]
fn stores_on_different_redis_urls_take_one_round_trip_each() {
    let Some(url) = redis_url() else { return };
    let (for_limits, limit_count, _) = counting_proxy(upstream(&url));
    let (for_revocations, revocation_count, _) = counting_proxy(upstream(&url));
    let keys = Arc::new(ApiKeys::new("tw_rt", ApiKeysOptions::default()).unwrap());
    let carol = keys.create(NewKey::new("carol")).unwrap();
    let auth = Authenticator::new(
        AuthenticatorOptions::new()
            .with_api_keys(keys)
            .with_rate_limit(RateLimit::per_minute(1, 100))
            .with_rate_limit_store(for_limits)
            .with_revocation_store(Arc::new(
                RedisRevocationList::open(&for_revocations).unwrap(),
            )),
    )
    .unwrap();
    assert_eq!(call(&auth, &carol.secret, &[]), Ok(()));
    let before = revocation_count.load(Ordering::SeqCst);
    let n = commands(&limit_count, || {
        for _ in 0..10 {
            assert_eq!(call(&auth, &carol.secret, &[]), Ok(()));
        }
    });
    assert_eq!(n, 10);
    assert_eq!(revocation_count.load(Ordering::SeqCst) - before, 10);
}

#[test]
fn the_command_counter_reads_split_and_pipelined_commands() {
    let mut c = CommandCounter::default();
    let ping = b"*1\r\n$4\r\nPING\r\n";
    let get = b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
    assert_eq!(c.feed(&ping[..5]), 0);
    assert_eq!(c.feed(&ping[5..]), 1);
    let both: Vec<u8> = [&ping[..], &get[..]].concat();
    assert_eq!(c.feed(&both), 2);
}

#[test]
fn async_callers_make_the_joint_check_on_the_multiplexed_connection() {
    let Some(url) = redis_url() else { return };
    async_checks_share_one_connection(&url, true);
}

#[test]
fn async_callers_make_a_rate_limit_only_check_on_the_multiplexed_connection() {
    let Some(url) = redis_url() else { return };
    async_checks_share_one_connection(&url, false);
}

#[test]
fn async_callers_ask_a_redis_revocation_list_alone_on_the_multiplexed_connection() {
    let Some(url) = redis_url() else { return };
    let (proxied, count, connections) = counting_proxy(upstream(&url));
    let keys = Arc::new(ApiKeys::new("tw_rt", ApiKeysOptions::default()).unwrap());
    let erin = keys.create(NewKey::new("erin")).unwrap();
    // The rate limits are counted in this process: the list's lookup is the one round trip.
    let options = AuthenticatorOptions::new()
        .with_api_keys(keys.clone())
        .with_rate_limit(RateLimit::per_minute(1, 41))
        .with_revocation_store(Arc::new(RedisRevocationList::open(&proxied).unwrap()));
    let auth = Arc::new(Authenticator::new(options).unwrap());
    let runtime = two_workers();
    first_attempt_admitted(&runtime, &auth, &erin.secret);
    let mut outcomes = Vec::new();
    let n = commands(&count, || {
        outcomes = in_flight(&runtime, &auth, &erin.secret);
    });
    assert_eq!(n, 64, "one lookup per authenticate_async");
    assert_eq!(connections.load(Ordering::SeqCst), 1, "the multiplexed one");
    // The scopes and the rate limits still follow the lookup.
    admitted_then_rate_limited(&outcomes, 40);
    // A scope the key lacks is refused after the lookup; once revoked, revoked comes first.
    let admin = |auth: Arc<Authenticator>, key: Secret| async move {
        let headers = [("x-api-key", key.expose())];
        let req = Request {
            headers: &headers,
            required_scopes: &["admin"],
            ..Request::default()
        };
        auth.authenticate_async(&req)
            .await
            .map(|_| ())
            .map_err(|r| (r.code, r.status))
    };
    let n = commands(&count, || {
        assert_eq!(
            runtime.block_on(admin(auth.clone(), erin.secret.clone())),
            Err((ErrorCode::InsufficientScope, 403))
        );
    });
    assert_eq!(n, 1);
    RedisRevocationList::open(&url)
        .unwrap()
        .revoke(RevocationKind::KeyId, &erin.record.id, now() + 60)
        .unwrap();
    let n = commands(&count, || {
        assert_eq!(
            runtime.block_on(attempt(auth.clone(), erin.secret.clone())),
            Err((ErrorCode::Revoked, 401))
        );
        assert_eq!(
            runtime.block_on(admin(auth.clone(), erin.secret.clone())),
            Err((ErrorCode::Revoked, 401))
        );
    });
    assert_eq!(n, 2);
}

#[test]
fn async_callers_make_the_lookup_then_the_rate_limit_check_on_two_servers() {
    let Some(url) = redis_url() else { return };
    // Two addresses of one Redis: the authenticator cannot join the two checks.
    let (list_url, list_count, list_connections) = counting_proxy(upstream(&url));
    let (limits_url, limits_count, limits_connections) = counting_proxy(upstream(&url));
    let keys = Arc::new(ApiKeys::new("tw_rt", ApiKeysOptions::default()).unwrap());
    let gus = keys.create(NewKey::new("gus")).unwrap();
    let options = AuthenticatorOptions::new()
        .with_api_keys(keys.clone())
        .with_rate_limit(RateLimit::per_minute(1, 41))
        .with_rate_limit_store(limits_url)
        .with_revocation_store(Arc::new(RedisRevocationList::open(&list_url).unwrap()));
    let auth = Arc::new(Authenticator::new(options).unwrap());
    let runtime = two_workers();
    first_attempt_admitted(&runtime, &auth, &gus.secret);
    let mut outcomes = Vec::new();
    let n = commands(&list_count, || {
        let m = commands(&limits_count, || {
            outcomes = in_flight(&runtime, &auth, &gus.secret);
        });
        assert_eq!(m, 64, "one rate-limit check each");
    });
    assert_eq!(n, 64, "one lookup each");
    // Each on its server's one multiplexed connection.
    assert_eq!(list_connections.load(Ordering::SeqCst), 1);
    assert_eq!(limits_connections.load(Ordering::SeqCst), 1);
    assert_eq!(outcomes.iter().filter(|r| r.is_ok()).count(), 40);
}

/// A runtime with two workers, for the async callers.
fn two_workers() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// One `authenticate_async` with the API key `key`: `Ok`, or the refusal's code and status.
async fn attempt(auth: Arc<Authenticator>, key: Secret) -> Result<(), (ErrorCode, u16)> {
    crate::common::api_key_async(auth, key).await.map(|_| ())
}

/// 64 [`attempt`]s in flight at once on `runtime`, and their outcomes.
fn in_flight(
    runtime: &tokio::runtime::Runtime,
    auth: &Arc<Authenticator>,
    key: &Secret,
) -> Vec<Result<(), (ErrorCode, u16)>> {
    runtime.block_on(async {
        let tasks: Vec<_> = (0..64)
            .map(|_| tokio::spawn(attempt(auth.clone(), key.clone())))
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    })
}

/// The first [`attempt`], which connects (and loads a script) before anything is counted.
fn first_attempt_admitted(
    runtime: &tokio::runtime::Runtime,
    auth: &Arc<Authenticator>,
    key: &Secret,
) {
    assert_eq!(runtime.block_on(attempt(auth.clone(), key.clone())), Ok(()));
}

/// `admitted` of `outcomes` admitted and every other one rate-limited.
fn admitted_then_rate_limited(outcomes: &[Result<(), (ErrorCode, u16)>], admitted: usize) {
    assert_eq!(outcomes.iter().filter(|r| r.is_ok()).count(), admitted);
    assert!(outcomes
        .iter()
        .filter_map(|r| r.err())
        .all(|e| e == (ErrorCode::RateLimited, 429)));
}

/// 64 `authenticate_async` calls in flight through one authenticator whose rate limits (and,
/// with `revocations`, revocation list) are on Redis: one command each, on one connection.
fn async_checks_share_one_connection(url: &str, revocations: bool) {
    let (proxied, count, connections) = counting_proxy(upstream(url));
    let keys = Arc::new(ApiKeys::new("tw_rt", ApiKeysOptions::default()).unwrap());
    let dave = keys.create(NewKey::new("dave")).unwrap();
    let mut options = AuthenticatorOptions::new()
        .with_api_keys(keys.clone())
        .with_rate_limit(RateLimit::per_minute(1, 41))
        .with_rate_limit_store(proxied.clone());
    if revocations {
        options =
            options.with_revocation_store(Arc::new(RedisRevocationList::open(&proxied).unwrap()));
    }
    let auth = Arc::new(Authenticator::new(options).unwrap());
    let runtime = two_workers();
    first_attempt_admitted(&runtime, &auth, &dave.secret);
    // 64 requests in flight at once: one command each, exactly the rest of the burst admitted.
    let mut outcomes = Vec::new();
    let n = commands(&count, || {
        outcomes = in_flight(&runtime, &auth, &dave.secret);
    });
    assert_eq!(n, 64, "one round trip per authenticate_async");
    // On the one multiplexed connection (a blocking pool would have opened one per request in
    // flight); the revocation list has none of its own here.
    assert_eq!(connections.load(Ordering::SeqCst), 1);
    admitted_then_rate_limited(&outcomes, 40);
    if !revocations {
        return;
    }
    // A revocation made elsewhere is refused by the same single round trip.
    RedisRevocationList::open(url)
        .unwrap()
        .revoke(RevocationKind::KeyId, &dave.record.id, now() + 60)
        .unwrap();
    let n = commands(&count, || {
        assert_eq!(
            runtime.block_on(attempt(auth.clone(), dave.secret.clone())),
            Err((ErrorCode::Revoked, 401))
        );
    });
    assert_eq!(n, 1);
}
