//! Reading a Python request's headers and client address (core `gateway::authenticator::request`).

use std::net::IpAddr;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use crate::error::{invalid_input, Builtin};

// --- RateLimit ------------------------------------------------------------------------------

/// Text of a header name or value given as `str` or `bytes` (bytes that are not UTF-8 are
/// decoded lossily: a credential with such bytes is malformed either way).
fn text(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(String::from_utf8_lossy(b.as_bytes()).into_owned());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    Err(invalid_input(
        Builtin::Type,
        "header names and values must be str or bytes",
    ))
}

fn name_matches(obj: &Bound<'_, PyAny>, wanted: &[String]) -> PyResult<bool> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        let n = b.as_bytes();
        return Ok(wanted.iter().any(|w| n.eq_ignore_ascii_case(w.as_bytes())));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let n = s.to_cow()?;
        return Ok(wanted.iter().any(|w| n.eq_ignore_ascii_case(w)));
    }
    Err(invalid_input(
        Builtin::Type,
        "header names and values must be str or bytes",
    ))
}

fn push_pair(
    pair: &Bound<'_, PyAny>,
    wanted: &[String],
    out: &mut Vec<(String, String)>,
) -> PyResult<()> {
    let (name, value) = if let Ok(t) = pair.cast::<PyTuple>() {
        if t.len() != 2 {
            return Err(invalid_input(
                Builtin::Type,
                "headers must be (name, value) pairs",
            ));
        }
        (t.get_item(0)?, t.get_item(1)?)
    } else {
        let bad = |_| invalid_input(Builtin::Type, "headers must be (name, value) pairs");
        if pair.len().map_err(bad)? != 2 || pair.is_instance_of::<PyString>() {
            return Err(invalid_input(
                Builtin::Type,
                "headers must be (name, value) pairs",
            ));
        }
        (
            pair.get_item(0).map_err(bad)?,
            pair.get_item(1).map_err(bad)?,
        )
    };
    if name_matches(&name, wanted)? {
        out.push((text(&name)?, text(&value)?));
    }
    Ok(())
}

/// The credential-relevant headers of a Mapping (``items()``) or an iterable of pairs (str or
/// bytes, as ASGI gives them). Other headers are skipped without being decoded.
pub(super) fn collect_headers(
    headers: &Bound<'_, PyAny>,
    wanted: &[String],
) -> PyResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    if let Ok(list) = headers.cast::<PyList>() {
        for pair in list.iter() {
            push_pair(&pair, wanted, &mut out)?;
        }
    } else if let Ok(d) = headers.cast::<PyDict>() {
        for (k, v) in d.iter() {
            if name_matches(&k, wanted)? {
                out.push((text(&k)?, text(&v)?));
            }
        }
    } else if headers.hasattr("items")? {
        for pair in headers.call_method0("items")?.try_iter()? {
            push_pair(&pair?, wanted, &mut out)?;
        }
    } else {
        for pair in headers.try_iter()? {
            push_pair(&pair?, wanted, &mut out)?;
        }
    }
    Ok(out)
}

pub(super) fn ip_arg(ip: Option<&Bound<'_, PyAny>>) -> PyResult<Option<IpAddr>> {
    match ip {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => {
            let s = if let Ok(s) = o.cast::<PyString>() {
                s.to_cow()?.into_owned()
            } else {
                // ipaddress.IPv4Address / IPv6Address
                o.str()?.to_cow()?.into_owned()
            };
            s.trim()
                .parse::<IpAddr>()
                .map(Some)
                .map_err(|_| invalid_input(Builtin::Value, "client_ip is not an IP address"))
        }
    }
}
