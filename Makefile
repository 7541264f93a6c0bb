# slakit — the human entry point. Each target is a one-liner over cargo.
SHELL := /bin/bash
CARGO ?= cargo
SHARED ?= ../shared

.PHONY: help example test test-rust test-python test-node test-c conformance-sync schema lint fmt bench compare compare-smoke install

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 20

example: ## evaluate the bundled example and print the report as a table
	$(CARGO) run -q --release -p slakit-cli -- evaluate --policy examples/policy.yaml --records examples/records.jsonl --format table

test: conformance-sync test-rust test-python test-node test-c compare-smoke ## run every test: Rust, Python, Node, C, and the compare equality smoke check

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
	$(CARGO) test --workspace

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

lint: ## clippy with warnings as errors
	$(CARGO) clippy --workspace --all-targets -- -D warnings

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

$(COMPARE_VENV)/.installed: benches/compare/requirements.txt
	python3 -m venv $(COMPARE_VENV)
	$(COMPARE_VENV)/bin/pip install -q -r benches/compare/requirements.txt
	touch $@

compare: $(COMPARE_VENV)/.installed ## slakit vs DuckDB vs pandas on generated data: equal numbers, wall time, peak RSS (slow)
	@command -v /usr/bin/time >/dev/null || { echo "GNU time is missing: apt-get install time" >&2; exit 1; }
	$(CARGO) build -q --release -p slakit-cli
	@[ -f $(COMPARE_DATA)/records.jsonl ] || target/release/slakit generate --out $(COMPARE_DATA) --preset $(COMPARE_PRESET)
	$(COMPARE_VENV)/bin/python benches/compare/compare.py --slakit target/release/slakit --data $(COMPARE_DATA) --runs $(COMPARE_RUNS)

compare-smoke: $(COMPARE_VENV)/.installed ## the compare equality check on tiny generated data (part of make test)
	$(CARGO) build -q -p slakit-cli
	target/debug/slakit generate --out target/compare-data/smoke --deployments 1500 --services 20 --seed 5 >/dev/null
	$(COMPARE_VENV)/bin/python benches/compare/compare.py --slakit target/debug/slakit --data target/compare-data/smoke --runs 1 --subset-only
