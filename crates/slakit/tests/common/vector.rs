//! A conformance vector's inputs as library values (the library's tests
//! only: the CLI and C tests share `conformance.rs` without the crate).
#![allow(dead_code, clippy::unwrap_used)]

use serde_json::Value;

/// A vector's policy, records (numbered by position) and as_of.
pub fn inputs(v: &Value) -> slakit::Result<(slakit::Policy, Vec<slakit::Record>, i64)> {
    use slakit::record::{Origin, record_from_value};
    let policy = slakit::Policy::from_json(&v["policy"].to_string())?;
    let records = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, r)| {
            record_from_value(
                r.clone(),
                Origin {
                    index: i,
                    line: None,
                },
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let as_of = slakit::instant::parse(v["as_of"].as_str().unwrap()).unwrap();
    Ok((policy, records, as_of))
}
