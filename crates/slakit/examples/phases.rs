//! Where the time of `slakit evaluate --format json` goes, phase by phase,
//! on a generated workload (`slakit generate`): read, parse, evaluate,
//! serialise. For `docs/performance.md`.
//!
//! ```text
//! cargo run --release -p slakit --example phases -- DIR [RUNS]
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]
#![allow(
    unsafe_code,
    reason = "a counting global allocator, delegating to the system one"
)]

use std::time::Instant;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The system allocator, counting live and peak heap bytes.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` with the same arguments.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: forwarded.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                - layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: forwarded.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Live and peak heap bytes, in MB.
fn heap() -> String {
    format!(
        "heap {} MB, heap peak {} MB",
        LIVE.load(Ordering::Relaxed) >> 20,
        PEAK.load(Ordering::Relaxed) >> 20
    )
}

/// Current and peak resident memory (Linux `/proc/self/status`), in MB.
fn rss() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    };
    format!(
        "rss {} MB, peak {} MB; {}",
        field("VmRSS:"),
        field("VmHWM:"),
        heap()
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).expect("usage: phases DIR [RUNS]");
    let runs: usize = args.get(2).map_or(1, |r| r.parse().expect("RUNS"));
    let policy_text = std::fs::read_to_string(format!("{dir}/policy.yaml")).unwrap();
    let policy = slakit::Policy::from_text(&policy_text).unwrap();
    for _ in 0..runs {
        let t = Instant::now();
        let text = std::fs::read_to_string(format!("{dir}/records.jsonl")).unwrap();
        let read = t.elapsed();
        let t = Instant::now();
        let records = slakit::parse_records(&text).unwrap();
        let parse = t.elapsed();
        drop(text);
        println!("parsed: {}", rss());
        let as_of = slakit::resolve_as_of(&records, None).unwrap();
        let count = records.len();
        let t = Instant::now();
        // PHASES_SERIAL=1: `evaluate` on one thread; otherwise
        // `evaluate_owned` on every core (what the CLI runs: the records
        // are freed once read, and the deployments section is formatted
        // as it is written).
        let (report, evaluation) = if std::env::var_os("PHASES_SERIAL").is_some() {
            (Some(policy.evaluate(&records, as_of).unwrap()), None)
        } else {
            (None, Some(policy.evaluate_owned(records, as_of).unwrap()))
        };
        let eval = t.elapsed();
        println!("evaluated: {}", rss());
        let t = Instant::now();
        let mut out = std::io::sink();
        match (&report, &evaluation) {
            (Some(report), _) => report.write_json(&mut out).unwrap(),
            (_, Some(evaluation)) => evaluation.write_json(&mut out).unwrap(),
            _ => unreachable!(),
        }
        let ser = t.elapsed();
        if std::env::var_os("PHASES_SIZES").is_some() {
            let mut report = report.unwrap_or_else(|| evaluation.unwrap().into_report());
            let before = LIVE.load(Ordering::Relaxed);
            let n = report.deployments.len();
            drop(std::mem::take(&mut report.deployments));
            let mid = LIVE.load(Ordering::Relaxed);
            let rows = report.results.len();
            drop(std::mem::take(&mut report.results));
            let after = LIVE.load(Ordering::Relaxed);
            println!(
                "deployments section: {n} entries, {} B each; results: {rows} rows, {} B each; rest {} MB",
                (before - mid) / n.max(1),
                (mid - after) / rows.max(1),
                after >> 20
            );
            continue;
        }
        let n = count as f64;
        let total = read + parse + eval + ser;
        println!(
            "{} records: read {:.2}s parse {:.2}s evaluate {:.2}s serialise {:.2}s total {:.2}s ({:.0} records/s)",
            count,
            read.as_secs_f64(),
            parse.as_secs_f64(),
            eval.as_secs_f64(),
            ser.as_secs_f64(),
            total.as_secs_f64(),
            n / total.as_secs_f64()
        );
    }
}
