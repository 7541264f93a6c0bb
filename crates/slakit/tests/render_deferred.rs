//! `Evaluation::to_table`, `to_markdown`, `to_csv` and `to_html` read the
//! deployments section entry by entry instead of materialising it, and
//! `Streamed::render` (what `slakit evaluate` runs for every format but
//! JSON) keeps of it only what each format lists: their text must be the
//! text of the materialised report's renderers, byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use slakit::{Evaluation, Report, TextFormat, render};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

/// Every rendering of `evaluation` equals that of `report` (the same
/// evaluation, materialised); returns the table, for the caller's checks.
fn same_renderings(name: &str, evaluation: &Evaluation, report: &Report) -> String {
    let table = evaluation.to_table();
    assert_eq!(table, render::table(report), "{name}: table");
    assert_eq!(
        evaluation.to_markdown(),
        render::markdown(report),
        "{name}: markdown"
    );
    assert_eq!(evaluation.to_csv(), render::csv(report), "{name}: csv");
    assert_eq!(
        evaluation.to_html().unwrap(),
        report.to_html().unwrap(),
        "{name}: html"
    );
    let mut written = Vec::new();
    evaluation.write_table(&mut written).unwrap();
    assert_eq!(
        String::from_utf8(written).unwrap(),
        table,
        "{name}: write_table"
    );
    for (format, text) in whole_texts(report) {
        let rendered = evaluation.clone().render(format).unwrap();
        same_rendered(
            &format!("{name}: render {format:?}"),
            &rendered,
            &text,
            report,
        );
    }
    table
}

/// `rendered` is `text`, and gives back `report` without its deployments.
fn same_rendered(what: &str, rendered: &slakit::Rendered, text: &str, report: &Report) {
    assert_eq!(rendered.text, text, "{what}");
    assert_eq!(rendered.report, without_deployments(report), "{what}");
    assert_eq!(rendered.has_breach(), report.has_breach(), "{what}");
}

/// `report` without its deployments section: what `render` gives back.
fn without_deployments(report: &Report) -> Report {
    Report {
        deployments: Vec::new(),
        ..report.clone()
    }
}

/// Each text format, and its text from the whole report's renderers.
fn whole_texts(report: &Report) -> [(TextFormat, String); 4] {
    [
        (TextFormat::Table, render::table(report)),
        (TextFormat::Markdown, render::markdown(report)),
        (TextFormat::Csv, render::csv(report)),
        (TextFormat::Html, report.to_html().unwrap()),
    ]
}

/// `Streamed::render` of `records` under `policy`, in every text format,
/// on one thread and on three, equals the whole report's rendering.
fn same_streamed_renderings(
    name: &str,
    policy: &slakit::Policy,
    records: &[slakit::Record],
    as_of: i64,
    report: &Report,
) {
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        for (format, text) in whole_texts(report) {
            let rendered = pool.install(|| {
                policy
                    .evaluate_streamed(records.to_vec(), as_of)
                    .unwrap()
                    .render(format)
                    .unwrap()
            });
            same_rendered(
                &format!("{name}: {format:?} on {threads}"),
                &rendered,
                &text,
                report,
            );
        }
        let mut written = Vec::new();
        let (rows, result) = pool.install(|| {
            policy
                .evaluate_streamed(records.to_vec(), as_of)
                .unwrap()
                .write_table(&mut written)
        });
        result.unwrap();
        let table = render::table(report);
        assert_eq!(
            String::from_utf8(written).unwrap(),
            table,
            "{name}: write_table"
        );
        assert_eq!(rows, without_deployments(report), "{name}: write_table");
    }
}

#[test]
fn the_example_renders_the_same_from_the_evaluation_as_from_the_report() {
    let records = slakit::parse_records(&read("examples/records.jsonl")).unwrap();
    let as_of = slakit::evaluate::latest_event_time(&records).unwrap();
    for file in ["examples/policy.yaml", "examples/policy-versions.yaml"] {
        let policy = slakit::Policy::from_yaml(&read(file)).unwrap();
        let report = policy.evaluate(&records, as_of).unwrap();
        let mut ways = vec![(
            "deferred",
            policy.evaluate_deferred(&records, as_of).unwrap(),
        )];
        ways.push((
            "streamed",
            policy
                .evaluate_streamed(records.clone(), as_of)
                .unwrap()
                .evaluate(),
        ));
        same_streamed_renderings(file, &policy, &records, as_of, &report);
        for (how, evaluation) in ways {
            let table = same_renderings(&format!("{file} {how}"), &evaluation, &report);
            // The sections read entry by entry are all in it: running
            // clocks, deployments not counted, breaches with their entry.
            for heading in ["In flight (", "Not counted (", "Breached deployments ("] {
                assert!(table.contains(heading), "{file} {how}: no `{heading}`");
            }
        }
    }
}

#[test]
fn every_vector_renders_the_same_from_the_evaluation_as_from_the_report() {
    let vectors = common::conformance::load_vectors();
    assert!(vectors.len() >= 71, "{} vectors", vectors.len());
    let mut rendered = 0;
    for (name, v) in &vectors {
        let Ok((policy, records, as_of)) = common::vector::inputs(v) else {
            continue;
        };
        let (Ok(report), Ok(evaluation)) = (
            policy.evaluate(&records, as_of),
            policy.evaluate_deferred(&records, as_of),
        ) else {
            continue;
        };
        same_renderings(name, &evaluation, &report);
        same_streamed_renderings(name, &policy, &records, as_of, &report);
        rendered += 1;
    }
    assert!(rendered >= 50, "only {rendered} vectors evaluated");
}
