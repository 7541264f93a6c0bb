# slakit — the human entry point. Each target is a one-liner over cargo.
SHELL := /bin/bash
CARGO ?= cargo
SHARED ?= ../shared

.PHONY: help example test test-rust test-html dashboard-png test-python test-node test-c conformance-sync schema lint fmt bench compare compare-smoke install fuzz fuzz-build fuzz-smoke fuzz-tool

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 20

example: ## evaluate the bundled example and print the report as a table
	$(CARGO) run -q --release -p slakit-cli -- evaluate --policy examples/policy.yaml --records examples/records.jsonl --format table

test: conformance-sync test-rust test-html test-python test-node test-c compare-smoke ## run every test: Rust, the dashboard in Chromium, Python, Node, C, and the compare equality smoke check

conformance-sync: ## fail when ../shared/conformance differs from tests/conformance
	@if [ -d "$(SHARED)/conformance" ]; then \
	  diff -r "$(SHARED)/conformance" tests/conformance >/dev/null \
	    || { echo "tests/conformance is out of date: run 'make conformance-update' and commit" >&2; diff -r "$(SHARED)/conformance" tests/conformance | head -20 >&2; exit 1; }; \
	  echo "conformance vectors in sync with $(SHARED)/conformance"; \
	else echo "$(SHARED)/conformance not present: using the committed copy"; fi

conformance-update: ## copy ../shared/conformance into tests/conformance
	rm -rf tests/conformance && cp -r "$(SHARED)/conformance" tests/conformance

test-rust: ## cargo tests of the core and the CLI, plus lints
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy -p slakit --all-targets --no-default-features -- -D warnings
	$(CARGO) test --workspace
	$(CARGO) test -p slakit --no-default-features
	$(MAKE) fuzz-smoke

test-html: ## the example dashboard in headless Chromium: screenshot not blank, DOM holds every SLA and breach
	tests/html/browser_test.sh

dashboard-png: ## re-take docs/dashboard.png, the README's screenshot of the example dashboard
	SCREENSHOT=docs/dashboard.png tests/html/browser_test.sh

test-python: ## the Python package: venv, wheel, pytest
	@if [ -f bindings/python/Makefile ]; then $(MAKE) -C bindings/python test; else echo "bindings/python: not built yet"; fi

test-node: ## the Node addon: npm install, napi build, node --test
	@if [ -f bindings/node/Makefile ]; then $(MAKE) -C bindings/node test; else echo "bindings/node: not built yet"; fi

test-c: ## the C library: header check, C tests under valgrind, conformance via the C ABI
	@if [ -f bindings/c/Makefile ]; then $(MAKE) -C bindings/c test; else echo "bindings/c: not built yet"; fi

install: ## install libslakit, slakit.h and slakit.pc under PREFIX (default /usr/local)
	$(MAKE) -C bindings/c install PREFIX=$(or $(PREFIX),/usr/local)

schema: ## regenerate docs/report.schema.json from the report types
	SLAKIT_WRITE_SCHEMA=1 $(CARGO) test -q -p slakit --test schema

lint: ## clippy and rustdoc with warnings as errors
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps -p slakit -p slakit-cli -p slakit-ffi

fmt: ## format the code
	$(CARGO) fmt --all

BENCH_DATA ?= target/bench-data/1m

bench: ## run the criterion benchmarks, 1M generated deployments included (slow; not part of make test)
	@[ -f $(BENCH_DATA)/records.jsonl ] || $(CARGO) run -q --release -p slakit-cli -- generate --out $(BENCH_DATA) --preset 1m
	SLAKIT_BENCH_DATA=$(abspath $(BENCH_DATA)) $(CARGO) bench -p slakit

COMPARE_VENV ?= benches/compare/.venv
COMPARE_DATA ?= target/compare-data/1m
COMPARE_PRESET ?= 1m
COMPARE_RUNS ?= 3
# How to generate COMPARE_DATA when it is missing, e.g. "--deployments 2152000" (10M events).
COMPARE_GENERATE ?= --preset $(COMPARE_PRESET)

$(COMPARE_VENV)/.installed: benches/compare/requirements.txt
	python3 -m venv $(COMPARE_VENV)
	$(COMPARE_VENV)/bin/pip install -q -r benches/compare/requirements.txt
	touch $@

compare: $(COMPARE_VENV)/.installed ## slakit vs DuckDB vs pandas on generated data: equal numbers, wall time, peak RSS (slow)
	@command -v /usr/bin/time >/dev/null || { echo "GNU time is missing: apt-get install time" >&2; exit 1; }
	$(CARGO) build -q --release -p slakit-cli
	@[ -f $(COMPARE_DATA)/records.jsonl ] || target/release/slakit generate --out $(COMPARE_DATA) $(COMPARE_GENERATE)
	$(COMPARE_VENV)/bin/python benches/compare/compare.py --slakit target/release/slakit --data $(COMPARE_DATA) --runs $(COMPARE_RUNS)

compare-smoke: $(COMPARE_VENV)/.installed ## the compare equality check on tiny generated data (part of make test)
	$(CARGO) build -q -p slakit-cli
	target/debug/slakit generate --out target/compare-data/smoke --deployments 1500 --services 20 --seed 5 >/dev/null
	$(COMPARE_VENV)/bin/python benches/compare/compare.py --slakit target/debug/slakit --data target/compare-data/smoke --runs 1 --subset-only

# Fuzzing (docs/hardening.md). cargo-fuzz on the stable toolchain: `build -s
# none` needs no nightly; `run` sets RUSTC_BOOTSTRAP for AddressSanitizer.
CARGO_FUZZ_VERSION := 0.13.2
FUZZ_TIME ?= 600
FUZZ_TARGETS ?= policy_yaml policy_json records_jsonl evaluate business_time c_abi
FUZZ_BIN := fuzz/target/x86_64-unknown-linux-gnu/debug

fuzz-tool: ## install cargo-fuzz (pinned) when it is missing (~70 s)
	@[ "$$($(CARGO) fuzz --version 2>/dev/null)" = "cargo-fuzz $(CARGO_FUZZ_VERSION)" ] \
	  || $(CARGO) install cargo-fuzz --version $(CARGO_FUZZ_VERSION) --locked

fuzz-build: fuzz-tool ## build every fuzz target, unoptimised (~2 CPU-minutes; `make fuzz` builds optimised)
	cd fuzz && $(CARGO) fuzz build -s none --dev

fuzz-smoke: fuzz-build ## every fuzz target over its seeds, then mutations for up to 10 s or 2000 runs
	@rm -rf fuzz/target/smoke && python3 fuzz/seed_corpus.py --out fuzz/target/smoke/seeds >/dev/null
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/target/smoke/new/$$t; \
	  $(FUZZ_BIN)/$$t -runs=2000 -max_total_time=10 -seed=1 -timeout=30 fuzz/target/smoke/new/$$t fuzz/target/smoke/seeds/$$t 2>fuzz/target/smoke/$$t.log \
	    || { tail -40 fuzz/target/smoke/$$t.log >&2; echo "fuzz target $$t crashed on its seeds" >&2; exit 1; }; \
	  echo "fuzz $$t: $$(grep -oE '^Done [0-9]+ runs' fuzz/target/smoke/$$t.log) without a crash"; \
	done

fuzz: fuzz-tool ## run each fuzz target for FUZZ_TIME seconds (default 600), one at a time, under nice
	FUZZ_TIME=$(FUZZ_TIME) fuzz/run.sh $(FUZZ_TARGETS)

leadership-report: ## re-render docs/leadership-report.md, the committed leadership report of the example
	SLAKIT_WRITE_LEADERSHIP=1 $(CARGO) test -q -p slakit --test leadership
