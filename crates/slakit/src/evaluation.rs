//! A finished evaluation whose deployments section is written, not held.
//!
//! A report has one deployments entry per deployment and SLA: on the 1M
//! generated workload that is 5.4M entries, most of the report's memory.
//! [`Evaluation`] keeps them compact (numbers and indices, no text) and
//! formats each entry only as it is written ([`Evaluation::write_json`]) —
//! the same bytes as [`Report::write_json`] of the whole report.
//! [`Evaluation::into_report`] materialises the [`Report`].

use serde::{Serialize, Serializer};

use crate::dora::Dora;
use crate::evaluate::{PendingSla, Subject, materialise};
use crate::report::{
    DeploymentEntry, Engine, Finding, InForce, Inputs, PolicyInfo, Report, ResultRow, VendorRow,
    Warning,
};

/// The outcome of [`crate::Policy::evaluate_deferred`]: a [`Report`] whose
/// deployments section is formatted only when written or materialised.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// The report; its `deployments` are empty while `pending` holds them.
    pub(crate) report: Report,
    subjects: Vec<Subject>,
    pending: Vec<PendingSla>,
}

impl Evaluation {
    pub(crate) fn new(report: Report, subjects: Vec<Subject>, pending: Vec<PendingSla>) -> Self {
        Evaluation {
            report,
            subjects,
            pending,
        }
    }

    /// An evaluation of an already whole report (nothing pending).
    pub(crate) fn of_report(report: Report) -> Self {
        Evaluation::new(report, Vec::new(), Vec::new())
    }

    /// The result rows (§5.4): complete.
    pub fn results(&self) -> &[ResultRow] {
        &self.report.results
    }

    /// True when any result row is breached (`--fail-on-breach`).
    pub fn has_breach(&self) -> bool {
        self.report.has_breach()
    }

    /// The number of entries in the deployments section.
    pub fn deployment_entries(&self) -> usize {
        self.report.deployments.len() + self.pending.iter().map(PendingSla::len).sum::<usize>()
    }

    /// The whole report, its deployments section formatted.
    pub fn into_report(self) -> Report {
        let Evaluation {
            mut report,
            subjects,
            pending,
        } = self;
        if !pending.is_empty() {
            materialise(&mut report, &subjects, pending);
        }
        report
    }

    /// Write the report as pretty JSON — the bytes of [`Report::write_json`]
    /// of [`Evaluation::into_report`] — formatting each deployment entry as
    /// it is written.
    pub fn write_json<W: std::io::Write>(&self, out: W) -> std::io::Result<()> {
        // Every field of the report, in its order: a field added to `Report`
        // stops this from compiling until it is written here too.
        let Report {
            engine,
            as_of,
            policy,
            inputs,
            results,
            deployments,
            vendors,
            dora,
            findings,
            in_force,
            warnings,
        } = &self.report;
        let view = View {
            engine,
            as_of,
            policy,
            inputs,
            results,
            deployments: Entries {
                whole: deployments,
                subjects: &self.subjects,
                pending: &self.pending,
            },
            vendors,
            dora,
            findings,
            in_force,
            warnings,
        };
        serde_json::to_writer_pretty(out, &view).map_err(std::io::Error::from)
    }
}

/// [`Report`] by reference, its deployments section formatted on the way.
#[derive(Serialize)]
struct View<'a> {
    engine: &'a Engine,
    as_of: &'a String,
    policy: &'a PolicyInfo,
    inputs: &'a Inputs,
    results: &'a [ResultRow],
    deployments: Entries<'a>,
    vendors: &'a [VendorRow],
    dora: &'a Dora,
    findings: &'a [Finding],
    in_force: &'a InForce,
    warnings: &'a [Warning],
}

struct Entries<'a> {
    whole: &'a [DeploymentEntry],
    subjects: &'a [Subject],
    pending: &'a [PendingSla],
}

impl Serialize for Entries<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let formatted = self.pending.iter().flat_map(|p| p.entries(self.subjects));
        serializer.collect_seq(self.whole.iter().cloned().chain(formatted))
    }
}
