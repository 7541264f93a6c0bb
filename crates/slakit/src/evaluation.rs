//! A finished evaluation whose deployments section is written, not held.
//!
//! A report has one deployments entry per deployment and SLA: on the 1M
//! generated workload that is 5.4M entries, most of the report's memory.
//! [`Evaluation`] keeps them compact (numbers and indices, no text) and
//! formats each entry only as it is written ([`Evaluation::write_json`]) —
//! the same bytes as [`Report::write_json`] of the whole report.
//! [`Evaluation::into_report`] materialises the [`Report`].

use serde::Serialize;

use crate::evaluate::{EntryView, PendingSla, Subject, materialise};
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

    /// The deployments section, entry by entry, without formatting it.
    pub(crate) fn section(&self) -> Section<'_> {
        Section {
            whole: &self.report.deployments,
            pending: &self.pending,
            subjects: &self.subjects,
        }
    }

    /// The report as aligned plain-text tables: the text of
    /// [`crate::render::table`] of [`Evaluation::into_report`], reading the
    /// deployments section without formatting every entry of it (on the 1M
    /// workload, 5.4M entries of some 480 bytes each).
    pub fn to_table(&self) -> String {
        crate::render::table_of(&self.report, self.section())
    }

    /// [`Evaluation::to_table`] written to `out` as it is laid out, a few
    /// hundred kilobytes at a time: the text is never held whole. After a
    /// failed write nothing more is written; the error is returned.
    pub fn write_table<W: std::io::Write>(&self, mut out: W) -> std::io::Result<()> {
        crate::render::write_table_of(&self.report, self.section(), &mut out)
    }

    /// The leadership report in Markdown: the text of
    /// [`crate::render::markdown`] of [`Evaluation::into_report`], without
    /// formatting every entry of the deployments section.
    pub fn to_markdown(&self) -> String {
        crate::render::markdown_of(&self.report, self.section())
    }

    /// One CSV line per result row: the text of [`crate::render::csv`] of
    /// [`Evaluation::into_report`] (the rows are complete already).
    pub fn to_csv(&self) -> String {
        crate::render::csv(&self.report)
    }

    /// The HTML dashboard: the page of [`Report::to_html`] of
    /// [`Evaluation::into_report`], without formatting every entry of the
    /// deployments section.
    pub fn to_html(&self) -> crate::Result<String> {
        crate::html::dashboard_of(&self.report, self.section(), crate::html::Limits::default())
    }

    /// The report in `format`, taking the evaluation: of its deployment
    /// entries, those the format does not list are dropped first (after the
    /// Markdown's compliance tables are tallied).
    pub fn render(mut self, format: TextFormat) -> crate::Result<Rendered> {
        let compliance = self.keep_listed(format);
        self.render_with(format, &compliance)
    }

    /// Drop the pending entries `format` does not list, after tallying the
    /// Markdown's compliance tables (returned; empty for other formats).
    fn keep_listed(&mut self, format: TextFormat) -> crate::render::Compliance {
        let compliance = if format == TextFormat::Markdown {
            crate::render::Compliance::of(self.section().iter())
        } else {
            crate::render::Compliance::default()
        };
        match format.lists() {
            Some(keep) => self.pending.iter_mut().for_each(|p| p.retain(keep)),
            None => self.pending.clear(),
        }
        compliance
    }

    /// [`Evaluation::render`] of what is left of the evaluation, a Markdown
    /// report's compliance tables from `compliance` (the tallies of the
    /// whole section, whose entries the evaluation no longer all holds).
    fn render_with(
        self,
        format: TextFormat,
        compliance: &crate::render::Compliance,
    ) -> crate::Result<Rendered> {
        let text = match format {
            TextFormat::Table => self.to_table(),
            TextFormat::Markdown => {
                crate::render::markdown_with(&self.report, self.section(), compliance)
            }
            TextFormat::Csv => self.to_csv(),
            TextFormat::Html => self.to_html()?,
        };
        Ok(Rendered {
            text,
            report: self.into_rows(),
        })
    }

    /// The report without its deployments section (freed, if whole).
    fn into_rows(self) -> Report {
        let Evaluation { mut report, .. } = self;
        // A versioned policy's were made whole already.
        report.deployments = Vec::new();
        report
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
        let Report {
            engine,
            as_of,
            policy,
            inputs,
            deployments,
            ..
        } = &self.report;
        write_head(&mut out, engine, as_of, policy, inputs)?;
        key(&mut out, "deployments", false)?;
        self.write_entries(&mut out, deployments)?;
        write_rest(&mut out, &self.report)
    }

    /// The deployments array: formatted entries already whole, then the
    /// pending ones, in chunks formatted in parallel ([`write_array`]).
    fn write_entries<W: std::io::Write>(
        &self,
        out: &mut W,
        whole: &[DeploymentEntry],
    ) -> std::io::Result<()> {
        // Half the entries of a batch before the pipelined writing (two
        // batches are in memory at once): the same text held as before.
        const CHUNK: usize = 4_096;
        enum Job<'a> {
            Whole(&'a [DeploymentEntry]),
            Pending(&'a PendingSla, std::ops::Range<usize>),
        }
        let jobs: Vec<Job<'_>> = whole
            .chunks(CHUNK)
            .map(Job::Whole)
            .chain(self.pending.iter().flat_map(|p| {
                (0..p.len())
                    .step_by(CHUNK)
                    .map(move |s| Job::Pending(p, s..(s + CHUNK).min(p.len())))
            }))
            .collect();
        write_array(out, &jobs, |job, buf| match job {
            Job::Whole(list) => list.iter().try_for_each(|e| element(buf, e)),
            Job::Pending(p, range) => write_views(buf, p, &self.subjects, range.clone()),
        })
    }
}

/// A text format of a report ([`Evaluation::render`], [`Streamed::render`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
    /// Aligned plain-text tables ([`crate::render::table`]).
    Table,
    /// The leadership report in Markdown ([`crate::render::markdown`]).
    Markdown,
    /// One CSV line per result row ([`crate::render::csv`]).
    Csv,
    /// The HTML dashboard ([`Report::to_html`]).
    Html,
}

impl TextFormat {
    /// Which deployment entries the format lists, by state (as written)
    /// and whether the entry caused a failure: the only ones its renderer
    /// reads of the section, beside the Markdown's tallies. `None`: none
    /// (CSV reads the rows alone).
    fn lists(self) -> Option<fn(&str, bool) -> bool> {
        match self {
            TextFormat::Table => Some(crate::render::table_lists),
            TextFormat::Markdown => Some(crate::render::markdown_lists),
            TextFormat::Csv => None,
            TextFormat::Html => Some(crate::html::dashboard_lists),
        }
    }
}

/// A report rendered as text ([`Evaluation::render`], [`Streamed::render`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The text.
    pub text: String,
    /// The report it was rendered from, without its deployments section
    /// (the text shows what the format lists of it): the rows, findings
    /// and digests, as [`Streamed::evaluate_rows`] gives them.
    pub report: Report,
}

impl Rendered {
    /// True when any result row is breached (`--fail-on-breach`).
    pub fn has_breach(&self) -> bool {
        self.report.has_breach()
    }
}

/// A deployments section read entry by entry: a report's entries, or an
/// [`Evaluation`]'s held and pending ones, in the order they are written.
/// What the text and HTML renderers read, so that an evaluation is
/// rendered without materialising the whole section.
#[derive(Clone, Copy)]
pub(crate) struct Section<'a> {
    whole: &'a [DeploymentEntry],
    pending: &'a [PendingSla],
    subjects: &'a [Subject],
}

impl<'a> Section<'a> {
    /// A report's deployments section.
    pub(crate) fn of_report(report: &'a Report) -> Self {
        Section {
            whole: &report.deployments,
            pending: &[],
            subjects: &[],
        }
    }

    /// One SLA's pending entries, over the subjects they index.
    pub(crate) fn of_pending(pending: &'a PendingSla, subjects: &'a [Subject]) -> Self {
        Section {
            whole: &[],
            pending: std::slice::from_ref(pending),
            subjects,
        }
    }

    /// Every entry, in order.
    pub(crate) fn iter(self) -> impl Iterator<Item = EntryRef<'a>> + 'a {
        let Section {
            whole,
            pending,
            subjects,
        } = self;
        whole.iter().map(EntryRef::whole).chain(
            pending
                .iter()
                .flat_map(move |p| p.views_in(subjects, 0..p.len()).map(EntryRef::pending)),
        )
    }
}

/// One entry of a [`Section`]: the fields the renderers read, borrowed,
/// and the entry they come from (formatted already, or a view of a
/// pending one), to be formatted whole for the few a renderer lists.
#[derive(Clone, Copy)]
pub(crate) struct EntryRef<'a> {
    pub deployment: &'a str,
    pub sla: &'a str,
    pub state: &'a str,
    pub service: Option<&'a str>,
    pub team: Option<&'a str>,
    pub release_type: Option<&'a str>,
    pub exclusion: Option<&'a str>,
    pub exception: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub caused_failure: Option<bool>,
    source: Source<'a>,
}

// A view lives for one step of an iteration: boxing it would cost an
// allocation per entry, which is what the views are there to avoid.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Copy)]
enum Source<'a> {
    Whole(&'a DeploymentEntry),
    Pending(EntryView<'a>),
}

impl<'a> EntryRef<'a> {
    fn whole(e: &'a DeploymentEntry) -> Self {
        EntryRef {
            deployment: e.deployment.as_str(),
            sla: e.sla.as_str(),
            state: e.state.as_str(),
            service: e.service.as_deref(),
            team: e.team.as_deref(),
            release_type: e.release_type.as_deref(),
            exclusion: e.exclusion.as_deref(),
            exception: e.exception.as_deref(),
            reason: e.reason.as_deref(),
            caused_failure: e.caused_failure,
            source: Source::Whole(e),
        }
    }

    fn pending(v: EntryView<'a>) -> Self {
        EntryRef {
            deployment: v.deployment,
            sla: v.sla,
            state: v.state,
            service: v.service,
            team: v.team,
            release_type: v.release_type,
            exclusion: v.exclusion,
            exception: v.exception,
            reason: v.reason,
            caused_failure: v.caused_failure,
            source: Source::Pending(v),
        }
    }

    /// The entry, formatted: for the few a renderer lists one by one.
    pub(crate) fn to_entry(self) -> DeploymentEntry {
        match self.source {
            Source::Whole(e) => e.clone(),
            Source::Pending(v) => v.to_entry(),
        }
    }
}

/// An evaluation whose records are read and checked, its SLAs not judged
/// yet ([`crate::Policy::evaluate_streamed`]). [`Streamed::write_json`]
/// judges them while it writes the report, each SLA's deployment entries
/// as soon as that SLA is finished: the writing (on the 1M workload, 2 GB)
/// overlaps the judging instead of following it. [`Streamed::evaluate`]
/// judges them without writing.
pub struct Streamed<'p>(Stage<'p>);

enum Stage<'p> {
    /// Evaluated already: a versioned policy, whose versions each judge
    /// their own windows.
    Done(Evaluation),
    /// The records read and hashed; the SLAs still to judge (on the
    /// current pool when `parallel`, else on this thread, written after).
    Read {
        policy: &'p crate::Policy,
        read: crate::evaluate::Read,
        digest: String,
        parallel: bool,
    },
}

impl std::fmt::Debug for Streamed<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let stage = match &self.0 {
            Stage::Done(_) => "evaluated",
            Stage::Read { .. } => "read",
        };
        f.debug_struct("Streamed").field("stage", &stage).finish()
    }
}

impl<'p> Streamed<'p> {
    pub(crate) fn done(evaluation: Evaluation) -> Self {
        Streamed(Stage::Done(evaluation))
    }

    pub(crate) fn read(
        policy: &'p crate::Policy,
        read: crate::evaluate::Read,
        digest: String,
        parallel: bool,
    ) -> Self {
        Streamed(Stage::Read {
            policy,
            read,
            digest,
            parallel,
        })
    }

    /// Judge every SLA without writing: the evaluation
    /// [`crate::Policy::evaluate_owned`] gives.
    pub fn evaluate(self) -> Evaluation {
        self.judge(&|_, p, _| Some(p))
    }

    /// Judge every SLA for the report without its deployments section:
    /// [`Streamed::evaluate`]'s report, its `deployments` empty, each SLA's
    /// entries dropped as soon as they are made. For views of the rows
    /// only (`slakit evaluate --format csv`): the entries are never held.
    pub fn evaluate_rows(self) -> Report {
        self.judge(&|_, _, _| None).into_rows()
    }

    /// Judge every SLA and render the report in `format`: the text of
    /// [`Evaluation::render`] of [`Streamed::evaluate`]. Of each SLA's
    /// deployment entries only those the format lists are kept, from the
    /// moment the SLA is judged (and for Markdown, the tallies of its
    /// compliance tables): on the 1M workload, the 94,647 running clocks
    /// and deployments not counted of 5.4M entries for the table.
    pub fn render(self, format: TextFormat) -> crate::Result<Rendered> {
        let (evaluation, compliance) = self.judge_for(format);
        evaluation.render_with(format, &compliance)
    }

    /// Judge every SLA and write the plain-text tables to `out` as they are
    /// laid out: the text of [`Streamed::render`] of
    /// [`TextFormat::Table`], never held whole (on the 10M-event workload,
    /// 282 MB). Returns the report without its deployments section and how
    /// the writing went; after a failed write nothing more is written.
    pub fn write_table<W: std::io::Write>(self, out: W) -> (Report, std::io::Result<()>) {
        let (evaluation, _) = self.judge_for(TextFormat::Table);
        let written = evaluation.write_table(out);
        (evaluation.into_rows(), written)
    }

    /// The evaluation, keeping of each SLA's pending entries only those
    /// `format` lists, from the moment the SLA is judged; the tallies of
    /// the Markdown's compliance tables (empty for the other formats).
    fn judge_for(self, format: TextFormat) -> (Evaluation, crate::render::Compliance) {
        let streamed = match self.0 {
            // A versioned policy's: whole already.
            Stage::Done(mut evaluation) => {
                let compliance = evaluation.keep_listed(format);
                return (evaluation, compliance);
            }
            read => Streamed(read),
        };
        let keep = format.lists();
        let tally = format == TextFormat::Markdown;
        let compliance = std::sync::Mutex::new(crate::render::Compliance::default());
        let evaluation = streamed.judge(&|_, mut pending, subjects| {
            if tally {
                let counted =
                    crate::render::Compliance::of(Section::of_pending(&pending, subjects).iter());
                compliance
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .merge(counted);
            }
            let keep = keep?;
            pending.retain(keep);
            Some(pending)
        });
        let compliance = compliance
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (evaluation, compliance)
    }

    /// The evaluation, each SLA's pending entries handed to `sink` with the
    /// subjects they index as it is finished (those it gives back are kept).
    fn judge(self, sink: &crate::evaluate::SubjectSink<'_>) -> Evaluation {
        match self.0 {
            Stage::Done(evaluation) => evaluation,
            Stage::Read {
                policy,
                read,
                digest,
                parallel,
            } => {
                let mut evaluation = read.judge_into(policy, parallel, sink);
                evaluation.report.inputs.digest = digest;
                evaluation
            }
        }
    }

    /// Judge every SLA and write the report as pretty JSON to `out`: the
    /// bytes of [`Evaluation::write_json`] of [`Streamed::evaluate`].
    ///
    /// The SLAs are judged on the current rayon pool while a thread of its
    /// own writes to `out`: the report's head, then each SLA's deployment
    /// entries as soon as that SLA and those before it are finished
    /// (formatted on that thread while SLAs are still being judged, on the
    /// pool once all are), then the result rows and the rest. On a pool of
    /// one thread, or without the `parallel` feature: judged, then written.
    ///
    /// Returns the report without its deployments section, which was
    /// written and not kept, and how the writing went. A failed write stops
    /// the writing at once, but every SLA is still judged: a caller can
    /// tell a breach (`--fail-on-breach`) even when its reader went away.
    pub fn write_json<W: std::io::Write + Send>(self, mut out: W) -> (Report, std::io::Result<()>) {
        let (policy, read, digest) = match self.0 {
            Stage::Read {
                policy,
                read,
                digest,
                parallel: true,
            } => (policy, read, digest),
            // Nothing to overlap the writing with: judged, then written.
            stage => {
                let evaluation = Streamed(stage).evaluate();
                let written = evaluation.write_json(&mut out);
                // Not `into_report`: that would format every pending entry
                // only to drop it.
                let Evaluation { mut report, .. } = evaluation;
                report.deployments = Vec::new();
                return (report, written);
            }
        };
        let subjects = read.subjects(policy, true);
        let mut inputs = read.inputs().clone();
        inputs.digest = digest;
        let (engine, as_of, policy_info) = crate::evaluate::report_head(policy, read.as_of());
        let slas = policy.slas.len();
        let (send, receive) = std::sync::mpsc::channel::<(usize, PendingSla)>();
        let (report, written) = std::thread::scope(|scope| {
            let subjects = subjects.as_slice();
            let head = (&engine, &as_of, &policy_info, &inputs);
            let writer = scope.spawn(move || {
                write_head(&mut out, head.0, head.1, head.2, head.3)?;
                key(&mut out, "deployments", false)?;
                write_in_order(&mut out, subjects, &receive, slas)?;
                Ok(out)
            });
            let (report, _) = {
                // Once the writer has stopped (an error), what it is sent is dropped.
                let sink = |at: usize, pending: PendingSla| {
                    let _ = send.send((at, pending));
                    None
                };
                read.finish(policy, subjects, true, &sink)
            };
            drop(send);
            let written: std::io::Result<W> = writer
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("the report's writer stopped")));
            (report, written)
        });
        // The finished report has the same head, less the inputs digest;
        // its deployments were handed to the writer, never kept.
        let mut report = report;
        report.inputs = inputs;
        let written = written.and_then(|mut out| write_rest(&mut out, &report));
        (report, written)
    }
}

/// The deployments section of a report being judged: each SLA's pending
/// entries received from the judging (`slas` of them, in any order), written
/// in SLA order. While SLAs are still being judged, a chunk at a time on
/// this thread (the pool is busy judging); once every SLA is in, the rest
/// in parallel chunks on the pool ([`write_elements`]).
fn write_in_order<W: std::io::Write>(
    out: &mut W,
    subjects: &[Subject],
    receive: &std::sync::mpsc::Receiver<(usize, PendingSla)>,
    slas: usize,
) -> std::io::Result<()> {
    // Under test, small enough that the example's SLAs take several chunks.
    const CHUNK: usize = if cfg!(test) { 16 } else { 4_096 };
    let mut waiting: std::collections::BTreeMap<usize, PendingSla> = Default::default();
    let mut received = 0;
    let mut first = true;
    let mut buf = Vec::new();
    for next in 0..slas {
        let pending = loop {
            if let Some(pending) = waiting.remove(&next) {
                break pending;
            }
            let (at, pending) = receive
                .recv()
                .map_err(|_| std::io::Error::other(format!("SLA {next} was never finished")))?;
            waiting.insert(at, pending);
            received += 1;
        };
        let mut start = 0;
        while start < pending.len() {
            while let Ok((at, more)) = receive.try_recv() {
                waiting.insert(at, more);
                received += 1;
            }
            if received == slas {
                let jobs: Vec<std::ops::Range<usize>> = (start..pending.len())
                    .step_by(CHUNK)
                    .map(|s| s..(s + CHUNK).min(pending.len()))
                    .collect();
                write_elements(
                    out,
                    &jobs,
                    |range, buf| write_views(buf, &pending, subjects, range.clone()),
                    &mut first,
                )?;
                break;
            }
            let end = (start + CHUNK).min(pending.len());
            buf.clear();
            write_views(&mut buf, &pending, subjects, start..end)?;
            put_element(out, &buf, &mut first)?;
            start = end;
        }
    }
    close_array(out, first)
}

/// `{` and the report's fields before `deployments`, known before any SLA
/// is judged.
fn write_head<W: std::io::Write>(
    out: &mut W,
    engine: &crate::report::Engine,
    as_of: &str,
    policy: &crate::report::PolicyInfo,
    inputs: &crate::report::Inputs,
) -> std::io::Result<()> {
    out.write_all(b"{")?;
    field(out, "engine", engine, true)?;
    field(out, "as_of", as_of, false)?;
    field(out, "policy", policy, false)?;
    field(out, "inputs", inputs, false)
}

/// The report's fields after `deployments`, and the closing brace.
fn write_rest<W: std::io::Write>(out: &mut W, report: &Report) -> std::io::Result<()> {
    // Every field of the report, in its order: a field added to `Report`
    // stops this from compiling until it is written here or before.
    let Report {
        engine: _,
        as_of: _,
        policy: _,
        inputs: _,
        deployments: _,
        results,
        vendors,
        dora,
        findings,
        in_force,
        warnings,
    } = report;
    key(out, "results", false)?;
    write_array(
        out,
        &weighted_chunks(results, |r| {
            1 + r
                .breaches
                .iter()
                .map(|b| 1 + b.records.len())
                .sum::<usize>()
        }),
        |rows, buf| rows.iter().try_for_each(|r| element(buf, r)),
    )?;
    field(out, "vendors", vendors, false)?;
    field(out, "dora", dora, false)?;
    field(out, "findings", findings, false)?;
    field(out, "in_force", in_force, false)?;
    field(out, "warnings", warnings, false)?;
    out.write_all(b"\n}")
}

/// The entries of `pending` at positions `range`, each `,\n    {...}`.
fn write_views(
    buf: &mut Vec<u8>,
    pending: &PendingSla,
    subjects: &[Subject],
    range: std::ops::Range<usize>,
) -> std::io::Result<()> {
    let mut writer = EntryWriter::default();
    for e in pending.views_in(subjects, range) {
        writer.write(buf, &e)?;
    }
    Ok(())
}

/// `list` cut into consecutive slices of about `LIMIT` weight each (an
/// element heavier than that is a slice of its own): a result row carries
/// its breaches and their evidence, so counting rows alone let one batch of
/// the 1M workload's rows hold a gigabyte of text.
fn weighted_chunks<T>(list: &[T], weight: impl Fn(&T) -> usize) -> Vec<&[T]> {
    const LIMIT: usize = 4_096;
    let mut chunks = Vec::new();
    let (mut start, mut load) = (0, 0);
    for (i, item) in list.iter().enumerate() {
        if load > 0 && load + weight(item) > LIMIT {
            chunks.extend(list.get(start..i));
            (start, load) = (i, 0);
        }
        load += weight(item);
    }
    chunks.extend(list.get(start..).filter(|rest| !rest.is_empty()));
    chunks
}

/// An array of objects at depth 1 of the report (`results`,
/// `deployments`): each job's elements formatted into a buffer of its own,
/// a batch of jobs at a time in parallel, the buffers written in job order
/// (the text held is two batches, never the section). `[]` when empty.
///
/// With `parallel`, the next batch is formatted on the rayon pool while the
/// calling thread writes the last one: the pool does not wait for the
/// writing, nor the writing for the pool.
fn write_array<W: std::io::Write, J: Sync>(
    out: &mut W,
    jobs: &[J],
    format: impl Fn(&J, &mut Vec<u8>) -> std::io::Result<()> + Sync,
) -> std::io::Result<()> {
    let mut first = true;
    write_elements(out, jobs, format, &mut first)?;
    close_array(out, first)
}

/// `]` after the elements [`write_elements`] wrote (`[]` if none: `first`
/// still true).
fn close_array<W: std::io::Write>(out: &mut W, first: bool) -> std::io::Result<()> {
    out.write_all(if first { b"[]" } else { b"\n  ]" })
}

/// One formatted element (`,\n    {...}`, as [`element`] writes it) written
/// into an array at depth 1: the first (`first`, then cleared) opens the
/// array and goes without its comma.
fn put_element<W: std::io::Write>(
    out: &mut W,
    buf: &[u8],
    first: &mut bool,
) -> std::io::Result<()> {
    match (*first, buf.split_first()) {
        (_, None) => Ok(()),
        (true, Some((_, rest))) => {
            *first = false;
            out.write_all(b"[")?;
            out.write_all(rest)
        }
        (false, Some(_)) => out.write_all(buf),
    }
}

/// [`write_array`]'s elements, `first` telling whether none has been
/// written yet (an array written in several calls): formatted and written
/// as [`write_array`] says, the array neither closed nor (if empty) opened.
fn write_elements<W: std::io::Write, J: Sync>(
    out: &mut W,
    jobs: &[J],
    format: impl Fn(&J, &mut Vec<u8>) -> std::io::Result<()> + Sync,
    first: &mut bool,
) -> std::io::Result<()> {
    const BATCH: usize = 8;
    let format_batch = |batch: &[J], bufs: &mut Batch| {
        bufs.resize_with(batch.len(), || (Vec::new(), Ok(())));
        let render = |(job, (buf, done)): (&J, &mut (Vec<u8>, std::io::Result<()>))| {
            buf.clear();
            *done = format(job, buf);
        };
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            batch.par_iter().zip(bufs.par_iter_mut()).for_each(render);
        }
        #[cfg(not(feature = "parallel"))]
        batch.iter().zip(bufs.iter_mut()).for_each(render);
    };
    // Every element is `,\n    {...}`; the very first goes without the comma.
    let mut write_batch = |bufs: &mut Batch| -> std::io::Result<()> {
        for (buf, done) in bufs.iter_mut() {
            std::mem::replace(done, Ok(()))?;
            put_element(out, buf, first)?;
        }
        Ok(())
    };
    let (mut ready, mut next): (Batch, Batch) = (Vec::new(), Vec::new());
    let mut batches = jobs.chunks(BATCH);
    // Whether `ready` holds a formatted batch still to be written.
    let mut formatted = match batches.next() {
        Some(batch) => {
            format_batch(batch, &mut ready);
            true
        }
        None => false,
    };
    while formatted {
        let batch = batches.next();
        #[cfg(feature = "parallel")]
        let written = rayon::in_place_scope(|scope| {
            if let Some(batch) = batch {
                let (format_batch, next) = (&format_batch, &mut next);
                scope.spawn(move |_| format_batch(batch, next));
            }
            write_batch(&mut ready)
        });
        #[cfg(not(feature = "parallel"))]
        let written = {
            let written = write_batch(&mut ready);
            if let Some(batch) = batch {
                format_batch(batch, &mut next);
            }
            written
        };
        written?;
        std::mem::swap(&mut ready, &mut next);
        formatted = batch.is_some();
    }
    Ok(())
}

/// A batch of [`write_array`]'s jobs formatted: a buffer per job (reused
/// from batch to batch: fresh multi-megabyte buffers would each be paged
/// in anew) and how formatting it went.
type Batch = Vec<(Vec<u8>, std::io::Result<()>)>;

/// `,\n    ` and one element at depth 2 (an entry, a row).
fn element<T: Serialize>(buf: &mut Vec<u8>, e: &T) -> std::io::Result<()> {
    let at = Indented::at(2);
    at.item(buf, false)?;
    e.serialize(&mut serde_json::Serializer::with_formatter(&mut *buf, at))
        .map_err(std::io::Error::from)
}

/// `,\n      "name": `: a field after the first, six spaces in (depth 3).
macro_rules! key {
    ($name:literal) => {
        concat!(",\n      \"", $name, "\": ").as_bytes()
    };
}

/// Writes pending entries at depth 2, each `,\n    ` and the text
/// [`element`] gives for [`EntryView::to_entry`] (a test compares the
/// two), field by field without formatting the entry first. On the 1M
/// workload this section is 5.4M entries, the bulk of the report.
///
/// One writer per job of entries: what repeats from entry to entry of a
/// job is formatted once and copied after that — the SLA's field, the
/// window start's (entries come in anchor order) and each combination of
/// service, tier, team and release type (a few hundred per job). Texts are
/// told apart by where they are and their length, so one equal to another
/// but elsewhere is only formatted again.
#[derive(Default)]
struct EntryWriter {
    /// The last SLA's field: where its text is, and the field.
    sla: Option<(Place, Vec<u8>)>,
    /// The last window start's field: the instant, and the field.
    window: Option<(i64, Vec<u8>)>,
    /// Each combination of names seen, and where its fields are in `texts`.
    names: rustc_hash::FxHashMap<[Place; 4], std::ops::Range<usize>>,
    texts: Vec<u8>,
}

/// Append the field `last` holds if it was written for `key`; else write it
/// with `write`, append it, and keep it for `key`.
fn copy_or_write<K: PartialEq>(
    last: &mut Option<(K, Vec<u8>)>,
    key: K,
    buf: &mut Vec<u8>,
    write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    match last {
        Some((at, text)) if *at == key => buf.extend_from_slice(text),
        _ => {
            let mut text = Vec::new();
            write(&mut text)?;
            buf.extend_from_slice(&text);
            *last = Some((key, text));
        }
    }
    Ok(())
}

/// Where a text is, and its length (`(0, 0)` for none): equal places hold
/// equal texts while they are borrowed.
type Place = (usize, usize);

fn place(text: Option<&str>) -> Place {
    text.map_or((0, 0), |t| (t.as_ptr() as usize, t.len()))
}

impl EntryWriter {
    fn write(&mut self, buf: &mut Vec<u8>, e: &EntryView<'_>) -> std::io::Result<()> {
        // `deployment` is always there, so always first.
        buf.extend_from_slice(b",\n    {\n      \"deployment\": ");
        json_str(buf, e.deployment)?;
        copy_or_write(&mut self.sla, place(Some(e.sla)), buf, |text| {
            put_str(text, key!("sla"), e.sla)
        })?;
        put_str(buf, key!("state"), e.state)?;
        put_instant(buf, key!("anchor"), e.anchor);
        copy_or_write(&mut self.window, e.window_start, buf, |text| {
            put_instant(text, key!("window_start"), e.window_start);
            Ok(())
        })?;
        let names = [
            place(e.service),
            place(Some(e.tier)),
            place(e.team),
            place(e.release_type),
        ];
        let range = match self.names.get(&names) {
            Some(range) => range.clone(),
            None => {
                let start = self.texts.len();
                let texts = &mut self.texts;
                put_opt_str(texts, key!("service"), e.service)?;
                put_str(texts, key!("tier"), e.tier)?;
                put_opt_str(texts, key!("team"), e.team)?;
                put_opt_str(texts, key!("release_type"), e.release_type)?;
                self.names.insert(names, start..texts.len());
                start..texts.len()
            }
        };
        buf.extend_from_slice(self.texts.get(range).unwrap_or_default());
        put_opt_int(buf, key!("elapsed_ms"), e.elapsed_ms);
        put_opt_int(buf, key!("actual_elapsed_ms"), e.actual_elapsed_ms);
        put_opt_int(buf, key!("remaining_ms"), e.remaining_ms);
        match e.breach_at {
            None => {}
            Some(None) => {
                buf.extend_from_slice(key!("breach_at"));
                buf.extend_from_slice(b"null");
            }
            Some(Some(at)) => put_instant(buf, key!("breach_at"), at),
        }
        put_opt_value(buf, key!("consumed"), e.consumed)?;
        put_opt_value(buf, key!("warn"), e.warn)?;
        put_opt_value(buf, key!("caused_failure"), e.caused_failure)?;
        put_opt_str(buf, key!("subject"), e.subject)?;
        put_opt_str(buf, key!("exclusion"), e.exclusion)?;
        put_opt_str(buf, key!("exception"), e.exception)?;
        put_opt_str(buf, key!("reason"), e.reason)?;
        buf.extend_from_slice(b"\n    }");
        Ok(())
    }
}

fn put_str(buf: &mut Vec<u8>, key: &[u8], value: &str) -> std::io::Result<()> {
    buf.extend_from_slice(key);
    json_str(buf, value)
}

fn put_opt_str(buf: &mut Vec<u8>, key: &[u8], value: Option<&str>) -> std::io::Result<()> {
    value.map_or(Ok(()), |v| put_str(buf, key, v))
}

fn put_opt_int(buf: &mut Vec<u8>, key: &[u8], value: Option<i64>) {
    if let Some(v) = value {
        buf.extend_from_slice(key);
        buf.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
    }
}

/// An instant as its text ([`crate::instant::format`]): digits and
/// separators only, nothing to escape.
fn put_instant(buf: &mut Vec<u8>, key: &[u8], ms: i64) {
    buf.extend_from_slice(key);
    buf.push(b'"');
    crate::instant::write_bytes(buf, ms);
    buf.push(b'"');
}

/// A value serde_json formats itself (floats, booleans): the same text.
fn put_opt_value<T: Serialize>(
    buf: &mut Vec<u8>,
    key: &[u8],
    value: Option<T>,
) -> std::io::Result<()> {
    match value {
        None => Ok(()),
        Some(v) => {
            buf.extend_from_slice(key);
            serde_json::to_writer(&mut *buf, &v).map_err(std::io::Error::from)
        }
    }
}

/// A JSON string: copied as is when nothing in it needs escaping (ids,
/// names), else escaped by serde_json.
fn json_str(buf: &mut Vec<u8>, s: &str) -> std::io::Result<()> {
    if s.bytes().all(crate::source::plain_in_json_string) {
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
        Ok(())
    } else {
        serde_json::to_writer(&mut *buf, s).map_err(std::io::Error::from)
    }
}

/// One top-level key of the report: `\n  "name": `, comma first unless
/// `first`.
fn key<W: std::io::Write>(out: &mut W, name: &str, first: bool) -> std::io::Result<()> {
    Indented::at(1).item(out, first)?;
    out.write_all(b"\"")?;
    out.write_all(name.as_bytes())?;
    out.write_all(b"\": ")
}

/// One top-level field of the report: its [`key`] and its value.
fn field<W: std::io::Write, T: Serialize + ?Sized>(
    out: &mut W,
    name: &str,
    value: &T,
    first: bool,
) -> std::io::Result<()> {
    key(out, name, first)?;
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
        const SPACES: &[u8; 32] = b"                                ";
        w.write_all(lead)?;
        let mut n = 2 * self.level;
        while n > 0 {
            let k = n.min(SPACES.len());
            w.write_all(SPACES.get(..k).unwrap_or_default())?;
            n -= k;
        }
        Ok(())
    }

    /// An array or object opens one level deeper.
    fn open<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    /// It closes on a line of its own when it held anything.
    fn close<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.newline(w, b"\n")?;
        }
        w.write_all(bracket)
    }

    /// Each element or key starts a line, after a comma unless `first`.
    fn item<W: ?Sized + std::io::Write>(&self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.newline(w, if first { b"\n" } else { b",\n" })
    }
}

impl serde_json::ser::Formatter for Indented {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::indexing_slicing, clippy::unwrap_used)]
    use super::{EntryView, EntryWriter, element, weighted_chunks, write_array};
    use proptest::prelude::*;

    /// Any text, heavy on what JSON must escape (quotes, backslashes,
    /// control characters) and on non-ASCII.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z0-9-]{0,12}",
            "\\PC{0,8}",
            "[\"\\\\\\x00-\\x1f\\x7f é🚀]{0,6}"
        ]
    }

    fn instant() -> impl Strategy<Value = i64> {
        prop_oneof![
            -62_135_596_800_000i64..253_402_300_799_999,
            any::<i64>(),
            Just(0i64),
        ]
    }

    fn float() -> impl Strategy<Value = f64> {
        prop_oneof![any::<f64>(), 0.0f64..10.0, Just(1.0), Just(0.5)]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]
        /// The deployments section written field by field is the text the
        /// pretty serializer gives for the formatted entries, for any
        /// strings, numbers and absent fields, with the writer's copies of
        /// what repeats: entries `a`, then `b` (`a` with `c`'s window start
        /// and names), `c`, `a`, `b` again.
        #[test]
        fn entries_written_directly_are_the_serialized_entries(
            strs in proptest::collection::vec(text(), 13),
            some in proptest::collection::vec(any::<bool>(), 16),
            ints in proptest::collection::vec(any::<i64>(), 3),
            instants in proptest::collection::vec(instant(), 3),
            floats in proptest::collection::vec(float(), 2),
            caused in any::<bool>(),
            other_strs in proptest::collection::vec(text(), 13),
            other_some in proptest::collection::vec(any::<bool>(), 16),
            other_instants in proptest::collection::vec(instant(), 3),
            same_sla in any::<bool>(),
        ) {
            let a = view(&strs, &some, &instants, &ints, &floats, caused);
            let mut c = view(&other_strs, &other_some, &other_instants, &ints, &floats, caused);
            if same_sla {
                c.sla = a.sla;
            }
            let b = EntryView {
                window_start: c.window_start,
                service: c.service,
                tier: c.tier,
                team: c.team,
                release_type: c.release_type,
                ..a
            };
            let (mut direct, mut serialized) = (Vec::new(), Vec::new());
            let mut writer = EntryWriter::default();
            for e in [a, b, c, a, b] {
                writer.write(&mut direct, &e).unwrap();
                element(&mut serialized, &e.to_entry()).unwrap();
            }
            prop_assert_eq!(String::from_utf8(direct).unwrap(), String::from_utf8(serialized).unwrap());
        }
    }

    /// An entry of these texts (13), flags (16) and numbers.
    fn view<'v>(
        strs: &'v [String],
        some: &[bool],
        instants: &[i64],
        ints: &[i64],
        floats: &[f64],
        caused: bool,
    ) -> EntryView<'v> {
        let s = |i: usize| strs[i].as_str();
        let on = |i: usize| some[i];
        EntryView {
            deployment: s(0),
            sla: s(1),
            state: s(2),
            anchor: instants[0],
            window_start: instants[1],
            service: on(0).then(|| s(3)),
            tier: s(4),
            team: on(1).then(|| s(5)),
            release_type: on(2).then(|| s(6)),
            elapsed_ms: on(3).then_some(ints[0]),
            actual_elapsed_ms: on(4).then_some(ints[1]),
            remaining_ms: on(5).then_some(ints[2]),
            breach_at: on(6).then_some(on(7).then_some(instants[2])),
            consumed: on(8).then_some(floats[0]),
            warn: on(9).then_some(floats[1]),
            caused_failure: on(10).then_some(caused),
            subject: on(11).then(|| s(7)),
            exclusion: on(12).then(|| s(8)),
            exception: on(13).then(|| s(9)),
            reason: on(14).then(|| s(10)),
        }
    }

    /// Takes `limit` bytes, then fails (`disk full`).
    pub(crate) struct Failing {
        pub(crate) taken: Vec<u8>,
        pub(crate) limit: usize,
    }

    impl std::io::Write for Failing {
        fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
            if self.taken.len() + data.len() > self.limit {
                return Err(std::io::Error::other("disk full"));
            }
            self.taken.extend_from_slice(data);
            Ok(data.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The bundled example's policy, records and as_of.
    fn example() -> (crate::Policy, Vec<crate::Record>, i64) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
        (
            crate::Policy::from_yaml(&read("policy.yaml")).unwrap(),
            crate::parse_records(&read("records.jsonl")).unwrap(),
            crate::instant::parse("2026-03-31T00:00:00Z").unwrap(),
        )
    }

    /// A streamed report is the evaluation's bytes, whichever SLAs finish
    /// first and whether their entries are formatted on the writing thread
    /// (16 at a time under test) or on the pool; what it returns is the
    /// report less its deployments section.
    #[test]
    fn a_streamed_report_is_the_evaluation_at_any_thread_count() {
        let (policy, records, as_of) = example();
        let whole = policy.evaluate(&records, as_of).unwrap();
        assert!(whole.deployments.len() > 16 * 3, "several chunks");
        let mut rest = whole.clone();
        rest.deployments.clear();
        for threads in [1, 2, 3, 5] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            for _ in 0..4 {
                let mut bytes = Vec::new();
                let (report, written) = pool.install(|| {
                    let streamed = policy.evaluate_streamed(records.clone(), as_of).unwrap();
                    streamed.write_json(&mut bytes)
                });
                written.unwrap();
                assert_eq!(
                    String::from_utf8(bytes).unwrap(),
                    whole.to_json(),
                    "{threads} threads"
                );
                assert_eq!(report, rest, "{threads} threads");
            }
            let evaluated = pool.install(|| {
                policy
                    .evaluate_streamed(records.clone(), as_of)
                    .unwrap()
                    .evaluate()
            });
            assert_eq!(evaluated.into_report(), whole, "{threads} threads");
        }
    }

    /// A write that fails (in the head, among the entries, in the rows, at
    /// the end) is returned; what was written is the report's start, and
    /// every SLA is still judged: the rows returned are the report's.
    #[test]
    fn a_streamed_report_that_cannot_be_written_is_still_judged() {
        let (policy, records, as_of) = example();
        let whole = policy.evaluate(&records, as_of).unwrap().to_json();
        let rows_at = whole.find("\n  \"results\"").unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        for limit in [0, 10, 400, whole.len() / 3, rows_at + 100, whole.len() - 1] {
            let mut out = Failing {
                taken: Vec::new(),
                limit,
            };
            let (report, written) = pool.install(|| {
                policy
                    .evaluate_streamed(records.clone(), as_of)
                    .unwrap()
                    .write_json(&mut out)
            });
            assert!(written.is_err(), "limit {limit}");
            let taken = String::from_utf8(out.taken).unwrap();
            assert!(whole.starts_with(&taken), "limit {limit}");
            assert!(report.deployments.is_empty());
            let judged = policy.evaluate(&records, as_of).unwrap();
            assert_eq!(report.results, judged.results, "limit {limit}");
            assert_eq!(report.has_breach(), judged.has_breach());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Whatever the number of jobs (several batches, empty jobs, an
        /// empty first job) and the pool, the array is every job's text in
        /// job order; a writer's error, or a job's formatting error, is
        /// returned, and what was written before it is the array's start.
        #[test]
        fn an_array_is_its_jobs_in_order_and_stops_at_the_first_error(
            jobs in proptest::collection::vec(0usize..5, 0..40),
            threads in 1usize..4,
            limit in proptest::option::of(0usize..3_000),
            bad_job in proptest::option::of(0usize..40),
        ) {
            let text = |j: usize, n: usize| -> String {
                (0..n).map(|e| format!(",\n    {{\"job\": {j}, \"element\": {e}}}")).collect()
            };
            let all: String = jobs.iter().enumerate().map(|(j, n)| text(j, *n)).collect();
            let whole = if all.is_empty() {
                "[]".to_string()
            } else {
                format!("[{}\n  ]", &all[1..])
            };
            let format = |job: &(usize, usize), buf: &mut Vec<u8>| {
                if Some(job.0) == bad_job {
                    return Err(std::io::Error::other("bad job"));
                }
                buf.extend_from_slice(text(job.0, job.1).as_bytes());
                Ok(())
            };
            let numbered: Vec<(usize, usize)> = jobs.iter().copied().enumerate().collect();
            let mut out = Failing { taken: Vec::new(), limit: limit.unwrap_or(usize::MAX) };
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let result = pool.install(|| write_array(&mut out, &numbered, format));
            let written = String::from_utf8(out.taken).unwrap();
            let fails_formatting = bad_job.is_some_and(|b| b < jobs.len());
            if fails_formatting || limit.is_some_and(|l| l < whole.len()) {
                prop_assert!(result.is_err());
                prop_assert!(whole.starts_with(&written), "{written:?} is not the start of {whole:?}");
                if let Some(b) = bad_job.filter(|_| fails_formatting) {
                    // Nothing of the bad job or after it.
                    let before: String = jobs[..b].iter().enumerate().map(|(j, n)| text(j, *n)).collect();
                    prop_assert!(written.len() <= before.len());
                }
            } else {
                prop_assert!(result.is_ok());
                prop_assert_eq!(written, whole);
            }
        }
    }

    #[test]
    fn weighted_chunks_keep_order_and_bound_each_slice() {
        let list: Vec<usize> = (0..2_000)
            .map(|i| (i * 37) % 900 + usize::from(i == 7) * 9_000)
            .collect();
        let chunks = weighted_chunks(&list, |w| *w);
        assert_eq!(chunks.concat(), list, "nothing lost, nothing reordered");
        for c in &chunks {
            assert!(!c.is_empty());
            assert!(c.len() == 1 || c.iter().sum::<usize>() <= 4_096, "{c:?}");
        }
        // The element heavier than the limit is a slice of its own.
        assert!(chunks.iter().any(|c| c == &[list[7]] && list[7] > 4_096));
        assert!(weighted_chunks(&[] as &[usize], |w| *w).is_empty());
    }
}
