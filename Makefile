# Trubka: `make demo` runs the whole system locally, `make test` checks everything.
# Both install what is missing first (scripts/install-deps.sh), so they work on a fresh Debian.

SHELL := /bin/bash
CARGO ?= cargo

.PHONY: demo test deps ui fmt lint unit test-ui app-e2e bench clean test-app app-deps measure-app \
	package install-test

demo: deps
	scripts/demo.sh

# Everything CI checks. The workspace includes the desktop app (src-tauri), so linting and
# testing it needs WebKitGTK and the built web UI: `deps` and `ui` come first. Then the real
# app under Xvfb (app-e2e), and last the packages installed, run and removed (install-test).
test: deps ui fmt lint unit test-ui app-e2e install-test

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

# The desktop app's end-to-end test: the real app under Xvfb through tauri-driver, against a
# real relay and trubka-sim, on a private D-Bus session with a fake notification daemon.
# Screenshots of every screen go to test-output/app/. Needs `ui` built first. The one test
# that needs the packages installed is install-test's, so it is skipped here by name.
app-e2e:
	$(CARGO) build --locked -p trubka -p trubka-relay -p trubka-sim
	xvfb-run -a -s "-screen 0 1400x900x24" dbus-run-session -- \
		$(CARGO) test -p trubka-e2e --test app --locked -- --ignored --nocapture --test-threads=1 \
		--skip updates::installed_app_installs_the_update

# The packages, release builds, into target/packages/release/: trubka-relay and trubka-cli
# .deb (cargo-deb), the desktop app's .deb and .rpm (the Tauri bundler from ui/'s
# @tauri-apps/cli). See scripts/package.sh for the formats left out.
package: deps ui
	scripts/package.sh release

# The debug builds of the same packages (reusing what app-e2e compiled) installed with dpkg,
# the relay run as its unit runs it, the app started under Xvfb (screenshot in
# test-output/install/), a 0.2.0 published on the installed relay and installed by the
# installed app's updater (app-e2e's harness), then everything removed and purged. Needs
# root (CI is).
install-test:
	scripts/package.sh debug
	scripts/install-test.sh target/packages/debug

# Only the desktop app: its deps, UI unit tests, the shell's Rust tests, then app-e2e.
app-deps:
	scripts/install-app-deps.sh

test-app: app-deps ui test-ui
	$(CARGO) test -p trubka --locked
	$(MAKE) app-e2e

# Cold start, event-to-card latency and idle memory of the release app under Xvfb.
measure-app: app-deps
	scripts/measure-app.sh
