//! The session cookie, safe by default: `__Host-` name, `Secure`, `HttpOnly`, `SameSite=Lax`,
//! `Path=/`, no `Domain`. [`SessionCookie::check`] (run by `Sessions::new`) refuses unsafe
//! combinations with `invalid_input` and a message naming the rule.

use crate::{Error, ErrorCode, Result};

/// The cookie name unless configured otherwise.
pub const DEFAULT_SESSION_COOKIE: &str = "__Host-tw_session";

/// The `SameSite` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SameSite {
    /// Sent on same-site requests and top-level navigations (the default).
    #[default]
    Lax,
    /// Sent on same-site requests only.
    Strict,
    /// Sent on cross-site requests too (needs `Secure`).
    None,
}

impl SameSite {
    /// `Lax`, `Strict` or `None`, as in the header.
    pub const fn as_str(self) -> &'static str {
        match self {
            SameSite::Lax => "Lax",
            SameSite::Strict => "Strict",
            SameSite::None => "None",
        }
    }

    /// Parses `lax`, `strict` or `none` (any case); `invalid_input` otherwise.
    pub fn parse(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "lax" => Ok(SameSite::Lax),
            "strict" => Ok(SameSite::Strict),
            "none" => Ok(SameSite::None),
            _ => Err(Error::new(
                ErrorCode::InvalidInput,
                "same_site must be \"lax\", \"strict\" or \"none\"",
            )),
        }
    }
}

/// How the session cookie is written. Start from [`SessionCookie::new`] (the safe defaults);
/// the setters never fail, [`SessionCookie::check`] does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionCookie {
    name: String,
    secure: bool,
    http_only: bool,
    same_site: SameSite,
    path: String,
    domain: Option<String>,
    dangerous_allow_insecure: bool,
}

impl Default for SessionCookie {
    fn default() -> Self {
        SessionCookie::new()
    }
}

fn invalid(message: &'static str) -> Error {
    Error::new(ErrorCode::InvalidInput, message)
}

/// RFC 6265 `cookie-name` (an RFC 7230 token).
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// A `Path` or `Domain` value: printable ASCII without `;` or `,`.
fn is_attr_value(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| (0x21..0x7f).contains(&b) && b != b';' && b != b',')
}

impl SessionCookie {
    /// `__Host-tw_session`, `Secure`, `HttpOnly`, `SameSite=Lax`, `Path=/`, no `Domain`.
    pub fn new() -> Self {
        SessionCookie {
            name: DEFAULT_SESSION_COOKIE.to_owned(),
            secure: true,
            http_only: true,
            same_site: SameSite::Lax,
            path: "/".to_owned(),
            domain: None,
            dangerous_allow_insecure: false,
        }
    }

    /// The cookie name (an RFC 6265 token; `__Host-` and `__Secure-` prefixes are enforced).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// `Secure` (default true; false needs [`SessionCookie::with_dangerous_allow_insecure`]).
    pub fn with_secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// `HttpOnly` (default true: scripts cannot read the session id).
    pub fn with_http_only(mut self, http_only: bool) -> Self {
        self.http_only = http_only;
        self
    }

    /// `SameSite` (default `Lax`; `None` needs `Secure`).
    pub fn with_same_site(mut self, same_site: SameSite) -> Self {
        self.same_site = same_site;
        self
    }

    /// `Path` (default `/`; a `__Host-` cookie must keep `/`).
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// `Domain` (default none: the cookie goes to this host only; a `__Host-` cookie has none).
    pub fn with_domain(mut self, domain: Option<String>) -> Self {
        self.domain = domain;
        self
    }

    /// Allows a cookie without `Secure`, for plain-HTTP development servers only.
    pub fn with_dangerous_allow_insecure(mut self, allow: bool) -> Self {
        self.dangerous_allow_insecure = allow;
        self
    }

    /// The cookie name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `invalid_input` naming the rule when the combination is unsafe or malformed.
    pub fn check(&self) -> Result<()> {
        if !is_token(&self.name) {
            return Err(invalid(
                "the session cookie name must be a non-empty RFC 6265 token",
            ));
        }
        if !self.path.starts_with('/') || !is_attr_value(&self.path) {
            return Err(invalid(
                "the session cookie path must start with / and hold no ; , or whitespace",
            ));
        }
        if let Some(d) = &self.domain {
            if !is_attr_value(d) {
                return Err(invalid(
                    "the session cookie domain must hold no ; , or whitespace",
                ));
            }
        }
        if !self.secure && !self.dangerous_allow_insecure {
            return Err(invalid(
                "a session cookie without Secure is sent over plain HTTP: keep secure, or set \
                 dangerous_allow_insecure for a development server",
            ));
        }
        if self.same_site == SameSite::None && !self.secure {
            return Err(invalid("browsers reject SameSite=None without Secure"));
        }
        let host = self.name.starts_with("__Host-");
        if (host || self.name.starts_with("__Secure-")) && !self.secure {
            return Err(invalid(
                "a __Host- or __Secure- cookie must be Secure (browsers drop it otherwise)",
            ));
        }
        if host && self.domain.is_some() {
            return Err(invalid(
                "a __Host- cookie cannot have a Domain (browsers drop it); remove the domain \
                 or the prefix",
            ));
        }
        if host && self.path != "/" {
            return Err(invalid(
                "a __Host- cookie must have Path=/ (browsers drop it otherwise)",
            ));
        }
        Ok(())
    }

    fn attributes(&self, out: &mut String) {
        out.push_str("; Path=");
        out.push_str(&self.path);
        if let Some(d) = &self.domain {
            out.push_str("; Domain=");
            out.push_str(d);
        }
    }

    fn flags(&self, out: &mut String) {
        if self.secure {
            out.push_str("; Secure");
        }
        if self.http_only {
            out.push_str("; HttpOnly");
        }
        out.push_str("; SameSite=");
        out.push_str(self.same_site.as_str());
    }

    /// The `Set-Cookie` value carrying `value` (a checked session id).
    pub(crate) fn header(&self, value: &str) -> String {
        let mut out = format!("{}={}", self.name, value);
        self.attributes(&mut out);
        self.flags(&mut out);
        out
    }

    /// The `Set-Cookie` value that deletes the cookie.
    pub fn clear_header(&self) -> String {
        let mut out = format!("{}=", self.name);
        self.attributes(&mut out);
        out.push_str("; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
        self.flags(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(c: &SessionCookie) -> &'static str {
        c.check().err().map_or("ok", |e| e.code().as_str())
    }

    #[test]
    fn defaults_are_safe_and_unsafe_combinations_refused() {
        let c = SessionCookie::new();
        assert_eq!(code(&c), "ok");
        assert_eq!(
            c.header("v"),
            "__Host-tw_session=v; Path=/; Secure; HttpOnly; SameSite=Lax"
        );
        assert_eq!(
            c.clear_header(),
            "__Host-tw_session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; \
             Secure; HttpOnly; SameSite=Lax"
        );
        let host_domain = c.clone().with_domain(Some("example.com".into()));
        assert_eq!(code(&host_domain), "invalid_input");
        assert!(host_domain
            .check()
            .unwrap_err()
            .message()
            .contains("__Host-"));
        assert_eq!(code(&c.clone().with_path("/app")), "invalid_input");
        assert_eq!(code(&c.clone().with_secure(false)), "invalid_input");
        let plain = SessionCookie::new().with_name("sid");
        assert_eq!(code(&plain.clone().with_secure(false)), "invalid_input");
        assert_eq!(
            code(
                &plain
                    .clone()
                    .with_secure(false)
                    .with_dangerous_allow_insecure(true)
            ),
            "ok"
        );
        assert_eq!(
            code(
                &plain
                    .clone()
                    .with_secure(false)
                    .with_dangerous_allow_insecure(true)
                    .with_same_site(SameSite::None)
            ),
            "invalid_input"
        );
        assert_eq!(code(&plain.clone().with_name("a b")), "invalid_input");
        assert_eq!(code(&plain.clone().with_name("")), "invalid_input");
        assert_eq!(
            code(&plain.clone().with_domain(Some("a;b".into()))),
            "invalid_input"
        );
        assert_eq!(
            plain
                .with_domain(Some("example.com".into()))
                .with_same_site(SameSite::Strict)
                .header("v"),
            "sid=v; Path=/; Domain=example.com; Secure; HttpOnly; SameSite=Strict"
        );
    }
}
