//! Records (JSON Lines or a JSON array): any bytes parse to records or give a
//! coded `E2xx` error. Records that parse have a canonical form that parses
//! back to the same records (the inputs digest relies on it).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match slakit::parse_records(text) {
        Ok(records) => {
            let canonical: Vec<String> = records.iter().map(|r| r.canonical_json()).collect();
            let again = slakit::parse_records(&canonical.join("\n"))
                .unwrap_or_else(|e| panic!("canonical records do not parse back: {e}"));
            let twice: Vec<String> = again.iter().map(|r| r.canonical_json()).collect();
            assert_eq!(canonical, twice);
        }
        Err(e) => assert!(e.code.as_str().starts_with("E2"), "{e}"),
    }
});
