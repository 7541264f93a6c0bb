//! Everything the core leaves to its caller: reading files and standard
//! input, and choosing the evaluation instant (including the clock for
//! `--as-of now`).

use std::io::Read;

use slakit::{Error, ErrorCode, ErrorKind, Policy, Record};

use crate::args::Inputs;

/// The bytes of records read and parsed at a time (in unit tests, small
/// enough for a test file to take many).
const BLOCK: usize = if cfg!(test) { 64 << 10 } else { 16 << 20 };

/// The blocks in use at once: one parsed, one read ahead, one being filled.
const BLOCKS: usize = 3;

/// The name standard input goes by in error locations.
pub const STDIN_NAME: &str = "<stdin>";

/// Reads named inputs, allowing standard input (`-`) to be read only once.
#[derive(Debug, Default)]
pub struct Reader {
    stdin_used: bool,
}

impl Reader {
    /// The display name of a path argument.
    pub fn display_name(path: &str) -> &str {
        if path == "-" { STDIN_NAME } else { path }
    }

    /// Open a file (or standard input for `-`) for reading; with it, the
    /// size of a regular file (none for standard input or a pipe), read from
    /// the opened file itself.
    fn open(&mut self, path: &str) -> Result<(Box<dyn Read + Send>, Option<u64>), Error> {
        let name = Reader::display_name(path);
        if path == "-" {
            if self.stdin_used {
                return Err(Error::new(
                    ErrorCode::InvalidArguments,
                    "standard input (`-`) can be read only once; save it to a file to use it twice",
                ));
            }
            self.stdin_used = true;
            return Ok((Box::new(std::io::stdin()), None));
        }
        let file = std::fs::File::open(path).map_err(|e| io_error("cannot read", name, &e))?;
        let size = file
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)
            .map(|m| m.len());
        Ok((Box::new(file), size))
    }

    /// Read a whole file (or standard input for `-`) as bytes.
    fn read_bytes(&mut self, path: &str) -> Result<Vec<u8>, Error> {
        let name = Reader::display_name(path);
        let mut buf = Vec::new();
        self.open(path)?
            .0
            .read_to_end(&mut buf)
            .map_err(|e| io_error("cannot read", name, &e))?;
        Ok(buf)
    }

    /// Read and parse one records file in blocks: the text is never held
    /// whole (JSON Lines), and each block is parsed on every core.
    fn read_records(&mut self, path: &str) -> Result<Vec<Record>, Error> {
        let name = Reader::display_name(path);
        let (mut input, size) = self.open(path)?;
        let mut reader = slakit::record::RecordReader::new().parallel();
        if let Some(size) = size {
            reader = reader.expecting(size);
        }
        // The next block is read by a thread of its own while this one is
        // parsed; the blocks go back to it to be filled again. Three at
        // most, each made once: a block made per read was fresh memory from
        // the system every time, and fresh pages are slow on these hosts
        // (docs/performance.md).
        let (full, blocks) = std::sync::mpsc::sync_channel::<std::io::Result<Vec<u8>>>(1);
        let (emptied, empty) = std::sync::mpsc::sync_channel::<Vec<u8>>(BLOCKS);
        std::thread::scope(|scope| {
            // Dropped when the parsing stops, so a reader waiting for a block stops too.
            let emptied = emptied;
            scope.spawn(move || {
                let mut made = 0;
                loop {
                    let mut block = match empty.try_recv() {
                        Ok(block) => block,
                        Err(_) if made < BLOCKS => {
                            made += 1;
                            Vec::with_capacity(BLOCK)
                        }
                        Err(_) => match empty.recv() {
                            Ok(block) => block,
                            Err(_) => return,
                        },
                    };
                    block.clear();
                    // Filled whole (a pipe gives 64 KB at a time): a block is
                    // parsed in parallel only past a few MB.
                    match (&mut input).take(BLOCK as u64).read_to_end(&mut block) {
                        Ok(0) => return,
                        Ok(_) => {
                            // Refused once the parsing has stopped on an error.
                            if full.send(Ok(block)).is_err() {
                                return;
                            }
                        }
                        Err(e) => {
                            let _ = full.send(Err(e));
                            return;
                        }
                    }
                }
            });
            for block in blocks {
                let block = block.map_err(|e| io_error("cannot read", name, &e))?;
                reader.feed(&block);
                let _ = emptied.try_send(block);
            }
            Ok(())
        })?;
        reader.finish().map_err(|e| e.in_file(name))
    }

    /// Read a file as UTF-8 text; invalid UTF-8 is reported with `syntax`
    /// at the line of the first bad byte.
    fn read_text(&mut self, path: &str, syntax: ErrorCode) -> Result<String, Error> {
        let bytes = self.read_bytes(path)?;
        slakit::source::utf8_text(bytes, Reader::display_name(path), syntax)
    }

    /// Read and compile a policy; its errors carry the file name.
    pub fn policy(&mut self, path: &str) -> Result<Policy, Error> {
        let text = self.read_text(path, ErrorCode::PolicySyntax)?;
        Policy::from_text(&text).map_err(|e| e.in_file(Reader::display_name(path)))
    }

    /// Read and parse every records file, each on its own (errors carry
    /// the file name and the line or index within that file), concatenated.
    pub fn records(&mut self, paths: &[String]) -> Result<RecordSet, Error> {
        let mut set = RecordSet::default();
        for path in paths {
            let name = Reader::display_name(path);
            let mut records = self.read_records(path)?;
            // Number records across files, so that an error the engine finds
            // later (a conflict between records) can be traced to its file.
            let start = set.records.len();
            for r in &mut records {
                r.origin_mut().index += start;
            }
            set.files.push((name.to_string(), start, records.len()));
            if set.records.is_empty() {
                set.records = records; // not copied: one file is the usual case
            } else {
                set.records.extend(records);
            }
        }
        Ok(set)
    }
}

/// Records read from several files, and which file each came from.
#[derive(Debug, Default)]
pub struct RecordSet {
    /// Every record, in file order.
    pub records: Vec<Record>,
    /// (file name, index of its first record, record count), per file.
    files: Vec<(String, usize, usize)>,
}

impl RecordSet {
    /// Give an engine error about a record its file and its index within
    /// that file (the line, for JSON Lines, is already the file's).
    pub fn locate(&self, mut e: Error) -> Error {
        if e.location.file.is_some() {
            return e;
        }
        let index = e
            .location
            .record_index
            .and_then(|i| usize::try_from(i).ok());
        match (index, self.files.as_slice()) {
            (Some(i), files) => {
                if let Some((name, start, _)) = files
                    .iter()
                    .find(|(_, start, len)| *start <= i && i < start.saturating_add(*len))
                {
                    e.location.file = Some(name.clone());
                    e.location.record_index = Some((i - start) as u64);
                }
                e
            }
            (None, [(name, _, _)]) if e.kind() == ErrorKind::Input => e.in_file(name.clone()),
            (None, _) => e,
        }
    }
}

pub use slakit::source::io_error;

/// Lowercase the first character (error messages are lowercase).
pub fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The `--as-of` flag, checked before any file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    /// An explicit instant or `now` (already read from the clock).
    At(i64),
    /// Not given: the latest lifecycle event in the records.
    LatestEvent,
}

impl AsOf {
    /// Read `--as-of`: an RFC 3339 instant, `now`, or absent.
    pub fn from_flag(flag: Option<&str>) -> Result<AsOf, Error> {
        match flag {
            None => Ok(AsOf::LatestEvent),
            Some(text) if text.trim().eq_ignore_ascii_case("now") => {
                Ok(AsOf::At(chrono::Utc::now().timestamp_millis()))
            }
            Some(text) => slakit::instant::parse(text.trim())
                .map(AsOf::At)
                .map_err(|e| {
                    Error::new(
                        ErrorCode::InvalidAsOf,
                        format!(
                            "invalid `--as-of`: {}; write an RFC 3339 instant such as `2026-04-01T00:00:00Z`, or `now`",
                            e.message(text)
                        ),
                    )
                }),
        }
    }

    /// The instant to evaluate at, given the records.
    pub fn resolve(self, records: &[Record]) -> Result<i64, Error> {
        match self {
            AsOf::At(ms) => Ok(ms),
            AsOf::LatestEvent => slakit::evaluate::latest_event_time(records).ok_or_else(|| {
                Error::new(
                    ErrorCode::NoAsOf,
                    "no `--as-of` given and the records hold no lifecycle event to default to; pass `--as-of` with an RFC 3339 instant or `now`",
                )
            }),
        }
    }
}

/// Everything `evaluate` and `explain` read, in the order a user expects
/// errors: the `--as-of` flag, the policy, then each records file.
pub fn load(inputs: &Inputs) -> Result<(Policy, RecordSet, i64), Error> {
    let as_of = AsOf::from_flag(inputs.as_of.as_deref())?;
    let mut reader = Reader::default();
    let policy = reader.policy(&inputs.policy)?;
    let records = reader.records(&inputs.records)?;
    let at = as_of.resolve(&records.records)?;
    Ok((policy, records, at))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A file of many blocks is read a block ahead of the parsing: the
    /// records, their lines and indexes are those of the whole text parsed
    /// at once, and an unreadable path is an error naming it.
    #[test]
    fn records_read_a_block_ahead_are_the_texts_records() {
        let mut text = String::new();
        for i in 0..12_000 {
            text.push_str(&format!(
                "{{\"deployment\":\"d{}\",\"event\":\"merged\",\"time\":\"2026-01-01T10:{:02}:00Z\",\"service\":\"s{}\"}}\n",
                i / 3,
                i % 60,
                i % 7
            ));
            if i % 1000 == 0 {
                text.push('\n'); // a blank line: numbering goes on
            }
        }
        assert!(text.len() > 10 * BLOCK);
        let file = crate::scratch::TempFile::new("records.jsonl");
        std::fs::write(file.path(), &text).unwrap();
        let read = Reader::default()
            .records(&[file.path().to_string()])
            .map(|set| set.records)
            .unwrap();
        // A directory opens, and fails to read.
        let dir = std::env::temp_dir().to_str().unwrap().to_string();
        let unreadable = Reader::default().records(&[dir]);
        assert_eq!(read.len(), 12_000);
        assert_eq!(read, slakit::parse_records(&text).unwrap());
        let e = unreadable.unwrap_err();
        assert!(e.message.contains("cannot read"), "{}", e.message);
    }
}
