# slakit — the human entry point. Each target is a one-liner over cargo.
SHELL := /bin/bash
CARGO ?= cargo
SHARED ?= ../shared

.PHONY: help example test test-rust test-html dashboard-png test-python test-node test-c conformance-sync schema lint fmt bench install

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 20

example: ## evaluate the bundled example and print the report as a table
	$(CARGO) run -q --release -p slakit-cli -- evaluate --policy examples/policy.yaml --records examples/records.jsonl --format table

test: conformance-sync test-rust test-html test-python test-node test-c ## run every test: Rust, the dashboard in Chromium, then Python, Node and C

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

lint: ## clippy with warnings as errors
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt: ## format the code
	$(CARGO) fmt --all

bench: ## run the criterion benchmarks (slow; not part of make test)
	$(CARGO) bench -p slakit
