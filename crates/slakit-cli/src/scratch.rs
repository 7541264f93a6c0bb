//! A scratch file for the CLI's unit tests.

/// A fresh path in the temporary directory, its file removed when dropped.
pub struct TempFile(std::path::PathBuf);

impl TempFile {
    /// A path named after this process and `name`.
    pub fn new(name: &str) -> TempFile {
        let path = std::env::temp_dir().join(format!("slakit-cli-{}-{name}", std::process::id()));
        TempFile(path)
    }

    /// The path, as text.
    pub fn path(&self) -> &str {
        self.0.to_str().unwrap_or_default()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
