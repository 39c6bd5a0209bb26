//! The awaitables of the `*_async` methods, without a thread hop.
//!
//! * An answer known when the method is called (a usable cached token, a token verified with
//!   cached keys, a refusal) is returned as a [`Ready`]: its `__await__` finishes at once on the
//!   calling thread, without touching the event loop, a Rust future or another thread.
//! * Work that needs I/O runs on the library's tokio runtime (the GIL is not held meanwhile) and
//!   completes an asyncio future of the running loop: the answers are queued in the loop's
//!   [`Mailbox`] and one `loop.call_soon_threadsafe` settles each batch of them; core
//!   errors arrive as the usual `TokenwardError` subclasses with `.code`. Cancelling that future
//!   (`task.cancel()`, `asyncio.wait_for` timing out) aborts the runtime task.

use std::future::Future;

use pyo3::exceptions::PyStopIteration;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyCFunction;
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
/// One [`Mailbox`] per event loop, dropped with the loop (`weakref.WeakKeyDictionary`).
static MAILBOXES: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// An answer on its way to the loop: the future to complete, and the conversion to run there
/// (with the GIL): `(true, value)` or `(false, exception)`.
type Delivery = (
    Py<PyAny>,
    Box<dyn FnOnce(Python<'_>) -> (bool, Py<PyAny>) + Send>,
);

/// The answers finished on the runtime for one event loop. The runtime's threads only queue
/// them; one `call_soon_threadsafe` per batch wakes the loop, which converts and settles the
/// whole batch. Taking the GIL once per answer from the runtime's two workers held them (and
/// the Redis connection they drive) while the loop ran Python.
#[pyclass(module = "tokenward", frozen)]
pub(crate) struct Mailbox {
    pending: std::sync::Mutex<Vec<Delivery>>,
    /// Whether a drain is already on its way to the loop.
    scheduled: std::sync::atomic::AtomicBool,
    event_loop: Py<PyAny>,
}

#[pymethods]
impl Mailbox {
    /// Run by the loop: converts and settles every queued answer (a future already done, i.e.
    /// cancelled, is left alone).
    fn drain(&self, py: Python<'_>) -> PyResult<()> {
        use std::sync::atomic::Ordering;
        // Cleared before taking the batch: an answer queued after this schedules another drain.
        self.scheduled.store(false, Ordering::SeqCst);
        let batch = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
        for (fut, deliver) in batch {
            let (ok, value) = deliver(py);
            let fut = fut.bind(py);
            if fut.call_method0("done")?.is_truthy()? {
                continue;
            }
            let method = if ok { "set_result" } else { "set_exception" };
            fut.call_method1(method, (value,))?;
        }
        Ok(())
    }
}

impl Mailbox {
    /// The mailbox of `event_loop`, made on first use.
    fn of(event_loop: &Bound<'_, PyAny>) -> PyResult<Py<Mailbox>> {
        let py = event_loop.py();
        let boxes = MAILBOXES.get_or_try_init(py, || {
            Ok::<_, PyErr>(
                py.import("weakref")?
                    .getattr("WeakKeyDictionary")?
                    .call0()?
                    .unbind(),
            )
        })?;
        let boxes = boxes.bind(py);
        let found = boxes
            .call_method1("get", (event_loop,))
            .ok()
            .and_then(|found| found.cast_into::<Mailbox>().ok());
        if let Some(found) = found {
            return Ok(found.unbind());
        }
        let mailbox = Py::new(
            py,
            Mailbox {
                pending: std::sync::Mutex::new(Vec::new()),
                scheduled: std::sync::atomic::AtomicBool::new(false),
                event_loop: event_loop.clone().unbind(),
            },
        )?;
        // A loop that cannot be weakly referenced gets a mailbox per call (one wake-up each).
        drop(boxes.set_item(event_loop, &mailbox));
        Ok(mailbox)
    }
}

/// Queues an answer for `mailbox`'s loop (from any thread); wakes the loop when no drain is on
/// its way.
fn post(mailbox: &Py<Mailbox>, delivery: Delivery) {
    use std::sync::atomic::Ordering;
    let inner = mailbox.get();
    inner
        .pending
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(delivery);
    if inner.scheduled.swap(true, Ordering::SeqCst) {
        return;
    }
    Python::attach(|py| {
        let woken = mailbox.bind(py).getattr("drain").and_then(|drain| {
            inner
                .event_loop
                .bind(py)
                .call_method1("call_soon_threadsafe", (drain,))
        });
        // An error here means the loop is closed: nobody awaits the answers any more.
        drop(woken);
    });
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
    let mailbox = Mailbox::of(&event_loop)?;
    let handle = tokenward::__bindings::runtime::handle().py()?;
    let fut_ref = fut.clone().unbind();
    let task = handle.spawn(async move {
        let r = work.await;
        let deliver = move |py: Python<'_>| match r.py().and_then(|v| convert(py, v)) {
            Ok(v) => (true, v),
            Err(e) => (false, e.into_value(py).into_any()),
        };
        post(&mailbox, (fut_ref, Box::new(deliver)));
    });
    let abort = task.abort_handle();
    let on_done = PyCFunction::new_closure(py, None, None, move |_args, _kw| {
        // A finished task ignores this; a cancelled future stops the runtime task.
        abort.abort();
    })?;
    fut.call_method1("add_done_callback", (on_done,))?;
    Ok(fut)
}
