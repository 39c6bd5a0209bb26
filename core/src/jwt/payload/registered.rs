//! [`Registered`]: the registered claims (`exp`, `nbf`, `iat`, `iss`, `sub`, `jti`, `aud`) the
//! payload reader records while it scans, and the names of the top-level members.

use std::borrow::Cow;

/// A registered claim as found in the payload.
#[derive(Debug, Default)]
pub(crate) enum Claim<'a> {
    /// The claim is not present.
    #[default]
    Absent,
    /// A JSON number.
    Number(f64),
    /// A JSON string.
    Str(Cow<'a, str>),
    /// A JSON array whose elements are all strings.
    Strs(Vec<Cow<'a, str>>),
    /// Any other JSON value.
    Other,
}

/// The registered claims of a payload and the names of all its top-level members.
#[derive(Debug, Default)]
pub(crate) struct Registered<'a> {
    pub exp: Claim<'a>,
    pub nbf: Claim<'a>,
    pub iat: Claim<'a>,
    pub iss: Claim<'a>,
    pub sub: Claim<'a>,
    pub jti: Claim<'a>,
    pub aud: Claim<'a>,
    pub names: Vec<Cow<'a, str>>,
}

impl<'a> Registered<'a> {
    /// Whether the payload has a top-level member `name`.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// Where the registered claim `name` is recorded; `None` for any other member.
    pub(super) fn slot(&mut self, name: &str) -> Option<&mut Claim<'a>> {
        Some(match name {
            "exp" => &mut self.exp,
            "nbf" => &mut self.nbf,
            "iat" => &mut self.iat,
            "iss" => &mut self.iss,
            "sub" => &mut self.sub,
            "jti" => &mut self.jti,
            "aud" => &mut self.aud,
            _ => return None,
        })
    }
}
