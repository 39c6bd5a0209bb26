//! The answer of a JNI call, one byte array: a status byte, then
//!
//! * [`OK`]: the result (uniffi serialization, or UTF-8 text for a claims JSON);
//! * [`FAILED`]: the `TokenwardError` in uniffi serialization (Kotlin:
//!   `FfiConverterTypeTokenwardError.read`, the exception the uniffi path throws);
//! * [`UNEXPECTED`]: the UTF-8 message of what uniffi reports as `InternalException`: a
//!   panic (with uniffi's message), an argument that does not deserialize, a null handle.
//!
//! Kotlin's reader is `TokenwardJni.answer` in FastPath.kt.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use uniffi::{Lift, Lower};

use crate::error::{FfiResult, TokenwardError};
use crate::UniFfiTag;

/// Status byte: the call returned a result.
pub(super) const OK: u8 = 0;
/// Status byte: the call failed with a `TokenwardError`.
pub(super) const FAILED: u8 = 1;
/// Status byte: a failure uniffi would report as `InternalException`.
pub(super) const UNEXPECTED: u8 = 2;

/// A failure outside the method's own errors (uniffi's `InternalException`).
#[derive(Debug)]
pub(super) struct Unexpected(String);

/// Runs `call` under `catch_unwind` and encodes what it returned (or its panic).
pub(super) fn answer<T>(
    call: impl FnOnce() -> Result<FfiResult<T>, Unexpected>,
    write: impl FnOnce(T, &mut Vec<u8>),
) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    let outcome = catch_unwind(AssertUnwindSafe(|| match call() {
        Ok(Ok(value)) => {
            out.push(OK);
            write(value, &mut out);
            Ok(())
        }
        Ok(Err(error)) => {
            out.push(FAILED);
            <TokenwardError as Lower<UniFfiTag>>::write(error, &mut out);
            Ok(())
        }
        Err(unexpected) => Err(unexpected),
    }));
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(Unexpected(message))) => unexpected(&mut out, &message),
        Err(payload) => unexpected(&mut out, &panic_message(payload.as_ref())),
    }
    out
}

fn unexpected(out: &mut Vec<u8>, message: &str) {
    out.clear();
    out.push(UNEXPECTED);
    out.extend_from_slice(message.as_bytes());
}

/// uniffi's message for a caught panic (uniffi_core `rust_call_with_out_status`).
fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "Unknown panic!".to_owned()
    }
}

/// The object of a handle; a null handle (a fake Kotlin object) is [`Unexpected`].
pub(super) fn live<T>(object: Option<&T>) -> Result<&T, Unexpected> {
    object.ok_or_else(|| Unexpected("null handle".to_owned()))
}

/// Writes `value` in uniffi serialization (what Kotlin's `FfiConverter*.read` reads).
pub(super) fn write<T: Lower<UniFfiTag>>(value: T, out: &mut Vec<u8>) {
    T::write(value, out);
}

/// Reads a whole argument in uniffi serialization (what Kotlin's `FfiConverter*.write` wrote).
pub(super) fn read<T: Lift<UniFfiTag>>(bytes: &[u8]) -> Result<T, Unexpected> {
    let mut buf = bytes;
    let value = T::try_read(&mut buf)
        .map_err(|e| Unexpected(format!("Failed to convert arg 'request':\n{e:?}")))?;
    if buf.is_empty() {
        Ok(value)
    } else {
        Err(Unexpected(format!(
            "Failed to convert arg 'request':\n{} junk bytes",
            buf.len()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::{AuthRequest, HttpHeader};

    #[test]
    fn a_result_an_error_and_a_panic_get_their_status_byte() {
        let ok = answer(|| Ok(Ok("{}".to_owned())), |s, out| out.extend(s.bytes()));
        assert_eq!(ok, [OK, b'{', b'}']);

        let failed = answer::<String>(
            || {
                Ok(Err(TokenwardError::Failed {
                    code: ErrorCode::Expired,
                    message: "m".to_owned(),
                }))
            },
            |_, _| unreachable!(),
        );
        assert_eq!(failed[0], FAILED);
        let mut expected = Vec::new();
        <TokenwardError as Lower<UniFfiTag>>::write(
            TokenwardError::Failed {
                code: ErrorCode::Expired,
                message: "m".to_owned(),
            },
            &mut expected,
        );
        assert_eq!(&failed[1..], &expected[..]);

        let panicked = answer::<String>(|| panic!("boom"), |_, _| {});
        assert_eq!(panicked, b"\x02boom");

        // A panic while writing the result replaces the half-written answer.
        let late = answer(
            || Ok(Ok(1u8)),
            |_, out| {
                out.push(9);
                panic!("late");
            },
        );
        assert_eq!(late, b"\x02late");

        assert_eq!(
            answer::<u8>(|| Err(live::<u8>(None).unwrap_err()), |_, _| {}),
            b"\x02null handle"
        );
    }

    #[test]
    fn a_request_round_trips_and_junk_is_refused() {
        let request = AuthRequest {
            method: "GET".to_owned(),
            path: "/".to_owned(),
            headers: vec![HttpHeader {
                name: "x-api-key".to_owned(),
                value: "k".to_owned(),
            }],
            client_ip: None,
            required_scopes: vec!["read".to_owned()],
            client_certificate: None,
        };
        let mut bytes = Vec::new();
        write(request.clone(), &mut bytes);
        assert_eq!(read::<AuthRequest>(&bytes).unwrap(), request);
        bytes.push(0);
        assert!(read::<AuthRequest>(&bytes).is_err());
        assert!(read::<AuthRequest>(&bytes[..3]).is_err());
    }
}
