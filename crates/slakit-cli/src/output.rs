//! Writing results and errors: standard output, standard error, `--out`.

use std::io::Write;

use slakit::Error;

use crate::input::io_error;

/// How an error is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorStyle {
    /// The SPEC §11 error document on standard output.
    Json,
    /// `error[E…]: message` and its location on standard error.
    Text,
}

/// Print an error in the chosen style.
pub fn report_error(e: &Error, style: ErrorStyle) {
    match style {
        ErrorStyle::Json => {
            let doc = serde_json::to_string_pretty(&e.to_json_value())
                .unwrap_or_else(|_| format!("{{\"error\": {{\"code\": \"{}\"}}}}", e.code));
            emit_stdout(&with_newline(doc));
        }
        ErrorStyle::Text => emit_stderr(&error_text(e)),
    }
}

/// `error[E…]: message`, then `  --> location` when one is known.
pub fn error_text(e: &Error) -> String {
    let mut out = format!("error[{}]: {}\n", e.code, e.message);
    if !e.location.is_empty() {
        out.push_str(&format!("  --> {}\n", e.location));
    }
    out
}

/// Text with exactly one trailing newline.
pub fn with_newline(mut text: String) -> String {
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// Write to standard output; a closed pipe (`| head`) is not an error.
pub fn emit_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Write to standard error, ignoring failures (there is nowhere left to report them).
pub fn emit_stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// Stream the result to `--out FILE` or standard output through `write`,
/// buffered, and end it with `end` (a newline after JSON; nothing after
/// text that ends with its own, as the plain-text tables do). A closed
/// standard output (`| head`) is not an error.
///
/// An existing file is written over in place and cut to the new length at
/// the end, not emptied first: emptying a large file frees all its blocks
/// before the first byte is written (an old 2.2 GB report took 0.33–0.36 s
/// to empty here, a 4.6 GB one 0.79 s), and over the same blocks nothing
/// is freed or allocated. Its last byte is made a NUL first, so that if
/// the run stops half way the file is never the head of the new report
/// followed by the end of the old one reading as valid JSON.
pub fn deliver_with(
    out: Option<&str>,
    write: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
    end: &[u8],
) -> Result<(), Error> {
    let (target, path) = match out {
        Some(path) if path != "-" => {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .and_then(|file| Target::file(path, file))
                .map_err(|e| io_error("cannot write", path, &e))?;
            (file, Some(path))
        }
        _ => (Target::Plain(Box::new(std::io::stdout())), None),
    };
    let mut w = Behind::new(target);
    let done = write(&mut w)
        .and_then(|()| w.write_all(end))
        .and_then(|()| w.finish().map(drop));
    match path {
        Some(path) => done.map_err(|e| io_error("cannot write", path, &e)),
        None => Ok(()),
    }
}

/// Where [`Behind`]'s thread writes.
enum Target {
    /// Standard output, or a writer of any kind.
    Plain(Box<dyn Write + Send>),
    /// A regular file, written around the page cache where it can be.
    File(FileTarget),
}

impl Target {
    /// `file` (opened for writing at `path`, not emptied), written from its
    /// start, directly where the system allows it. A regular file that
    /// holds bytes already has its last one made a NUL here (see
    /// [`deliver_with`]) and is cut to what was written when the writing
    /// ends.
    fn file(path: &str, file: std::fs::File) -> std::io::Result<Target> {
        let meta = file.metadata()?;
        let regular = meta.is_file();
        let old = if regular { meta.len() } else { 0 };
        if let Some(last) = old.checked_sub(1) {
            write_all_at(&file, b"\0", last)?;
        }
        Ok(Target::File(FileTarget {
            direct: open_direct(path, &file),
            plain: file,
            pos: 0,
            direct_bytes: 0,
            regular,
        }))
    }

    /// The first bytes of a buffer that [`Target::write`] will write
    /// directly are at a multiple of this from its start in memory.
    fn align(&self) -> usize {
        match self {
            Target::Plain(_) => 1,
            Target::File(_) => FileTarget::ALIGN,
        }
    }

    fn write(&mut self, data: &[u8]) -> std::io::Result<()> {
        match self {
            Target::Plain(w) => w.write_all(data),
            Target::File(f) => f.write(data),
        }
    }

    /// Flush, and tell how many bytes went around the page cache.
    fn finish(&mut self) -> std::io::Result<u64> {
        match self {
            Target::Plain(w) => w.flush().map(|()| 0),
            Target::File(f) => f.finish(),
        }
    }
}

/// A report file written, in whole blocks from aligned memory, through a
/// second handle opened with `O_DIRECT`: the bytes go from the buffer to the
/// disk without being copied into the page cache. Copying a large report
/// there cost more CPU than formatting it (on the 1M workload, 2.2 GB: the
/// kernel's copy was 17% of the run's CPU time, and in a virtual machine
/// whose freed memory goes back to the host, every fresh page of cache costs
/// a fault in the host too). The unaligned end, and everything after a
/// direct write fails (a file system without direct I/O), goes through the
/// ordinary handle at its offset.
struct FileTarget {
    direct: Option<std::fs::File>,
    plain: std::fs::File,
    /// Bytes written so far: the offset of the next.
    pos: u64,
    direct_bytes: u64,
    /// A regular file: cut to the bytes written when the writing ends.
    regular: bool,
}

impl FileTarget {
    /// The block size direct writes are aligned to: memory, offset and
    /// length (the largest logical block size in common use).
    const ALIGN: usize = 4096;

    fn write(&mut self, data: &[u8]) -> std::io::Result<()> {
        let mut rest = data;
        while let Some(direct) = &mut self.direct {
            let whole = rest.len() / Self::ALIGN * Self::ALIGN;
            let aligned = self.pos.is_multiple_of(Self::ALIGN as u64)
                && rest.as_ptr().addr().is_multiple_of(Self::ALIGN);
            let Some(blocks) = rest.get(..whole).filter(|b| aligned && !b.is_empty()) else {
                break;
            };
            match direct.write(blocks) {
                Ok(n) if n > 0 => {
                    rest = rest.get(n..).unwrap_or_default();
                    self.pos += n as u64;
                    self.direct_bytes += n as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                // Not possible here: the ordinary handle writes from now on
                // (and reports the error if it has the same).
                _ => self.direct = None,
            }
        }
        if !rest.is_empty() {
            write_all_at(&self.plain, rest, self.pos)?;
            self.pos += rest.len() as u64;
        }
        Ok(())
    }

    /// The file cut to what was written (what is left of an older, longer
    /// file goes); the bytes that went around the page cache.
    fn finish(&mut self) -> std::io::Result<u64> {
        if self.regular {
            self.plain.set_len(self.pos)?;
        }
        Ok(self.direct_bytes)
    }
}

/// A second handle on `file` (created at `path`) that writes around the
/// page cache, if `file` is a regular file and the system has one.
#[cfg(target_os = "linux")]
fn open_direct(path: &str, file: &std::fs::File) -> Option<std::fs::File> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let meta = file.metadata().ok().filter(|m| m.file_type().is_file())?;
    let direct = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_DIRECT)
        .open(path)
        .ok()?;
    // The same file, not one put in its place in between.
    let same = direct
        .metadata()
        .is_ok_and(|d| d.dev() == meta.dev() && d.ino() == meta.ino());
    same.then_some(direct)
}

#[cfg(not(target_os = "linux"))]
fn open_direct(_path: &str, _file: &std::fs::File) -> Option<std::fs::File> {
    None
}

#[cfg(unix)]
fn write_all_at(file: &std::fs::File, data: &[u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, data, at)
}

#[cfg(not(unix))]
fn write_all_at(mut file: &std::fs::File, data: &[u8], at: u64) -> std::io::Result<()> {
    use std::io::Seek;
    file.seek(std::io::SeekFrom::Start(at))?;
    file.write_all(data)
}

/// A buffer of [`Behind`]: bytes from `start`, which is aligned for the
/// target.
struct Block {
    bytes: Vec<u8>,
    start: usize,
}

impl Block {
    /// An empty block with room for [`Behind::CHUNK`] bytes from an address
    /// that is a multiple of `align`.
    fn new(align: usize) -> Block {
        let mut bytes: Vec<u8> = Vec::with_capacity(Behind::CHUNK + align);
        let start = bytes.as_ptr().align_offset(align).min(align);
        bytes.resize(start, 0);
        Block { bytes, start }
    }

    fn data(&self) -> &[u8] {
        self.bytes.get(self.start..).unwrap_or_default()
    }

    fn len(&self) -> usize {
        self.bytes.len() - self.start
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A buffered writer whose buffers are written by a thread of its own, in
/// order, while the caller goes on: formatting the next part of a large
/// report overlaps the writing of the last one into the file (on the 1M
/// workload, writing the 2.2 GB report cost 4 s of system time, all of it on
/// the formatting thread before). The buffers go back and forth, so at most
/// a few are ever allocated, and each is filled to exactly [`Behind::CHUNK`]
/// bytes before it is handed over (the last excepted), never reallocated:
/// a file target can write them directly.
struct Behind {
    buf: Block,
    align: usize,
    /// Full buffers to the writing thread; `None` once finished.
    full: Option<std::sync::mpsc::SyncSender<Block>>,
    /// Written buffers back, to be filled again.
    empty: std::sync::mpsc::Receiver<Block>,
    thread: Option<std::thread::JoinHandle<std::io::Result<u64>>>,
}

impl Behind {
    /// Bytes a buffer holds before it is handed over.
    const CHUNK: usize = 4 << 20;
    /// Full buffers that may wait for the writing thread.
    const QUEUE: usize = 2;

    fn new(mut target: Target) -> Behind {
        let align = target.align();
        let (full, to_write) = std::sync::mpsc::sync_channel::<Block>(Self::QUEUE);
        let (written, empty) = std::sync::mpsc::sync_channel::<Block>(Self::QUEUE + 2);
        let thread = std::thread::spawn(move || {
            let wrote = || {
                for mut buf in to_write {
                    // On an error the loop ends, and so does the channel:
                    // the next hand-over fails and `finish` returns this
                    // error.
                    target.write(buf.data())?;
                    buf.bytes.truncate(buf.start);
                    let _ = written.try_send(buf);
                }
                Ok(())
            };
            // Finished after an error too: a file is cut to what was
            // written, as one emptied first would be.
            let wrote = wrote();
            let finished = target.finish();
            wrote.and(finished)
        });
        Behind {
            buf: Block::new(align),
            align,
            full: Some(full),
            empty,
            thread: Some(thread),
        }
    }

    fn hand_over(&mut self) -> std::io::Result<()> {
        let next = self
            .empty
            .try_recv()
            .unwrap_or_else(|_| Block::new(self.align));
        let buf = std::mem::replace(&mut self.buf, next);
        match &self.full {
            Some(full) if full.send(buf).is_ok() => Ok(()),
            // The thread stopped on an error: that error.
            _ => self.finish().map(drop),
        }
    }

    /// Hand over what is left, wait for every byte to be written, and give
    /// the first error, or the number of bytes written around the page
    /// cache. The writer takes nothing after this.
    fn finish(&mut self) -> std::io::Result<u64> {
        if let Some(full) = self.full.take()
            && !self.buf.is_empty()
        {
            let none = Block {
                bytes: Vec::new(),
                start: 0,
            };
            let _ = full.send(std::mem::replace(&mut self.buf, none));
        }
        let Some(thread) = self.thread.take() else {
            return Err(std::io::Error::other("the output is already closed"));
        };
        thread
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the writing thread panicked")))
    }
}

impl Write for Behind {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.full.is_none() {
            return Err(std::io::Error::other("the output is already closed"));
        }
        // Up to the buffer's end: it is never reallocated.
        let room = Self::CHUNK - self.buf.len();
        let taken = data.get(..room).unwrap_or(data);
        self.buf.bytes.extend_from_slice(taken);
        if self.buf.len() == Self::CHUNK {
            self.hand_over()?;
        }
        Ok(taken.len())
    }

    /// Nothing to do: a buffer is handed over when full, and
    /// [`Behind::finish`] hands over the rest and waits for the writing.
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Behind {
    fn drop(&mut self) {
        // Never leave the thread writing behind an early return.
        let _ = self.finish();
    }
}

/// Write the result to `--out FILE` (in place, as [`deliver_with`] does),
/// or to standard output.
pub fn deliver(text: &str, out: Option<&str>) -> Result<(), Error> {
    deliver_with(out, |w| w.write_all(text.as_bytes()), b"")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::scratch::TempFile;
    use std::sync::{Arc, Mutex};

    /// A sink that keeps what it is given, and fails once it holds `fail_at` bytes.
    struct Sink {
        got: Arc<Mutex<Vec<u8>>>,
        fail_at: usize,
    }

    impl Write for Sink {
        fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
            let mut got = self.got.lock().unwrap();
            if got.len() >= self.fail_at {
                return Err(std::io::Error::other("disk full"));
            }
            got.extend_from_slice(data);
            Ok(data.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn pieces() -> Vec<Vec<u8>> {
        // Small writes and writes larger than a buffer, each distinct.
        (0..200u32)
            .map(|i| {
                let len = if i % 17 == 0 {
                    3 * Behind::CHUNK / 2
                } else {
                    (i as usize * 7919) % 5000
                };
                (0..len).map(|k| (k as u32 ^ i) as u8).collect()
            })
            .collect()
    }

    #[test]
    fn behind_writes_every_byte_in_order() {
        let got = Arc::new(Mutex::new(Vec::new()));
        let mut w = Behind::new(Target::Plain(Box::new(Sink {
            got: Arc::clone(&got),
            fail_at: usize::MAX,
        })));
        let mut expected = Vec::new();
        for p in pieces() {
            w.write_all(&p).unwrap();
            expected.extend_from_slice(&p);
        }
        w.finish().unwrap();
        assert!(expected.len() > 10 * Behind::CHUNK);
        assert!(*got.lock().unwrap() == expected);
        // Closed: nothing more is taken.
        assert!(w.write_all(b"x").is_err());
    }

    #[test]
    fn behind_gives_the_sinks_error() {
        let got = Arc::new(Mutex::new(Vec::new()));
        let mut w = Behind::new(Target::Plain(Box::new(Sink {
            got: Arc::clone(&got),
            fail_at: 2 * Behind::CHUNK,
        })));
        let written = pieces().iter().try_for_each(|p| w.write_all(p));
        let finished = w.finish();
        let e = written.and(finished).unwrap_err();
        assert_eq!(e.to_string(), "disk full");
    }

    #[test]
    fn a_file_is_written_directly_in_whole_blocks() {
        let file = TempFile::new("direct");
        let target =
            Target::file(file.path(), std::fs::File::create(file.path()).unwrap()).unwrap();
        let direct = matches!(&target, Target::File(f) if f.direct.is_some());
        // Where the system has direct I/O, the tests use it.
        assert_eq!(direct, cfg!(target_os = "linux"));
        let mut w = Behind::new(target);
        let mut expected = Vec::new();
        for p in pieces() {
            w.write_all(&p).unwrap();
            expected.extend_from_slice(&p);
        }
        let around_the_cache = w.finish().unwrap();
        assert_eq!(std::fs::read(file.path()).unwrap(), expected);
        // Every full buffer, and the whole blocks of the last one.
        let blocks = (expected.len() / FileTarget::ALIGN * FileTarget::ALIGN) as u64;
        assert_eq!(around_the_cache, if direct { blocks } else { 0 });
        assert_ne!(expected.len() % FileTarget::ALIGN, 0);
    }

    #[test]
    fn a_file_target_writes_what_is_not_aligned_through_the_page_cache() {
        let file = TempFile::new("unaligned");
        let plain = std::fs::File::create(file.path()).unwrap();
        let direct = open_direct(file.path(), &plain);
        assert_eq!(direct.is_some(), cfg!(target_os = "linux"));
        let Some(direct) = direct else {
            // No direct I/O here: nothing to tell apart.
            return;
        };
        let mut target = FileTarget {
            direct: Some(direct),
            plain,
            pos: 0,
            direct_bytes: 0,
            regular: true,
        };
        let mut block = Block::new(FileTarget::ALIGN);
        block
            .bytes
            .extend((0..3 * FileTarget::ALIGN).map(|i| (i % 251) as u8));
        let data = block.data();
        // Two whole aligned blocks; then a piece from an unaligned address
        // with an unaligned length; then whole blocks at an unaligned offset.
        target.write(&data[..2 * FileTarget::ALIGN]).unwrap();
        target.write(&data[1..100]).unwrap();
        target.write(&data[..2 * FileTarget::ALIGN]).unwrap();
        let mut expected = data[..2 * FileTarget::ALIGN].to_vec();
        expected.extend_from_slice(&data[1..100]);
        expected.extend_from_slice(&data[..2 * FileTarget::ALIGN]);
        assert_eq!(target.direct_bytes, 2 * FileTarget::ALIGN as u64);
        // Kept for later aligned writes: nothing failed.
        assert!(target.direct.is_some());
        assert_eq!(std::fs::read(file.path()).unwrap(), expected);
    }

    #[test]
    fn a_failed_direct_write_falls_back_to_the_page_cache() {
        let file = TempFile::new("fallback");
        let plain = std::fs::File::create(file.path()).unwrap();
        // A handle that cannot write stands for a file system that refuses
        // direct writes.
        let refusing = std::fs::File::open(file.path()).unwrap();
        let mut w = Behind::new(Target::File(FileTarget {
            direct: Some(refusing),
            plain,
            pos: 0,
            direct_bytes: 0,
            regular: true,
        }));
        let mut expected = Vec::new();
        for p in pieces() {
            w.write_all(&p).unwrap();
            expected.extend_from_slice(&p);
        }
        assert_eq!(w.finish().unwrap(), 0);
        assert_eq!(std::fs::read(file.path()).unwrap(), expected);
    }

    #[test]
    fn a_file_target_gives_the_error_of_its_writing() {
        let file = TempFile::new("readonly");
        std::fs::write(file.path(), b"").unwrap();
        let read_only = || std::fs::File::open(file.path()).unwrap();
        let mut w = Behind::new(Target::File(FileTarget {
            direct: Some(read_only()),
            plain: read_only(),
            pos: 0,
            direct_bytes: 0,
            regular: true,
        }));
        let written = pieces().iter().try_for_each(|p| w.write_all(p));
        let e = written.and(w.finish().map(drop)).unwrap_err();
        assert!(e.raw_os_error().is_some(), "{e}");
        assert!(w.write_all(b"x").is_err());
    }

    /// `deliver_with` writing `text` (and the final newline) to `path`.
    fn deliver_text(path: &str, text: &[u8]) {
        deliver_with(Some(path), |w| w.write_all(text), b"\n").unwrap();
    }

    #[test]
    fn an_existing_file_is_written_over_and_cut_to_the_new_length() {
        let file = TempFile::new("overwrite");
        let long: Vec<u8> = (0..5 * FileTarget::ALIGN + 17)
            .map(|i| b'a' + (i % 26) as u8)
            .collect();
        let short: Vec<u8> = (0..2 * FileTarget::ALIGN + 5)
            .map(|i| b'0' + (i % 10) as u8)
            .collect();
        // Longer than what is written over it: its end goes.
        std::fs::write(file.path(), &long).unwrap();
        deliver_text(file.path(), &short);
        let mut expected = short.clone();
        expected.push(b'\n');
        assert_eq!(std::fs::read(file.path()).unwrap(), expected);
        // Shorter: all of it written over.
        deliver_text(file.path(), &long);
        let mut expected = long.clone();
        expected.push(b'\n');
        assert_eq!(std::fs::read(file.path()).unwrap(), expected);
        // Empty, and absent.
        std::fs::write(file.path(), b"").unwrap();
        deliver_text(file.path(), b"{}");
        assert_eq!(std::fs::read(file.path()).unwrap(), b"{}\n");
        std::fs::remove_file(file.path()).unwrap();
        deliver_text(file.path(), b"[]");
        assert_eq!(std::fs::read(file.path()).unwrap(), b"[]\n");
    }

    #[test]
    fn an_old_file_ends_in_a_nul_until_it_is_written_over() {
        // Stopped half way, the file is never the new report's head followed
        // by the old one's end as if whole: the old end is spoiled first.
        let file = TempFile::new("spoiled");
        let old = b"{\"old\": true}\n".to_vec();
        std::fs::write(file.path(), &old).unwrap();
        let opened = std::fs::OpenOptions::new()
            .write(true)
            .open(file.path())
            .unwrap();
        let target = Target::file(file.path(), opened).unwrap();
        let now = std::fs::read(file.path()).unwrap();
        assert_eq!(now.len(), old.len());
        assert_eq!(now[..old.len() - 1], old[..old.len() - 1]);
        assert_eq!(now[old.len() - 1], 0);
        assert!(serde_json::from_slice::<serde_json::Value>(&now).is_err());
        drop(target);
    }
}
