#!/usr/bin/env bash
# README command 1: set up what is missing, then run the console on
# http://127.0.0.1:3000 with SQLite under ./data and the bootstrap admin.
# A dev OpenID Provider is started on 127.0.0.1:4000 as well (unless you configured
# your own with TENANTRY_OIDC_PROVIDERS), so you can sign in as each role.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"
# Leptos reads this at compile time; cargo-leptos sets it, so every cargo call here does
# too and they all reuse the same build artifacts.
export LEPTOS_OUTPUT_NAME=tenantry

[ -f .env ] && { set -a; . ./.env; set +a; }
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export TENANTRY_PUBLIC_URL="${TENANTRY_PUBLIC_URL:-http://${LEPTOS_SITE_ADDR}}"

idp_pid=""
cleanup() { [ -n "$idp_pid" ] && kill "$idp_pid" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if [ -z "${TENANTRY_OIDC_PROVIDERS:-}" ]; then
  export IDP_PORT="${IDP_PORT:-4000}"
  APP_URL="$TENANTRY_PUBLIC_URL" node end2end/idp/dev-idp.mjs &
  idp_pid=$!
  export TENANTRY_OIDC_PROVIDERS=dev
  export TENANTRY_OIDC_DEV_LABEL="Dev IdP"
  export TENANTRY_OIDC_DEV_ISSUER="http://127.0.0.1:${IDP_PORT}"
  export TENANTRY_OIDC_DEV_CLIENT_ID=tenantry-dev
  export TENANTRY_OIDC_DEV_CLIENT_SECRET=tenantry-dev-secret
fi

cargo leptos build --split
export LEPTOS_OUTPUT_NAME=tenantry LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
echo "Tenantry: $TENANTRY_PUBLIC_URL  (sign in as the bootstrap admin, or with the dev IdP as admin/alice/bob/victor)"
target/debug/server
