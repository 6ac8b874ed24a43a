#!/usr/bin/env bash
# Throughput of the overdue list (逾期清单) and 我的任务 at concurrency 16 against gunicorn on loopback.
#
#   bench/load.sh --database-url URL [--workers "2 4"] [--duration 15] [--concurrency 16]
#
# For each worker count: starts `gunicorn -w N -b 127.0.0.1:PORT wsgi:app` on the generated data set
# (bench/generate.py; the app's "today" is the data set's date), logs in over HTTP as the coordinator
# and as the user of the unit with the most tasks, runs wrk (or, without wrk, the Python closed-loop
# client in bench/pages.py) for --duration seconds per page, prints requests/s, then stops gunicorn.
# Traffic goes to 127.0.0.1 only and every run is bounded by --duration.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY="$(command -v python3)"

DATABASE_URL=""
WORKERS="2 4"
DURATION=15
CONCURRENCY=16
TODAY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --database-url) DATABASE_URL="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --concurrency) CONCURRENCY="$2"; shift 2 ;;
    --today) TODAY="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[ -n "$DATABASE_URL" ] || { echo "usage: $0 --database-url URL [--workers \"2 4\"] [--duration 15]" >&2; exit 2; }
cd "$ROOT"
[ -n "$TODAY" ] || TODAY="$("$PY" -c 'from bench.generate import AS_OF; print(AS_OF)')"

if command -v wrk >/dev/null 2>&1; then TOOL=wrk; else TOOL="python client (wrk not installed)"; fi
echo "database ${DATABASE_URL##*@}; today $TODAY; concurrency $CONCURRENCY; ${DURATION}s per run; tool: $TOOL"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)"

GPID=""
INSTANCE="$(mktemp -d /tmp/duban-bench-load.XXXXXX)"
cleanup() {
  if [ -n "$GPID" ] && kill -0 "$GPID" 2>/dev/null; then
    kill "$GPID" 2>/dev/null || true
    wait "$GPID" 2>/dev/null || true
  fi
  GPID=""
}
trap 'cleanup; rm -rf "$INSTANCE"' EXIT

wait_ready() {  # $1 = port
  "$PY" - "$1" <<'EOF'
import http.client, sys, time
port = int(sys.argv[1])
deadline = time.monotonic() + 90
while time.monotonic() < deadline:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/login")
        if connection.getresponse().status == 200:
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.3)
sys.exit(1)
EOF
}

run_load() {  # $1 = url, $2 = cookie; prints "<requests/s> <errors>"
  if [ "$TOOL" = wrk ]; then
    local out
    out="$(wrk -t2 -c"$CONCURRENCY" -d"${DURATION}s" --timeout 60s -H "Cookie: $2" "$1")"
    echo "$out" >>"$INSTANCE/wrk.log"
    local rps errors
    rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
    errors="$(echo "$out" | awk '/Non-2xx/ {n+=$NF} /Socket errors/ {gsub(/,/, ""); n+=$4+$6+$8+$10} END {print n+0}')"
    echo "$rps $errors"
  else
    local out
    out="$("$PY" bench/pages.py --database-url "$DATABASE_URL" --load "$1" --cookie "$2" \
            --concurrency "$CONCURRENCY" --duration "$DURATION")"
    echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '/errors/ {print $(NF-1)}')"
  fi
}

warm_up() {  # $1 = url, $2 = cookie, $3 = parallel requests (one per worker): first requests are slower
  "$PY" - "$1" "$2" "$3" <<'EOF'
import http.client, sys, threading, urllib.parse
url, cookie, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
parts = urllib.parse.urlsplit(url)
def get():
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
    connection.request("GET", parts.path, headers={"Cookie": cookie})
    connection.getresponse().read()
    connection.close()
threads = [threading.Thread(target=get) for _ in range(n)]
[t.start() for t in threads]
[t.join() for t in threads]
EOF
}

start_gunicorn() {  # $1 = workers; sets PORT and GPID
  PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  LOG="$INSTANCE/gunicorn-$1-$PORT.log"
  # The data set's users set their passwords long before its day: no 密码有效期 in a load test.
  TRACKER_DATABASE_URL="$DATABASE_URL" TRACKER_TODAY="$TODAY" TRACKER_SCHEDULER=0 TRACKER_PASSWORD_MAX_AGE_DAYS=0 \
    TRACKER_INSTANCE_PATH="$INSTANCE" TRACKER_SECRET_KEY="${TRACKER_SECRET_KEY:-bench-load-$(printf 'x%.0s' {1..40})}" \
    "$PY" -m gunicorn -w "$1" -b "127.0.0.1:$PORT" --timeout 300 wsgi:app >"$LOG" 2>&1 &
  GPID=$!
  if ! wait_ready "$PORT"; then
    echo "gunicorn -w $1 did not start; its log:" >&2; tail -20 "$LOG" >&2; exit 1
  fi
}

# A fresh gunicorn for every run: sync workers keep serving the requests still queued when wrk stops,
# which would otherwise slow down the next run.
RESULTS=()
for W in $WORKERS; do
  for page in overdue mine; do
    start_gunicorn "$W"
    eval "$("$PY" bench/pages.py --database-url "$DATABASE_URL" --today "$TODAY" --print-cookies "http://127.0.0.1:$PORT")"
    if [ "$page" = overdue ]; then path=/overdue; cookie="$COORD_COOKIE"; else path=/tasks/mine; cookie="$UNIT_COOKIE"; fi
    warm_up "http://127.0.0.1:$PORT$path" "$cookie" "$W"
    read -r rps errors <<<"$(run_load "http://127.0.0.1:$PORT$path" "$cookie")"
    echo "gunicorn -w $W  $path: $rps requests/s ($errors errors)"
    RESULTS+=("$W $path $rps $errors")
    cleanup
  done
done

echo
echo "我的任务 user: $UNIT_NOTE"
printf '%-8s %-14s %12s %8s\n' workers page requests/s errors
printf '%-8s %-14s %12s %8s\n' ------- ---- ---------- ------
for row in "${RESULTS[@]}"; do
  # shellcheck disable=SC2086
  printf '%-8s %-14s %12s %8s\n' $row
done
echo
best="$(printf '%s\n' "${RESULTS[@]}" | awk '$2 == "/overdue" {if ($3 > b) b = $3} END {print b + 0}')"
verdict="$(awk -v b="$best" 'BEGIN {print (b >= 300) ? "meets" : "MISSES"}')"
echo "target: overdue list >= 300 requests/s with gunicorn on PostgreSQL: $verdict (best ${best}/s on ${DATABASE_URL%%:*})"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)"
