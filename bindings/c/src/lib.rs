//! The C ABI of slakit: `libslakit.so`, `libslakit.a` and `include/slakit.h`.
//!
//! The contract (docs/c.md states it for C programmers):
//!
//! - every exported function runs inside a `catch_unwind` boundary: a panic
//!   becomes `SLAKIT_PANIC`, never an unwind into C;
//! - every pointer argument is checked for NULL (`SLAKIT_NULL_ARGUMENT`)
//!   before any work is done;
//! - text arguments are validated as UTF-8 (`SLAKIT_INVALID_UTF8`);
//! - out-parameters are written only when the call returns `SLAKIT_OK`;
//! - every failure leaves a thread-local last error: a message, the stable
//!   `E…` code and the SPEC §11 error document as JSON.
//!
//! Bindings convert, call, map errors — nothing else: every decision about
//! policies, records and reports is the core's (`crates/slakit`).
#![allow(
    unsafe_code,
    reason = "a C ABI reads raw pointers handed in by C callers; every unsafe block states why it is sound"
)]
#![allow(
    non_camel_case_types,
    reason = "the exported types carry their C names (`slakit_policy`, `slakit_status`) so that cbindgen writes them as they are"
)]

use std::cell::RefCell;
use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

use slakit_core::{Error, ErrorCode, ErrorKind, Policy};

/// The result of every fallible call. The numbers are part of the ABI and
/// never change; new statuses get new numbers.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum slakit_status {
    /// Success: the out-parameter was written.
    SLAKIT_OK = 0,
    /// The policy is invalid (codes `E1xx`).
    SLAKIT_POLICY_ERROR = 1,
    /// The records or the proposed deployment are invalid (codes `E2xx`).
    SLAKIT_INPUT_ERROR = 2,
    /// The call asked for something impossible: a bad `as_of` or `at`
    /// (`E300`), no `as_of` and no event to default to (`E301`), an unknown
    /// deployment (`E304`), a length beyond `PTRDIFF_MAX` (`E303`).
    SLAKIT_USAGE_ERROR = 3,
    /// A pointer argument was NULL (code `E303`); nothing was done.
    SLAKIT_NULL_ARGUMENT = 4,
    /// A text argument is not valid UTF-8 (code `E100` for a policy, `E200`
    /// for records or a proposed deployment, `E300` for `as_of` or `at`,
    /// `E303` for a deployment id).
    SLAKIT_INVALID_UTF8 = 5,
    /// slakit panicked (a bug, code `E900`); the panic was caught at the C
    /// boundary and the process can continue.
    SLAKIT_PANIC = 6,
}

/// A compiled policy: opaque to C. Create with `slakit_policy_from_yaml` or
/// `slakit_policy_from_json`, release with `slakit_policy_free`.
///
/// Immutable once created: one policy may be used from many threads at once.
pub struct slakit_policy {
    inner: Policy,
}

// A policy is shared read-only across C threads: that needs Send + Sync.
const _: () = {
    const fn shareable<T: Send + Sync>() {}
    shareable::<slakit_policy>();
};

/// The library version, e.g. `0.1.0` (the version in the report's `engine`).
const VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(v) => v,
        Err(_) => c"unknown",
    };

// ---------------------------------------------------------------------------
// Failures and the thread-local last error
// ---------------------------------------------------------------------------

/// Why a call failed: the status returned to C and the error left behind.
struct Failure {
    status: slakit_status,
    error: Error,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        let status = match error.kind() {
            ErrorKind::Policy => slakit_status::SLAKIT_POLICY_ERROR,
            ErrorKind::Input => slakit_status::SLAKIT_INPUT_ERROR,
            ErrorKind::Usage => slakit_status::SLAKIT_USAGE_ERROR,
        };
        Failure { status, error }
    }
}

/// The last failure on this thread, as C strings that stay put until the
/// next call into slakit on this thread replaces or clears them.
struct LastError {
    code: CString,
    message: CString,
    json: CString,
}

thread_local! {
    static LAST_ERROR: RefCell<Option<LastError>> = const { RefCell::new(None) };
}

/// A C string from text that cannot hold a NUL (messages quote inputs,
/// and the core refuses inputs with NUL); any NUL is replaced, never fatal.
fn c_string(text: String) -> CString {
    CString::new(text).unwrap_or_else(|e| {
        let bytes: Vec<u8> = e
            .into_vec()
            .into_iter()
            .map(|b| if b == 0 { b'?' } else { b })
            .collect();
        CString::new(bytes).unwrap_or_default()
    })
}

fn set_last_error(last: Option<LastError>) {
    // `try_with`: during thread teardown the slot may be gone; `try_borrow_mut`:
    // never panics (nothing holds a borrow across a call).
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = last;
        }
    });
}

fn record_failure(error: &Error) {
    let json = serde_json::to_string(&error.to_json_value()).unwrap_or_else(|_| {
        format!(
            r#"{{"error":{{"kind":"{}","code":"{}","message":"the error could not be written as JSON","location":{{}}}}}}"#,
            error.kind().as_str(),
            error.code.as_str()
        )
    });
    set_last_error(Some(LastError {
        code: c_string(error.code.as_str().to_string()),
        message: c_string(error.message.clone()),
        json: c_string(json),
    }));
}

/// A pointer into this thread's last error, or `""` when there is none.
fn last_error_field(field: fn(&LastError) -> &CStr) -> *const c_char {
    LAST_ERROR
        .try_with(|slot| match slot.try_borrow() {
            Ok(last) => last.as_ref().map_or(c"".as_ptr(), |l| field(l).as_ptr()),
            Err(_) => c"".as_ptr(),
        })
        .unwrap_or(c"".as_ptr())
}

/// The text of a caught panic's payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// The boundary every fallible export goes through: clear the last error,
/// run `body` under `catch_unwind`, map its failure or panic to a status and
/// a last error.
fn boundary(body: impl FnOnce() -> Result<(), Failure>) -> slakit_status {
    set_last_error(None);
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return slakit_status::SLAKIT_OK,
        Ok(Err(failure)) => failure,
        Err(payload) => Failure {
            status: slakit_status::SLAKIT_PANIC,
            error: Error::new(
                ErrorCode::Internal,
                format!(
                    "internal error: slakit panicked ({}); this is a bug, please report it",
                    panic_message(payload.as_ref())
                ),
            ),
        },
    };
    // Building the last error allocates and serialises: keep even that from
    // unwinding into C.
    if catch_unwind(AssertUnwindSafe(|| record_failure(&failure.error))).is_err() {
        set_last_error(None);
    }
    failure.status
}

// ---------------------------------------------------------------------------
// Argument conversion
// ---------------------------------------------------------------------------

fn null_argument(name: &str) -> Failure {
    Failure {
        status: slakit_status::SLAKIT_NULL_ARGUMENT,
        error: Error::new(
            ErrorCode::InvalidArguments,
            format!("the argument `{name}` is NULL"),
        ),
    }
}

fn not_null<T>(ptr: *const T, name: &str) -> Result<(), Failure> {
    if ptr.is_null() {
        Err(null_argument(name))
    } else {
        Ok(())
    }
}

/// Bytes as UTF-8 text; invalid UTF-8 is `SLAKIT_INVALID_UTF8` with `code`
/// and the line of the first bad byte (as the CLI reports it).
fn utf8<'a>(bytes: &'a [u8], name: &str, code: ErrorCode) -> Result<&'a str, Failure> {
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = e.valid_up_to();
        let line = bytes
            .get(..valid)
            .map_or(1, |b| b.iter().filter(|&&c| c == b'\n').count() + 1);
        let mut error = Error::new(
            code,
            format!("`{name}` is not valid UTF-8 (first invalid byte at offset {valid})"),
        );
        error.location.line = Some(line as u64);
        Failure {
            status: slakit_status::SLAKIT_INVALID_UTF8,
            error,
        }
    })
}

/// A `(pointer, length)` text argument; the pointer is known to be non-NULL.
///
/// # Safety
/// `ptr` must point to `len` readable bytes that stay unchanged for `'a`.
unsafe fn text_arg<'a>(
    ptr: *const c_char,
    len: usize,
    name: &str,
    code: ErrorCode,
) -> Result<&'a str, Failure> {
    if isize::try_from(len).is_err() {
        return Err(Error::new(
            ErrorCode::InvalidArguments,
            format!("the length of `{name}` ({len}) is larger than any buffer can be"),
        )
        .into());
    }
    // SAFETY: `ptr` is non-NULL (checked by the caller), a `c_char` is a byte
    // so any address is aligned, `len <= isize::MAX` (checked above), and the
    // caller guarantees `len` readable bytes that C does not change meanwhile.
    let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) };
    utf8(bytes, name, code)
}

/// A NUL-terminated text argument; the pointer is known to be non-NULL.
///
/// # Safety
/// `ptr` must point to a NUL-terminated string that stays unchanged for `'a`.
unsafe fn c_str_arg<'a>(
    ptr: *const c_char,
    name: &str,
    code: ErrorCode,
) -> Result<&'a str, Failure> {
    // SAFETY: `ptr` is non-NULL (checked by the caller) and the caller
    // guarantees a NUL-terminated string that C does not change meanwhile.
    let c = unsafe { CStr::from_ptr(ptr) };
    utf8(c.to_bytes(), name, code)
}

/// The policy behind a handle; the pointer is known to be non-NULL.
///
/// # Safety
/// `ptr` must come from `slakit_policy_from_*` and not be freed yet.
unsafe fn policy_ref<'a>(ptr: *const slakit_policy) -> &'a Policy {
    // SAFETY: the caller guarantees a live handle made by `Box::into_raw`;
    // the policy is only ever read through it.
    unsafe { &(*ptr).inner }
}

/// A JSON document as a C string owned by the caller (`slakit_string_free`).
fn owned_json(text: String) -> Result<*mut c_char, Failure> {
    // serde_json escapes U+0000 as `\u0000`, so JSON text never holds a NUL.
    CString::new(text).map(CString::into_raw).map_err(|_| {
        Error::new(
            ErrorCode::Internal,
            "internal error: the output holds a NUL character",
        )
        .into()
    })
}

fn to_pretty_json<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    serde_json::to_string_pretty(value).map_err(|e| {
        Error::new(
            ErrorCode::Internal,
            format!("internal error: the output could not be written as JSON: {e}"),
        )
        .into()
    })
}

/// The body of `slakit_policy_from_yaml` and `slakit_policy_from_json`.
///
/// # Safety
/// As for those functions: `text` NULL or `len` readable bytes, `out` NULL or
/// writable.
unsafe fn policy_from(
    text: *const c_char,
    len: usize,
    out: *mut *mut slakit_policy,
    parse: fn(&str) -> slakit_core::Result<Policy>,
) -> slakit_status {
    boundary(|| {
        not_null(text, "text")?;
        not_null(out, "out")?;
        // SAFETY: `text` is non-NULL; the caller guarantees `len` readable bytes.
        let text = unsafe { text_arg(text, len, "text", ErrorCode::PolicySyntax) }?;
        let policy = parse(text)?;
        let handle = Box::into_raw(Box::new(slakit_policy { inner: policy }));
        // SAFETY: `out` is non-NULL and the caller guarantees it points to a
        // writable `slakit_policy *`; written only now, on success.
        unsafe { out.write(handle) };
        Ok(())
    })
}

// ---------------------------------------------------------------------------
// The exported functions
// ---------------------------------------------------------------------------

/// Compile a policy from YAML text: `len` bytes at `text` (no NUL terminator
/// needed; an embedded NUL is a policy error `E100`).
///
/// On `SLAKIT_OK`, `*out` is a new policy that the caller owns and releases
/// with `slakit_policy_free`. On failure `*out` is untouched.
///
/// # Safety
/// `text` must point to `len` readable bytes; `out` must point to a writable
/// `slakit_policy *`. Either may be NULL (`SLAKIT_NULL_ARGUMENT`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn slakit_policy_from_yaml(
    text: *const c_char,
    len: usize,
    out: *mut *mut slakit_policy,
) -> slakit_status {
    // SAFETY: the caller upholds this function's contract, which is policy_from's.
    unsafe { policy_from(text, len, out, Policy::from_yaml) }
}

/// Compile a policy from JSON text: `len` bytes at `text` (no NUL terminator
/// needed; an embedded NUL is a policy error `E100`).
///
/// On `SLAKIT_OK`, `*out` is a new policy that the caller owns and releases
/// with `slakit_policy_free`. On failure `*out` is untouched.
///
/// # Safety
/// `text` must point to `len` readable bytes; `out` must point to a writable
/// `slakit_policy *`. Either may be NULL (`SLAKIT_NULL_ARGUMENT`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn slakit_policy_from_json(
    text: *const c_char,
    len: usize,
    out: *mut *mut slakit_policy,
) -> slakit_status {
    // SAFETY: the caller upholds this function's contract, which is policy_from's.
    unsafe { policy_from(text, len, out, Policy::from_json) }
}

/// Release a policy. NULL is a no-op. The policy must not be in use by
/// another thread, and must not be used or freed again afterwards.
///
/// # Safety
/// `policy` must be NULL or a handle from `slakit_policy_from_*` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn slakit_policy_free(policy: *mut slakit_policy) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if !policy.is_null() {
            // SAFETY: a non-NULL handle was made by `Box::into_raw` in
            // `policy_from`, and the caller gives up its only reference.
            drop(unsafe { Box::from_raw(policy) });
        }
    }));
}

/// Validate a policy's lints: on `SLAKIT_OK`, `*out_json` is the document
/// `slakit check --format json` prints: `{"ok": true, "policy": {"name",
/// "digest"}, "slas": [ids], "warnings": [{"code": "W…", "message"}]}`
/// (pretty JSON, no trailing newline). The caller owns it and releases it
/// with `slakit_string_free`. On failure `*out_json` is untouched.
///
/// # Safety
/// `policy` must be a live handle; `out_json` must point to a writable
/// `char *`. Either may be NULL (`SLAKIT_NULL_ARGUMENT`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn slakit_check(
    policy: *const slakit_policy,
    out_json: *mut *mut c_char,
) -> slakit_status {
    boundary(|| {
        not_null(policy, "policy")?;
        not_null(out_json, "out_json")?;
        // SAFETY: `policy` is non-NULL; the caller guarantees a live handle.
        let policy = unsafe { policy_ref(policy) };
        let json = owned_json(to_pretty_json(&policy.check_report())?)?;
        // SAFETY: `out_json` is non-NULL and the caller guarantees it points
        // to a writable `char *`; written only now, on success.
        unsafe { out_json.write(json) };
        Ok(())
    })
}

/// Evaluate `policy` against records: `len` bytes at `records`, JSON Lines
/// or a JSON array (an embedded NUL is an input error `E200`). `as_of` is a
/// NUL-terminated RFC 3339 instant with an offset, or NULL for the latest
/// lifecycle event time in the records (`SLAKIT_USAGE_ERROR`, `E301`, when
/// there is none).
///
/// On `SLAKIT_OK`, `*report_json` is the report as pretty JSON — the bytes
/// of `slakit evaluate --format json` without the final newline. The caller
/// owns it and releases it with `slakit_string_free`. On failure
/// `*report_json` is untouched.
///
/// # Safety
/// `policy` must be a live handle; `records` must point to `len` readable
/// bytes; `as_of` must be NULL or NUL-terminated; `report_json` must point
/// to a writable `char *`. `policy`, `records` and `report_json` may be NULL
/// (`SLAKIT_NULL_ARGUMENT`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn slakit_evaluate(
    policy: *const slakit_policy,
    records: *const c_char,
    len: usize,
    as_of: *const c_char,
    report_json: *mut *mut c_char,
) -> slakit_status {
    boundary(|| {
        not_null(policy, "policy")?;
        not_null(records, "records")?;
        not_null(report_json, "report_json")?;
        // SAFETY: `policy` is non-NULL; the caller guarantees a live handle.
        let policy = unsafe { policy_ref(policy) };
        // SAFETY: `records` is non-NULL; the caller guarantees `len` bytes.
        let records = unsafe { text_arg(records, len, "records", ErrorCode::RecordSyntax) }?;
        let as_of = if as_of.is_null() {
            None
        } else {
            // SAFETY: `as_of` is non-NULL; the caller guarantees a NUL-terminated string.
            let text = unsafe { c_str_arg(as_of, "as_of", ErrorCode::InvalidAsOf) }?;
            Some(slakit_core::parse_as_of(text)?)
        };
        let records = slakit_core::parse_records(records)?;
        let report = policy.evaluate_at(&records, as_of)?;
        let json = owned_json(report.to_json())?;
        // SAFETY: `report_json` is non-NULL and the caller guarantees it
        // points to a writable `char *`; written only now, on success.
        unsafe { report_json.write(json) };
        Ok(())
    })
}

/// Render a report as the self-contained HTML dashboard (inline CSS and SVG
/// charts, no scripts, no network): the bytes of `slakit evaluate --format
/// html` without the final newline. `report_json` is `len` bytes of a
/// report's JSON, as `slakit_evaluate` returns it or as a stored
/// `report.json` holds it; a document that is not a slakit report is
/// `SLAKIT_USAGE_ERROR`, `E303`, with the JSON pointer of the first field
/// that does not fit.
///
/// On `SLAKIT_OK`, `*html` is the page (UTF-8); the caller owns it and
/// releases it with `slakit_string_free`. On failure `*html` is untouched.
///
/// # Safety
/// `report_json` must point to `len` readable bytes; `html` must point to a
/// writable `char *`. Both may be NULL (`SLAKIT_NULL_ARGUMENT`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn slakit_report_to_html(
    report_json: *const c_char,
    len: usize,
    html: *mut *mut c_char,
) -> slakit_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { render_report(report_json, len, html, "html", slakit_core::Report::to_html) }
}

/// Read a report's JSON, render it with `render`, and write the text to
/// `*out` (named `out_name` in errors); the shared body of the
/// `slakit_report_to_*` calls.
///
/// # Safety
/// As for `slakit_report_to_html`, with `out` in place of `html`.
unsafe fn render_report(
    report_json: *const c_char,
    len: usize,
    out: *mut *mut c_char,
    out_name: &str,
    render: impl FnOnce(&slakit_core::Report) -> slakit_core::Result<String>,
) -> slakit_status {
    boundary(|| {
        not_null(report_json, "report_json")?;
        not_null(out, out_name)?;
        // SAFETY: `report_json` is non-NULL; the caller guarantees `len` bytes.
        let text =
            unsafe { text_arg(report_json, len, "report_json", ErrorCode::InvalidArguments) }?;
        let report = slakit_core::Report::from_json(text)?;
        let rendered = owned_json(render(&report)?)?;
        // SAFETY: `out` is non-NULL and the caller guarantees it points to a
        // writable `char *`; written only now, on success.
        unsafe { out.write(rendered) };
        Ok(())
    })
}

/// Render a report as the monthly leadership report in Markdown (compliance
/// per SLA and segment, breaches and why, exceptions, vendor credits,
/// trends, DORA): the bytes of `slakit evaluate --format markdown` (the CLI
/// adds a final newline when the text has none). `report_json` is as for
/// `slakit_report_to_html`, with the same errors.
///
/// On `SLAKIT_OK`, `*markdown` is the text (UTF-8); the caller owns it and
/// releases it with `slakit_string_free`. On failure `*markdown` is
/// untouched.
///
/// # Safety
/// `report_json` must point to `len` readable bytes; `markdown` must point
/// to a writable `char *`. Both may be NULL (`SLAKIT_NULL_ARGUMENT`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn slakit_report_to_markdown(
    report_json: *const c_char,
    len: usize,
    markdown: *mut *mut c_char,
) -> slakit_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        render_report(report_json, len, markdown, "markdown", |r| {
            Ok(slakit_core::render::markdown(r))
        })
    }
}

/// Explain one deployment's clocks as a timeline (`slakit explain --format
/// json`). `records`, `len` and `as_of` are as for `slakit_evaluate`;
/// `deployment` is the NUL-terminated deployment id (`SLAKIT_USAGE_ERROR`,
/// `E304`, when no record names it).
///
/// On `SLAKIT_OK`, `*out_json` is the explanation as pretty JSON; the caller
/// owns it and releases it with `slakit_string_free`. On failure `*out_json`
/// is untouched.
///
/// # Safety
/// As for `slakit_evaluate`; `deployment` must be NUL-terminated. Every
/// pointer but `as_of` may be NULL (`SLAKIT_NULL_ARGUMENT`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn slakit_explain(
    policy: *const slakit_policy,
    records: *const c_char,
    len: usize,
    deployment: *const c_char,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> slakit_status {
    boundary(|| {
        not_null(policy, "policy")?;
        not_null(records, "records")?;
        not_null(deployment, "deployment")?;
        not_null(out_json, "out_json")?;
        // SAFETY: `policy` is non-NULL; the caller guarantees a live handle.
        let policy = unsafe { policy_ref(policy) };
        // SAFETY: `records` is non-NULL; the caller guarantees `len` bytes.
        let records = unsafe { text_arg(records, len, "records", ErrorCode::RecordSyntax) }?;
        // SAFETY: `deployment` is non-NULL; the caller guarantees a NUL-terminated string.
        let deployment =
            unsafe { c_str_arg(deployment, "deployment", ErrorCode::InvalidArguments) }?;
        let as_of = if as_of.is_null() {
            None
        } else {
            // SAFETY: `as_of` is non-NULL; the caller guarantees a NUL-terminated string.
            let text = unsafe { c_str_arg(as_of, "as_of", ErrorCode::InvalidAsOf) }?;
            Some(slakit_core::parse_as_of(text)?)
        };
        let records = slakit_core::parse_records(records)?;
        let explanation = policy.explain_at(&records, deployment, as_of)?;
        let json = owned_json(to_pretty_json(&explanation)?)?;
        // SAFETY: `out_json` is non-NULL and the caller guarantees it points
        // to a writable `char *`; written only now, on success.
        unsafe { out_json.write(json) };
        Ok(())
    })
}

/// Decide whether a proposed deployment may proceed at `at` (a pipeline
/// gate, SPEC §9a): the policy's `gates` — blackouts, deploy hours, a
/// required canary, the circuit breaker, the error budgets — checked against
/// the history in `records_len` bytes at `records` (JSON Lines or a JSON
/// array, as for `slakit_evaluate`). `proposed_json` is `proposed_len` bytes
/// of one JSON object: `{"deployment": "D-1", "service", "environment",
/// "release_type", "team"}`, `deployment` required (`SLAKIT_INPUT_ERROR`,
/// `E201`, without it), the others strings or null; an unknown field is
/// `E202`. `at` is the NUL-terminated RFC 3339 instant of the decision, with
/// an offset, and is required: slakit reads no clock (`SLAKIT_USAGE_ERROR`,
/// `E300`, for a bad one).
///
/// On `SLAKIT_OK`, `*decision_json` is the decision as pretty JSON — the
/// bytes of `slakit gate --format json` without the final newline — whether
/// it is `allow` or `deny`: read its `"decision"` member (`"allow"` or
/// `"deny"`); `"reasons"` lists every gate that denied. The caller owns it
/// and releases it with `slakit_string_free`. On failure `*decision_json` is
/// untouched.
///
/// # Safety
/// `policy` must be a live handle; `records` must point to `records_len`
/// readable bytes and `proposed_json` to `proposed_len`; `at` must be
/// NUL-terminated; `decision_json` must point to a writable `char *`. Any of
/// them may be NULL (`SLAKIT_NULL_ARGUMENT`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn slakit_gate(
    policy: *const slakit_policy,
    records: *const c_char,
    records_len: usize,
    proposed_json: *const c_char,
    proposed_len: usize,
    at: *const c_char,
    decision_json: *mut *mut c_char,
) -> slakit_status {
    boundary(|| {
        not_null(policy, "policy")?;
        not_null(records, "records")?;
        not_null(proposed_json, "proposed_json")?;
        not_null(at, "at")?;
        not_null(decision_json, "decision_json")?;
        // SAFETY: `policy` is non-NULL; the caller guarantees a live handle.
        let policy = unsafe { policy_ref(policy) };
        // SAFETY: `records` is non-NULL; the caller guarantees `records_len` bytes.
        let records =
            unsafe { text_arg(records, records_len, "records", ErrorCode::RecordSyntax) }?;
        // SAFETY: `proposed_json` is non-NULL; the caller guarantees `proposed_len` bytes.
        let proposed = unsafe {
            text_arg(
                proposed_json,
                proposed_len,
                "proposed_json",
                ErrorCode::RecordSyntax,
            )
        }?;
        // SAFETY: `at` is non-NULL; the caller guarantees a NUL-terminated string.
        let at = unsafe { c_str_arg(at, "at", ErrorCode::InvalidAsOf) }?;
        // The order of the CLI: the instant, the records, then the proposal.
        let at = slakit_core::parse_as_of(at).map_err(|mut e| {
            // The core speaks of `as_of`; this function's argument is `at`.
            e.message = e.message.replacen("invalid as_of", "invalid `at`", 1);
            e
        })?;
        let records = slakit_core::parse_records(records)?;
        let proposed = slakit_core::gate::parse_proposed(proposed)?;
        let decision = policy.gate(&records, &proposed, at)?;
        let json = owned_json(to_pretty_json(&decision)?)?;
        // SAFETY: `decision_json` is non-NULL and the caller guarantees it
        // points to a writable `char *`; written only now, on success.
        unsafe { decision_json.write(json) };
        Ok(())
    })
}

/// The baseline of `policy` (NULL: the default policy) as JSON or YAML.
///
/// # Safety
/// As for [`slakit_baseline`].
unsafe fn baseline_text(
    policy: *const slakit_policy,
    records: *const c_char,
    len: usize,
    as_of: *const c_char,
    out: *mut *mut c_char,
    yaml: bool,
) -> slakit_status {
    boundary(|| {
        not_null(records, "records")?;
        not_null(out, "out")?;
        let policy = if policy.is_null() {
            None
        } else {
            // SAFETY: `policy` is non-NULL; the caller guarantees a live handle.
            Some(unsafe { policy_ref(policy) })
        };
        // SAFETY: `records` is non-NULL; the caller guarantees `len` bytes.
        let records = unsafe { text_arg(records, len, "records", ErrorCode::RecordSyntax) }?;
        let as_of = if as_of.is_null() {
            None
        } else {
            // SAFETY: `as_of` is non-NULL; the caller guarantees a NUL-terminated string.
            let text = unsafe { c_str_arg(as_of, "as_of", ErrorCode::InvalidAsOf) }?;
            Some(slakit_core::parse_as_of(text)?)
        };
        let records = slakit_core::parse_records(records)?;
        let baseline = slakit_core::baseline::baseline(policy, &records, as_of)?;
        let text = if yaml {
            baseline.to_yaml()
        } else {
            baseline.to_json()
        };
        let text = owned_json(text)?;
        // SAFETY: `out` is non-NULL and the caller guarantees it points to a
        // writable `char *`; written only now, on success.
        unsafe { out.write(text) };
        Ok(())
    })
}

/// Suggest targets from history (docs/baseline.md): for each SLA of `policy`
/// — or, when `policy` is NULL, of slakit's default baseline policy — per
/// tier and group, nearest-rank percentiles of the measured clocks, the
/// window rates and counts, and the suggested target with the compliance it
/// would have had. `records`, `len` and `as_of` as for `slakit_evaluate`.
///
/// On `SLAKIT_OK`, `*baseline_json` is the baseline as pretty JSON — the
/// bytes of `slakit baseline --format json` without the final newline. The
/// caller owns it and releases it with `slakit_string_free`. On failure
/// `*baseline_json` is untouched.
///
/// # Safety
/// `policy` must be NULL or a live handle; `records` must point to `len`
/// readable bytes; `as_of` must be NULL or NUL-terminated; `baseline_json`
/// must point to a writable `char *`. `records` and `baseline_json` may be
/// NULL (`SLAKIT_NULL_ARGUMENT`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn slakit_baseline(
    policy: *const slakit_policy,
    records: *const c_char,
    len: usize,
    as_of: *const c_char,
    baseline_json: *mut *mut c_char,
) -> slakit_status {
    // SAFETY: the caller's guarantees are this function's.
    unsafe { baseline_text(policy, records, len, as_of, baseline_json, false) }
}

/// `slakit_baseline` as the YAML snippet of `slakit baseline`: a `slas:`
/// section with the suggested targets and every figure in comments (a
/// complete policy when `policy` is NULL), ending with a newline. The caller
/// releases `*yaml` with `slakit_string_free`; on failure it is untouched.
///
/// # Safety
/// As for `slakit_baseline`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn slakit_baseline_yaml(
    policy: *const slakit_policy,
    records: *const c_char,
    len: usize,
    as_of: *const c_char,
    yaml: *mut *mut c_char,
) -> slakit_status {
    // SAFETY: the caller's guarantees are this function's.
    unsafe { baseline_text(policy, records, len, as_of, yaml, true) }
}

/// Release a string returned by slakit (`*report_json`, `*out_json`,
/// `*decision_json`, `*baseline_json`, `*yaml`). NULL is a no-op. Never pass it to `free()`, nor a
/// string slakit did not return.
///
/// # Safety
/// `s` must be NULL or a string returned by slakit and not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn slakit_string_free(s: *mut c_char) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if !s.is_null() {
            // SAFETY: a non-NULL string slakit returned was made by
            // `CString::into_raw` in `owned_json`, and the caller gives it up.
            drop(unsafe { CString::from_raw(s) });
        }
    }));
}

/// The message of the last failed call on this thread (lowercase, user input
/// in backticks; the same text as the `message` of the JSON error), or `""`
/// when the last call succeeded. Never NULL. Owned by slakit: valid until
/// the next call into slakit on this thread other than `slakit_last_error_*`
/// and `slakit_version`.
#[unsafe(no_mangle)]
pub extern "C" fn slakit_last_error_message() -> *const c_char {
    catch_unwind(|| last_error_field(|l| &l.message)).unwrap_or(c"".as_ptr())
}

/// The stable code of the last failed call on this thread (`E…`, listed in
/// docs/errors.md), or `""` when the last call succeeded. Never NULL; same
/// lifetime as `slakit_last_error_message`.
#[unsafe(no_mangle)]
pub extern "C" fn slakit_last_error_code() -> *const c_char {
    catch_unwind(|| last_error_field(|l| &l.code)).unwrap_or(c"".as_ptr())
}

/// The last failure on this thread as the SPEC §11 error document, compact
/// JSON: `{"error": {"kind", "code", "message", "location"}}` — what the
/// CLI prints with `--format json`. `""` when the last call succeeded.
/// Never NULL; same lifetime as `slakit_last_error_message`.
#[unsafe(no_mangle)]
pub extern "C" fn slakit_last_error_json() -> *const c_char {
    catch_unwind(|| last_error_field(|l| &l.json)).unwrap_or(c"".as_ptr())
}

/// The library version, e.g. `"0.1.0"`: static, never freed, never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn slakit_version() -> *const c_char {
    catch_unwind(|| VERSION.as_ptr()).unwrap_or(c"unknown".as_ptr())
}

/// Not part of the API (left out of slakit.h): panics inside the C boundary
/// so tests can prove that a panic becomes `SLAKIT_PANIC` (ADVERSARIAL 38).
#[unsafe(no_mangle)]
#[doc(hidden)]
#[allow(clippy::panic, reason = "the test hook exists to panic")]
pub extern "C" fn slakit__test_panic() -> slakit_status {
    boundary(|| panic!("slakit__test_panic was called"))
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]
mod tests {
    use super::*;
    use std::ptr;

    fn last_code() -> String {
        // SAFETY: slakit_last_error_code never returns NULL and the string
        // lives until the next call on this thread.
        unsafe { CStr::from_ptr(slakit_last_error_code()) }
            .to_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn a_panic_is_caught_and_recorded() {
        assert_eq!(slakit__test_panic(), slakit_status::SLAKIT_PANIC);
        assert_eq!(last_code(), "E900");
    }

    #[test]
    fn null_arguments_leave_the_output_alone() {
        let mut out: *mut slakit_policy = ptr::dangling_mut();
        // SAFETY: NULL text is the case under test; `out` is writable.
        let status = unsafe { slakit_policy_from_yaml(ptr::null(), 0, &mut out) };
        assert_eq!(status, slakit_status::SLAKIT_NULL_ARGUMENT);
        assert_eq!(out, ptr::dangling_mut());
        assert_eq!(last_code(), "E303");
    }

    const GATE_POLICY: &str = "slakit: 1\nname: g\nslas: []\ngates:\n  blackouts:\n    - {id: freeze, from: \"2026-12-18T00:00:00Z\", to: \"2027-01-04T00:00:00Z\"}\n";

    /// `slakit_gate` on `at`: the status and the decision JSON, if any.
    fn gate_at(at: &CStr) -> (slakit_status, Option<String>) {
        let mut policy: *mut slakit_policy = ptr::null_mut();
        // SAFETY: the text is `len` readable bytes; `policy` is writable.
        let status = unsafe {
            slakit_policy_from_yaml(GATE_POLICY.as_ptr().cast(), GATE_POLICY.len(), &mut policy)
        };
        assert_eq!(status, slakit_status::SLAKIT_OK);
        let proposed = r#"{"deployment": "d1", "service": "checkout"}"#;
        let mut out: *mut c_char = ptr::null_mut();
        // SAFETY: every pointer is live for the call; the lengths are exact.
        let status = unsafe {
            slakit_gate(
                policy,
                c"".as_ptr(),
                0,
                proposed.as_ptr().cast(),
                proposed.len(),
                at.as_ptr(),
                &mut out,
            )
        };
        let json = (!out.is_null()).then(|| {
            // SAFETY: `out` is a string slakit returned, freed right after.
            let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
            // SAFETY: as above; freed once.
            unsafe { slakit_string_free(out) };
            text
        });
        // SAFETY: the handle is live and freed once.
        unsafe { slakit_policy_free(policy) };
        (status, json)
    }

    #[test]
    fn the_gate_decision_is_what_the_cli_prints() {
        let policy = Policy::from_yaml(GATE_POLICY).unwrap();
        let proposed =
            slakit_core::gate::parse_proposed(r#"{"deployment": "d1", "service": "checkout"}"#)
                .unwrap();
        for (at, decision) in [
            (c"2026-12-20T00:00:00Z", "deny"),
            (c"2026-12-17T00:00:00-05:00", "allow"),
        ] {
            let (status, json) = gate_at(at);
            assert_eq!(status, slakit_status::SLAKIT_OK);
            let json = json.unwrap();
            // `slakit gate --format json` prints `Decision::to_json` and a newline.
            let instant = slakit_core::parse_as_of(at.to_str().unwrap()).unwrap();
            let expected = policy.gate(&[], &proposed, instant).unwrap();
            assert_eq!(json, expected.to_json());
            assert_eq!(expected.decision, decision);
        }
    }

    #[test]
    fn a_bad_at_is_named_at() {
        let (status, json) = gate_at(c"tomorrow");
        assert_eq!(status, slakit_status::SLAKIT_USAGE_ERROR);
        assert!(json.is_none());
        assert_eq!(last_code(), "E300");
        // SAFETY: never NULL; lives until the next call on this thread.
        let message = unsafe { CStr::from_ptr(slakit_last_error_message()) };
        assert!(
            message
                .to_str()
                .unwrap()
                .starts_with("invalid `at`: `tomorrow`"),
            "{message:?}"
        );
    }

    #[test]
    fn invalid_utf8_is_its_own_status() {
        let text = b"slakit: 1\nname: \xff\n";
        let mut out: *mut slakit_policy = ptr::null_mut();
        // SAFETY: `text` is `text.len()` readable bytes; `out` is writable.
        let status = unsafe { slakit_policy_from_yaml(text.as_ptr().cast(), text.len(), &mut out) };
        assert_eq!(status, slakit_status::SLAKIT_INVALID_UTF8);
        assert!(out.is_null());
        assert_eq!(last_code(), "E100");
    }
}
