//! No Rust panic crosses into Node: a panic becomes a thrown `Error` whose `.code` is
//! `internal` (the process lives on).
//!
//! * Every export carries `#[napi(catch_unwind)]` (`__test__/unwind.test.mjs` fails on one
//!   without it). napi-rs then runs the call inside `std::panic::catch_unwind` and maps
//!   the payload with `napi::bindgen_prelude::panic_to_error`, which would throw
//!   `GenericFailure` with the panic message (a message that may hold data). The `#[napi]`
//!   expansions name that function by the path `napi::…`, and in this crate `napi` is the shim
//!   module of `lib.rs` (the real crate is the dependency `napi-real`, so nothing can bypass
//!   it): the real crate with that one function replaced by [`panic_to_error`], which throws
//!   `internal` with a fixed message.
//! * Async exports run their future inside [`caught`], which turns a panic while polling into
//!   the function's own failure value (`Failure { code: "internal" }`); napi-rs would reject
//!   with `GenericFailure` instead.
//! * The raw N-API function of `jwt_fast/function.rs` catches its own panics.
//! * Listeners (threadsafe functions: `onAudit`, `TokenSource.onRefresh`/`onError`) convert
//!   their value to JS in [`convert_caught`]: napi-rs converts inside N-API's `call_js`
//!   callback, an `extern "C"` frame it does not guard, where a panic would abort Node.
//! * The panic hook prints where a panic happened, never its message.

use std::any::Any;
use std::cell::Cell;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::ptr;
use std::sync::Once;
use std::task::{Context, Poll};

use crate::napi::bindgen_prelude::{Either, Function, Object, ToNapiValue, Unknown};
use crate::napi::threadsafe_function::{
    ThreadsafeCallContext, ThreadsafeFunction, ThreadsafeFunctionCallMode,
};
use crate::napi::{self, sys, Env, JsValue, Status};
use napi_derive::napi;

use crate::jwt_remote::Failure;

/// The message of every `internal` error made from a panic (the payload is never shown).
pub const PANIC_MESSAGE: &str =
    "internal error: tokenward's native code panicked (a bug: please report it)";

thread_local! {
    /// The env of the Node thread (main or worker) that loaded the addon on this thread.
    static ENV: Cell<sys::napi_env> = const { Cell::new(ptr::null_mut()) };
}

static HOOK: Once = Once::new();

/// Module load (once per Node thread): remembers the thread's env for [`panic_to_error`],
/// defines the hidden error-class registration of `error.rs` and installs a panic hook that reports the location only (a panic message may hold data).
#[napi(module_exports)]
pub fn module_init(exports: Object, env: Env) -> napi::Result<()> {
    ENV.with(|cell| cell.set(env.raw()));
    crate::error::install(env.raw(), exports.raw())?;
    HOOK.call_once(|| {
        panic::set_hook(Box::new(|info| {
            let place = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            eprintln!("tokenward: internal error (Rust panic) at {place}");
        }));
    });
    Ok(())
}

/// Drops a panic payload without letting a panicking `Drop` of it unwind further.
fn discard(payload: Box<dyn Any + Send>) {
    if let Err(again) = panic::catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
}

/// Replaces napi-rs's `panic_to_error` (see the module docs): throws `Error` with `.code`
/// `internal` on this thread's env and answers "exception pending", which napi-rs then leaves
/// in place. Without a known env it falls back to napi's generic failure.
pub fn panic_to_error(payload: Box<dyn Any + Send>) -> napi::Error {
    discard(payload);
    let env = ENV.with(Cell::get);
    if !env.is_null() && throw_internal(env) {
        return napi::Error::new(Status::PendingException, PANIC_MESSAGE);
    }
    napi::Error::new(Status::GenericFailure, PANIC_MESSAGE)
}

/// Throws the `internal` error (an `InternalError`, see `error.rs`) unless an exception is
/// pending; true when an exception is pending afterwards.
fn throw_internal(env: sys::napi_env) -> bool {
    // SAFETY: `env` is the live env of this thread (set at module load on this thread).
    unsafe { crate::error::throw_coded(env, "internal", PANIC_MESSAGE) }
}

/// A future that turns a panic while polling `F` into `Err(())`.
pub struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, ()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.get_mut().0.as_mut();
        match panic::catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(payload) => {
                discard(payload);
                Poll::Ready(Err(()))
            }
        }
    }
}

/// A JS value already made on the listener's env (what [`convert_caught`] hands to napi-rs).
pub struct Converted(sys::napi_value);

impl ToNapiValue for Converted {
    unsafe fn to_napi_value(_env: sys::napi_env, value: Self) -> napi::Result<sys::napi_value> {
        Ok(value.0)
    }
}

/// A listener: a weak threadsafe function that receives `T` converted by [`convert_caught`].
pub type Listener<T> = ThreadsafeFunction<T, (), Converted, ListenerFailure, false, true>;

/// The code of a listener's failure: a value of ours that cannot be handed to JS is a bug, so
/// whatever napi-rs reports (a panic, a failed conversion) reaches `uncaughtException` with
/// `.code` `internal` (napi-rs keeps only the status and message of the callback's error).
pub struct ListenerFailure;

impl AsRef<str> for ListenerFailure {
    fn as_ref(&self) -> &str {
        "internal"
    }
}

impl From<Status> for ListenerFailure {
    fn from(_: Status) -> Self {
        ListenerFailure
    }
}

/// Makes a [`Listener`] of `callback`: weak (it never keeps Node alive), errors not passed as a
/// first argument, values converted under `catch_unwind`.
pub fn listener<T: ToNapiValue + 'static>(callback: Function<T, ()>) -> napi::Result<Listener<T>> {
    callback
        .build_threadsafe_function()
        .callee_handled::<false>()
        .weak::<true>()
        .error_status::<ListenerFailure>()
        .build_callback(convert_caught::<T>)
}

/// The call-JS callback of every listener: converts the value to JS under `catch_unwind`.
/// A panic skips this call of the listener and surfaces as an uncaught `internal` error
/// (Node's `uncaughtException`); the process lives on.
pub fn convert_caught<T: ToNapiValue>(ctx: ThreadsafeCallContext<T>) -> napi::Result<Converted> {
    let env = ctx.env;
    let value = ctx.value;
    // SAFETY: napi-rs runs this on the env's own thread, inside its `call_js` callback.
    let converted = panic::catch_unwind(AssertUnwindSafe(|| unsafe {
        T::to_napi_value(env.raw(), value)
    }));
    match converted {
        Ok(result) => result.map(Converted),
        Err(payload) => {
            discard(payload);
            Err(napi::Error::new(Status::GenericFailure, PANIC_MESSAGE))
        }
    }
}

/// The failure value an async export answers when its future panicked.
pub trait FromPanic {
    /// The value standing for "panicked".
    fn from_panic() -> Self;
}

/// The `internal` failure of a panic.
pub fn internal_failure() -> Failure {
    Failure {
        code: "internal".to_owned(),
        category: "internal".to_owned(),
        message: PANIC_MESSAGE.to_owned(),
    }
}

impl<T> FromPanic for napi::Result<Either<T, Failure>> {
    fn from_panic() -> Self {
        Ok(Either::B(internal_failure()))
    }
}

impl FromPanic for napi::Result<Option<Failure>> {
    fn from_panic() -> Self {
        Ok(Some(internal_failure()))
    }
}

/// Runs `fut`; a panic while polling it gives [`FromPanic::from_panic`].
pub async fn caught<R: FromPanic>(fut: impl Future<Output = R>) -> R {
    CatchUnwind(Box::pin(fut))
        .await
        .unwrap_or_else(|()| R::from_panic())
}

/// Runs `fut`; a panic while polling it gives `Err(())` (for callers that build the error
/// themselves, see [`internal_error`]).
pub fn catch<F: Future>(fut: F) -> CatchUnwind<F> {
    CatchUnwind(Box::pin(fut))
}

/// A napi error that rejects/throws as an `InternalError` with `.code = 'internal'` (needs the
/// env: for promise callbacks, where a status-only error would show napi's status as the code).
pub fn internal_error(env: &Env) -> napi::Error {
    // SAFETY: `env` is the env of the running callback, on its thread.
    match unsafe { crate::error::create_error(env.raw(), "internal", PANIC_MESSAGE) } {
        // SAFETY: `value` was just made on this env.
        Some(value) => napi::Error::from(unsafe { Unknown::from_raw_unchecked(env.raw(), value) }),
        None => napi::Error::new(Status::GenericFailure, PANIC_MESSAGE),
    }
}

/// Test hook (not in the published types): panics inside an export, so the tests can prove the
/// panic reaches JS as `internal` and the process survives. Refuses to run unless the
/// environment variable `TOKENWARD_TEST_PANIC` is `1`.
#[napi(js_name = "__panicForTest", skip_typescript, catch_unwind)]
#[allow(clippy::panic)] // the point of this hook
pub fn panic_for_test() -> napi::Result<(), crate::error::Code> {
    if std::env::var("TOKENWARD_TEST_PANIC").as_deref() != Ok("1") {
        return Err(crate::error::to_js(tokenward::Error::new(
            tokenward::ErrorCode::InvalidInput,
            "test hook disabled",
        )));
    }
    panic!("test panic holding a pretend secret sk_live_0123456789");
}

/// Async twin of [`panic_for_test`]: the future panics while polled.
#[napi(js_name = "__panicForTestAsync", skip_typescript, catch_unwind)]
#[allow(clippy::panic)] // the point of this hook
pub async fn panic_for_test_async() -> napi::Result<Either<String, Failure>> {
    let enabled = std::env::var("TOKENWARD_TEST_PANIC").as_deref() == Ok("1");
    caught(async move {
        if enabled {
            panic!("async test panic");
        }
        Ok(Either::B(crate::jwt_remote::failure(
            tokenward::Error::new(tokenward::ErrorCode::InvalidInput, "test hook disabled"),
        )))
    })
    .await
}

/// A value whose conversion to JS panics (for [`panic_in_listener_for_test`]).
pub struct PanicsWhenConverted;

impl ToNapiValue for PanicsWhenConverted {
    #[allow(clippy::panic)] // the point of this type
    unsafe fn to_napi_value(_env: sys::napi_env, _value: Self) -> napi::Result<sys::napi_value> {
        panic!("test panic while converting a listener's value, holding sk_live_0123456789");
    }
}

/// Test hook (not in the published types): makes a [`listener`] of `callback` and sends it one
/// value whose conversion panics, so the tests can prove the process survives and sees an
/// uncaught `internal` error. Refuses to run unless `TOKENWARD_TEST_PANIC` is `1`.
#[napi(js_name = "__panicInListenerForTest", skip_typescript, catch_unwind)]
pub fn panic_in_listener_for_test(
    callback: Function<PanicsWhenConverted, ()>,
) -> napi::Result<(), crate::error::Code> {
    if std::env::var("TOKENWARD_TEST_PANIC").as_deref() != Ok("1") {
        return Err(crate::error::to_js(tokenward::Error::new(
            tokenward::ErrorCode::InvalidInput,
            "test hook disabled",
        )));
    }
    let tsfn = listener(callback).map_err(|_| {
        crate::error::to_js(tokenward::Error::new(
            tokenward::ErrorCode::Internal,
            "cannot make the listener",
        ))
    })?;
    tsfn.call(PanicsWhenConverted, ThreadsafeFunctionCallMode::NonBlocking);
    Ok(())
}
