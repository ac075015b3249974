# Trubka: `make demo` runs the whole system locally, `make test` checks everything.
# Both install what is missing first (scripts/install-deps.sh), so they work on a fresh Debian.

SHELL := /bin/bash
CARGO ?= cargo

.PHONY: demo test deps fmt lint unit bench clean

demo: deps
	scripts/demo.sh

test: deps fmt lint unit

deps:
	scripts/install-deps.sh

fmt:
	$(CARGO) fmt --all -- --check

lint:
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

unit:
	$(CARGO) test --workspace --locked

# Benchmarks measure; they are not part of `make test`. Results go to docs/benchmarks.md.
bench:
	scripts/bench.sh

clean:
	rm -rf target demo-data test-output
