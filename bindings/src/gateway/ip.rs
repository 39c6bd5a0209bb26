//! `ForwardedHeader` (core `gateway::ip`).

use tokenward::gateway as core;

/// The forwarding header trusted proxies set (exactly one is honoured).
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[uniffi::export(Display)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For`.
    XForwardedFor,
    /// RFC 7239 `Forwarded`.
    Forwarded,
}

impl From<ForwardedHeader> for core::ForwardedHeader {
    fn from(h: ForwardedHeader) -> Self {
        match h {
            ForwardedHeader::XForwardedFor => core::ForwardedHeader::XForwardedFor,
            ForwardedHeader::Forwarded => core::ForwardedHeader::Forwarded,
        }
    }
}

/// The core's header name (`x-forwarded-for`, `forwarded`).
impl std::fmt::Display for ForwardedHeader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(core::ForwardedHeader::from(*self).as_str())
    }
}
