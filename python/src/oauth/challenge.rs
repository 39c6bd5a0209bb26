//! `token_rejected` (core `refresh::challenge`).

use pyo3::prelude::*;
use tokenward::refresh::{self};

/// Whether a response with ``status`` and ``www_authenticate`` (the ``WWW-Authenticate``
/// values, joined by ``", "``) says the access token sent was rejected, so that one refresh and
/// one retry may help: the rule of every HTTP hook (``tokenward.httpx``, ``tokenward.requests``).
#[pyfunction]
#[pyo3(signature = (status, www_authenticate=None))]
pub fn token_rejected(status: i64, www_authenticate: Option<&str>) -> bool {
    u16::try_from(status).is_ok_and(|s| refresh::token_rejected(s, www_authenticate))
}
