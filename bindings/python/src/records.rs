//! `slakit._slakit.Records`: parsed records, ready to evaluate many times.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::Value;
use slakit::record::{Origin, record_from_value};
use slakit::{Error, ErrorCode, ErrorKind, Record};

use crate::columns;
use crate::errors::{detached, guard, to_py_err};
use crate::values::Converter;

/// Records parsed by the core, shared (immutably) by every evaluation.
#[pyclass(frozen, module = "slakit._slakit", name = "Records")]
pub struct PyRecords {
    pub records: Arc<Vec<Record>>,
    /// The file the records were read from, for error locations.
    pub file: Option<String>,
}

impl PyRecords {
    /// Give an engine error about these records the file they came from,
    /// as the CLI does for a single records file.
    pub fn locate(&self, mut e: Error) -> Error {
        if let Some(file) = &self.file
            && e.location.file.is_none()
            && e.kind() == ErrorKind::Input
        {
            e.location.file = Some(file.clone());
        }
        e
    }
}

#[pymethods]
impl PyRecords {
    /// Read a JSON Lines or JSON array file (the GIL is released while
    /// reading and parsing). Errors name the file.
    #[staticmethod]
    fn from_path(py: Python<'_>, path: PathBuf) -> PyResult<PyRecords> {
        guard(py, || {
            let name = path.display().to_string();
            let records = detached(py, || {
                let text = read_text(&path, &name, ErrorCode::RecordSyntax)?;
                slakit::parse_records(&text).map_err(|e| e.in_file(name.clone()))
            })?;
            Ok(PyRecords {
                records: Arc::new(records),
                file: Some(name),
            })
        })
    }

    /// Parse JSON Lines or a JSON array held in a string.
    #[staticmethod]
    #[pyo3(signature = (text, file=None))]
    fn from_text(py: Python<'_>, text: String, file: Option<String>) -> PyResult<PyRecords> {
        guard(py, || {
            let records = detached(py, || {
                slakit::parse_records(&text).map_err(|e| match &file {
                    Some(f) => e.in_file(f.clone()),
                    None => e,
                })
            })?;
            Ok(PyRecords {
                records: Arc::new(records),
                file,
            })
        })
    }

    /// Records from an iterable of dicts (any mapping with string keys).
    #[staticmethod]
    fn from_objects(py: Python<'_>, objects: &Bound<'_, PyAny>) -> PyResult<PyRecords> {
        guard(py, || {
            let converter = Converter::new(py)?;
            let mut values = Vec::new();
            for (index, obj) in objects.try_iter()?.enumerate() {
                let obj = obj?;
                let converted = match obj.cast::<PyDict>() {
                    Ok(d) => converter.dict(d).map(Value::Object),
                    Err(_) => converter.value(&obj),
                };
                match converted {
                    Ok(v) => values.push(v),
                    Err(e) => return Err(to_py_err(py, &e.into_record_error(index, None))),
                }
            }
            let records = detached(py, move || {
                values
                    .into_iter()
                    .enumerate()
                    .map(|(index, v)| record_from_value(v, Origin { index, line: None }))
                    .collect::<slakit::Result<Vec<_>>>()
            })?;
            Ok(PyRecords {
                records: Arc::new(records),
                file: None,
            })
        })
    }

    /// Records from column descriptors (see `columns.rs`): how a DataFrame or
    /// an Arrow table arrives.
    #[staticmethod]
    fn from_columns(py: Python<'_>, batches: &Bound<'_, PyList>) -> PyResult<PyRecords> {
        guard(py, || {
            let mut specs = match columns::read(py, batches)? {
                Ok(specs) => specs,
                Err(e) => return Err(to_py_err(py, &e)),
            };
            let view = columns::view(&mut specs);
            let records = detached(py, move || columns::assemble(view))?;
            Ok(PyRecords {
                records: Arc::new(records),
                file: None,
            })
        })
    }

    fn __len__(&self) -> usize {
        self.records.len()
    }

    /// The file the records came from, if any.
    #[getter]
    fn file(&self) -> Option<String> {
        self.file.clone()
    }
}

/// Read a file as UTF-8 text, with the CLI's errors (the core's
/// [`slakit::source`]): `E302` naming the file when it cannot be read,
/// `syntax` at the line of the first bad byte.
pub fn read_text(path: &std::path::Path, name: &str, syntax: ErrorCode) -> slakit::Result<String> {
    let bytes =
        std::fs::read(path).map_err(|e| slakit::source::io_error("cannot read", name, &e))?;
    slakit::source::utf8_text(bytes, name, syntax)
}
