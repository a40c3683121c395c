#!/usr/bin/env bash
# Times `roster seed` on SQLite and, when PostgreSQL answers, on PostgreSQL, and prints the
# figures. Usage: benches/seed.sh [USERS] [COMPANIES]   (defaults: 100000 5)
set -euo pipefail
cd "$(dirname "$0")/.."
users="${1:-100000}"
companies="${2:-5}"
pg_admin="${ROSTER_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export ROSTER_SECRET_KEY="bench-key-0123456789-0123456789-0123456789-0123456789-0123456789-0123"
export ROSTER_LOG=warn

cargo build --release --quiet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

run() {
  local label="$1" url="$2" start end
  start=$(date +%s.%N)
  ROSTER_DATABASE_URL="$url" ./target/release/roster seed --users "$users" --companies "$companies" --seed 42 >"$work/out"
  end=$(date +%s.%N)
  printf '%-11s %8s users, %s companies: %6.1f s wall   (%s)\n' "$label" "$users" "$companies" \
    "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$(grep -o 'in [0-9.]* s' "$work/out")"
}

run SQLite "sqlite://$work/bench.db"
if psql "$pg_admin" -qAtc 'SELECT 1' >/dev/null 2>&1; then
  db="roster_seed_bench_$$"
  psql "$pg_admin" -qc "CREATE DATABASE $db"
  run PostgreSQL "${pg_admin%/*}/$db"
  psql "$pg_admin" -qc "DROP DATABASE $db WITH (FORCE)"
else
  echo "PostgreSQL     skipped: $pg_admin does not answer"
fi
