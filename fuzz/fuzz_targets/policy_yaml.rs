//! Policy YAML: any bytes either compile to a policy or give a coded error;
//! never a panic, hang or runaway allocation. A compiled policy must also
//! survive `check_report` and an evaluation of no records.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match slakit::Policy::from_yaml(text) {
        Ok(policy) => {
            let _ = policy.check_report();
            // 2026-03-31T00:00:00Z: an empty report, or an error, never a panic.
            let _ = policy.evaluate(&[], 1_774_915_200_000);
        }
        Err(e) => {
            assert!(e.code.as_str().starts_with("E1"), "{e}");
            assert!(!e.message.is_empty());
        }
    }
});
