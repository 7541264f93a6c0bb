//! Every conformance vector through the C ABI: `examples/slakit_eval.c` is
//! compiled with gcc against the freshly built `libslakit.so`, then run once
//! per vector (the policy written as JSON, the records as JSON Lines); the
//! report — or the error document, exit 2 — is read back from stdout.
//!
//! A second pass writes each policy to a `.yaml` file (JSON is YAML), so
//! `slakit_policy_from_yaml` answers every vector too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs,
    reason = "test code: a failed expectation should stop the test loudly"
)]

#[path = "../../../crates/slakit/tests/common/conformance.rs"]
mod conformance;

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use conformance::{Outcome, run_all};
use serde_json::Value;

/// A scratch directory removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("slakit-c-conformance-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Build `libslakit.so` and return the directory it is in.
///
/// `cargo test` does not build a cdylib for integration tests (it is not
/// linkable from Rust), so the test builds it itself — with the same cargo,
/// target directory and profile as the test binary, which lives in
/// `<target>/<profile>/deps/` — instead of trusting whatever is on disk.
fn library_dir() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().unwrap();
            let profile_dir = exe.parent().and_then(Path::parent).unwrap().to_path_buf();
            let target_dir = profile_dir.parent().unwrap();
            let profile = profile_dir.file_name().unwrap().to_str().unwrap();
            let mut cargo = Command::new(env!("CARGO"));
            cargo
                .args(["build", "--quiet", "--lib", "--manifest-path"])
                .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
                .env("CARGO_TARGET_DIR", target_dir);
            match profile {
                "debug" => {}
                "release" => {
                    cargo.arg("--release");
                }
                other => {
                    cargo.args(["--profile", other]);
                }
            }
            let status = cargo.status().unwrap();
            assert!(status.success(), "cargo build -p slakit-ffi failed");
            assert!(
                profile_dir.join("libslakit.so").exists(),
                "libslakit.so not found in {}",
                profile_dir.display()
            );
            profile_dir
        })
        .clone()
}

/// Compile `examples/slakit_eval.c` against the shared library.
fn build_slakit_eval(scratch: &Scratch) -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let lib = library_dir();
    let exe = scratch.0.join("slakit_eval");
    let cc = std::env::var("CC").unwrap_or_else(|_| "gcc".to_string());
    let status = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-O1"])
        .arg("-I")
        .arg(manifest.join("include"))
        .arg(manifest.join("examples/slakit_eval.c"))
        .arg("-o")
        .arg(&exe)
        .arg(format!("-L{}", lib.display()))
        .arg("-lslakit")
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .status()
        .unwrap_or_else(|e| panic!("cannot run `{cc}`: {e}"));
    assert!(status.success(), "{cc} failed to compile slakit_eval.c");
    exe
}

fn run_vector(exe: &Path, v: &Value, scratch: &Scratch, n: usize, policy_ext: &str) -> Outcome {
    let policy = scratch.0.join(format!("{n:03}-policy.{policy_ext}"));
    let records = scratch.0.join(format!("{n:03}-records.jsonl"));
    std::fs::write(&policy, serde_json::to_string_pretty(&v["policy"]).unwrap()).unwrap();
    let mut jsonl = String::new();
    for r in v["records"].as_array().unwrap() {
        jsonl.push_str(&serde_json::to_string(r).unwrap());
        jsonl.push('\n');
    }
    std::fs::write(&records, jsonl).unwrap();
    let out = Command::new(exe)
        .arg(&policy)
        .arg(&records)
        .arg(v["as_of"].as_str().unwrap())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let doc: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "vector {}: stdout is not JSON ({e}), exit {:?}\nstdout: {stdout}\nstderr: {}",
            v["name"],
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
    });
    match out.status.code() {
        Some(0) => Outcome::Report(doc),
        Some(2) => {
            let err = &doc["error"];
            assert!(
                err["code"].as_str().is_some_and(|c| c.starts_with('E')),
                "vector {}: error document without a code: {doc}",
                v["name"]
            );
            Outcome::Error {
                kind: err["kind"].as_str().unwrap().to_string(),
                message: err["message"].as_str().unwrap().to_string(),
            }
        }
        other => panic!("vector {}: unexpected exit {other:?}", v["name"]),
    }
}

fn every_vector(policy_ext: &str) {
    let scratch = Scratch::new(policy_ext);
    let exe = build_slakit_eval(&scratch);
    let n = Cell::new(0);
    run_all(|v| {
        n.set(n.get() + 1);
        run_vector(&exe, v, &scratch, n.get(), policy_ext)
    });
}

#[test]
fn every_vector_through_the_c_abi_with_a_json_policy() {
    every_vector("json");
}

#[test]
fn every_vector_through_the_c_abi_with_a_yaml_policy() {
    every_vector("yaml");
}
