#!/usr/bin/env bash
# Retention, measured (docs/benchmarks.md, «Relay: retention»): trubka-sim sends 1,000 calls
# to a release relay; the script prints the database and WAL sizes, ages every stored event by
# 91 days (past the default events_days and raw_payload_days), restarts the relay and prints
# what its first retention pass (60 s after start) removed, how long its batches held the
# writer, and the sizes after. Settings go to `trubka-relay serve` through the environment,
# e.g. TRUBKA_RELAY_RETENTION_BATCH_ROWS=2000; RETENTION_AGE_DAYS=31 ages the events past
# raw_payload_days only. Measures; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p trubka-relay --bin trubka-relay -p trubka-sim --bin trubka-sim
bin=${CARGO_TARGET_DIR:-target}/release
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
export TRUBKA_RELAY_UIS_HOOK_TOKEN=uis-measure TRUBKA_RELAY_SIPUNI_HOOK_TOKEN=sipuni-measure
export RUST_LOG=info NO_COLOR=1
relay=http://127.0.0.1:18765
size() { stat -c %s "$1" 2>/dev/null || echo 0; }
sizes() { echo "| $1 | $(size "$dir/data/relay.db") | $(size "$dir/data/relay.db-wal") |"; }
metric() { curl -s "$relay/metrics" | awk -v n="$1" '$1==n {print $2}'; }
# One more webhook: the first write after a checkpoint starts the WAL over (and cuts it).
poke() {
  sleep 6
  curl -s -o /dev/null -H 'content-type: application/json' \
    -d "{\"notification_name\":\"Ожидание ответа\",\"call_session_id\":$1,\"employee_id\":1,\"direction\":\"in\",\"virtual_phone_number\":\"74951234567\",\"contact_phone_number\":\"79261234567\",\"leg_id\":$1,\"notification_time\":\"2026-05-12 10:17:00.000000\"}" \
    "$relay/hooks/uis/uis-measure/ringing"
  sleep 1
}
serve() {
  "$bin/trubka-relay" serve --data-dir "$dir/data" --listen 127.0.0.1:18765 >"$dir/$1" 2>&1 &
  relay_pid=$!
}

echo "| moment | relay.db bytes | WAL bytes |"
echo "|---|---|---|"
serve relay1.log
until curl -s -o /dev/null "$relay/healthz"; do sleep 0.2; done
"$bin/trubka-sim" --listen 127.0.0.1:18766 --relay "$relay" --uis-hook-token uis-measure \
  --sipuni-hook-token sipuni-measure --generate --calls 1000 --rate 6000 --speed 0 --seed 7 \
  >"$dir/sim.log" 2>&1 &
sim=$!
until grep -q "generator finished" "$dir/sim.log"; do sleep 1; done
last=-1
while now=$(metric trubka_relay_events_stored_total); [ "$now" != "$last" ]; do last=$now; sleep 3; done
kill "$sim"; wait "$sim" 2>/dev/null || true
sizes "1,000 calls stored ($last events), relay running"
poke 900001
sizes "after the next checkpoint and one more webhook"
kill -INT "$relay_pid"; wait "$relay_pid" 2>/dev/null || true
sizes "relay stopped"
age=${RETENTION_AGE_DAYS:-91}
sqlite3 "$dir/data/relay.db" "UPDATE events SET received_at = received_at - $age*86400000;
  UPDATE rejected SET at = at - $age*86400000;"
sqlite3 "$dir/data/relay.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
serve relay2.log
until grep -q "retention pass finished" "$dir/relay2.log"; do sleep 1; done
sizes "first retention pass done, relay running"
poke 900002
sizes "after the next checkpoint and one more webhook"
echo
grep "retention pass finished" "$dir/relay2.log"
echo "batches $(metric trubka_relay_retention_batch_seconds_count), their time together $(metric trubka_relay_retention_batch_seconds_sum) s"
kill -INT "$relay_pid"; wait "$relay_pid" 2>/dev/null || true
