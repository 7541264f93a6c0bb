//! The work behind `evaluate`, `explain`, `gate`, `baseline` and the panic hook: run
//! inline by the `…Sync` methods, or on the libuv thread pool by the
//! promise-returning ones (an [`napi::Task`]), with the same panic guard
//! either way.

use std::sync::Arc;

use napi::Task;
use napi::bindgen_prelude::Env;
use slakit::gate::Proposed;
use slakit::record::{Origin, record_from_value};
use slakit::{Error, ErrorCode, ErrorKind, Record};

use crate::convert::Records;
use crate::errors;
use crate::json::JsonText;

/// One call into the core.
#[derive(Debug)]
pub enum Job {
    /// `Policy::evaluate_at`.
    Evaluate {
        /// The compiled policy (shared with the JS object).
        policy: Arc<slakit::Policy>,
        /// The records.
        records: Records,
        /// The evaluation instant, `None` for the latest event.
        as_of: Option<i64>,
    },
    /// `Policy::explain_at`.
    Explain {
        /// The compiled policy.
        policy: Arc<slakit::Policy>,
        /// The records.
        records: Records,
        /// The deployment to explain.
        deployment: String,
        /// The evaluation instant, `None` for the latest event.
        as_of: Option<i64>,
    },
    /// `Policy::gate`.
    Gate {
        /// The compiled policy.
        policy: Arc<slakit::Policy>,
        /// The history.
        records: Records,
        /// The proposed deployment, already read.
        proposed: Proposed,
        /// The instant of the decision (required: the core reads no clock).
        at: i64,
    },
    /// `Policy::baseline_at` (docs/baseline.md).
    Baseline {
        /// The compiled policy.
        policy: Arc<slakit::Policy>,
        /// The history.
        records: Records,
        /// The instant to read it at, `None` for the latest event.
        as_of: Option<i64>,
        /// The YAML snippet (a string) instead of the JSON document.
        yaml: bool,
    },
    /// The test hook: a panic where the core would run.
    Panic,
}

impl Job {
    /// Run the job, off or on the main thread; a panic becomes `E900`.
    pub fn run(self) -> Result<JsonText, Error> {
        errors::guard(|| match self {
            Job::Evaluate {
                policy,
                records,
                as_of,
            } => {
                let (records, file) = load(records)?;
                let report = policy
                    .evaluate_at(&records, as_of)
                    .map_err(|e| in_file(e, file.as_deref()))?;
                JsonText::of(&report)
            }
            Job::Explain {
                policy,
                records,
                deployment,
                as_of,
            } => {
                let (records, file) = load(records)?;
                let explanation = policy
                    .explain_at(&records, &deployment, as_of)
                    .map_err(|e| in_file(e, file.as_deref()))?;
                JsonText::of(&explanation)
            }
            Job::Gate {
                policy,
                records,
                proposed,
                at,
            } => {
                let (records, file) = load(records)?;
                let decision = policy
                    .gate(&records, &proposed, at)
                    .map_err(|e| in_file(e, file.as_deref()))?;
                JsonText::of(&decision)
            }
            Job::Baseline {
                policy,
                records,
                as_of,
                yaml,
            } => {
                let (records, file) = load(records)?;
                let baseline = policy
                    .baseline_at(&records, as_of)
                    .map_err(|e| in_file(e, file.as_deref()))?;
                if yaml {
                    JsonText::of(&baseline.to_yaml())
                } else {
                    JsonText::of(&baseline)
                }
            }
            Job::Panic => panic_for_tests(),
        })
    }
}

#[expect(clippy::panic, reason = "the test hook proves that a panic is caught")]
fn panic_for_tests() -> Result<JsonText, Error> {
    panic!("forced panic from the test hook")
}

/// Records as the core's model, and the file they came from.
fn load(records: Records) -> Result<(Vec<Record>, Option<String>), Error> {
    match records {
        Records::Values(values) => {
            let records = values
                .into_iter()
                .enumerate()
                .map(|(index, value)| record_from_value(value, Origin { index, line: None }))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((records, None))
        }
        Records::File(path) => {
            let text = read_text(&path, ErrorCode::RecordSyntax)?;
            let records = slakit::parse_records(&text).map_err(|e| e.in_file(&path))?;
            Ok((records, Some(path)))
        }
    }
}

/// An engine error about the records names the file they came from.
fn in_file(e: Error, file: Option<&str>) -> Error {
    match file {
        Some(file) if e.kind() == ErrorKind::Input && e.location.file.is_none() => e.in_file(file),
        _ => e,
    }
}

/// Read a file as UTF-8 text: an unreadable file is `E302`, invalid UTF-8
/// is `syntax` at the line of the first bad byte (the core's
/// [`slakit::source`], as the CLI reports them).
pub fn read_text(path: &str, syntax: ErrorCode) -> Result<String, Error> {
    let bytes =
        std::fs::read(path).map_err(|e| slakit::source::io_error("cannot read", path, &e))?;
    slakit::source::utf8_text(bytes, path, syntax)
}

/// A job on the libuv thread pool. Arguments are converted on the main
/// thread before it is queued; a conversion error is kept and becomes the
/// rejection, so the promise-returning methods never throw synchronously.
pub struct JobTask {
    job: Option<Result<Job, Error>>,
}

impl JobTask {
    /// A task for a job, or for the error its arguments gave.
    pub fn new(job: Result<Job, Error>) -> JobTask {
        JobTask { job: Some(job) }
    }
}

impl Task for JobTask {
    type Output = Result<JsonText, Error>;
    type JsValue = JsonText;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        // `compute` runs outside napi's `catch_unwind`; `Job::run` guards.
        Ok(match self.job.take() {
            Some(Ok(job)) => job.run(),
            Some(Err(e)) => Err(e),
            None => Err(Error::new(
                ErrorCode::Internal,
                "internal error: the task ran twice",
            )),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        output.map_err(|e| errors::to_js(&env, e))
    }
}
