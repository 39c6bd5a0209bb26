//! Client addresses: CIDR allow/deny rules for IPv4 and IPv6, and the opt-in resolution of the
//! client address behind trusted proxies (`X-Forwarded-For` or RFC 7239 `Forwarded`).
//!
//! IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) are treated as the IPv4 address everywhere,
//! so a rule for `192.0.2.0/24` cannot be bypassed by a dual-stack socket. Without trusted
//! proxies, forwarding headers are ignored: anyone can send them.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use crate::{Error, ErrorCode, Result};

/// Maps `::ffff:a.b.c.d` to `a.b.c.d`; other addresses are unchanged.
pub fn normalize(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

/// An IPv4 or IPv6 network such as `10.0.0.0/8` or `2001:db8::/32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cidr {
    /// An IPv4 network: address bits and prefix length (0-32).
    V4(u32, u8),
    /// An IPv6 network: address bits and prefix length (0-128).
    V6(u128, u8),
}

const fn mask32(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix as u32)
    }
}

const fn mask128(prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - prefix as u32)
    }
}

fn invalid(msg: &'static str) -> Error {
    Error::new(ErrorCode::InvalidInput, msg)
}

impl Cidr {
    /// The network of one address (`/32` or `/128`).
    pub fn host(ip: IpAddr) -> Cidr {
        match normalize(ip) {
            IpAddr::V4(v4) => Cidr::V4(u32::from(v4), 32),
            IpAddr::V6(v6) => Cidr::V6(u128::from(v6), 128),
        }
    }

    /// Whether `ip` is inside the network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self, normalize(ip)) {
            (Cidr::V4(net, p), IpAddr::V4(a)) => u32::from(a) & mask32(*p) == *net,
            (Cidr::V6(net, p), IpAddr::V6(a)) => u128::from(a) & mask128(*p) == *net,
            _ => false,
        }
    }
}

impl FromStr for Cidr {
    type Err = Error;

    /// Parses `addr` or `addr/prefix`. Host bits must be zero (`10.0.0.1/8` is refused as a
    /// likely mistake). An IPv4-mapped IPv6 network with prefix ≥ 96 becomes the IPv4 network.
    fn from_str(s: &str) -> Result<Cidr> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => {
                if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 3 {
                    return Err(invalid("the CIDR prefix length is not a number"));
                }
                let p: u8 = p
                    .parse()
                    .map_err(|_| invalid("the CIDR prefix length is too large"))?;
                (a, Some(p))
            }
            None => (s, None),
        };
        let ip: IpAddr = addr
            .parse()
            .map_err(|_| invalid("the CIDR address is not an IP address"))?;
        let cidr = match ip {
            IpAddr::V4(v4) => {
                let p = prefix.unwrap_or(32);
                if p > 32 {
                    return Err(invalid("an IPv4 prefix length is at most 32"));
                }
                Cidr::V4(u32::from(v4), p)
            }
            IpAddr::V6(v6) => {
                let p = prefix.unwrap_or(128);
                if p > 128 {
                    return Err(invalid("an IPv6 prefix length is at most 128"));
                }
                match v6.to_ipv4_mapped() {
                    Some(v4) if p >= 96 => Cidr::V4(u32::from(v4), p - 96),
                    _ => Cidr::V6(u128::from(v6), p),
                }
            }
        };
        let ok = match cidr {
            Cidr::V4(n, p) => n & mask32(p) == n,
            Cidr::V6(n, p) => n & mask128(p) == n,
        };
        if !ok {
            return Err(invalid("the CIDR has host bits set below its prefix"));
        }
        Ok(cidr)
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Cidr::V4(n, p) => write!(f, "{}/{p}", Ipv4Addr::from(n)),
            Cidr::V6(n, p) => write!(f, "{}/{p}", Ipv6Addr::from(n)),
        }
    }
}

/// A list of networks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CidrSet {
    nets: Vec<Cidr>,
}

impl CidrSet {
    /// Parses every entry (see [`Cidr::from_str`]).
    pub fn parse<I, S>(entries: I) -> Result<CidrSet>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let nets = entries
            .into_iter()
            .map(|e| e.as_ref().parse())
            .collect::<Result<Vec<Cidr>>>()?;
        Ok(CidrSet { nets })
    }

    /// Whether no network is listed.
    pub fn is_empty(&self) -> bool {
        self.nets.is_empty()
    }

    /// Whether some network contains `ip`.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.nets.iter().any(|n| n.contains(ip))
    }
}

/// IP allow and deny lists. Deny wins; a non-empty allow list admits only its networks.
#[derive(Debug, Clone, Default)]
pub struct IpRules {
    /// Networks that may call (empty: everyone not denied).
    pub allow: CidrSet,
    /// Networks that may not call.
    pub deny: CidrSet,
}

impl IpRules {
    /// Whether any rule is configured.
    pub fn is_empty(&self) -> bool {
        self.allow.is_empty() && self.deny.is_empty()
    }

    /// Whether `ip` may call. An unknown address (`None`) is refused when any rule exists.
    pub fn permits(&self, ip: Option<IpAddr>) -> bool {
        if self.is_empty() {
            return true;
        }
        let Some(ip) = ip else { return false };
        !self.deny.contains(ip) && (self.allow.is_empty() || self.allow.contains(ip))
    }
}

/// Which forwarding header trusted proxies set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2`.
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client, for="[2001:db8::1]:4711"`.
    Forwarded,
}

/// The forwarding header trusted proxies set unless configured otherwise.
pub const DEFAULT_FORWARDED_HEADER: ForwardedHeader = ForwardedHeader::XForwardedFor;

impl ForwardedHeader {
    /// Every forwarding header, in the order of [`ForwardedHeader::as_str`]'s documentation.
    pub const ALL: [ForwardedHeader; 2] =
        [ForwardedHeader::XForwardedFor, ForwardedHeader::Forwarded];

    /// The lower-case header name, `x-forwarded-for` or `forwarded`: the name every binding
    /// accepts and the header the authenticator reads.
    pub const fn as_str(self) -> &'static str {
        match self {
            ForwardedHeader::XForwardedFor => "x-forwarded-for",
            ForwardedHeader::Forwarded => "forwarded",
        }
    }
}

impl FromStr for ForwardedHeader {
    type Err = Error;

    /// Parses a header name, case-insensitively (header names are); anything else is
    /// `invalid_input` listing the names.
    fn from_str(s: &str) -> Result<Self> {
        ForwardedHeader::ALL
            .into_iter()
            .find(|h| h.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidInput,
                    format!(
                        "a forwarded header is one of: {}",
                        ForwardedHeader::ALL.map(ForwardedHeader::as_str).join(", ")
                    ),
                )
            })
    }
}

impl std::fmt::Display for ForwardedHeader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Trusted proxies: only when the socket peer is one of them is the forwarding header read,
/// from the right, skipping trusted hops; the first untrusted hop is the client.
#[derive(Debug, Clone)]
pub struct TrustedProxies {
    /// The proxies' networks.
    pub networks: CidrSet,
    /// The header they set.
    pub header: ForwardedHeader,
}

/// Why the client address could not be resolved from a forwarding header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BadForwarding;

/// Parses one `X-Forwarded-For` entry (an address, optionally `[v6]:port` or `v4:port`).
fn parse_hop(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(normalize(ip));
    }
    if let Some(rest) = s.strip_prefix('[') {
        let (addr, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.starts_with(':')) {
            return None;
        }
        return addr
            .parse::<Ipv6Addr>()
            .ok()
            .map(|a| normalize(IpAddr::V6(a)));
    }
    let (addr, port) = s.rsplit_once(':')?;
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    addr.parse::<Ipv4Addr>().ok().map(IpAddr::V4)
}

/// The `for=` node of one RFC 7239 forwarded-element: `Ok(Some(ip))`, `Ok(None)` for
/// `unknown` or an obfuscated identifier, `Err` when malformed or absent.
fn forwarded_for(element: &str) -> Result<Option<IpAddr>, BadForwarding> {
    for pair in element.split(';') {
        let Some((k, v)) = pair.split_once('=') else {
            if pair.trim().is_empty() {
                continue;
            }
            return Err(BadForwarding);
        };
        if !k.trim().eq_ignore_ascii_case("for") {
            continue;
        }
        let v = v.trim();
        let v = match v.strip_prefix('"') {
            Some(inner) => inner.strip_suffix('"').ok_or(BadForwarding)?,
            None => v,
        };
        if v.eq_ignore_ascii_case("unknown") || v.starts_with('_') {
            return Ok(None);
        }
        return parse_hop(v).map(Some).ok_or(BadForwarding);
    }
    Err(BadForwarding)
}

impl TrustedProxies {
    /// The client address of a request whose socket peer is `peer` and whose forwarding header
    /// lines (all lines of the configured header, in order) are `lines`.
    ///
    /// `Ok(None)` when the client is `unknown`/obfuscated in `Forwarded`; `Err` when a hop
    /// that must be read is malformed.
    pub(crate) fn resolve<'a>(
        &self,
        peer: IpAddr,
        lines: impl DoubleEndedIterator<Item = &'a str>,
    ) -> Result<Option<IpAddr>, BadForwarding> {
        let peer = normalize(peer);
        if !self.networks.contains(peer) {
            return Ok(Some(peer));
        }
        let mut client = peer;
        for line in lines.rev() {
            for hop in line.rsplit(',') {
                if hop.trim().is_empty() {
                    continue;
                }
                let ip = match self.header {
                    ForwardedHeader::XForwardedFor => parse_hop(hop).ok_or(BadForwarding)?,
                    ForwardedHeader::Forwarded => match forwarded_for(hop)? {
                        Some(ip) => ip,
                        None => return Ok(None),
                    },
                };
                if !self.networks.contains(ip) {
                    return Ok(Some(ip));
                }
                client = ip;
            }
        }
        // Every hop is a trusted proxy: the leftmost one is as close to the client as we know.
        Ok(Some(client))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_headers_parse_their_names_case_insensitively() {
        for h in ForwardedHeader::ALL {
            assert_eq!(h.as_str().parse::<ForwardedHeader>().unwrap(), h);
            let upper = h.as_str().to_ascii_uppercase();
            assert_eq!(upper.parse::<ForwardedHeader>().unwrap(), h);
        }
        let err = "x-real-ip".parse::<ForwardedHeader>().unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert_eq!(
            err.message(),
            "a forwarded header is one of: x-forwarded-for, forwarded"
        );
    }

    #[test]
    fn prefix_math_edges() {
        let all4: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all4.contains(ip("255.255.255.255")));
        assert!(!all4.contains(ip("::1")));
        let all6: Cidr = "::/0".parse().unwrap();
        assert!(all6.contains(ip("::1")));
        assert!(!all6.contains(ip("1.2.3.4")));
        let n: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(n.contains(ip("10.255.255.255")));
        assert!(!n.contains(ip("11.0.0.0")));
        assert!(!n.contains(ip("9.255.255.255")));
        let h: Cidr = "192.0.2.7".parse().unwrap();
        assert!(h.contains(ip("192.0.2.7")));
        assert!(!h.contains(ip("192.0.2.6")));
        let n: Cidr = "192.0.2.128/25".parse().unwrap();
        assert!(n.contains(ip("192.0.2.128")) && !n.contains(ip("192.0.2.127")));
        let v6: Cidr = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:ffff::1")));
        assert!(!v6.contains(ip("2001:db9::")));
        let v6: Cidr = "2001:db8::1/128".parse().unwrap();
        assert!(v6.contains(ip("2001:db8::1")) && !v6.contains(ip("2001:db8::2")));
        let v6: Cidr = "2001:db8::/127".parse().unwrap();
        assert!(v6.contains(ip("2001:db8::1")) && !v6.contains(ip("2001:db8::2")));
    }

    #[test]
    fn mapped_addresses_are_ipv4() {
        let n: Cidr = "192.0.2.0/24".parse().unwrap();
        assert!(n.contains(ip("::ffff:192.0.2.9")));
        let m: Cidr = "::ffff:192.0.2.0/120".parse().unwrap();
        assert_eq!(m, n);
        assert!(m.contains(ip("192.0.2.1")));
        assert_eq!(normalize(ip("::ffff:10.0.0.1")), ip("10.0.0.1"));
        // IPv4-compatible (deprecated) addresses are not mapped.
        assert_eq!(normalize(ip("::10.0.0.1")), ip("::10.0.0.1"));
    }

    #[test]
    fn bad_cidrs_are_refused() {
        for bad in [
            "10.0.0.1/8",
            "10.0.0.0/33",
            "::/129",
            "10.0.0.0/",
            "10.0.0.0/-1",
            "10.0.0.0/+8",
            "10.0.0.0/0008",
            "example.com",
            "",
            "2001:db8::1/32",
        ] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn rules_deny_wins_and_unknown_is_refused() {
        let rules = IpRules {
            allow: CidrSet::parse(["10.0.0.0/8", "2001:db8::/32"]).unwrap(),
            deny: CidrSet::parse(["10.6.6.0/24"]).unwrap(),
        };
        assert!(rules.permits(Some(ip("10.1.2.3"))));
        assert!(rules.permits(Some(ip("::ffff:10.1.2.3"))));
        assert!(!rules.permits(Some(ip("10.6.6.6"))));
        assert!(!rules.permits(Some(ip("::ffff:10.6.6.6"))));
        assert!(!rules.permits(Some(ip("192.0.2.1"))));
        assert!(rules.permits(Some(ip("2001:db8::5"))));
        assert!(!rules.permits(None));
        assert!(IpRules::default().permits(None));
    }

    fn xff() -> TrustedProxies {
        TrustedProxies {
            networks: CidrSet::parse(["10.0.0.0/8", "fd00::/8"]).unwrap(),
            header: ForwardedHeader::XForwardedFor,
        }
    }

    #[test]
    fn xff_rightmost_untrusted_hop() {
        let t = xff();
        // Spoofed leftmost entry is ignored: the first untrusted from the right wins.
        let r = t.resolve(
            ip("10.0.0.1"),
            ["6.6.6.6, 203.0.113.5, 10.0.0.2"].into_iter(),
        );
        assert_eq!(r, Ok(Some(ip("203.0.113.5"))));
        // Several header lines are one list.
        let r = t.resolve(ip("10.0.0.1"), ["6.6.6.6", "203.0.113.5:443"].into_iter());
        assert_eq!(r, Ok(Some(ip("203.0.113.5"))));
        // An untrusted peer's header is ignored.
        let r = t.resolve(ip("198.51.100.1"), ["1.2.3.4"].into_iter());
        assert_eq!(r, Ok(Some(ip("198.51.100.1"))));
        // Garbage in a hop we must read is refused.
        let r = t.resolve(ip("10.0.0.1"), ["1.2.3.4, evil"].into_iter());
        assert_eq!(r, Err(BadForwarding));
        // Garbage left of the client is never read.
        let r = t.resolve(ip("10.0.0.1"), ["evil, 1.2.3.4"].into_iter());
        assert_eq!(r, Ok(Some(ip("1.2.3.4"))));
        // No header: the proxy itself.
        let r = t.resolve(ip("10.0.0.1"), std::iter::empty());
        assert_eq!(r, Ok(Some(ip("10.0.0.1"))));
        // Mapped and bracketed forms.
        let r = t.resolve(ip("::ffff:10.0.0.1"), ["[2001:db8::7]:80"].into_iter());
        assert_eq!(r, Ok(Some(ip("2001:db8::7"))));
    }

    #[test]
    fn forwarded_rfc7239() {
        let t = TrustedProxies {
            header: ForwardedHeader::Forwarded,
            ..xff()
        };
        let line =
            r#"for=6.6.6.6, For="[2001:db8:cafe::17]:4711";proto=https, for=10.1.1.1;by=10.0.0.1"#;
        let r = t.resolve(ip("10.0.0.1"), [line].into_iter());
        assert_eq!(r, Ok(Some(ip("2001:db8:cafe::17"))));
        let r = t.resolve(ip("10.0.0.1"), ["for=unknown"].into_iter());
        assert_eq!(r, Ok(None));
        let r = t.resolve(ip("10.0.0.1"), ["for=_hidden"].into_iter());
        assert_eq!(r, Ok(None));
        let r = t.resolve(ip("10.0.0.1"), ["proto=https"].into_iter());
        assert_eq!(r, Err(BadForwarding));
        let r = t.resolve(ip("10.0.0.1"), [r#"for="1.2.3.4"#].into_iter());
        assert_eq!(r, Err(BadForwarding));
    }
}
