//! What the payload reader records while it scans: [`Registered`], the registered claims (`exp`,
//! `nbf`, `iat`, `iss`, `sub`, `jti`, `aud`) and the names of the top-level members; or
//! [`Members`], any few top-level members named by the caller.

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
    /// A JSON object, as its text (already checked; only DPoP reads it).
    Object(#[cfg_attr(not(feature = "http"), allow(dead_code))] &'a str),
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

/// Where the reader records the top-level members of a document.
pub(crate) trait Record<'a> {
    /// Where the member `name` is recorded; `None` for a member not asked for.
    fn slot(&mut self, name: &str) -> Option<&mut Claim<'a>>;
    /// The names of all top-level members, once the document is read.
    fn names(&mut self, names: Vec<Cow<'a, str>>) {
        let _ = names;
    }
}

impl<'a> Registered<'a> {
    /// Whether the payload has a top-level member `name`.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }
}

impl<'a> Record<'a> for Registered<'a> {
    fn names(&mut self, names: Vec<Cow<'a, str>>) {
        self.names = names;
    }

    /// Where the registered claim `name` is recorded; `None` for any other member.
    fn slot(&mut self, name: &str) -> Option<&mut Claim<'a>> {
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

/// The `N` top-level members a caller names, each `Absent` until found.
#[cfg(feature = "http")]
pub(crate) struct Members<'a, const N: usize> {
    names: [&'static str; N],
    pub claims: [Claim<'a>; N],
}

#[cfg(feature = "http")]
impl<const N: usize> Members<'_, N> {
    pub(crate) fn new(names: [&'static str; N]) -> Self {
        Members {
            names,
            claims: std::array::from_fn(|_| Claim::Absent),
        }
    }
}

#[cfg(feature = "http")]
impl<'a, const N: usize> Record<'a> for Members<'a, N> {
    fn slot(&mut self, name: &str) -> Option<&mut Claim<'a>> {
        let i = self.names.iter().position(|n| *n == name)?;
        Some(&mut self.claims[i])
    }
}
