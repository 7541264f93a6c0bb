//! The subcommands: read inputs, call the core, render, choose the exit code.

use std::process::ExitCode;

use slakit::{Error, ErrorCode, render};

use crate::args::{
    BaselineArgs, BaselineFormat, CheckArgs, EvaluateArgs, ExplainArgs, GateArgs, GenerateArgs,
    Inputs, Preset, ReportFormat, TextFormat,
};
use crate::generate::{self, Workload};
use crate::input::{self, Reader};
use crate::output::{self, with_newline};

/// Exit status 1: a breached row with `--fail-on-breach`.
const EXIT_BREACH: u8 = 1;

/// `slakit evaluate`.
pub fn evaluate(args: &EvaluateArgs) -> Result<ExitCode, Error> {
    let (policy, mut records, as_of) = input::load(&args.inputs)?;
    // Every core (RAYON_NUM_THREADS to limit): the same report as on one.
    // Owned: the records (on the 1M workload a third of the peak heap) are
    // freed once read, before any SLA is judged. Streamed: every input
    // error is found here, before anything is written; the SLAs are judged
    // below.
    let streamed = policy
        .evaluate_streamed(std::mem::take(&mut records.records), as_of)
        .map_err(|e| records.locate(e))?;
    match args.format {
        // Written while the SLAs are judged: a large report is never held,
        // as text or as entries.
        ReportFormat::Json => streamed_out(args, b"\n", |w| streamed.write_json(w)),
        // The other formats keep of the deployments section only what
        // they show, dropping the rest as each SLA is judged; the tables
        // are written as they are laid out.
        ReportFormat::Table => streamed_out(args, b"", |w| streamed.write_table(w)),
        ReportFormat::Markdown => written(args, streamed.render(slakit::TextFormat::Markdown)?),
        ReportFormat::Csv => written(args, streamed.render(slakit::TextFormat::Csv)?),
        ReportFormat::Html => written(args, streamed.render(slakit::TextFormat::Html)?),
    }
}

/// Deliver the report `write` writes as it is judged, `end` after it, and
/// give the exit status of `evaluate`.
fn streamed_out(
    args: &EvaluateArgs,
    end: &[u8],
    write: impl FnOnce(&mut (dyn std::io::Write + Send)) -> (slakit::Report, std::io::Result<()>),
) -> Result<ExitCode, Error> {
    let mut report = None;
    output::deliver_with(
        args.out.as_deref(),
        |w| {
            let (judged, written) = write(w);
            report = Some(judged);
            written
        },
        end,
    )?;
    let breached = report.as_ref().is_some_and(|r| r.has_breach());
    Ok(exit_code(args.fail_on_breach && breached, report))
}

/// Deliver a text report of `evaluate` and give its exit status.
fn written(args: &EvaluateArgs, rendered: slakit::Rendered) -> Result<ExitCode, Error> {
    let slakit::Rendered { text, report } = rendered;
    output::deliver(&with_newline(text), args.out.as_deref())?;
    Ok(exit_code(
        args.fail_on_breach && report.has_breach(),
        report,
    ))
}

/// The exit status of `evaluate`. Takes what the evaluation built (the
/// records, the report) so that it is not freed one string at a time just
/// before the process exits (on the 1M workload that teardown alone took
/// seconds): the OS reclaims it.
fn exit_code<T>(breached: bool, built: T) -> ExitCode {
    std::mem::forget(built);
    if breached {
        ExitCode::from(EXIT_BREACH)
    } else {
        ExitCode::SUCCESS
    }
}

/// `slakit check`.
pub fn check(args: &CheckArgs) -> Result<ExitCode, Error> {
    let policy = Reader::default().policy(&args.policy)?;
    let warnings = policy.check();
    // Every SLA of every version, in first-appearance order (as in the JSON).
    let slas = policy.sla_order();
    let text = match args.format {
        TextFormat::Json => to_pretty(&policy.check_report())?,
        TextFormat::Table => {
            let mut out = String::new();
            out.push_str(&format!(
                "policy `{}` ({})\n",
                policy.name,
                Reader::display_name(&args.policy)
            ));
            out.push_str(&format!("digest {}\n", policy.digest));
            out.push_str(&format!(
                "{} SLA{}: {}\n",
                slas.len(),
                plural(slas.len()),
                slas.join(", ")
            ));
            for v in &policy.versions {
                out.push_str(&format!(
                    "version effective from {}, approved {}\n",
                    v.label,
                    slakit::instant::format(v.approved_at)
                ));
            }
            if !warnings.is_empty() {
                out.push('\n');
            }
            for w in &warnings {
                out.push_str(&format!("warning[{}]: {}\n", w.code, w.message));
            }
            out.push_str(&format!(
                "\nok: the policy is valid ({} warning{})",
                warnings.len(),
                plural(warnings.len())
            ));
            out
        }
    };
    output::emit_stdout(&with_newline(text));
    Ok(ExitCode::SUCCESS)
}

/// `slakit explain`.
pub fn explain(args: &ExplainArgs) -> Result<ExitCode, Error> {
    let (policy, records, as_of) = input::load(&args.inputs)?;
    let explanation = policy
        .explain(&records.records, &args.deployment, as_of)
        .map_err(|e| records.locate(e))?;
    let text = match args.format {
        TextFormat::Json => to_pretty(&explanation)?,
        TextFormat::Table => render::explanation_table(&explanation),
    };
    output::emit_stdout(&with_newline(text));
    Ok(ExitCode::SUCCESS)
}

/// `slakit gate`: exit 0 allow, 1 deny.
pub fn gate(args: &GateArgs) -> Result<ExitCode, Error> {
    let inputs = Inputs {
        policy: args.policy.clone(),
        records: args.records.clone(),
        as_of: Some(args.at.clone()),
    };
    let (policy, records, at) = input::load(&inputs).map_err(|mut e| {
        // The shared loader speaks of `--as-of`; this command's flag is `--at`.
        if e.code == ErrorCode::InvalidAsOf {
            e.message = e.message.replace("`--as-of`", "`--at`");
        }
        e
    })?;
    let text = match args.deployment.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).map_err(|e| {
            Error::new(ErrorCode::Io, format!("cannot read `{path}`: {e}")).in_file(path)
        })?,
        None => args.deployment.clone(),
    };
    let proposed = slakit::gate::parse_proposed(&text)?;
    let decision = policy
        .gate(&records.records, &proposed, at)
        .map_err(|e| records.locate(e))?;
    let out = match args.format {
        TextFormat::Json => decision.to_json(),
        TextFormat::Table => render::decision_table(&decision),
    };
    output::emit_stdout(&with_newline(out));
    Ok(if decision.allowed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_BREACH)
    })
}

/// `slakit baseline`: suggested targets from history.
pub fn baseline(args: &BaselineArgs) -> Result<ExitCode, Error> {
    let as_of = input::AsOf::from_flag(args.as_of.as_deref())?;
    let mut reader = Reader::default();
    let policy = args
        .policy
        .as_deref()
        .map(|p| reader.policy(p))
        .transpose()?;
    let records = reader.records(&args.records)?;
    let at = as_of.resolve(&records.records)?;
    let baseline = slakit::baseline::baseline(policy.as_ref(), &records.records, Some(at))
        .map_err(|e| records.locate(e))?;
    let text = match args.format {
        BaselineFormat::Yaml => baseline.to_yaml(),
        BaselineFormat::Json => baseline.to_json(),
    };
    output::deliver(&with_newline(text), args.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// `slakit generate`: DIR/policy.yaml and DIR/records.jsonl.
pub fn generate(args: &GenerateArgs) -> Result<ExitCode, Error> {
    let workload = Workload {
        deployments: args
            .deployments
            .unwrap_or_else(|| args.preset.unwrap_or(Preset::OneMillion).deployments()),
        services: args.services,
        months: args.months,
        seed: args.seed,
    };
    let dir = std::path::Path::new(&args.out);
    std::fs::create_dir_all(dir).map_err(|e| input::io_error("cannot create", &args.out, &e))?;
    let policy_path = dir.join("policy.yaml");
    let records_path = dir.join("records.jsonl");
    let create = |path: &std::path::Path| {
        let name = path.to_string_lossy().into_owned();
        std::fs::File::create(path)
            .map(|f| (std::io::BufWriter::with_capacity(1 << 20, f), name.clone()))
            .map_err(|e| input::io_error("cannot write", &name, &e))
    };
    let (mut file, name) = create(&policy_path)?;
    generate::write_policy(&workload, &mut file)
        .and_then(|()| std::io::Write::flush(&mut file))
        .map_err(|e| input::io_error("cannot write", &name, &e))?;
    let (mut file, name) = create(&records_path)?;
    let summary = generate::write_records(&workload, &mut file)
        .map_err(|e| input::io_error("cannot write", &name, &e))?;
    output::emit_stdout(&format!(
        "wrote {}: {} records ({} deployments, {} events, {} incidents, {} outages), {} bytes\n\
         wrote {}\n",
        records_path.display(),
        summary.records(),
        summary.deployments,
        summary.events,
        summary.incidents,
        summary.outages,
        summary.bytes,
        policy_path.display(),
    ));
    Ok(ExitCode::SUCCESS)
}

fn to_pretty<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    serde_json::to_string_pretty(value).map_err(|e| {
        Error::new(
            ErrorCode::Internal,
            format!("the output could not be written as JSON: {e}"),
        )
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
