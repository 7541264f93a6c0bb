//! The C ABI (`bindings/c/src/lib.rs`, compiled in here so that it is
//! instrumented): the bytes are split into a policy, records, an as_of, a
//! deployment id and a proposed deployment, and go through every exported
//! function as raw pointers and lengths — any bytes, including invalid UTF-8
//! and NULs. Checks: every call returns a status (never unwinds), outputs are
//! written exactly on `SLAKIT_OK`, a failure leaves an `E…` code, and
//! everything allocated is freed (LeakSanitizer under ASan).
#![no_main]

extern crate slakit as slakit_core;

#[allow(dead_code, missing_docs, unused_imports)]
#[path = "../../bindings/c/src/lib.rs"]
mod ffi;

use std::ffi::{CStr, CString, c_char};
use std::ptr;

use ffi::*;
use libfuzzer_sys::fuzz_target;

/// Splits on the separator byte 0xff (never valid UTF-8, so it cannot hide
/// inside a valid input).
fn parts(data: &[u8]) -> Vec<&[u8]> {
    data.split(|&b| b == 0xff).collect()
}

fn check_output(status: slakit_status, out: *mut c_char) {
    if status == slakit_status::SLAKIT_OK {
        assert!(!out.is_null());
        // SAFETY: on OK the library wrote an owned NUL-terminated string.
        let text = unsafe { CStr::from_ptr(out) }
            .to_str()
            .expect("output is UTF-8");
        assert!(serde_json::from_str::<serde_json::Value>(text).is_ok());
        // SAFETY: owned by us, freed once.
        unsafe { slakit_string_free(out) };
    } else {
        assert!(out.is_null(), "an output was written on failure");
        // SAFETY: never NULL, valid until the next call on this thread.
        let code = unsafe { CStr::from_ptr(slakit_last_error_code()) }
            .to_str()
            .unwrap_or("");
        assert!(
            code.starts_with('E') && code.len() == 4,
            "last error code `{code}`"
        );
        assert_ne!(
            status,
            slakit_status::SLAKIT_PANIC,
            "a panic reached the C boundary"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let p = parts(data);
    let policy_text = p.first().copied().unwrap_or_default();
    let records = p.get(1).copied().unwrap_or_default();
    let as_of = p
        .get(2)
        .map(|b| CString::new(b.iter().copied().filter(|&c| c != 0).collect::<Vec<u8>>()));
    let deployment = CString::new(
        p.get(3)
            .copied()
            .unwrap_or(b"d1")
            .iter()
            .copied()
            .filter(|&c| c != 0)
            .collect::<Vec<u8>>(),
    );
    let proposed = p
        .get(4)
        .copied()
        .unwrap_or(br#"{"deployment":"d9","service":"checkout"}"#);
    let (Ok(deployment), as_of) = (deployment, as_of.transpose()) else {
        return;
    };
    let Ok(as_of) = as_of else { return };
    let as_of_ptr = as_of.as_ref().map_or(ptr::null(), |c| c.as_ptr());
    let at = as_of
        .clone()
        .unwrap_or_else(|| c"2026-03-31T00:00:00Z".to_owned());

    for from_yaml in [true, false] {
        let mut policy: *mut slakit_policy = ptr::null_mut();
        // SAFETY: the text is `len` readable bytes; `policy` is writable.
        let status = unsafe {
            if from_yaml {
                slakit_policy_from_yaml(policy_text.as_ptr().cast(), policy_text.len(), &mut policy)
            } else {
                slakit_policy_from_json(policy_text.as_ptr().cast(), policy_text.len(), &mut policy)
            }
        };
        if status != slakit_status::SLAKIT_OK {
            assert!(policy.is_null());
            assert_ne!(status, slakit_status::SLAKIT_PANIC);
            continue;
        }
        let mut out: *mut c_char = ptr::null_mut();
        // SAFETY: live handle, writable output.
        check_output(unsafe { slakit_check(policy, &mut out) }, out);
        let mut out: *mut c_char = ptr::null_mut();
        // SAFETY: every pointer is live for the call; the lengths are exact.
        let status = unsafe {
            slakit_evaluate(
                policy,
                records.as_ptr().cast(),
                records.len(),
                as_of_ptr,
                &mut out,
            )
        };
        check_output(status, out);
        let mut out: *mut c_char = ptr::null_mut();
        // SAFETY: as above; `deployment` is NUL-terminated.
        let status = unsafe {
            slakit_explain(
                policy,
                records.as_ptr().cast(),
                records.len(),
                deployment.as_ptr(),
                as_of_ptr,
                &mut out,
            )
        };
        check_output(status, out);
        let mut out: *mut c_char = ptr::null_mut();
        // SAFETY: as above.
        let status = unsafe {
            slakit_gate(
                policy,
                records.as_ptr().cast(),
                records.len(),
                proposed.as_ptr().cast(),
                proposed.len(),
                at.as_ptr(),
                &mut out,
            )
        };
        check_output(status, out);
        // SAFETY: a live handle, freed once.
        unsafe { slakit_policy_free(policy) };
    }
});
