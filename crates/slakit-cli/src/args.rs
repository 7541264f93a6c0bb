//! The command line surface: subcommands, flags and their help texts.

use clap::{Args, Parser, Subcommand, ValueEnum};

const ABOUT: &str =
    "Evaluate release and deployment SLAs from a policy and a stream of deployment records";

const LONG_ABOUT: &str = "\
Evaluate release and deployment SLAs from a policy and a stream of deployment records.

A policy (YAML or JSON) says what is promised: lead times, success and change
failure rates, deployment frequency, rollback and restore times, per tier of
service. Records (JSON Lines or a JSON array) say what happened: lifecycle
events of each deployment, outages, incidents, exclusions and approved
exceptions. slakit reads both and reports, per SLA, window and segment,
whether the promise was kept at a given instant (`--as-of`).

The same inputs always give the same report, byte for byte.";

const AFTER_HELP: &str = "\
Examples:
  slakit check --policy release-sla.yaml
  slakit evaluate --policy release-sla.yaml --records deploys.jsonl
  slakit evaluate --policy release-sla.yaml --records jan.jsonl --records feb.jsonl \\
      --as-of 2026-03-01T00:00:00Z --format markdown --out report.md
  ./export-deploys.sh | slakit evaluate --policy release-sla.yaml --records - --as-of now
  slakit explain --policy release-sla.yaml --records deploys.jsonl --deployment d-1042
  slakit baseline --policy release-sla.yaml --records deploys.jsonl

Exit codes:
  0  ok
  1  a result row is breached and --fail-on-breach was given, or `gate` denies
  2  bad input (policy, records) or bad usage (flags, --as-of, --at, missing file)";

/// The `slakit` command line.
#[derive(Debug, Parser)]
#[command(
    name = "slakit",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = AFTER_HELP,
    propagate_version = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate every SLA of a policy against deployment records
    #[command(
        long_about = "\
Evaluate every SLA of a policy against deployment records and print the report.

The report has one row per SLA, window and segment (tier and the policy's
`group_by` keys) with its status (met, breached, at_risk, no_data), the counts
behind it, the error budget, every breach with the records that decided it,
the deployments still in flight with their deadline (`breach_at`), the
exclusions and exceptions in force now, and governance findings.

Without --as-of the report is taken at the latest lifecycle event in the
records. Events after --as-of are treated as not having happened yet.",
        after_help = "\
Examples:
  slakit evaluate --policy sla.yaml --records deploys.jsonl
  slakit evaluate -p sla.yaml -r deploys.jsonl -r incidents.jsonl --as-of now --format json
  slakit evaluate -p sla.yaml -r deploys.jsonl --fail-on-breach --format csv --out q1.csv
  slakit evaluate -p sla.yaml -r deploys.jsonl --format html --out dashboard.html"
    )]
    Evaluate(EvaluateArgs),

    /// Validate a policy and list its warnings
    #[command(long_about = "\
Validate a policy and list its warnings.

Exits 0 when the policy is valid, even with warnings (for example a `2d`
target on a business-hours calendar, which means 48 business hours, not two
working days). Exits 2 with the error and its location when it is not.")]
    Check(CheckArgs),

    /// Show one deployment's SLA clocks as a timeline
    #[command(
        long_about = "\
Show one deployment's SLA clocks as a timeline, like an ITSM SLA timeline.

For every SLA of the policy: the deployment's state, elapsed time against the
target and, for a clock still running, the deadline (`breach_at`); then each
step of the clock: when it started, each stretch counted, each pause (approval
waits, maintenance) and each stretch the business calendar was closed, and
when it stopped. Times are UTC.",
        after_help = "\
Example:
  slakit explain --policy sla.yaml --records deploys.jsonl --deployment d-1042 --as-of now"
    )]
    Explain(ExplainArgs),

    /// May this deployment proceed now? (a pipeline gate)
    #[command(
        long_about = "\
Decide whether a deployment may proceed: the policy's `gates` (blackouts,
deploy hours, required canary, circuit breaker, error budget) are checked
against the history in the records at --at.

Exit status: 0 allow, 1 deny, 2 bad input. Every denial names the gate, its
id and the evidence. An `emergency` release covered by an `emergency: true`
exception is allowed; the denials are then reported as findings, to be
justified afterwards.",
        after_help = "\
Example (a CI step that stops the deploy on exit 1):
  slakit gate --policy sla.yaml --records history.jsonl --at now \\
    --deployment '{\"deployment\": \"d-1042\", \"service\": \"checkout\", \"environment\": \"production\"}'"
    )]
    Gate(GateArgs),

    /// Suggest achievable targets from history (a YAML snippet to paste)
    #[command(
        long_about = "\
Suggest targets from history alone, so that objectives are achievable, not
aspirational.

For each SLA of the policy (or, without --policy, of slakit's default policy:
lead time merged -> health_validated, deploy duration started -> succeeded,
rollback time, success and change failure rates, weekly deployment
frequency), per tier and `group_by` group: nearest-rank percentiles (p50,
p90, p95, p99 and the objective's) of the measured clock times, current
success and failure rates per window, deployments per window. Each
suggestion states the compliance it would have had over the same history,
counted as `slakit evaluate` would count it once pasted back, and every
deployment not measured is accounted for (in flight, unmeasured, cancelled,
excluded, suspended).

The output is a `slas:` section to replace the policy's (without --policy, a
complete policy). docs/baseline.md explains how to read it.",
        after_help = "\
Examples:
  slakit baseline --records deploys.jsonl
  slakit baseline --policy sla.yaml --records deploys.jsonl --as-of 2026-04-01T00:00:00Z
  slakit baseline -p sla.yaml -r deploys.jsonl --format json --out baseline.json"
    )]
    Baseline(BaselineArgs),

    /// Write a seeded synthetic workload (records and a matching policy) for benchmarks
    #[command(
        long_about = "\
Write a seeded synthetic workload for benchmarks and load tests: DIR/records.jsonl
and a matching DIR/policy.yaml (valid per `slakit check`).

N services (default 500) in five regions (New York, London, Berlin, Kolkata,
Sydney, each with a business calendar), deployments spread over 24 months from
2025-01-01: about 30% wait for an approval granted in office hours (often
across a night or a weekend), some fail and are rolled back, some cause
incidents or are followed by outages; a weekly maintenance calendar exclusion
(Sundays 01:00-04:00 New York) spans the DST changes.

The same arguments give byte-identical files.",
        after_help = "\
Examples:
  slakit generate --out /tmp/w1m --preset 1m
  slakit generate --out small --deployments 10000 --services 50 --seed 7
  slakit evaluate --policy small/policy.yaml --records small/records.jsonl --format json"
    )]
    Generate(GenerateArgs),
}

/// Sizes of `slakit generate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// One million deployments (about 4.6 million events, 0.4 GB)
    #[value(name = "1m")]
    OneMillion,
    /// Ten million deployments (about 46 million events, 4 GB)
    #[value(name = "10m")]
    TenMillion,
}

impl Preset {
    /// The number of deployments.
    pub fn deployments(self) -> u64 {
        match self {
            Preset::OneMillion => 1_000_000,
            Preset::TenMillion => 10_000_000,
        }
    }
}

/// `slakit generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The directory to write `records.jsonl` and `policy.yaml` into (created
    /// if missing; existing files are replaced)
    #[arg(short, long, value_name = "DIR")]
    pub out: String,

    /// A named size (default: 1m)
    #[arg(long, value_enum, conflicts_with = "deployments")]
    pub preset: Option<Preset>,

    /// The number of deployments, instead of a preset
    #[arg(short, long, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=crate::generate::MAX_DEPLOYMENTS))]
    pub deployments: Option<u64>,

    /// The number of services
    #[arg(long, value_name = "N", default_value_t = 500,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::generate::MAX_SERVICES)))]
    pub services: u32,

    /// Months of data from 2025-01-01
    #[arg(long, value_name = "N", default_value_t = 24,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::generate::MAX_MONTHS)))]
    pub months: u32,

    /// The seed of the random stream
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,
}

/// Output formats of `evaluate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Aligned plain-text tables for a terminal
    Table,
    /// The JSON report (the stable contract; errors are JSON on stdout too)
    Json,
    /// GitHub-flavoured Markdown tables, for a pull request or a wiki page
    Markdown,
    /// One CSV line per result row, for a spreadsheet
    Csv,
    /// A self-contained HTML dashboard (inline CSS and SVG charts, no
    /// scripts, no network): open it in a browser, attach it, print it
    Html,
}

/// Output formats of `check` and `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextFormat {
    /// Plain text for a terminal
    Table,
    /// JSON (errors are JSON on stdout too)
    Json,
}

/// The policy and records every evaluation needs.
#[derive(Debug, Args)]
pub struct Inputs {
    /// The SLA policy, YAML or JSON (`-` reads standard input)
    #[arg(short, long, value_name = "FILE")]
    pub policy: String,

    /// Deployment records, JSON Lines or a JSON array (`-` reads standard
    /// input); repeat the flag or list several files to concatenate them
    #[arg(short, long, value_name = "FILE", required = true, num_args = 1..)]
    pub records: Vec<String>,

    /// The instant to evaluate at: RFC 3339 with an offset
    /// (`2026-04-01T00:00:00Z`), or `now`. Default: the latest lifecycle
    /// event in the records
    #[arg(short, long, value_name = "INSTANT")]
    pub as_of: Option<String>,
}

/// `slakit evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Policy, records and instant.
    #[command(flatten)]
    pub inputs: Inputs,

    /// Output format
    #[arg(short, long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,

    /// Exit with status 1 when any result row is breached (for CI pipelines)
    #[arg(long)]
    pub fail_on_breach: bool,

    /// Write the report to FILE instead of standard output (errors still go
    /// to standard output with --format json, else to standard error)
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<String>,
}

/// Output formats of `baseline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BaselineFormat {
    /// A YAML `slas:` section with the suggestions, every figure in comments
    Yaml,
    /// The baseline document as JSON (errors are JSON on stdout too)
    Json,
}

/// `slakit baseline`.
#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// The SLA policy whose SLAs to baseline, YAML or JSON (`-` reads
    /// standard input). Default: slakit's default policy (docs/baseline.md)
    #[arg(short, long, value_name = "FILE")]
    pub policy: Option<String>,

    /// Deployment records, JSON Lines or a JSON array (`-` reads standard
    /// input); repeat the flag or list several files to concatenate them
    #[arg(short, long, value_name = "FILE", required = true, num_args = 1..)]
    pub records: Vec<String>,

    /// The instant to read the history at: RFC 3339 with an offset, or
    /// `now`. Default: the latest lifecycle event in the records
    #[arg(short, long, value_name = "INSTANT")]
    pub as_of: Option<String>,

    /// Output format
    #[arg(short, long, value_enum, default_value_t = BaselineFormat::Yaml)]
    pub format: BaselineFormat,

    /// Write the result to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<String>,
}

/// `slakit check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The SLA policy, YAML or JSON (`-` reads standard input)
    #[arg(short, long, value_name = "FILE")]
    pub policy: String,

    /// Output format
    #[arg(short, long, value_enum, default_value_t = TextFormat::Table)]
    pub format: TextFormat,
}

/// `slakit explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Policy, records and instant.
    #[command(flatten)]
    pub inputs: Inputs,

    /// The deployment to explain (its `deployment` id in the records)
    #[arg(short, long, value_name = "ID")]
    pub deployment: String,

    /// Output format
    #[arg(short, long, value_enum, default_value_t = TextFormat::Table)]
    pub format: TextFormat,
}

/// `slakit gate`.
#[derive(Debug, Args)]
pub struct GateArgs {
    /// The SLA policy with a `gates` section, YAML or JSON
    #[arg(short, long, value_name = "FILE")]
    pub policy: String,

    /// The deployment history, JSON Lines or a JSON array (`-` reads standard input)
    #[arg(short, long, value_name = "FILE", required = true, num_args = 1..)]
    pub records: Vec<String>,

    /// The proposed deployment as JSON (`{"deployment": "d-1", "service": "checkout"}`)
    /// or `@FILE` to read it from a file
    #[arg(short, long, value_name = "JSON|@FILE")]
    pub deployment: String,

    /// When it would deploy: RFC 3339 with an offset, or `now`
    #[arg(long, value_name = "INSTANT")]
    pub at: String,

    /// Output format
    #[arg(short, long, value_enum, default_value_t = TextFormat::Table)]
    pub format: TextFormat,
}
