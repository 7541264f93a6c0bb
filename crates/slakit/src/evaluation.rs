//! A finished evaluation whose deployments section is written, not held.
//!
//! A report has one deployments entry per deployment and SLA: on the 1M
//! generated workload that is 5.4M entries, most of the report's memory.
//! [`Evaluation`] keeps them compact (numbers and indices, no text) and
//! formats each entry only as it is written ([`Evaluation::write_json`]) —
//! the same bytes as [`Report::write_json`] of the whole report.
//! [`Evaluation::into_report`] materialises the [`Report`].

use serde::Serialize;

use crate::evaluate::{PendingSla, Subject, materialise};
use crate::report::{DeploymentEntry, Report, ResultRow};

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
    /// of [`Evaluation::into_report`] — formatting the deployment entries
    /// as they are written, in chunks on the current rayon pool.
    pub fn write_json<W: std::io::Write>(&self, mut out: W) -> std::io::Result<()> {
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
        out.write_all(b"{")?;
        field(&mut out, "engine", engine, true)?;
        field(&mut out, "as_of", as_of, false)?;
        field(&mut out, "policy", policy, false)?;
        field(&mut out, "inputs", inputs, false)?;
        field(&mut out, "results", results, false)?;
        out.write_all(b",\n  \"deployments\": ")?;
        self.write_entries(&mut out, deployments)?;
        field(&mut out, "vendors", vendors, false)?;
        field(&mut out, "dora", dora, false)?;
        field(&mut out, "findings", findings, false)?;
        field(&mut out, "in_force", in_force, false)?;
        field(&mut out, "warnings", warnings, false)?;
        out.write_all(b"\n}")
    }

    /// The deployments array: formatted entries already whole, then the
    /// pending ones, a batch of chunks at a time (formatted in parallel,
    /// written in order: the text held is a few chunks, not the section).
    fn write_entries<W: std::io::Write>(
        &self,
        out: &mut W,
        whole: &[DeploymentEntry],
    ) -> std::io::Result<()> {
        const CHUNK: usize = 8_192;
        if self.deployment_entries() == 0 {
            return out.write_all(b"[]");
        }
        out.write_all(b"[")?;
        // Every entry is written as `,\n    {...}`; the very first without the comma.
        let mut first = true;
        let mut emit = |out: &mut W, buf: &[u8]| {
            let buf = if first {
                buf.get(1..).unwrap_or_default()
            } else {
                buf
            };
            first &= buf.is_empty();
            out.write_all(buf)
        };
        let mut buf = Vec::new();
        for e in whole {
            buf.clear();
            entry(&mut buf, e)?;
            emit(out, &buf)?;
        }
        let jobs: Vec<(&PendingSla, std::ops::Range<usize>)> = self
            .pending
            .iter()
            .flat_map(|p| {
                (0..p.len())
                    .step_by(CHUNK)
                    .map(move |s| (p, s..(s + CHUNK).min(p.len())))
            })
            .collect();
        let format = |(p, range): &(&PendingSla, std::ops::Range<usize>)| {
            let mut buf = Vec::with_capacity(range.len() * 640);
            for e in p.entries_in(&self.subjects, range.clone()) {
                entry(&mut buf, &e)?;
            }
            Ok::<_, std::io::Error>(buf)
        };
        for batch in jobs.chunks(8) {
            #[cfg(feature = "parallel")]
            let bufs: Vec<_> = {
                use rayon::prelude::*;
                batch.par_iter().map(format).collect()
            };
            #[cfg(not(feature = "parallel"))]
            let bufs: Vec<_> = batch.iter().map(format).collect();
            for b in bufs {
                emit(out, &b?)?;
            }
        }
        out.write_all(b"\n  ]")
    }
}

/// `,\n    ` and one entry at the deployments array's depth.
fn entry(buf: &mut Vec<u8>, e: &DeploymentEntry) -> std::io::Result<()> {
    buf.extend_from_slice(b",\n    ");
    e.serialize(&mut serde_json::Serializer::with_formatter(
        &mut *buf,
        Indented::at(2),
    ))
    .map_err(std::io::Error::from)
}

/// One top-level field of the report: `\n  "name": value`, comma first
/// unless `first`.
fn field<W: std::io::Write, T: Serialize + ?Sized>(
    out: &mut W,
    name: &str,
    value: &T,
    first: bool,
) -> std::io::Result<()> {
    out.write_all(if first { b"\n  \"" } else { b",\n  \"" })?;
    out.write_all(name.as_bytes())?;
    out.write_all(b"\": ")?;
    value
        .serialize(&mut serde_json::Serializer::with_formatter(
            &mut *out,
            Indented::at(1),
        ))
        .map_err(std::io::Error::from)
}

/// serde_json's pretty format (two spaces), starting `level` deep: a value
/// written with it is the text the pretty serializer writes for it at that
/// depth of the whole document.
struct Indented {
    level: usize,
    has_value: bool,
}

impl Indented {
    fn at(level: usize) -> Self {
        Indented {
            level,
            has_value: false,
        }
    }

    fn newline<W: ?Sized + std::io::Write>(&self, w: &mut W, lead: &[u8]) -> std::io::Result<()> {
        w.write_all(lead)?;
        for _ in 0..self.level {
            w.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for Indented {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.newline(w, b"\n")?;
        }
        w.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.newline(w, if first { b"\n" } else { b",\n" })
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.newline(w, b"\n")?;
        }
        w.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.newline(w, if first { b"\n" } else { b",\n" })
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}
