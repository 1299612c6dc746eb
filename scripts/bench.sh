#!/usr/bin/env bash
# The bench command: builds in release, measures every figure side by side in one run on
# this machine, prints one table and writes it to BENCHMARKS.md with the date and the
# machine. Speed is measured here, never asserted in a timed test.
#
#   R1     rps of console pages and a REST read ÷ rps of a bare axum hello world
#          (bench/src/bin/hello.rs), same profile, same core
#   R3     the wasm the first page (the dashboard) loads, gzip, ÷ a minimal hydrated
#          Leptos counter (bench/counter), same profile and tools; and the whole
#          bundle (every page's lazy chunk) beside it
#   R4     committed single-row transactions per second on SQLite (WAL,
#          synchronous=FULL) ÷ raw write+fdatasync per second on the same disk
#   Scale  with 100,000 tenants and 1,000,000 audit rows: p50/p95 of the switcher
#          search, the tenant list and an audit page; peak RSS of the server
#   IAM    ns per decision of policy::iam ÷ the cedar-policy crate on the same
#          questions, at 100 and 10,000 statements (bench/iam, criterion)
#   R5     p99 ÷ p50 of a mixed workload (page views, REST reads, a write in ten;
#          bench/mixed.lua) at 70% of that workload's maximum rate
#   Soak   the same load for BENCH_SOAK_SECONDS [600]: errors, 5xx, and the server's
#          RSS after the first minute against its peak afterwards
#   Replicas  the same load on two server replicas sharing one Postgres
#          (127.0.0.1:5432, database tenantry_bench, dropped and made afresh) for
#          BENCH_REPLICA_SECONDS [600]
#   Profile  where the server's CPU time goes under the R1 loads (perf, summed by crate
#          by bench/profile.py), when the machine allows perf
#
# The server is pinned to core 0 and the load generator (Debian's wrk) to core 1.
# Usage: scripts/bench.sh            (BENCH_SECONDS=10 per run; BENCH_NO_WRITE=1 keeps
#                                     BENCHMARKS.md as it is)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"
export LEPTOS_OUTPUT_NAME=tenantry
SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
SOAK_SECONDS="${BENCH_SOAK_SECONDS:-600}"
REPLICA_SECONDS="${BENCH_REPLICA_SECONDS:-600}"
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
rm -rf target/site/pkg
cargo leptos build --release --split
cargo build --release -p bench --bins
cargo build -p counter --lib --target wasm32-unknown-unknown --profile wasm-release \
  --target-dir target/front --features hydrate

run=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$run"; }
trap cleanup EXIT

# R3: both bundles through the same steps cargo-leptos takes in release
# (wasm-bindgen, then wasm-opt with the flags of wasm-opt-features in Cargo.toml), then
# gzip -9.
wasm-bindgen --target web --out-dir "$run/counter" \
  target/front/wasm32-unknown-unknown/wasm-release/counter.wasm
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --strip-producers --strip-target-features \
  "$run/counter/counter_bg.wasm" -o "$run/counter/counter_bg.wasm"
gz() { gzip -9 -c "$1" | wc -c; }
# The whole bundle is every wasm file the build wrote (one, until pages are split into
# lazy chunks); the first page's share is measured below, in the browser.
all_gz=0; all_raw=0
while IFS= read -r f; do
  all_gz=$(( all_gz + $(gz "$f") )); all_raw=$(( all_raw + $(wc -c <"$f") ))
done < <(find target/site/pkg -name '*.wasm')
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

# The mixed workload on 16 connections, each waiting `delay` ms between requests, for
# `secs` seconds against `url`. Prints "rps p50 p95 p99 errors non2xx 5xx statuses" (the
# statuses of the non-2xx answers, as 500x2,409x1, or none; no checks:
# the soak reports its errors instead of stopping).
mixed() {
  local delay=$1 secs=$2 url=$3; shift 3
  local out
  out=$(env "$@" WRK_DELAY_MS="$delay" taskset -c 1 wrk -t1 -c16 -d"${secs}s" --timeout 10s \
    -s bench/mixed.lua "$url" | grep '^BENCH')
  local f; for f in rps p50_ms p95_ms p99_ms errors non2xx fivexx statuses; do
    local v=${out#*"$f"=}; printf '%s ' "${v%% *}"
  done
  echo
}
# The per-connection delay that holds 16 connections near `target` rps, from a run at
# `delay` that achieved `got` rps: 16/got - delay is the time a request takes.
next_delay() { awk -v t="$1" -v g="$2" -v d="$3" 'BEGIN { l = 16000 / g - d; x = 16000 / t - l; printf "%d", (x < 0 ? 0 : x + 0.5) }'; }

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

step "R1: where the time goes (a CPU profile of the server under each load)"
# perf samples the server's core while wrk drives one page; bench/profile.py sums the
# samples by crate. Skipped where perf is missing or not allowed.
profiles=0
profile() { # name url wrk-env...
  local name=$1 url=$2; shift 2
  profiles=$(( profiles + 1 ))
  local data="$run/profile-$profiles.perf"
  env "$@" taskset -c 1 wrk -t1 -c16 -d"${SECONDS_PER_RUN}s" -s bench/wrk.lua "$url" >/dev/null &
  local w=$!
  sleep 1
  perf record -q -e cpu-clock -F 1999 -p "$server_pid" -o "$data" \
    -- sleep $(( SECONDS_PER_RUN - 2 )) >/dev/null 2>&1 || true
  wait "$w" || true
  { perf report -i "$data" --no-children --sort sym --stdio -g none 2>/dev/null || true; } |
    python3 bench/profile.py "$name" >>"$run/profile.md"
}
: >"$run/profile.md"
if command -v perf >/dev/null && perf record -q -e cpu-clock -o "$run/probe.perf" true >/dev/null 2>&1; then
  profile "tenant list page" "$BASE/admin/tenants" "${page[@]}"
  profile "dashboard" "$BASE/t/admin" "${page[@]}"
  profile "GET /api/v1/tenants" "$BASE/api/v1/tenants" WRK_AUTH="Bearer $token"
fi

step "R3: the wasm the dashboard loads, in Chromium"
first_gz=0; first_raw=0; first_files=0
while IFS= read -r p; do
  f="target/site${p}"
  first_gz=$(( first_gz + $(gz "$f") )); first_raw=$(( first_raw + $(wc -c <"$f") ))
  first_files=$(( first_files + 1 ))
done < <(node end2end/first-page.mjs "$BASE" "$cookie" /t/admin)
[ "$first_files" -gt 0 ] || { echo "bench: the dashboard loaded no wasm"; exit 1; }

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

step "R5: the mixed workload at 70% of its maximum"
mix=(WRK_COOKIE="$cookie" WRK_AUTH="Bearer $token")
read -r mix_max _ < <(mixed 0 "$SECONDS_PER_RUN" "$BASE" "${mix[@]}" WRK_TAG=max)
mix_target=$(awk -v m="$mix_max" 'BEGIN { printf "%d", 0.7 * m }')
delay=$(next_delay "$mix_target" "$mix_max" 0)
read -r got _ < <(mixed "$delay" "$SECONDS_PER_RUN" "$BASE" "${mix[@]}" WRK_TAG=cal)
delay=$(next_delay "$mix_target" "$got" "$delay")
read -r r5_rps r5_p50 _ r5_p99 r5_err r5_non2xx r5_5xx < <(mixed "$delay" "$SECONDS_PER_RUN" "$BASE" "${mix[@]}" WRK_TAG=r5)
[ "$r5_err" = 0 ] && [ "$r5_non2xx" = 0 ] || { echo "bench: the mixed workload failed ($r5_err errors, $r5_non2xx non-2xx)"; exit 1; }

step "Soak: the mixed workload for ${SOAK_SECONDS} s at 70%"
rss_now() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
rss_log="$run/rss.log"; : >"$rss_log"
( t=0; while kill -0 "$server_pid" 2>/dev/null; do echo "$t $(rss_now "$server_pid")" >>"$rss_log"; sleep 5; t=$(( t + 5 )); done ) &
sampler=$!; pids+=("$sampler")
read -r soak_rps soak_p50 _ soak_p99 soak_err soak_non2xx soak_5xx soak_statuses < <(mixed "$delay" "$SOAK_SECONDS" "$BASE" "${mix[@]}" WRK_TAG=soak)
kill "$sampler" 2>/dev/null || true
soak_rss_1m=$(awk '$1 >= 60 { print $2; exit }' "$rss_log")
soak_rss_peak=$(awk '$1 >= 60 && $2 > m { m = $2 } END { print m + 0 }' "$rss_log")
# Halfway through: growth that has stopped by then is warm-up, growth that goes on is not.
soak_rss_mid=$(awk -v h=$(( SOAK_SECONDS / 2 )) '$1 >= h { print $2; exit }' "$rss_log")
soak_rss_end=$(tail -n1 "$rss_log" | awk '{print $2}')
stop_server

step "Replicas: two servers on one Postgres, the mixed workload at 70% for ${REPLICA_SECONDS} s"
if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
fi
psql -q -h 127.0.0.1 -U postgres -d postgres -c 'DROP DATABASE IF EXISTS tenantry_bench' -c 'CREATE DATABASE tenantry_bench' \
  -c "DO \$\$ BEGIN CREATE ROLE tenantry_console LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" >/dev/null
# As in a deployment: the owner migrates, the console runs as a role that row-level
# security holds (see docs/operations.md, Postgres).
pg_url="postgres://tenantry_console@127.0.0.1:5432/tenantry_bench"
export TENANTRY_MIGRATION_DATABASE_URL="postgres://postgres@127.0.0.1:5432/tenantry_bench"
replica_pids=()
for port in 3321 3322; do
  taskset -c 0 "${server_env[@]}" DATABASE_URL="$pg_url" LEPTOS_SITE_ADDR="127.0.0.1:$port" \
    TENANTRY_PUBLIC_URL="http://127.0.0.1:$port" TENANTRY_REPLICA_ID="bench-$port" \
    target/release/server >>"$run/replica-$port.log" 2>&1 &
  replica_pids+=("$!"); pids+=("$!")
  for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/login" && break; sleep 0.2; done
done
pg_cookie=$(curl -s -o /dev/null -D - -X POST --data-urlencode "email=admin@localhost" \
  --data-urlencode "password=$PASSWORD" --data-urlencode "next=/" "http://127.0.0.1:3321/auth/local" |
  sed -n 's/^[Ss]et-[Cc]ookie: \(tenantry_session=[^;]*\).*/\1/p' | head -n1)
[ -n "$pg_cookie" ] || { echo "bench: login on Postgres failed"; exit 1; }
pg_token=$("${server_env[@]}" DATABASE_URL="$pg_url" target/release/server admin token --email admin@localhost --ttl 1d)
pmix=(WRK_COOKIE="$pg_cookie" WRK_AUTH="Bearer $pg_token")
# A deployment keeps Postgres's autovacuum on; a CI machine may turn it off. Without it
# a table's statistics never catch up with its growth (the audit events grow by a write
# in ten), the planner keeps choosing plans made for an empty table, and the rate falls
# run after run (847 → 486 rps over four 30 s runs here). With autovacuum off, the bench
# stands in for it.
vacuumer=""
if [ "$(psql -Atq -h 127.0.0.1 -U postgres -d postgres -c 'SHOW autovacuum')" = off ]; then
  echo "bench: this Postgres runs without autovacuum; VACUUM ANALYZE every 30 s instead"
  ( while sleep 30; do psql -q -h 127.0.0.1 -U postgres -d tenantry_bench -c 'VACUUM ANALYZE' >/dev/null 2>&1 || true; done ) &
  vacuumer=$!; pids+=("$vacuumer")
fi
# Both replicas at once, one wrk each (the session and the token work on either).
both() { # delay secs tag → "rps p50 p99 errors non2xx 5xx statuses" of the pair (rps summed, latencies the worse)
  mixed "$1" "$2" "http://127.0.0.1:3321" "${pmix[@]}" WRK_TAG="$3a" >"$run/a.out" &
  local a=$!
  mixed "$1" "$2" "http://127.0.0.1:3322" "${pmix[@]}" WRK_TAG="$3b" >"$run/b.out"
  wait "$a"
  paste -d' ' "$run/a.out" "$run/b.out" | awk '{ p50 = ($2 > $10 ? $2 : $10); p99 = ($4 > $12 ? $4 : $12);
    printf "%d %s %s %d %d %d %s/%s\n", $1 + $9, p50, p99, $5 + $13, $6 + $14, $7 + $15, $8, $16 }'
}
read -r rep_max _ < <(both 0 "$SECONDS_PER_RUN" rmax)
rep_target=$(awk -v m="$rep_max" 'BEGIN { printf "%d", 0.7 * m }')
# Each wrk holds half the pair's rate.
half=$(( rep_target / 2 )); half_max=$(( rep_max / 2 ))
rdelay=$(next_delay "$half" "$half_max" 0)
read -r rgot _ < <(both "$rdelay" "$SECONDS_PER_RUN" rcal)
rdelay=$(next_delay "$half" "$(( rgot / 2 ))" "$rdelay")
# Each replica's RSS every 5 s, as in the soak: "t rss_a rss_b" (KB).
rep_rss_log="$run/rep-rss.log"; : >"$rep_rss_log"
( t=0; while kill -0 "${replica_pids[0]}" 2>/dev/null; do
    echo "$t $(rss_now "${replica_pids[0]}") $(rss_now "${replica_pids[1]}")" >>"$rep_rss_log"; sleep 5; t=$(( t + 5 ))
  done ) &
rep_sampler=$!; pids+=("$rep_sampler")
read -r rep_rps rep_p50 rep_p99 rep_err rep_non2xx rep_5xx rep_statuses < <(both "$rdelay" "$REPLICA_SECONDS" rsoak)
kill "$rep_sampler" 2>/dev/null || true
# Per replica: RSS at 1 min and its peak afterwards; the growth is the larger ratio.
rep_rss() { awk -v c="$1" '$1 >= 60 && !f { first = $c; f = 1 } $1 >= 60 && $c > m { m = $c } END { print first + 0, m + 0 }' "$rep_rss_log"; }
read -r rep_a_1m rep_a_peak < <(rep_rss 2)
read -r rep_b_1m rep_b_peak < <(rep_rss 3)
rep_growth=$(awk -v a1="$rep_a_1m" -v ap="$rep_a_peak" -v b1="$rep_b_1m" -v bp="$rep_b_peak" \
  'BEGIN { x = ap / a1; y = bp / b1; printf "%.3f", (x > y ? x : y) }')
[ -n "$vacuumer" ] && kill "$vacuumer" 2>/dev/null
for p in "${replica_pids[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
unset TENANTRY_MIGRATION_DATABASE_URL

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
| R3 wasm of the first page (dashboard: main bundle and its route's chunks, ${first_files} files), gzip -9 | $(kb "$first_gz") ($(kb "$first_raw") raw) | counter $(kb "$counter_gz") | $(ratio "$first_gz" "$counter_gz")× | ≤ 350 KB |
| R3 whole hydrate bundle (every page's chunks), gzip -9 | $(kb "$all_gz") ($(kb "$all_raw") raw) | counter $(kb "$counter_gz") | $(ratio "$all_gz" "$counter_gz")× | |
| R4 SQLite commits (WAL, synchronous=FULL) | ${sqlite_per_s}/s | write+fdatasync ${raw_per_s}/s | $(ratio "$sqlite_per_s" "$raw_per_s") | |
| Scale: switcher search \`q=99999\`, 4 connections | p50 ${search_p50} ms, p95 ${search_p95} ms | | | p95 < 2 ms |
| Scale: tenant list page, 4 connections | p50 ${slist_p50} ms, p95 ${slist_p95} ms | | | |
| Scale: audit page (1,000,000 rows), 4 connections | p50 ${audit_p50} ms, p95 ${audit_p95} ms | | | |
${iam_rows}
| R5 mixed workload (pages, REST reads, a write in ten) at 70% of its maximum (${mix_max} rps), 16 connections | ${r5_rps} rps, p50 ${r5_p50} ms, p99 ${r5_p99} ms | p50 | $(ratio "$r5_p99" "$r5_p50") (p99 ÷ p50) | ≤ 5 |
| Soak: that load for ${SOAK_SECONDS} s, one server on SQLite | ${soak_rps} rps, ${soak_err} errors, ${soak_non2xx} non-2xx (${soak_statuses}), ${soak_5xx} 5xx, p99 ${soak_p99} ms; RSS $(kb "$(( soak_rss_1m * 1024 ))") at 1 min, $(kb "$(( soak_rss_mid * 1024 ))") halfway, peak after $(kb "$(( soak_rss_peak * 1024 ))"), end $(kb "$(( soak_rss_end * 1024 ))") | RSS at 1 min | $(ratio "$soak_rss_peak" "$soak_rss_1m") | 0 errors, 0 5xx, no growth |
| Replicas: two servers on one Postgres, 70% of the pair's maximum (${rep_max} rps, so ${rep_target} rps) for ${REPLICA_SECONDS} s | ${rep_rps} rps, ${rep_err} errors, ${rep_non2xx} non-2xx (${rep_statuses}), ${rep_5xx} 5xx, p50 ${rep_p50} ms, p99 ${rep_p99} ms (p99 ÷ p50 $(ratio "$rep_p99" "$rep_p50")); RSS $(kb "$(( rep_a_1m * 1024 ))") and $(kb "$(( rep_b_1m * 1024 ))") at 1 min, peak after $(kb "$(( rep_a_peak * 1024 ))") and $(kb "$(( rep_b_peak * 1024 ))") | RSS at 1 min | ${rep_growth} | 0 errors, 0 5xx, no growth |
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
    if [ -s "$run/profile.md" ]; then
      echo
      echo "## Where the time goes"
      echo
      echo "A CPU profile of the server (perf, cpu-clock) during an R1 run of each load, summed"
      echo "by crate (kernel: system calls, the network stack, page faults)."
      echo
      echo "| load | CPU time by crate | hottest functions |"
      echo "| --- | --- | --- |"
      cat "$run/profile.md"
    fi
  } >BENCHMARKS.md
  echo; echo "written to BENCHMARKS.md"
fi
