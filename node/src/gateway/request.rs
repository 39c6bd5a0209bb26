//! Reading a JS request into the core's request (core `gateway::authenticator::request`).

use std::net::IpAddr;

use crate::napi;
use crate::napi::bindgen_prelude::{FromNapiValue, JsObjectValue, Object, Unknown};
use crate::napi::ValueType;
use tokenward::{Error, ErrorCode};

use super::convert::{bad_arg, invalid};
use crate::error::{to_js, Code};

pub(super) fn get<T: FromNapiValue>(obj: &Object<'_>, name: &str) -> napi::Result<Option<T>, Code> {
    match obj.get::<Unknown<'_>>(name).map_err(bad_arg)? {
        None => Ok(None),
        Some(v) if v.get_type().map_err(bad_arg)? == ValueType::Null => Ok(None),
        Some(_) => obj.get::<T>(name).map_err(|e| {
            to_js(Error::new(
                ErrorCode::InvalidInput,
                format!("option {name}: {}", e.reason),
            ))
        }),
    }
}

/// Element `i` of the request fields: `None` when undefined or null.
pub(super) fn element<T: FromNapiValue>(
    fields: &Object<'_>,
    i: u32,
    name: &'static str,
) -> napi::Result<Option<T>, Code> {
    let v: Unknown<'_> = fields.get_element(i).map_err(bad_arg)?;
    match v.get_type().map_err(bad_arg)? {
        ValueType::Undefined | ValueType::Null => Ok(None),
        _ => T::from_unknown(v).map(Some).map_err(|e| {
            to_js(Error::new(
                ErrorCode::InvalidInput,
                format!("request.{name}: {}", e.reason),
            ))
        }),
    }
}

/// Parses a socket or configured address; tolerates an IPv6 zone (`fe80::1%eth0`).
pub(super) fn parse_ip(s: &str) -> napi::Result<IpAddr, Code> {
    let s = s.split_once('%').map_or(s, |(a, _)| a);
    s.parse()
        .map_err(|_| invalid("clientIp is not an IP address"))
}

pub(super) fn push_value(
    out: &mut Vec<(String, String)>,
    name: &str,
    value: Unknown<'_>,
) -> napi::Result<(), Code> {
    match value.get_type().map_err(bad_arg)? {
        ValueType::Undefined | ValueType::Null => Ok(()),
        ValueType::String => {
            let v: String = unsafe_cast(&value)?;
            out.push((name.to_owned(), v));
            Ok(())
        }
        ValueType::Object => {
            let arr: Vec<String> = unsafe_cast(&value)
                .map_err(|_| invalid("a header value is a string or an array of strings"))?;
            out.extend(arr.into_iter().map(|v| (name.to_owned(), v)));
            Ok(())
        }
        _ => Err(invalid("a header value is a string or an array of strings")),
    }
}

/// Converts a value whose type was just checked.
pub(super) fn unsafe_cast<T: FromNapiValue>(value: &Unknown<'_>) -> napi::Result<T, Code> {
    T::from_unknown(*value).map_err(bad_arg)
}
