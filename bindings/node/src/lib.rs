//! Node bindings of slakit: the npm package `slakit` (napi-rs).
//!
//! The binding converts arguments, calls the core, and maps errors — the
//! rules all live in the `slakit` crate. Every export is
//! `#[napi(catch_unwind)]`, and the core calls run inside `errors::guard`
//! (on the main thread and on the libuv pool alike), so a Rust panic reaches
//! JS as an `Error` with code `E900` instead of aborting the process.
#![allow(
    unsafe_code,
    reason = "napi-rs macros expand to FFI glue, and napi's value casts are `unsafe fn`s"
)]

mod convert;
mod errors;
mod job;
mod json;

use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Env, Unknown};
use napi_derive::napi;
use slakit::{Error, ErrorCode};

use crate::job::{Job, JobTask};
use crate::json::JsonText;

/// A compiled SLA policy: immutable, safe to share between calls (including
/// `evaluate()` calls in flight at the same time).
#[napi]
pub struct Policy {
    inner: Arc<slakit::Policy>,
}

#[napi]
impl Policy {
    /// Read a policy from YAML text.
    #[napi(factory, catch_unwind)]
    pub fn from_yaml(env: Env, text: String) -> napi::Result<Policy> {
        compile(&env, || slakit::Policy::from_yaml(&text))
    }

    /// Read a policy from JSON text.
    #[napi(factory, catch_unwind)]
    pub fn from_json(env: Env, text: String) -> napi::Result<Policy> {
        compile(&env, || slakit::Policy::from_json(&text))
    }

    /// Read a policy from a plain object (the document model of the YAML and
    /// JSON forms). Errors locate the field by `path`; there is no text, so
    /// no `line`.
    #[napi(factory, catch_unwind, ts_args_type = "policy: PolicyDocument")]
    pub fn from_object(env: Env, policy: Unknown<'_>) -> napi::Result<Policy> {
        compile(&env, || {
            slakit::Policy::from_value(convert::policy(policy)?)
        })
    }

    /// Read a policy file (YAML, or JSON when it starts with `{`); errors
    /// carry its name as `file`.
    #[napi(factory, catch_unwind)]
    pub fn load(env: Env, path: String) -> napi::Result<Policy> {
        compile(&env, || {
            let text = job::read_text(&path, ErrorCode::PolicySyntax)?;
            slakit::Policy::from_text(&text).map_err(|e| e.in_file(&path))
        })
    }

    /// slakit's default baseline policy (`slakit baseline` without
    /// `--policy`, docs/baseline.md): lead time, deploy duration, rollback
    /// time, success and change failure rates, weekly deployment frequency.
    #[napi(factory, catch_unwind)]
    pub fn default_baseline(env: Env) -> napi::Result<Policy> {
        compile(&env, slakit::baseline::default_policy)
    }

    /// Evaluate on the calling thread. `records` is an array of record
    /// objects or the path of a JSON Lines / JSON array file; `asOf` is a
    /// `Date`, an RFC 3339 string, or absent for the latest lifecycle event.
    /// Returns the report: the JSON of `slakit evaluate --format json`.
    #[napi(
        catch_unwind,
        ts_args_type = "records: RecordInput[] | string, asOf?: AsOf",
        ts_return_type = "Report"
    )]
    pub fn evaluate_sync(
        &self,
        env: Env,
        records: Unknown<'_>,
        as_of: Option<Unknown<'_>>,
    ) -> napi::Result<JsonText> {
        self.evaluate_job(records, as_of)
            .and_then(Job::run)
            .map_err(|e| errors::to_js(&env, e))
    }

    /// Evaluate on the libuv thread pool, off the event loop; the same
    /// arguments and report as `evaluateSync`. Every error is a rejection.
    #[napi(
        catch_unwind,
        ts_args_type = "records: RecordInput[] | string, asOf?: AsOf",
        ts_return_type = "Promise<Report>"
    )]
    pub fn evaluate(&self, records: Unknown<'_>, as_of: Option<Unknown<'_>>) -> AsyncTask<JobTask> {
        AsyncTask::new(JobTask::new(self.evaluate_job(records, as_of)))
    }

    /// The policy's lint warnings (`slakit check`).
    #[napi(catch_unwind, ts_return_type = "Warning[]")]
    pub fn check(&self, env: Env) -> napi::Result<JsonText> {
        errors::guard(|| JsonText::of(&self.inner.check())).map_err(|e| errors::to_js(&env, e))
    }

    /// One deployment's clocks as a timeline (`slakit explain`), on the
    /// calling thread.
    #[napi(
        catch_unwind,
        ts_args_type = "records: RecordInput[] | string, deploymentId: string, asOf?: AsOf",
        ts_return_type = "Explanation"
    )]
    pub fn explain(
        &self,
        env: Env,
        records: Unknown<'_>,
        deployment_id: String,
        as_of: Option<Unknown<'_>>,
    ) -> napi::Result<JsonText> {
        self.explain_job(records, deployment_id, as_of)
            .and_then(Job::run)
            .map_err(|e| errors::to_js(&env, e))
    }

    /// `explain` on the libuv thread pool, off the event loop.
    #[napi(
        catch_unwind,
        ts_args_type = "records: RecordInput[] | string, deploymentId: string, asOf?: AsOf",
        ts_return_type = "Promise<Explanation>"
    )]
    pub fn explain_async(
        &self,
        records: Unknown<'_>,
        deployment_id: String,
        as_of: Option<Unknown<'_>>,
    ) -> AsyncTask<JobTask> {
        AsyncTask::new(JobTask::new(self.explain_job(
            records,
            deployment_id,
            as_of,
        )))
    }

    /// May `proposed` deploy at `at`? (`slakit gate`), on the calling
    /// thread. `records` is the history, as for `evaluateSync`; `proposed`
    /// a plain object with the attributes of a deployment record; `at` a
    /// `Date` or an RFC 3339 string, required (there is no default and no
    /// clock). Returns the decision: the JSON of `slakit gate --format json`.
    #[napi(
        catch_unwind,
        ts_args_type = "records: RecordInput[] | string, proposed: Proposed, at: Date | string",
        ts_return_type = "Decision"
    )]
    pub fn gate_sync(
        &self,
        env: Env,
        records: Unknown<'_>,
        proposed: Unknown<'_>,
        at: Unknown<'_>,
    ) -> napi::Result<JsonText> {
        self.gate_job(records, proposed, at)
            .and_then(Job::run)
            .map_err(|e| errors::to_js(&env, e))
    }

    /// `gateSync` on the libuv thread pool, off the event loop; the same
    /// arguments and decision. Every error is a rejection.
    #[napi(
        catch_unwind,
        ts_args_type = "records: RecordInput[] | string, proposed: Proposed, at: Date | string",
        ts_return_type = "Promise<Decision>"
    )]
    pub fn gate(
        &self,
        records: Unknown<'_>,
        proposed: Unknown<'_>,
        at: Unknown<'_>,
    ) -> AsyncTask<JobTask> {
        AsyncTask::new(JobTask::new(self.gate_job(records, proposed, at)))
    }
}

#[napi]
impl Policy {
    /// Suggested targets for this policy's SLAs from the history in
    /// `records` (`slakit baseline --format json`), on the calling thread.
    /// `records` and `asOf` as for `evaluateSync`.
    #[napi(
        catch_unwind,
        ts_args_type = "records: RecordInput[] | string, asOf?: AsOf",
        ts_return_type = "Baseline"
    )]
    pub fn baseline_sync(
        &self,
        env: Env,
        records: Unknown<'_>,
        as_of: Option<Unknown<'_>>,
    ) -> napi::Result<JsonText> {
        self.baseline_job(records, as_of, false)
            .and_then(Job::run)
            .map_err(|e| errors::to_js(&env, e))
    }

    /// `baselineSync` on the libuv thread pool, off the event loop.
    #[napi(
        catch_unwind,
        ts_args_type = "records: RecordInput[] | string, asOf?: AsOf",
        ts_return_type = "Promise<Baseline>"
    )]
    pub fn baseline(&self, records: Unknown<'_>, as_of: Option<Unknown<'_>>) -> AsyncTask<JobTask> {
        AsyncTask::new(JobTask::new(self.baseline_job(records, as_of, false)))
    }

    /// The baseline as the YAML snippet of `slakit baseline`: a `slas:`
    /// section with the suggested targets, every figure in comments.
    #[napi(
        catch_unwind,
        ts_args_type = "records: RecordInput[] | string, asOf?: AsOf",
        ts_return_type = "string"
    )]
    pub fn baseline_yaml(
        &self,
        env: Env,
        records: Unknown<'_>,
        as_of: Option<Unknown<'_>>,
    ) -> napi::Result<JsonText> {
        self.baseline_job(records, as_of, true)
            .and_then(Job::run)
            .map_err(|e| errors::to_js(&env, e))
    }
}

impl Policy {
    fn baseline_job(
        &self,
        records: Unknown<'_>,
        as_of: Option<Unknown<'_>>,
        yaml: bool,
    ) -> Result<Job, Error> {
        errors::guard(|| {
            Ok(Job::Baseline {
                policy: Arc::clone(&self.inner),
                records: convert::records(records)?,
                as_of: convert::as_of(as_of)?,
                yaml,
            })
        })
    }

    fn evaluate_job(&self, records: Unknown<'_>, as_of: Option<Unknown<'_>>) -> Result<Job, Error> {
        errors::guard(|| {
            Ok(Job::Evaluate {
                policy: Arc::clone(&self.inner),
                records: convert::records(records)?,
                as_of: convert::as_of(as_of)?,
            })
        })
    }

    fn explain_job(
        &self,
        records: Unknown<'_>,
        deployment: String,
        as_of: Option<Unknown<'_>>,
    ) -> Result<Job, Error> {
        errors::guard(|| {
            Ok(Job::Explain {
                policy: Arc::clone(&self.inner),
                records: convert::records(records)?,
                deployment,
                as_of: convert::as_of(as_of)?,
            })
        })
    }

    fn gate_job(
        &self,
        records: Unknown<'_>,
        proposed: Unknown<'_>,
        at: Unknown<'_>,
    ) -> Result<Job, Error> {
        errors::guard(|| {
            Ok(Job::Gate {
                policy: Arc::clone(&self.inner),
                records: convert::records(records)?,
                proposed: convert::proposed(proposed)?,
                at: convert::at(at)?,
            })
        })
    }
}

fn compile(env: &Env, f: impl FnOnce() -> Result<slakit::Policy, Error>) -> napi::Result<Policy> {
    errors::guard(f)
        .map(|policy| Policy {
            inner: Arc::new(policy),
        })
        .map_err(|e| errors::to_js(env, e))
}

/// The report as a self-contained HTML dashboard (inline CSS and SVG
/// charts, no scripts, no network): the bytes of `slakit evaluate --format
/// html` without the final newline. `report` is what `evaluate` returned,
/// a parsed `report.json`, or its JSON text; anything else throws `E303`.
#[napi(catch_unwind, ts_args_type = "report: Report | string")]
pub fn report_to_html(env: Env, report: Unknown<'_>) -> napi::Result<String> {
    errors::guard(|| convert::report(report)?.to_html()).map_err(|e| errors::to_js(&env, e))
}

/// The monthly leadership report in Markdown (compliance per SLA and segment,
/// breaches and why, exceptions, vendor credits, trends, DORA): the bytes of
/// `slakit evaluate --format markdown` (the CLI adds a final newline when
/// the text has none). `report` is as for `reportToHtml`.
#[napi(catch_unwind, ts_args_type = "report: Report | string")]
pub fn report_to_markdown(env: Env, report: Unknown<'_>) -> napi::Result<String> {
    errors::guard(|| Ok(slakit::render::markdown(&convert::report(report)?)))
        .map_err(|e| errors::to_js(&env, e))
}

/// The engine version, as in a report's `engine.version`.
#[napi(catch_unwind)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// @internal Test hook: panic inside the engine guard (`mode` absent or
/// `'engine'`: throws an `E900` error) or directly in the export body
/// (`'export'`: caught by napi's `catch_unwind`). Proves a panic never
/// aborts the process.
#[napi(js_name = "__panicForTests", catch_unwind)]
pub fn panic_for_tests(env: Env, mode: Option<String>) -> napi::Result<()> {
    if mode.as_deref() == Some("export") {
        export_panic();
    }
    Job::Panic
        .run()
        .map(|_| ())
        .map_err(|e| errors::to_js(&env, e))
}

#[expect(clippy::panic, reason = "the test hook proves that a panic is caught")]
fn export_panic() {
    panic!("forced panic in an export body");
}

/// @internal Test hook: a promise whose work panics on the thread pool; it
/// rejects with an `E900` error.
#[napi(
    js_name = "__panicForTestsAsync",
    catch_unwind,
    ts_return_type = "Promise<never>"
)]
pub fn panic_for_tests_async() -> AsyncTask<JobTask> {
    AsyncTask::new(JobTask::new(Ok(Job::Panic)))
}
