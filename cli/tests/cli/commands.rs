//! The commands other than `key` and `demo` (which have their own files): `tour`, `fingerprint`,
//! `codes`, `jwt sign|verify|decode`, `jwks fetch`, `redact`, `oauth token|introspect|revoke`.
//! HTTP commands talk to a one-shot server on 127.0.0.1 that records what it was sent.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;

/// Runs the CLI with `args`, `stdin` and extra environment variables.
pub(crate) fn tokenward(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tokenward"));
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status,
        text(&o.stdout),
        text(&o.stderr)
    );
    text(&o.stdout)
}

/// Serves each of `bodies` (as JSON, status 200) to one request in turn; every request's
/// first line, headers and body come back through the receiver.
fn serve(bodies: Vec<String>) -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for body in bodies {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                request.push_str(&line);
                if line == "\r\n" || line.is_empty() {
                    break;
                }
            }
            let mut payload = vec![0; length];
            reader.read_exact(&mut payload).unwrap();
            request.push_str(&String::from_utf8_lossy(&payload));
            tx.send(request).unwrap();
            let mut stream = stream;
            write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
        }
    });
    (base, rx)
}

#[test]
fn tour_runs_offline_and_refuses_the_tampered_token() {
    let out = ok(&tokenward(&["tour"], "", &[]));
    for needle in [
        "a tour on embedded defaults",
        "1. Secrets print redacted",
        "3. JWT",
        "4. API keys",
        "5. Redaction",
        "refused with code=",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    assert!(!out.contains("ACCEPTED (unexpected)"), "{out}");
    // The redaction step's secrets are gone from its output line.
    let redacted = out.lines().find(|l| l.contains("out: ")).unwrap();
    assert!(!redacted.contains("s3cr3t-Value-42"), "{redacted}");
    assert!(!redacted.contains("c2lnbmF0dXJlLXZhbHVl"), "{redacted}");
    // No argument is the tour too.
    assert_eq!(
        ok(&tokenward(&[], "", &[])).lines().next(),
        out.lines().next()
    );
}

#[test]
fn fingerprint_prints_the_fingerprint_and_never_the_secret() {
    let secret = "tw_test_fingerprint_me_7d1c0a";
    let out = ok(&tokenward(&["fingerprint"], secret, &[]));
    assert!(!out.contains(secret));
    let expected = tokenward::Secret::new(secret)
        .unwrap()
        .fingerprint()
        .to_owned();
    assert_eq!(out.trim(), expected);
    // Empty input is a clear error with its code.
    let empty = tokenward(&["fingerprint"], "", &[]);
    assert!(!empty.status.success());
    assert!(
        text(&empty.stderr).contains("invalid_input"),
        "{}",
        text(&empty.stderr)
    );
}

#[test]
fn codes_lists_every_error_code_with_its_status() {
    let out = ok(&tokenward(&["codes"], "", &[]));
    assert_eq!(out.lines().count(), tokenward::ErrorCode::ALL.len());
    for code in tokenward::ErrorCode::ALL {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(code.as_str()))
            .unwrap_or_else(|| panic!("{} missing", code.as_str()));
        assert!(line.ends_with(&code.http_status().to_string()), "{line}");
    }
}

#[test]
fn jwt_sign_verify_decode_round_trip() {
    let dir = std::env::temp_dir().join(format!("tw-cli-jwt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key_file = dir.join("hs.key");
    std::fs::write(
        &key_file,
        "a-shared-secret-long-enough-for-every-hmac-algorithm-0123456789abcdef",
    )
    .unwrap();
    let key = key_file.to_str().unwrap();
    let token = ok(&tokenward(
        &[
            "jwt",
            "sign",
            "--key",
            key,
            "--alg",
            "HS256",
            "--iss",
            "https://iss",
            "--aud",
            "api",
            "--sub",
            "u1",
            "--claims",
            r#"{"scope":"read"}"#,
        ],
        "",
        &[],
    ));
    let token = token.trim();
    assert_eq!(token.split('.').count(), 3, "{token}");

    let verified = ok(&tokenward(
        &[
            "jwt",
            "verify",
            "--key",
            key,
            "--alg",
            "HS256",
            "--iss",
            "https://iss",
            "--aud",
            "api",
        ],
        token,
        &[],
    ));
    let claims: serde_json::Value = serde_json::from_str(&verified).unwrap();
    assert_eq!(claims["sub"], "u1");
    assert_eq!(claims["scope"], "read");
    assert_eq!(claims["iss"], "https://iss");

    // The wrong audience, a wrong algorithm and a forged signature are refused with their codes.
    for (args, code) in [
        (vec!["--alg", "HS256", "--aud", "other"], "invalid_audience"),
        (vec!["--alg", "HS384"], "algorithm_not_allowed"),
    ] {
        let mut all = vec!["jwt", "verify", "--key", key];
        all.extend(args);
        let out = tokenward(&all, token, &[]);
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains(code), "{}", text(&out.stderr));
    }
    std::fs::write(
        &key_file,
        "another-secret-long-enough-for-every-hmac-algorithm-0123456789abcdefg",
    )
    .unwrap();
    let forged = tokenward(
        &[
            "jwt", "verify", "--key", key, "--alg", "HS256", "--aud", "api",
        ],
        token,
        &[],
    );
    assert!(text(&forged.stderr).contains("invalid_signature"));

    // decode shows header and claims with a warning, without verifying.
    let decoded = tokenward(&["jwt", "decode"], token, &[]);
    let shown: serde_json::Value = serde_json::from_str(&ok(&decoded)).unwrap();
    assert_eq!(shown["header"]["alg"], "HS256");
    assert_eq!(shown["claims"]["sub"], "u1");
    assert!(text(&decoded.stderr).contains("NOT VERIFIED"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn jwks_fetch_prints_the_public_keys() {
    let key = tokenward::jwt::JwtKey::generate(tokenward::jwt::Algorithm::ES256)
        .unwrap()
        .with_kid("k1");
    let jwks = tokenward::jwt::KeySet::single(key).to_jwks();
    let (base, requests) = serve(vec![serde_json::to_string(&jwks).unwrap()]);
    let out = tokenward(&["jwks", "fetch", &format!("{base}/jwks.json")], "", &[]);
    let printed: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(printed["keys"][0]["kid"], "k1");
    assert!(
        printed["keys"][0].get("d").is_none(),
        "private part printed"
    );
    assert!(text(&out.stderr).contains("kid=k1"));
    assert!(requests.recv().unwrap().starts_with("GET /jwks.json"));
}

#[test]
fn redact_filters_stdin() {
    let secret = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
    let input = format!("line one\nAuthorization: Bearer {secret}\npassword=hunter2-hunter2\n");
    let out = ok(&tokenward(&["redact"], &input, &[]));
    assert!(out.starts_with("line one\n"), "{out}");
    assert_eq!(out.lines().count(), 3);
    assert!(!out.contains(secret), "{out}");
    assert!(!out.contains("hunter2-hunter2"), "{out}");
    assert!(out.contains("REDACTED"), "{out}");
    // An extra name is honoured.
    let out = ok(&tokenward(
        &["redact", "--name", "ssn"],
        "ssn=123-45-6789\n",
        &[],
    ));
    assert!(!out.contains("123-45-6789"), "{out}");
}

#[test]
fn oauth_token_introspect_revoke_against_a_local_server() {
    let client_secret = "cli-client-secret-value-91";
    let access = "at-from-the-local-server-5a7";
    let (base, requests) = serve(vec![
        format!(
            r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":300,"scope":"read"}}"#
        ),
        r#"{"active":true,"sub":"svc","scope":"read"}"#.to_owned(),
        String::new(),
    ]);
    let server = [
        "--token-url",
        &format!("{base}/token"),
        "--introspection-url",
        &format!("{base}/introspect"),
        "--revocation-url",
        &format!("{base}/revoke"),
        "--client-id",
        "cli",
    ]
    .map(str::to_owned);
    let env = [("TOKENWARD_CLIENT_SECRET", client_secret)];
    let run = |command: &str, extra: &[&str], stdin: &str| {
        let mut args = vec!["oauth", command];
        args.extend(server.iter().map(String::as_str));
        args.extend(extra);
        tokenward(&args, stdin, &env)
    };

    let token = run("token", &["--scope", "read"], "");
    let shown = ok(&token);
    assert!(
        !shown.contains(access),
        "token printed without --show-token"
    );
    assert!(text(&token.stderr).contains("scopes:     read"));
    let request = requests.recv().unwrap();
    assert!(request.starts_with("POST /token"), "{request}");
    assert!(
        request.contains("grant_type=client_credentials"),
        "{request}"
    );
    assert!(!text(&token.stderr).contains(client_secret));

    let introspected: serde_json::Value =
        serde_json::from_str(&ok(&run("introspect", &[], access))).unwrap();
    assert_eq!(introspected["active"], true);
    assert_eq!(introspected["sub"], "svc");
    let request = requests.recv().unwrap();
    assert!(request.starts_with("POST /introspect") && request.contains("token="));

    let revoked = ok(&run("revoke", &[], access));
    assert!(revoked.starts_with("revoked "), "{revoked}");
    assert!(!revoked.contains(access), "{revoked}");
    assert!(requests.recv().unwrap().starts_with("POST /revoke"));
}
