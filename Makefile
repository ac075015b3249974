# Trubka: `make demo` runs the whole system locally, `make test` checks everything.
# Both install what is missing first (scripts/install-deps.sh), so they work on a fresh Debian.

SHELL := /bin/bash
CARGO ?= cargo

.PHONY: demo test deps ui fmt lint unit test-ui bench clean test-app app-deps measure-app

demo: deps
	scripts/demo.sh

# Everything CI checks. The workspace includes the desktop app (src-tauri), so linting and
# testing it needs WebKitGTK and the built web UI: `deps` and `ui` come first.
test: deps ui fmt lint unit test-ui

deps:
	scripts/install-deps.sh
	scripts/install-app-deps.sh

# The web UI the app embeds (ui/dist); its TypeScript is type-checked on the way.
ui:
	cd ui && npm run build

test-ui:
	cd ui && npm test

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

# The desktop app (src-tauri + ui): UI unit tests, then the end-to-end test of the real app
# under Xvfb through tauri-driver against a real relay and trubka-sim. Screenshots of every
# screen go to test-output/app/.
app-deps:
	scripts/install-app-deps.sh

test-app: app-deps
	cd ui && npm test
	cd ui && npm run build
	$(CARGO) build -p trubka -p trubka-relay -p trubka-sim -p trubka-agent
	$(CARGO) test -p trubka --locked
	TRUBKA_APP_E2E=1 xvfb-run -a -s "-screen 0 1400x900x24" dbus-run-session -- \
		$(CARGO) test -p trubka-e2e --test app --locked -- --nocapture --test-threads=1

# Cold start, event-to-card latency and idle memory of the release app under Xvfb.
measure-app: app-deps
	scripts/measure-app.sh
