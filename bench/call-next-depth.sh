#!/usr/bin/env bash
# make bench, part 8 (also runs alone): call-next flat with the queue's depth. The same server, config and
# pinned clock (Tuesday 2026-12-01 09:00 at the town hall) on a fresh empty database, alternately with
# BENCH_CALLNEXT_SHALLOW tickets waiting (default 30: more than the 16 connections can take at once, so
# no call finds the queue empty) and BENCH_CALLNEXT_DEEP (default 1,000). Each call is followed by one
# ticket issued, so the queue keeps its length (bench/call-next.lua); the figure counts calls per second.
# The ratio deep/shallow per round, median over rounds, is the figure; goal >= 0.8 (flat with depth).
# Lines starting with `@ key=value` are for bench/run.sh.
#
# Needs .build/release/loket (or LOKET), wrk, curl, awk.
set -Eeuo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
ROOT=$PWD
LOKET=${LOKET:-$ROOT/.build/release/loket}
SECONDS_PER_RUN=${BENCH_SECONDS:-4}
ROUNDS=${BENCH_CALLNEXT_ROUNDS:-${BENCH_ROUNDS:-3}}
SHALLOW=${BENCH_CALLNEXT_SHALLOW:-30}
DEEP=${BENCH_CALLNEXT_DEEP:-1000}
CONNECTIONS=${BENCH_TICKET_CONNECTIONS:-16}
HOST=127.0.0.1
CLOCK=2026-12-01T09:00:00+01:00
COUNTERS=stadhuis-1,stadhuis-2,stadhuis-3
WORK=$(mktemp -d "${TMPDIR:-/tmp}/loket-callnext.XXXXXX")
trap 'stop_listening; rm -rf "$WORK"' EXIT
trap 'echo "call-next-depth: a command failed at line $LINENO" >&2' ERR

# A fresh database with a kiosk and a clerk token, copied for every run (the copy is not timed).
BASE="$WORK/base.sqlite"
KIOSK=$(timeout 120 "$LOKET" token add --role kiosk --name bench-kiosk --config config --db "$BASE" 2>/dev/null)
CLERK=$(timeout 120 "$LOKET" token add --role clerk --name bench-clerk --config config --db "$BASE" 2>/dev/null)

# Starts loket on $1; sets SERVER_PID and PORT.
serve() {
  start_listening call-next-depth 600 "$WORK/serve.out" "$WORK/serve.err" "$LOKET" serve --config config --db "$1" \
    --host "$HOST" --port 0 --no-rate-limits --log-level warning --clock "$CLOCK"
}

# One run on a queue of $1 tickets: sets CALLS (calls per second) and CPU_US (server CPU per request).
run() {
  local depth=$1 db="$WORK/run.sqlite" url out="$WORK/wrk.txt" t0 t1 requests
  rm -f "$db" "$db-wal" "$db-shm" "$db.clean"; cp "$BASE" "$db"; cp "$BASE.key" "$db.key" 2>/dev/null || true
  serve "$db"
  url="http://$HOST:$PORT"
  for c in ${COUNTERS//,/ }; do
    curl -sSf -o /dev/null --max-time 30 -X POST -H "Authorization: Bearer $CLERK" "$url/api/v1/counters/$c/open"
  done
  curl -sSf -o /dev/null --max-time 300 -X POST -H "Authorization: Bearer $KIOSK" -H 'Content-Type: application/json' \
    -d '{"location":"stadhuis","service":"eid-aanvraag"}' "$url/api/v1/tickets?n=[1-$depth]"
  export LOKET_CLERK=$CLERK LOKET_KIOSK=$KIOSK LOKET_COUNTERS=$COUNTERS
  timeout 60 wrk -t2 -c"$CONNECTIONS" -d1s -s bench/call-next.lua "$url" >/dev/null 2>&1 || true
  t0=$(server_ticks)
  timeout $((SECONDS_PER_RUN + 60)) wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --timeout 10s --latency \
    -s bench/call-next.lua "$url" >"$out" 2>&1 || { echo "call-next-depth: wrk failed:" >&2; cat "$out" >&2; exit 1; }
  t1=$(server_ticks)
  CALLS=$(calc "$(awk '/^Requests\/sec:/ { print $2 }' "$out") / 2" 1)   # one call in every two requests
  requests=$(awk '/ requests in / { print $1 }' "$out")
  CPU_US=$(calc "($t1 - $t0) * 1000000 / $(getconf CLK_TCK) / ${requests:-1}" 1)
  local waiting
  waiting=$(curl -s --max-time 10 "$url/api/v1/locations/stadhuis/display" | grep -o '"totalWaiting":[0-9]*' | cut -d: -f2) || true
  printf '   %5s waiting: %8s calls/s   %7s µs CPU/request   p99 %-9s after: %s waiting   statuses %s\n' "$depth" "$CALLS" \
    "$CPU_US" "$(awk '$1 == "99%" { print $2 }' "$out")" "${waiting:-?}" "$(sed -n 's/^statuses //p' "$out")"
  stop_listening
}

S=(); D=(); SC=(); DC=()
for round in $(seq "$ROUNDS"); do
  echo " round $round"
  order="shallow deep"; [ $((round % 2)) = 0 ] && order="deep shallow"
  for kind in $order; do
    if [ "$kind" = shallow ]; then run "$SHALLOW"; S+=("$CALLS"); SC+=("$CPU_US")
    else run "$DEEP"; D+=("$CALLS"); DC+=("$CPU_US"); fi
  done
done
R=$(ratios D S); RC=$(ratios SC DC)
echo "ratios $DEEP/$SHALLOW waiting per round: calls/s $R; CPU per request (shallow/deep) $RC"
echo "@ callnext_shallow=$(median "${S[@]}")"
echo "@ callnext_deep=$(median "${D[@]}")"
echo "@ callnext_depth_ratio=$(median $R)"
echo "@ callnext_depth_cpu_ratio=$(median $RC)"
echo "@ callnext_shallow_n=$SHALLOW"
echo "@ callnext_deep_n=$DEEP"
