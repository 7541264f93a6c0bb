//! The error boundary: every call into the core goes through [`detached`]
//! (release the GIL, catch panics, map errors), and every entry point
//! through [`guard`] (catch panics that happen while converting).
//!
//! A core error becomes an instance of one class of `slakit._errors`,
//! chosen by an exhaustive `match` on the core's error kind; a panic becomes
//! `slakit.InternalError` (code `E900`), never pyo3's `PanicException`.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use slakit::{Error, ErrorCode, ErrorKind};

/// The Python class (in `slakit._errors`) that carries a core error.
pub fn class_name(code: ErrorCode) -> &'static str {
    match code.kind() {
        ErrorKind::Policy => "PolicyError",
        ErrorKind::Input => "RecordError",
        ErrorKind::Usage if code == ErrorCode::Internal => "InternalError",
        ErrorKind::Usage => "UsageError",
    }
}

/// A core error as a Python exception of the matching class, with every
/// known attribute (`code`, `message`, `kind`, `file`, `line`, `column`,
/// `record_index`, `path`).
pub fn to_py_err(py: Python<'_>, e: &Error) -> PyErr {
    match build(py, e) {
        Ok(err) => err,
        // Only when `slakit._errors` itself cannot be imported.
        Err(why) => PyRuntimeError::new_err(format!("{e} (and the error class failed: {why})")),
    }
}

fn build(py: Python<'_>, e: &Error) -> PyResult<PyErr> {
    let class = py.import("slakit._errors")?.getattr(class_name(e.code))?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("code", e.code.as_str())?;
    kwargs.set_item("kind", e.kind().as_str())?;
    kwargs.set_item("file", e.location.file.as_deref())?;
    kwargs.set_item("line", e.location.line)?;
    kwargs.set_item("column", e.location.column)?;
    kwargs.set_item("record_index", e.location.record_index)?;
    kwargs.set_item("path", e.location.path.as_deref())?;
    kwargs.set_item("text", e.to_string())?;
    let instance = class.call((e.message.as_str(),), Some(&kwargs))?;
    Ok(PyErr::from_value(instance))
}

/// The error that stands for a caught panic.
pub fn panic_error(payload: &(dyn Any + Send)) -> Error {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string());
    Error::new(
        ErrorCode::Internal,
        format!("internal error, a bug in slakit (please report it): {what}"),
    )
}

/// Run one entry point's body (which holds the GIL), turning a panic into
/// `slakit.InternalError`.
pub fn guard<T>(py: Python<'_>, body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => Err(to_py_err(py, &panic_error(payload.as_ref()))),
    }
}

/// Run `work` with the GIL released and panics caught, then map its error.
/// Every call into the core that may take time goes through here.
pub fn detached<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> slakit::Result<T> + Send,
{
    py.detach(|| match catch_unwind(AssertUnwindSafe(work)) {
        Ok(result) => result,
        Err(payload) => Err(panic_error(payload.as_ref())),
    })
    .map_err(|e| to_py_err(py, &e))
}
