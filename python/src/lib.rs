//! pyo3 binding of tokenward: the `tokenward._native` extension module.
//!
//! Converts types and maps errors only; behaviour lives in the core. The public Python API is
//! the `tokenward` package, which re-exports from here.

mod error;
mod secret;

use pyo3::prelude::*;

/// The native module; `tokenward/__init__.py` re-exports its contents.
#[pymodule(gil_used = false)]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    let codes: Vec<&str> = tokenward::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    m.add("ERROR_CODES", codes)?;
    m.add_class::<secret::Secret>()?;
    m.add_function(wrap_pyfunction!(secret::fingerprint, m)?)?;
    Ok(())
}
