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
    /// Where the member `name` is recorded; `None` for a member not asked for. `head` is the
    /// name's first eight bytes as a little-endian word, zero-padded.
    fn slot(&mut self, name: &str, head: u64) -> Option<&mut Claim<'a>>;
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

    /// Where the registered claim `name` is recorded; `None` for any other member. All seven
    /// names are three bytes long, so the head word alone tells them apart: one integer match
    /// instead of comparing strings.
    fn slot(&mut self, name: &str, head: u64) -> Option<&mut Claim<'a>> {
        const fn word(name: &[u8; 3]) -> u64 {
            name[0] as u64 | (name[1] as u64) << 8 | (name[2] as u64) << 16
        }
        const EXP: u64 = word(b"exp");
        const NBF: u64 = word(b"nbf");
        const IAT: u64 = word(b"iat");
        const ISS: u64 = word(b"iss");
        const SUB: u64 = word(b"sub");
        const JTI: u64 = word(b"jti");
        const AUD: u64 = word(b"aud");
        // The length too: a name with an escaped NUL after "exp" has the same head word.
        if name.len() != 3 {
            return None;
        }
        Some(match head {
            EXP => &mut self.exp,
            NBF => &mut self.nbf,
            IAT => &mut self.iat,
            ISS => &mut self.iss,
            SUB => &mut self.sub,
            JTI => &mut self.jti,
            AUD => &mut self.aud,
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
    fn slot(&mut self, name: &str, _: u64) -> Option<&mut Claim<'a>> {
        let i = self.names.iter().position(|n| *n == name)?;
        Some(&mut self.claims[i])
    }
}
