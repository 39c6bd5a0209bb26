//! Maps core errors to the Python exception hierarchy defined in `tokenward/_errors.py`.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

static FROM_NATIVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

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

/// Extension trait: `core_result.py()?` inside binding functions.
pub(crate) trait IntoPyResult<T> {
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for tokenward::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}
