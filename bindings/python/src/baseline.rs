//! `slakit._slakit.Baseline` and `slakit._slakit.baseline`: suggested
//! targets from history (docs/baseline.md).

use pyo3::prelude::*;

use crate::errors::{detached, guard};
use crate::policy::{PyPolicy, as_of_ms};
use crate::records::PyRecords;

/// Suggested targets (the core's baseline, unchanged).
#[pyclass(frozen, module = "slakit._slakit", name = "Baseline")]
pub struct PyBaseline {
    inner: slakit::baseline::Baseline,
}

#[pymethods]
impl PyBaseline {
    /// The baseline as pretty JSON (`slakit baseline --format json`, no trailing newline).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            let b = &self.inner;
            detached(py, || Ok(b.to_json()))
        })
    }

    /// The YAML snippet (`slakit baseline`).
    fn to_yaml(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            let b = &self.inner;
            detached(py, || Ok(b.to_yaml()))
        })
    }
}

/// Suggest targets from `records` for `policy`'s SLAs (`None`: the default
/// baseline policy) at `as_of` (`None`: the latest lifecycle event).
#[pyfunction]
#[pyo3(signature = (records, policy=None, as_of=None))]
pub fn baseline(
    py: Python<'_>,
    records: &Bound<'_, PyRecords>,
    policy: Option<&Bound<'_, PyPolicy>>,
    as_of: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyBaseline> {
    guard(py, || {
        let at = as_of_ms(py, as_of)?;
        let policy = policy.map(|p| p.get().policy());
        let records = records.get();
        let inner = detached(py, || {
            slakit::baseline::baseline(policy.as_deref(), &records.records, at)
                .map_err(|e| records.locate(e))
        })?;
        Ok(PyBaseline { inner })
    })
}
