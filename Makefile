# slakit — the human entry point. Each target is a one-liner over cargo.
SHELL := /bin/bash
CARGO ?= cargo
SHARED ?= ../shared

.PHONY: help example test test-rust conformance-sync schema lint fmt bench

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 20

example: ## evaluate the bundled example and print the report as a table
	$(CARGO) run -q --release -p slakit-cli -- evaluate --policy examples/policy.yaml --records examples/records.jsonl --format table

test: conformance-sync test-rust ## run every test (Rust first; bindings join as they land)

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

schema: ## regenerate docs/report.schema.json from the report types
	SLAKIT_WRITE_SCHEMA=1 $(CARGO) test -q -p slakit --test schema

lint: ## clippy with warnings as errors
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt: ## format the code
	$(CARGO) fmt --all

bench: ## run the criterion benchmarks (slow; not part of make test)
	$(CARGO) bench -p slakit
