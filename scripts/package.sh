#!/usr/bin/env bash
# Builds Trubka's packages with each ecosystem's own tools into target/packages/<mode>/:
#   trubka-relay_*.deb and trubka-cli_*.deb   cargo-deb (crates' [package.metadata.deb])
#   Trubka_*.deb and Trubka-*.rpm             the Tauri bundler (@tauri-apps/cli in ui/)
#
#   scripts/package.sh release   what `make package` ships (release builds, .deb and .rpm)
#   scripts/package.sh debug     what `make install-test` installs: debug builds, which reuse
#                                what `make test` already compiled, and the app's .deb only:
#                                `tauri bundle --debug` packs the very target/debug/trubka
#                                app-e2e tested (its web UI is embedded, as no devUrl is set).
#                                `tauri build --debug` would add the custom-protocol feature,
#                                rebuilding tauri, its plugins and the app (1m37s measured),
#                                and app-e2e's next build would rebuild them back.
#
# AppImage is left out: its tooling (linuxdeploy and its plugins) is downloaded from GitHub
# at build time, outside the package registries a build may use.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-release}
out=target/packages/$mode
rm -rf "$out"
mkdir -p "$out"

case $mode in
  release)
    cargo_deb=(--locked)
    bundle=target/release/bundle
    ;;
  debug)
    # cargo-deb warns that it is meant for release profiles; a debug .deb is for this test
    # only, and --no-strip --fast keep it from spending minutes on what nobody ships.
    cargo_deb=(--locked --profile dev --no-strip --fast)
    bundle=target/debug/bundle
    ;;
  *)
    echo "package.sh: release or debug, not $mode" >&2
    exit 2
    ;;
esac

cargo deb -p trubka-relay "${cargo_deb[@]}" -o "$out/"
cargo deb -p trubka-agent "${cargo_deb[@]}" -o "$out/"

# The Tauri bundler packs the app; CI=true keeps it from asking anything. For a release it
# builds the web UI (tauri.conf.json's beforeBuildCommand) and the app first.
rm -rf "$bundle"
tauri=../ui/node_modules/.bin/tauri
if [ "$mode" = release ]; then
  (cd src-tauri && CI=true $tauri build --bundles deb,rpm -- --locked)
else
  cargo build --locked -p trubka
  (cd src-tauri && CI=true $tauri bundle --debug --bundles deb)
fi
find "$bundle" -maxdepth 2 \( -name '*.deb' -o -name '*.rpm' \) -exec cp {} "$out/" \;

echo "package.sh: $mode packages in $out:"
ls -l "$out"
