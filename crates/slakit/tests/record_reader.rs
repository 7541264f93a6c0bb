//! Records read piece by piece (`RecordReader`, the CLI's reading) give the
//! records — and the first error — of decoding the whole text and parsing
//! it, however the bytes are split. (In parallel on large pieces:
//! `parse_parallel.rs`.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use slakit::record::{Limits, RecordReader, parse_records_with_limits};
use slakit::{ErrorCode, Record};

/// The whole-text reading: UTF-8 first, then the records.
fn whole(bytes: &[u8], limits: Limits) -> slakit::Result<Vec<Record>> {
    let text = slakit::source::utf8_text(bytes.to_vec(), "f", ErrorCode::RecordSyntax)?;
    parse_records_with_limits(&text, &limits).map_err(|e| e.in_file("f"))
}

/// The same bytes fed in pieces cut at `cuts` (positions, any order).
fn pieces(bytes: &[u8], cuts: &[usize], reader: RecordReader) -> slakit::Result<Vec<Record>> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut reader = reader;
    let mut from = 0;
    for cut in cuts.into_iter().chain([bytes.len()]) {
        reader.feed(&bytes[from..cut]);
        from = cut;
    }
    reader.finish().map_err(|e| e.in_file("f"))
}

fn same(a: &slakit::Result<Vec<Record>>, b: &slakit::Result<Vec<Record>>) {
    match (a, b) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b);
            let origins = |r: &[Record]| r.iter().map(Record::origin).collect::<Vec<_>>();
            assert_eq!(origins(a), origins(b));
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("whole {a:?}\npieces {b:?}"),
    }
}

/// Pieces of text: good and bad records, blank and CRLF lines, non-ASCII
/// text (split mid-character by the cuts), a byte-order mark, NUL, invalid
/// UTF-8, and the start of a JSON array.
fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => (0u32..50).prop_map(|i| format!(
            r#"{{"deployment":"d-{i}","event":"merged","time":"2026-01-01T00:00:00Z","service":"s{}"}}"#,
            i % 3
        )
        .into_bytes()),
        1 => Just(br#"{"kind":"outage","service":"s1","from":"2026-01-01T00:00:00Z","to":"2026-01-01T01:00:00Z","title":"caf\u00e9 \u65e5\u672c"}"#.to_vec()),
        1 => Just("{\"deployment\":\"d-é\",\"event\":\"merged\",\"time\":\"2026-01-01T00:00:00Z\",\"service\":\"日本\"}".as_bytes().to_vec()),
        3 => Just(b"\n".to_vec()),
        1 => Just(b"\r\n".to_vec()),
        1 => Just(b"   \n".to_vec()),
        1 => Just(b"{not json}".to_vec()),
        1 => Just(b"\x00".to_vec()),
        1 => Just(b"\xff".to_vec()),
        1 => Just("\u{feff}".as_bytes().to_vec()),
        1 => Just(b"[".to_vec()),
        1 => Just(b"]".to_vec()),
        1 => Just(vec![b'x'; 300]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Any bytes, any cuts, small limits: the same records or error.
    #[test]
    fn pieces_read_as_the_whole(
        parts in prop::collection::vec(piece(), 0..40),
        cuts in prop::collection::vec(0usize..10_000, 0..12),
        max_records in 1usize..40,
        max_input_bytes in prop_oneof![Just(1_000_000usize), 100usize..4_000],
    ) {
        let bytes: Vec<u8> = parts.concat();
        let limits = Limits { max_records, max_line_bytes: 200, max_input_bytes };
        same(&whole(&bytes, limits), &pieces(&bytes, &cuts, RecordReader::with_limits(limits)));
    }
}

/// Pieces that each hold one byte: every line and character is split.
#[test]
fn byte_by_byte() {
    let text = "\u{feff}\n{\"deployment\":\"d-é\",\"event\":\"merged\",\"time\":\"2026-01-01T00:00:00Z\",\"service\":\"日本\"}\r\n\n{\"deployment\":\"d-2\",\"event\":\"started\",\"time\":\"2026-01-01T00:00:01Z\"}";
    let cuts: Vec<usize> = (0..text.len()).collect();
    for body in [&text[3..], text] {
        let limits = Limits::default();
        let a = whole(body.as_bytes(), limits);
        same(&a, &pieces(body.as_bytes(), &cuts, RecordReader::new()));
        if body.len() < text.len() {
            assert_eq!(a.unwrap().len(), 2);
        }
    }
    // A JSON array in pieces.
    let array =
        br#" [ {"deployment":"d","event":"merged","time":"2026-01-01T00:00:00Z","service":"s"} ]"#;
    let a = whole(array, Limits::default());
    assert_eq!(a.as_ref().unwrap().len(), 1);
    same(&a, &pieces(array, &cuts, RecordReader::new()));
}
