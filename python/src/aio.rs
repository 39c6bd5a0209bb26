//! The awaitables of the `*_async` methods, without a thread hop.
//!
//! * An answer known when the method is called (a usable cached token, a token verified with
//!   cached keys, a refusal) is returned as a [`Ready`]: its `__await__` finishes at once on the
//!   calling thread, without touching the event loop, a Rust future or another thread.
//! * Work that needs I/O runs on the library's tokio runtime (the GIL is not held meanwhile) and
//!   completes an asyncio future of the running loop through `loop.call_soon_threadsafe`; core
//!   errors arrive as the usual `TokenwardError` subclasses with `.code`. Cancelling that future
//!   (`task.cancel()`, `asyncio.wait_for` timing out) aborts the runtime task.

use std::future::Future;

use pyo3::exceptions::PyStopIteration;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyCFunction, PyTuple};
use pyo3::IntoPyObjectExt;

use crate::error::IntoPyResult;

/// An awaitable whose answer is already known: `await` returns it (or raises it) at once.
#[pyclass(module = "tokenward", name = "Ready", frozen, freelist = 32)]
pub(crate) struct Ready(Result<Py<PyAny>, PyErr>);

impl Ready {
    /// The awaitable of `result` (an error is raised by `await`).
    pub(crate) fn of<'py, T>(py: Python<'py>, result: PyResult<T>) -> PyResult<Bound<'py, PyAny>>
    where
        T: IntoPyObject<'py>,
    {
        let inner = match result {
            Ok(v) => Ok(v.into_bound_py_any(py)?.unbind()),
            Err(e) => Err(e),
        };
        Ok(Bound::new(py, Ready(inner))?.into_any())
    }
}

#[pymethods]
impl Ready {
    fn __await__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    /// Finishes the `await`: `StopIteration(value)` carries the answer.
    fn __next__(&self, py: Python<'_>) -> PyResult<()> {
        match &self.0 {
            Ok(v) => Err(PyStopIteration::new_err((v.clone_ref(py),))),
            Err(e) => Err(e.clone_ref(py)),
        }
    }

    fn __repr__(&self) -> &'static str {
        "<tokenward awaitable (ready)>"
    }
}

static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static SETTLE: PyOnceLock<Py<PyCFunction>> = PyOnceLock::new();

/// `settle(future, ok, value)`, run by the loop: sets the result (`ok`) or the exception unless
/// the future is already done (cancelled).
fn settle(py: Python<'_>) -> PyResult<&Bound<'_, PyCFunction>> {
    SETTLE
        .get_or_try_init(py, || {
            PyCFunction::new_closure(py, None, None, |args: &Bound<'_, PyTuple>, _kw| {
                let fut = args.get_item(0)?;
                if fut.call_method0("done")?.is_truthy()? {
                    return Ok(());
                }
                let method = if args.get_item(1)?.is_truthy()? {
                    "set_result"
                } else {
                    "set_exception"
                };
                fut.call_method1(method, (args.get_item(2)?,)).map(|_| ())
            })
            .map(Bound::unbind)
        })
        .map(|f| f.bind(py))
}

/// Runs `work` on the library's runtime and returns an asyncio future of the running loop
/// that `convert`'s value (or the error) completes. Needs a running loop (`RuntimeError`
/// otherwise, as `asyncio.get_running_loop()`).
pub(crate) fn spawn<'py, F, T, C>(
    py: Python<'py>,
    work: F,
    convert: C,
) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = tokenward::Result<T>> + Send + 'static,
    T: Send + 'static,
    C: for<'a> FnOnce(Python<'a>, T) -> PyResult<Py<PyAny>> + Send + 'static,
{
    let get_loop = GET_RUNNING_LOOP.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("asyncio")?.getattr("get_running_loop")?.unbind())
    })?;
    let event_loop = get_loop.bind(py).call0()?;
    let fut = event_loop.call_method0("create_future")?;
    let handle = tokenward::__bindings::runtime::handle().py()?;
    let fut_ref = fut.clone().unbind();
    let loop_ref = event_loop.unbind();
    let task = handle.spawn(async move {
        let r = work.await;
        Python::attach(|py| {
            let (ok, value) = match r.py().and_then(|v| convert(py, v)) {
                Ok(v) => (true, v),
                Err(e) => (false, e.into_value(py).into_any()),
            };
            let sent = settle(py).and_then(|cb| {
                loop_ref
                    .bind(py)
                    .call_method1("call_soon_threadsafe", (cb, fut_ref.bind(py), ok, value))
            });
            // An error here means the loop is closed: nobody awaits the answer any more.
            drop(sent);
        });
    });
    let abort = task.abort_handle();
    let on_done = PyCFunction::new_closure(py, None, None, move |_args, _kw| {
        // A finished task ignores this; a cancelled future stops the runtime task.
        abort.abort();
    })?;
    fut.call_method1("add_done_callback", (on_done,))?;
    Ok(fut)
}
