//! Arguments from JS: native objects become JSON values with the meaning
//! `JSON.stringify` gives them, `asOf` and the gate's `at` become UTC
//! milliseconds, and the records argument becomes either values or a file
//! to read.
//!
//! The JSON rules: own enumerable string-keyed properties are read;
//! properties whose value is `undefined`, a function or a symbol are left
//! out (in arrays they become `null`); a `Date` becomes its RFC 3339 text
//! (`toISOString`), any other object with a `toJSON` method the value it
//! returns; integral numbers stay integers. Where `JSON.stringify` would
//! silently change or refuse a value — `NaN`, `±Infinity`, an invalid
//! `Date`, a `bigint` beyond 64 bits, a cycle — the conversion fails with a
//! syntax error (`E100` for a policy, `E200` for a record or a proposed
//! deployment) that names the field. So does a getter or `toJSON` that
//! throws (its exception is cleared, never left pending).

use napi::bindgen_prelude::{
    Array, BigInt, Function, JsObjectValue, JsValue, KeyCollectionMode, KeyConversion, KeyFilter,
    Object, Unknown,
};
use napi::{JsDate, ValueType, sys};
use serde_json::{Map, Number, Value};
use slakit::gate::Proposed;
use slakit::{Error, ErrorCode};

/// Deepest nesting accepted, as in `serde_json` (it also stops cycles).
const MAX_DEPTH: usize = 128;

/// 2^53 and 2^64 as floats: where exact integers end, and where JSON
/// integers end for the core.
const TWO_POW_53: f64 = 9_007_199_254_740_992.0;
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

/// The records argument: native objects, or a path to read.
#[derive(Debug)]
pub enum Records {
    /// Records given as JS objects, already converted.
    Values(Vec<Value>),
    /// A JSON Lines or JSON array file.
    File(String),
}

/// What is being converted, for error codes and messages.
#[derive(Debug, Clone, Copy)]
enum Subject {
    Policy,
    Record(usize),
    Proposed,
    Report,
}

impl Subject {
    /// The error for a value that has no JSON meaning; `pointer` locates it.
    fn error(self, pointer: &str, what: &str) -> Error {
        let mut e = match self {
            Subject::Policy => Error::new(
                ErrorCode::PolicySyntax,
                format!("the policy object is not JSON: {what}"),
            ),
            Subject::Record(index) => Error::new(
                ErrorCode::RecordSyntax,
                format!("the record is not JSON: {what}"),
            )
            .at_record(index, None),
            Subject::Proposed => Error::new(
                ErrorCode::RecordSyntax,
                format!("the proposed deployment is not JSON: {what}"),
            ),
            Subject::Report => Error::new(
                ErrorCode::InvalidArguments,
                format!("the report object is not JSON: {what}"),
            ),
        };
        if !pointer.is_empty() {
            e = e.at_path(pointer);
        }
        e
    }
}

/// The records argument: an array of objects or a path string.
pub fn records(value: Unknown<'_>) -> Result<Records, Error> {
    let env = value.value().env;
    let napi = |e: napi::Error| {
        let why = take_pending_exception(env).unwrap_or(e.reason);
        usage(format!("cannot read the records argument: {why}"))
    };
    match value.get_type().map_err(napi)? {
        ValueType::String => {
            // SAFETY: the type was checked just above.
            let path: String = unsafe { value.cast() }.map_err(napi)?;
            Ok(Records::File(path))
        }
        ValueType::Object if value.is_array().map_err(napi)? => {
            // SAFETY: `is_array` holds.
            let array: Array<'_> = unsafe { value.cast() }.map_err(napi)?;
            let mut out = Vec::with_capacity(array.len() as usize);
            for index in 0..array.len() {
                let item = array.get::<Unknown<'_>>(index).map_err(napi)?;
                let mut pointer = String::new();
                let subject = Subject::Record(index as usize);
                out.push(match item {
                    Some(item) => to_json(item, subject, &mut pointer, 0)?.unwrap_or(Value::Null),
                    None => Value::Null,
                });
            }
            Ok(Records::Values(out))
        }
        other => Err(usage(format!(
            "records must be an array of record objects or the path of a JSON Lines or JSON file, not {}",
            type_name(other)
        ))),
    }
}

/// A policy given as a JS object, as a JSON value for the core.
pub fn policy(value: Unknown<'_>) -> Result<Value, Error> {
    let mut pointer = String::new();
    let json = to_json(value, Subject::Policy, &mut pointer, 0)?;
    match json {
        Some(v @ Value::Object(_)) => Ok(v),
        Some(other) => Err(Error::new(
            ErrorCode::InvalidValue,
            format!(
                "the policy must be an object, not `{}`",
                short(&other.to_string())
            ),
        )),
        None => Err(Error::new(
            ErrorCode::InvalidValue,
            "the policy must be an object, not a function or a symbol",
        )),
    }
}

/// A report handed back to the addon: the object `evaluate` returned (or a
/// parsed `report.json`), or its JSON text. Not a report: `E303` with the
/// JSON pointer of the first field that does not fit.
pub fn report(value: Unknown<'_>) -> Result<slakit::Report, Error> {
    let env = value.value().env;
    let napi = |e: napi::Error| {
        let why = take_pending_exception(env).unwrap_or(e.reason);
        usage(format!("cannot read the report argument: {why}"))
    };
    if value.get_type().map_err(napi)? == ValueType::String {
        // SAFETY: the type was checked just above.
        let text: String = unsafe { value.cast() }.map_err(napi)?;
        return slakit::Report::from_json(&text);
    }
    let mut pointer = String::new();
    let json = to_json(value, Subject::Report, &mut pointer, 0)?;
    slakit::Report::from_value(json.unwrap_or(Value::Null))
}

/// The proposed deployment of a gate: a plain object, read like a record
/// (`E200` for what JSON cannot hold) and then by the core (`E201` without
/// a `deployment`, `E202` for an unknown field or a value that is not a
/// string, or when it is not an object at all).
pub fn proposed(value: Unknown<'_>) -> Result<Proposed, Error> {
    let mut pointer = String::new();
    let json = to_json(value, Subject::Proposed, &mut pointer, 0)?;
    Proposed::from_value(json.unwrap_or(Value::Null))
}

/// `asOf`: absent (`undefined`/`null`), a `Date`, or an RFC 3339 string.
pub fn as_of(value: Option<Unknown<'_>>) -> Result<Option<i64>, Error> {
    match value {
        Some(value) => instant(value, "as_of"),
        None => Ok(None),
    }
}

/// The gate's `at`: a `Date` or an RFC 3339 string, required — the core
/// reads no clock, so there is no default and no `'now'`.
pub fn at(value: Unknown<'_>) -> Result<i64, Error> {
    instant(value, "at")?.ok_or_else(|| {
        instant_error(
            "at",
            "the gate needs the instant of the deployment: a `Date` (`new Date()` for now) or an RFC 3339 string",
        )
    })
}

/// An instant argument named `name`: `None` for `undefined`/`null`, UTC
/// milliseconds for a `Date` or RFC 3339 text, `E300` for anything else.
fn instant(value: Unknown<'_>, name: &str) -> Result<Option<i64>, Error> {
    let napi = |e: napi::Error| instant_error(name, &e.reason);
    let parse = |text: &str| {
        slakit::instant::parse(text)
            .map(Some)
            .map_err(|e| instant_error(name, &e.message(text)))
    };
    match value.get_type().map_err(napi)? {
        ValueType::Undefined | ValueType::Null => Ok(None),
        ValueType::String => {
            // SAFETY: the type was checked just above.
            let text: String = unsafe { value.cast() }.map_err(napi)?;
            parse(&text)
        }
        ValueType::Object if value.is_date().map_err(napi)? => {
            // SAFETY: `is_date` holds.
            let date: JsDate<'_> = unsafe { value.cast() }.map_err(napi)?;
            let text = date_text(date.value_of().map_err(napi)?)
                .ok_or_else(|| instant_error(name, "the `Date` is invalid"))?;
            parse(&text)
        }
        other => Err(instant_error(
            name,
            &format!(
                "expected a `Date` or an RFC 3339 string, not {}",
                type_name(other)
            ),
        )),
    }
}

/// `E300`, worded as the core words an invalid as_of (`slakit::parse_as_of`).
fn instant_error(name: &str, why: &str) -> Error {
    Error::new(ErrorCode::InvalidAsOf, format!("invalid {name}: {why}"))
}

/// A usage error (`E303`): the arguments are of the wrong shape.
pub fn usage(message: String) -> Error {
    Error::new(ErrorCode::InvalidArguments, message)
}

/// A JS `Date`'s time value as `toISOString` writes it (years beyond 9999
/// come out as `+010000-…`, which the core then refuses with its message).
fn date_text(ms: f64) -> Option<String> {
    if !ms.is_finite() {
        return None;
    }
    // A valid time value is an integer within ±8.64e15 ms.
    let ms = ms as i64;
    let t = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)?;
    Some(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

fn type_name(t: ValueType) -> &'static str {
    match t {
        ValueType::Undefined => "`undefined`",
        ValueType::Null => "`null`",
        ValueType::Boolean => "a boolean",
        ValueType::Number => "a number",
        ValueType::String => "a string",
        ValueType::Symbol => "a symbol",
        ValueType::Object => "an object",
        ValueType::Function => "a function",
        ValueType::External => "an external value",
        ValueType::BigInt => "a bigint",
        _ => "an unknown value",
    }
}

fn short(text: &str) -> String {
    if text.chars().count() > 40 {
        let cut: String = text.chars().take(40).collect();
        format!("{cut}…")
    } else {
        text.to_string()
    }
}

/// Escape one JSON pointer segment (RFC 6901).
fn push_segment(pointer: &mut String, segment: &str) {
    pointer.push('/');
    pointer.push_str(&segment.replace('~', "~0").replace('/', "~1"));
}

/// Convert one JS value; `None` for what `JSON.stringify` leaves out
/// (`undefined`, functions, symbols).
fn to_json(
    value: Unknown<'_>,
    subject: Subject,
    pointer: &mut String,
    depth: usize,
) -> Result<Option<Value>, Error> {
    let env = value.value().env;
    let napi = |e: napi::Error, pointer: &str| {
        let why = take_pending_exception(env).unwrap_or(e.reason);
        subject.error(pointer, &why)
    };
    let ty = value.get_type().map_err(|e| napi(e, pointer))?;
    Ok(Some(match ty {
        ValueType::Undefined | ValueType::Function | ValueType::Symbol => return Ok(None),
        ValueType::Null => Value::Null,
        ValueType::Boolean => {
            // SAFETY: the type was checked just above (and likewise below).
            Value::Bool(unsafe { value.cast::<bool>() }.map_err(|e| napi(e, pointer))?)
        }
        ValueType::String => {
            Value::String(unsafe { value.cast::<String>() }.map_err(|e| napi(e, pointer))?)
        }
        ValueType::Number => {
            let n = unsafe { value.cast::<f64>() }.map_err(|e| napi(e, pointer))?;
            Value::Number(
                number(n).ok_or_else(|| {
                    subject.error(pointer, &format!("`{n}` is not a JSON number"))
                })?,
            )
        }
        ValueType::BigInt => {
            let n = unsafe { value.cast::<BigInt>() }.map_err(|e| napi(e, pointer))?;
            Value::Number(bigint(&n).ok_or_else(|| {
                subject.error(pointer, "a bigint beyond 64 bits is not a JSON number")
            })?)
        }
        ValueType::Object => {
            if depth >= MAX_DEPTH {
                return Err(subject.error(
                    pointer,
                    &format!("nested more than {MAX_DEPTH} levels deep (or cyclic)"),
                ));
            }
            if value.is_date().map_err(|e| napi(e, pointer))? {
                let date: JsDate<'_> = unsafe { value.cast() }.map_err(|e| napi(e, pointer))?;
                let ms = date.value_of().map_err(|e| napi(e, pointer))?;
                return Ok(Some(Value::String(date_text(ms).ok_or_else(|| {
                    subject.error(pointer, "the `Date` is invalid")
                })?)));
            }
            if value.is_array().map_err(|e| napi(e, pointer))? {
                let array: Array<'_> = unsafe { value.cast() }.map_err(|e| napi(e, pointer))?;
                let mut out = Vec::with_capacity(array.len() as usize);
                for index in 0..array.len() {
                    let len = pointer.len();
                    push_segment(pointer, &index.to_string());
                    let item = array
                        .get::<Unknown<'_>>(index)
                        .map_err(|e| napi(e, pointer))?;
                    let item = match item {
                        Some(item) => to_json(item, subject, pointer, depth + 1)?,
                        None => None,
                    };
                    out.push(item.unwrap_or(Value::Null));
                    pointer.truncate(len);
                }
                return Ok(Some(Value::Array(out)));
            }
            let object: Object<'_> = unsafe { value.cast() }.map_err(|e| napi(e, pointer))?;
            let to_json_method = object
                .get::<Unknown<'_>>("toJSON")
                .map_err(|e| napi(e, pointer))?;
            if let Some(method) = to_json_method
                && method.get_type().map_err(|e| napi(e, pointer))? == ValueType::Function
            {
                // SAFETY: the type was checked just above.
                let method: Function<'_, (), Unknown<'_>> =
                    unsafe { method.cast() }.map_err(|e| napi(e, pointer))?;
                let replaced = method.apply(object, ()).map_err(|e| napi(e, pointer))?;
                return to_json(replaced, subject, pointer, depth + 1);
            }
            let mut out = Map::new();
            for key in own_keys(&object).map_err(|e| napi(e, pointer))? {
                let len = pointer.len();
                push_segment(pointer, &key);
                let item = object
                    .get::<Unknown<'_>>(&key)
                    .map_err(|e| napi(e, pointer))?;
                if let Some(item) = item
                    && let Some(json) = to_json(item, subject, pointer, depth + 1)?
                {
                    out.insert(key, json);
                }
                pointer.truncate(len);
            }
            Value::Object(out)
        }
        other => {
            return Err(subject.error(
                pointer,
                &format!("{} is not a JSON value", type_name(other)),
            ));
        }
    }))
}

/// The own enumerable string keys, in `Object.keys` order.
fn own_keys(object: &Object<'_>) -> napi::Result<Vec<String>> {
    let names = object.get_all_property_names(
        KeyCollectionMode::OwnOnly,
        KeyFilter::Enumerable,
        KeyConversion::NumbersToStrings,
    )?;
    let len = names.get_array_length()?;
    let mut keys = Vec::with_capacity(len as usize);
    for index in 0..len {
        let name: Unknown<'_> = names.get_element(index)?;
        if name.get_type()? == ValueType::String {
            // SAFETY: the type was checked just above.
            keys.push(unsafe { name.cast::<String>() }?);
        }
    }
    Ok(keys)
}

/// A getter, a proxy trap or `toJSON` may have thrown: take the exception
/// (a JS exception left pending would make every later call into the
/// engine fail) and return its text.
fn take_pending_exception(env: sys::napi_env) -> Option<String> {
    let mut pending = false;
    let mut exception = std::ptr::null_mut();
    // SAFETY: `env` is the live env of the current call; these only read or
    // reset its exception state.
    let taken = unsafe {
        sys::napi_is_exception_pending(env, &mut pending) == sys::Status::napi_ok
            && pending
            && sys::napi_get_and_clear_last_exception(env, &mut exception) == sys::Status::napi_ok
            && !exception.is_null()
    };
    if !taken {
        return None;
    }
    // SAFETY: `exception` is a live value of this env, just returned by napi.
    let value = unsafe { Unknown::from_raw_unchecked(env, exception) };
    let text = value
        .coerce_to_string()
        .and_then(|s| s.into_utf8())
        .and_then(|s| s.into_owned());
    match text {
        Ok(text) => Some(text),
        Err(_) => {
            // `toString` threw as well: drop that exception too, unread.
            // SAFETY: as above.
            unsafe {
                let mut again = std::ptr::null_mut();
                sys::napi_get_and_clear_last_exception(env, &mut again);
            }
            Some("an exception that cannot be shown".to_string())
        }
    }
}

/// A JS number as JSON, as `JSON.stringify` writes it and the core reads it
/// back: integral values as integers, others as floats.
fn number(n: f64) -> Option<Number> {
    if !n.is_finite() {
        return None;
    }
    if n.trunc() == n && n.abs() < TWO_POW_64 {
        if n.abs() <= TWO_POW_53 {
            // Exact: every integer up to 2^53 is a float.
            return Some(Number::from(n as i64));
        }
        // Beyond 2^53, `JSON.stringify` writes the shortest digits that
        // round-trip (2^60 → 1152921504606847000), as Rust's `Display`
        // does, and that integer is what the core reads from such text.
        let text = n.to_string();
        if let Ok(i) = text.parse::<i64>() {
            return Some(Number::from(i));
        }
        if let Ok(u) = text.parse::<u64>() {
            return Some(Number::from(u));
        }
    }
    Number::from_f64(n)
}

/// A bigint as a JSON integer, when it fits 64 bits.
fn bigint(n: &BigInt) -> Option<Number> {
    let magnitude = match n.words.as_slice() {
        [] => 0,
        [w] => *w,
        _ => return None,
    };
    if n.sign_bit {
        if magnitude == 0 {
            return Some(Number::from(0));
        }
        let m = i64::try_from(magnitude - 1).ok()?;
        Some(Number::from(-m - 1))
    } else {
        Some(Number::from(magnitude))
    }
}

#[cfg(test)]
mod tests {
    use super::{bigint, date_text, number};
    use napi::bindgen_prelude::BigInt;
    use serde_json::Number;

    #[test]
    fn numbers_keep_the_meaning_json_stringify_gives_them() {
        assert_eq!(number(1.0), Some(Number::from(1)));
        assert_eq!(number(-0.0), Some(Number::from(0)));
        assert_eq!(number(0.5), Number::from_f64(0.5));
        assert_eq!(number(2f64.powi(53)), Some(Number::from(1_i64 << 53)));
        // What JSON.stringify writes for 2^60, 2^63 and -2^63:
        assert_eq!(
            number(2f64.powi(60)),
            Some(Number::from(1_152_921_504_606_847_000_i64))
        );
        assert_eq!(
            number(2f64.powi(63)),
            Some(Number::from(9_223_372_036_854_776_000_u64))
        );
        assert_eq!(number(-(2f64.powi(63))), Number::from_f64(-(2f64.powi(63))));
        assert_eq!(number(2f64.powi(64)), Number::from_f64(2f64.powi(64)));
        assert_eq!(number(1e20), Number::from_f64(1e20));
        assert_eq!(number(-1e20), Number::from_f64(-1e20));
        assert_eq!(number(f64::NAN), None);
        assert_eq!(number(f64::INFINITY), None);
    }

    #[test]
    fn bigints_within_64_bits_are_integers() {
        let big = |sign_bit: bool, words: Vec<u64>| bigint(&BigInt { sign_bit, words });
        assert_eq!(big(false, vec![]), Some(Number::from(0)));
        assert_eq!(big(true, vec![0]), Some(Number::from(0)));
        assert_eq!(big(false, vec![u64::MAX]), Some(Number::from(u64::MAX)));
        assert_eq!(big(true, vec![1 << 63]), Some(Number::from(i64::MIN)));
        assert_eq!(big(true, vec![(1 << 63) + 1]), None);
        assert_eq!(big(false, vec![0, 1]), None);
    }

    #[test]
    fn dates_are_written_as_to_iso_string_does() {
        assert_eq!(date_text(0.0).as_deref(), Some("1970-01-01T00:00:00.000Z"));
        assert_eq!(
            date_text(1_772_445_600_250.0).as_deref(),
            Some("2026-03-02T10:00:00.250Z")
        );
        assert_eq!(date_text(f64::NAN), None);
    }
}
