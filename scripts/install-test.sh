#!/usr/bin/env bash
# The install test (`make install-test`, part of `make test`): the .deb files that
# scripts/package.sh built are installed with dpkg as an admin would, and then
#   - the relay's unit passes `systemd-analyze verify`, and the installed relay runs as the
#     unit runs it (its User=, its ExecStart=, from /) on the installed /etc/trubka/relay.toml,
#     which it finds by itself; `agent add` as the same user adds an agent on the same
#     database, and the installed trubka-cli signs in with that agent's token;
#   - the installed app starts under Xvfb on a private D-Bus and draws its sign-in screen
#     (screenshot in test-output/install/); its desktop entry passes desktop-file-validate and
#     makes it the handler of tel:, callto: and trubka: links;
#   - the installed app updates itself: a key pair made here, a 0.2.0 build published on the
#     installed relay, «Установить» in the installed app (tests/app/updates.rs,
#     installed_app_installs_the_update, through app-e2e's WebDriver harness), and dpkg then
#     knows trubka 0.2.0 (screenshot of «Установлено» in test-output/install/);
#   - `dpkg -r` removes everything but the settings and data Debian keeps, nothing of ours is
#     left running, and `dpkg -P` removes those too.
# CI has no running systemd, so the relay is started by this script the way the unit says.
#
#   scripts/install-test.sh [DIR]     DIR: the packages (default target/packages/debug)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${TRUBKA_INSTALL_TEST_APP:-}" ]; then
  # Inside xvfb-run and dbus-run-session (below): the installed app until its first screen.
  out=$1 perf=$2
  TRUBKA_PERF_LOG=$perf /usr/bin/trubka >"$out/app.log" 2>&1 &
  app=$!
  ready=""
  for _ in $(seq 600); do
    if grep -q "ui_ready window=main" "$perf" 2>/dev/null; then ready=1; break; fi
    kill -0 "$app" 2>/dev/null || break
    sleep 0.1
  done
  # The window's first frame is drawn right after ui_ready; let WebKit put it on screen.
  sleep 1
  import -window root "$out/01-sign-in.png"
  windows=$(xdotool search --name '^Trubka$' 2>/dev/null | wc -l)
  kill "$app" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$app" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$app" 2>/dev/null || true
  [ -n "$ready" ] || { echo "install-test: the app drew no screen within 60 s (see $out/app.log)" >&2; exit 1; }
  [ "$windows" -ge 1 ] || { echo "install-test: no window titled Trubka" >&2; exit 1; }
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  exec sudo "$0" "$@"
fi

dir=${1:-target/packages/debug}
out=test-output/install
packages=(trubka trubka-cli trubka-relay)
start=$(date +%s)
step() { echo "install-test: $*"; }
fail() { echo "install-test: FAILED: $*" >&2; exit 1; }

for p in "${packages[@]}"; do
  if dpkg -s "$p" >/dev/null 2>&1; then
    fail "$p is already installed here; this test installs and removes its own copy only"
  fi
done
shopt -s nullglob
debs=("$dir"/trubka-relay_*.deb "$dir"/trubka-cli_*.deb "$dir"/Trubka_*.deb)
shopt -u nullglob
[ ${#debs[@]} -eq 3 ] || fail "expected the relay's, trubka-cli's and the app's .deb in $dir (scripts/package.sh debug), found: ${debs[*]}"

rm -rf "$out"
mkdir -p "$out"
tmp=$(mktemp -d)
chmod 755 "$tmp"
relay=""
cleanup() {
  [ -n "$relay" ] && kill "$relay" 2>/dev/null || true
  dpkg -P "${packages[@]}" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

step "dpkg -i ${debs[*]}"
dpkg -i "${debs[@]}" >"$out/dpkg-install.log" 2>&1 || { cat "$out/dpkg-install.log" >&2; fail "dpkg -i"; }

# The relay: its unit, its user, its settings.
unit=/usr/lib/systemd/system/trubka-relay.service
[ -f "$unit" ] || fail "no $unit"
systemd-analyze verify "$unit" >"$out/systemd-analyze.log" 2>&1 || { cat "$out/systemd-analyze.log" >&2; fail "systemd-analyze verify $unit"; }
for key in ProtectSystem=strict ProtectHome=yes PrivateTmp=yes NoNewPrivileges=yes \
  Restart=on-failure StateDirectory=trubka ConfigurationDirectory=trubka; do
  grep -qx "$key" "$unit" || fail "$unit has no $key"
done
user=$(sed -n 's/^User=//p' "$unit")
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
id "$user" >/dev/null || fail "the package made no user $user"
[ "$(stat -c %U:%G:%a /etc/trubka/relay.toml)" = "root:$user:640" ] \
  || fail "/etc/trubka/relay.toml is $(stat -c %U:%G:%a /etc/trubka/relay.toml), not root:$user:640"
dpkg-query -W -f='${Conffiles}\n' trubka-relay | grep -q /etc/trubka/relay.toml \
  || fail "/etc/trubka/relay.toml is not a conffile"

# As the unit runs it: its user and groups, no new privileges, from /. The listen address is
# the one setting changed (the environment overrides the file), so that a relay already on
# the default port here (make demo) cannot make this test fail.
port=""
for candidate in $(shuf -i 20000-60000 -n 50); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[ -n "$port" ] || fail "no free port on 127.0.0.1"
as_unit=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "TRUBKA_RELAY_LISTEN=127.0.0.1:$port"
  setpriv --reuid="$user" --regid="$user" --init-groups --no-new-privs)
step "$exec_start as $user"
# One subshell that execs: $! is the relay itself, for the kill below.
# shellcheck disable=SC2086 # ExecStart= is a command line
(cd / && exec "${as_unit[@]}" $exec_start) >"$out/relay.log" 2>&1 &
relay=$!
for _ in $(seq 300); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$relay" 2>/dev/null || { cat "$out/relay.log" >&2; fail "the installed relay exited"; }
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || fail "the installed relay did not answer /healthz in 30 s"
grep -q '/etc/trubka/relay.toml (установленный по умолчанию)' "$out/relay.log" \
  || fail "the relay did not read the installed /etc/trubka/relay.toml by itself (see $out/relay.log)"
grep -q '/var/lib/trubka' "$out/relay.log" || fail "the relay's data dir is not /var/lib/trubka"
[ "$(stat -c %U /var/lib/trubka/relay.db)" = "$user" ] || fail "relay.db is not owned by $user"

step "agent add as $user, trubka-cli login"
(cd / && exec "${as_unit[@]}" trubka-relay agent add --name "Анна" --uis-employee 2339292) >"$out/agent-add.log" 2>"$out/agent-add.err" \
  || { cat "$out/agent-add.err" >&2; fail "trubka-relay agent add"; }
# The token is agent add's last line (no invite link: the installed settings set no public_url).
token=$(tail -n 1 "$out/agent-add.log")
[[ $token == trk_* ]] || fail "agent add printed no token (see $out/agent-add.log)"
trubka-cli --home "$tmp/cli" login --relay "http://127.0.0.1:$port" --token "$token" \
  >"$out/cli-login.log" 2>&1 || { cat "$out/cli-login.log" >&2; fail "trubka-cli login"; }
grep -q "Анна" "$out/cli-login.log" || fail "trubka-cli login does not name the agent (see $out/cli-login.log)"

# The app: its desktop entry, its links, its icons, its first screen.
desktop=$(dpkg -L trubka | grep '^/usr/share/applications/.*\.desktop$' | head -n 1)
[ -n "$desktop" ] || fail "the app's package has no desktop entry"
desktop-file-validate "$desktop" || fail "desktop-file-validate $desktop"
for scheme in tel callto trubka; do
  grep -q "^MimeType=.*x-scheme-handler/$scheme;" "$desktop" || fail "$desktop does not list x-scheme-handler/$scheme"
  handler=$(env -i PATH="$PATH" HOME="$tmp/home" XDG_DATA_DIRS=/usr/local/share:/usr/share \
    xdg-mime query default "x-scheme-handler/$scheme")
  [ "$handler" = "$(basename "$desktop")" ] || fail "xdg-mime names «$handler» for $scheme:, not $(basename "$desktop")"
done
icons=$(dpkg -L trubka | grep -c '^/usr/share/icons/hicolor/.*/apps/.*\.png$' || true)
[ "$icons" -ge 4 ] || fail "the app's package has $icons icon sizes"

step "the installed app under Xvfb"
mkdir -p "$tmp/home"
env -i PATH="$PATH" HOME="$tmp/home" LANG=C.UTF-8 TRUBKA_INSTALL_TEST_APP=1 \
  timeout 120 xvfb-run -a -s "-screen 0 1400x900x24" dbus-run-session -- \
  "$0" "$out" "$tmp/perf.log" || fail "the installed app (see $out/app.log)"

# The update, as README tells the admin to publish one: a key pair made here, its public key
# in the installed relay.toml's [updates], the installed app's package repacked as 0.2.0 by
# dpkg-deb (building the app twice would take longer than this whole test), signed, and
# published with the installed `trubka-relay app publish` as the service's user. Then the
# installed app, given the public key at run time (debug builds read it), is driven through
# app-e2e's WebDriver harness to «Проверить обновления», «Доступна новая версия 0.2.0» and
# «Установить»; its updater verifies the download and installs it with `sudo dpkg -i`
# (no pkexec or password prompt here; root's sudo asks nothing).
step "the installed app installs 0.2.0 from the installed relay"
update_start=$(date +%s)
command -v sudo >/dev/null || fail "no sudo, the updater's way to dpkg here (scripts/install-deps.sh installs it)"
tauri=$PWD/ui/node_modules/.bin/tauri
[ -x "$tauri" ] || fail "no $tauri (cd ui && npm ci)"
"$tauri" signer generate --ci -p "" -w "$tmp/updates.key" >"$out/signer.log" 2>&1 \
  || { cat "$out/signer.log" >&2; fail "tauri signer generate"; }
pubkey=$(cat "$tmp/updates.key.pub")
sed -i "s|^#public_key = .*|public_key = \"$pubkey\"|" /etc/trubka/relay.toml
grep -qx "public_key = \"$pubkey\"" /etc/trubka/relay.toml || fail "no #public_key line to set in /etc/trubka/relay.toml"
dpkg-deb -R "${debs[2]}" "$tmp/build-0.2.0"
sed -i 's/^Version: .*/Version: 0.2.0/' "$tmp/build-0.2.0/DEBIAN/control"
grep -qx 'Version: 0.2.0' "$tmp/build-0.2.0/DEBIAN/control" || fail "the repacked control file has no Version: 0.2.0"
second=$tmp/Trubka_0.2.0_amd64.deb
# Fast gzip: xz of a debug binary takes minutes on two cores.
dpkg-deb --root-owner-group -Zgzip -z1 --build "$tmp/build-0.2.0" "$second" >/dev/null
TAURI_SIGNING_PRIVATE_KEY_PASSWORD="" "$tauri" signer sign -f "$tmp/updates.key" "$second" \
  >>"$out/signer.log" 2>&1 </dev/null || { cat "$out/signer.log" >&2; fail "tauri signer sign"; }
(cd / && exec "${as_unit[@]}" trubka-relay app publish "$second" --signature "$second.sig" \
  --notes "Проверка установки обновления") >"$out/app-publish.log" 2>&1 \
  || { cat "$out/app-publish.log" >&2; fail "trubka-relay app publish"; }
mkdir -p "$tmp/update-home"
# The harness's tauri-driver and WebKitWebDriver, on a display and session bus of its own,
# as `make app-e2e` runs them; its screenshots and logs go to $out.
TRUBKA_APP_BINARY=/usr/bin/trubka TRUBKA_APP_OUTPUT="$PWD/$out" \
  TRUBKA_INSTALL_RELAY="http://127.0.0.1:$port" TRUBKA_INSTALL_TOKEN="$token" \
  TRUBKA_INSTALL_HOME="$tmp/update-home" TRUBKA_UPDATER_PUBKEY="$pubkey" \
  timeout 600 xvfb-run -a -s "-screen 0 1400x900x24" dbus-run-session -- \
  cargo test -p trubka-e2e --test app --locked -- --ignored --exact --nocapture \
  updates::installed_app_installs_the_update >"$out/update-test.log" 2>&1 \
  || { tail -n 40 "$out/update-test.log" >&2; fail "the installed app's update (see $out/update-test.log)"; }
version=""
for _ in $(seq 100); do
  version=$(dpkg-query -W -f='${Version}' trubka)
  [ "$version" = 0.2.0 ] && break
  sleep 0.1
done
[ "$version" = 0.2.0 ] || fail "dpkg says trubka $version after the update, not 0.2.0"
step "updated to $version in $(($(date +%s) - update_start)) s (cargo's build of the test included)"

[ "$(readlink "/proc/$relay/exe")" = /usr/bin/trubka-relay ] || fail "pid $relay is not the relay"
kill -TERM "$relay"
for _ in $(seq 150); do kill -0 "$relay" 2>/dev/null || break; sleep 0.1; done
kill -0 "$relay" 2>/dev/null && fail "the relay did not stop within 15 s of SIGTERM"
wait "$relay" || true
relay=""

step "dpkg -r"
dpkg -r "${packages[@]}" >"$out/dpkg-remove.log" 2>&1 || { cat "$out/dpkg-remove.log" >&2; fail "dpkg -r"; }
if pgrep -fa '^/usr/bin/trubka' >&2; then fail "processes of ours are still running"; fi
for path in /usr/bin/trubka /usr/bin/trubka-relay /usr/bin/trubka-cli "$unit" "$desktop"; do
  [ ! -e "$path" ] || fail "$path is left after dpkg -r"
done
# Debian keeps what the admin may want back after a remove: the settings and the database.
[ -f /etc/trubka/relay.toml ] || fail "dpkg -r removed the settings; only a purge should"
step "dpkg -P"
dpkg -P "${packages[@]}" >"$out/dpkg-purge.log" 2>&1 || { cat "$out/dpkg-purge.log" >&2; fail "dpkg -P"; }
for path in /etc/trubka /var/lib/trubka /etc/systemd/system/multi-user.target.wants/trubka-relay.service; do
  [ ! -e "$path" ] || fail "$path is left after dpkg -P"
done
for p in "${packages[@]}"; do
  if dpkg -s "$p" >/dev/null 2>&1; then fail "$p is still known to dpkg"; fi
done

step "passed in $(($(date +%s) - start)) s; screenshots: $out/01-sign-in.png, $out/02-update-installed-ru.png"
