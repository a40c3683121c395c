#!/usr/bin/env bash
# Invitations at scale: one Invite form with N addresses (default 1000), timed from the
# post to the result page; then the time until a local SMTP sink (a threaded Python one started
# here) has received every email. SQLite, and PostgreSQL when it answers.
# Usage: benches/invitations.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"
pg_admin="${ROSTER_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
password="violet ferns hum under tin rain"
export ROSTER_SECRET_KEY="bench-key-0123456789-0123456789-0123456789-0123456789-0123456789-0123"
export ROSTER_COOKIE_SECURE=false ROSTER_LOG="${ROSTER_LOG:-warn}"
cargo build --release --quiet
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The sink counts messages into a file.
smtp_port=$(free_port)
cat >"$work/sink.py" <<'PY'
import socketserver, sys, threading
count_file, lock, count = sys.argv[2], threading.Lock(), [0]
class Session(socketserver.StreamRequestHandler):
    def say(self, *lines):
        # One write per reply: separate small writes meet the client's delayed ACK (40 ms).
        self.wfile.write(b"".join(l.encode() + b"\r\n" for l in lines))
    def handle(self):
        import socket
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.say("220 sink")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line.strip().upper()
            if cmd.startswith(b"EHLO") or cmd.startswith(b"HELO"):
                self.say("250-sink", "250 8BITMIME")
            elif cmd == b"DATA":
                self.say("354 go")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                with lock:
                    count[0] += 1
                    with open(count_file, "w") as f:
                        f.write(str(count[0]))
                self.say("250 queued")
            elif cmd == b"QUIT":
                self.say("221 bye"); return
            else:
                self.say("250 OK")
class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
Server(("127.0.0.1", int(sys.argv[1])), Session).serve_forever()
PY

bench() {
  local label="$1" url="$2" port
  port=$(free_port)
  echo 0 >"$work/count"
  python3 -W ignore "$work/sink.py" "$smtp_port" "$work/count" & pids+=($!)
  echo "$password" | ROSTER_DATABASE_URL="$url" ./target/release/roster create-admin \
    --email boss@bench.test --password-stdin >/dev/null
  ROSTER_DATABASE_URL="$url" ROSTER_BIND="127.0.0.1:$port" ROSTER_MAIL_URL="smtp://127.0.0.1:$smtp_port" \
    ./target/release/roster >/dev/null 2>"$work/server.log" & pids+=($!)
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  local jar="$work/jar-$label" token
  token=$(curl -s -c "$jar" "http://127.0.0.1:$port/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
  curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf_token=$token" \
    --data-urlencode "login=boss@bench.test" --data-urlencode "password=$password" "http://127.0.0.1:$port/login"
  # The session (and its form token) is renewed at sign-in.
  token=$(curl -s -b "$jar" -c "$jar" "http://127.0.0.1:$port/users/invite" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
  local emails
  emails=$(python3 -c "print(', '.join(f'person{i}@bench.test' for i in range($n)))")
  local start end sent
  start=$(date +%s.%N)
  curl -s -b "$jar" -o "$work/result.html" --data-urlencode "csrf_token=$token" --data-urlencode "step=access" \
    --data-urlencode "go=invite" --data-urlencode "send_seen=1" --data-urlencode "send_email=on" \
    --data-urlencode "emails=$emails" "http://127.0.0.1:$port/users/invite"
  end=$(date +%s.%N)
  local invited
  invited=$(sed -n 's/.*<h2>Invited (\([0-9]*\)).*/\1/p' "$work/result.html")
  printf '%-11s invite %s addresses in one form: %6.2f s (%s invited)\n' "$label" "$n" "$(python3 -c "print($end - $start)")" "$invited"
  for _ in $(seq 600); do
    sent=$(cat "$work/count")
    [ "${sent:-0}" -ge "$n" ] && break
    sleep 0.1
  done
  end=$(date +%s.%N)
  printf '%-11s %s emails delivered to the SMTP sink: %6.2f s after the post\n' "$label" "$sent" "$(python3 -c "print($end - $start)")"
  grep -a "not delivered\|WARN" "$work/server.log" | sed 's/\x1b\[[0-9;]*m//g' | cut -c1-200 | head -3 || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  pids=()
  sleep 0.5
}

bench SQLite "sqlite://$work/bench.db"
if psql "$pg_admin" -qAtc 'SELECT 1' >/dev/null 2>&1; then
  db="roster_invite_bench_$$"
  psql "$pg_admin" -qc "CREATE DATABASE $db"
  bench PostgreSQL "${pg_admin%/*}/$db"
  psql "$pg_admin" -qc "DROP DATABASE $db WITH (FORCE)"
else
  echo "PostgreSQL skipped: $pg_admin does not answer"
fi
