#!/usr/bin/env bash
# Installs what building and testing the desktop app needs, only what is missing:
# the Debian packages (WebKitGTK, Xvfb, D-Bus, WebKitWebDriver, ImageMagick, xdotool, ...),
# checks node and npm, installs the UI's npm packages and tauri-driver.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  libwebkit2gtk-4.1-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev libgtk-3-dev
  librsvg2-dev libayatana-appindicator3-dev build-essential pkg-config libssl-dev
  xvfb xauth dbus dbus-x11 webkit2gtk-driver libxdo-dev imagemagick x11-utils xdotool
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good desktop-file-utils xdg-utils
  gnome-keyring libsecret-tools
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-app-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "install-app-deps: node and npm are needed (Node 20+): apt-get install nodejs npm" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "install-app-deps: Node $node_major is too old; Node 20 or newer is needed" >&2
  exit 1
fi

if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules ]; then
  # `npm install` rather than `npm ci`: the lock is written without registry URLs
  # (omit-lockfile-registry-resolved), which npm 11's `ci` rejects as out of sync; `install`
  # follows the same lock and leaves it unchanged.
  (cd ui && npm install --no-audit --no-fund)
fi

if ! command -v tauri-driver >/dev/null; then
  echo "install-app-deps: installing tauri-driver"
  cargo install tauri-driver --locked
fi
