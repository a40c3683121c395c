#!/usr/bin/env bash
# The User Management page under load: seeds USERS users in COMPANIES companies, starts
# Roster, signs in, and drives five views with wrk at 16 connections, on SQLite and (when it
# answers) PostgreSQL. Prints requests/s, p50 and p99 per view.
# Usage: benches/user_list.sh [USERS] [COMPANIES] [SECONDS]   (defaults: 100000 5 10)
# ROSTER_BENCH_BACKENDS="sqlite" (or "postgres") runs one backend only.
# ROSTER_BENCH_BASELINE=path/to/an/older/roster measures that binary too, just before this
# build, on a database it seeds itself: before and after a change, in the same run.
# Needs wrk (Debian: apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
users="${1:-100000}"
companies="${2:-5}"
seconds="${3:-10}"
pg_admin="${ROSTER_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
password="violet ferns hum under tin rain"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }

export ROSTER_SECRET_KEY="bench-key-0123456789-0123456789-0123456789-0123456789-0123456789-0123"
export ROSTER_COOKIE_SECURE=false ROSTER_LOG=warn
cargo build --release --quiet
work="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

views=(
  "first page|/users"
  "search|/users?q=hop"
  "three criteria by last access|/users?status=active&role=2&company=2&sort=last_access&dir=desc"
  "page 500|/users?page=500"
  "2FA required, by last access|/users?two_factor=required&sort=last_access&dir=desc"
)

bench() {
  local label="$1" url="$2" bin="${3:-./target/release/roster}" port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  echo "$password" | ROSTER_DATABASE_URL="$url" "$bin" seed --users "$users" \
    --companies "$companies" --seed 42 --admin-email boss@bench.test --password-stdin | cut -c1-80
  rm -rf "$work/outbox"
  ROSTER_DATABASE_URL="$url" ROSTER_BIND="127.0.0.1:$port" ROSTER_MAIL_URL="file://$work/outbox" \
    "$bin" >/dev/null 2>"$work/server.log" &
  server=$!
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  local jar="$work/jar" token
  token=$(curl -s -c "$jar" "http://127.0.0.1:$port/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
  curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf_token=$token" \
    --data-urlencode "login=boss@bench.test" --data-urlencode "password=$password" "http://127.0.0.1:$port/login"
  local cookie
  cookie=$(awk '$6 == "roster_session" { print $6 "=" $7 }' "$jar")
  # Steady state, not the load's aftermath: a short unmeasured run warms the server; after
  # the Monday letter (below), PostgreSQL is vacuumed and checkpointed, or it would write
  # the seed out and vacuum the outbox in the middle of a measurement.
  wrk -t2 -c16 -d3s -H "Cookie: $cookie" "http://127.0.0.1:$port/profile" >/dev/null 2>&1
  # On a Monday the weekly letter goes to every Configurator of the seeded account (2,500
  # emails at 100,000 users, 25,000 at 1,000,000, into $work/outbox): a one-off burst, let
  # it finish before measuring. Done when the week is recorded and nothing waits to be sent.
  if [ "$(date -u +%u)" = 1 ]; then
    local pending=1
    for _ in $(seq 600); do
      if [[ "$url" == postgres* ]]; then
        pending=$(psql "$url" -qAtc "SELECT (SELECT count(*) FROM weekly_letters) = 0 OR EXISTS (SELECT 1 FROM outbox WHERE status IN ('queued', 'sending'))")
      else
        pending=$(python3 -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print('t' if c.execute(\"SELECT (SELECT count(*) FROM weekly_letters) = 0 OR EXISTS (SELECT 1 FROM outbox WHERE status IN ('queued', 'sending'))\").fetchone()[0] else 'f')" "${url#sqlite://}")
      fi
      [ "$pending" = f ] && break
      sleep 1
    done
    echo "$label: waited for the Monday letter ($(find "$work/outbox" -name '*.eml' | wc -l) emails) before measuring"
  fi
  # The letter's thousands of outbox updates would wake autovacuum mid-measure.
  if [[ "$url" == postgres* ]]; then psql "$url" -qc "VACUUM ANALYZE" -c CHECKPOINT; fi
  # Each view's first answer pays for the counts the cache then keeps until the data
  # changes: timed first, on its own.
  declare -A cold
  for view in "${views[@]}"; do
    cold[$view]=$(curl -s -o /dev/null -w '%{time_total}' -H "Cookie: $cookie" "http://127.0.0.1:$port${view#*|}")
  done
  # Then every pooled database connection meets the list's queries once (a new PostgreSQL
  # backend loads each table's metadata on first use), on a view not measured below.
  wrk -t2 -c16 -d3s -H "Cookie: $cookie" "http://127.0.0.1:$port/users?status=deactivated&sort=email" >/dev/null 2>&1
  for view in "${views[@]}"; do
    local name="${view%%|*}" path="${view#*|}"
    wrk -t2 -c16 -d"${seconds}s" --timeout 30s --latency -H "Cookie: $cookie" "http://127.0.0.1:$port$path" >"$work/wrk" 2>&1
    printf '%-11s %-30s first %6.0f ms  %8s req/s   p50 %9s   p99 %9s   errors %s\n' "$label" "$name" \
      "$(python3 -c "print(${cold[$view]} * 1000)")" \
      "$(awk '/Requests\/sec/ { print $2 }' "$work/wrk")" \
      "$(awk '$1 == "50%" { print $2 }' "$work/wrk")" \
      "$(awk '$1 == "99%" { print $2 }' "$work/wrk")" \
      "$(grep -o 'Non-2xx or 3xx responses: [0-9]*' "$work/wrk" | awk '{ print $NF }' || echo 0)"
  done
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

baseline="${ROSTER_BENCH_BASELINE:-}"
backends="${ROSTER_BENCH_BACKENDS:-sqlite postgres}"
if [[ " $backends " == *" sqlite "* ]]; then
  [ -n "$baseline" ] && bench "SQLite-base" "sqlite://$work/base.db" "$baseline"
  bench SQLite "sqlite://$work/bench.db"
fi
if [[ " $backends " != *" postgres "* ]]; then
  :
elif psql "$pg_admin" -qAtc 'SELECT 1' >/dev/null 2>&1; then
  if [ -n "$baseline" ]; then
    db="roster_list_bench_base_$$"
    psql "$pg_admin" -qc "CREATE DATABASE $db"
    bench "PG-base" "${pg_admin%/*}/$db" "$baseline"
    psql "$pg_admin" -qc "DROP DATABASE $db WITH (FORCE)"
  fi
  db="roster_list_bench_$$"
  psql "$pg_admin" -qc "CREATE DATABASE $db"
  bench PostgreSQL "${pg_admin%/*}/$db"
  psql "$pg_admin" -qc "DROP DATABASE $db WITH (FORCE)"
else
  echo "PostgreSQL skipped: $pg_admin does not answer"
fi
