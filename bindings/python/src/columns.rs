//! Records from columns: a pandas DataFrame or an Arrow table arrives as
//! one descriptor per column (never as a dict per row) and is assembled
//! into records here, row by row, with the GIL released.
//!
//! The Python side (`slakit/_tables.py`) describes each column as one of:
//!
//! - `("utf8", offset, validity, missing, offsets, data, wide)`: the buffers
//!   of an Arrow `string` (`wide=False`, 32-bit offsets) or `large_string`
//!   (`wide=True`) array;
//! - `("time", offset, validity, missing, values, unit, naive)`: the 64-bit
//!   values of a timestamp array in `unit` (`s`, `ms`, `us`, `ns`) since the
//!   epoch in UTC; `naive` when the column has no time zone (refused);
//! - `("objects", values, missing, strip)`: a list of Python values, converted
//!   like the values of a dict; with `strip`, members that are `None` are
//!   left out of nested dicts (an Arrow struct has every member in every row,
//!   null where the source had none).
//!
//! `validity` is an Arrow validity bitmap (bit `offset + i`), `missing` one
//! byte per row (non-zero = missing), either may be `None`. A missing cell
//! is left out of the record, as a JSON Lines record would leave it out.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};
use serde_json::{Map, Value};
use slakit::record::{Origin, record_from_value};
use slakit::{Error, ErrorCode, Record, instant};

use crate::values::Converter;

/// The cells of one column.
enum Cells<'a> {
    Utf8 {
        offsets: &'a [u8],
        data: &'a [u8],
        wide: bool,
    },
    Time {
        values: &'a [u8],
        unit: Unit,
        naive: bool,
    },
    Values(Vec<Option<Value>>),
}

#[derive(Clone, Copy)]
enum Unit {
    Seconds,
    Millis,
    Micros,
    Nanos,
}

impl Unit {
    fn parse(text: &str) -> PyResult<Unit> {
        match text {
            "s" => Ok(Unit::Seconds),
            "ms" => Ok(Unit::Millis),
            "us" => Ok(Unit::Micros),
            "ns" => Ok(Unit::Nanos),
            other => Err(PyValueError::new_err(format!(
                "unknown timestamp unit `{other}`"
            ))),
        }
    }

    /// UTC milliseconds, rounded down (as the core truncates sub-millisecond digits).
    fn to_millis(self, v: i64) -> Option<i64> {
        match self {
            Unit::Seconds => v.checked_mul(1000),
            Unit::Millis => Some(v),
            Unit::Micros => Some(v.div_euclid(1000)),
            Unit::Nanos => Some(v.div_euclid(1_000_000)),
        }
    }
}

/// One column: its name, its cells and which cells are present.
struct Column<'a> {
    name: String,
    offset: usize,
    validity: Option<&'a [u8]>,
    missing: Option<&'a [u8]>,
    cells: Cells<'a>,
}

/// One batch of rows: a row count and its columns.
pub struct Batch<'a> {
    rows: usize,
    columns: Vec<Column<'a>>,
}

/// A column as read from Python: byte buffers still owned by Python.
struct Spec<'py> {
    name: String,
    offset: usize,
    validity: Option<Bound<'py, PyBytes>>,
    missing: Option<Bound<'py, PyBytes>>,
    kind: SpecKind<'py>,
}

enum SpecKind<'py> {
    Utf8 {
        offsets: Option<Bound<'py, PyBytes>>,
        data: Option<Bound<'py, PyBytes>>,
        wide: bool,
    },
    Time {
        values: Option<Bound<'py, PyBytes>>,
        unit: Unit,
        naive: bool,
    },
    Values(Vec<Option<Value>>),
}

/// The batches as read from Python, before [`view`].
pub struct Specs<'py> {
    batches: Vec<(usize, Vec<Spec<'py>>)>,
}

fn opt_bytes<'py>(obj: Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyBytes>>> {
    if obj.is_none() {
        Ok(None)
    } else {
        Ok(Some(obj.cast_into::<PyBytes>()?))
    }
}

/// Read the column descriptors of every batch (`[(rows, [(name, spec)])]`).
/// Object columns are converted here, as they need the GIL; a value that
/// has no JSON form is a record error (the `Err` of the inner result).
pub fn read<'py>(
    py: Python<'py>,
    batches: &Bound<'py, PyList>,
) -> PyResult<Result<Specs<'py>, Error>> {
    let converter = Converter::new(py)?;
    let stripping = Converter::new(py)?.stripping_null_members();
    let mut out = Vec::new();
    let mut first_index = 0usize;
    for batch in batches.iter() {
        let batch = batch.cast_into::<PyTuple>()?;
        let rows: usize = batch.get_item(0)?.extract()?;
        let mut columns = Vec::new();
        for column in batch.get_item(1)?.cast_into::<PyList>()?.iter() {
            let column = column.cast_into::<PyTuple>()?;
            let name: String = column.get_item(0)?.extract()?;
            let spec = column.get_item(1)?.cast_into::<PyTuple>()?;
            let tag: String = spec.get_item(0)?.extract()?;
            let col = match tag.as_str() {
                "utf8" => Spec {
                    name,
                    offset: spec.get_item(1)?.extract()?,
                    validity: opt_bytes(spec.get_item(2)?)?,
                    missing: opt_bytes(spec.get_item(3)?)?,
                    kind: SpecKind::Utf8 {
                        offsets: opt_bytes(spec.get_item(4)?)?,
                        data: opt_bytes(spec.get_item(5)?)?,
                        wide: spec.get_item(6)?.extract()?,
                    },
                },
                "time" => Spec {
                    name,
                    offset: spec.get_item(1)?.extract()?,
                    validity: opt_bytes(spec.get_item(2)?)?,
                    missing: opt_bytes(spec.get_item(3)?)?,
                    kind: SpecKind::Time {
                        values: opt_bytes(spec.get_item(4)?)?,
                        unit: Unit::parse(&spec.get_item(5)?.extract::<String>()?)?,
                        naive: spec.get_item(6)?.extract()?,
                    },
                },
                "objects" => {
                    let missing = opt_bytes(spec.get_item(2)?)?;
                    let converter = if spec.get_item(3)?.is_truthy()? {
                        &stripping
                    } else {
                        &converter
                    };
                    let missing_bytes = missing.as_ref().map(|b| b.as_bytes());
                    let mut cells = Vec::with_capacity(rows);
                    for (row, obj) in spec.get_item(1)?.try_iter()?.enumerate() {
                        let obj = obj?;
                        if obj.is_none() || is_set(missing_bytes, row) {
                            cells.push(None);
                            continue;
                        }
                        match converter.value(&obj) {
                            Ok(v) => cells.push(Some(v)),
                            Err(e) => {
                                return Ok(
                                    Err(e.into_record_error(first_index + row, Some(&name))),
                                );
                            }
                        }
                    }
                    Spec {
                        name,
                        offset: 0,
                        validity: None,
                        missing: None,
                        kind: SpecKind::Values(cells),
                    }
                }
                other => {
                    return Err(PyValueError::new_err(format!(
                        "unknown column kind `{other}`"
                    )));
                }
            };
            columns.push(col);
        }
        out.push((rows, columns));
        first_index = first_index.saturating_add(rows);
    }
    Ok(Ok(Specs { batches: out }))
}

/// Borrow the buffers as plain slices (which may cross into a detached
/// thread) and move the converted values out.
pub fn view<'a>(specs: &'a mut Specs<'_>) -> Vec<Batch<'a>> {
    specs
        .batches
        .iter_mut()
        .map(|(rows, columns)| Batch {
            rows: *rows,
            columns: columns
                .iter_mut()
                .map(|s| Column {
                    name: s.name.clone(),
                    offset: s.offset,
                    validity: s.validity.as_ref().map(|b| b.as_bytes()),
                    missing: s.missing.as_ref().map(|b| b.as_bytes()),
                    cells: match &mut s.kind {
                        SpecKind::Utf8 {
                            offsets,
                            data,
                            wide,
                        } => Cells::Utf8 {
                            offsets: offsets.as_ref().map(|b| b.as_bytes()).unwrap_or_default(),
                            data: data.as_ref().map(|b| b.as_bytes()).unwrap_or_default(),
                            wide: *wide,
                        },
                        SpecKind::Time {
                            values,
                            unit,
                            naive,
                        } => Cells::Time {
                            values: values.as_ref().map(|b| b.as_bytes()).unwrap_or_default(),
                            unit: *unit,
                            naive: *naive,
                        },
                        SpecKind::Values(cells) => Cells::Values(std::mem::take(cells)),
                    },
                })
                .collect(),
        })
        .collect()
}

fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn is_set(missing: Option<&[u8]>, row: usize) -> bool {
    missing.is_some_and(|m| m.get(row).is_some_and(|&b| b != 0))
}

impl Column<'_> {
    fn present(&self, row: usize) -> bool {
        if is_set(self.missing, row) {
            return false;
        }
        match self.validity {
            None => true,
            Some(bits) => {
                let bit = self.offset + row;
                bits.get(bit / 8).is_some_and(|b| (b >> (bit % 8)) & 1 == 1)
            }
        }
    }

    fn err(&self, index: usize, code: ErrorCode, message: String) -> Error {
        Error::new(code, message)
            .at_record(index, None)
            .at_path(format!("/{}", escape(&self.name)))
    }

    /// The JSON value of one cell, `None` when missing.
    fn take(&mut self, row: usize, index: usize) -> Result<Option<Value>, Error> {
        if !self.present(row) {
            return Ok(None);
        }
        let at = self.offset + row;
        match &mut self.cells {
            Cells::Values(cells) => Ok(cells.get_mut(row).and_then(Option::take)),
            Cells::Utf8 {
                offsets,
                data,
                wide,
            } => {
                let (start, end) = if *wide {
                    (read_i64(offsets, at), read_i64(offsets, at + 1))
                } else {
                    (
                        read_i32(offsets, at).map(i64::from),
                        read_i32(offsets, at + 1).map(i64::from),
                    )
                };
                let bytes = match (start, end) {
                    (Some(s), Some(e)) => usize::try_from(s)
                        .ok()
                        .zip(usize::try_from(e).ok())
                        .and_then(|(s, e)| data.get(s..e)),
                    _ => None,
                };
                let Some(bytes) = bytes else {
                    return Err(self.err(
                        index,
                        ErrorCode::InvalidRecordField,
                        format!("column `{}` has inconsistent string buffers", self.name),
                    ));
                };
                match std::str::from_utf8(bytes) {
                    Ok(s) => Ok(Some(Value::String(s.to_string()))),
                    Err(_) => Err(self.err(
                        index,
                        ErrorCode::InvalidRecordField,
                        format!("field `{}` is not valid UTF-8", self.name),
                    )),
                }
            }
            Cells::Time {
                values,
                unit,
                naive,
            } => {
                let (unit, naive) = (*unit, *naive);
                let ms = read_i64(values, at).and_then(|v| unit.to_millis(v));
                let Some(ms) =
                    ms.filter(|t| (instant::MIN_INSTANT..=instant::MAX_INSTANT).contains(t))
                else {
                    return Err(self.err(
                        index,
                        ErrorCode::InvalidInstant,
                        format!(
                            "field `{}`: the timestamp is outside the supported years 0001-9999",
                            self.name
                        ),
                    ));
                };
                let text = instant::format(ms);
                if naive {
                    let local = text.trim_end_matches('Z');
                    return Err(self.err(
                        index,
                        ErrorCode::InvalidInstant,
                        format!(
                            "field `{}`: `{local}` is a naive timestamp (the column has no time zone); slakit needs aware times, e.g. `tz_localize(\"UTC\")`",
                            self.name
                        ),
                    ));
                }
                Ok(Some(Value::String(text)))
            }
        }
    }
}

fn read_i64(bytes: &[u8], i: usize) -> Option<i64> {
    let start = i.checked_mul(8)?;
    let chunk: [u8; 8] = bytes.get(start..start.checked_add(8)?)?.try_into().ok()?;
    Some(i64::from_le_bytes(chunk))
}

fn read_i32(bytes: &[u8], i: usize) -> Option<i32> {
    let start = i.checked_mul(4)?;
    let chunk: [u8; 4] = bytes.get(start..start.checked_add(4)?)?.try_into().ok()?;
    Some(i32::from_le_bytes(chunk))
}

/// Assemble the records, batch after batch (no Python involved).
pub fn assemble(batches: Vec<Batch<'_>>) -> slakit::Result<Vec<Record>> {
    let total: usize = batches.iter().map(|b| b.rows).sum();
    let mut out = Vec::with_capacity(total);
    for mut batch in batches {
        for row in 0..batch.rows {
            let index = out.len();
            let mut map = Map::new();
            for column in &mut batch.columns {
                if let Some(v) = column.take(row, index)? {
                    map.insert(column.name.clone(), v);
                }
            }
            out.push(record_from_value(
                Value::Object(map),
                Origin { index, line: None },
            )?);
        }
    }
    Ok(out)
}
