#!/usr/bin/env bash
# Sign-in refusals take the same time whatever the reason: an unknown email, a known user
# with a wrong password, a locked account. Times N refused sign-ins of each kind (default 40)
# against a release build on SQLite, once without the floor (ROSTER_SIGNIN_FLOOR_MS=0) and
# once with the default, and prints the median and 90th percentile of each.
# Usage: benches/signin_timing.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-40}"
password="violet ferns hum under tin rain"
export ROSTER_SECRET_KEY="bench-key-0123456789-0123456789-0123456789-0123456789-0123456789-0123"
export ROSTER_COOKIE_SECURE=false ROSTER_LOG=warn
# Each attempt says it comes from another address, so the per-address limit stays out of it.
export ROSTER_TRUSTED_PROXIES=127.0.0.1
cargo build --release --quiet
work="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

run() {
  local floor="$1" label="$2" port db
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  db="sqlite://$work/$floor.db"
  echo "$password" | ROSTER_DATABASE_URL="$db" ./target/release/roster seed --users 20 \
    --seed 7 --admin-email boss@bench.test --password-stdin >/dev/null
  ROSTER_DATABASE_URL="$db" ROSTER_BIND="127.0.0.1:$port" ROSTER_MAIL_URL="file://$work/outbox" \
    ROSTER_SIGNIN_FLOOR_MS="$floor" ./target/release/roster >/dev/null 2>"$work/server.log" &
  server=$!
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  python3 - "$port" "$n" "$label" <<'PY'
import http.cookiejar, re, statistics, sys, time, urllib.parse, urllib.request
port, n, label = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
base = f"http://127.0.0.1:{port}"
counter = [0]

def attempt(login, password):
    counter[0] += 1
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "login": login, "password": password}).encode()
    request = urllib.request.Request(base + "/login", data=body)
    request.add_header("X-Forwarded-For", f"198.51.{counter[0] // 250}.{counter[0] % 250 + 1}")
    started = time.perf_counter()
    answer = opener.open(request)
    elapsed = time.perf_counter() - started
    text = answer.read().decode()
    assert answer.status == 200 and "Sign-in failed." in text, text[:300]
    return elapsed * 1000

kinds = {
    "unknown email": lambda i: attempt(f"nobody-{i}@bench.test", "a wrong password here"),
    "known, wrong password (locked after 5)": lambda i: attempt("boss@bench.test", "a wrong password here"),
}
for name, run in kinds.items():
    run(0)  # warm-up
    times = sorted(run(i) for i in range(n))
    p90 = times[int(len(times) * 0.9) - 1]
    print(f"{label:<16} {name:<40} median {statistics.median(times):6.1f} ms   p90 {p90:6.1f} ms")
PY
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

run 0 "no floor"
run "${ROSTER_SIGNIN_FLOOR_MS_BENCH:-300}" "floor 300 ms"
