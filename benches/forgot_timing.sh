#!/usr/bin/env bash
# Forgot password answers in the same time whether or not the address belongs to someone:
# times N requests (default 30) for addresses nobody has and N for active users' addresses
# (each once, so the per-address limit stays out of it) against a release build on SQLite,
# once without the floor (ROSTER_SIGNIN_FLOOR_MS=0) and once with it, and prints the median
# and 90th percentile of each. A known address also queues an email in the same request.
# Usage: benches/forgot_timing.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-30}"
password="violet ferns hum under tin rain"
export ROSTER_SECRET_KEY="bench-key-0123456789-0123456789-0123456789-0123456789-0123456789-0123"
export ROSTER_COOKIE_SECURE=false ROSTER_LOG=warn
# Each request says it comes from another address, so the per-client limit stays out of it.
export ROSTER_TRUSTED_PROXIES=127.0.0.1
cargo build --release --quiet
work="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

run() {
  local floor="$1" label="$2" port db file
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  file="$work/$floor.db"
  db="sqlite://$file"
  echo "$password" | ROSTER_DATABASE_URL="$db" ./target/release/roster seed --users $((n * 3)) \
    --seed 7 --admin-email boss@bench.test --password-stdin >/dev/null
  ROSTER_DATABASE_URL="$db" ROSTER_BIND="127.0.0.1:$port" ROSTER_MAIL_URL="file://$work/outbox" \
    ROSTER_SIGNIN_FLOOR_MS="$floor" ./target/release/roster >/dev/null 2>"$work/server.log" &
  server=$!
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  python3 - "$port" "$n" "$label" "$file" <<'PY'
import http.cookiejar, re, sqlite3, statistics, sys, time, urllib.parse, urllib.request
port, n, label, file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
base = f"http://127.0.0.1:{port}"
known = [r[0] for r in sqlite3.connect(file).execute(
    "SELECT email FROM users WHERE status = 'active' "
    "AND (expires_at IS NULL OR expires_at > CURRENT_TIMESTAMP) ORDER BY id")]
assert len(known) > n, f"only {len(known)} active users"
counter = [0]

def ask(email):
    counter[0] += 1
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/password/forgot").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email}).encode()
    request = urllib.request.Request(base + "/password/forgot", data=body)
    request.add_header("X-Forwarded-For", f"198.51.{counter[0] // 250}.{counter[0] % 250 + 1}")
    started = time.perf_counter()
    answer = opener.open(request)
    elapsed = time.perf_counter() - started
    text = answer.read().decode()
    assert answer.status == 200 and "If an account uses" in text, text[:300]
    return elapsed * 1000

kinds = {
    "unknown address": lambda i: ask(f"nobody-{i}@bench.test"),
    "an active user's address": lambda i: ask(known[i]),
}
for name, run in kinds.items():
    run(n)  # warm-up, on an address not timed
    times = sorted(run(i) for i in range(n))
    p90 = times[int(len(times) * 0.9) - 1]
    print(f"{label:<16} {name:<28} median {statistics.median(times):6.1f} ms   p90 {p90:6.1f} ms")
PY
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

run 0 "no floor"
run "${ROSTER_SIGNIN_FLOOR_MS_BENCH:-300}" "floor 300 ms"
