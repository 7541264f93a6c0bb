//! `slakit`: the command line over the slakit core.
//!
//! Exit codes: 0 ok, 1 a breached row with `--fail-on-breach` or a gate
//! that denies, 2 bad input or usage. With `--format json` errors are printed to standard output as
//! the SPEC §11 error document; otherwise as `error[E…]: message` on
//! standard error.

mod args;
mod commands;
mod generate;
mod input;
mod output;
#[cfg(test)]
mod scratch;

use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind as ClapErrorKind;
use slakit::{Error, ErrorCode};

use crate::args::{BaselineFormat, Cli, Command, ReportFormat, TextFormat};
use crate::output::ErrorStyle;

/// mimalloc, for its transparent huge pages: a large evaluation walks
/// gigabytes of small objects, and on a virtual machine every TLB miss is
/// a two-level page walk (docs/performance.md, "The allocator").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&argv) {
        Ok(cli) => cli,
        Err(e) => return clap_failure(&e, &argv),
    };
    let style = match &cli.command {
        Command::Evaluate(a) if a.format == ReportFormat::Json => ErrorStyle::Json,
        Command::Check(a) if a.format == TextFormat::Json => ErrorStyle::Json,
        Command::Explain(a) if a.format == TextFormat::Json => ErrorStyle::Json,
        Command::Gate(a) if a.format == TextFormat::Json => ErrorStyle::Json,
        Command::Baseline(a) if a.format == BaselineFormat::Json => ErrorStyle::Json,
        _ => ErrorStyle::Text,
    };
    let result = match &cli.command {
        Command::Evaluate(a) => commands::evaluate(a),
        Command::Check(a) => commands::check(a),
        Command::Explain(a) => commands::explain(a),
        Command::Gate(a) => commands::gate(a),
        Command::Baseline(a) => commands::baseline(a),
        Command::Generate(a) => commands::generate(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            output::report_error(&e, style);
            ExitCode::from(2)
        }
    }
}

/// clap refused the command line, or was asked for help or the version.
fn clap_failure(e: &clap::Error, argv: &[std::ffi::OsString]) -> ExitCode {
    match e.kind() {
        ClapErrorKind::DisplayHelp | ClapErrorKind::DisplayVersion => {
            output::emit_stdout(&e.render().to_string());
            ExitCode::SUCCESS
        }
        // `slakit` alone: the help, on standard error, as a usage error.
        ClapErrorKind::DisplayHelpOnMissingArgumentOrSubcommand if !wants_json(argv) => {
            output::emit_stderr(&e.render().to_string());
            ExitCode::from(2)
        }
        _ => {
            let rendered = e.render().to_string();
            if wants_json(argv) {
                let err = Error::new(ErrorCode::InvalidArguments, clap_message(&rendered));
                output::report_error(&err, ErrorStyle::Json);
            } else {
                // Keep clap's usage line and tip, under our own error header.
                let body = rendered.strip_prefix("error: ").unwrap_or(&rendered);
                output::emit_stderr(&format!("error[{}]: {body}", ErrorCode::InvalidArguments));
            }
            ExitCode::from(2)
        }
    }
}

/// Whether the raw arguments ask for JSON output (`--format json`,
/// `--format=json`, `-f json`, `-fjson`), read before clap accepted them.
fn wants_json(argv: &[std::ffi::OsString]) -> bool {
    let args: Vec<String> = argv
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let mut previous_is_flag = false;
    for arg in &args {
        if previous_is_flag && arg == "json" {
            return true;
        }
        if matches!(arg.as_str(), "--format=json" | "-fjson" | "-f=json") {
            return true;
        }
        previous_is_flag = arg == "--format" || arg == "-f";
    }
    false
}

/// clap's message as one lowercase line with user input in backticks,
/// without its usage block.
fn clap_message(rendered: &str) -> String {
    let body = rendered.strip_prefix("error: ").unwrap_or(rendered);
    let body = body.split("\n\nUsage:").next().unwrap_or(body);
    let body = body
        .split("\n\nFor more information")
        .next()
        .unwrap_or(body);
    let joined = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    input::lowercase_first(&joined.replace('\'', "`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<std::ffi::OsString> {
        args.iter().map(std::ffi::OsString::from).collect()
    }

    #[test]
    fn json_is_detected_in_every_spelling() {
        assert!(wants_json(&os(&["slakit", "evaluate", "--format", "json"])));
        assert!(wants_json(&os(&["slakit", "evaluate", "--format=json"])));
        assert!(wants_json(&os(&["slakit", "check", "-f", "json"])));
        assert!(!wants_json(&os(&["slakit", "evaluate", "--format", "csv"])));
        assert!(!wants_json(&os(&[
            "slakit", "evaluate", "--policy", "json"
        ])));
    }

    #[test]
    fn clap_messages_become_one_line() {
        let rendered = "error: unexpected argument '--bogus' found\n\n  tip: to pass '--bogus' as a value, use '-- --bogus'\n\nUsage: slakit evaluate [OPTIONS]\n\nFor more information, try '--help'.\n";
        assert_eq!(
            clap_message(rendered),
            "unexpected argument `--bogus` found tip: to pass `--bogus` as a value, use `-- --bogus`"
        );
    }
}
