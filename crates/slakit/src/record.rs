//! Records (SPEC §2): the input stream of lifecycle events, outages,
//! incidents, exclusions and exceptions, read from JSON Lines, a JSON array,
//! or native values handed over by a binding.

use std::num::NonZeroUsize;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, ErrorCode, Result};
use crate::instant;
pub use crate::report::Text;

/// Where a record came from, for error messages only (never for evidence).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Origin {
    /// 0-based index in the stream.
    pub index: usize,
    /// 1-based line, for JSON Lines input. Never 0, so that `None` takes no
    /// room of its own: an origin is 16 bytes in every record, not 24.
    pub line: Option<NonZeroUsize>,
}

impl Origin {
    /// The 1-based line, if the record was read from JSON Lines.
    pub fn line_number(self) -> Option<usize> {
        self.line.map(NonZeroUsize::get)
    }
}

/// One input record. The kinds other than events are boxed: an event
/// is nearly every record of a history, and the enum is as large as its
/// largest inline kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A deployment lifecycle event (§2.1).
    Event(Event),
    /// A period when a service was unavailable (§2.2).
    Outage(Box<Outage>),
    /// An incident ticket (§2.3).
    Incident(Box<Incident>),
    /// Time that does not count (§2.4).
    Exclusion(Box<ExclusionRecord>),
    /// An approved deviation (§2.5).
    Exception(Box<ExceptionRecord>),
}

/// A deployment lifecycle event (§2.1).
///
/// Kept small, since a history has millions of events: its names and ids
/// are [`Text`] (inline up to 24 bytes), and what only some events carry —
/// the deployment's service, environment, release type and team, a record
/// id, attributes, unknown fields — is given as [`EventDetails`]
/// ([`Event::with_details`]), held in one optional box and read through the
/// accessors ([`Event::service`], ...). An event is 80 bytes where a flat
/// one was 256, and its box 128 where the fields together are 168.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The deployment id.
    pub deployment: Text,
    /// The lifecycle name, e.g. `started`.
    pub event: Text,
    /// When it happened (UTC ms).
    pub time: i64,
    /// The optional fields; `None` when the event has none of them.
    details: Option<Box<Details>>,
    /// Position in the input, for errors.
    pub origin: Origin,
}

/// How an event holds its [`EventDetails`]: the names and the id inline,
/// attributes and unknown fields (rare) in a second box, present only when
/// either is. 128 bytes, one of the allocator's size classes, where the
/// flat fields (168) took the 192-byte class; the 10M-event workload holds
/// 2.15M of these, one per deployment.
#[derive(Debug, Clone, PartialEq)]
struct Details {
    service: Option<Text>,
    environment: Option<Text>,
    release_type: Option<Text>,
    team: Option<Text>,
    id: Option<Text>,
    rare: Option<Box<Rare>>,
}

/// An event's attributes and unknown fields: rare, so boxed apart.
#[derive(Debug, Clone, PartialEq)]
struct Rare {
    attrs: Option<Map<String, Value>>,
    unknown_fields: Vec<String>,
}

/// The optional fields of an [`Event`] (§2.1).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventDetails {
    /// The deployed service.
    pub service: Option<Text>,
    /// The target environment.
    pub environment: Option<Text>,
    /// The release type (`major`, `emergency`, ...).
    pub release_type: Option<Text>,
    /// The owning team, when the service catalog names none.
    pub team: Option<Text>,
    /// The record id, echoed in evidence.
    pub id: Option<Text>,
    /// Free-form attributes, passed through.
    pub attrs: Option<Map<String, Value>>,
    /// Fields the record carried that slakit does not define.
    pub unknown_fields: Vec<String>,
}

impl EventDetails {
    fn is_empty(&self) -> bool {
        *self == EventDetails::default()
    }
}

impl Event {
    /// An event with no optional fields.
    pub fn new(deployment: impl Into<Text>, event: impl Into<Text>, time: i64) -> Event {
        Event {
            deployment: deployment.into(),
            event: event.into(),
            time,
            details: None,
            origin: Origin::default(),
        }
    }

    /// The event at this position in the input.
    pub fn with_origin(mut self, origin: Origin) -> Event {
        self.origin = origin;
        self
    }

    /// The event with these optional fields (boxed only when any is set,
    /// so that equal events compare equal however they were built).
    pub fn with_details(mut self, details: EventDetails) -> Event {
        if details.is_empty() {
            self.details = None;
            return self;
        }
        let EventDetails {
            service,
            environment,
            release_type,
            team,
            id,
            attrs,
            unknown_fields,
        } = details;
        let rare = (attrs.is_some() || !unknown_fields.is_empty()).then(|| {
            Box::new(Rare {
                attrs,
                unknown_fields,
            })
        });
        self.details = Some(Box::new(Details {
            service,
            environment,
            release_type,
            team,
            id,
            rare,
        }));
        self
    }

    /// The optional fields, as given to [`Event::with_details`] (a copy).
    pub fn details(&self) -> EventDetails {
        let Some(d) = self.details.as_deref() else {
            return EventDetails::default();
        };
        EventDetails {
            service: d.service.clone(),
            environment: d.environment.clone(),
            release_type: d.release_type.clone(),
            team: d.team.clone(),
            id: d.id.clone(),
            attrs: self.attrs().cloned(),
            unknown_fields: self.unknown_fields().to_vec(),
        }
    }

    fn detail(&self, f: impl FnOnce(&Details) -> &Option<Text>) -> Option<&str> {
        self.details.as_deref().and_then(|d| f(d).as_deref())
    }

    /// The deployed service.
    pub fn service(&self) -> Option<&str> {
        self.detail(|d| &d.service)
    }

    /// The target environment.
    pub fn environment(&self) -> Option<&str> {
        self.detail(|d| &d.environment)
    }

    /// The release type.
    pub fn release_type(&self) -> Option<&str> {
        self.detail(|d| &d.release_type)
    }

    /// The owning team.
    pub fn team(&self) -> Option<&str> {
        self.detail(|d| &d.team)
    }

    /// The record id.
    pub fn id(&self) -> Option<&str> {
        self.detail(|d| &d.id)
    }

    /// Free-form attributes.
    pub fn attrs(&self) -> Option<&Map<String, Value>> {
        self.rare().and_then(|r| r.attrs.as_ref())
    }

    /// Fields the record carried that slakit does not define.
    pub fn unknown_fields(&self) -> &[String] {
        self.rare().map_or(&[], |r| r.unknown_fields.as_slice())
    }

    fn rare(&self) -> Option<&Rare> {
        self.details.as_deref().and_then(|d| d.rare.as_deref())
    }
}

/// An event serialises as its flat record (§2.1), absent fields omitted.
impl Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Flat<'e> {
            deployment: &'e str,
            event: &'e str,
            #[serde(serialize_with = "ser_instant")]
            time: i64,
            #[serde(skip_serializing_if = "Option::is_none")]
            service: Option<&'e str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            environment: Option<&'e str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            release_type: Option<&'e str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            team: Option<&'e str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            id: Option<&'e str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            attrs: Option<&'e Map<String, Value>>,
        }
        Flat {
            deployment: &self.deployment,
            event: &self.event,
            time: self.time,
            service: self.service(),
            environment: self.environment(),
            release_type: self.release_type(),
            team: self.team(),
            id: self.id(),
            attrs: self.attrs(),
        }
        .serialize(s)
    }
}

/// An outage of a service (§2.2).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outage {
    /// The record id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The unavailable service.
    pub service: String,
    /// Start (UTC ms).
    #[serde(serialize_with = "ser_instant")]
    pub from: i64,
    /// End, or `None` while ongoing.
    #[serde(
        serialize_with = "ser_opt_instant",
        skip_serializing_if = "Option::is_none"
    )]
    pub to: Option<i64>,
    /// The third party it is attributed to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// Fields slakit does not define.
    #[serde(skip)]
    pub unknown_fields: Vec<String>,
    /// Position in the input.
    #[serde(skip)]
    pub origin: Origin,
}

/// An incident record (§2.3). Several records with one id are one incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    /// The incident id.
    pub id: String,
    /// The affected service.
    pub service: String,
    /// When it was opened.
    #[serde(serialize_with = "ser_instant")]
    pub opened: i64,
    /// When it was resolved, if it was.
    #[serde(
        serialize_with = "ser_opt_instant",
        skip_serializing_if = "Option::is_none"
    )]
    pub resolved: Option<i64>,
    /// The deployment that caused it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment: Option<String>,
    /// Free-form severity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// Fields slakit does not define.
    #[serde(skip)]
    pub unknown_fields: Vec<String>,
    /// Position in the input.
    #[serde(skip)]
    pub origin: Origin,
}

/// What an exclusion does (§3.5).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// Remove the time from every clock and outage it overlaps.
    Pause,
    /// Exclude deployments anchored inside it.
    Exclude,
}

/// An exclusion given as a record (§2.4); the same shape as in the policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExclusionRecord {
    /// Unique id.
    pub id: String,
    /// Why the time does not count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Start, for a one-off interval.
    #[serde(
        serialize_with = "ser_opt_instant",
        skip_serializing_if = "Option::is_none"
    )]
    pub from: Option<i64>,
    /// End, for a one-off interval.
    #[serde(
        serialize_with = "ser_opt_instant",
        skip_serializing_if = "Option::is_none"
    )]
    pub to: Option<i64>,
    /// A policy calendar whose open time is the excluded time (recurring).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
    /// The services it applies to; `None` = all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<String>>,
    /// The vendor the time is attributed to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// `pause` (default) or `exclude`.
    pub effect: Effect,
    /// Fields slakit does not define.
    #[serde(skip)]
    pub unknown_fields: Vec<String>,
    /// Position in the input.
    #[serde(skip)]
    pub origin: Origin,
}

/// An approved exception (§2.5, §8).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExceptionRecord {
    /// Unique id.
    pub id: String,
    /// Services it covers (by anchor time); `None` = all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<String>>,
    /// Deployments it covers, whatever their time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployments: Option<Vec<String>>,
    /// Start.
    #[serde(serialize_with = "ser_instant")]
    pub from: i64,
    /// End.
    #[serde(serialize_with = "ser_instant")]
    pub to: i64,
    /// An emergency change that needs a justification afterwards.
    pub emergency: bool,
    /// Who approved it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// The written justification.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// When the justification was filed.
    #[serde(
        serialize_with = "ser_opt_instant",
        skip_serializing_if = "Option::is_none"
    )]
    pub justified_at: Option<i64>,
    /// Fields slakit does not define.
    #[serde(skip)]
    pub unknown_fields: Vec<String>,
    /// Position in the input.
    #[serde(skip)]
    pub origin: Origin,
}

/// The canonical JSON of an event: its fields in key order (`attrs`,
/// `deployment`, `environment`, `event`, `id`, `kind`, `release_type`,
/// `service`, `team`, `time`), strings escaped as serde_json escapes them.
fn write_canonical_event(e: &Event, out: &mut Vec<u8>) {
    fn string(out: &mut Vec<u8>, s: &str) {
        // Ids and names have nothing to escape: copied between quotes (as
        // serde_json writes them) without its byte-by-byte escaping.
        if s.bytes().all(crate::source::plain_in_json_string) {
            out.push(b'"');
            out.extend_from_slice(s.as_bytes());
            out.push(b'"');
        } else {
            // Writing a string into a Vec cannot fail.
            let _ = serde_json::to_writer(&mut *out, s);
        }
    }
    fn field(out: &mut Vec<u8>, first: &mut bool, key: &str) {
        if !*first {
            out.push(b',');
        }
        *first = false;
        out.push(b'"');
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(b"\":");
    }
    let mut first = true;
    out.push(b'{');
    if let Some(attrs) = e.attrs() {
        field(out, &mut first, "attrs");
        // serde_json's map is ordered by key: sorted, compact.
        let _ = serde_json::to_writer(&mut *out, attrs);
    }
    field(out, &mut first, "deployment");
    string(out, &e.deployment);
    if let Some(v) = e.environment() {
        field(out, &mut first, "environment");
        string(out, v);
    }
    field(out, &mut first, "event");
    string(out, &e.event);
    if let Some(v) = e.id() {
        field(out, &mut first, "id");
        string(out, v);
    }
    field(out, &mut first, "kind");
    out.extend_from_slice(b"\"event\"");
    for (key, value) in [
        ("release_type", e.release_type()),
        ("service", e.service()),
        ("team", e.team()),
    ] {
        if let Some(v) = value {
            field(out, &mut first, key);
            string(out, v);
        }
    }
    field(out, &mut first, "time");
    out.push(b'"');
    // Straight into the line: no text allocated per record.
    instant::write_bytes(out, e.time);
    out.extend_from_slice(b"\"}");
}

fn ser_instant<S: serde::Serializer>(t: &i64, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&instant::format(*t))
}

fn ser_opt_instant<S: serde::Serializer>(
    t: &Option<i64>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&instant::format(*t)),
        None => s.serialize_none(),
    }
}

impl Record {
    /// The record's kind name.
    pub fn kind(&self) -> &'static str {
        match self {
            Record::Event(_) => "event",
            Record::Outage(_) => "outage",
            Record::Incident(_) => "incident",
            Record::Exclusion(_) => "exclusion",
            Record::Exception(_) => "exception",
        }
    }

    /// Where the record came from, to renumber it (records read from
    /// several files are numbered across them).
    pub fn origin_mut(&mut self) -> &mut Origin {
        match self {
            Record::Event(r) => &mut r.origin,
            Record::Outage(r) => &mut r.origin,
            Record::Incident(r) => &mut r.origin,
            Record::Exclusion(r) => &mut r.origin,
            Record::Exception(r) => &mut r.origin,
        }
    }

    /// Where the record came from.
    pub fn origin(&self) -> Origin {
        match self {
            Record::Event(r) => r.origin,
            Record::Outage(r) => r.origin,
            Record::Incident(r) => r.origin,
            Record::Exclusion(r) => r.origin,
            Record::Exception(r) => r.origin,
        }
    }

    /// Fields the record carried that slakit ignores.
    pub fn unknown_fields(&self) -> &[String] {
        match self {
            Record::Event(r) => r.unknown_fields(),
            Record::Outage(r) => &r.unknown_fields,
            Record::Incident(r) => &r.unknown_fields,
            Record::Exclusion(r) => &r.unknown_fields,
            Record::Exception(r) => &r.unknown_fields,
        }
    }

    /// The instant that orders the record (§1.5) and decides whether it lies
    /// after as_of (§5.3): an event's time, an interval's start.
    pub fn instant(&self) -> Option<i64> {
        match self {
            Record::Event(r) => Some(r.time),
            Record::Outage(r) => Some(r.from),
            Record::Incident(r) => Some(r.opened),
            Record::Exclusion(r) => r.from,
            Record::Exception(r) => Some(r.from),
        }
    }

    /// Compact JSON with sorted keys and normalised instants (the digest form).
    pub fn canonical_json(&self) -> String {
        let mut out = Vec::new();
        self.write_canonical_json(&mut out);
        // Only JSON text (valid UTF-8) is ever written to `out`.
        String::from_utf8(out).unwrap_or_default()
    }

    /// Append [`Record::canonical_json`] to `out`. Lifecycle events, nearly
    /// every record, are written field by field in key order, with no
    /// intermediate JSON tree; the other kinds go through one.
    pub fn write_canonical_json(&self, out: &mut Vec<u8>) {
        match self {
            Record::Event(e) => write_canonical_event(e, out),
            _ => out.extend_from_slice(self.canonical_json_by_value().as_bytes()),
        }
    }

    /// The canonical form through a `serde_json::Value` (sorted by its map):
    /// the definition the direct event writer is tested against.
    pub(crate) fn canonical_json_by_value(&self) -> String {
        let mut v = match self {
            Record::Event(r) => serde_json::to_value(r),
            Record::Outage(r) => serde_json::to_value(r),
            Record::Incident(r) => serde_json::to_value(r),
            Record::Exclusion(r) => serde_json::to_value(r),
            Record::Exception(r) => serde_json::to_value(r),
        }
        .unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            m.insert("kind".into(), Value::String(self.kind().into()));
        }
        // serde_json's Map is ordered by key (no `preserve_order`), so this is canonical.
        v.to_string()
    }

    /// The §1.5 sort key: (time, event name, record id, deployment id).
    pub fn sort_key(&self) -> (i64, &str, &str, &str) {
        let t = self.instant().unwrap_or(i64::MIN);
        match self {
            Record::Event(r) => (t, &r.event, r.id().unwrap_or(""), &r.deployment),
            Record::Outage(r) => (t, "", r.id.as_deref().unwrap_or(""), ""),
            Record::Incident(r) => (t, "", &r.id, r.deployment.as_deref().unwrap_or("")),
            Record::Exclusion(r) => (t, "", &r.id, ""),
            Record::Exception(r) => (t, "", &r.id, ""),
        }
    }
}

/// Upper bounds on the record stream (ADVERSARIAL §34), checked before allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most records in one stream.
    pub max_records: usize,
    /// Longest JSON Lines line, in bytes.
    pub max_line_bytes: usize,
    /// Largest record document, in bytes.
    pub max_input_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_records: 50_000_000,
            max_line_bytes: 1 << 20,
            max_input_bytes: 16 << 30,
        }
    }
}

/// Read records from text: a JSON array when the first non-blank character is
/// `[`, otherwise JSON Lines (blank lines are skipped).
pub fn parse_records(text: &str) -> Result<Vec<Record>> {
    parse_records_with_limits(text, &Limits::default())
}

/// [`parse_records`] on the current rayon pool: JSON Lines of 4 MB or more
/// are read in chunks of lines, one task each (the CLI's reading). The
/// same records, origins and errors as [`parse_records`]; it starts the
/// global pool's threads if none is running, which [`parse_records`]
/// never does.
#[cfg(feature = "parallel")]
pub fn parse_records_parallel(text: &str) -> Result<Vec<Record>> {
    parse_records_on(text, &Limits::default(), true)
}

/// [`parse_records`] with explicit limits.
pub fn parse_records_with_limits(text: &str, limits: &Limits) -> Result<Vec<Record>> {
    parse_records_on(text, limits, false)
}

/// Records read piece by piece, as the caller reads the bytes (a file in
/// blocks, a socket): [`RecordReader::feed`] each piece, then
/// [`RecordReader::finish`]. JSON Lines are parsed as their lines complete,
/// so the text is never held whole (on the 1M workload, 434 MB less at the
/// peak of reading), and a line longer than [`Limits::max_line_bytes`] is
/// counted, not held. A JSON array, and the blank bytes before the first
/// record, are held and parsed at the end.
///
/// The same records and the same first error as decoding the whole text as
/// UTF-8 and calling [`parse_records_with_limits`]: invalid UTF-8 (at the
/// line of the first bad byte) before the size limit, before a NUL
/// character, before the first bad record — however the bytes were split.
#[derive(Debug)]
pub struct RecordReader {
    limits: Limits,
    parallel: bool,
    /// JSON Lines: the unfinished last line. Otherwise every byte so far.
    held: Vec<u8>,
    /// `None` until the first non-blank byte; then whether it is `[`.
    array: Option<bool>,
    records: Vec<Record>,
    /// Newlines read before `held`.
    newlines: usize,
    /// Bytes fed in all.
    bytes: usize,
    /// The line of the first invalid UTF-8, of the first NUL.
    not_utf8: Option<usize>,
    nul: Option<usize>,
    /// The first bad record (no later line is parsed).
    failed: Option<Error>,
    /// JSON Lines: the line being read is longer than the limit; it is
    /// counted and checked, not held.
    long: Option<LongLine>,
    /// The input's whole size ([`RecordReader::expecting`]), until room
    /// for its records is reserved.
    expected_bytes: Option<u64>,
}

/// What is kept of a line longer than [`Limits::max_line_bytes`] while it
/// is read: enough for the error it gives (or for skipping it when blank).
#[derive(Debug, Default)]
struct LongLine {
    /// Its bytes so far, and how many of the last are `\r`.
    len: usize,
    trailing_cr: usize,
    /// Every character so far is white space.
    blank: bool,
    /// The start of a character cut at the end of a piece.
    tail: Vec<u8>,
}

impl Default for RecordReader {
    fn default() -> RecordReader {
        RecordReader::with_limits(Limits::default())
    }
}

impl RecordReader {
    /// A reader with the default [`Limits`], parsing on the calling thread.
    pub fn new() -> RecordReader {
        RecordReader::default()
    }

    /// A reader with these limits.
    pub fn with_limits(limits: Limits) -> RecordReader {
        RecordReader {
            limits,
            parallel: false,
            held: Vec::new(),
            array: None,
            records: Vec::new(),
            newlines: 0,
            bytes: 0,
            not_utf8: None,
            nul: None,
            failed: None,
            long: None,
            expected_bytes: None,
        }
    }

    /// The input is about `bytes` long (a file's size): room for all its
    /// records is reserved once, from the first large piece's lines per
    /// byte, instead of grown by doubling as they come. Grown, the records
    /// of the 1M workload (411 MB) went through ten copies, and an
    /// allocator that keeps freed memory for reuse kept the old copies too.
    /// Only a hint: an estimate too small is grown as before, and the
    /// unused rest of one too large is never touched.
    pub fn expecting(mut self, bytes: u64) -> RecordReader {
        self.expected_bytes = Some(bytes);
        self
    }

    /// Room for the records of the expected input, estimated from `text`,
    /// once `text` is large enough to tell (or is all there is).
    fn reserve_expected(&mut self, text: &[u8]) {
        const SAMPLE: u64 = 256 << 10;
        let len = text.len() as u64;
        let Some(expected) = self
            .expected_bytes
            .take_if(|expected| len >= SAMPLE.min(*expected))
        else {
            return;
        };
        let lines = crate::source::newlines(text) as u64 + 1;
        // 5% over the sampled density, and never past what the bytes could
        // hold or the limit.
        let estimate = u128::from(lines) * u128::from(expected) * 21 / (u128::from(len) * 20);
        let room = usize::try_from(estimate.min(u128::from(expected / MIN_RECORD_LINE + 1)))
            .unwrap_or(usize::MAX)
            .min(self.limits.max_records);
        // A hint that cannot be reserved is no error: the records grow as before.
        let _ = self
            .records
            .try_reserve(room.saturating_sub(self.records.len()));
    }

    /// Parse large pieces on the current rayon pool (as
    /// [`parse_records_parallel`]): the same records and errors.
    #[cfg(feature = "parallel")]
    pub fn parallel(mut self) -> RecordReader {
        self.parallel = true;
        self
    }

    /// The next piece of the bytes (any length; a line or a character may
    /// be split between pieces).
    pub fn feed(&mut self, piece: &[u8]) {
        self.bytes = self.bytes.saturating_add(piece.len());
        if self.not_utf8.is_some() {
            return;
        }
        if self.array.is_none() {
            self.held.extend_from_slice(piece);
            self.array = first_is_bracket(&self.held);
            if self.array == Some(false) {
                let held = std::mem::take(&mut self.held);
                self.lines(&held, false);
            }
            return;
        }
        if self.array == Some(true) {
            self.held.extend_from_slice(piece);
            return;
        }
        self.lines(piece, false);
    }

    /// JSON Lines: read the complete lines of `held` + `piece` (every line
    /// when `last`); keep the unfinished one.
    fn lines(&mut self, piece: &[u8], last: bool) {
        let mut piece = piece;
        if self.long.is_some() {
            // An overlong line goes on to the next newline.
            match piece.iter().position(|b| *b == b'\n') {
                Some(i) => {
                    let (line, rest) = piece.split_at(i);
                    self.long_bytes(line);
                    self.end_long();
                    self.newlines += 1;
                    piece = rest.get(1..).unwrap_or_default();
                }
                None => {
                    self.long_bytes(piece);
                    if last {
                        self.end_long();
                    }
                    return;
                }
            }
        }
        let cut = if last {
            piece.len()
        } else {
            match piece.iter().rposition(|b| *b == b'\n') {
                Some(i) => i + 1,
                None => {
                    self.held.extend_from_slice(piece);
                    self.check_long();
                    return;
                }
            }
        };
        let (mut done, rest) = piece.split_at(cut);
        if !self.held.is_empty() {
            // Only the held line is completed and read on its own: copying
            // the whole piece behind it took a fresh piece-sized buffer
            // (16 MB from the CLI) per piece. Lines end at a newline, a
            // character boundary, so the two parts read as one would.
            let first = done
                .iter()
                .position(|b| *b == b'\n')
                .map_or(done.len(), |i| i + 1);
            let (line_end, after) = done.split_at(first);
            let mut whole = std::mem::take(&mut self.held);
            whole.extend_from_slice(line_end);
            self.segment(&whole);
            done = after;
        }
        if !done.is_empty() {
            self.segment(done);
        }
        self.held.extend_from_slice(rest);
        self.check_long();
    }

    /// The unfinished line is already longer than the limit (its `\r`
    /// ends aside): count and check the rest of it instead of holding it,
    /// so that a hostile line is refused before it is in memory.
    fn check_long(&mut self) {
        let kept = self
            .held
            .iter()
            .rposition(|b| *b != b'\r')
            .map_or(0, |i| i + 1);
        if kept > self.limits.max_line_bytes {
            let held = std::mem::take(&mut self.held);
            self.long = Some(LongLine {
                blank: true,
                ..LongLine::default()
            });
            self.long_bytes(&held);
        }
    }

    /// More bytes of the overlong line (no newline among them).
    fn long_bytes(&mut self, bytes: &[u8]) {
        let line = self.newlines + 1;
        if self.nul.is_none() && bytes.contains(&0) {
            self.nul = Some(line);
        }
        let Some(long) = self.long.as_mut() else {
            return;
        };
        long.len += bytes.len();
        long.trailing_cr = match bytes.iter().rposition(|b| *b != b'\r') {
            Some(i) => bytes.len() - 1 - i,
            None => long.trailing_cr + bytes.len(),
        };
        if self.not_utf8.is_some() {
            return;
        }
        let mut text = std::mem::take(&mut long.tail);
        text.extend_from_slice(bytes);
        let valid = match std::str::from_utf8(&text) {
            Ok(_) => text.len(),
            // A character cut at the end: kept for the next piece.
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => {
                self.not_utf8 = Some(line);
                return;
            }
        };
        let (done, cut) = text.split_at(valid);
        if long.blank {
            long.blank = std::str::from_utf8(done).is_ok_and(|t| t.trim().is_empty());
        }
        long.tail = cut.to_vec();
    }

    /// The overlong line has ended: too long, unless it is blank (then it
    /// is skipped, as blank lines are) or an earlier problem came first.
    fn end_long(&mut self) {
        let Some(long) = self.long.take() else {
            return;
        };
        let line = self.newlines + 1;
        if !long.tail.is_empty() && self.not_utf8.is_none() {
            self.not_utf8 = Some(line);
        }
        if !long.blank && self.parsing() {
            self.failed = Some(
                too_long(long.len - long.trailing_cr, &self.limits)
                    .at_record(self.records.len(), Some(line)),
            );
        }
    }

    /// Whole lines: checked for UTF-8 and NUL, parsed unless an earlier
    /// problem stops parsing.
    fn segment(&mut self, bytes: &[u8]) {
        if self.not_utf8.is_some() {
            // Nothing after the first invalid UTF-8 matters.
            return;
        }
        // Checked and read on every core at once (checked first on this
        // thread, the piece kept the other cores waiting for a sixth of the
        // reading). Anything wrong, and it is checked and read below, as before.
        #[cfg(feature = "parallel")]
        if self.parallel && self.nul.is_none() && self.parsing() {
            self.reserve_expected(bytes);
            let limits = self.limits;
            if let Some(newlines) = parallel_lines(bytes, &limits, &mut self.records, self.newlines)
            {
                self.newlines += newlines;
                return;
            }
        }
        let line_at = |at: usize| self.newlines + crate::source::line_at(bytes, at);
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                self.not_utf8 = Some(line_at(e.valid_up_to()));
                return;
            }
        };
        if self.nul.is_none()
            && let Some(at) = memchr::memchr(0, bytes)
        {
            self.nul = Some(line_at(at));
        }
        if self.parsing() {
            self.reserve_expected(bytes);
            // Serial: the parallel reading above found something wrong.
            let limits = self.limits;
            if let Err(e) = read_lines(text, &limits, false, &mut self.records, self.newlines) {
                self.failed = Some(e);
            }
        }
        self.newlines += crate::source::newlines(bytes);
    }

    /// Whether lines are still parsed: no NUL, no bad record and no size
    /// past the limit so far (each an error before any later record's).
    fn parsing(&self) -> bool {
        self.nul.is_none() && self.failed.is_none() && self.bytes <= self.limits.max_input_bytes
    }

    /// Every piece fed: the records, or the first error.
    pub fn finish(mut self) -> Result<Vec<Record>> {
        if self.array == Some(true) {
            let held = std::mem::take(&mut self.held);
            let text = crate::source::utf8(held, ErrorCode::RecordSyntax)?;
            return parse_records_on(&text, &self.limits, self.parallel);
        }
        if self.not_utf8.is_none() {
            // All blank so far, or JSON Lines: the last line (any newline-less end).
            let held = std::mem::take(&mut self.held);
            self.lines(&held, true);
        }
        if let Some(line) = self.not_utf8 {
            return Err(crate::source::not_utf8(ErrorCode::RecordSyntax, line));
        }
        if self.bytes > self.limits.max_input_bytes {
            return Err(too_large(self.bytes, &self.limits));
        }
        if let Some(line) = self.nul {
            return Err(has_nul(line));
        }
        match self.failed {
            Some(e) => Err(e),
            None => Ok(self.records),
        }
    }
}

/// Whether the first non-blank character (a byte-order mark, spaces, tabs
/// and line ends are blank) is `[`; `None` while every byte is blank or the
/// start of a byte-order mark.
fn first_is_bracket(bytes: &[u8]) -> Option<bool> {
    let mut rest = bytes;
    loop {
        match rest {
            [b' ' | b'\t' | b'\r' | b'\n', tail @ ..] | [0xEF, 0xBB, 0xBF, tail @ ..] => {
                rest = tail
            }
            [] | [0xEF] | [0xEF, 0xBB] => return None,
            [first, ..] => return Some(*first == b'['),
        }
    }
}

/// The records are larger than the limit.
fn too_large(bytes: usize, limits: &Limits) -> Error {
    Error::new(
        ErrorCode::InputTooLarge,
        format!(
            "the records are {bytes} bytes, more than the limit of {}",
            limits.max_input_bytes
        ),
    )
}

/// A line of `bytes` is longer than the limit.
fn too_long(bytes: usize, limits: &Limits) -> Error {
    Error::new(
        ErrorCode::InputTooLarge,
        format!(
            "line is {bytes} bytes, more than the limit of {}",
            limits.max_line_bytes
        ),
    )
}

/// A NUL character at `line`.
fn has_nul(line: usize) -> Error {
    Error::new(
        ErrorCode::RecordSyntax,
        "the records contain a NUL character",
    )
    .at_record(0, Some(line))
    .tap(|e| e.location.record_index = None)
}

fn parse_records_on(text: &str, limits: &Limits, parallel: bool) -> Result<Vec<Record>> {
    if text.len() > limits.max_input_bytes {
        return Err(too_large(text.len(), limits));
    }
    if let Some(at) = text.find('\0') {
        return Err(has_nul(crate::source::line_at(text.as_bytes(), at)));
    }
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if trimmed.starts_with('[') {
        let value: Value = unique::from_str(text).map_err(|e| {
            let mut err = Error::new(
                unique::code(&e),
                format!(
                    "the records are not a valid JSON array: {}",
                    lower(&e.to_string())
                ),
            );
            err.location.line = Some(e.line() as u64);
            err.location.column = Some(e.column() as u64);
            err
        })?;
        let Value::Array(items) = value else {
            return Err(Error::new(
                ErrorCode::RecordSyntax,
                "the records must be a JSON array of objects",
            ));
        };
        if items.len() > limits.max_records {
            return Err(too_many(limits));
        }
        items
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                record_from_value(
                    v,
                    Origin {
                        index: i,
                        line: None,
                    },
                )
            })
            .collect()
    } else {
        let mut out = Vec::new();
        read_lines(text, limits, parallel, &mut out, 0)?;
        Ok(out)
    }
}

/// No valid record line is shorter: a bound on the records a number of
/// bytes can hold, for reserving room before parsing.
const MIN_RECORD_LINE: u64 = 32;

/// JSON Lines (blank lines skipped) appended to `out`: each record numbered
/// on from `out.len()`, each line from `lines_before + 1`. `parallel`: on
/// the current rayon pool when that helps; the same records and errors.
fn read_lines(
    text: &str,
    limits: &Limits,
    parallel: bool,
    out: &mut Vec<Record>,
    lines_before: usize,
) -> Result<()> {
    #[cfg(feature = "parallel")]
    if parallel && parallel_lines(text.as_bytes(), limits, out, lines_before).is_some() {
        return Ok(());
    }
    let _ = parallel;
    // Room for a record per line, reserved at once: grown by doubling, the
    // vectors of the 1M workload's chunks held up to twice the records'
    // memory. No valid record line is shorter than MIN_RECORD_LINE, so hostile
    // short lines cannot make this reserve more than the text could hold.
    let lines = crate::source::newlines(text.as_bytes()) + 1;
    let room = limits.max_records.saturating_sub(out.len());
    out.reserve(
        lines
            .min(text.len() / MIN_RECORD_LINE as usize + 1)
            .min(room),
    );
    for (line_no, line) in record_lines(text) {
        let origin = Origin {
            index: out.len(),
            line: NonZeroUsize::new(line_no + lines_before),
        };
        if line.len() > limits.max_line_bytes {
            return Err(too_long(line.len(), limits).at_record(origin.index, origin.line_number()));
        }
        if out.len() >= limits.max_records {
            return Err(too_many(limits));
        }
        out.push(parse_line(line, origin)?);
    }
    Ok(())
}

/// The lines of JSON Lines that hold a record, with their 1-based numbers
/// in `text`: a trailing `\r` dropped, blank lines skipped.
fn record_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(n, line)| (n + 1, line.trim_end_matches('\r')))
        .filter(|(_, line)| !line.trim().is_empty())
}

/// One JSON Lines record.
fn parse_line(line: &str, origin: Origin) -> Result<Record> {
    if let Some(event) = fast_event(line, origin) {
        return Ok(Record::Event(event));
    }
    let value: Value = unique::from_str(line).map_err(|e| {
        let mut err = Error::new(
            unique::code(&e),
            format!("invalid JSON: {}", lower(&e.to_string())),
        )
        .at_record(origin.index, origin.line_number());
        err.location.column = Some(e.column() as u64);
        err
    })?;
    record_from_value(value, origin)
}

/// JSON Lines of at least this many bytes are read in chunks on the
/// current rayon pool.
#[cfg(feature = "parallel")]
const PARALLEL_BYTES: usize = 4 << 20;

/// JSON Lines read in chunks of whole lines, one rayon task each, appended
/// to `out` in order with their global record indices and line numbers: the
/// records the serial reading gives. Each chunk is also checked on its core
/// (UTF-8, no NUL, no line over the limit) and its newlines counted: the
/// count of `bytes`' newlines when every line is read. `None` (and `out` as
/// it was) when there is nothing to gain (small input, one thread) or
/// anything is wrong (bad UTF-8, a NUL, a bad line, a limit): the serial
/// reading then finds the first problem and reports it as before.
#[cfg(feature = "parallel")]
fn parallel_lines(
    bytes: &[u8],
    limits: &Limits,
    out: &mut Vec<Record>,
    lines_before: usize,
) -> Option<usize> {
    use rayon::prelude::*;
    if bytes.len() < PARALLEL_BYTES {
        return None;
    }
    let threads = rayon::current_num_threads();
    if threads < 2 {
        return None;
    }
    // Chunks end just after a newline, so their lines are the text's lines
    // (and a newline ends a character, so each chunk is UTF-8 if all is).
    let target = bytes.len() / (threads * 8) + 1;
    let mut chunks = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let cut = match rest.get(target..).and_then(|t| memchr::memchr(b'\n', t)) {
            Some(i) => target + i + 1,
            None => rest.len(),
        };
        let (chunk, tail) = rest.split_at(cut);
        chunks.push(chunk);
        rest = tail;
    }
    // Per chunk, its non-blank lines with their 1-based numbers in the
    // chunk, and its newlines; then every line with its number in the text.
    /// A chunk's numbered non-blank lines and its newline count.
    type Split<'t> = Option<(Vec<(usize, &'t str)>, usize)>;
    let split: Vec<Split<'_>> = chunks
        .par_iter()
        .map(|chunk| {
            let text = std::str::from_utf8(chunk).ok()?;
            if memchr::memchr(0, chunk).is_some() {
                return None;
            }
            let lines: Vec<(usize, &str)> = record_lines(text).collect();
            // A line too long: the serial reading reports it.
            if lines.iter().any(|(_, l)| l.len() > limits.max_line_bytes) {
                return None;
            }
            Some((lines, crate::source::newlines(chunk)))
        })
        .collect();
    let total = split
        .iter()
        .try_fold(0usize, |n, p| p.as_ref().map(|(l, _)| n + l.len()))?;
    let base = out.len();
    if base.saturating_add(total) > limits.max_records {
        return None;
    }
    let mut lines: Vec<(usize, &str)> = Vec::with_capacity(total);
    let mut newlines = 0;
    for (chunk, count) in split.into_iter().flatten() {
        lines.extend(
            chunk
                .into_iter()
                .map(|(n, l)| (n + lines_before + newlines, l)),
        );
        newlines += count;
    }
    // Each record parsed straight into its place in one vector: parsed per
    // chunk and then concatenated, the records were written twice (on the
    // 1M workload, 1.2 GB copied and twice the memory while reading). A
    // line that fails leaves a placeholder and sends the whole text to the
    // serial reading, which reports the first error.
    let failed = std::sync::atomic::AtomicBool::new(false);
    out.par_extend(lines.par_iter().enumerate().map(|(i, (line_no, line))| {
        let origin = Origin {
            index: base + i,
            line: NonZeroUsize::new(*line_no),
        };
        parse_line(line, origin).unwrap_or_else(|_| {
            failed.store(true, std::sync::atomic::Ordering::Relaxed);
            Record::Exclusion(Box::new(ExclusionRecord {
                id: String::new(),
                reason: None,
                from: None,
                to: None,
                calendar: None,
                services: None,
                vendor: None,
                effect: Effect::Pause,
                unknown_fields: Vec::new(),
                origin,
            }))
        })
    }));
    if failed.into_inner() {
        out.truncate(base);
        return None;
    }
    Some(newlines)
}

/// The common lifecycle-event line, read without building a JSON tree.
///
/// Every known event field, as an unescaped string (borrowed from the line)
/// or null. Anything else — another kind, `attrs`, an unknown, duplicate or
/// non-string field, an escape, an empty required field, an invalid time, a
/// syntax error — fails here, and the line is read again by the general path,
/// which gives the record (or the error) exactly as before.
#[derive(serde::Deserialize, Default, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct FastEvent<'a> {
    #[serde(borrow, default)]
    kind: Option<&'a str>,
    #[serde(borrow, default)]
    deployment: Option<&'a str>,
    #[serde(borrow, default)]
    event: Option<&'a str>,
    #[serde(borrow, default)]
    time: Option<&'a str>,
    #[serde(borrow, default)]
    service: Option<&'a str>,
    #[serde(borrow, default)]
    environment: Option<&'a str>,
    #[serde(borrow, default)]
    release_type: Option<&'a str>,
    #[serde(borrow, default)]
    team: Option<&'a str>,
    #[serde(borrow, default)]
    id: Option<&'a str>,
}

fn fast_event(line: &str, origin: Origin) -> Option<Event> {
    let f: FastEvent<'_> = scan_event(line).or_else(|| serde_json::from_str(line).ok())?;
    if f.kind.is_some_and(|k| k != "event") {
        return None;
    }
    let deployment = f.deployment.filter(|d| !d.is_empty())?;
    let event = f.event.filter(|e| !e.is_empty())?;
    let time = instant::parse(f.time?).ok()?;
    let details = EventDetails {
        service: f.service.map(Text::from),
        environment: f.environment.map(Text::from),
        release_type: f.release_type.map(Text::from),
        team: f.team.map(Text::from),
        id: f.id.map(Text::from),
        attrs: None,
        unknown_fields: Vec::new(),
    };
    Some(
        Event::new(deployment, event, time)
            .with_details(details)
            .with_origin(origin),
    )
}

/// [`FastEvent`] read by hand from the line's bytes: one object of the
/// known fields, each a string without escapes or `null`, each once, JSON
/// whitespace between tokens. `None` for anything else, which serde then
/// reads (a test checks that whatever this reads, serde reads the same).
/// Most lines of a large file are this shape; this is several times faster
/// than the derived reader.
fn scan_event(line: &str) -> Option<FastEvent<'_>> {
    let b = line.as_bytes();
    let ws = |mut i: usize| {
        while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            i += 1;
        }
        i
    };
    let mut f = FastEvent::default();
    let mut i = ws(0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = ws(i + 1);
    if b.get(i) == Some(&b'}') {
        i += 1;
    } else {
        let mut seen = 0u16;
        loop {
            let (key, next) = plain_string(line, i)?;
            i = ws(next);
            if b.get(i) != Some(&b':') {
                return None;
            }
            i = ws(i + 1);
            let value = if b.get(i..i + 4) == Some(b"null") {
                i += 4;
                None
            } else {
                let (value, next) = plain_string(line, i)?;
                i = next;
                Some(value)
            };
            let (bit, slot) = match key {
                "kind" => (0, &mut f.kind),
                "deployment" => (1, &mut f.deployment),
                "event" => (2, &mut f.event),
                "time" => (3, &mut f.time),
                "service" => (4, &mut f.service),
                "environment" => (5, &mut f.environment),
                "release_type" => (6, &mut f.release_type),
                "team" => (7, &mut f.team),
                "id" => (8, &mut f.id),
                _ => return None,
            };
            if seen & (1 << bit) != 0 {
                return None;
            }
            seen |= 1 << bit;
            *slot = value;
            i = ws(i);
            match b.get(i) {
                Some(b',') => i = ws(i + 1),
                Some(b'}') => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (ws(i) == b.len()).then_some(f)
}

/// The JSON string starting at byte `at` (its opening quote) and the byte
/// after its closing quote; `None` unless it has no escape and no control
/// character (serde reads those).
fn plain_string(line: &str, at: usize) -> Option<(&str, usize)> {
    let b = line.as_bytes();
    if b.get(at) != Some(&b'"') {
        return None;
    }
    let body = b.get(at + 1..)?;
    let end = body
        .iter()
        .position(|&c| !crate::source::plain_in_json_string(c))?;
    if body.get(end) != Some(&b'"') {
        return None;
    }
    Some((line.get(at + 1..at + 1 + end)?, at + end + 2))
}

fn too_many(limits: &Limits) -> Error {
    Error::new(
        ErrorCode::InputTooLarge,
        format!("more than {} records", limits.max_records),
    )
}

fn lower(s: &str) -> String {
    // serde_json messages are already lowercase but carry " at line N column M".
    match s.find(" at line ") {
        Some(i) => s.get(..i).unwrap_or(s).to_string(),
        None => s.to_string(),
    }
}

trait Tap: Sized {
    fn tap(self, f: impl FnOnce(&mut Self)) -> Self;
}
impl Tap for Error {
    fn tap(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }
}

/// Field reader over one JSON object, with errors that name the field and record.
struct Fields {
    map: Map<String, Value>,
    origin: Origin,
    kind: &'static str,
}

impl Fields {
    fn err(&self, code: ErrorCode, field: &str, message: String) -> Error {
        Error::new(code, message)
            .at_record(self.origin.index, self.origin.line_number())
            .at_path(format!("/{field}"))
    }

    fn opt_str(&mut self, field: &str) -> Result<Option<String>> {
        match self.map.remove(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.err(
                ErrorCode::InvalidRecordField,
                field,
                format!(
                    "field `{field}` of {} record must be a string, not `{}`",
                    self.kind,
                    short(&other)
                ),
            )),
        }
    }

    fn req_str(&mut self, field: &str) -> Result<String> {
        match self.opt_str(field)? {
            Some(s) if !s.is_empty() => Ok(s),
            Some(_) => Err(self.err(
                ErrorCode::MissingRecordField,
                field,
                format!("field `{field}` of {} record is empty", self.kind),
            )),
            None => Err(self.err(
                ErrorCode::MissingRecordField,
                field,
                format!(
                    "{} record is missing the required field `{field}`",
                    self.kind
                ),
            )),
        }
    }

    fn opt_instant(&mut self, field: &str) -> Result<Option<i64>> {
        match self.opt_str(field)? {
            None => Ok(None),
            Some(s) => instant::parse(&s).map(Some).map_err(|e| {
                self.err(
                    ErrorCode::InvalidInstant,
                    field,
                    format!("field `{field}`: {}", e.message(&s)),
                )
            }),
        }
    }

    fn req_instant(&mut self, field: &str) -> Result<i64> {
        match self.opt_instant(field)? {
            Some(t) => Ok(t),
            None => Err(self.err(
                ErrorCode::MissingRecordField,
                field,
                format!(
                    "{} record is missing the required field `{field}`",
                    self.kind
                ),
            )),
        }
    }

    fn opt_bool(&mut self, field: &str) -> Result<Option<bool>> {
        match self.map.remove(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(self.err(
                ErrorCode::InvalidRecordField,
                field,
                format!(
                    "field `{field}` of {} record must be true or false, not `{}`",
                    self.kind,
                    short(&other)
                ),
            )),
        }
    }

    fn opt_str_list(&mut self, field: &str) -> Result<Option<Vec<String>>> {
        match self.map.remove(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::String(s) => out.push(s),
                        other => {
                            return Err(self.err(
                                ErrorCode::InvalidRecordField,
                                field,
                                format!(
                                    "field `{field}` must list strings, not `{}`",
                                    short(&other)
                                ),
                            ));
                        }
                    }
                }
                Ok(Some(out))
            }
            Some(other) => Err(self.err(
                ErrorCode::InvalidRecordField,
                field,
                format!(
                    "field `{field}` of {} record must be a list of strings, not `{}`",
                    self.kind,
                    short(&other)
                ),
            )),
        }
    }

    fn effect(&mut self) -> Result<Effect> {
        match self.opt_str("effect")?.as_deref() {
            None | Some("pause") => Ok(Effect::Pause),
            Some("exclude") => Ok(Effect::Exclude),
            Some(other) => Err(self.err(
                ErrorCode::InvalidRecordField,
                "effect",
                format!("unknown effect `{other}`; expected `pause` or `exclude`"),
            )),
        }
    }

    fn rest(self) -> Vec<String> {
        self.map.into_iter().map(|(k, _)| k).collect()
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        let cut: String = s.chars().take(40).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// Convert one JSON value (from any source: a file or a binding's native
/// object) into a record.
pub fn record_from_value(value: Value, origin: Origin) -> Result<Record> {
    let Value::Object(map) = value else {
        return Err(Error::new(
            ErrorCode::RecordSyntax,
            format!("a record must be a JSON object, not `{}`", short(&value)),
        )
        .at_record(origin.index, origin.line_number()));
    };
    let mut f = Fields {
        map,
        origin,
        kind: "event",
    };
    let kind = f.opt_str("kind")?.unwrap_or_else(|| "event".to_string());
    let rec = match kind.as_str() {
        "event" => {
            let deployment = f.req_str("deployment")?;
            let event = f.req_str("event")?;
            let time = f.req_instant("time")?;
            let attrs = match f.map.remove("attrs") {
                None | Some(Value::Null) => None,
                Some(Value::Object(m)) => Some(m),
                Some(other) => {
                    return Err(f.err(
                        ErrorCode::InvalidRecordField,
                        "attrs",
                        format!("field `attrs` must be an object, not `{}`", short(&other)),
                    ));
                }
            };
            let details = EventDetails {
                service: f.opt_str("service")?.map(Text::from),
                environment: f.opt_str("environment")?.map(Text::from),
                release_type: f.opt_str("release_type")?.map(Text::from),
                team: f.opt_str("team")?.map(Text::from),
                id: f.opt_str("id")?.map(Text::from),
                attrs,
                unknown_fields: f.rest(),
            };
            Record::Event(
                Event::new(deployment, event, time)
                    .with_details(details)
                    .with_origin(origin),
            )
        }
        "outage" => {
            f.kind = "outage";
            let mut o = Outage {
                id: f.opt_str("id")?,
                service: f.req_str("service")?,
                from: f.req_instant("from")?,
                to: f.opt_instant("to")?,
                vendor: f.opt_str("vendor")?,
                unknown_fields: Vec::new(),
                origin,
            };
            check_order(&f, o.from, o.to, "to")?;
            o.unknown_fields = f.rest();
            Record::Outage(Box::new(o))
        }
        "incident" => {
            f.kind = "incident";
            let mut i = Incident {
                id: f.req_str("id")?,
                service: f.req_str("service")?,
                opened: f.req_instant("opened")?,
                resolved: f.opt_instant("resolved")?,
                deployment: f.opt_str("deployment")?,
                severity: f.opt_str("severity")?,
                unknown_fields: Vec::new(),
                origin,
            };
            check_order(&f, i.opened, i.resolved, "resolved")?;
            i.unknown_fields = f.rest();
            Record::Incident(Box::new(i))
        }
        "exclusion" => {
            f.kind = "exclusion";
            let mut x = ExclusionRecord {
                id: f.req_str("id")?,
                reason: f.opt_str("reason")?,
                from: f.opt_instant("from")?,
                to: f.opt_instant("to")?,
                calendar: f.opt_str("calendar")?,
                services: f.opt_str_list("services")?,
                vendor: f.opt_str("vendor")?,
                effect: f.effect()?,
                unknown_fields: Vec::new(),
                origin,
            };
            match (&x.calendar, x.from, x.to) {
                (None, Some(from), Some(to)) => check_order(&f, from, Some(to), "to")?,
                (Some(_), None, None) => {}
                (Some(_), _, _) => {
                    return Err(f.err(
                        ErrorCode::InvalidRecordField,
                        "calendar",
                        format!(
                            "exclusion `{}` gives both `calendar` and `from`/`to`; use one",
                            x.id
                        ),
                    ));
                }
                (None, None, _) => {
                    return Err(f.err(
                        ErrorCode::MissingRecordField,
                        "from",
                        format!(
                            "exclusion `{}` needs `from` and `to` (or a `calendar`)",
                            x.id
                        ),
                    ));
                }
                (None, Some(_), None) => {
                    return Err(f.err(
                        ErrorCode::MissingRecordField,
                        "to",
                        format!("exclusion `{}` needs `to`", x.id),
                    ));
                }
            }
            x.unknown_fields = f.rest();
            Record::Exclusion(Box::new(x))
        }
        "exception" => {
            f.kind = "exception";
            let mut x = ExceptionRecord {
                id: f.req_str("id")?,
                services: f.opt_str_list("services")?,
                deployments: f.opt_str_list("deployments")?,
                from: f.req_instant("from")?,
                to: f.req_instant("to")?,
                emergency: f.opt_bool("emergency")?.unwrap_or(false),
                approved_by: f.opt_str("approved_by")?,
                justification: f.opt_str("justification")?,
                justified_at: f.opt_instant("justified_at")?,
                unknown_fields: Vec::new(),
                origin,
            };
            check_order(&f, x.from, Some(x.to), "to")?;
            x.unknown_fields = f.rest();
            Record::Exception(Box::new(x))
        }
        other => {
            return Err(f.err(
                ErrorCode::UnknownRecordKind,
                "kind",
                format!("unknown record kind `{other}`; expected one of event, outage, incident, exclusion, exception"),
            ));
        }
    };
    Ok(rec)
}

fn check_order(f: &Fields, from: i64, to: Option<i64>, field: &str) -> Result<()> {
    match to {
        Some(to) if to < from => Err(f.err(
            ErrorCode::InvalidInterval,
            field,
            format!(
                "{} record ends at `{}`, before it starts at `{}`",
                f.kind,
                instant::format(to),
                instant::format(from)
            ),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use proptest::prelude::*;

    /// A JSON token, mostly what an event line holds, sometimes what the
    /// direct reading must leave to serde.
    fn token() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            8 => prop::sample::select(vec![
                "kind", "deployment", "event", "time", "service", "environment",
                "release_type", "team", "id",
            ]).prop_map(|k| format!("\"{k}\"")),
            1 => prop::sample::select(vec!["\"attrs\"", "\"other\"", "\"ti\\u006de\"", "\"Kind\"", "kind"])
                .prop_map(String::from),
        ];
        let value = prop_oneof![
            6 => "[a-z0-9:T.-]{0,12}".prop_map(|v| format!("\"{v}\"")),
            1 => Just("\"2026-01-01T00:00:00Z\"".to_string()),
            1 => Just("null".to_string()),
            1 => prop::sample::select(vec![
                "\"a\\\"b\"", "\"\\n\"", "\"\u{1}\"", "\"é\"", "1", "true", "{}", "[]", "nul",
                "nullx", "\"", "\"unterminated",
            ]).prop_map(String::from),
        ];
        let ws = prop::sample::select(vec!["", "", "", " ", "\t", "\r", "\n", "  ", "\u{a0}"]);
        (key, ws.clone(), ws.clone(), value, ws)
            .prop_map(|(k, a, b, v, c)| format!("{a}{k}{b}:{c}{v}"))
    }

    /// A line of such fields, with the usual punctuation or a slip in it.
    fn line() -> impl Strategy<Value = String> {
        let sep = prop::sample::select(vec![",", ",", ",", ", ", ";", ",,", ""]);
        (
            prop::collection::vec((token(), sep), 0..8),
            prop::sample::select(vec!["{", "{", " {", "[", ""]),
            prop::sample::select(vec!["}", "}", "} ", "}}", "}x", "", ",}"]),
        )
            .prop_map(|(fields, open, close)| {
                let mut out = String::from(open);
                for (i, (f, sep)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push_str(sep);
                    }
                    out.push_str(f);
                }
                out.push_str(close);
                out
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        /// Whatever the direct reading reads, serde's derived reader reads
        /// the same; and a plain event line is read directly.
        #[test]
        fn the_direct_reading_agrees_with_serde(line in line()) {
            if let Some(direct) = scan_event(&line) {
                let serde: FastEvent<'_> = serde_json::from_str(&line)
                    .map_err(|e| TestCaseError::fail(format!("{line}: {e}")))?;
                prop_assert_eq!(direct, serde, "{}", line);
            }
        }
    }

    #[test]
    fn plain_event_lines_are_read_directly() {
        let line = r#"{"deployment":"d-1","event":"merged","time":"2026-01-01T00:00:00Z","service":"s","environment":null, "team" : "t" }"#;
        let f = scan_event(line).unwrap();
        assert_eq!(f.deployment, Some("d-1"));
        assert_eq!(f.environment, None);
        assert_eq!(f.team, Some("t"));
        assert_eq!(scan_event("{}"), Some(FastEvent::default()));
        for refused in [
            r#"{"deployment":"d","deployment":"e"}"#,
            r#"{"deployment":"a\"b"}"#,
            r#"{"deployment":"d","attrs":{}}"#,
            r#"{"deployment":"d"} x"#,
            r#"{"deployment":"d",}"#,
            r#"{"deployment":1}"#,
        ] {
            assert_eq!(scan_event(refused), None, "{refused}");
        }
    }

    const EVENT: &[u8] =
        br#"{"deployment":"d","event":"merged","time":"2026-01-01T00:00:00Z","service":"s"}"#;

    /// A line longer than the limit is counted, not held (ADVERSARIAL 34:
    /// a hostile line is refused before it is in memory); a blank one that
    /// long is skipped, as blank lines are.
    #[test]
    fn an_overlong_line_is_counted_not_held() {
        let limits = Limits {
            max_line_bytes: 1_000,
            ..Limits::default()
        };
        let mut r = RecordReader::with_limits(limits);
        r.feed(EVENT);
        r.feed(b"\n");
        for _ in 0..1_024 {
            r.feed(&[b'x'; 4_096]);
            assert!(r.held.len() <= 1_000 + 4_096, "{}", r.held.len());
        }
        r.feed(b"\r\r\n   \n");
        let e = r.finish().unwrap_err();
        assert_eq!(e.code, ErrorCode::InputTooLarge);
        assert_eq!(
            e.message,
            "line is 4194304 bytes, more than the limit of 1000"
        );
        assert_eq!(
            (e.location.record_index, e.location.line),
            (Some(1), Some(2))
        );

        let mut r = RecordReader::with_limits(limits);
        r.feed(EVENT);
        r.feed(b"\n");
        for _ in 0..100 {
            r.feed(&[b' '; 4_096]);
            assert!(r.held.len() <= 1_000 + 4_096);
        }
        r.feed(b"\n");
        r.feed(EVENT);
        let records = r.finish().unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(
            records[1].origin(),
            Origin {
                index: 1,
                line: NonZeroUsize::new(3)
            }
        );
    }

    /// Told the input's size, a reader reserves room for its records once,
    /// at the first large piece, and never grows it: the same records as
    /// without the hint, and a hint too small or too large changes nothing
    /// but the room.
    #[test]
    fn an_expected_size_reserves_room_for_the_records_once() {
        let mut text = Vec::new();
        for i in 0..20_000 {
            text.extend_from_slice(
                format!("{{\"deployment\":\"d-{i}\",\"event\":\"merged\",\"time\":\"2026-01-01T00:00:00Z\"}}\n")
                    .as_bytes(),
            );
        }
        let read = |hint: Option<u64>| {
            let mut r = RecordReader::new();
            if let Some(bytes) = hint {
                r = r.expecting(bytes);
            }
            let mut room = Vec::new();
            for piece in text.chunks(300_000) {
                r.feed(piece);
                room.push(r.records.capacity());
            }
            (r.finish().unwrap(), room)
        };
        let (plain, grown) = read(None);
        assert_eq!(plain.len(), 20_000);
        assert!(grown.windows(2).any(|w| w[0] < w[1]), "{grown:?}");
        let (hinted, room) = read(Some(text.len() as u64));
        assert_eq!(hinted, plain);
        assert!((20_000..=21_500).contains(&room[0]), "{room:?}");
        assert!(room.iter().all(|r| *r == room[0]), "{room:?}");
        for hint in [1_000, text.len() as u64 / 3, text.len() as u64 * 4] {
            assert_eq!(read(Some(hint)).0, plain, "{hint}");
        }
    }

    /// The fast event path and the general path agree on every line: the
    /// same record, or the same error (the fast path declines those).
    #[test]
    fn the_fast_event_path_reads_what_the_general_path_reads() {
        let lines = [
            r#"{"deployment":"d1","event":"started","time":"2026-03-01T00:00:00Z","service":"a"}"#,
            r#"{"kind":"event","deployment":"d1","event":"merged","time":"2026-03-01T01:02:03.456+05:30","environment":"prod","release_type":"minor","team":"t","id":"e-1"}"#,
            r#"{"deployment":"d1","event":"merged","time":"2026-03-01T00:00:00Z","service":null,"team":null}"#,
            r#"{"deployment":"d\u00e9","event":"merged","time":"2026-03-01T00:00:00Z"}"#,
            r#"{"deployment":"d1","event":"merged","time":"2026-03-01T00:00:00Z","extra":1}"#,
            r#"{"deployment":"d1","event":"merged","time":"2026-03-01T00:00:00Z","attrs":{"a":1}}"#,
            r#"{"deployment":"d1","deployment":"d2","event":"merged","time":"2026-03-01T00:00:00Z"}"#,
            r#"{"deployment":"","event":"merged","time":"2026-03-01T00:00:00Z"}"#,
            r#"{"deployment":"d1","event":"merged","time":"2026-03-01T00:00:00"}"#,
            r#"{"deployment":"d1","event":"merged","time":"2026-03-01T23:59:60Z"}"#,
            r#"{"deployment":"d1","event":"merged"}"#,
            r#"{"deployment":1,"event":"merged","time":"2026-03-01T00:00:00Z"}"#,
            r#"{"kind":"outage","service":"a","from":"2026-03-01T00:00:00Z"}"#,
            r#"{"kind":"bogus","deployment":"d1"}"#,
            r#"{"deployment":"d1","event":"merged","time":"2026-03-01T00:00:00Z"} x"#,
            r#"["not an object"]"#,
        ];
        for (n, line) in lines.iter().enumerate() {
            let origin = Origin {
                index: 0,
                line: NonZeroUsize::new(1),
            };
            let general = unique::from_str(line)
                .map_err(|e| e.to_string())
                .and_then(|v| record_from_value(v, origin).map_err(|e| e.to_string()));
            let parsed = parse_records(line).map_err(|e| e.to_string());
            assert_eq!(
                general.is_ok(),
                parsed.is_ok(),
                "line {n}: {general:?} vs {parsed:?}"
            );
            if let (Ok(g), Ok(p)) = (&general, &parsed) {
                assert_eq!(std::slice::from_ref(g), p.as_slice(), "line {n}");
            }
            if let Some(e) = fast_event(line, origin) {
                assert_eq!(general.as_ref().ok(), Some(&Record::Event(e)), "line {n}");
            }
        }
        assert!(fast_event(lines[0], Origin::default()).is_some());
        assert!(fast_event(lines[3], Origin::default()).is_none());
        assert!(fast_event(lines[6], Origin::default()).is_none());
    }

    fn arb_text() -> impl proptest::strategy::Strategy<Value = String> {
        // Quotes, backslashes, control characters and non-ASCII: every
        // escaping rule serde_json has.
        "[a-z0-9\"\\\\\u{0}-\u{1f}é€😀 -]{0,12}"
    }

    proptest::proptest! {
        /// The direct event writer gives the bytes of the definition (a
        /// serde_json tree with sorted keys), for any field present or not.
        #[test]
        fn canonical_event_writer_equals_the_value_form(
            deployment in arb_text(),
            event in arb_text(),
            time in -62_135_596_800_000_i64..253_402_300_799_999,
            opt in proptest::collection::vec(proptest::option::of(arb_text()), 5),
            attrs in proptest::option::of(proptest::collection::btree_map(arb_text(), arb_text(), 0..3)),
        ) {
            let mut it = opt.into_iter();
            let mut next = || it.next().flatten().map(Text::from);
            let e = Event::new(deployment, event, time).with_details(EventDetails {
                service: next(),
                environment: next(),
                release_type: next(),
                team: next(),
                id: next(),
                attrs: attrs.map(|m| m.into_iter().map(|(k, v)| (k, Value::String(v))).collect()),
                unknown_fields: vec!["extra".into()],
            });
            let r = Record::Event(e);
            proptest::prop_assert_eq!(r.canonical_json(), r.canonical_json_by_value());
        }
    }

    #[test]
    fn a_record_stays_small() {
        // A history is millions of events: the optional fields are boxed
        // and the rarer kinds too (256 bytes a record before).
        assert!(std::mem::size_of::<Record>() <= 80);
        assert!(std::mem::size_of::<Event>() <= 80);
        let plain = Event::new("d1", "started", 0);
        assert!(std::mem::size_of::<Details>() <= 128);
        assert!(
            plain
                .clone()
                .with_details(EventDetails::default())
                .details
                .is_none()
        );
        let e = plain.clone().with_details(EventDetails {
            team: Some("core".into()),
            ..EventDetails::default()
        });
        assert_eq!(
            (e.team(), e.service(), e.unknown_fields().len()),
            (Some("core"), None, 0)
        );
        // Attributes and unknown fields only are boxed apart.
        assert!(e.details.as_deref().is_some_and(|d| d.rare.is_none()));
        // What is given is what is read back, every field.
        let mut attrs = Map::new();
        attrs.insert("pr".into(), Value::from(7));
        let all = EventDetails {
            service: Some("s".into()),
            environment: Some("production".into()),
            release_type: Some("minor".into()),
            team: Some("core".into()),
            id: Some("e-1".into()),
            attrs: Some(attrs),
            unknown_fields: vec!["extra".into()],
        };
        let e = plain.clone().with_details(all.clone());
        assert_eq!(e.details(), all);
        assert_eq!(
            (
                e.environment(),
                e.release_type(),
                e.id(),
                e.unknown_fields()
            ),
            (
                Some("production"),
                Some("minor"),
                Some("e-1"),
                &["extra".to_string()][..]
            )
        );
        let only_unknown = EventDetails {
            unknown_fields: vec!["extra".into()],
            ..EventDetails::default()
        };
        assert_eq!(
            plain.with_details(only_unknown.clone()).details(),
            only_unknown
        );
    }

    #[test]
    fn jsonl_and_array_give_the_same_records() {
        let jsonl = "{\"deployment\":\"d1\",\"event\":\"started\",\"time\":\"2026-03-01T00:00:00Z\",\"service\":\"a\"}\n\n{\"kind\":\"outage\",\"service\":\"a\",\"from\":\"2026-03-01T01:00:00+01:00\"}\n";
        let array = format!(
            "[{}]",
            jsonl
                .trim()
                .lines()
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(",")
        );
        let a = parse_records(jsonl).unwrap_or_default();
        let b = parse_records(&array).unwrap_or_default();
        assert_eq!(a.len(), 2);
        assert_eq!(
            a.iter().map(Record::canonical_json).collect::<Vec<_>>(),
            b.iter().map(Record::canonical_json).collect::<Vec<_>>()
        );
    }

    #[test]
    fn errors_name_line_and_field() {
        let text = "{\"deployment\":\"d1\",\"event\":\"started\",\"time\":\"2026-03-01T00:00:00Z\"}\n{\"deployment\":\"d1\",\"event\":\"x\",\"time\":\"2026-03-01T00:00:00\"}\n";
        let e = parse_records(text).err();
        let e = e.as_ref();
        assert_eq!(e.map(|e| e.code), Some(ErrorCode::InvalidInstant));
        assert_eq!(e.and_then(|e| e.location.line), Some(2));
        assert_eq!(e.and_then(|e| e.location.record_index), Some(1));
        assert_eq!(
            e.and_then(|e| e.location.path.clone()).as_deref(),
            Some("/time")
        );
        assert!(e.is_some_and(|e| e.message.contains("no UTC offset")));
    }
}

/// JSON text to a [`Value`] like `serde_json::from_str`, but refusing a key
/// that appears twice in one object (ADVERSARIAL 30): serde_json keeps the
/// last one silently. The check is the `insert` the map does anyway.
mod unique {
    use std::fmt;

    use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde_json::map::Entry;
    use serde_json::{Map, Number, Value};

    use crate::error::ErrorCode;

    /// The start of the message of a duplicate-key error.
    const DUPLICATE: &str = "duplicate key `";

    /// Parse `text`; a duplicate key is an error naming the key.
    pub(super) fn from_str(text: &str) -> serde_json::Result<Value> {
        serde_json::from_str::<Unique>(text).map(|u| u.0)
    }

    /// `E211` for a duplicate key, `E200` for any other JSON error.
    pub(super) fn code(e: &serde_json::Error) -> ErrorCode {
        if e.is_data() && e.to_string().starts_with(DUPLICATE) {
            ErrorCode::DuplicateRecordKey
        } else {
            ErrorCode::RecordSyntax
        }
    }

    struct Unique(Value);

    impl<'de> Deserialize<'de> for Unique {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Unique, D::Error> {
            d.deserialize_any(UniqueVisitor)
        }
    }

    struct UniqueVisitor;

    impl<'de> Visitor<'de> for UniqueVisitor {
        type Value = Unique;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Unique, E> {
            Ok(Unique(Value::Bool(v)))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Unique, E> {
            Ok(Unique(Value::Number(v.into())))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Unique, E> {
            Ok(Unique(Value::Number(v.into())))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Unique, E> {
            Ok(Unique(
                Number::from_f64(v).map_or(Value::Null, Value::Number),
            ))
        }
        fn visit_str<E>(self, v: &str) -> Result<Unique, E> {
            Ok(Unique(Value::String(v.to_owned())))
        }
        fn visit_string<E>(self, v: String) -> Result<Unique, E> {
            Ok(Unique(Value::String(v)))
        }
        fn visit_unit<E>(self) -> Result<Unique, E> {
            Ok(Unique(Value::Null))
        }
        fn visit_none<E>(self) -> Result<Unique, E> {
            Ok(Unique(Value::Null))
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Unique, D::Error> {
            Unique::deserialize(d)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Unique, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
            while let Some(Unique(v)) = seq.next_element()? {
                out.push(v);
            }
            Ok(Unique(Value::Array(out)))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Unique, A::Error> {
            let mut out = Map::new();
            while let Some(key) = map.next_key::<String>()? {
                let Unique(value) = map.next_value()?;
                match out.entry(key) {
                    Entry::Vacant(slot) => {
                        slot.insert(value);
                    }
                    Entry::Occupied(slot) => {
                        return Err(de::Error::custom(format_args!(
                            "{DUPLICATE}{}` in one JSON object; a record gives each field once",
                            slot.key()
                        )));
                    }
                }
            }
            Ok(Unique(Value::Object(out)))
        }
    }
}
