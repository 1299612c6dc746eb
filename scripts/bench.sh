#!/usr/bin/env bash
# The bench command: builds in release, measures every figure side by side in one run on
# this machine, prints one table and writes it to BENCHMARKS.md with the date and the
# machine. Speed is measured here, never asserted in a timed test.
#
#   R1     rps of console pages and a REST read ÷ rps of a bare axum hello world
#          (bench/src/bin/hello.rs), same profile, same core
#   R3     the hydrate bundle's gzip size ÷ a minimal hydrated Leptos counter
#          (bench/counter), same profile and tools
#   R4     committed single-row transactions per second on SQLite (WAL,
#          synchronous=FULL) ÷ raw write+fdatasync per second on the same disk
#   Scale  with 100,000 tenants and 1,000,000 audit rows: p50/p95 of the switcher
#          search, the tenant list and an audit page; peak RSS of the server
#   IAM    ns per decision of policy::iam ÷ the cedar-policy crate on the same
#          questions, at 100 and 10,000 statements (bench/iam, criterion)
#
# The server is pinned to core 0 and the load generator (Debian's wrk) to core 1.
# Usage: scripts/bench.sh            (BENCH_SECONDS=10 per run; BENCH_NO_WRITE=1 keeps
#                                     BENCHMARKS.md as it is)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"
export LEPTOS_OUTPUT_NAME=tenantry
SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
step() { printf '\n\033[1;34m== %s\033[0m\n' "$*" >&2; }

if ! command -v wrk >/dev/null; then
  step "installing Debian's wrk"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
fi
if [ "$(nproc)" -lt 2 ]; then
  echo "bench: needs two cores (server on one, load generator on the other)" >&2
  exit 1
fi

step "release builds (console, yardsticks, counter wasm)"
# Release builds use Leptos's type-erased views on both sides: the views of every page
# are otherwise monomorphised into the wasm, most of its size (847 KB → 578 KB gzip).
# Server and browser must agree (an erased browser hydrating an unerased server's HTML
# fails), so the flag goes to every build here; debug builds and tests keep static types.
export RUSTFLAGS="--cfg erase_components"
cargo leptos build --release
cargo build --release -p bench --bins
cargo build -p counter --lib --target wasm32-unknown-unknown --profile wasm-release \
  --target-dir target/front --features hydrate

run=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$run"; }
trap cleanup EXIT

# R3: both bundles through the same steps cargo-leptos takes in release
# (wasm-bindgen, then wasm-opt -Oz), then gzip -9.
wasm-bindgen --target web --out-dir "$run/counter" \
  target/front/wasm32-unknown-unknown/wasm-release/counter.wasm
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  "$run/counter/counter_bg.wasm" -o "$run/counter/counter_bg.wasm"
gz() { gzip -9 -c "$1" | wc -c; }
site_wasm=$(ls target/site/pkg/*.wasm | head -n1)
app_gz=$(gz "$site_wasm"); app_raw=$(wc -c <"$site_wasm")
counter_gz=$(gz "$run/counter/counter_bg.wasm")

# R4
step "R4: commits per second on this disk"
disk=$(target/release/disk "$run" 5)
raw_per_s=${disk#raw_per_s=}; raw_per_s=${raw_per_s%% *}
sqlite_per_s=${disk##*sqlite_per_s=}

PORT=3310
BASE="http://127.0.0.1:$PORT"
PASSWORD="bench-bootstrap-password"
db="$run/bench.db"
server_env=(env DATABASE_URL="sqlite://$db?mode=rwc" LEPTOS_SITE_ADDR="127.0.0.1:$PORT"
  TENANTRY_PUBLIC_URL="$BASE" LEPTOS_OUTPUT_NAME=tenantry LEPTOS_SITE_ROOT=target/site
  LEPTOS_SITE_PKG_DIR=pkg TENANTRY_BOOTSTRAP_ADMIN_EMAIL=admin@localhost
  TENANTRY_BOOTSTRAP_ADMIN_PASSWORD="$PASSWORD" RUST_LOG=warn)
server_pid=""
start_server() {
  taskset -c 0 "${server_env[@]}" target/release/server >>"$run/server.log" 2>&1 &
  server_pid=$!; pids+=("$server_pid")
  for _ in $(seq 1 100); do
    curl -fs -o /dev/null "$BASE/login" && return 0
    sleep 0.2
  done
  echo "bench: the server did not start"; tail -n 30 "$run/server.log"; exit 1
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; }

# wrk: one thread on core 1. Prints "rps p50 p95"; refuses runs with errors or non-2xx.
measure() {
  local conns=$1 url=$2; shift 2
  local out
  out=$(env "$@" taskset -c 1 wrk -t1 -c"$conns" -d"${SECONDS_PER_RUN}s" -s bench/wrk.lua "$url" | grep '^BENCH')
  case "$out" in *"errors=0 non2xx=0"*) ;; *) echo "bench: $url failed: $out" >&2; exit 1 ;; esac
  local rps=${out#*rps=}; rps=${rps%% *}
  local p50=${out#*p50_ms=}; p50=${p50%% *}
  local p95=${out#*p95_ms=}; p95=${p95%% *}
  echo "$rps $p50 $p95"
}

step "R1: a bare axum hello world"
taskset -c 0 env BENCH_ADDR="127.0.0.1:3390" target/release/hello &
hello_pid=$!; pids+=("$hello_pid")
sleep 0.5
read -r hello_rps _ _ < <(measure 16 "http://127.0.0.1:3390/")
kill "$hello_pid"

step "R1: console pages and a REST read (25 tenants)"
"${server_env[@]}" target/release/server migrate >/dev/null
python3 bench/seed.py "$db" 25 0
start_server
cookie=$(curl -s -o /dev/null -D - -X POST --data-urlencode "email=admin@localhost" \
  --data-urlencode "password=$PASSWORD" --data-urlencode "next=/" "$BASE/auth/local" |
  sed -n 's/^[Ss]et-[Cc]ookie: \(tenantry_session=[^;]*\).*/\1/p' | head -n1)
[ -n "$cookie" ] || { echo "bench: login failed"; exit 1; }
token=$("${server_env[@]}" target/release/server admin token --email admin@localhost --ttl 1d)
page=(WRK_COOKIE="$cookie" WRK_ACCEPT="text/html")
read -r list_rps list_p50 _ < <(measure 16 "$BASE/admin/tenants" "${page[@]}")
read -r dash_rps dash_p50 _ < <(measure 16 "$BASE/t/admin" "${page[@]}")
read -r metrics_rps metrics_p50 _ < <(measure 16 "$BASE/t/admin/metrics" "${page[@]}")
read -r api_rps api_p50 _ < <(measure 16 "$BASE/api/v1/tenants" WRK_AUTH="Bearer $token")

step "R1: authorisation by statements (a group member, an admitted user)"
# bench-iam holds 50 statements for other groups and one that lets its group netops
# manage network-family; member@ is a viewer there, in netops. partner@ is a viewer of
# bench-home, in partners, which bench-home endorses and bench-iam admits (read).
api() { curl -sf -H "Authorization: Bearer $token" "$@" >/dev/null; }
json=(-H 'content-type: application/json')
new_tenant() {
  curl -sf -H "Authorization: Bearer $token" "${json[@]}" -d "{\"name\":\"$1\"}" "$BASE/api/v1/tenants" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
iam_id=$(new_tenant bench-iam); home_id=$(new_tenant bench-home)
member_in_group() { # tenant-id user group
  api "${json[@]}" -H "ActiveProjectID: $1" -d "{\"email\":\"$2@bench.test\",\"role\":\"viewer\"}" "$BASE/api/v1/members"
  api "${json[@]}" -H "ActiveProjectID: $1" -d "{\"name\":\"$3\"}" "$BASE/api/v1/groups"
  api "${json[@]}" -H "ActiveProjectID: $1" -d "{\"email\":\"$2@bench.test\"}" "$BASE/api/v1/groups/$3/members"
}
member_in_group "$iam_id" member netops
member_in_group "$home_id" partner partners
text=(-H 'content-type: text/plain')
api "${text[@]}" -H "ActiveProjectID: $iam_id" --data-binary "$(for i in $(seq 1 50); do
  echo "Allow group team-$i to read clusters in tenancy"; done
  echo "Allow group netops to manage network-family in tenancy"
  echo "Define tenancy Home as $home_id"
  echo "Admit group partners of tenancy Home to read network-family in tenancy")" \
  "$BASE/api/v1/iam-policies?name=bench"
api "${text[@]}" -H "ActiveProjectID: $home_id" --data-binary "$(printf 'Define tenancy Dest as %s\nEndorse group partners to read network-family in tenancy Dest\n' "$iam_id")" \
  "$BASE/api/v1/iam-policies?name=endorse"
member_token=$("${server_env[@]}" target/release/server admin token --email member@bench.test --ttl 1d)
partner_token=$("${server_env[@]}" target/release/server admin token --email partner@bench.test --ttl 1d)
read -r member_rps member_p50 _ < <(measure 16 "$BASE/api/v1/workspaces" WRK_AUTH="Bearer $member_token" WRK_PROJECT="$iam_id")
read -r partner_rps partner_p50 _ < <(measure 16 "$BASE/api/v1/workspaces" WRK_AUTH="Bearer $partner_token" WRK_PROJECT="$iam_id")
stop_server

step "Scale: 100,000 tenants and 1,000,000 audit rows"
python3 bench/seed.py "$db" 100000 1000000
start_server
sfn=(WRK_COOKIE="$cookie" WRK_ACCEPT="application/json" WRK_METHOD=POST)
read -r _ search_p50 search_p95 < <(measure 4 "$BASE/fn/switcher" "${sfn[@]}" WRK_BODY="q=99999")
read -r _ slist_p50 slist_p95 < <(measure 4 "$BASE/admin/tenants" "${page[@]}")
read -r _ audit_p50 audit_p95 < <(measure 4 "$BASE/t/admin/audit" "${page[@]}")
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
stop_server

step "IAM: policy::iam against Cedar (criterion, both pre-parsed, same questions)"
# Criterion times one thread on an otherwise idle machine (no server runs now).
cargo bench -p iam-bench --bench evaluate -- --noplot >"$run/criterion.log" 2>&1 ||
  { tail -n 30 "$run/criterion.log"; exit 1; }
iam_rows=$(python3 - <<'PY'
import json, os
names = ["in-tenant, granted", "in-tenant, refused", "cross-tenant, granted", "cross-tenant, refused"]
for n in (100, 10000):
    for i, name in enumerate(names):
        est = lambda who: json.load(open(f"target/criterion/iam-{n}/q{i}-{who}/new/estimates.json"))["mean"]["point_estimate"]
        ours, cedar = est("ours"), est("cedar")
        print(f"| IAM decision, {n:,} statements, {name} | {ours:,.0f} ns (policy::iam) | Cedar {cedar:,.0f} ns | {ours / cedar:.5f} | ≤ 1.0 |")
PY
)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f%%", 100 * a / b }'; }
kb() { awk -v a="$1" 'BEGIN { printf "%.0f KB", a / 1024 }'; }
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
table=$(cat <<EOF
Measured $(date -u +%Y-%m-%d) on $(nproc) cores of ${cpu:-an unknown CPU}, $(uname -sr); server on core 0, wrk on core 1, ${SECONDS_PER_RUN} s a run.

| figure | measured | yardstick | ratio | target |
| --- | --- | --- | --- | --- |
| R1 tenant list page (\`/admin/tenants\`), 16 connections | ${list_rps} rps (p50 ${list_p50} ms) | hello world ${hello_rps} rps | $(pct "$list_rps" "$hello_rps") | ≥ 10% |
| R1 dashboard (\`/t/admin\`), 16 connections | ${dash_rps} rps (p50 ${dash_p50} ms) | hello world ${hello_rps} rps | $(pct "$dash_rps" "$hello_rps") | ≥ 10% |
| R1 metrics page (\`/t/admin/metrics\`, counts and three charts), 16 connections | ${metrics_rps} rps (p50 ${metrics_p50} ms) | hello world ${hello_rps} rps | $(pct "$metrics_rps" "$hello_rps") | |
| R1 \`GET /api/v1/tenants\`, console token, 16 connections | ${api_rps} rps (p50 ${api_p50} ms) | hello world ${hello_rps} rps | $(pct "$api_rps" "$hello_rps") | ≥ 20,000 rps |
| R1 \`GET /api/v1/workspaces\`, a group member (51 statements), 16 connections | ${member_rps} rps (p50 ${member_p50} ms) | hello world ${hello_rps} rps | $(pct "$member_rps" "$hello_rps") | |
| R1 \`GET /api/v1/workspaces\`, admitted by Endorse + Admit, 16 connections | ${partner_rps} rps (p50 ${partner_p50} ms) | hello world ${hello_rps} rps | $(pct "$partner_rps" "$hello_rps") | |
| R3 hydrate bundle, gzip -9 | $(kb "$app_gz") ($(kb "$app_raw") raw) | counter $(kb "$counter_gz") | $(ratio "$app_gz" "$counter_gz")× | ≤ 350 KB |
| R4 SQLite commits (WAL, synchronous=FULL) | ${sqlite_per_s}/s | write+fdatasync ${raw_per_s}/s | $(ratio "$sqlite_per_s" "$raw_per_s") | |
| Scale: switcher search \`q=99999\`, 4 connections | p50 ${search_p50} ms, p95 ${search_p95} ms | | | p95 < 2 ms |
| Scale: tenant list page, 4 connections | p50 ${slist_p50} ms, p95 ${slist_p95} ms | | | |
| Scale: audit page (1,000,000 rows), 4 connections | p50 ${audit_p50} ms, p95 ${audit_p95} ms | | | |
${iam_rows}
| Peak RSS of the server (after the scale runs) | $(awk -v k="$rss_kb" 'BEGIN { printf "%.0f MB", k / 1024 }') | | | |
EOF
)
echo
echo "$table"
if [ -z "${BENCH_NO_WRITE:-}" ]; then
  {
    echo "# Benchmarks"
    echo
    echo "Written by \`scripts/bench.sh\` (see its header for what each figure means). Run it"
    echo "again after adding a page or a route, and keep the ratios."
    echo
    echo "$table"
    echo
    echo "The IAM rows (bench/iam, criterion) time one decision of each engine on the same"
    echo "pre-parsed policies and the same four questions, whose answers are checked equal"
    echo "before timing. Cedar gets the hierarchy as entities (2 tenants, 51 users and groups"
    echo "each, 36 resource types, 9 families, the verbs as an action hierarchy); an"
    echo "Endorse/Admit pair is the one Cedar permit it amounts to. policy::iam looks up only"
    echo "the statements filed under the request's tenant, kind, resource type and subject, so"
    echo "its time hardly grows with the number of statements, while Cedar's grows with the"
    echo "number of policies (compare the 100 and the 10,000 rows)."
  } >BENCHMARKS.md
  echo; echo "written to BENCHMARKS.md"
fi
