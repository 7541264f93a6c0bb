//! slakit: deterministic SLA evaluation for release and deployment management.
//!
//! One pure function — `evaluate(policy, records, as_of) -> report` — reads an
//! SLA policy (YAML or JSON), a stream of deployment records, and an instant,
//! and returns a report that is byte-identical for the same inputs. The crate
//! does no I/O and reads no clock.
//!
//! ```
//! let policy = slakit::Policy::from_yaml(r#"
//! slakit: 1
//! name: demo
//! slas:
//!   - id: lead-time
//!     clock: {start: merged, stop: succeeded}
//!     window: month
//!     targets: {default: {max: 4h, objective: 90%}}
//! "#).unwrap();
//! let records = slakit::parse_records(r#"
//! {"deployment":"d1","event":"merged","time":"2026-03-02T10:00:00Z","service":"checkout"}
//! {"deployment":"d1","event":"succeeded","time":"2026-03-02T12:00:00Z"}
//! "#).unwrap();
//! let as_of = slakit::instant::parse("2026-03-31T00:00:00Z").unwrap();
//! let report = policy.evaluate(&records, as_of).unwrap();
//! assert_eq!(report.results[0].status, "met");
//! ```
#![deny(missing_docs)]

pub mod baseline;
pub mod calendar;
pub mod continuity;
pub mod dora;
pub mod error;
pub mod evaluate;
pub mod evaluation;
pub mod explain;
pub mod gate;
pub mod html;
pub mod instant;
pub mod limits;
pub mod partial;
pub mod policy;
pub mod record;
pub mod render;
pub mod report;
pub mod source;
mod spans;
pub mod trends;
pub mod units;
pub mod vendors;
pub mod versions;
pub mod window;

pub use error::{Error, ErrorCode, ErrorKind, Location, Result};
pub use evaluation::Streamed;
pub use evaluation::{Evaluation, Rendered, TextFormat};
pub use partial::{Partial, evaluate_partial};

/// The engine's version (the `engine.version` of every report).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub use policy::Policy;
#[cfg(feature = "parallel")]
pub use record::parse_records_parallel;
pub use record::{Record, parse_records};
pub use report::Report;

impl Policy {
    /// Evaluate this policy against `records` at `as_of` (UTC milliseconds).
    pub fn evaluate(&self, records: &[Record], as_of: i64) -> Result<Report> {
        evaluate::evaluate(self, records, as_of)
    }

    /// Evaluate the records of some partitions only (see [`partial`]): merge
    /// the partials of every partition, then [`Partial::finish`] them.
    pub fn evaluate_partial(&self, records: &[Record], as_of: i64) -> Result<Partial> {
        partial::evaluate_partial(self, records, as_of)
    }

    /// [`Policy::evaluate`] on the current rayon thread pool: the same report.
    #[cfg(feature = "parallel")]
    pub fn evaluate_parallel(&self, records: &[Record], as_of: i64) -> Result<Report> {
        partial::evaluate_parallel(self, records, as_of)
    }

    /// [`Policy::evaluate`] on the current rayon pool (on this thread
    /// without the `parallel` feature), the report's deployments section kept
    /// compact until it is written ([`Evaluation::write_json`], the same
    /// bytes as the report's) or materialised ([`Evaluation::into_report`]).
    /// The way to evaluate a large workload: the CLI's `evaluate`.
    pub fn evaluate_deferred(&self, records: &[Record], as_of: i64) -> Result<Evaluation> {
        partial::evaluate_deferred(self, records, as_of)
    }

    /// [`Policy::evaluate_deferred`], the records handed over: they are
    /// read and freed before any SLA is judged, so that the records and the
    /// verdicts are never in memory together (on a million deployments, the
    /// peak is a quarter lower). The same evaluation; the CLI's `evaluate`.
    pub fn evaluate_owned(&self, records: Vec<Record>, as_of: i64) -> Result<Evaluation> {
        partial::evaluate_owned(self, records, as_of)
    }

    /// [`Policy::evaluate_owned`] up to the judging: the records read,
    /// checked and freed (an input error is returned here). Then
    /// [`Streamed::write_json`] judges the SLAs while it writes the report
    /// (the same bytes as [`Evaluation::write_json`]), or
    /// [`Streamed::evaluate`] judges them without writing. The CLI's
    /// `evaluate --format json`.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    /// # let read = |name: &str| std::fs::read_to_string(dir.join(name));
    /// let policy = slakit::Policy::from_yaml(&read("policy.yaml")?)?;
    /// let records = slakit::parse_records(&read("records.jsonl")?)?;
    /// let as_of = slakit::parse_as_of("2026-03-31T00:00:00Z")?;
    /// let whole = policy.evaluate(&records, as_of)?.to_json();
    ///
    /// let streamed = policy.evaluate_streamed(records, as_of)?;
    /// let mut out = Vec::new(); // a file, a socket: any `Write + Send`
    /// let (report, written) = streamed.write_json(&mut out);
    /// written?;
    /// assert_eq!(String::from_utf8(out)?, whole);
    /// assert!(report.has_breach() && report.deployments.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn evaluate_streamed(&self, records: Vec<Record>, as_of: i64) -> Result<Streamed<'_>> {
        partial::evaluate_streamed(self, records, as_of)
    }

    /// Evaluate at `as_of`, or — when `None` — at the latest lifecycle event
    /// time in the records (the CLI's default; a usage error `E301` when the
    /// records hold no event). Every binding resolves a missing as_of here.
    pub fn evaluate_at(&self, records: &[Record], as_of: Option<i64>) -> Result<Report> {
        self.evaluate(records, resolve_as_of(records, as_of)?)
    }

    /// [`Policy::explain`] with the same `as_of` default as [`Policy::evaluate_at`].
    pub fn explain_at(
        &self,
        records: &[Record],
        deployment: &str,
        as_of: Option<i64>,
    ) -> Result<explain::Explanation> {
        self.explain(records, deployment, resolve_as_of(records, as_of)?)
    }
}

/// The as_of to use: the one given, else the latest lifecycle event time.
pub fn resolve_as_of(records: &[Record], as_of: Option<i64>) -> Result<i64> {
    match as_of {
        Some(t) => Ok(t),
        None => evaluate::latest_event_time(records).ok_or_else(|| {
            Error::new(
                ErrorCode::NoAsOf,
                "no as_of was given and the records hold no lifecycle event to default to; pass an as_of",
            )
        }),
    }
}

/// Parse a caller-supplied as_of (RFC 3339 with offset) as a usage error `E300`.
pub fn parse_as_of(text: &str) -> Result<i64> {
    instant::parse(text).map_err(|e| {
        Error::new(
            ErrorCode::InvalidAsOf,
            format!("invalid as_of: {}", e.message(text)),
        )
    })
}
