#!/usr/bin/env bash
# Installs whatever a fresh machine lacks to build, run and test Tenantry, and nothing it
# already has. Every step is idempotent and downloads only from the registries this machine
# reaches (crates.io, npm, Debian). Tools that download their own binaries (Sass, Tailwind,
# `playwright install`, a prebuilt wasm-opt) fail on such machines, so cargo-leptos and
# wasm-bindgen are built from crates.io, Playwright uses Debian's Chromium, and wasm-opt
# comes from npm's binaryen.
#   scripts/setup.sh          tools for running the console (wasm target, cargo-leptos, wasm-bindgen, npm deps)
#   scripts/setup.sh --test   the same plus Chromium for the Playwright end-to-end tests
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.11
# Must equal the wasm-bindgen version pinned in Cargo.toml (cargo-leptos does not check it).
WASM_BINDGEN_VERSION=0.2.130

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  log "building cargo-leptos $CARGO_LEPTOS_VERSION from its published source (about 11 minutes)"
  # `cargo install --locked` fails on rustc 1.95 (cargo-util-schemas 0.14.2 wants 1.96); it still
  # leaves the source in the registry, where one lockfile pin makes it build.
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked >/dev/null 2>&1 || true
  src=$(ls -d "$HOME"/.cargo/registry/src/index.crates.io-*/cargo-leptos-"$CARGO_LEPTOS_VERSION" | head -n1)
  tmp=$(mktemp -d)
  cp -r "$src" "$tmp/cargo-leptos"
  (cd "$tmp/cargo-leptos" && cargo update -p cargo-util-schemas --precise 0.14.1 &&
    CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 cargo install --path . --locked)
  rm -rf "$tmp"
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # --locked would pin a yanked webpki-roots; without it the install works.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if [ ! -x end2end/node_modules/.bin/playwright ] || [ end2end/package.json -nt end2end/node_modules/.stamp ]; then
  log "installing npm packages in end2end/ (Playwright without its browser download, oidc-provider, binaryen)"
  (cd end2end && if [ -f package-lock.json ]; then PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund;
    else PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund; fi && touch node_modules/.stamp)
fi

if [ "${1:-}" = "--test" ] && [ ! -x /usr/bin/chromium ]; then
  log "installing Debian's Chromium for the end-to-end tests"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
log "tools ready"
