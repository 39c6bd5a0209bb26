//! `tokenward demo` runs offline, exits 0, shows every stage and prints no secret.

use std::process::Command;

#[test]
fn demo_walks_the_gateway_without_printing_secrets() {
    let out = Command::new(env!("CARGO_BIN_EXE_tokenward"))
        .arg("demo")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for needle in [
        "valid API key",
        "kind=api_key subject=alice",
        "kind=jwt subject=svc-reports",
        "routed to orders-service",
        "routed to reports-service",
        "401 code=missing_credentials",
        "WWW-Authenticate: Bearer realm=\"demo\"",
        "401 code=checksum_mismatch",
        "403 code=insufficient_scope",
        "scope=\"orders:write\"",
        "403 code=ip_denied",
        "401 code=revoked",
        "429 code=rate_limited",
        "Retry-After: 1",
        "address ✓ → presence ✓ → validation ✓ → revocation ✓ → scopes ✓ → rate limit ✓ → route ✓",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert_eq!(text.matches("429 code=rate_limited").count(), 2);
    // No full API key (prefix + 50 base62 characters) and no JWT appears.
    let key_like = text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
    for word in key_like {
        assert!(
            !(word.starts_with("tw_demo_") && word.len() >= "tw_demo_".len() + 50),
            "a full API key was printed: {word}"
        );
    }
    assert!(!text.contains("eyJ"), "a JWT was printed:\n{text}");
    assert!(!text.contains("tokenward-demo-hs256-secret"));
}
