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
    write: impl FnOnce(&mut std::io::BufWriter<Box<dyn Write + '_>>) -> std::io::Result<()>,
) -> Result<(), Error> {
    // The writer is a concrete BufWriter: the many small writes of a JSON
    // serialiser are copies into its buffer, and only a full buffer goes
    // through the boxed file or standard output.
    const BUFFER: usize = 1 << 20;
    match out {
        Some(path) if path != "-" => {
            let file =
                std::fs::File::create(path).map_err(|e| io_error("cannot write", path, &e))?;
            let mut w = std::io::BufWriter::with_capacity(BUFFER, Box::new(file) as Box<dyn Write>);
            write(&mut w)
                .and_then(|()| w.write_all(b"\n"))
                .and_then(|()| w.flush())
                .map_err(|e| io_error("cannot write", path, &e))
        }
        _ => {
            let stdout = Box::new(std::io::stdout().lock()) as Box<dyn Write>;
            let mut w = std::io::BufWriter::with_capacity(BUFFER, stdout);
            let _ = write(&mut w)
                .and_then(|()| w.write_all(b"\n"))
                .and_then(|()| w.flush());
            Ok(())
        }
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
