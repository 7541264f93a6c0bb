//! JSON Lines read in parallel chunks give the records — and the errors —
//! of the serial reading.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use slakit::{Record, parse_records, parse_records_parallel};

/// About 6 MB of JSON Lines (past the parallel threshold): events, blank
/// lines, CRLF endings, non-ASCII text, and interval records.
fn big_input() -> String {
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 6 << 20 {
        let end = if i % 7 == 0 { "\r\n" } else { "\n" };
        text.push_str(&format!(
            r#"{{"deployment":"d-{i}","event":"merged","time":"2026-01-01T00:00:00Z","service":"svc-{}"}}{end}"#,
            i % 13
        ));
        if i % 101 == 0 {
            text.push_str("\n   \n");
        }
        if i % 997 == 0 {
            text.push_str(&format!(
                r#"{{"kind":"incident","id":"inc-{i}","service":"svc-1","opened":"2026-01-02T00:00:00Z","title":"é ü {i}"}}"#
            ));
            text.push('\n');
        }
        i += 1;
    }
    text
}

fn serial(text: &str) -> slakit::Result<Vec<Record>> {
    parse_records(text)
}

fn parallel(text: &str) -> slakit::Result<Vec<Record>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    pool.install(|| parse_records_parallel(text))
}

#[test]
fn parallel_reading_gives_the_serial_records() {
    let text = big_input();
    let one = serial(&text).unwrap();
    let many = parallel(&text).unwrap();
    assert!(one.len() > 50_000, "{}", one.len());
    assert_eq!(one.len(), many.len());
    for (a, b) in one.iter().zip(&many) {
        assert_eq!(a, b);
        assert_eq!(a.origin(), b.origin());
    }
    // The last record's line is the file's line.
    let last = many.last().unwrap().origin();
    assert_eq!(last.index, many.len() - 1);
    assert_eq!(last.line, Some(text.lines().count()));
}

#[test]
fn parallel_reading_reports_the_serial_error() {
    let mut text = big_input();
    // A bad line near the end, in a late chunk, and another in the middle.
    text.push_str("{\"deployment\": \"x\", \"event\": \n");
    let one = serial(&text).unwrap_err();
    let many = parallel(&text).unwrap_err();
    assert_eq!(one, many);
    assert!(one.location.line.is_some_and(|l| l > 50_000), "{one:?}");
    let middle = text.len() / 2;
    let cut = middle + text[middle..].find('\n').unwrap() + 1;
    text.insert_str(cut, "{\"kind\":\"outage\"}\n");
    let one = serial(&text).unwrap_err();
    assert_eq!(parallel(&text).unwrap_err(), one);
}
