#!/usr/bin/env bash
# README command 2 (and CI): set up what is missing, then run every test:
#   formatting and clippy (ssr and hydrate builds), unit tests, domain tests on SQLite
#   and on Postgres (127.0.0.1:5432, user postgres), server integration tests (REST,
#   isolation matrix), and the Playwright end-to-end tests in Debian's Chromium against
#   the dev OpenID Provider on loopback.
#
# Usage: scripts/test.sh [all|rust|e2e] [playwright args…]   (default all; the stages and
# the arguments, e.g. `e2e tests/ux.spec.ts`, are for development)
# E2E_PROFILE=release runs the end-to-end tests on the release build that bench.sh
# measures (type-erased views, optimised wasm) instead of the debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
stage="${1:-all}"
scripts/setup.sh --test
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"
# Leptos reads this at compile time; cargo-leptos sets it, so every cargo call here does
# too and they all reuse the same build artifacts.
export LEPTOS_OUTPUT_NAME=tenantry
# A test run gains nothing from incremental caches, which cost gigabytes of disk, nor
# from full debug info: with it every server test binary was 2.6 GB to write and link;
# line tables keep backtraces readable.
export CARGO_INCREMENTAL=0
export CARGO_PROFILE_DEV_DEBUG=line-tables-only
export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
step() { printf '\n\033[1;34m== %s\033[0m\n' "$*"; }
t0=$(date +%s)

if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  step "starting the local Postgres cluster"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
fi

if [ "$stage" = all ] || [ "$stage" = rust ]; then
step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (ssr, then hydrate for wasm)"
cargo clippy --workspace --exclude frontend --exclude counter --exclude iam-bench --all-targets -- -D warnings
cargo clippy -p frontend -p app -p counter --target wasm32-unknown-unknown --no-default-features --features app/hydrate,counter/hydrate -- -D warnings

step "unit, domain (SQLite + Postgres) and server integration tests"
# The test of concurrent page renders runs alone: beside the other tests of its binary,
# each on a runtime of its own, a render can wait on work handed to a runtime that ended
# with its test, and hang (a server has one runtime; alone, the test passes every time).
cargo test --workspace --exclude frontend --exclude counter --exclude iam-bench -- --skip concurrent_page_renders
cargo test -p server --test rest concurrent_page_renders
fi
[ "$stage" = rust ] && { step "done in $(( $(date +%s) - t0 ))s"; exit 0; }

step "building the console for the end-to-end tests"
if [ "${E2E_PROFILE:-debug}" = release ]; then
  # As bench.sh builds it: server and browser both with erased view types.
  RUSTFLAGS="--cfg erase_components" cargo leptos build --release --split
  server_bin=target/release/server
else
  cargo leptos build --split
  server_bin=target/debug/server
fi

step "end-to-end tests (Playwright, Chromium, dev IdP)"
run=$(mktemp -d)
export IDP_PORT=4100 APP_PORT=3100
export BASE_URL="http://127.0.0.1:${APP_PORT}" IDP_URL="http://127.0.0.1:${IDP_PORT}"
export E2E_ADMIN_PASSWORD="e2e-bootstrap-password"
# A data plane's token, so the walk-through can report traffic as a data plane would.
E2E_DATAPLANE_TOKEN=$(DATABASE_URL="sqlite://$run/e2e.db?mode=rwc" TENANTRY_BOOTSTRAP_ADMIN=off \
  "$server_bin" dataplane token --name e2e-data-plane --ttl 1d 2>/dev/null)
export E2E_DATAPLANE_TOKEN
APP_URL="$BASE_URL" node end2end/idp/dev-idp.mjs >"$run/idp.log" 2>&1 &
idp_pid=$!
(
  export DATABASE_URL="sqlite://$run/e2e.db?mode=rwc"
  export LEPTOS_SITE_ADDR="127.0.0.1:${APP_PORT}" TENANTRY_PUBLIC_URL="$BASE_URL"
  export LEPTOS_OUTPUT_NAME=tenantry LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
  export TENANTRY_BOOTSTRAP_ADMIN_EMAIL=admin@localhost TENANTRY_BOOTSTRAP_ADMIN_PASSWORD="$E2E_ADMIN_PASSWORD"
  export TENANTRY_OIDC_PROVIDERS=dev TENANTRY_OIDC_DEV_LABEL="Dev IdP" TENANTRY_OIDC_DEV_ISSUER="$IDP_URL"
  export TENANTRY_OIDC_DEV_CLIENT_ID=tenantry-dev TENANTRY_OIDC_DEV_CLIENT_SECRET=tenantry-dev-secret
  exec "$server_bin"
) >"$run/server.log" 2>&1 &
server_pid=$!
cleanup() { kill "$server_pid" "$idp_pid" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
status=0
(cd end2end && npx playwright test "${@:2}") || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (tail) ---"; tail -n 60 "$run/server.log"
  echo "--- idp log (tail) ---"; tail -n 20 "$run/idp.log"
fi
cleanup
step "done in $(( $(date +%s) - t0 ))s (exit $status)"
exit "$status"
