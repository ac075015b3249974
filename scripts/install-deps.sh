#!/usr/bin/env bash
# Installs what building and testing Trubka needs on Debian, and only what is missing, so that
# repeated runs take a second. Runs as root (CI and the dev machines) or through sudo.
set -euo pipefail

# nginx and caddy: crates/trubka-relay/tests/relay/proxy.rs runs the relay behind the very configs
# docs/deploy/ gives admins, with a certificate it makes with openssl.
# chromium: crates/trubka-relay/tests/relay/join_page.rs opens the invite page in headless Chromium,
# screenshots it and checks the DOM it built.
# pebble: crates/trubka-relay/tests/relay/acme.rs gets the relay's certificate from a real ACME
# server (Let's Encrypt's test CA) on 127.0.0.1, the http-01 challenge answered by the relay.
# dpkg-dev, systemd, adduser: `make package` builds .deb files with cargo-deb (dpkg-shlibdeps
# finds their library dependencies), and `make install-test` installs them and checks the
# relay's unit with systemd-analyze (systemd need not be running); the relay's package makes
# its user with adduser.
# sudo: in `make install-test` the installed app's updater installs the new .deb with
# `sudo dpkg -i`, its last resort after pkexec and a zenity/kdialog password prompt, none of
# which a headless CI has; the test runs as root, for whom sudo asks no password.
packages=(build-essential pkg-config curl nginx caddy openssl chromium pebble dpkg-dev systemd adduser sudo)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done

if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "install-deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

command -v cargo >/dev/null || { echo "install-deps: cargo is missing; install Rust (rustup) first" >&2; exit 1; }
# cargo-deb builds the relay's and trubka-cli's .deb (`make package`, `make install-test`);
# pinned, and built once (a minute or two) when missing.
CARGO_DEB_VERSION=3.8.0
if [ "$(cargo deb --version 2>/dev/null | awk '{print $2}')" != "$CARGO_DEB_VERSION" ]; then
  echo "install-deps: installing cargo-deb $CARGO_DEB_VERSION"
  cargo install cargo-deb --locked --version "$CARGO_DEB_VERSION"
fi
for component in rustfmt clippy; do
  if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
    rustup component add "$component"
  fi
done
