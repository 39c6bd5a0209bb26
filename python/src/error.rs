//! Maps core errors to the Python exception hierarchy defined in `tokenward/_errors.py`.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

static FROM_NATIVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static INVALID_INPUT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Converts a core error into the matching `TokenwardError` subclass, with `.code` set.
pub(crate) fn to_py(err: tokenward::Error) -> PyErr {
    Python::attach(|py| match build(py, &err) {
        Ok(exc) => PyErr::from_value(exc),
        Err(import_failure) => import_failure,
    })
}

fn build<'py>(py: Python<'py>, err: &tokenward::Error) -> PyResult<Bound<'py, PyAny>> {
    let factory = FROM_NATIVE.get_or_try_init(py, || {
        Ok::<_, PyErr>(
            py.import("tokenward._errors")?
                .getattr("_from_native")?
                .unbind(),
        )
    })?;
    let code = err.code();
    factory
        .bind(py)
        .call1((code.as_str(), code.category().as_str(), err.message()))
}

/// Which built-in exception a binding-side refusal must stay catchable as: these were plain
/// `ValueError`/`TypeError` before they became `InvalidInputError`s.
#[derive(Clone, Copy)]
pub(crate) enum Builtin {
    /// `InvalidInputError` (a `ValueError`): a refused value.
    Value,
    /// `InvalidInputTypeError` (an `InvalidInputError` and a `TypeError`): a wrong type.
    Type,
}

/// The binding itself refuses an argument: an `InvalidInputError` with code `invalid_input`.
/// Every refusal in python/src goes through here, so callers can switch on `.code` as they do
/// for core errors. The message must not quote the argument (it may be a secret).
pub(crate) fn invalid_input(builtin: Builtin, message: impl Into<String>) -> PyErr {
    let message = message.into();
    Python::attach(|py| {
        let built = INVALID_INPUT
            .get_or_try_init(py, || {
                Ok::<_, PyErr>(
                    py.import("tokenward._errors")?
                        .getattr("_invalid_input")?
                        .unbind(),
                )
            })
            .and_then(|factory| {
                factory
                    .bind(py)
                    .call1((message, matches!(builtin, Builtin::Type)))
            });
        match built {
            Ok(exc) => PyErr::from_value(exc),
            Err(import_failure) => import_failure,
        }
    })
}

/// Extension trait: `core_result.py()?` inside binding functions.
pub(crate) trait IntoPyResult<T> {
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for tokenward::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}
