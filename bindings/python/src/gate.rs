//! `slakit._slakit.Decision`, and the proposed deployment of `Policy.gate`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use serde_json::Value;
use slakit::gate::{Decision, Proposed, parse_proposed};

use crate::errors::{detached, guard, to_py_err};
use crate::values::{Converter, type_name};

/// The proposed deployment as the caller gave it, read with the GIL held;
/// the core parses it (with the GIL released) in [`Proposal::parse`].
pub enum Proposal {
    /// JSON text, as `slakit gate --deployment` takes it.
    Text(String),
    /// A mapping, converted as a record is.
    Value(Value),
}

impl Proposal {
    /// Read `obj`: a `str` (JSON text) or a mapping with string keys.
    /// Anything else is a `TypeError`; a value with no JSON form is a
    /// `RecordError` at its JSON pointer.
    pub fn read(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Proposal> {
        if let Ok(s) = obj.cast::<PyString>() {
            return Ok(Proposal::Text(s.to_cow()?.into_owned()));
        }
        let mapping = py.import("collections.abc")?.getattr("Mapping")?;
        if !obj.is_instance(&mapping)? {
            return Err(PyTypeError::new_err(format!(
                "proposed must be a dict such as {{\"deployment\": \"d-1\", \"service\": \"checkout\"}} or its JSON text, not `{}`",
                type_name(obj)
            )));
        }
        let converter = Converter::new(py)?;
        let converted = match obj.cast::<PyDict>() {
            Ok(d) => converter.dict(d).map(Value::Object),
            Err(_) => converter.value(obj),
        };
        converted
            .map(Proposal::Value)
            .map_err(|e| to_py_err(py, &e.into_value_error("the proposed deployment")))
    }

    /// The core's reading of it (`E200` bad JSON, `E201` no `deployment`,
    /// `E202` a bad or unknown field).
    pub fn parse(self) -> slakit::Result<Proposed> {
        match self {
            Proposal::Text(text) => parse_proposed(&text),
            Proposal::Value(value) => Proposed::from_value(value),
        }
    }
}

/// A gate decision (the core's, unchanged).
#[pyclass(frozen, module = "slakit._slakit", name = "Decision")]
pub struct PyDecision {
    pub inner: Decision,
}

#[pymethods]
impl PyDecision {
    /// The decision as pretty JSON, exactly `Decision::to_json()` (no trailing newline).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            let decision = &self.inner;
            detached(py, || Ok(decision.to_json()))
        })
    }

    /// True when the deployment may proceed (`decision == "allow"`).
    #[getter]
    fn allowed(&self) -> bool {
        self.inner.allowed()
    }

    /// `allow` or `deny`.
    #[getter]
    fn decision(&self) -> String {
        self.inner.decision.clone()
    }
}
