//! Errors: every refusal carries a stable code, a kind and a location.
//!
//! Messages follow one grammar: lowercase, no trailing period, user input in
//! backticks, no Rust type names. The codes are listed in `docs/errors.md`.

use std::fmt;

/// Which side of the contract was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorKind {
    /// The policy document is invalid.
    Policy,
    /// A record (or the record stream) is invalid.
    Input,
    /// The caller asked for something impossible (bad `as_of`, bad arguments).
    Usage,
}

impl ErrorKind {
    /// The lowercase name used in JSON error documents.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Policy => "policy",
            ErrorKind::Input => "input",
            ErrorKind::Usage => "usage",
        }
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, $kind:ident; )*) => {
        /// What went wrong, as a stable code (`E…`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $name, )*
        }

        impl ErrorCode {
            /// The stable code, e.g. `E101`.
            pub fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$name => $code, )* }
            }
            /// The kind of error this code belongs to.
            pub fn kind(self) -> ErrorKind {
                match self { $( ErrorCode::$name => ErrorKind::$kind, )* }
            }
            /// Every code, in order (for documentation and tests).
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$name, )* ];
        }
    };
}

codes! {
    /// The policy is not well-formed YAML or JSON.
    PolicySyntax = "E100", Policy;
    /// The policy has a field the format does not define.
    UnknownField = "E101", Policy;
    /// A required policy field is missing.
    MissingField = "E102", Policy;
    /// A policy field has the wrong type or shape.
    InvalidValue = "E103", Policy;
    /// A duration could not be read, is negative, zero where not allowed, or too large.
    InvalidDuration = "E104", Policy;
    /// A percentage or rate could not be read or is finer than 1 ppm.
    InvalidPercentage = "E105", Policy;
    /// Calendar `hours` or `holidays` are invalid.
    InvalidHours = "E106", Policy;
    /// An IANA time zone name is unknown.
    UnknownTimeZone = "E107", Policy;
    /// A calendar name is referenced but not defined.
    UnknownCalendar = "E108", Policy;
    /// A tier is used that `tiers:` does not declare.
    UnknownTier = "E109", Policy;
    /// An id (SLA, exclusion, exception) is used twice.
    DuplicateId = "E110", Policy;
    /// The same key appears twice in one mapping.
    DuplicateKey = "E111", Policy;
    /// The `slakit:` format version is missing or unsupported.
    UnsupportedVersion = "E112", Policy;
    /// A target is incomplete or contradicts its SLA kind.
    InvalidTarget = "E113", Policy;
    /// An instant in the policy is invalid.
    InvalidPolicyInstant = "E114", Policy;
    /// The policy text is larger than the size limit.
    PolicyTooLarge = "E115", Policy;
    /// The policy is empty.
    EmptyPolicy = "E116", Policy;
    /// The policy nests too deep or exceeds a YAML reader budget (aliases, anchors, nodes).
    PolicyTooDeep = "E117", Policy;
    /// The policy has more calendars, SLAs, pauses or other entries than a limit allows.
    PolicyTooManyItems = "E118", Policy;
    /// `versions` are not in strictly increasing `effective_from` order.
    VersionOrder = "E130", Policy;
    /// A version sets a field a version cannot change (`slakit`, `name`,
    /// `versions`, `audit_freezes`).
    VersionSection = "E131", Policy;
    /// A version was approved inside an audit freeze.
    ApprovedInFreeze = "E132", Policy;
    /// A record line or document is not valid JSON.
    RecordSyntax = "E200", Input;
    /// A record lacks a required field.
    MissingRecordField = "E201", Input;
    /// A record field has the wrong type.
    InvalidRecordField = "E202", Input;
    /// A record instant is invalid or has no offset.
    InvalidInstant = "E203", Input;
    /// A record has an unknown `kind`.
    UnknownRecordKind = "E204", Input;
    /// Two records give different values for one deployment attribute.
    ConflictingAttribute = "E205", Input;
    /// Two records of one incident name different services.
    ConflictingIncident = "E206", Input;
    /// An exclusion or exception id is used twice.
    DuplicateRecordId = "E207", Input;
    /// A deployment has no `service` on any of its events.
    MissingService = "E208", Input;
    /// The records exceed a size limit.
    InputTooLarge = "E209", Input;
    /// An interval record ends before it starts.
    InvalidInterval = "E210", Input;
    /// The same key appears twice in one JSON object of a record.
    DuplicateRecordKey = "E211", Input;
    /// The records reach further back from as_of than a business calendar may be walked.
    SpanTooLong = "E212", Input;
    /// `as_of` is not a valid RFC 3339 instant.
    InvalidAsOf = "E300", Usage;
    /// `as_of` was not given and the records hold no lifecycle event to default to.
    NoAsOf = "E301", Usage;
    /// A file could not be read or written.
    Io = "E302", Usage;
    /// The command line, or the arguments of a binding call, are invalid.
    InvalidArguments = "E303", Usage;
    /// The deployment asked for does not exist.
    UnknownDeployment = "E304", Usage;
    /// Bytes given as a partial evaluation are not one this slakit reads:
    /// another format version or engine version, truncated, or corrupt.
    InvalidPartial = "E310", Usage;
    /// Partials computed under different policies, as_of instants or
    /// digest settings cannot be merged.
    IncompatiblePartials = "E311", Usage;
    /// Two merged partials both hold one deployment: its records were split
    /// across partitions, or a partition was counted twice.
    OverlappingPartials = "E312", Usage;
    /// A partition lacked an interval record (outage, exclusion, exception)
    /// that names a service or deployment it evaluated.
    PartitionMissesRecords = "E313", Usage;
    /// An internal error (a bug): the engine refused to continue.
    Internal = "E900", Usage;
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in the input an error was found. Every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// The file name, when the caller knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// 1-based column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    /// 0-based index of the record in the stream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_index: Option<u64>,
    /// JSON pointer of the offending field, e.g. `/slas/0/targets/tier1/max`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl Location {
    /// A location that is only a JSON pointer.
    pub fn path(path: impl Into<String>) -> Location {
        Location {
            path: Some(path.into()),
            ..Location::default()
        }
    }

    /// A location that is a record index (and, for JSON Lines, a line).
    pub fn record(index: usize, line: Option<usize>) -> Location {
        Location {
            record_index: Some(index as u64),
            line: line.map(|l| l as u64),
            ..Location::default()
        }
    }

    /// True when nothing is known.
    pub fn is_empty(&self) -> bool {
        *self == Location::default()
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(file) = &self.file {
            parts.push(file.clone());
        }
        if let Some(line) = self.line {
            match self.column {
                Some(col) => parts.push(format!("line {line}, column {col}")),
                None => parts.push(format!("line {line}")),
            }
        }
        if let Some(i) = self.record_index {
            parts.push(format!("record {i}"));
        }
        if let Some(p) = &self.path {
            parts.push(format!("at `{p}`"));
        }
        f.write_str(&parts.join(", "))
    }
}

/// A refused input: kind, stable code, message and location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Error {
    /// The stable code.
    pub code: ErrorCode,
    /// A lowercase, human message that quotes the offending value.
    pub message: String,
    /// Where the error was found.
    pub location: Location,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            write!(f, "{} [{}]", self.message, self.code)
        } else {
            write!(f, "{}: {} [{}]", self.location, self.message, self.code)
        }
    }
}

impl Error {
    /// A new error without a location.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            location: Location::default(),
        }
    }

    /// Attach a JSON pointer.
    pub fn at_path(mut self, path: impl Into<String>) -> Error {
        self.location.path = Some(path.into());
        self
    }

    /// Attach a record index (and line, for JSON Lines).
    pub fn at_record(mut self, index: usize, line: Option<usize>) -> Error {
        self.location.record_index = Some(index as u64);
        if let Some(line) = line {
            self.location.line = Some(line as u64);
        }
        self
    }

    /// Attach a file name.
    pub fn in_file(mut self, file: impl Into<String>) -> Error {
        self.location.file = Some(file.into());
        self
    }

    /// The error's kind.
    pub fn kind(&self) -> ErrorKind {
        self.code.kind()
    }

    /// The JSON document printed by `--format json`:
    /// `{"error": {"kind", "code", "message", "location"}}`.
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::json!({
            "error": {
                "kind": self.kind().as_str(),
                "code": self.code.as_str(),
                "message": self.message,
                "location": self.location,
            }
        })
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
