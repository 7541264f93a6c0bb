#!/usr/bin/env python3
"""`make compare`: slakit against DuckDB and pandas on the same generated data.

    python compare.py --slakit target/release/slakit --data DIR [--runs 3] [--markdown FILE]

DIR holds `records.jsonl` and `policy.yaml` from `slakit generate`. Per run:

1. slakit evaluates the compare subset (benches/compare/policy.yaml): lead time
   on the 24x7 clock, success rate, change failure rate per service and month;
2. DuckDB and pandas compute the same rows (benches/compare/engines.py);
3. slakit evaluates the full generated policy (every SLA kind, business
   calendars in five zones, the DST-spanning maintenance exclusion).

Every engine's rows must equal slakit's, count for count: any difference
is printed and the script exits 1. Wall time and peak RSS of each process
come from GNU time (`/usr/bin/time -f '%e %M'`); each process reads the
records file itself. The table gives min / median / max over the runs and
the ratio of each median to slakit's.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUBSET_POLICY = HERE / "policy.yaml"
SLAS = ("lead-time-24x7", "success-rate", "change-failure-rate")


def timed(cmd, scratch):
    """Run cmd under GNU time; (wall seconds, peak RSS bytes)."""
    out = Path(scratch) / "time.txt"
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M", "-o", str(out), *cmd],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if proc.returncode != 0:
        sys.exit(f"compare: `{' '.join(cmd)}` failed ({proc.returncode}):\n{proc.stderr}")
    wall, rss_kb = out.read_text().split()[-2:]
    return float(wall), int(rss_kb) * 1024


def slakit_rows(report_path):
    with open(report_path) as f:
        report = json.load(f)
    rows = {}
    for r in report["results"]:
        if r["sla"] not in SLAS:
            continue
        key = (r["sla"], r["window"]["start"], r["segment"].get("service"))
        if r["sla"] == "lead-time-24x7":
            value = (r["measured"], r["met"], r["breached"])
        elif r["sla"] == "success-rate":
            value = (r["measured"], r["succeeded"], r["failed"])
        else:
            value = (r["measured"], r["caused_failure"], 0)
        rows[key] = value
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
    cases = ["slakit (subset)"] + engines + ([] if args.subset_only else ["slakit (full policy)"])
    wall = {c: [] for c in cases}
    rss = {c: [] for c in cases}
    rows_checked = 0
    with tempfile.TemporaryDirectory(prefix="slakit-compare-") as scratch:
        sub_report = Path(scratch) / "subset.json"
        full_report = Path(scratch) / "full.json"
        for run in range(args.runs):
            w, m = timed(
                [args.slakit, "evaluate", "--policy", str(SUBSET_POLICY), "--records", str(records),
                 "--format", "json", "--out", str(sub_report)],
                scratch,
            )
            wall["slakit (subset)"].append(w)
            rss["slakit (subset)"].append(m)
            ours = slakit_rows(sub_report)
            for e in engines:
                out = Path(scratch) / f"{e}.json"
                w, m = timed([sys.executable, str(HERE / "engines.py"), e, str(records), str(out)], scratch)
                wall[e].append(w)
                rss[e].append(m)
                rows_checked = check_equal(e, engine_rows(out), ours)
            if not args.subset_only:
                w, m = timed(
                    [args.slakit, "evaluate", "--policy", str(data / "policy.yaml"), "--records",
                     str(records), "--format", "json", "--out", str(full_report)],
                    scratch,
                )
                wall["slakit (full policy)"].append(w)
                rss["slakit (full policy)"].append(m)
            print(f"run {run + 1}/{args.runs}: " + ", ".join(f"{c} {wall[c][-1]:.2f}s" for c in cases),
                  file=sys.stderr)

    base = statistics.median(wall["slakit (subset)"])
    lines = [
        f"{n_records:,} records ({records.stat().st_size / 1e6:,.0f} MB), {args.runs} run(s); "
        f"every engine's {rows_checked:,} subset rows equal slakit's.",
        "",
        "| engine | wall min | median | max | × slakit subset | peak RSS (median) | RSS bytes/record |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for c in cases:
        med = statistics.median(wall[c])
        m = statistics.median(rss[c])
        lines.append(
            f"| {c} | {fmt_s(min(wall[c]))} | {fmt_s(med)} | {fmt_s(max(wall[c]))} | "
            f"{med / base:.2f} | {fmt_mb(m)} | {m / n_records:,.0f} |"
        )
    if "duckdb" in engines and "slakit (full policy)" in cases:
        full = statistics.median(wall["slakit (full policy)"])
        duck = statistics.median(wall["duckdb"])
        lines += [
            "",
            f"slakit's full policy takes {full / duck:.2f}× DuckDB's time for the 24x7 subset "
            f"(medians {fmt_s(full)} and {fmt_s(duck)}; the target is below 1).",
        ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
