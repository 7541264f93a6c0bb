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
/// buffered, and end it with a newline. A closed standard output (`| head`)
/// is not an error.
pub fn deliver_with(
    out: Option<&str>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    let (sink, path): (Box<dyn Write + Send>, _) = match out {
        Some(path) if path != "-" => {
            let file =
                std::fs::File::create(path).map_err(|e| io_error("cannot write", path, &e))?;
            (Box::new(file), Some(path))
        }
        _ => (Box::new(std::io::stdout()), None),
    };
    let mut w = Behind::new(sink);
    let done = write(&mut w)
        .and_then(|()| w.write_all(b"\n"))
        .and_then(|()| w.finish());
    match path {
        Some(path) => done.map_err(|e| io_error("cannot write", path, &e)),
        None => Ok(()),
    }
}

/// A buffered writer whose buffers are written by a thread of its own, in
/// order, while the caller goes on: formatting the next part of a large
/// report overlaps the kernel's copying of the last one into the file (on
/// the 1M workload, writing the 2.2 GB report cost 4 s of system time, all
/// of it on the formatting thread before). The buffers go back and forth,
/// so at most a few are ever allocated.
struct Behind {
    buf: Vec<u8>,
    /// Full buffers to the writing thread; `None` once finished.
    full: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    /// Written buffers back, to be filled again.
    empty: std::sync::mpsc::Receiver<Vec<u8>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Behind {
    /// Bytes a buffer holds before it is handed over.
    const CHUNK: usize = 1 << 20;
    /// Full buffers that may wait for the writing thread.
    const QUEUE: usize = 4;

    fn new(mut sink: Box<dyn Write + Send>) -> Behind {
        let (full, to_write) = std::sync::mpsc::sync_channel::<Vec<u8>>(Self::QUEUE);
        let (written, empty) = std::sync::mpsc::sync_channel::<Vec<u8>>(Self::QUEUE + 2);
        let thread = std::thread::spawn(move || {
            for mut buf in to_write {
                // On an error the loop ends, and so does the channel: the
                // next hand-over fails and `finish` returns this error.
                sink.write_all(&buf)?;
                buf.clear();
                let _ = written.try_send(buf);
            }
            sink.flush()
        });
        Behind {
            buf: Vec::with_capacity(Self::CHUNK),
            full: Some(full),
            empty,
            thread: Some(thread),
        }
    }

    fn hand_over(&mut self) -> std::io::Result<()> {
        let next = self
            .empty
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(Self::CHUNK));
        let buf = std::mem::replace(&mut self.buf, next);
        match &self.full {
            Some(full) if full.send(buf).is_ok() => Ok(()),
            // The thread stopped on an error: that error.
            _ => self.finish(),
        }
    }

    /// Hand over what is left, wait for every byte to be written, and give
    /// the first error. The writer takes nothing after this.
    fn finish(&mut self) -> std::io::Result<()> {
        if let Some(full) = self.full.take()
            && !self.buf.is_empty()
        {
            let _ = full.send(std::mem::take(&mut self.buf));
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
        self.buf.extend_from_slice(data);
        if self.buf.len() >= Self::CHUNK {
            self.hand_over()?;
        }
        Ok(data.len())
    }

    /// Hands the buffer over; [`Behind::finish`] waits for the writing.
    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            self.hand_over()
        }
    }
}

impl Drop for Behind {
    fn drop(&mut self) {
        // Never leave the thread writing behind an early return.
        let _ = self.finish();
    }
}

/// Write the result to `--out FILE`, or to standard output.
pub fn deliver(text: &str, out: Option<&str>) -> Result<(), Error> {
    match out {
        Some(path) if path != "-" => {
            std::fs::write(path, text.as_bytes()).map_err(|e| io_error("cannot write", path, &e))
        }
        _ => {
            emit_stdout(text);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
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
        let mut w = Behind::new(Box::new(Sink {
            got: Arc::clone(&got),
            fail_at: usize::MAX,
        }));
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
        let mut w = Behind::new(Box::new(Sink {
            got: Arc::clone(&got),
            fail_at: 2 * Behind::CHUNK,
        }));
        let written = pieces().iter().try_for_each(|p| w.write_all(p));
        let finished = w.finish();
        let e = written.and(finished).unwrap_err();
        assert_eq!(e.to_string(), "disk full");
    }
}
