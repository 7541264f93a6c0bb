//! JSON Lines read in parallel chunks — from a whole text, or fed in
//! pieces to a `RecordReader` (the CLI's reading) — give the records and
//! the errors of the serial reading.
#![cfg(feature = "parallel")]
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

fn pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap()
}

fn parallel(text: &str) -> slakit::Result<Vec<Record>> {
    pool().install(|| parse_records_parallel(text))
}

/// The text fed to a parallel `RecordReader` in pieces of 5 MB (past the
/// 4 MB parallel threshold) and 1 MB (below it), cut mid-line.
fn pieces(text: &str) -> slakit::Result<Vec<Record>> {
    pool().install(|| {
        let mut reader = slakit::record::RecordReader::new().parallel();
        for piece in text.as_bytes().chunks(5 << 20) {
            reader.feed(piece);
        }
        reader.finish()
    })
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
    let fed = pieces(&text).unwrap();
    assert_eq!(fed.len(), one.len());
    for (a, b) in one.iter().zip(&fed) {
        assert_eq!((a, a.origin()), (b, b.origin()));
    }
    // The last record's line is the file's line.
    let last = many.last().unwrap().origin();
    assert_eq!(last.index, many.len() - 1);
    assert_eq!(last.line_number(), Some(text.lines().count()));
}

#[test]
fn parallel_reading_reports_the_serial_error() {
    let mut text = big_input();
    // A bad line near the end, in a late chunk, and another in the middle.
    text.push_str("{\"deployment\": \"x\", \"event\": \n");
    let one = serial(&text).unwrap_err();
    let many = parallel(&text).unwrap_err();
    assert_eq!(one, many);
    assert_eq!(pieces(&text).unwrap_err(), one);
    assert!(one.location.line.is_some_and(|l| l > 50_000), "{one:?}");
    let middle = text.len() / 2;
    let cut = middle + text[middle..].find('\n').unwrap() + 1;
    text.insert_str(cut, "{\"kind\":\"outage\"}\n");
    let one = serial(&text).unwrap_err();
    assert_eq!(parallel(&text).unwrap_err(), one);
    assert_eq!(pieces(&text).unwrap_err(), one);
}

/// `bytes` fed to a `RecordReader` in pieces of 5 MB, in parallel or not.
fn fed(bytes: &[u8], parallel: bool) -> slakit::Result<Vec<Record>> {
    pool().install(|| {
        let mut reader = slakit::record::RecordReader::new();
        if parallel {
            reader = reader.parallel();
        }
        for piece in bytes.chunks(5 << 20) {
            reader.feed(piece);
        }
        reader.finish()
    })
}

/// Each piece is checked (UTF-8, NUL) on every core while it is read: a
/// bad byte in a late chunk of a piece, after a bad record or not, gives
/// the error of the serial reading, at the bad byte's line.
#[test]
fn a_bad_byte_read_in_parallel_is_the_serial_error() {
    let text = big_input();
    // In the first piece (5 MB, read in parallel), in a late chunk.
    let at = 3 << 20;
    let line_start = at + text[at..].find('\n').unwrap() + 1;
    let bad_line = text[..line_start].lines().count() + 1;
    // Inside the line's first string (after `{"d`), or a line of its own.
    for (bad, offset) in [
        (&[0xFFu8][..], 3),
        (&[0u8][..], 3),
        (&b"\xFF\n"[..], 0),
        (&b"\0\n"[..], 0),
    ] {
        let mut bytes = text.as_bytes().to_vec();
        bytes.splice(
            line_start + offset..line_start + offset,
            bad.iter().copied(),
        );
        let one = fed(&bytes, false).unwrap_err();
        assert_eq!(fed(&bytes, true).unwrap_err(), one);
        assert_eq!(one.location.line, Some(bad_line as u64), "{one:?}");
        // With a bad record before it in the same piece, the bad byte is
        // still the error (bytes are checked before records are read), a
        // line further down.
        let mut earlier = bytes.clone();
        let before = 1 << 20;
        let cut = before + text[before..].find('\n').unwrap() + 1;
        earlier.splice(cut..cut, b"{\"kind\":\"outage\"}\n".iter().copied());
        let two = fed(&earlier, false).unwrap_err();
        assert_eq!(fed(&earlier, true).unwrap_err(), two);
        assert_eq!(
            (two.code, two.location.line),
            (one.code, Some(bad_line as u64 + 1))
        );
    }
}
