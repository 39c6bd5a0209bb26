//! The gateway's parsers of attacker-controlled request data: credential extraction
//! (`Authorization`, API-key header, query parameter, cookie), CIDR parsing, trusted-proxy
//! resolution (`X-Forwarded-For` and RFC 7239 `Forwarded`), and the whole synchronous
//! `Authenticator::authenticate` pass over the request (JWT credentials, IP rules).
//!
//! Input: byte 0 = flags (which credential sources, which forwarding header), byte 1 = the
//! header size limit / 16, then text: the request path on the first line, then one header per
//! line (`name: value`), `@cidr` lines for the trusted networks and `#ip` for the peer.
#![no_main]

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use tokenward::__fuzz as hook;
use tokenward::gateway::credentials::{is_b64token, CredentialSources, Source};
use tokenward::gateway::ip::normalize;
use tokenward::gateway::{
    Authenticator, AuthenticatorOptions, Cidr, CidrSet, ForwardedHeader, OwnedRequest,
};
use tokenward::jwt::{Algorithm, JwtKey, JwtVerifier, JwtVerifierOptions};

/// The request described by the input text (see the module docs).
struct Input<'a> {
    path: &'a str,
    headers: Vec<(&'a str, &'a str)>,
    cidrs: Vec<&'a str>,
    peer: IpAddr,
}

fn parse_input(text: &str) -> Input<'_> {
    let mut lines = text.split('\n');
    let path = lines.next().unwrap_or_default();
    let mut input = Input {
        path,
        headers: Vec::new(),
        cidrs: Vec::new(),
        peer: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
    };
    for line in lines {
        if let Some(cidr) = line.strip_prefix('@') {
            input.cidrs.push(cidr);
        } else if let Some(peer) = line.strip_prefix('#') {
            if let Ok(ip) = peer.parse() {
                input.peer = ip;
            }
        } else {
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            input
                .headers
                .push((name, value.strip_prefix(' ').unwrap_or(value)));
        }
    }
    input
}

fn authenticators() -> &'static [Authenticator; 2] {
    static A: OnceLock<[Authenticator; 2]> = OnceLock::new();
    A.get_or_init(|| {
        let build = |header| {
            let key = JwtKey::hmac(&[7u8; 32], Algorithm::HS256).ok()?;
            let options = JwtVerifierOptions::new([Algorithm::HS256]);
            let verifier = JwtVerifier::new(key, options).ok()?;
            Authenticator::new(
                AuthenticatorOptions::new()
                    .with_jwt(Arc::new(verifier))
                    .with_query_param("access_token")
                    .with_cookie("session")
                    .with_trusted_proxies(["10.0.0.0/8", "::1", "fd00::/8"])
                    .with_forwarded_header(header)
                    .with_ip_deny(["192.0.2.0/24", "2001:db8::/32"]),
            )
            .ok()
        };
        match (
            build(ForwardedHeader::XForwardedFor),
            build(ForwardedHeader::Forwarded),
        ) {
            (Some(a), Some(b)) => [a, b],
            _ => panic!("the fuzz authenticators must build"),
        }
    })
}

/// Whether `part` lies inside `whole` (a borrowed sub-slice).
fn within(part: &str, whole: &str) -> bool {
    let (p, w) = (part.as_ptr() as usize, whole.as_ptr() as usize);
    p >= w && p + part.len() <= w + whole.len()
}

fuzz_target!(|data: &[u8]| {
    let [flags, max_len, rest @ ..] = data else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let input = parse_input(text);
    let peer = input.peer;

    // Credential extraction.
    let sources = CredentialSources {
        bearer: flags & 1 != 0,
        api_key_header: (flags & 2 != 0).then(|| "x-api-key".to_owned()),
        query_param: (flags & 4 != 0).then(|| "access_token".to_owned()),
        cookie: (flags & 8 != 0).then(|| "session".to_owned()),
        max_header_len: usize::from(*max_len) * 16,
    };
    if let Ok(found) = sources.extract(input.path, &input.headers) {
        assert!(!found.value.is_empty());
        let from_header = input.headers.iter().any(|(_, v)| within(found.value, v));
        match found.source {
            Source::Query => assert!(within(found.value, input.path)),
            Source::Bearer => {
                assert!(from_header && is_b64token(found.value));
            }
            Source::ApiKeyHeader | Source::Cookie | Source::SessionCookie => assert!(from_header),
        }
        if found.source != Source::Query {
            assert!(found.value.len() <= sources.max_header_len);
        }
    }

    // CIDR parsing: a parsed network prints and re-parses to itself and contains its address.
    let mut nets = Vec::new();
    for text in &input.cidrs {
        if let Ok(cidr) = text.parse::<Cidr>() {
            let printed = cidr.to_string();
            assert_eq!(
                printed.parse::<Cidr>().ok(),
                Some(cidr),
                "{text:?} → {printed}"
            );
            nets.push(printed);
        }
    }
    assert!(Cidr::host(peer).contains(peer));
    let set = CidrSet::parse(&nets).unwrap_or_default();

    // Trusted-proxy resolution over the header lines.
    let header = if flags & 16 != 0 {
        ForwardedHeader::Forwarded
    } else {
        ForwardedHeader::XForwardedFor
    };
    let lines: Vec<&str> = input.headers.iter().map(|(_, v)| *v).collect();
    let resolved = hook::resolve_client(set.clone(), header, peer, &lines);
    if !set.contains(peer) {
        assert_eq!(resolved, Ok(Some(normalize(peer))));
    }
    if let Ok(Some(ip)) = resolved {
        assert_eq!(ip, normalize(ip), "resolved addresses are normalized");
    }

    // The whole synchronous pass, on both forwarding headers.
    let request = OwnedRequest {
        method: "GET".into(),
        path: input.path.into(),
        headers: input
            .headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
        client_ip: Some(peer),
        required_scopes: Vec::new(),
        client_certificate: None,
    };
    for auth in authenticators() {
        request.view(|r| {
            let _ = auth.client_ip(r);
            // No valid token can come out of random bytes (HS256 with a fixed key).
            assert!(auth.authenticate(r).is_err());
        });
    }
});
