//! `slakit._slakit.Policy` and `slakit._slakit.Report`.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyType};
use slakit::{Error, ErrorCode};

use crate::errors::{detached, guard, to_py_err};
use crate::gate::{Proposal, PyDecision};
use crate::records::{PyRecords, read_text};
use crate::values::Converter;

/// A compiled policy; immutable, so one instance serves every thread.
#[pyclass(frozen, module = "slakit._slakit", name = "Policy")]
pub struct PyPolicy {
    inner: Arc<slakit::Policy>,
    source: (&'static str, Arc<str>),
}

impl PyPolicy {
    /// The compiled policy, shared.
    pub(crate) fn policy(&self) -> Arc<slakit::Policy> {
        Arc::clone(&self.inner)
    }
}

/// Compile `text` with the core reader named by `format`, keeping the text.
fn compile(py: Python<'_>, format: &'static str, text: String) -> PyResult<PyPolicy> {
    let policy = detached(py, || match format {
        "yaml" => slakit::Policy::from_yaml(&text),
        "json" => slakit::Policy::from_json(&text),
        _ => slakit::Policy::from_text(&text),
    })?;
    Ok(PyPolicy {
        inner: Arc::new(policy),
        source: (format, Arc::from(text)),
    })
}

/// `as_of` as the caller gave it: `None`, an aware `datetime`, or RFC 3339 text.
pub(crate) fn as_of_ms(py: Python<'_>, as_of: Option<&Bound<'_, PyAny>>) -> PyResult<Option<i64>> {
    let Some(obj) = as_of.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    instant_ms(
        py,
        obj,
        "as_of",
        "an aware datetime, an RFC 3339 string or None",
    )
    .map(Some)
}

/// The gate's `at`: an aware `datetime` or RFC 3339 text, never defaulted
/// (the core reads no clock).
fn at_ms(py: Python<'_>, at: &Bound<'_, PyAny>) -> PyResult<i64> {
    const NO_CLOCK: &str =
        "the gate reads no clock: pass `datetime.now(timezone.utc)` to decide for now";
    if let Ok(s) = at.cast::<PyString>()
        && s.to_cow()?.trim().eq_ignore_ascii_case("now")
    {
        let e = Error::new(
            ErrorCode::InvalidAsOf,
            format!("invalid at: `now` is not an instant; {NO_CLOCK}"),
        );
        return Err(to_py_err(py, &e));
    }
    if at.is_none() {
        return Err(PyTypeError::new_err(format!(
            "at is required: an aware datetime or an RFC 3339 string; {NO_CLOCK}"
        )));
    }
    instant_ms(py, at, "at", "an aware datetime or an RFC 3339 string")
}

/// An instant argument named `name`: an aware `datetime` or RFC 3339 text;
/// another type is a `TypeError` saying what was `expected`, a naive
/// `datetime` or bad text a `UsageError` `E300`.
fn instant_ms(py: Python<'_>, obj: &Bound<'_, PyAny>, name: &str, expected: &str) -> PyResult<i64> {
    let text: String = if let Ok(s) = obj.cast::<PyString>() {
        s.to_cow()?.into_owned()
    } else {
        let datetime = py
            .import("datetime")?
            .getattr("datetime")?
            .cast_into::<PyType>()?;
        if !obj.is_instance(&datetime)? {
            return Err(PyTypeError::new_err(format!(
                "{name} must be {expected}, not `{}`",
                crate::values::type_name(obj)
            )));
        }
        let iso: String = obj.call_method0("isoformat")?.extract()?;
        if obj.call_method0("utcoffset")?.is_none() {
            let e = Error::new(
                ErrorCode::InvalidAsOf,
                format!(
                    "invalid {name}: `{iso}` is a naive datetime (it has no tzinfo); pass an aware datetime, e.g. `datetime(..., tzinfo=timezone.utc)`"
                ),
            );
            return Err(to_py_err(py, &e));
        }
        iso
    };
    slakit::parse_as_of(text.trim()).map_err(|mut e| {
        // The core speaks of `as_of`; name the caller's parameter.
        if let Some(rest) = e.message.strip_prefix("invalid as_of:") {
            e.message = format!("invalid {name}:{rest}");
        }
        to_py_err(py, &e)
    })
}

#[pymethods]
impl PyPolicy {
    /// Compile a policy written in YAML.
    #[staticmethod]
    fn from_yaml(py: Python<'_>, text: String) -> PyResult<PyPolicy> {
        guard(py, || compile(py, "yaml", text))
    }

    /// Compile a policy written in JSON.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: String) -> PyResult<PyPolicy> {
        guard(py, || compile(py, "json", text))
    }

    /// Compile a policy in YAML or JSON (JSON when it starts with `{`).
    #[staticmethod]
    fn from_text(py: Python<'_>, text: String) -> PyResult<PyPolicy> {
        guard(py, || compile(py, "text", text))
    }

    /// Compile a policy given as Python data (dicts, lists, scalars).
    #[staticmethod]
    fn from_object(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<PyPolicy> {
        guard(py, || {
            let value = Converter::new(py)?.value(obj).map_err(|e| {
                let pointer = e.pointer();
                let err = Error::new(ErrorCode::InvalidValue, e.message());
                to_py_err(
                    py,
                    &if pointer.is_empty() {
                        err
                    } else {
                        err.at_path(pointer)
                    },
                )
            })?;
            compile(py, "json", value.to_string())
        })
    }

    /// Read and compile a policy file (YAML or JSON); errors name the file.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<PyPolicy> {
        guard(py, || {
            let name = path.display().to_string();
            let (policy, text) = detached(py, || {
                let text = read_text(&path, &name, ErrorCode::PolicySyntax)?;
                let policy =
                    slakit::Policy::from_text(&text).map_err(|e| e.in_file(name.clone()))?;
                Ok((policy, text))
            })?;
            Ok(PyPolicy {
                inner: Arc::new(policy),
                source: ("text", Arc::from(text)),
            })
        })
    }

    /// The policy's `name`.
    #[getter]
    fn name(&self) -> String {
        self.inner.name.clone()
    }

    /// `sha256:` digest of the canonical policy document.
    #[getter]
    fn digest(&self) -> String {
        self.inner.digest.clone()
    }

    /// How the policy was given: (`yaml` | `json` | `text`, the text), so
    /// that it can be compiled again the same way (used to pickle).
    #[getter]
    fn source(&self) -> (&'static str, String) {
        (self.source.0, self.source.1.to_string())
    }

    /// The SLA ids, in policy order.
    #[getter]
    fn sla_ids(&self) -> Vec<String> {
        self.inner.slas.iter().map(|s| s.id.clone()).collect()
    }

    /// The lint warnings, as `(code, message)` pairs.
    fn check(&self, py: Python<'_>) -> PyResult<Vec<(String, String)>> {
        guard(py, || {
            Ok(self
                .inner
                .check()
                .into_iter()
                .map(|w| (w.code, w.message))
                .collect())
        })
    }

    /// Evaluate at `as_of` (`None`: the latest lifecycle event).
    #[pyo3(signature = (records, as_of=None))]
    fn evaluate(
        &self,
        py: Python<'_>,
        records: &Bound<'_, PyRecords>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyReport> {
        guard(py, || {
            let at = as_of_ms(py, as_of)?;
            let records = records.get();
            let policy = &self.inner;
            let report = detached(py, || {
                policy
                    .evaluate_at(&records.records, at)
                    .map_err(|e| records.locate(e))
            })?;
            Ok(PyReport { inner: report })
        })
    }

    /// Evaluate one partition of the records at `as_of` (required): a
    /// `Partial` to merge with the other partitions' and finish.
    #[pyo3(signature = (records, as_of=None))]
    fn evaluate_partial(
        &self,
        py: Python<'_>,
        records: &Bound<'_, PyRecords>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<crate::partial::PyPartial> {
        self.partial(py, records, as_of)
    }

    /// May `proposed` deploy at `at`? The policy's gates against the records.
    fn gate(
        &self,
        py: Python<'_>,
        records: &Bound<'_, PyRecords>,
        proposed: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<PyDecision> {
        guard(py, || {
            let at = at_ms(py, at)?;
            let proposal = Proposal::read(py, proposed)?;
            let records = records.get();
            let policy = &self.inner;
            let decision = detached(py, || {
                // Errors about the proposed deployment are not about the records.
                let proposed = proposal.parse()?;
                policy
                    .gate(&records.records, &proposed, at)
                    .map_err(|e| records.locate(e))
            })?;
            Ok(PyDecision { inner: decision })
        })
    }

    /// One deployment's clocks as a timeline, as JSON text.
    #[pyo3(signature = (records, deployment, as_of=None))]
    fn explain_json(
        &self,
        py: Python<'_>,
        records: &Bound<'_, PyRecords>,
        deployment: String,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        guard(py, || {
            let at = as_of_ms(py, as_of)?;
            let records = records.get();
            let policy = &self.inner;
            detached(py, || {
                let explanation = policy
                    .explain_at(&records.records, &deployment, at)
                    .map_err(|e| records.locate(e))?;
                serde_json::to_string(&explanation).map_err(|e| {
                    Error::new(
                        ErrorCode::Internal,
                        format!("cannot write the explanation: {e}"),
                    )
                })
            })
        })
    }
}

/// An evaluation report (the core's, unchanged).
#[pyclass(frozen, module = "slakit._slakit", name = "Report")]
pub struct PyReport {
    inner: slakit::Report,
}

impl PyReport {
    /// Wrap a core report.
    pub(crate) fn new(inner: slakit::Report) -> PyReport {
        PyReport { inner }
    }
}

#[pymethods]
impl PyReport {
    /// The report as pretty JSON, exactly `Report::to_json()` (no trailing newline).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            let report = &self.inner;
            detached(py, || Ok(report.to_json()))
        })
    }

    /// The report as a self-contained HTML dashboard, exactly `Report::to_html()`.
    fn to_html(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            let report = &self.inner;
            detached(py, || report.to_html())
        })
    }

    /// The leadership report in Markdown, exactly `slakit::render::markdown`.
    fn to_markdown(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            let report = &self.inner;
            detached(py, || Ok::<_, Error>(slakit::render::markdown(report)))
        })
    }

    /// One top-level section of the report as compact JSON text.
    fn section_json(&self, py: Python<'_>, name: &str) -> PyResult<String> {
        guard(py, || {
            let r = &self.inner;
            let name = name.to_string();
            detached(py, move || {
                let text = match name.as_str() {
                    "results" => serde_json::to_string(&r.results),
                    "deployments" => serde_json::to_string(&r.deployments),
                    "vendors" => serde_json::to_string(&r.vendors),
                    "dora" => serde_json::to_string(&r.dora),
                    "findings" => serde_json::to_string(&r.findings),
                    "warnings" => serde_json::to_string(&r.warnings),
                    "in_force" => serde_json::to_string(&r.in_force),
                    "inputs" => serde_json::to_string(&r.inputs),
                    "policy" => serde_json::to_string(&r.policy),
                    "engine" => serde_json::to_string(&r.engine),
                    other => {
                        return Err(Error::new(
                            ErrorCode::InvalidArguments,
                            format!("the report has no section `{other}`"),
                        ));
                    }
                };
                text.map_err(|e| {
                    Error::new(ErrorCode::Internal, format!("cannot write the report: {e}"))
                })
            })
        })
    }

    /// The evaluation instant (RFC 3339 UTC).
    #[getter]
    fn as_of(&self) -> String {
        self.inner.as_of.clone()
    }

    /// True when any result row is `breached`.
    #[getter]
    fn has_breach(&self) -> bool {
        self.inner.has_breach()
    }
}
