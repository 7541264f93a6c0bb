//! `slakit._slakit.Partial`: the core's partial evaluation (docs/scale-out.md).

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use slakit::{Error, ErrorCode};

use crate::errors::{detached, guard, to_py_err};
use crate::policy::{PyPolicy, PyReport, as_of_ms};
use crate::records::PyRecords;

/// The result of evaluating some partitions: merge, serialize, finish.
#[pyclass(frozen, module = "slakit._slakit", name = "Partial")]
pub struct PyPartial {
    inner: slakit::Partial,
}

impl PyPolicy {
    /// Evaluate a partition: `as_of` is required (every partition must use one).
    pub fn partial(
        &self,
        py: Python<'_>,
        records: &Bound<'_, PyRecords>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyPartial> {
        guard(py, || {
            let Some(at) = as_of_ms(py, as_of)? else {
                let e = Error::new(
                    ErrorCode::InvalidArguments,
                    "evaluate_partial needs an explicit as_of: a default taken from each partition's records would differ between partitions",
                );
                return Err(to_py_err(py, &e));
            };
            let records = records.get();
            let policy = self.policy();
            let partial = detached(py, || {
                policy
                    .evaluate_partial(&records.records, at)
                    .map_err(|e| records.locate(e))
            })?;
            Ok(PyPartial { inner: partial })
        })
    }
}

#[pymethods]
impl PyPartial {
    /// Combine with the partial of other deployments (order does not matter).
    fn merge(&self, py: Python<'_>, other: &Bound<'_, PyPartial>) -> PyResult<PyPartial> {
        guard(py, || {
            let (a, b) = (&self.inner, &other.get().inner);
            let merged = detached(py, || a.clone().merge(b.clone()))?;
            Ok(PyPartial { inner: merged })
        })
    }

    /// The report, under the policy the partials were computed with.
    fn finish(&self, py: Python<'_>, policy: &Bound<'_, PyPolicy>) -> PyResult<PyReport> {
        guard(py, || {
            let p = &self.inner;
            let policy = policy.get().policy();
            let report = detached(py, || p.clone().finish(&policy))?;
            Ok(PyReport::new(report))
        })
    }

    /// The compact, versioned byte form.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        guard(py, || {
            let p = &self.inner;
            let bytes = detached(py, || p.to_bytes())?;
            Ok(PyBytes::new(py, &bytes))
        })
    }

    /// Read the byte form (`UsageError` `E310` when it is of another
    /// version, truncated or corrupt).
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<PyPartial> {
        guard(py, || {
            let data = data.to_vec();
            let inner = detached(py, move || slakit::Partial::from_bytes(&data))?;
            Ok(PyPartial { inner })
        })
    }

    /// The evaluation instant (RFC 3339 UTC).
    #[getter]
    fn as_of(&self) -> String {
        slakit::instant::format(self.inner.as_of())
    }

    /// The `sha256:` digest of the policy it was computed under.
    #[getter]
    fn policy_digest(&self) -> String {
        self.inner.policy_digest().to_string()
    }

    /// Deployments judged so far.
    #[getter]
    fn deployments(&self) -> usize {
        self.inner.deployments()
    }

    /// Records read so far (interval records given to several partitions count once).
    #[getter]
    fn records(&self) -> u64 {
        self.inner.records()
    }
}
