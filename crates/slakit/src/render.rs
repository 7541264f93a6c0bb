//! Human renderings of a report and an explanation: an aligned plain-text
//! table for a terminal, GitHub Markdown, and CSV.
//!
//! Pure functions of their input: no I/O, no clock, no environment, so the
//! same report always renders to the same bytes. The JSON report stays the
//! contract; these are views of it. The text table and the Markdown carry
//! the same content, built once as a small document model and then written
//! out in either syntax.
//!
//! Conventions a release manager can rely on:
//! - a breached row has the status `BREACHED` (upper case) and a `!` in the
//!   first column; an at-risk row has `~`;
//! - ratios are percentages, `deployment_frequency` values are counts;
//! - instants are UTC; a window is labelled by its local start date
//!   (`2026-03` for a month, `2026-Q1`, `week of 2026-03-02`, `2026-03-02`
//!   for a day, `rolling 28d`): the row's `window.label`, computed by the
//!   engine in the SLA's zone; the CSV and JSON carry the exact instants.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::evaluation::{EntryRef, Section};
use crate::explain::{Explanation, SlaExplanation, Step, TimelineEvent};
use crate::report::{Breach, DeploymentEntry, Report, ResultRow, VendorRow};
use crate::units::format_duration;

// ---------------------------------------------------------------------------
// A small document model shared by the text and Markdown renderers.

/// How a column's cells line up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
}

/// A table: headers, alignment, and rows of cells.
#[derive(Debug, Clone, Default)]
struct Grid {
    headers: Vec<String>,
    aligns: Vec<Align>,
    rows: Vec<Vec<String>>,
}

/// A column of a grid built from items of type `T`: `None` cells are shown
/// as `-`, and a column whose cells are all `None` or empty is left out.
struct Column<'a, T> {
    header: std::borrow::Cow<'static, str>,
    align: Align,
    cell: Cell<'a, T>,
}

/// What a column shows for one item.
type Cell<'a, T> = Box<dyn Fn(&T) -> Option<String> + 'a>;

fn col<'a, T>(
    header: impl Into<std::borrow::Cow<'static, str>>,
    align: Align,
    cell: impl Fn(&T) -> Option<String> + 'a,
) -> Column<'a, T> {
    Column {
        header: header.into(),
        align,
        cell: Box::new(cell),
    }
}

/// One piece of a rendered document.
#[derive(Debug, Clone)]
enum Block {
    /// A title (level 1) or section heading (level 2).
    Heading(u8, String),
    /// A line of prose.
    Line(String),
    /// A table.
    Grid(Grid),
    /// A bulleted list.
    Bullets(Vec<String>),
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn pad(s: &str, w: usize, align: Align) -> String {
    let fill = " ".repeat(w.saturating_sub(width(s)));
    match align {
        Align::Left => format!("{s}{fill}"),
        Align::Right => format!("{fill}{s}"),
    }
}

/// An aligned plain-text grid: two spaces between columns, widths from the
/// content (in characters), trailing spaces trimmed.
fn write_grid_text(out: &mut String, grid: &Grid, indent: &str) {
    let mut widths: Vec<usize> = grid.headers.iter().map(|h| width(h)).collect();
    for row in &grid.rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(&one_line(cell)));
        }
    }
    let headers = grid.headers.iter().zip(&widths).zip(&grid.aligns);
    write_grid_line(
        out,
        indent,
        headers.map(|((h, &w), _)| (h.as_str(), w, Align::Left)),
    );
    for row in &grid.rows {
        let cells = row.iter().zip(&widths).zip(&grid.aligns);
        write_grid_line(out, indent, cells.map(|((c, &w), &a)| (c.as_str(), w, a)));
    }
}

/// One line of a plain-text grid: the cells, each on one line, padded to
/// their widths and aligned, two spaces apart, after `indent`; trailing
/// spaces trimmed.
fn write_grid_line<'c>(
    out: &mut String,
    indent: &str,
    cells: impl Iterator<Item = (&'c str, usize, Align)>,
) {
    let start = out.len();
    out.push_str(indent);
    for (i, (cell, w, align)) in cells.enumerate() {
        if i > 0 {
            out.push_str("  ");
        }
        out.push_str(&pad(&one_line(cell), w, align));
    }
    let kept = out.get(start..).map_or(0, |line| line.trim_end().len());
    out.truncate(start + kept);
    out.push('\n');
}

/// A GitHub Markdown table; pipes in cells are escaped.
fn grid_markdown(grid: &Grid) -> String {
    let cell = |s: &str| md_escape(&one_line(s)).replace('|', "\\|");
    let mut out = String::new();
    let headers: Vec<String> = grid
        .headers
        .iter()
        .map(|h| {
            if h.is_empty() {
                " ".to_string()
            } else {
                cell(h)
            }
        })
        .collect();
    let _ = writeln!(out, "| {} |", headers.join(" | "));
    let rule: Vec<&str> = grid
        .aligns
        .iter()
        .map(|a| match a {
            Align::Left => "---",
            Align::Right => "---:",
        })
        .collect();
    let _ = writeln!(out, "|{}|", rule.join("|"));
    for row in &grid.rows {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out
}

/// Text that Markdown must not read as HTML: `<` and `&` as entities.
fn md_escape(s: &str) -> String {
    if s.contains(['<', '&']) {
        s.replace('&', "&amp;").replace('<', "&lt;")
    } else {
        s.to_string()
    }
}

fn one_line(s: &str) -> String {
    if s.contains(['\n', '\r']) {
        s.replace("\r\n", " ").replace(['\n', '\r'], " ")
    } else {
        s.to_string()
    }
}

/// A plain-text document written as it is laid out: blocks, and grids of
/// items written line by line ([`TextDoc::grid`]). Into a string, or
/// through it to a writer ([`TextDoc::to`]), a few hundred kilobytes at a
/// time, so that the text is never held whole.
struct TextDoc<'w> {
    out: String,
    /// Any block written yet (a heading after one is set off by a blank line).
    started: bool,
    /// Where the text goes, if not kept in `out`.
    sink: Option<&'w mut dyn std::io::Write>,
    /// The first error of the sink: nothing is written after it.
    error: Option<std::io::Error>,
}

impl<'w> TextDoc<'w> {
    /// Text handed to the sink at a time (small under test, so that the
    /// example's tables take several).
    const SPILL: usize = if cfg!(test) { 64 } else { 256 << 10 };

    /// A document kept in `out`.
    fn new() -> TextDoc<'w> {
        TextDoc {
            out: String::new(),
            started: false,
            sink: None,
            error: None,
        }
    }

    /// A document written to `sink` as it is laid out.
    fn to(sink: &'w mut dyn std::io::Write) -> TextDoc<'w> {
        TextDoc {
            sink: Some(sink),
            ..TextDoc::new()
        }
    }

    /// Hand the text so far to the sink, if there is one and `all` or
    /// there is enough of it.
    fn spill(&mut self, all: bool) {
        let Some(sink) = self.sink.as_mut() else {
            return;
        };
        if all || self.out.len() >= Self::SPILL {
            if let Err(e) = sink.write_all(self.out.as_bytes()) {
                self.error = Some(e);
                self.sink = None;
            }
            self.out.clear();
        }
    }

    /// The text is all written: how the writing went.
    fn finish(mut self) -> std::io::Result<()> {
        self.spill(true);
        match self.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn push(&mut self, block: &Block) {
        let out = &mut self.out;
        match block {
            Block::Heading(level, text) => {
                if self.started {
                    out.push('\n');
                }
                let rule = if *level == 1 { "=" } else { "-" };
                let _ = writeln!(out, "{text}\n{}", rule.repeat(width(text)));
            }
            Block::Line(text) => {
                let _ = writeln!(out, "{text}");
            }
            Block::Grid(grid) => write_grid_text(out, grid, "  "),
            Block::Bullets(items) => {
                for item in items {
                    let _ = writeln!(out, "  - {}", one_line(item));
                }
            }
        }
        self.started = true;
        self.spill(false);
    }

    /// A grid of `items`, a line each, in `columns` (a column with no value
    /// that is not empty is left out; no value shows as `-`), written
    /// without holding the grid: the columns kept and their widths are
    /// found in a first pass over the items, and each line is written in a
    /// second, so that no cell is held beyond its line. (The breaches of a
    /// long history are hundreds of thousands of lines.)
    fn grid<T>(&mut self, items: &[T], columns: Vec<Column<'_, T>>) {
        const INDENT: &str = "  ";
        let mut kept = vec![false; columns.len()];
        let mut widths: Vec<usize> = columns.iter().map(|c| width(&c.header)).collect();
        for item in items {
            for ((c, keep), w) in columns.iter().zip(&mut kept).zip(&mut widths) {
                let value = (c.cell)(item);
                *keep |= value.as_deref().is_some_and(|v| !v.is_empty());
                *w = (*w).max(width(&one_line(value.as_deref().unwrap_or("-"))));
            }
        }
        let shown = || {
            columns
                .iter()
                .zip(&widths)
                .zip(&kept)
                .filter(|(_, keep)| **keep)
                .map(|(cw, _)| cw)
        };
        write_grid_line(
            &mut self.out,
            INDENT,
            shown().map(|(c, &w)| (c.header.as_ref(), w, Align::Left)),
        );
        for item in items {
            let cells: Vec<(String, usize, Align)> = shown()
                .map(|(c, &w)| {
                    (
                        (c.cell)(item).unwrap_or_else(|| "-".to_string()),
                        w,
                        c.align,
                    )
                })
                .collect();
            write_grid_line(
                &mut self.out,
                INDENT,
                cells.iter().map(|(v, w, a)| (v.as_str(), *w, *a)),
            );
            self.spill(false);
        }
        self.started = true;
        self.spill(false);
    }
}

fn doc_markdown(blocks: &[Block]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    let flush = |lines: &mut Vec<String>, parts: &mut Vec<String>| {
        if !lines.is_empty() {
            // One paragraph per line: Markdown would join adjacent lines.
            parts.push(lines.join("\n\n"));
            lines.clear();
        }
    };
    for block in blocks {
        match block {
            Block::Heading(level, text) => {
                flush(&mut lines, &mut parts);
                parts.push(format!("{} {text}", "#".repeat(usize::from(*level))));
            }
            Block::Line(text) => lines.push(text.clone()),
            Block::Grid(grid) => {
                flush(&mut lines, &mut parts);
                parts.push(grid_markdown(grid).trim_end().to_string());
            }
            Block::Bullets(items) => {
                flush(&mut lines, &mut parts);
                parts.push(
                    items
                        .iter()
                        .map(|i| format!("- {}", md_escape(&one_line(i))))
                        .collect::<Vec<_>>()
                        .join("\n"),
                );
            }
        }
    }
    flush(&mut lines, &mut parts);
    let mut out = parts.join("\n\n");
    out.push('\n');
    out
}

// ---------------------------------------------------------------------------
// Formatting of values.

/// A ratio in [0, 1] as a percentage with at most 4 decimals: `99.95%`.
pub(crate) fn percent(ratio: f64) -> String {
    let text = format!("{:.4}", ratio * 100.0);
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text.as_str()
    };
    let text = if text == "-0" { "0" } else { text };
    format!("{text}%")
}

/// A count or rate as a number: integers without a fraction.
pub(crate) fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

fn json_number(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// `sha256:` and the first 12 hex digits.
fn short_digest(digest: &str) -> String {
    let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
    let short: String = hex.chars().take(12).collect();
    if digest.starts_with("sha256:") {
        format!("sha256:{short}")
    } else {
        short
    }
}

pub(crate) fn is_count_kind(kind: &str) -> bool {
    kind == "deployment_frequency"
}

fn status_text(status: &str) -> String {
    match status {
        "breached" => "BREACHED".to_string(),
        other => other.replace('_', " "),
    }
}

fn marker(status: &str) -> &'static str {
    match status {
        "breached" => "!",
        "at_risk" => "~",
        _ => "",
    }
}

/// The target of a row in words: `95% within 4h`, `≥ 98%`, `≥ 3`, `≥ 0.1/day (3.1)`.
pub(crate) fn target_text(row: &ResultRow) -> String {
    let t = &row.target;
    let mut parts = Vec::new();
    if let Some(max_ms) = t.max_ms {
        match t.objective {
            Some(o) => parts.push(format!("{} within {}", percent(o), format_duration(max_ms))),
            None => parts.push(format!("≤ {}", format_duration(max_ms))),
        }
    }
    if is_count_kind(&row.kind) {
        if let Some(min) = t.min {
            parts.push(format!("≥ {}", number(min)));
        }
        if let Some(per_day) = t.min_per_day {
            match t.required {
                Some(req) => parts.push(format!("≥ {}/day ({})", number(per_day), number(req))),
                None => parts.push(format!("≥ {}/day", number(per_day))),
            }
        }
    } else {
        if let Some(min) = t.min {
            parts.push(format!("≥ {}", percent(min)));
        }
        if let Some(max) = t.max {
            parts.push(format!("≤ {}", percent(max)));
        }
        if let Some(objective) = t.objective.filter(|_| t.max_ms.is_none()) {
            parts.push(format!("{} objective", percent(objective)));
        }
    }
    if parts.is_empty() {
        "-".to_string()
    } else {
        parts.join(", ")
    }
}

pub(crate) fn value_text(row: &ResultRow) -> Option<String> {
    let v = row.value.as_ref().and_then(json_number)?;
    Some(if is_count_kind(&row.kind) {
        number(v)
    } else {
        percent(v)
    })
}

/// The counts that are not part of `measured`, as words: `1 excluded, 2 unmeasured`.
pub(crate) fn not_counted(row: &ResultRow) -> Option<String> {
    let parts: Vec<String> = [
        ("excluded", Some(row.excluded)),
        ("suspended", Some(row.suspended)),
        ("unmeasured", row.unmeasured),
        ("cancelled", row.cancelled),
    ]
    .iter()
    .filter_map(|(name, n)| n.filter(|&n| n != 0).map(|n| format!("{n} {name}")))
    .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Segment values other than the tier: `service=checkout team=payments`.
pub(crate) fn segment_text(row: &ResultRow) -> Option<String> {
    let parts: Vec<String> = row
        .segment
        .iter()
        .filter(|(k, _)| k.as_str() != "tier")
        .map(|(k, v)| format!("{k}={}", v.as_deref().unwrap_or("(none)")))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn opt_num(n: Option<i64>) -> Option<String> {
    n.map(|n| n.to_string())
}

fn instant_or_never(b: &Option<impl AsRef<str>>) -> String {
    b.as_ref()
        .map_or("never (the calendar does not open again)", AsRef::as_ref)
        .to_string()
}

// ---------------------------------------------------------------------------
// The report.

fn result_columns<'a>() -> Vec<Column<'a, ResultRow>> {
    use Align::{Left, Right};
    vec![
        col("", Left, |r: &ResultRow| {
            Some(marker(&r.status).to_string())
        }),
        col("WINDOW", Left, move |r: &ResultRow| {
            Some(r.window.label.clone())
        }),
        col("STATE", Left, |r: &ResultRow| Some(r.window.state.clone())),
        col("TIER", Left, |r: &ResultRow| Some(r.tier.clone())),
        col("SEGMENT", Left, segment_text),
        col("STATUS", Left, |r: &ResultRow| Some(status_text(&r.status))),
        col("VALUE", Right, value_text),
        col("CHANGE", Right, trend_text),
        col("TARGET", Left, |r: &ResultRow| Some(target_text(r))),
        col("MEASURED", Right, |r: &ResultRow| {
            Some(r.measured.to_string())
        }),
        col("MET", Right, |r: &ResultRow| opt_num(r.met)),
        col("BREACHED", Right, |r: &ResultRow| opt_num(r.breached)),
        col("SUCC", Right, |r: &ResultRow| opt_num(r.succeeded)),
        col("FAIL", Right, |r: &ResultRow| opt_num(r.failed)),
        col("CAUSED", Right, |r: &ResultRow| opt_num(r.caused_failure)),
        col("IN-PROGRESS", Right, |r: &ResultRow| opt_num(r.in_progress)),
        col("IN-FLIGHT", Right, |r: &ResultRow| opt_num(r.in_flight)),
        col("AT-RISK", Right, |r: &ResultRow| opt_num(r.at_risk)),
        col("BUDGET LEFT", Right, |r: &ResultRow| {
            r.error_budget
                .map(|b| format!("{} of {}", b.remaining, b.allowed))
        }),
        col("NOT COUNTED", Left, not_counted),
        // A versioned policy (§9b): the version each window was judged
        // under (the column is dropped when no row names one).
        col("POLICY VERSION", Left, |r: &ResultRow| {
            r.policy_version.clone()
        }),
    ]
}

/// The change against the previous window: `+5%` (points) for ratios, `+2` for counts.
fn trend_text(r: &ResultRow) -> Option<String> {
    let t = r.trend.as_ref()?;
    let sign = if t.delta > 0.0 { "+" } else { "" };
    Some(if is_count_kind(&r.kind) {
        format!("{sign}{}", number(t.delta))
    } else {
        format!("{sign}{}", percent(t.delta))
    })
}

/// A breach with the row it belongs to.
struct BreachLine<'a> {
    row: &'a ResultRow,
    breach: &'a Breach,
}

fn evidence_text(b: &Breach) -> Option<String> {
    let parts: Vec<String> = b
        .records
        .iter()
        .map(|e| {
            let mut what = e.kind.to_string();
            if let Some(ev) = &e.event {
                what = format!("`{ev}`");
            }
            if let Some(id) = &e.id {
                what.push_str(&format!(" `{id}`"));
            }
            if let Some(t) = &e.time {
                what.push_str(&format!(" at {t}"));
            }
            format!("{} ({})", what, e.role)
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn breach_columns<'a>() -> Vec<Column<'a, BreachLine<'a>>> {
    use Align::{Left, Right};
    vec![
        col("SLA", Left, |b: &BreachLine<'_>| Some(b.row.sla.clone())),
        col("WINDOW", Left, move |b: &BreachLine<'_>| {
            Some(b.row.window.label.clone())
        }),
        col("DEPLOYMENT", Left, |b: &BreachLine<'_>| {
            Some(b.breach.deployment.to_string())
        }),
        col("SERVICE", Left, |b: &BreachLine<'_>| {
            b.breach.service.as_deref().map(str::to_string)
        }),
        col("TIER", Left, |b: &BreachLine<'_>| Some(b.row.tier.clone())),
        col("ELAPSED", Right, |b: &BreachLine<'_>| {
            b.breach.elapsed_ms.map(format_duration)
        }),
        col("TARGET", Right, |b: &BreachLine<'_>| {
            b.breach.max_ms.map(format_duration)
        }),
        col("OVER BY", Right, |b: &BreachLine<'_>| {
            b.breach.over_ms.map(format_duration)
        }),
        col("REASON", Left, |b: &BreachLine<'_>| {
            Some(b.breach.reason.clone())
        }),
        col("DECIDED BY", Left, |b: &BreachLine<'_>| {
            evidence_text(b.breach)
        }),
    ]
}

fn in_flight_columns<'a>() -> Vec<Column<'a, DeploymentEntry>> {
    use Align::{Left, Right};
    vec![
        col("", Left, |d: &DeploymentEntry| {
            Some(if d.warn.is_some() { "~" } else { "" }.to_string())
        }),
        col("SLA", Left, |d: &DeploymentEntry| Some(d.sla.to_string())),
        col("DEPLOYMENT", Left, |d: &DeploymentEntry| {
            Some(d.deployment.to_string())
        }),
        col("SERVICE", Left, |d: &DeploymentEntry| {
            d.service.as_deref().map(str::to_string)
        }),
        col("TIER", Left, |d: &DeploymentEntry| Some(d.tier.to_string())),
        col("ELAPSED", Right, |d: &DeploymentEntry| {
            d.elapsed_ms.map(format_duration)
        }),
        col("LEFT", Right, |d: &DeploymentEntry| {
            d.remaining_ms.map(format_duration)
        }),
        col("CONSUMED", Right, |d: &DeploymentEntry| {
            d.consumed.map(percent)
        }),
        col("WARN", Right, |d: &DeploymentEntry| d.warn.map(percent)),
        col("BREACH AT (UTC)", Left, |d: &DeploymentEntry| {
            d.breach_at.as_ref().map(instant_or_never)
        }),
    ]
}

fn vendor_columns<'a>() -> Vec<Column<'a, VendorRow>> {
    use Align::{Left, Right};
    vec![
        col("", Left, |v: &VendorRow| {
            Some(if v.met { "" } else { "!" }.to_string())
        }),
        col("VENDOR", Left, |v: &VendorRow| Some(v.vendor.clone())),
        col("MONTH", Left, |v: &VendorRow| {
            Some(if v.window.state == "open" {
                format!("{} (so far)", v.window.label)
            } else {
                v.window.label.clone()
            })
        }),
        col("DOWN", Right, |v: &VendorRow| {
            Some(format_duration(v.down_ms))
        }),
        col("AVAILABILITY", Right, |v: &VendorRow| {
            Some(percent(v.availability))
        }),
        col("PROMISED", Right, |v: &VendorRow| Some(percent(v.promised))),
        col("PROMISE", Left, |v: &VendorRow| {
            Some(if v.met { "met" } else { "MISSED" }.to_string())
        }),
        col("CREDIT", Right, |v: &VendorRow| {
            (v.credit > 0.0).then(|| percent(v.credit))
        }),
        col("CREDIT DUE", Right, |v: &VendorRow| {
            v.credit_amount
                .filter(|a| *a > 0.0)
                .map(|a| format!("{a:.2}"))
        }),
    ]
}

fn not_counted_columns<'a>() -> Vec<Column<'a, DeploymentEntry>> {
    use Align::Left;
    vec![
        col("SLA", Left, |d: &DeploymentEntry| Some(d.sla.to_string())),
        col("DEPLOYMENT", Left, |d: &DeploymentEntry| {
            Some(d.deployment.to_string())
        }),
        col("SERVICE", Left, |d: &DeploymentEntry| {
            d.service.as_deref().map(str::to_string)
        }),
        col("STATE", Left, |d: &DeploymentEntry| {
            Some(d.state.to_string())
        }),
        col("WHY", Left, |d: &DeploymentEntry| {
            Some(match (&d.exception, &d.exclusion, &d.reason) {
                (Some(x), _, _) => format!("exception `{x}`"),
                (_, Some(x), _) => format!("exclusion `{x}`"),
                (_, _, Some(r)) => r.replace('_', " "),
                _ => d.state.to_string(),
            })
        }),
    ]
}

const NOT_COUNTED_STATES: [&str; 4] = ["excluded", "suspended", "unmeasured", "cancelled"];

fn count_status(rows: &[&ResultRow], status: &str) -> usize {
    rows.iter().filter(|r| r.status == status).count()
}

fn status_summary(rows: &[&ResultRow]) -> String {
    let mut parts = Vec::new();
    for (status, label) in [
        ("breached", "breached"),
        ("at_risk", "at risk"),
        ("met", "met"),
        ("no_data", "no data"),
    ] {
        let n = count_status(rows, status);
        if n > 0 {
            parts.push(format!("{n} {label}"));
        }
    }
    let n = rows.len();
    let noun = if n == 1 { "row" } else { "rows" };
    if parts.is_empty() {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}: {}", parts.join(", "))
    }
}

/// The report as aligned plain-text tables, written to `doc` as laid out.
fn report_doc(report: &Report, section: Section<'_>, doc: &mut TextDoc<'_>) {
    for block in [
        Block::Heading(
            1,
            format!(
                "SLA report: policy `{}` as of {}",
                report.policy.name, report.as_of
            ),
        ),
        Block::Line(format!(
            "policy {} · records {} · {} {} {}",
            short_digest(&report.policy.digest),
            short_digest(&report.inputs.digest),
            report.engine.name,
            report.engine.version,
            "(times in UTC)"
        )),
        Block::Line(format!(
            "{} records, {} deployments, {} ignored as after as_of",
            report.inputs.records, report.inputs.deployments, report.inputs.ignored_future
        )),
    ] {
        doc.push(&block);
    }
    let all: Vec<&ResultRow> = report.results.iter().collect();
    doc.push(&Block::Line(format!(
        "{} (! breached, ~ at risk)",
        status_summary(&all)
    )));
    if report.results.is_empty() {
        doc.push(&Block::Line(
            "no result rows: no deployment in scope at or before as_of".to_string(),
        ));
    }

    // One block per SLA, in report order (policy order).
    let mut slas: Vec<(&str, &str)> = Vec::new();
    for row in &report.results {
        if !slas.iter().any(|(s, _)| *s == row.sla) {
            slas.push((row.sla.as_str(), row.kind.as_str()));
        }
    }
    for (sla, kind) in slas {
        let rows: Vec<ResultRow> = report
            .results
            .iter()
            .filter(|r| r.sla == sla)
            .cloned()
            .collect();
        let refs: Vec<&ResultRow> = rows.iter().collect();
        doc.push(&Block::Heading(
            2,
            format!("{sla} ({kind}): {}", status_summary(&refs)),
        ));
        doc.grid(&rows, result_columns());
    }

    // Breaches.
    let breaches: Vec<BreachLine<'_>> = report
        .results
        .iter()
        .flat_map(|row| {
            row.breaches
                .iter()
                .map(move |breach| BreachLine { row, breach })
        })
        .collect();
    if breaches.is_empty() {
        doc.push(&Block::Heading(2, "Breached deployments: none".to_string()));
    } else {
        doc.push(&Block::Heading(
            2,
            format!("Breached deployments ({})", breaches.len()),
        ));
        doc.grid(&breaches, breach_columns());
    }

    // Running clocks: the deadlines to watch.
    let in_flight: Vec<DeploymentEntry> = section
        .iter()
        .filter(|d| d.state == "in_flight")
        .map(EntryRef::to_entry)
        .collect();
    if !in_flight.is_empty() {
        let at_risk = in_flight.iter().filter(|d| d.warn.is_some()).count();
        doc.push(&Block::Heading(
            2,
            format!("In flight ({}, {at_risk} at risk)", in_flight.len()),
        ));
        doc.grid(&in_flight, in_flight_columns());
    }

    // Deployments that did not count, and why.
    let not_counted: Vec<DeploymentEntry> = section
        .iter()
        .filter(|d| NOT_COUNTED_STATES.contains(&d.state))
        .map(EntryRef::to_entry)
        .collect();
    if !not_counted.is_empty() {
        doc.push(&Block::Heading(
            2,
            format!("Not counted ({})", not_counted.len()),
        ));
        doc.grid(&not_counted, not_counted_columns());
    }

    if !report.vendors.is_empty() {
        let missed = report.vendors.iter().filter(|v| !v.met).count();
        doc.push(&Block::Heading(
            2,
            format!("Vendors ({missed} promise(s) missed; ! missed)"),
        ));
        doc.grid(&report.vendors, vendor_columns());
    }

    if !report.findings.is_empty() {
        doc.push(&Block::Heading(
            2,
            format!("Findings ({})", report.findings.len()),
        ));
        doc.push(&Block::Bullets(
            report
                .findings
                .iter()
                .map(|f| format!("{}: {}", f.kind, f.message))
                .collect(),
        ));
    }

    let in_force = in_force_lines(report);
    if !in_force.is_empty() {
        doc.push(&Block::Heading(2, "In force now".to_string()));
        doc.push(&Block::Bullets(in_force));
    }

    if !report.warnings.is_empty() {
        doc.push(&Block::Heading(
            2,
            format!("Warnings ({})", report.warnings.len()),
        ));
        doc.push(&Block::Bullets(
            report
                .warnings
                .iter()
                .map(|w| format!("{}: {}", w.code, w.message))
                .collect(),
        ));
    }
}

fn in_force_lines(report: &Report) -> Vec<String> {
    let mut lines = Vec::new();
    for x in &report.in_force.exclusions {
        let mut line = format!(
            "exclusion `{}` ({}) from {} to {}",
            x.id, x.effect, x.from, x.to
        );
        if let Some(reason) = &x.reason {
            line.push_str(&format!(", reason: {reason}"));
        }
        match &x.services {
            Some(s) => line.push_str(&format!(", services: {}", s.join(", "))),
            None => line.push_str(", all services"),
        }
        if let Some(v) = &x.vendor {
            line.push_str(&format!(", vendor: {v}"));
        }
        lines.push(line);
    }
    for x in &report.in_force.exceptions {
        let kind = if x.emergency {
            "emergency exception"
        } else {
            "exception"
        };
        let mut line = format!("{kind} `{}` from {} to {}", x.id, x.from, x.to);
        if let Some(s) = &x.services {
            line.push_str(&format!(", services: {}", s.join(", ")));
        }
        if let Some(d) = &x.deployments {
            line.push_str(&format!(", deployments: {}", d.join(", ")));
        }
        if x.services.is_none() && x.deployments.is_none() {
            line.push_str(", the whole organisation");
        }
        if let Some(a) = &x.approved_by {
            line.push_str(&format!(", approved by {a}"));
        }
        lines.push(line);
    }
    lines
}

/// The report as aligned plain-text tables for a terminal.
pub fn table(report: &Report) -> String {
    table_of(report, Section::of_report(report))
}

/// [`table`], the deployments section read from `section`.
pub(crate) fn table_of(report: &Report, section: Section<'_>) -> String {
    let mut doc = TextDoc::new();
    report_doc(report, section, &mut doc);
    doc.out
}

/// [`table_of`], written to `out` as it is laid out: the text (on the 1M
/// workload, 135 MB) is never held whole. After a failed write nothing
/// more is written; the error is returned.
pub(crate) fn write_table_of(
    report: &Report,
    section: Section<'_>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut doc = TextDoc::to(out);
    report_doc(report, section, &mut doc);
    doc.finish()
}

/// The report as a monthly leadership report in GitHub Markdown: compliance
/// per SLA, by application, team and deployment type, breaches and why,
/// exceptions and exclusions used, vendor credits due, trends, the DORA
/// summary and findings — for readers who never saw the policy file.
pub fn markdown(report: &Report) -> String {
    markdown_of(report, Section::of_report(report))
}

/// [`markdown`], the deployments section read from `section`.
pub(crate) fn markdown_of(report: &Report, section: Section<'_>) -> String {
    markdown_with(report, section, &Compliance::of(section.iter()))
}

/// [`markdown_of`], the compliance tables from `compliance` (the tallies
/// of the whole section) and the rest from `section`, of which only the
/// entries [`markdown_lists`] are read.
pub(crate) fn markdown_with(
    report: &Report,
    section: Section<'_>,
    compliance: &Compliance,
) -> String {
    doc_markdown(&leadership_blocks(report, section, compliance))
}

/// The deployment entries the leadership report lists, beside its
/// compliance tallies: those not counted because of an exclusion or an
/// exception ([`not_counted_section`]).
pub(crate) fn markdown_lists(state: &str, _caused_failure: bool) -> bool {
    matches!(state, "excluded" | "suspended")
}

/// The deployment entries the plain-text report lists: running clocks and
/// deployments not counted.
pub(crate) fn table_lists(state: &str, _caused_failure: bool) -> bool {
    state == "in_flight" || NOT_COUNTED_STATES.contains(&state)
}

// ---------------------------------------------------------------------------
// The leadership report (`--format markdown`).
//
// A monthly report for people who never saw the policy file: plain
// headings, units spelled out, every id next to words that say what it is,
// long lists capped with "and N more". Built from the report alone, so it
// is as deterministic as the JSON.

/// Rows shown per table before "and N more".
const CAP: usize = 15;

/// A duration in words, the two largest units: `3 hours 20 minutes`,
/// `2 days 4 hours` (days only with `days`: business-time clocks count hours).
pub(crate) fn spelled(ms: i64, days: bool) -> String {
    if ms == 0 {
        return "0 seconds".to_string();
    }
    let sign = if ms < 0 { "minus " } else { "" };
    let mut rest = ms.unsigned_abs();
    let units: &[(&str, u64)] = if days {
        &[
            ("day", 86_400_000),
            ("hour", 3_600_000),
            ("minute", 60_000),
            ("second", 1_000),
            ("millisecond", 1),
        ]
    } else {
        &[
            ("hour", 3_600_000),
            ("minute", 60_000),
            ("second", 1_000),
            ("millisecond", 1),
        ]
    };
    let mut parts = Vec::new();
    for (unit, mul) in units {
        let n = rest / mul;
        rest -= n * mul;
        let started = !parts.is_empty();
        if n > 0 {
            let s = if n == 1 { "" } else { "s" };
            parts.push(format!("{n} {unit}{s}"));
        }
        if started {
            break;
        }
    }
    format!("{sign}{}", parts.join(" "))
}

/// What an SLA kind measures, in words.
fn kind_words(kind: &str) -> &'static str {
    match kind {
        "duration" => "share of deployments whose clock stayed within the time limit",
        "success_rate" => "share of finished deployments that succeeded",
        "change_failure_rate" => {
            "share of finished deployments that caused a failure (failed, rolled back, or followed by an incident or outage)"
        }
        "deployment_frequency" => "number of successful deployments per period",
        "rollback_time" => "share of failed deployments rolled back within the time limit",
        "post_deploy_availability" => {
            "share of deployments followed by no more unavailability than allowed"
        }
        "time_to_restore" => "share of incidents resolved within the time limit",
        _ => "a custom measure",
    }
}

/// The words for a segment key.
fn key_words(key: &str) -> &str {
    match key {
        "service" => "application",
        "release_type" => "deployment type",
        other => other,
    }
}

/// A row's segment in words: `tier1, application checkout`.
fn segment_words(row: &ResultRow) -> String {
    let tier = if row.tier == "default" {
        "default tier".to_string()
    } else {
        row.tier.clone()
    };
    let mut parts = vec![tier];
    // Application, team, environment, deployment type: the reading order.
    let rank = |k: &str| match k {
        "service" => 0,
        "team" => 1,
        "environment" => 2,
        "release_type" => 3,
        _ => 4,
    };
    let mut keys: Vec<(&String, &Option<String>)> = row
        .segment
        .iter()
        .filter(|(k, _)| k.as_str() != "tier")
        .collect();
    keys.sort_by_key(|(k, _)| rank(k));
    for (k, v) in keys {
        parts.push(format!(
            "{} {}",
            key_words(k),
            v.as_deref().unwrap_or("(none)")
        ));
    }
    parts.join(", ")
}

/// The target in words: `90% within 8 hours`, `at least 95%`, `at most 10%`,
/// `at least 3`, `at least 0.2 a day (7 this period)`.
fn target_words(row: &ResultRow) -> String {
    let t = &row.target;
    let mut parts = Vec::new();
    if let Some(max_ms) = t.max_ms {
        match t.objective {
            Some(o) => parts.push(format!("{} within {}", percent(o), spelled(max_ms, false))),
            None => parts.push(format!("at most {}", spelled(max_ms, false))),
        }
    }
    if is_count_kind(&row.kind) {
        if let Some(min) = t.min {
            parts.push(format!("at least {}", number(min)));
        }
        if let Some(per_day) = t.min_per_day {
            match t.required {
                Some(req) => parts.push(format!(
                    "at least {} a day ({} this period)",
                    number(per_day),
                    number(req)
                )),
                None => parts.push(format!("at least {} a day", number(per_day))),
            }
        }
    } else {
        if let Some(min) = t.min {
            parts.push(format!("at least {}", percent(min)));
        }
        if let Some(max) = t.max {
            parts.push(format!("at most {}", percent(max)));
        }
        if let Some(objective) = t.objective.filter(|_| t.max_ms.is_none()) {
            parts.push(format!("{} of them", percent(objective)));
        }
    }
    if parts.is_empty() {
        "none".to_string()
    } else {
        parts.join(", ")
    }
}

fn result_words(status: &str) -> String {
    match status {
        "met" => "met".to_string(),
        "breached" => "**BREACHED**".to_string(),
        "at_risk" => "at risk".to_string(),
        "no_data" => "no data".to_string(),
        other => other.replace('_', " "),
    }
}

fn window_words(label: &str, state: &str) -> String {
    if state == "open" {
        format!("{label} (in progress)")
    } else {
        label.to_string()
    }
}

/// Keep the first `CAP` items; the rest become a line "and N more ...".
fn capped<T>(mut items: Vec<T>, what: &str) -> (Vec<T>, Option<Block>) {
    if items.len() <= CAP {
        return (items, None);
    }
    let more = items.len() - CAP;
    items.truncate(CAP);
    (
        items,
        Some(Block::Line(format!(
            "… and {more} more {what} (the JSON report lists them all)."
        ))),
    )
}

/// A grid from string rows (headers given).
fn plain_grid(headers: &[&str], aligns: &[Align], rows: Vec<Vec<String>>) -> Grid {
    Grid {
        headers: headers.iter().map(|h| h.to_string()).collect(),
        aligns: aligns.to_vec(),
        rows,
    }
}

fn push_capped(blocks: &mut Vec<Block>, grid: Grid, what: &str) {
    let (rows, more) = capped(grid.rows, what);
    blocks.push(Block::Grid(Grid { rows, ..grid }));
    blocks.extend(more);
}

/// The SLAs of the report, in policy order, with their kind.
fn slas_of(report: &Report) -> Vec<(String, String)> {
    let mut slas: Vec<(String, String)> = Vec::new();
    for row in &report.results {
        if !slas.iter().any(|(s, _)| *s == row.sla) {
            slas.push((row.sla.clone(), row.kind.clone()));
        }
    }
    slas
}

fn leadership_blocks(report: &Report, section: Section<'_>, compliance: &Compliance) -> Vec<Block> {
    let mut blocks = vec![Block::Heading(
        1,
        format!("SLA report: {}", one_line(&report.policy.name)),
    )];
    let starts = report
        .results
        .iter()
        .map(|r| &r.window)
        .chain(report.dora.rows.iter().map(|r| &r.window));
    let first = starts
        .clone()
        .filter(|w| w.unit != "rolling")
        .min_by(|a, b| a.start.cmp(&b.start));
    let open = report
        .results
        .iter()
        .map(|r| &r.window)
        .chain(report.dora.rows.iter().map(|r| &r.window))
        .any(|w| w.state == "open" && w.unit != "rolling");
    let period = match first {
        Some(w) => format!(
            "It covers {} to {} (UTC); periods are cut in the policy's time zone{}.",
            short_instant(&w.start),
            short_instant(&report.as_of),
            if open {
                " and the latest one is still in progress"
            } else {
                ""
            }
        ),
        None => "It covers no deployment yet.".to_string(),
    };
    blocks.push(Block::Line(format!(
        "Release and deployment service levels as of {} UTC. {period}",
        short_instant(&report.as_of)
    )));
    if let Some(v) = &report.policy.version {
        // A versioned policy (§9b): which targets are in force now, and that
        // closed periods keep the version they were judged under.
        blocks.push(Block::Line(format!(
            "Policy version: the one effective from {} UTC is in force; each period is judged under the version in force when it began (`policy_version` in the JSON report).",
            short_instant(v)
        )));
    }
    blocks.push(Block::Line(format!(
        "Evidence: {} records ({} deployments) evaluated by {} {}; policy digest {}, records digest {}. Anyone holding the same files can reproduce every figure.",
        report.inputs.records,
        report.inputs.deployments,
        report.engine.name,
        report.engine.version,
        short_digest(&report.policy.digest),
        short_digest(&report.inputs.digest)
    )));
    blocks.push(Block::Heading(2, "How to read this report".to_string()));
    blocks.push(Block::Bullets(vec![
        "**Met**: the period reached its target. **BREACHED**: it did not. **At risk**: deployments still running are close to their limit. **No data**: nothing was measured.".to_string(),
        "**Not counted**: deployments *excluded* (started during a maintenance window, or aborted by pre-flight checks before touching production) or *suspended* (covered by an approved exception). They appear in neither side of a rate.".to_string(),
        "Time limits of clock SLAs are measured on each SLA's calendar: business hours where the policy says so, with approval waits and maintenance paused.".to_string(),
        "Applications are the services deployed; deployment types are the release types (major, minor, patch, hotfix, emergency) the pipelines report.".to_string(),
    ]));

    at_a_glance(report, &mut blocks);
    compliance_by_sla(report, &mut blocks);
    compliance_by(report, compliance, &mut blocks);
    breaches(report, &mut blocks);
    not_counted_section(report, section, &mut blocks);
    vendor_section(report, &mut blocks);
    trend_section(report, &mut blocks);
    dora_section(report, &mut blocks);
    findings_section(report, &mut blocks);

    let in_force = in_force_lines(report);
    blocks.push(Block::Heading(2, "In force now".to_string()));
    if in_force.is_empty() {
        blocks.push(Block::Line(
            "No exclusion or exception is in force at the time of this report.".to_string(),
        ));
    } else {
        blocks.push(Block::Bullets(in_force));
    }
    if !report.warnings.is_empty() {
        blocks.push(Block::Heading(2, "Data quality notes".to_string()));
        let lines: Vec<String> = report
            .warnings
            .iter()
            .map(|w| format!("{} ({})", w.message, w.code))
            .collect();
        let (lines, more) = capped(lines, "notes");
        blocks.push(Block::Bullets(lines));
        blocks.extend(more);
    }
    blocks
}

fn at_a_glance(report: &Report, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, "At a glance".to_string()));
    let slas = slas_of(report);
    if slas.is_empty() {
        blocks.push(Block::Line(
            "No SLA has a deployment in scope yet.".to_string(),
        ));
        return;
    }
    let mut rows = Vec::new();
    for (sla, kind) in &slas {
        let mine: Vec<&ResultRow> = report.results.iter().filter(|r| &r.sla == sla).collect();
        let mut targets: Vec<String> = Vec::new();
        for r in &mine {
            let t = format!("{}: {}", r.tier, target_words(r));
            if !targets.contains(&t) {
                targets.push(t);
            }
        }
        let latest = mine.iter().map(|r| r.window.start.as_str()).max();
        let latest_rows: Vec<&ResultRow> = mine
            .iter()
            .copied()
            .filter(|r| Some(r.window.start.as_str()) == latest)
            .collect();
        let latest_text = latest_rows.first().map_or(String::new(), |r| {
            format!(
                "{}: {}",
                window_words(&r.window.label, &r.window.state),
                status_summary(&latest_rows)
            )
        });
        rows.push(vec![
            sla.clone(),
            kind_words(kind).to_string(),
            targets.join("; "),
            mine.len().to_string(),
            count_status(&mine, "met").to_string(),
            count_status(&mine, "breached").to_string(),
            count_status(&mine, "at_risk").to_string(),
            latest_text,
        ]);
    }
    use Align::{Left, Right};
    blocks.push(Block::Grid(plain_grid(
        &[
            "SLA",
            "What it measures",
            "Target per tier",
            "Periods",
            "Met",
            "Breached",
            "At risk",
            "Latest period",
        ],
        &[Left, Left, Left, Right, Right, Right, Right, Left],
        rows,
    )));
}

fn value_words(row: &ResultRow) -> String {
    value_text(row).unwrap_or_else(|| "no data".to_string())
}

fn counted_words(row: &ResultRow) -> String {
    if is_count_kind(&row.kind) {
        return format!("{} succeeded", row.succeeded.unwrap_or(row.measured));
    }
    match (row.met, row.breached, row.succeeded, row.failed) {
        (Some(m), Some(b), _, _) => format!("{m} met, {b} over the limit"),
        (_, _, Some(s), Some(f)) => match row.caused_failure {
            Some(c) => format!("{c} of {} caused a failure", s + f),
            None => format!("{s} succeeded, {f} failed"),
        },
        _ => row.measured.to_string(),
    }
}

fn compliance_by_sla(report: &Report, blocks: &mut Vec<Block>) {
    let slas = slas_of(report);
    if slas.is_empty() {
        return;
    }
    blocks.push(Block::Heading(2, "Compliance by SLA".to_string()));
    blocks.push(Block::Line(
        "One line per period and segment, latest period first; the change is against the previous closed period of the same segment.".to_string(),
    ));
    use Align::{Left, Right};
    for (sla, kind) in slas {
        let mut rows: Vec<&ResultRow> = report.results.iter().filter(|r| r.sla == sla).collect();
        // Latest window first, the report's order within a window.
        rows.sort_by(|a, b| b.window.start.cmp(&a.window.start));
        blocks.push(Block::Heading(
            3,
            format!("{sla}: {} — {}", kind_words(&kind), status_summary(&rows)),
        ));
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    window_words(&r.window.label, &r.window.state),
                    segment_words(r),
                    result_words(&r.status),
                    value_words(r),
                    target_words(r),
                    trend_text(r).unwrap_or_else(|| "-".to_string()),
                    counted_words(r),
                    not_counted(r).unwrap_or_else(|| "-".to_string()),
                ]
            })
            .collect();
        push_capped(
            blocks,
            plain_grid(
                &[
                    "Period",
                    "Segment",
                    "Result",
                    "Value",
                    "Target",
                    "Change",
                    "Counted",
                    "Not counted",
                ],
                &[Left, Left, Left, Right, Left, Right, Left, Left],
                cells,
            ),
            "earlier rows",
        );
    }
}

/// Per-SLA tallies of deployment entries for one segment value.
#[derive(Default, Clone, Copy)]
struct Tally {
    seen: bool,
    good: i64,
    bad: i64,
    caused: i64,
    succeeded: i64,
    failed: i64,
}

fn tally_text(kind: &str, t: Tally) -> String {
    if !t.seen {
        return "-".to_string();
    }
    let share = |n: i64, d: i64| crate::units::ratio6(i128::from(n), i128::from(d)).map(percent);
    match kind {
        "deployment_frequency" => format!("{} deployed", t.succeeded),
        "change_failure_rate" => match share(t.caused, t.succeeded + t.failed) {
            Some(p) => format!("{p} failed ({} of {})", t.caused, t.succeeded + t.failed),
            None => "-".to_string(),
        },
        "success_rate" => match share(t.succeeded, t.succeeded + t.failed) {
            Some(p) => format!("{p} ({} of {})", t.succeeded, t.succeeded + t.failed),
            None => "-".to_string(),
        },
        _ => match share(t.good, t.good + t.bad) {
            Some(p) => format!("{p} ({} of {})", t.good, t.good + t.bad),
            None => "-".to_string(),
        },
    }
}

/// The dimensions of the compliance tables: what, its column header, and
/// the entry's value.
type Dimension = (
    &'static str,
    &'static str,
    for<'a> fn(&EntryRef<'a>) -> Option<&'a str>,
);

const DIMENSIONS: [Dimension; 3] = [
    ("application", "Application", |d| d.service),
    ("team", "Team", |d| d.team),
    ("deployment type", "Deployment type", |d| d.release_type),
];

impl Tally {
    fn add(&mut self, d: &EntryRef<'_>) {
        self.seen = true;
        match d.state {
            "met" => self.good += 1,
            "breached" => self.bad += 1,
            "succeeded" => self.succeeded += 1,
            "failed" => self.failed += 1,
            _ => {}
        }
        if d.caused_failure == Some(true) {
            self.caused += 1;
        }
    }

    fn merge(&mut self, other: Tally) {
        self.seen |= other.seen;
        self.good += other.good;
        self.bad += other.bad;
        self.caused += other.caused;
        self.succeeded += other.succeeded;
        self.failed += other.failed;
    }
}

/// What the leadership report's compliance tables read of a deployments
/// section: per SLA, per dimension ([`DIMENSIONS`]), per value, the tally
/// of its entries. Taken SLA by SLA as each is judged
/// ([`crate::Streamed::render`]), so that the entries need not be kept.
#[derive(Default)]
pub(crate) struct Compliance {
    by_sla: BTreeMap<String, [BTreeMap<Option<String>, Tally>; 3]>,
}

impl Compliance {
    /// The tallies of `entries`, of any SLAs in any order.
    pub(crate) fn of<'a>(entries: impl Iterator<Item = EntryRef<'a>>) -> Compliance {
        let mut all = Compliance::default();
        // Counted under borrowed keys, one SLA (a run of entries) at a time.
        let mut run: Option<&str> = None;
        let mut tables: [BTreeMap<Option<&str>, Tally>; 3] = Default::default();
        for d in entries {
            if run != Some(d.sla) {
                if let Some(sla) = run {
                    all.add(sla, std::mem::take(&mut tables));
                }
                run = Some(d.sla);
            }
            for ((_, _, key), table) in DIMENSIONS.iter().zip(tables.iter_mut()) {
                table.entry(key(&d)).or_default().add(&d);
            }
        }
        if let Some(sla) = run {
            all.add(sla, tables);
        }
        all
    }

    fn add(&mut self, sla: &str, tables: [BTreeMap<Option<&str>, Tally>; 3]) {
        let owned = tables.map(|table| {
            table
                .into_iter()
                .map(|(value, tally)| (value.map(str::to_string), tally))
                .collect()
        });
        self.put(sla.to_string(), owned);
    }

    fn put(&mut self, sla: String, tables: [BTreeMap<Option<String>, Tally>; 3]) {
        let mine = self.by_sla.entry(sla).or_default();
        for (table, counted) in mine.iter_mut().zip(tables) {
            for (value, tally) in counted {
                table.entry(value).or_default().merge(tally);
            }
        }
    }

    /// Both tallies together.
    pub(crate) fn merge(&mut self, other: Compliance) {
        for (sla, tables) in other.by_sla {
            self.put(sla, tables);
        }
    }
}

/// Compliance per application, team and deployment type, from the tallies
/// of the deployments section, over the whole period.
fn compliance_by(report: &Report, compliance: &Compliance, blocks: &mut Vec<Block>) {
    let slas = slas_of(report);
    if slas.is_empty() {
        return;
    }
    use Align::{Left, Right};
    // Value -> a tally per SLA of the report (SLAs without rows left out).
    let mut tables: [BTreeMap<Option<&str>, Vec<Tally>>; 3] = Default::default();
    for (i, (sla, _)) in slas.iter().enumerate() {
        let Some(counted) = compliance.by_sla.get(sla) else {
            continue;
        };
        for (table, counted) in tables.iter_mut().zip(counted) {
            for (value, tally) in counted {
                let row = table
                    .entry(value.as_deref())
                    .or_insert_with(|| vec![Tally::default(); slas.len()]);
                if let Some(t) = row.get_mut(i) {
                    t.merge(*tally);
                }
            }
        }
    }
    for ((what, header, _), table) in DIMENSIONS.into_iter().zip(tables) {
        if table.keys().all(Option::is_none) {
            continue;
        }
        blocks.push(Block::Heading(2, format!("Compliance by {what}")));
        blocks.push(Block::Line(format!(
            "Each cell: the SLA's result over the whole period for that {what} (a clock SLA: share within the limit; success rate: share succeeded; change failure rate: share that caused a failure; frequency: deployments)."
        )));
        let mut headers: Vec<String> = vec![header.to_string()];
        headers.extend(slas.iter().map(|(s, _)| s.clone()));
        let mut aligns = vec![Left];
        aligns.extend(slas.iter().map(|_| Right));
        let rows: Vec<Vec<String>> = table
            .into_iter()
            .map(|(value, tallies)| {
                let mut row = vec![value.unwrap_or("(not stated)").to_string()];
                row.extend(
                    slas.iter()
                        .zip(tallies)
                        .map(|((_, kind), t)| tally_text(kind, t)),
                );
                row
            })
            .collect();
        let grid = Grid {
            headers,
            aligns,
            rows,
        };
        push_capped(blocks, grid, &format!("{what} rows"));
    }
}

/// Evidence as words: `start: merged 2026-01-14 19:54; pause: approval_requested ...`.
fn decided_by(b: &Breach) -> String {
    let parts: Vec<String> = b
        .records
        .iter()
        .map(|e| {
            let mut what = match (&e.event, &e.id) {
                (Some(ev), Some(id)) => format!("{ev} ({id})"),
                (Some(ev), None) => ev.to_string(),
                (None, Some(id)) => format!("{} {id}", e.kind),
                (None, None) => e.kind.to_string(),
            };
            if let Some(t) = &e.time {
                what.push_str(&format!(" at {}", short_instant(t)));
            }
            format!("{}: {what}", e.role.replace('_', " "))
        })
        .collect();
    if parts.is_empty() {
        "-".to_string()
    } else {
        parts.join("; ")
    }
}

fn why_words(b: &Breach) -> String {
    let mut why = b.reason.clone();
    let paused: Vec<String> = b
        .records
        .iter()
        .filter(|e| e.role == "pause" && e.kind == "exclusion")
        .filter_map(|e| e.id.as_deref().map(str::to_string))
        .collect();
    if !paused.is_empty() {
        why.push_str(&format!(
            "; the clock was paused by exclusion {}",
            paused.join(", ")
        ));
    }
    for v in &b.vendor_overlap {
        why.push_str(&format!(
            "; overlapped {} of {} outage",
            spelled(v.ms, true),
            v.vendor
        ));
    }
    why
}

fn breaches(report: &Report, blocks: &mut Vec<Block>) {
    let mut lines: Vec<(&ResultRow, &Breach)> = report
        .results
        .iter()
        .flat_map(|r| r.breaches.iter().map(move |b| (r, b)))
        .collect();
    blocks.push(Block::Heading(2, "Breaches".to_string()));
    if lines.is_empty() {
        blocks.push(Block::Line("No deployment breached an SLA.".to_string()));
        return;
    }
    // Clock breaches by how far over, longest first; then rate breaches, by report order.
    lines.sort_by_key(|(_, b)| std::cmp::Reverse(b.over_ms.unwrap_or(-1)));
    let slas: std::collections::BTreeSet<&str> =
        lines.iter().map(|(r, _)| r.sla.as_str()).collect();
    blocks.push(Block::Line(format!(
        "{} across {}; the longest over their limit first. \"Decided by\" names the records behind each verdict.",
        plural(lines.len(), "breach", "breaches"),
        plural(slas.len(), "SLA", "SLAs")
    )));
    use Align::{Left, Right};
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|(r, b)| {
            vec![
                r.sla.clone(),
                window_words(&r.window.label, &r.window.state),
                b.service.as_deref().unwrap_or("-").to_string(),
                b.deployment.to_string(),
                b.elapsed_ms
                    .map_or_else(|| "-".to_string(), |ms| spelled(ms, false)),
                b.max_ms
                    .map_or_else(|| "-".to_string(), |ms| spelled(ms, false)),
                b.over_ms
                    .map_or_else(|| "-".to_string(), |ms| spelled(ms, false)),
                why_words(b),
                decided_by(b),
            ]
        })
        .collect();
    push_capped(
        blocks,
        plain_grid(
            &[
                "SLA",
                "Period",
                "Application",
                "Deployment",
                "Took",
                "Limit",
                "Over by",
                "Why",
                "Decided by",
            ],
            &[Left, Left, Left, Left, Right, Right, Right, Left, Left],
            rows,
        ),
        "breaches",
    );
}

fn not_counted_section(report: &Report, section: Section<'_>, blocks: &mut Vec<Block>) {
    // (what, id) -> (deployments, applications, SLAs)
    type Uses<'a> = (
        std::collections::BTreeSet<&'a str>,
        std::collections::BTreeSet<&'a str>,
        std::collections::BTreeSet<&'a str>,
    );
    let mut used: std::collections::BTreeMap<(u8, &str), Uses<'_>> =
        std::collections::BTreeMap::new();
    for d in section.iter() {
        let key = match (d.exception, d.exclusion, d.reason) {
            (Some(x), _, _) if d.state == "suspended" => (0, x),
            (_, Some(x), _) if d.state == "excluded" => (1, x),
            (_, _, Some("preflight_failed")) if d.state == "excluded" => (2, "preflight_failed"),
            _ => continue,
        };
        let e = used.entry(key).or_default();
        e.0.insert(d.deployment);
        if let Some(s) = d.service {
            e.1.insert(s);
        }
        e.2.insert(d.sla);
    }
    blocks.push(Block::Heading(
        2,
        "Exceptions and exclusions used".to_string(),
    ));
    if used.is_empty() {
        blocks.push(Block::Line(
            "Every deployment in scope was counted: no exception or exclusion applied.".to_string(),
        ));
    } else {
        use Align::{Left, Right};
        let join = |s: &std::collections::BTreeSet<&str>| {
            let v: Vec<&str> = s.iter().copied().collect();
            if v.len() > 6 {
                format!(
                    "{} and {} more",
                    v.get(..6).unwrap_or_default().join(", "),
                    v.len() - 6
                )
            } else {
                v.join(", ")
            }
        };
        let rows: Vec<Vec<String>> = used
            .iter()
            .map(|((k, id), (deps, apps, slas))| {
                let what = match k {
                    0 => format!("exception {id} (deployments suspended)"),
                    1 => format!("exclusion {id} (deployments excluded)"),
                    _ => "aborted by pre-flight checks (excluded)".to_string(),
                };
                vec![what, deps.len().to_string(), join(apps), join(slas)]
            })
            .collect();
        push_capped(
            blocks,
            plain_grid(
                &["What applied", "Deployments", "Applications", "SLAs"],
                &[Left, Right, Left, Left],
                rows,
            ),
            "exceptions and exclusions",
        );
    }
    let governance = report
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.kind.as_str(),
                "unjustified_emergency" | "exception_frequency" | "emergency_override"
            )
        })
        .count();
    if governance > 0 {
        blocks.push(Block::Line(format!(
            "{governance} finding(s) about how exceptions were used: see Findings for review."
        )));
    }
}

fn vendor_section(report: &Report, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, "Vendors and service credits".to_string()));
    if report.vendors.is_empty() {
        blocks.push(Block::Line(
            "The policy declares no vendor promises, so no service credit is tracked.".to_string(),
        ));
        return;
    }
    let due: Vec<&VendorRow> = report.vendors.iter().filter(|v| v.credit > 0.0).collect();
    if due.is_empty() {
        blocks.push(Block::Line(
            "Every vendor kept its promise: no service credit is due.".to_string(),
        ));
    } else {
        let total: f64 = due.iter().filter_map(|v| v.credit_amount).sum();
        let amount = if due.iter().any(|v| v.credit_amount.is_some()) {
            format!(", {total:.2} in total where a monthly fee is known")
        } else {
            String::new()
        };
        blocks.push(Block::Line(format!(
            "A service credit is due for {} vendor month(s){amount}.",
            due.len()
        )));
    }
    use Align::{Left, Right};
    let rows: Vec<Vec<String>> = report
        .vendors
        .iter()
        .map(|v| {
            vec![
                v.vendor.clone(),
                window_words(&v.window.label, &v.window.state),
                spelled(v.down_ms, true),
                percent(v.availability),
                percent(v.promised),
                if v.met { "kept" } else { "**MISSED**" }.to_string(),
                if v.credit > 0.0 {
                    format!("{} of the fee", percent(v.credit))
                } else {
                    "none".to_string()
                },
                v.credit_amount
                    .filter(|a| *a > 0.0)
                    .map_or_else(|| "-".to_string(), |a| format!("{a:.2}")),
            ]
        })
        .collect();
    push_capped(
        blocks,
        plain_grid(
            &[
                "Vendor",
                "Month",
                "Downtime",
                "Availability",
                "Promised",
                "Promise",
                "Credit",
                "Credit due",
            ],
            &[Left, Left, Right, Right, Right, Left, Left, Right],
            rows,
        ),
        "vendor months",
    );
}

fn trend_section(report: &Report, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, "Trends".to_string()));
    let mut moved: Vec<&ResultRow> = report
        .results
        .iter()
        .filter(|r| r.trend.as_ref().is_some_and(|t| t.direction != "flat"))
        .collect();
    let rising: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.kind == "trend_rising")
        .map(|f| f.message.clone())
        .collect();
    if moved.is_empty() && rising.is_empty() {
        blocks.push(Block::Line(
            "No change between consecutive closed periods yet.".to_string(),
        ));
        return;
    }
    if !rising.is_empty() {
        blocks.push(Block::Line(
            "Failure rates rising period after period (a signal to review targets or practices):"
                .to_string(),
        ));
        let (lines, more) = capped(rising, "rising trends");
        blocks.push(Block::Bullets(lines));
        blocks.extend(more);
    }
    if moved.is_empty() {
        return;
    }
    // Latest period first, the largest moves first within it.
    moved.sort_by(|a, b| {
        let d = |r: &ResultRow| r.trend.as_ref().map_or(0.0, |t| t.delta.abs());
        b.window
            .start
            .cmp(&a.window.start)
            .then(d(b).total_cmp(&d(a)))
    });
    blocks.push(Block::Line(
        "Changes against the previous closed period (percentage points for rates):".to_string(),
    ));
    use Align::{Left, Right};
    let rows: Vec<Vec<String>> = moved
        .iter()
        .map(|r| {
            let prev = r.trend.as_ref().map_or(0.0, |t| t.previous_value);
            vec![
                r.sla.clone(),
                segment_words(r),
                r.window.label.clone(),
                if is_count_kind(&r.kind) {
                    number(prev)
                } else {
                    percent(prev)
                },
                value_words(r),
                trend_text(r).unwrap_or_default(),
            ]
        })
        .collect();
    push_capped(
        blocks,
        plain_grid(
            &["SLA", "Segment", "Period", "Before", "Now", "Change"],
            &[Left, Left, Left, Right, Right, Right],
            rows,
        ),
        "changes",
    );
}

/// `1 breach`, `3 breaches`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// At most two decimals, trailing zeros trimmed: `2.68`, `3`.
fn two_decimals(x: f64) -> String {
    let text = format!("{x:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

fn pctl(p50: Option<i64>, p90: Option<i64>) -> String {
    match (p50, p90) {
        (Some(a), Some(b)) => format!("{} / {}", spelled(a, true), spelled(b, true)),
        _ => "-".to_string(),
    }
}

fn dora_cells(r: &crate::dora::DoraRow) -> Vec<String> {
    let f = &r.deployment_frequency;
    let cfr = &r.change_failure_rate;
    let ttr = &r.time_to_restore;
    let mut not_counted = Vec::new();
    for (n, what) in [
        (r.in_progress, "in progress"),
        (r.excluded, "excluded"),
        (r.suspended, "suspended"),
    ] {
        if n > 0 {
            not_counted.push(format!("{n} {what}"));
        }
    }
    vec![
        format!("{} ({} a day)", f.count, two_decimals(f.per_day)),
        pctl(
            r.lead_time_for_changes.p50_ms,
            r.lead_time_for_changes.p90_ms,
        ),
        cfr.value.map_or_else(
            || "-".to_string(),
            |v| {
                format!(
                    "{} ({} of {})",
                    percent(v),
                    cfr.caused_failure,
                    cfr.measured
                )
            },
        ),
        if ttr.incidents == 0 {
            "no incident".to_string()
        } else if ttr.restored == 0 {
            format!("{} still open", ttr.unresolved)
        } else {
            let open = if ttr.unresolved > 0 {
                format!(", {} still open", ttr.unresolved)
            } else {
                String::new()
            };
            format!("{}{open}", pctl(ttr.p50_ms, ttr.p90_ms))
        },
        if not_counted.is_empty() {
            "-".to_string()
        } else {
            not_counted.join(", ")
        },
    ]
}

fn dora_section(report: &Report, blocks: &mut Vec<Block>) {
    let d = &report.dora;
    blocks.push(Block::Heading(2, "Delivery performance (DORA)".to_string()));
    if d.rows.is_empty() {
        blocks.push(Block::Line(
            "No deployment falls in the DORA scope (by default: production deployments)."
                .to_string(),
        ));
        return;
    }
    blocks.push(Block::Line(format!(
        "The four key delivery metrics per {} ({} time). Deployments: successful deployments to production. Lead time: from merge to successful deployment, median / 90th percentile. Change failure rate: finished deployments that failed, were rolled back, or caused an incident or an outage within {}. Time to restore: incident opened to resolved, median / 90th percentile. Definitions: docs/dora.md.",
        d.window,
        d.timezone,
        spelled(d.attribution_ms, true)
    )));
    use Align::{Left, Right};
    let aligns = [Left, Right, Right, Right, Right, Left];
    let headers = |first: &'static str| {
        [
            first,
            "Deployments",
            "Lead time (median / 90th)",
            "Change failure rate",
            "Time to restore (median / 90th)",
            "Not counted",
        ]
    };
    let org: Vec<Vec<String>> = d
        .rows
        .iter()
        .filter(|r| r.segment.by == "all")
        .rev()
        .map(|r| {
            let mut row = vec![window_words(&r.window.label, &r.window.state)];
            row.extend(dora_cells(r));
            row
        })
        .collect();
    blocks.push(Block::Heading(3, "Whole organisation".to_string()));
    push_capped(
        blocks,
        plain_grid(&headers("Period"), &aligns, org),
        "earlier periods",
    );
    let Some(latest) = d.rows.iter().map(|r| r.window.start.as_str()).max() else {
        return;
    };
    let label = d
        .rows
        .iter()
        .find(|r| r.window.start == latest)
        .map(|r| window_words(&r.window.label, &r.window.state))
        .unwrap_or_default();
    for by in d.segments.iter().filter(|s| s.as_str() != "all") {
        let rows: Vec<Vec<String>> = d
            .rows
            .iter()
            .filter(|r| r.window.start == latest && &r.segment.by == by)
            .map(|r| {
                let mut row = vec![
                    r.segment
                        .value
                        .clone()
                        .unwrap_or_else(|| "(not stated)".to_string()),
                ];
                row.extend(dora_cells(r));
                row
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let words = key_words(by);
        blocks.push(Block::Heading(3, format!("By {words}, {label}")));
        let first: &'static str = match by.as_str() {
            "service" => "Application",
            "team" => "Team",
            "release_type" => "Deployment type",
            "tier" => "Tier",
            "environment" => "Environment",
            _ => "Segment",
        };
        push_capped(
            blocks,
            plain_grid(&headers(first), &aligns, rows),
            &format!("{words} rows"),
        );
    }
}

fn finding_words(kind: &str) -> &'static str {
    match kind {
        "unjustified_emergency" => "Emergency change without justification",
        "exception_frequency" => "Too many exceptions",
        "vendor_exit_clause" => "Vendor exit clause reached",
        "coverage_gap" => "Vendor promises cannot cover an application's promise",
        "emergency_override" => "Gate overridden by an emergency",
        "trend_rising" => "Rising failure rate",
        _ => "Finding",
    }
}

fn findings_section(report: &Report, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, "Findings for review".to_string()));
    if report.findings.is_empty() {
        blocks.push(Block::Line("Nothing to review.".to_string()));
        return;
    }
    let lines: Vec<String> = report
        .findings
        .iter()
        .map(|f| format!("**{}**: {}", finding_words(&f.kind), f.message))
        .collect();
    let (lines, more) = capped(lines, "findings");
    blocks.push(Block::Bullets(lines));
    blocks.extend(more);
}

// ---------------------------------------------------------------------------
// CSV.

/// The CSV header: one column per field of a result row.
pub const CSV_HEADER: [&str; 24] = [
    "sla",
    "kind",
    "window_start",
    "window_end",
    "window_state",
    "segment",
    "tier",
    "status",
    "measured",
    "met",
    "breached",
    "succeeded",
    "failed",
    "in_progress",
    "caused_failure",
    "excluded",
    "suspended",
    "unmeasured",
    "cancelled",
    "in_flight",
    "at_risk",
    "value",
    "error_budget_allowed",
    "error_budget_remaining",
];

/// RFC 4180 quoting: a field with a comma, quote or line break is quoted,
/// quotes doubled.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The report's result rows as CSV: [`CSV_HEADER`], then one line per row.
/// `segment` is `key=value` pairs joined by `;` (a missing value is empty);
/// absent counts and a null value are empty fields. Lines end with `\n`.
/// A report of a versioned policy (§9b) has one more, last column,
/// `policy_version`: the version each row's window was judged under (empty
/// under the base policy).
pub fn csv(report: &Report) -> String {
    let versioned = report.results.iter().any(|r| r.policy_version.is_some());
    let mut out = CSV_HEADER.join(",");
    if versioned {
        out.push_str(",policy_version");
    }
    out.push('\n');
    let n = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    for r in &report.results {
        let segment: Vec<String> = r
            .segment
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_deref().unwrap_or("")))
            .collect();
        let fields = [
            r.sla.clone(),
            r.kind.clone(),
            r.window.start.clone(),
            r.window.end.clone(),
            r.window.state.clone(),
            segment.join(";"),
            r.tier.clone(),
            r.status.clone(),
            r.measured.to_string(),
            n(r.met),
            n(r.breached),
            n(r.succeeded),
            n(r.failed),
            n(r.in_progress),
            n(r.caused_failure),
            r.excluded.to_string(),
            r.suspended.to_string(),
            n(r.unmeasured),
            n(r.cancelled),
            n(r.in_flight),
            n(r.at_risk),
            match &r.value {
                Some(Value::Null) | None => String::new(),
                Some(v) => v.to_string(),
            },
            n(r.error_budget.map(|b| b.allowed)),
            n(r.error_budget.map(|b| b.remaining)),
        ];
        let mut line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        if versioned {
            line.push(csv_field(r.policy_version.as_deref().unwrap_or("")));
        }
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------
// The explanation timeline.

/// An RFC 3339 UTC instant shortened for a timeline: `2026-03-02 08:48`,
/// seconds only when non-zero.
pub(crate) fn short_instant(text: &str) -> String {
    let Some(body) = text.strip_suffix('Z') else {
        return text.to_string();
    };
    let body = body.replacen('T', " ", 1);
    match body.strip_suffix(":00") {
        Some(minutes) if !body.contains('.') => minutes.to_string(),
        _ => body,
    }
}

/// `2026-03-02 08:48 → 12:00` (same day) or full instants on both sides.
fn time_range(from: &str, to: Option<&str>) -> String {
    let a = short_instant(from);
    let Some(to) = to else {
        return a;
    };
    let b = short_instant(to);
    match (a.split_once(' '), b.split_once(' ')) {
        (Some((da, _)), Some((db, tb))) if da == db => format!("{a} → {tb}"),
        _ => format!("{a} → {b}"),
    }
}

fn state_text(state: &str) -> String {
    match state {
        "breached" => "BREACHED".to_string(),
        other => other.replace('_', " "),
    }
}

fn sla_header(s: &SlaExplanation) -> String {
    let mut text = format!("{} ({}): {}", s.sla, s.kind, state_text(&s.state));
    if let (Some(elapsed), Some(max)) = (s.elapsed_ms, s.max_ms) {
        text.push_str(&format!(
            ", {} elapsed of {}",
            format_duration(elapsed),
            format_duration(max)
        ));
    }
    if let Some(b) = &s.breach_at {
        text.push_str(&format!(", breach at {}", instant_or_never(b)));
    }
    text
}

fn explanation_doc(e: &Explanation, doc: &mut TextDoc<'_>) {
    doc.push(&Block::Heading(
        1,
        format!("Deployment `{}` as of {}", e.deployment, e.as_of),
    ));
    let field = |name: &str, v: &Option<String>| format!("{name} {}", v.as_deref().unwrap_or("-"));
    doc.push(&Block::Line(
        [
            field("service", &e.service),
            format!("tier {}", e.tier),
            field("team", &e.team),
            field("environment", &e.environment),
            field("release type", &e.release_type),
        ]
        .join(" · "),
    ));
    doc.push(&Block::Line(format!(
        "anchor {} (the instant that places it in a window)",
        e.anchor
    )));

    doc.push(&Block::Heading(
        2,
        format!("Events ({}, UTC)", e.events.len()),
    ));
    doc.grid(
        &e.events,
        vec![
            col("TIME (UTC)", Align::Left, |ev: &TimelineEvent| {
                Some(short_instant(&ev.time))
            }),
            col("EVENT", Align::Left, |ev: &TimelineEvent| {
                Some(ev.event.clone())
            }),
            col("RECORD ID", Align::Left, |ev: &TimelineEvent| ev.id.clone()),
        ],
    );

    for s in &e.slas {
        doc.push(&Block::Heading(2, sla_header(s)));
        if !s.summary.is_empty() {
            doc.push(&Block::Line(s.summary.clone()));
        }
        let mut facts = Vec::new();
        if let Some(c) = &s.calendar {
            facts.push(format!("calendar `{c}`"));
        }
        if let Some(w) = &s.window_start {
            facts.push(format!("window from {w}"));
        }
        if let Some(r) = s.remaining_ms {
            facts.push(if r >= 0 {
                format!("{} left", format_duration(r))
            } else {
                format!("{} over", format_duration(r.saturating_neg()))
            });
        }
        if let Some(a) = s.actual_elapsed_ms {
            facts.push(format!("{} wall time minus pauses", format_duration(a)));
        }
        if !facts.is_empty() {
            doc.push(&Block::Line(facts.join(" · ")));
        }
        if !s.timeline.is_empty() {
            // The clock's calendar is named next to the time zone of the times.
            let calendar = s.calendar.as_deref().unwrap_or("24x7");
            let columns = vec![
                col(
                    format!("TIME (UTC, calendar {calendar})"),
                    Align::Left,
                    |st: &Step| Some(time_range(&st.from, st.to.as_deref())),
                ),
                col("STEP", Align::Left, |st: &Step| {
                    Some(st.kind.replace('_', " "))
                }),
                col("DETAIL", Align::Left, |st: &Step| Some(st.detail.clone())),
                col("COUNTED", Align::Right, |st: &Step| {
                    Some(if st.counted_ms > 0 {
                        format!("+{}", format_duration(st.counted_ms))
                    } else {
                        String::new()
                    })
                }),
                col("ELAPSED", Align::Right, |st: &Step| {
                    Some(format_duration(st.elapsed_ms))
                }),
            ];
            doc.grid(&s.timeline, columns);
        }
    }
}

/// A gate decision for a terminal or a CI log: the verdict first, then each
/// denial with its gate, id and evidence, then override findings.
pub fn decision_table(d: &crate::gate::Decision) -> String {
    let mut out = String::new();
    let verdict = if d.allowed() { "ALLOW" } else { "DENY" };
    let _ = writeln!(
        out,
        "{verdict}: deployment `{}` (tier {}) at {}",
        d.deployment, d.tier, d.at
    );
    let _ = writeln!(out, "policy `{}` {}", d.policy.name, d.policy.digest);
    if d.reasons.is_empty() && d.findings.is_empty() {
        let _ = writeln!(out, "no gate denies this deployment");
    }
    for r in &d.reasons {
        let id =
            r.id.as_deref()
                .map(|i| format!(" `{i}`"))
                .unwrap_or_default();
        let _ = writeln!(out, "  denied by {}{id}: {}", r.gate, r.message);
        for e in &r.evidence {
            let _ = writeln!(out, "    - {e}");
        }
    }
    for f in &d.findings {
        let _ = writeln!(out, "  {}: {}", f.kind, f.message);
    }
    out.trim_end().to_string()
}

/// One deployment's explanation as a human timeline: a header, its events,
/// then per SLA its state, elapsed against target and deadline, and one line
/// per step of the clock (UTC times, the clock's calendar named).
pub fn explanation_table(e: &Explanation) -> String {
    let mut doc = TextDoc::new();
    explanation_doc(e, &mut doc);
    doc.out
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )]

    use super::*;
    use crate::{Policy, parse_records};

    /// A grid written from its items line by line is the grid built and
    /// then written: the same columns kept (any value not empty), the same
    /// widths (in characters, a value on one line, `-` for none), the same
    /// alignment and trimming; through a writer, the same bytes.
    #[test]
    fn a_grid_of_items_is_written_as_the_built_grid() {
        type Item = (Option<&'static str>, Option<&'static str>, &'static str);
        let columns = || -> Vec<Column<'static, Item>> {
            vec![
                col("NAME", Align::Left, |i: &Item| i.0.map(str::to_string)),
                col("EMPTY", Align::Left, |i: &Item| i.1.map(str::to_string)),
                col("N", Align::Right, |i: &Item| Some(i.2.to_string())),
                col("NONE", Align::Right, |_: &Item| None),
                col("LAST", Align::Left, |i: &Item| i.0.map(|_| String::new())),
            ]
        };
        let written = |items: &[Item]| {
            let mut doc = TextDoc::new();
            doc.grid(items, columns());
            let mut bytes = Vec::new();
            let mut to = TextDoc::to(&mut bytes);
            to.grid(items, columns());
            to.finish().unwrap();
            assert_eq!(String::from_utf8(bytes).unwrap(), doc.out, "{items:?}");
            doc.out
        };
        let many: Vec<Item> = (0..40).map(|_| (Some("a value"), None, "12")).collect();
        let cases: [&[Item]; 5] = [
            &[],
            &[(None, Some(""), "1")],
            &[
                (Some("a long\nvalue"), None, "12345678901"),
                (None, Some(""), ""),
                (Some("日本語"), Some(""), " 7 "),
            ],
            &[
                (Some("x"), Some("y"), "-"),
                (Some("wider than NAME"), None, "2"),
            ],
            &many,
        ];
        let many = format!("  NAME     N\n{}", "  a value  12\n".repeat(40));
        let expected = [
            "\n",
            "  N\n  1\n",
            "  NAME          N\n  a long value  12345678901\n  -\n  日本語                    7\n",
            "  NAME             EMPTY  N\n  x                y      -\n  wider than NAME  -      2\n",
            many.as_str(),
        ];
        for (items, expected) in cases.into_iter().zip(expected) {
            assert_eq!(written(items), expected, "{items:?}");
        }
        // Column kept only for a value that is not empty; `-` for none.
        assert_eq!(written(&[(Some("x"), Some(""), "")]), "  NAME\n  x\n");
        assert_eq!(
            written(&[(Some("x"), None, "3"), (None, Some("e"), "10")]),
            "  NAME  EMPTY  N\n  x     -       3\n  -     e      10\n"
        );
    }

    /// A table written to a failing writer stops at the first error and
    /// returns it; the text before it is what the table's text begins with.
    #[test]
    fn a_table_written_to_a_failing_writer_stops_and_says_so() {
        let policy = Policy::from_yaml(POLICY).unwrap();
        let records = parse_records(RECORDS).unwrap();
        let report = policy.evaluate(&records, 1_775_000_000_000).unwrap();
        let text = table(&report);
        assert!(text.len() > 1_000);
        let mut all = Vec::new();
        write_table_of(&report, Section::of_report(&report), &mut all).unwrap();
        assert_eq!(String::from_utf8(all).unwrap(), text);
        let mut fails = crate::evaluation::tests::Failing {
            limit: text.len() / 2,
            taken: Vec::new(),
        };
        let e = write_table_of(&report, Section::of_report(&report), &mut fails).unwrap_err();
        assert_eq!(e.to_string(), "disk full");
        assert!(!fails.taken.is_empty() && fails.taken.len() <= text.len() / 2);
        assert!(text.as_bytes().starts_with(&fails.taken));
    }

    const POLICY: &str = r#"
slakit: 1
name: render-demo
tiers: [tier1, tier2]
services:
  checkout: {tier: tier1, team: payments}
  "search,beta": {tier: tier2}
slas:
  - id: lead-time
    clock: {start: merged, stop: succeeded, cancel: [failed]}
    window: month
    group_by: [service]
    targets:
      tier1: {max: 4h, objective: 90%}
      default: {max: 8h, objective: 50%}
    warn_at: [50%]
  - id: success-rate
    kind: success_rate
    window: month
    targets: {default: {min: 90%}}
"#;

    const RECORDS: &str = r#"
{"deployment":"d1","event":"merged","time":"2026-03-02T10:00:00Z","service":"checkout"}
{"deployment":"d1","event":"succeeded","time":"2026-03-02T12:00:00Z"}
{"deployment":"d2","event":"merged","time":"2026-03-03T10:00:00Z","service":"checkout"}
{"deployment":"d2","event":"succeeded","time":"2026-03-03T16:00:00Z","id":"ev-7"}
{"deployment":"d3","event":"merged","time":"2026-03-04T10:00:00Z","service":"search,beta"}
{"deployment":"d3","event":"failed","time":"2026-03-04T11:00:00Z"}
{"deployment":"d4","event":"merged","time":"2026-03-05T08:00:00Z","service":"checkout"}
{"deployment":"d4","event":"approval_requested","time":"2026-03-05T09:00:00Z"}
{"deployment":"d4","event":"approval_granted","time":"2026-03-05T10:00:00Z"}
"#;

    fn report() -> Report {
        let policy = Policy::from_yaml(POLICY).unwrap();
        let records = parse_records(RECORDS).unwrap();
        let as_of = crate::instant::parse("2026-03-05T12:00:00Z").unwrap();
        policy.evaluate(&records, as_of).unwrap()
    }

    /// The lines of the block whose heading starts with `title`, up to the
    /// next blank line, without the heading and its rule.
    fn block<'a>(text: &'a str, title: &str) -> Vec<&'a str> {
        let lines: Vec<&str> = text.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.starts_with(title))
            .unwrap_or_else(|| panic!("no block {title:?} in\n{text}"));
        lines[at + 2..]
            .iter()
            .take_while(|l| !l.is_empty())
            .copied()
            .collect()
    }

    /// Character offsets where each header column starts.
    fn column_starts(header: &str) -> Vec<usize> {
        let chars: Vec<char> = header.chars().collect();
        (0..chars.len())
            .filter(|&i| chars[i] != ' ' && (i < 2 || (chars[i - 1] == ' ' && chars[i - 2] == ' ')))
            .collect()
    }

    #[test]
    fn table_marks_the_breached_row_and_aligns_columns() {
        let r = report();
        let text = table(&r);
        assert!(
            text.starts_with("SLA report: policy `render-demo` as of 2026-03-05T12:00:00Z\n"),
            "{text}"
        );
        assert!(text.contains("policy sha256:"), "{text}");
        let rows = block(&text, "lead-time (duration)");
        assert_eq!(rows.len(), 3, "header + 2 rows:\n{text}");
        let header = rows[0];
        assert!(
            header.contains("WINDOW") && header.contains("BUDGET LEFT"),
            "{header}"
        );
        let breached: Vec<&&str> = rows[1..]
            .iter()
            .filter(|l| l.contains("BREACHED"))
            .collect();
        assert_eq!(breached.len(), 1, "{text}");
        let cancelled = rows.iter().find(|l| l.contains("search,beta")).unwrap();
        assert!(
            cancelled.contains("no data") && cancelled.contains("1 cancelled"),
            "{cancelled}"
        );
        assert!(!cancelled.trim_start().starts_with('!'), "{cancelled}");
        assert!(breached[0].trim_start().starts_with('!'), "{}", breached[0]);
        assert!(breached[0].contains("service=checkout"), "{}", breached[0]);
        assert!(breached[0].contains("90% within 4h"), "{}", breached[0]);
        assert!(
            breached[0].contains("50%"),
            "compliance 1 of 2: {}",
            breached[0]
        );
        assert!(breached[0].contains("2026-03"), "{}", breached[0]);
        // Every column starts at the same character offset on every line:
        // each header column start is preceded by two spaces on every row.
        for start in column_starts(header).into_iter().skip(1) {
            for line in &rows[1..] {
                let chars: Vec<char> = line.chars().collect();
                if start < chars.len() {
                    assert!(
                        chars[start - 1] == ' ' && chars[start - 2] == ' ',
                        "column at {start} misaligned in {line:?}\nheader {header:?}"
                    );
                }
            }
        }
        // The rate block has its own columns.
        let rates = block(&text, "success-rate (success_rate)");
        assert!(
            rates[0].contains("SUCC") && rates[0].contains("FAIL"),
            "{}",
            rates[0]
        );
        assert!(!rates[0].contains("BUDGET"), "{}", rates[0]);
        assert!(rates.iter().any(|l| l.contains("BREACHED")), "{text}");
    }

    #[test]
    fn table_lists_breaches_in_flight_and_is_deterministic() {
        let r = report();
        let text = table(&r);
        let breaches = block(&text, "Breached deployments (");
        let d2 = breaches.iter().find(|l| l.contains("d2")).unwrap();
        assert!(
            d2.contains("6h") && d2.contains("4h") && d2.contains("2h"),
            "{d2}"
        );
        assert!(d2.contains("`ev-7`"), "evidence by record id: {d2}");
        assert!(
            !breaches
                .iter()
                .any(|l| l.contains("lead-time") && l.contains("d3")),
            "cancelled: {text}"
        );
        let flight = block(&text, "In flight (");
        let d4 = flight.iter().find(|l| l.contains("d4")).unwrap();
        assert!(d4.trim_start().starts_with('~'), "at risk marker: {d4}");
        assert!(
            d4.contains("2026-03-05T13:00:00Z"),
            "breach_at (3h counted, 1h paused): {d4}"
        );
        assert!(
            !text.lines().any(|l| l.ends_with(' ')),
            "no trailing spaces"
        );
        assert_eq!(text, table(&report()));
    }

    #[test]
    fn table_of_an_empty_report_says_so() {
        let policy = Policy::from_yaml(POLICY).unwrap();
        let r = policy.evaluate(&[], 0).unwrap();
        let text = table(&r);
        assert!(text.contains("0 rows"), "{text}");
        assert!(text.contains("no result rows"), "{text}");
        assert!(text.contains("Breached deployments: none"), "{text}");
    }

    #[test]
    fn markdown_is_a_leadership_report_with_github_tables() {
        let r = report();
        let md = markdown(&r);
        assert!(md.starts_with("# SLA report: render-demo\n"), "{md}");
        for heading in [
            "\n## How to read this report\n",
            "\n## At a glance\n",
            "\n## Compliance by SLA\n",
            "\n### lead-time: share of deployments whose clock stayed within the time limit",
            "\n## Compliance by application\n",
            "\n## Breaches\n",
            "\n## Exceptions and exclusions used\n",
            "\n## Vendors and service credits\n",
            "\n## Trends\n",
            "\n## Delivery performance (DORA)\n",
            "\n## Findings for review\n",
            "\n## In force now\n",
        ] {
            assert!(md.contains(heading), "missing {heading:?}:\n{md}");
        }
        let table: Vec<&str> = md
            .lines()
            .skip_while(|l| !l.starts_with("### lead-time"))
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .collect();
        assert_eq!(table.len(), 4, "header, rule, 2 rows:\n{md}");
        assert!(table[1].starts_with("|---|") && table[1].contains("---:"));
        let pipes = |l: &str| l.matches('|').count() - l.matches("\\|").count();
        for line in &table {
            assert_eq!(pipes(line), pipes(table[0]), "{line}");
        }
        assert!(
            table.iter().any(|l| l.contains("**BREACHED**")
                && l.contains("tier1, application checkout")
                && l.contains("90% within 4 hours")),
            "{md}"
        );
        // No DORA scope match (the records name no environment): said in words.
        assert!(md.contains("No deployment falls in the DORA scope"), "{md}");
        assert_eq!(markdown(&r), md, "deterministic");
    }

    #[test]
    fn durations_are_spelled_out() {
        assert_eq!(spelled(0, true), "0 seconds");
        assert_eq!(spelled(3_600_000, false), "1 hour");
        assert_eq!(spelled(12_000_000, false), "3 hours 20 minutes");
        assert_eq!(spelled(3_600_000 * 50 + 60_000, false), "50 hours 1 minute");
        assert_eq!(spelled(3_600_000 * 50 + 60_000, true), "2 days 2 hours");
        // Two adjacent units at most: 2h 0m 5s is "2 hours".
        assert_eq!(spelled(7_205_000, false), "2 hours");
        assert_eq!(spelled(1_500, true), "1 second 500 milliseconds");
    }

    #[test]
    fn csv_has_a_fixed_header_and_one_line_per_row() {
        let r = report();
        let text = csv(&r);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], CSV_HEADER.join(","));
        assert_eq!(lines.len(), 1 + r.results.len());
        assert!(text.ends_with('\n'));
        let checkout = lines
            .iter()
            .find(|l| l.contains("service=checkout;tier=tier1"))
            .unwrap();
        assert!(
            checkout
                .starts_with("lead-time,duration,2026-03-01T00:00:00Z,2026-04-01T00:00:00Z,open,"),
            "{checkout}"
        );
        assert!(checkout.contains(",breached,"), "{checkout}");
        // A comma in a value is quoted (RFC 4180).
        assert!(
            text.contains("\"service=search,beta;tier=tier2\""),
            "{text}"
        );
        for line in &lines[1..] {
            let unquoted: String = line.split('"').step_by(2).collect();
            assert_eq!(
                unquoted.matches(',').count(),
                CSV_HEADER.len() - 1,
                "{line}"
            );
        }
    }

    #[test]
    fn csv_quotes_per_rfc_4180() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn explanation_table_is_a_timeline() {
        let policy = Policy::from_yaml(POLICY).unwrap();
        let records = parse_records(RECORDS).unwrap();
        let as_of = crate::instant::parse("2026-03-05T12:00:00Z").unwrap();
        let e = policy.explain(&records, "d4", as_of).unwrap();
        let text = explanation_table(&e);
        assert!(
            text.starts_with("Deployment `d4` as of 2026-03-05T12:00:00Z"),
            "{text}"
        );
        let header = text
            .lines()
            .find(|l| l.starts_with("lead-time (duration)"))
            .unwrap();
        assert!(
            header.contains("in flight") && header.contains("3h elapsed of 4h"),
            "{header}"
        );
        assert!(
            header.contains("breach at 2026-03-05T13:00:00Z"),
            "{header}"
        );
        let steps = block(&text, "lead-time (duration)");
        let grid: Vec<&&str> = steps
            .iter()
            .skip_while(|l| !l.contains("TIME (UTC"))
            .collect();
        assert!(grid[0].contains("calendar 24x7"), "{}", grid[0]);
        assert!(
            grid.iter()
                .any(|l| l.contains("2026-03-05 09:00 → 10:00") && l.contains("paused")),
            "{text}"
        );
        assert!(
            grid.iter()
                .any(|l| l.contains("breach at") && l.contains("2026-03-05 13:00")),
            "{text}"
        );
    }

    #[test]
    fn numbers_read_like_numbers() {
        assert_eq!(percent(0.9995), "99.95%");
        assert_eq!(percent(0.666667), "66.6667%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(number(3.0), "3");
        assert_eq!(number(3.1), "3.1");
        assert_eq!(short_instant("2026-03-02T08:48:00Z"), "2026-03-02 08:48");
        assert_eq!(short_instant("2026-03-02T08:48:30Z"), "2026-03-02 08:48:30");
        assert_eq!(
            short_instant("2026-03-02T08:48:00.500Z"),
            "2026-03-02 08:48:00.500"
        );
        assert_eq!(
            time_range("2026-03-02T08:00:00Z", Some("2026-03-03T09:00:00Z")),
            "2026-03-02 08:00 → 2026-03-03 09:00"
        );
    }
}
