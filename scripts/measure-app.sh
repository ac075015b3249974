#!/usr/bin/env bash
# Measures the desktop app (the shipped `dist` build) under Xvfb against a real relay and trubka-sim:
#   - cold start: process start to the main window's first drawn screen (the UI calls
#     `ui_ready`; the app logs the time since main() started) and, from outside, the
#     wall time from exec to that moment;
#   - event-to-card: the shell receiving a card update to the card window having drawn it
#     (`card_rendered`, measured with one clock inside the app);
#   - idle memory: PSS and RSS summed over the app's whole process tree (the app and its
#     WebKit web and network processes), after the calls are over; and, as the floor the
#     platform sets, the same for WebKitGTK's own MiniBrowser showing a one-line page.
# Prints a summary; raw numbers stay in test-output/measure/.
#
#   scripts/measure-app.sh            (builds what it needs; RUNS=5 CALLS=10 IDLE=20 tunable)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TRUBKA_MEASURE_INNER:-}" ]; then
  if [ -z "${TRUBKA_MEASURE_NO_BUILD:-}" ]; then
    (cd ui && npm run --silent build)
    cargo build --quiet -p trubka-relay -p trubka-sim
    cargo build --quiet --profile dist -p trubka
  fi
  export TRUBKA_MEASURE_INNER=1
  exec xvfb-run -a -s "-screen 0 1400x900x24" dbus-run-session -- "$0" "$@"
fi

RUNS=${RUNS:-5}
CALLS=${CALLS:-10}
IDLE=${IDLE:-20}
APP=${TRUBKA_APP:-target/dist/trubka}
OUT=test-output/measure
rm -rf "$OUT"
mkdir -p "$OUT"
DATA=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
RELAY_PORT=$(port)
SIM_PORT=$(port)
RELAY="http://127.0.0.1:$RELAY_PORT"
SIM="http://127.0.0.1:$SIM_PORT"
export TRUBKA_RELAY_UIS_HOOK_TOKEN=measure-uis TRUBKA_RELAY_SIPUNI_HOOK_TOKEN=measure-sipuni
target/debug/trubka-relay serve --listen "127.0.0.1:$RELAY_PORT" --data-dir "$DATA/relay" >"$OUT/relay.log" 2>&1 &
pids+=($!)
# `agent add` works on the database the relay made on its first start.
for _ in $(seq 100); do [ -f "$DATA/relay/relay.db" ] && break; sleep 0.1; done
TOKEN=$(target/debug/trubka-relay agent add --name "Анна" --uis-employee 2339292 --sipuni-ext 201 \
  --line "+7 495 123-45-67" --data-dir "$DATA/relay" | tail -n 1)
target/debug/trubka-sim --listen "127.0.0.1:$SIM_PORT" --relay "$RELAY" \
  --uis-hook-token measure-uis --sipuni-hook-token measure-sipuni \
  --uis-employee "2339292:Анна Смирнова:201" >"$OUT/sim.log" 2>&1 &
pids+=($!)
for url in "$RELAY/healthz" "$SIM/healthz"; do
  for _ in $(seq 100); do curl -fsS "$url" >/dev/null 2>&1 && break; sleep 0.1; done
done

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "n/a"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'; }
max() { sort -n | tail -n 1; }

# Waits until FILE has a line matching PATTERN, for at most 30 s.
wait_line() {
  for _ in $(seq 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "measure-app: timed out waiting for '$2' in $1" >&2
  return 1
}

# Sums PSS and RSS (KiB) over the process tree of $1; writes per-process lines to $2.
memory() {
  local pss=0 rss=0 p
  : >"$2"
  for p in $(tree_pids "$1"); do
    [ -r "/proc/$p/smaps_rollup" ] || continue
    local a b
    a=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup")
    b=$(awk '/^Rss:/ {print $2}' "/proc/$p/smaps_rollup")
    pss=$((pss + a)); rss=$((rss + b))
    echo "  $(cat "/proc/$p/comm") PSS $((a / 1024)) MiB" >>"$2"
  done
  echo "PSS $((pss / 1024)) MiB, RSS $((rss / 1024)) MiB"
}

tree_pids() { # the process and all its descendants
  local pid=$1
  echo "$pid"
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do tree_pids "$child"; done
}

echo "== cold start ($RUNS runs, dist build: $APP)"
for i in $(seq "$RUNS"); do
  log="$OUT/start-$i.log"
  : >"$log"
  t0=$(now_ms)
  TRUBKA_PERF_LOG="$log" "$APP" --home "$DATA/start-$i" >"$OUT/start-$i.stderr" 2>&1 &
  pid=$!
  wait_line "$log" "ui_ready window=main"
  t1=$(now_ms)
  inside=$(grep -m1 "ui_ready window=main" "$log" | sed 's/.*ms=//')
  echo "$((t1 - t0)) $inside" >>"$OUT/start.txt"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
start_wall=$(cut -d' ' -f1 "$OUT/start.txt" | median)
start_inside=$(cut -d' ' -f2 "$OUT/start.txt" | median)

echo "== event to card ($CALLS calls)"
log="$OUT/app.log"
: >"$log"
mkdir -p "$DATA/app"
[ "${SOUND:-1}" = 0 ] && echo '{"sound": false}' >"$DATA/app/desktop.json"
TRUBKA_PERF_LOG="$log" "$APP" --home "$DATA/app" --relay "$RELAY" --token "$TOKEN" >"$OUT/app.stderr" 2>&1 &
app=$!
pids+=($app)
wait_line "$log" "ui_ready window=main"
sleep "$IDLE"
mem_start=$(memory "$app" "$OUT/memory-start.txt")
for i in $(seq "$CALLS"); do
  curl -fsS -X POST "$SIM/sim/calls" -H 'content-type: application/json' \
    -d "{\"provider\":\"uis\",\"from\":\"+7 926 100-00-$(printf %02d "$i")\",\"employee\":\"2339292\",\"outcome\":\"missed\",\"ring_seconds\":2}" >/dev/null
  # Long enough for the missed card to leave and the window to hide: each card is shown
  # from a hidden window, the slow case.
  sleep "${GAP:-10}"
done
grep "card_visible" "$log" | grep "state=ringing_here" | sed 's/.*ms=//' >"$OUT/card.txt" || true
card_median=$(median <"$OUT/card.txt")
card_max=$(max <"$OUT/card.txt")
cards=$(wc -l <"$OUT/card.txt")

echo "== idle memory (after ${IDLE}s idle)"
sleep "$IDLE"
mem_after=$(memory "$app" "$OUT/memory-after.txt")
# The floor is measured alone: shared library pages would otherwise be split between the
# two trees and make both look smaller.
kill "$app"; wait "$app" 2>/dev/null || true

echo "== platform floor: WebKitGTK's MiniBrowser, one-line page, ${IDLE}s idle"
MINIBROWSER=/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser
floor="n/a (no MiniBrowser)"
if [ -x "$MINIBROWSER" ]; then
  "$MINIBROWSER" "data:text/html,<p>Trubka</p>" >"$OUT/minibrowser.log" 2>&1 &
  mb=$!
  sleep "$IDLE"
  floor=$(memory "$mb" "$OUT/memory-minibrowser.txt")
  kill "$mb"; wait "$mb" 2>/dev/null || true
fi

cat <<REPORT | tee "$OUT/summary.txt"

Trubka desktop app, dist build (opt-level s, thin LTO, stripped), Xvfb 1400x900, $(nproc) cores
cold start to usable main window: median ${start_wall} ms wall (exec to first drawn screen), ${start_inside} ms inside the app (main() to first drawn screen), $RUNS runs   [target <= 1500 ms]
event to card visible: median ${card_median} ms, max ${card_max} ms over ${cards} ringing cards   [target <= 100 ms]
idle memory of the whole process tree, signed in, ${IDLE}s after start: $mem_start   [target <= 150 MB]
$(cat "$OUT/memory-start.txt")
idle memory of the whole process tree, ${IDLE}s after $CALLS calls with cards: $mem_after
$(cat "$OUT/memory-after.txt")
platform floor, WebKitGTK $(pkg-config --modversion webkit2gtk-4.1 2>/dev/null) MiniBrowser with a one-line page: $floor
$(cat "$OUT/memory-minibrowser.txt" 2>/dev/null)
REPORT
