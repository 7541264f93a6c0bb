//! The committed JSON Schema of the report must match the report types.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[test]
fn committed_schema_is_current() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/report.schema.json");
    let fresh = format!(
        "{}\n",
        serde_json::to_string_pretty(&slakit::report::report_schema()).unwrap()
    );
    if std::env::var_os("SLAKIT_WRITE_SCHEMA").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "docs/report.schema.json is stale: run `make schema` and commit it"
    );
}
