//! Python bindings of slakit: the private native module `slakit._slakit`.
//!
//! The public API is the pure-Python package `slakit` (bindings/python/python);
//! this module only converts, calls the core, maps errors and releases the GIL.
//! Every entry point runs inside `errors::guard` and every core call inside
//! `errors::detached`, so no Rust panic reaches Python as `PanicException`.
#![allow(
    unsafe_code,
    reason = "pyo3's #[pymodule]/#[pyclass] macros expand to unsafe FFI glue"
)]

mod baseline;
mod columns;
mod errors;
mod gate;
mod partial;
mod policy;
mod records;
mod values;

use pyo3::prelude::*;

/// Every error code with its kind and the Python class that carries it
/// (for the tests and the docs: each code must reach Python intact).
#[pyfunction]
fn _error_classes() -> Vec<(&'static str, &'static str, &'static str)> {
    slakit::ErrorCode::ALL
        .iter()
        .map(|c| (c.as_str(), c.kind().as_str(), errors::class_name(*c)))
        .collect()
}

/// Test hook: panic on purpose, with the GIL held or released, to show that
/// a panic surfaces as `slakit.InternalError` (ADVERSARIAL §38).
#[pyfunction]
#[pyo3(signature = (detach=false))]
#[allow(clippy::panic, reason = "the test hook exists to panic")]
fn _panic_for_tests(py: Python<'_>, detach: bool) -> PyResult<()> {
    errors::guard(py, || {
        if detach {
            errors::detached(py, || -> slakit::Result<()> {
                panic!("forced panic for tests (GIL released)")
            })
        } else {
            panic!("forced panic for tests (GIL held)")
        }
    })
}

#[pymodule]
fn _slakit(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<policy::PyPolicy>()?;
    m.add_class::<policy::PyReport>()?;
    m.add_class::<gate::PyDecision>()?;
    m.add_class::<records::PyRecords>()?;
    m.add_class::<partial::PyPartial>()?;
    m.add_class::<baseline::PyBaseline>()?;
    m.add_function(wrap_pyfunction!(baseline::baseline, m)?)?;
    m.add_function(wrap_pyfunction!(_error_classes, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    Ok(())
}
