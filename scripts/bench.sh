#!/usr/bin/env bash
# `make bench`: the benchmarks behind docs/benchmarks.md, in release mode. They measure; they
# assert nothing. Each prints a Markdown table; copy the numbers with the command into
# docs/benchmarks.md. Run them on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "## relay: 1,000 agents, 20,000 UIS webhooks, 64 in flight"
cargo bench -p trubka-relay --bench trubka-relay-load -- --agents 1000 --webhooks 20000 --concurrency 64
echo "## relay: Sipuni"
cargo bench -p trubka-relay --bench trubka-relay-load -- --agents 1000 --webhooks 20000 --concurrency 64 --provider sipuni

echo "## team directory: import, first sync, lookup with 100k and 1M contacts; an edit seen by 1,000 desktops"
cargo bench -p trubka-relay --bench trubka-relay-directory -- --sizes 0,100000,1000000 --agents 1000

echo "## relay: retention (1,000 simulated calls aged past events_days)"
scripts/measure-retention.sh

echo "## agent store: 1,000,000 contacts and calls"
cargo build --release -p trubka-agent --bin trubka-agent-bench
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
target/release/trubka-agent-bench --dir "$dir"

if [ -n "${DISPLAY:-}" ] || command -v xvfb-run >/dev/null; then
  echo "## desktop app: cold start, event-to-card, idle memory"
  scripts/measure-app.sh
fi
