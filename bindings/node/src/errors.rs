//! Errors: a core [`slakit::Error`] becomes a thrown JS `Error` with the
//! stable `code`, the `kind` and each known part of the location; a Rust
//! panic becomes the core's internal error `E900`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use napi::bindgen_prelude::{Env, JsObjectValue, JsValue, Object};
use slakit::{ErrorCode, Location};

/// Run `f`, turning a panic into the internal error `E900`.
///
/// `AssertUnwindSafe` is sound here: the closures only read a compiled,
/// immutable `Policy` and values they own, so nothing is left half-updated.
pub fn guard<T>(f: impl FnOnce() -> Result<T, slakit::Error>) -> Result<T, slakit::Error> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let why = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_string());
        Err(slakit::Error::new(
            ErrorCode::Internal,
            format!("internal error (a bug in slakit, please report it): {why}"),
        ))
    })
}

/// The JS `Error` for a core error: `message` is the core's message and
/// `code`, `kind`, `file`, `line`, `column`, `recordIndex`, `path` are own
/// properties (the location parts only when known).
pub fn to_js(env: &Env, e: slakit::Error) -> napi::Error {
    match build(env, &e) {
        Ok(object) => napi::Error::from(object.to_unknown()),
        // Creating the object failed (the VM is in trouble): keep the code.
        Err(_) => napi::Error::new(
            napi::Status::GenericFailure,
            format!("{} [{}]", e.message, e.code),
        ),
    }
}

fn build<'env>(env: &'env Env, e: &slakit::Error) -> napi::Result<Object<'env>> {
    let mut object = env.create_error(napi::Error::new(
        napi::Status::GenericFailure,
        e.message.clone(),
    ))?;
    object.set_named_property("code", e.code.as_str())?;
    object.set_named_property("kind", e.kind().as_str())?;
    let Location {
        file,
        line,
        column,
        record_index,
        path,
    } = &e.location;
    if let Some(file) = file {
        object.set_named_property("file", file.as_str())?;
    }
    // Lines, columns and indices are far below 2^53: they cross as Numbers.
    if let Some(line) = line {
        object.set_named_property("line", *line as f64)?;
    }
    if let Some(column) = column {
        object.set_named_property("column", *column as f64)?;
    }
    if let Some(index) = record_index {
        object.set_named_property("recordIndex", *index as f64)?;
    }
    if let Some(path) = path {
        object.set_named_property("path", path.as_str())?;
    }
    Ok(object)
}
