//! Bytes a caller has read, turned into text with located errors.
//!
//! The core reads no files; the CLI and the bindings do. What they do with
//! the bytes and with an I/O failure is the same everywhere, so it lives
//! here: invalid UTF-8 is an error at the line of the first bad byte, and an
//! I/O failure is a usage error (`E302`) naming the file.

use crate::error::{Error, ErrorCode};

/// Decode `bytes` read from `name` as UTF-8. Invalid UTF-8 is a `syntax`
/// error (`E100` for a policy, `E200` for records) at the line of the first
/// bad byte, naming the file.
pub fn utf8_text(bytes: Vec<u8>, name: &str, syntax: ErrorCode) -> Result<String, Error> {
    utf8(bytes, syntax).map_err(|e| e.in_file(name))
}

/// [`utf8_text`] without a file name.
pub(crate) fn utf8(bytes: Vec<u8>, syntax: ErrorCode) -> Result<String, Error> {
    String::from_utf8(bytes).map_err(|e| {
        let line = line_at(e.as_bytes(), e.utf8_error().valid_up_to());
        not_utf8(syntax, line)
    })
}

/// The 1-based line of the byte at `at` in `bytes`.
pub(crate) fn line_at(bytes: &[u8], at: usize) -> usize {
    let before = bytes.get(..at).unwrap_or(bytes);
    newlines(before) + 1
}

/// The number of `\n` in `bytes`.
pub(crate) fn newlines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

/// Whether a byte stands for itself inside a JSON string: not a quote, a
/// backslash or a control character (those are escaped).
pub(crate) fn plain_in_json_string(b: u8) -> bool {
    b >= 0x20 && b != b'"' && b != b'\\'
}

/// Invalid UTF-8 at `line`: a `syntax` error.
pub(crate) fn not_utf8(syntax: ErrorCode, line: usize) -> Error {
    let mut err = Error::new(syntax, "the text is not valid UTF-8");
    err.location.line = Some(line as u64);
    err
}

/// An I/O failure on `name` as a usage error `E302`: `{verb} `name`: why`,
/// in the house style (lowercase, no OS error number).
pub fn io_error(verb: &str, name: &str, e: &std::io::Error) -> Error {
    let why = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "it is a directory".to_string(),
        _ => {
            let text = e.to_string();
            let text = text.split(" (os error").next().unwrap_or(&text).to_string();
            let mut chars = text.chars();
            chars
                .next()
                .map(|c| c.to_lowercase().chain(chars).collect())
                .unwrap_or_default()
        }
    };
    Error::new(ErrorCode::Io, format!("{verb} `{name}`: {why}")).in_file(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_located() {
        let e = utf8_text(b"ok\nok\n\xff".to_vec(), "r.jsonl", ErrorCode::RecordSyntax).err();
        let e = e.as_ref();
        assert_eq!(
            e.map(|e| (e.code, e.location.line, e.location.file.clone())),
            Some((ErrorCode::RecordSyntax, Some(3), Some("r.jsonl".into())))
        );
        assert_eq!(
            utf8_text(b"fine".to_vec(), "p", ErrorCode::PolicySyntax)
                .ok()
                .as_deref(),
            Some("fine")
        );
    }

    #[test]
    fn io_errors_read_well() {
        let e = io_error(
            "cannot read",
            "x.yaml",
            &std::io::Error::from(std::io::ErrorKind::NotFound),
        );
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode::Io, "cannot read `x.yaml`: no such file")
        );
        let e = io_error(
            "cannot write",
            "o",
            &std::io::Error::other("Disk quota exceeded (os error 122)"),
        );
        assert_eq!(e.message, "cannot write `o`: disk quota exceeded");
    }
}
