#!/usr/bin/env bash
# Starts the Trubka desktop app signed in as a demo agent (for `make demo` on a machine with
# a display). Expects the relay and the simulator to run already (scripts/demo.sh starts them).
#
#   RELAY=http://127.0.0.1:8765 TOKEN=<agent token> scripts/demo-app.sh [PROFILE_DIR]
#
# Builds the UI and the app when needed, imports a few demo contacts (so that cards show
# names, companies and fields), and runs the app in the foreground until it quits.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${RELAY:?set RELAY to the relay URL, e.g. http://127.0.0.1:8765}"
: "${TOKEN:?set TOKEN to the agent token printed by trubka-relay agent add}"
PROFILE=${1:-demo-data/app}
BIN=${TRUBKA_BIN:-target/debug/trubka}

if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "demo-app: no display (DISPLAY/WAYLAND_DISPLAY unset); use trubka-cli listen instead" >&2
  exit 2
fi

if [ ! -d ui/node_modules ]; then
  (cd ui && npm install --no-audit --no-fund)
fi
echo "demo-app: building the UI and the desktop app (first build takes a few minutes)..."
(cd ui && npm run --silent build)
cargo build --quiet -p trubka -p trubka-agent

mkdir -p "$PROFILE"
# Demo contacts: the simulator calls from random numbers, and also from these.
"$(dirname "$BIN")/trubka-cli" --home "$PROFILE" login --relay "$RELAY" --token "$TOKEN" >/dev/null
"$(dirname "$BIN")/trubka-cli" --home "$PROFILE" contacts import tests/fixtures/app/demo-contacts.csv >/dev/null || true

echo "demo-app: starting Trubka signed in to $RELAY (profile: $PROFILE)"
exec "$BIN" --home "$PROFILE" --relay "$RELAY" --token "$TOKEN"
