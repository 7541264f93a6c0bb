#!/usr/bin/env bash
# Run each fuzz target for FUZZ_TIME seconds (or FUZZ_RUNS executions,
# whichever comes first), one after another, under `nice -n 19`, and print
# the executions per target. Used by `make fuzz`.
#
#   fuzz/run.sh [TARGET...]    FUZZ_TIME=600 FUZZ_RUNS=10000000 FUZZ_SANITIZER=none|address
#
# FUZZ_SANITIZER=none (default) needs only the stable toolchain; `address`
# builds with AddressSanitizer + LeakSanitizer through RUSTC_BOOTSTRAP (its own
# target directory, so switching never rebuilds the other). Every build has
# debug assertions on, so an integer overflow is a crash, not a silent wrap.
#
# A crash stops the run with libFuzzer's report; the input is saved under
# fuzz/artifacts/TARGET/ — turn it into a regression test before fixing it.
set -euo pipefail
cd "$(dirname "$0")"
FUZZ_TIME=${FUZZ_TIME:-600}
FUZZ_RUNS=${FUZZ_RUNS:-10000000}
SAN=${FUZZ_SANITIZER:-none}
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(policy_yaml policy_json records_jsonl evaluate business_time c_abi)
if [ "$SAN" = none ]; then
  cargo fuzz build -s none -a
  BIN=target/x86_64-unknown-linux-gnu/release
else
  RUSTC_BOOTSTRAP=1 cargo fuzz build -s "$SAN" -a --target-dir "target/$SAN"
  BIN=target/$SAN/x86_64-unknown-linux-gnu/release
fi
mkdir -p logs
[ -d corpus ] || python3 seed_corpus.py
summary=()
for t in "${TARGETS[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  echo "== $t: up to ${FUZZ_TIME}s or ${FUZZ_RUNS} runs, sanitizer $SAN, $(date -u +%H:%M:%S)" >&2
  status=0
  nice -n 19 "$BIN/$t" -max_total_time="$FUZZ_TIME" -runs="$FUZZ_RUNS" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="artifacts/$t/" "corpus/$t" >"logs/$t.log" 2>&1 || status=$?
  runs=$(grep -oE '^stat::number_of_executed_units: *[0-9]+' "logs/$t.log" | grep -oE '[0-9]+$' || echo "?")
  secs=$(grep -oE '^Done [0-9]+ runs in [0-9]+ second' "logs/$t.log" | grep -oE '[0-9]+ second' | grep -oE '[0-9]+' || echo "?")
  cov=$(grep -oE 'cov: [0-9]+' "logs/$t.log" | tail -1 | grep -oE '[0-9]+' || echo "?")
  line=$(printf '%-14s %10s runs in %4s s, %5s coverage edges, corpus %s files' "$t" "$runs" "$secs" "$cov" "$(ls "corpus/$t" | wc -l)")
  if [ $status -ne 0 ]; then
    tail -60 "logs/$t.log" >&2
    echo "$line — CRASH (exit $status), see fuzz/logs/$t.log and fuzz/artifacts/$t/" | tee -a logs/summary.txt >&2
    exit 1
  fi
  echo "$line" >&2
  summary+=("$line")
done
printf '%s\n' "${summary[@]}" | tee logs/summary.txt
