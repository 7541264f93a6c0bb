#!/usr/bin/env python3
"""`make compare`: slakit against DuckDB and pandas on the same generated data.

    python compare.py --slakit target/release/slakit --data DIR [--runs 3] [--markdown FILE]

DIR holds `records.jsonl` and `policy.yaml` from `slakit generate`. Per run:

1. slakit evaluates the compare subset (benches/compare/policy.yaml): lead time
   on the 24x7 clock, success rate, change failure rate per service and month;
2. DuckDB and pandas compute the same rows (benches/compare/engines.py);
3. slakit evaluates the full generated policy (every SLA kind, business
   calendars in five zones, the DST-spanning maintenance exclusion), once
   to the JSON report (with its deployments section: one entry per
   deployment and SLA, GBs on these workloads), once to the CSV of the
   result rows, the kind of output DuckDB and pandas give, and once to the
   plain-text tables, `slakit evaluate`'s default format.

The first run also checks slakit's CSV rows against its JSON rows on the
subset, so the CSV case is known to hold the same numbers.

Every engine's rows must equal slakit's, count for count: any difference
is printed and the script exits 1. Wall time, CPU time (user and system)
and peak RSS of each process come from GNU time (`/usr/bin/time -f
'%e %U %S %M'`); each process reads the records file itself. The table gives
min / median / max wall time over the runs, the ratio of each median to
slakit's, and the median CPU and system time.

The host's state moves every figure: on a virtual machine that takes freed
memory back (free page reporting), the first touch of a page costs a fault
in the host too, and that cost varies from hour to hour. So the time to
touch fresh memory is measured before and after the runs and printed with
the table (docs/performance.md, "Benchmarks and the side-by-side
comparison").
"""

import argparse
import json
import mmap
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUBSET_POLICY = HERE / "policy.yaml"
SLAS = ("lead-time-24x7", "success-rate", "change-failure-rate")


class Run:
    """One process's figures from GNU time."""

    def __init__(self, wall, user, system, rss):
        self.wall = wall  # seconds
        self.cpu = user + system  # seconds, every core
        self.system = system  # seconds in the kernel (page faults, I/O)
        self.rss = rss  # peak resident bytes


def timed(cmd, scratch):
    """Run cmd under GNU time: its Run."""
    out = Path(scratch) / "time.txt"
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(out), *cmd],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if proc.returncode != 0:
        sys.exit(f"compare: `{' '.join(cmd)}` failed ({proc.returncode}):\n{proc.stderr}")
    wall, user, system, rss_kb = out.read_text().split()[-4:]
    return Run(float(wall), float(user), float(system), int(rss_kb) * 1024)


def fresh_memory(mb=512):
    """Seconds per GiB to touch memory this process never used: one write a
    page into an anonymous map of `mb` MiB."""
    size = mb << 20
    page = mmap.PAGESIZE
    with mmap.mmap(-1, size) as m:
        start = time.perf_counter()
        for at in range(0, size, page):
            m[at] = 1
        took = time.perf_counter() - start
    return took * (1 << 30) / size


def subset_counts(sla, count):
    """The counts compared on a subset row of `sla`; `count(field)` reads one."""
    if sla == "lead-time-24x7":
        return (count("measured"), count("met"), count("breached"))
    if sla == "success-rate":
        return (count("measured"), count("succeeded"), count("failed"))
    return (count("measured"), count("caused_failure"), 0)


def slakit_rows(report_path):
    with open(report_path) as f:
        report = json.load(f)
    return {
        (r["sla"], r["window"]["start"], r["segment"].get("service")): subset_counts(r["sla"], lambda field: r[field])
        for r in report["results"]
        if r["sla"] in SLAS
    }


def slakit_csv_rows(csv_path):
    """The subset rows of `slakit evaluate --format csv`, keyed as
    slakit_rows keys them."""
    import csv
    rows = {}
    with open(csv_path, newline="") as f:
        for r in csv.DictReader(f):
            if r["sla"] not in SLAS:
                continue
            segment = dict(p.split("=", 1) for p in r["segment"].split(";") if p)
            key = (r["sla"], r["window_start"], segment.get("service"))
            rows[key] = subset_counts(r["sla"], lambda field: int(r[field]))
    return rows


def engine_rows(path):
    with open(path) as f:
        return {(r[0], r[1], r[2]): tuple(r[3:]) for r in json.load(f)["rows"]}


def check_equal(name, theirs, ours):
    """Fail loudly when an engine's rows differ from slakit's."""
    missing = sorted(set(ours) - set(theirs))
    extra = sorted(set(theirs) - set(ours))
    differ = sorted(k for k in set(ours) & set(theirs) if ours[k] != theirs[k])
    if missing or extra or differ:
        lines = [f"compare: {name} disagrees with slakit on the subset:"]
        for k in missing[:10]:
            lines.append(f"  only slakit: {k} {ours[k]}")
        for k in extra[:10]:
            lines.append(f"  only {name}: {k} {theirs[k]}")
        for k in differ[:10]:
            lines.append(f"  {k}: slakit {ours[k]} vs {name} {theirs[k]}")
        lines.append(
            f"  ({len(missing)} missing, {len(extra)} extra, {len(differ)} different of {len(ours)} rows)"
        )
        sys.exit("\n".join(lines))
    return len(ours)


def fmt_s(x):
    return f"{x:.2f} s"


def fmt_mb(x):
    return f"{x / 1e6:,.0f} MB"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--slakit", required=True, help="the slakit binary (release build)")
    ap.add_argument("--data", required=True, help="a `slakit generate` directory")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--engines", default="duckdb,pandas")
    ap.add_argument("--markdown", help="also write the table as Markdown to this file")
    ap.add_argument("--subset-only", action="store_true",
                    help="skip the full-policy run (the quick equality check of make test)")
    args = ap.parse_args(argv)

    data = Path(args.data)
    records = data / "records.jsonl"
    n_records = sum(1 for _ in open(records, "rb"))
    engines = [e for e in args.engines.split(",") if e]
    # Each full-policy case: its name, the report format, the output file.
    full_runs = [
        ("slakit (full policy)", "json", "full.json"),
        ("slakit (full policy, CSV rows)", "csv", "full.csv"),
        ("slakit (full policy, table)", "table", "full.txt"),
    ]
    full_cases = [name for name, _, _ in full_runs]
    cases = ["slakit (subset)"] + engines + ([] if args.subset_only else full_cases)
    runs = {c: [] for c in cases}
    rows_checked = 0
    csv_checked = 0
    fresh_before = fresh_memory()
    with tempfile.TemporaryDirectory(prefix="slakit-compare-") as scratch:
        sub_report = Path(scratch) / "subset.json"
        for run in range(args.runs):
            runs["slakit (subset)"].append(timed(
                [args.slakit, "evaluate", "--policy", str(SUBSET_POLICY), "--records", str(records),
                 "--format", "json", "--out", str(sub_report)],
                scratch,
            ))
            ours = slakit_rows(sub_report)
            if run == 0:
                sub_csv = Path(scratch) / "subset.csv"
                timed([args.slakit, "evaluate", "--policy", str(SUBSET_POLICY), "--records",
                       str(records), "--format", "csv", "--out", str(sub_csv)], scratch)
                csv_checked = check_equal("slakit's CSV", slakit_csv_rows(sub_csv), ours)
            for e in engines:
                out = Path(scratch) / f"{e}.json"
                runs[e].append(
                    timed([sys.executable, str(HERE / "engines.py"), e, str(records), str(out)], scratch)
                )
                rows_checked = check_equal(e, engine_rows(out), ours)
            for name, fmt, out in [] if args.subset_only else full_runs:
                runs[name].append(timed(
                    [args.slakit, "evaluate", "--policy", str(data / "policy.yaml"), "--records",
                     str(records), "--format", fmt, "--out", str(Path(scratch) / out)],
                    scratch,
                ))
            print(f"run {run + 1}/{args.runs}: "
                  + ", ".join(f"{c} {runs[c][-1].wall:.2f}s" for c in cases), file=sys.stderr)
    fresh_after = fresh_memory()

    def median(case, figure):
        return statistics.median(getattr(r, figure) for r in runs[case])

    base = median("slakit (subset)", "wall")
    lines = [
        f"{n_records:,} records ({records.stat().st_size / 1e6:,.0f} MB), {args.runs} run(s); "
        f"every engine's {rows_checked:,} subset rows equal slakit's, and slakit's "
        f"{csv_checked:,} subset rows as CSV its JSON rows. "
        f"Fresh memory on this host: {fresh_before:.2f} s/GiB before the runs, "
        f"{fresh_after:.2f} s/GiB after.",
        "",
        "| engine | wall min | median | max | × slakit subset | CPU (median) | of it system "
        "| peak RSS (median) | RSS bytes/record |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in cases:
        walls = [r.wall for r in runs[c]]
        med = median(c, "wall")
        m = median(c, "rss")
        lines.append(
            f"| {c} | {fmt_s(min(walls))} | {fmt_s(med)} | {fmt_s(max(walls))} | "
            f"{med / base:.2f} | {fmt_s(median(c, 'cpu'))} | {fmt_s(median(c, 'system'))} | "
            f"{fmt_mb(m)} | {m / n_records:,.0f} |"
        )
    if "duckdb" in engines and "slakit (full policy)" in cases:
        full = median("slakit (full policy)", "wall")
        duck = median("duckdb", "wall")
        lines += [
            "",
            f"slakit's full policy takes {full / duck:.2f}× DuckDB's time for the 24x7 subset "
            f"(medians {fmt_s(full)} and {fmt_s(duck)}; the target is below 1), and "
            f"{median('slakit (full policy)', 'cpu') / median('duckdb', 'cpu'):.2f}× its CPU time.",
        ]
        rows_only = median("slakit (full policy, CSV rows)", "wall")
        lines += [
            "",
            f"To the CSV of its result rows (the full evaluation, without writing the "
            f"deployments section): {rows_only / duck:.2f}× DuckDB's time "
            f"(median {fmt_s(rows_only)}), "
            f"{median('slakit (full policy, CSV rows)', 'cpu') / median('duckdb', 'cpu'):.2f}× "
            f"its CPU time.",
        ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
