//! Python objects to JSON values, the form the core reads records and
//! policies in (`record_from_value`, `Policy::from_json`).
//!
//! `str`, `int`, `float`, `bool`, `None`, `dict` (string keys), `list`,
//! `tuple` and aware `datetime` (as RFC 3339 text) convert; a NaN float is
//! a missing value (`null`), as in pandas. Anything else is refused with
//! the JSON pointer of the value, so the caller can say where it was.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};
use serde_json::{Map, Number, Value};

/// Why a Python value has no JSON form, and where it sits (a JSON pointer).
#[derive(Debug)]
pub struct Unconvertible {
    /// The pointer segments, innermost first (reversed when reported).
    segments: Vec<String>,
    /// What was wrong, in words.
    pub reason: Reason,
}

/// What was wrong with a value.
#[derive(Debug)]
pub enum Reason {
    /// A `datetime` without a `tzinfo`, shown as its ISO text.
    NaiveDatetime(String),
    /// A type with no JSON form.
    Unsupported(String),
    /// An infinite float.
    NonFinite,
    /// A mapping key that is not a string.
    KeyNotString(String),
    /// Python raised while the value was read.
    Python(String),
}

impl Unconvertible {
    fn new(reason: Reason) -> Unconvertible {
        Unconvertible {
            segments: Vec::new(),
            reason,
        }
    }

    fn within(mut self, segment: String) -> Unconvertible {
        self.segments.push(segment);
        self
    }

    /// The JSON pointer of the value (`""` for the value itself).
    pub fn pointer(&self) -> String {
        let mut out = String::new();
        for s in self.segments.iter().rev() {
            out.push('/');
            out.push_str(&s.replace('~', "~0").replace('/', "~1"));
        }
        out
    }

    /// A lowercase message without location (the caller adds it).
    pub fn message(&self) -> String {
        match &self.reason {
            Reason::NaiveDatetime(text) => format!(
                "`{text}` is a naive datetime (it has no tzinfo); slakit needs aware datetimes, e.g. `datetime(..., tzinfo=timezone.utc)`"
            ),
            Reason::Unsupported(ty) => {
                format!(
                    "a Python `{ty}` has no JSON form; use str, int, float, bool, None, dict, list or an aware datetime"
                )
            }
            Reason::NonFinite => "an infinite float has no JSON form".to_string(),
            Reason::KeyNotString(ty) => format!("mapping keys must be strings, not `{ty}`"),
            Reason::Python(why) => format!("the value could not be read: {why}"),
        }
    }
}

impl Unconvertible {
    /// The record error for a value that could not be converted: record
    /// `index`, at `/column` (when the value is a table cell) and the
    /// value's own pointer. A naive datetime is an invalid instant (`E203`),
    /// anything else an invalid field (`E202`).
    pub fn into_record_error(mut self, index: usize, column: Option<&str>) -> slakit::Error {
        if let Some(column) = column {
            self.segments.push(column.to_string());
        }
        self.into_error(None).at_record(index, None)
    }

    /// The error for a value given outside any record, such as the proposed
    /// deployment of a gate (`what` names it): the codes of
    /// [`Unconvertible::into_record_error`], at the value's pointer.
    pub fn into_value_error(self, what: &str) -> slakit::Error {
        self.into_error(Some(what))
    }

    /// The error, its message naming the first field of the pointer (and
    /// `what` the value is part of), located at the pointer.
    fn into_error(self, what: Option<&str>) -> slakit::Error {
        let code = match self.reason {
            Reason::NaiveDatetime(_) => slakit::ErrorCode::InvalidInstant,
            _ => slakit::ErrorCode::InvalidRecordField,
        };
        let pointer = self.pointer();
        let of = what.map(|w| format!(" of {w}")).unwrap_or_default();
        let message = match pointer.trim_start_matches('/').split('/').next() {
            Some(field) if !field.is_empty() => {
                format!(
                    "field `{}`{of}: {}",
                    field.replace("~1", "/").replace("~0", "~"),
                    self.message()
                )
            }
            _ => match what {
                Some(w) => format!("{w}: {}", self.message()),
                None => self.message(),
            },
        };
        let err = slakit::Error::new(code, message);
        if pointer.is_empty() {
            err
        } else {
            err.at_path(pointer)
        }
    }
}

impl From<PyErr> for Unconvertible {
    fn from(e: PyErr) -> Unconvertible {
        Unconvertible::new(Reason::Python(e.to_string()))
    }
}

/// A converter, holding the `datetime.datetime` type for `isinstance`.
pub struct Converter<'py> {
    datetime: Bound<'py, PyType>,
    strip_null_members: bool,
}

impl<'py> Converter<'py> {
    /// Import what the conversion needs.
    pub fn new(py: Python<'py>) -> PyResult<Converter<'py>> {
        let datetime = py
            .import("datetime")?
            .getattr("datetime")?
            .cast_into::<PyType>()?;
        Ok(Converter {
            datetime,
            strip_null_members: false,
        })
    }

    /// Leave `None` members out of dicts (for Arrow structs).
    pub fn stripping_null_members(mut self) -> Converter<'py> {
        self.strip_null_members = true;
        self
    }

    /// Convert one value.
    pub fn value(&self, obj: &Bound<'py, PyAny>) -> Result<Value, Unconvertible> {
        if let Ok(s) = obj.cast::<PyString>() {
            return Ok(Value::String(s.to_cow()?.into_owned()));
        }
        if obj.is_none() {
            return Ok(Value::Null);
        }
        if let Ok(b) = obj.cast::<PyBool>() {
            return Ok(Value::Bool(b.is_true()));
        }
        if let Ok(i) = obj.cast::<PyInt>() {
            return int_value(i);
        }
        if let Ok(f) = obj.cast::<PyFloat>() {
            return float_value(f.value());
        }
        if let Ok(d) = obj.cast::<PyDict>() {
            return self.dict(d).map(Value::Object);
        }
        if let Ok(l) = obj.cast::<PyList>() {
            return self.sequence(l.iter());
        }
        if let Ok(t) = obj.cast::<PyTuple>() {
            return self.sequence(t.iter());
        }
        if obj.is_instance(&self.datetime)? {
            return datetime_value(obj);
        }
        self.fallback(obj)
    }

    /// Convert a `dict` into a JSON object (keys must be strings).
    pub fn dict(&self, d: &Bound<'py, PyDict>) -> Result<Map<String, Value>, Unconvertible> {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let key = match k.cast::<PyString>() {
                Ok(s) => s.to_cow()?.into_owned(),
                Err(_) => {
                    return Err(Unconvertible::new(Reason::KeyNotString(type_name(&k))));
                }
            };
            match self.value(&v) {
                Ok(Value::Null) if self.strip_null_members => {}
                Ok(value) => {
                    map.insert(key, value);
                }
                Err(e) => return Err(e.within(key)),
            }
        }
        Ok(map)
    }

    fn sequence(
        &self,
        items: impl Iterator<Item = Bound<'py, PyAny>>,
    ) -> Result<Value, Unconvertible> {
        let mut out = Vec::new();
        for (i, item) in items.enumerate() {
            out.push(self.value(&item).map_err(|e| e.within(i.to_string()))?);
        }
        Ok(Value::Array(out))
    }

    /// Other mappings, and NumPy scalars (`.item()` gives the Python value).
    fn fallback(&self, obj: &Bound<'py, PyAny>) -> Result<Value, Unconvertible> {
        let py = obj.py();
        let abc = py.import("collections.abc")?;
        if obj.is_instance(&abc.getattr("Mapping")?)? {
            let d = PyDict::new(py);
            d.call_method1("update", (obj,))?;
            return self.dict(&d).map(Value::Object);
        }
        let module: String = obj
            .get_type()
            .getattr("__module__")
            .and_then(|m| m.extract())
            .unwrap_or_default();
        if module == "numpy" && obj.hasattr("item")? {
            let item = obj.call_method0("item")?;
            if !item.get_type().is(obj.get_type()) {
                return self.value(&item);
            }
        }
        Err(Unconvertible::new(Reason::Unsupported(type_name(obj))))
    }
}

fn int_value(i: &Bound<'_, PyInt>) -> Result<Value, Unconvertible> {
    if let Ok(v) = i.extract::<i64>() {
        return Ok(Value::Number(v.into()));
    }
    if let Ok(v) = i.extract::<u64>() {
        return Ok(Value::Number(v.into()));
    }
    // Beyond 64 bits: a float, as serde_json reads such a number from a file.
    let f: f64 = i.extract()?;
    float_value(f)
}

fn float_value(f: f64) -> Result<Value, Unconvertible> {
    if f.is_nan() {
        return Ok(Value::Null);
    }
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| Unconvertible::new(Reason::NonFinite))
}

/// An aware datetime as RFC 3339 text (its own offset, microseconds kept;
/// the core truncates to milliseconds); a naive one is refused.
fn datetime_value(obj: &Bound<'_, PyAny>) -> Result<Value, Unconvertible> {
    let text: String = obj.call_method0("isoformat")?.extract()?;
    if obj.call_method0("utcoffset")?.is_none() {
        return Err(Unconvertible::new(Reason::NaiveDatetime(text)));
    }
    Ok(Value::String(text))
}

/// The Python type name of a value, for messages.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_string())
}
