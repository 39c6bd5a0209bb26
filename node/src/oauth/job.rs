//! A request running on the library runtime, awaited by a `Pending…` object.

use std::sync::{Mutex, PoisonError};

use crate::napi;
use crate::napi::bindgen_prelude::Either;
use tokenward::{Error, ErrorCode};

use super::convert::{failure, invalid_input};
use crate::jwt_remote::Failure;

/// A request running on the library runtime, awaited once by a `Pending…` object's `wait()`.
pub(super) struct Job<T>(Mutex<Option<napi::tokio::task::JoinHandle<tokenward::Result<T>>>>);

impl<T> Job<T> {
    pub(super) fn new(handle: napi::tokio::task::JoinHandle<tokenward::Result<T>>) -> Self {
        Job(Mutex::new(Some(handle)))
    }

    /// The job's value as `wrap(value)`, or its failure (`invalid_input` when already awaited,
    /// `internal` when `what` was aborted).
    pub(super) async fn wait<U>(
        &self,
        what: &str,
        wrap: impl FnOnce(T) -> U,
    ) -> Either<U, Failure> {
        let job = self.0.lock().unwrap_or_else(PoisonError::into_inner).take();
        let Some(job) = job else {
            return Either::B(failure(invalid_input("already awaited")));
        };
        match job.await {
            Ok(Ok(value)) => Either::A(wrap(value)),
            Ok(Err(e)) => Either::B(failure(e)),
            Err(_) => Either::B(failure(Error::new(
                ErrorCode::Internal,
                format!("the {what} was aborted"),
            ))),
        }
    }
}
