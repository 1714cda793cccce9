#!/usr/bin/env bash
# make bench, part 3 (also runs alone): writes over HTTP vs the raw SQLite one-row commit ceilings.
#
# Each round measures, one after the other (never at the same time): the raw ceiling with
# synchronous=FULL (what one durable commit per write allows), the raw ceiling with
# synchronous=NORMAL (the CPU cost of a one-row commit, no waiting for the disk), Loket issuing
# walk-in tickets (bench/tickets.lua) and Loket booking free slots of the benchmark office
# (bench/bookings.lua), each on a fresh database. The order turns every round. Loket keeps
# synchronous=FULL; it gets past the FULL ceiling by group commit: the writes in flight share one
# transaction and one fsync. So wrk runs BENCH_WRITE_CONNECTIONS connections (default 64): a batch
# can only be as large as the writes waiting together (and --write-workers, 64 by default, bounds
# those in the server). The average batch is read from /metrics (loket_store_batched_writes /
# loket_store_commits) around each run.
#
# Knobs: BENCH_SECONDS (default 4), BENCH_ROUNDS (default 3), BENCH_WRITE_CONNECTIONS (default 64),
# LOKET_WRITE_WORKERS (passed as --write-workers when set). Lines starting with `@ key=value` are for bench/run.sh.
# Needs .build/release/loket and .build/release/loket-bench (or LOKET / LOKET_BENCH), wrk, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
ROOT=$PWD
LOKET=${LOKET:-$ROOT/.build/release/loket}
BENCH=${LOKET_BENCH:-$ROOT/.build/release/loket-bench}
SECONDS_PER_RUN=${BENCH_SECONDS:-4}
ROUNDS=${BENCH_ROUNDS:-3}
CONNECTIONS=${BENCH_WRITE_CONNECTIONS:-64}
HOST=127.0.0.1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/loket-writes.XXXXXX")
trap 'stop_listening; rm -rf "$WORK"' EXIT

# The benchmark office (bench/config) in a temporary copy of config/.
bench_office_config "$WORK/config"

serve() { # db clock
  start_listening group-commit 600 "$WORK/serve.out" "$WORK/serve.err" "$LOKET" serve --config "$WORK/config" --db "$1" \
    --host "$HOST" --port 0 --no-rate-limits --log-level warning --clock "$2" \
    ${LOKET_WRITE_WORKERS:+--write-workers "$LOKET_WRITE_WORKERS"}
}
unserve() {
  stop_listening
  [ -s "$WORK/serve.err" ] && echo "   (loket logged $(wc -l <"$WORK/serve.err") line(s) on stderr, first: $(head -1 "$WORK/serve.err" | head -c 300))"
  return 0
}
# loket_store_commits and loket_store_batched_writes, space-separated.
commit_counts() {
  curl -s --max-time 10 "http://$HOST:$PORT/metrics" \
    | awk '$1 == "loket_store_commits" { c = $2 } $1 == "loket_store_batched_writes" { w = $2 } END { printf "%d %d\n", c, w }'
}
# The server's CPU time (clock ticks, all threads) and context switches (all threads, voluntary or
# not), space-separated, from /proc (the server is the child of `timeout`); "0 0" when not readable.
server_usage() {
  local pid
  pid=$(pgrep -P "$SERVER_PID" 2>/dev/null | head -1) || true
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || { echo "0 0"; return; }
  echo "$(awk '{ print $14 + $15 }' "/proc/$pid/stat") $(cat /proc/"$pid"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { s += $2 } END { print s + 0 }')"
}
# wrk with a 1 s warm-up; sets RPS, NON2XX, STATUSES, BATCH (writes per commit during the measured run),
# and PER_WRITE (the server's CPU µs and context switches per answered request; diagnostic).
run_wrk() {
  local label=$1; shift
  local out="$WORK/wrk.txt" before after
  timeout 60 wrk -t2 -c"$CONNECTIONS" -d1s "$@" >/dev/null 2>&1 || true
  before=$(commit_counts)
  local usage_before usage_after
  usage_before=$(server_usage)
  timeout $((SECONDS_PER_RUN + 60)) wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --timeout 10s --latency "$@" >"$out" 2>&1 \
    || { echo "group-commit: wrk failed for $label:" >&2; cat "$out" >&2; exit 1; }
  after=$(commit_counts)
  usage_after=$(server_usage)
  RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
  NON2XX=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out"); NON2XX=${NON2XX:-0}
  STATUSES=$(sed -n 's/^statuses //p' "$out")
  BATCH=$(awk -v b="$before" -v a="$after" 'BEGIN { split(b, x, " "); split(a, y, " "); c = y[1] - x[1]; printf "%.1f", (c > 0) ? (y[2] - x[2]) / c : 0 }')
  PER_WRITE=$(awk -v b="$usage_before" -v a="$usage_after" -v n="$(awk '/requests in/ { print $1 }' "$out")" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { split(b, x, " "); split(a, y, " "); if (n > 0) printf "%.0f µs CPU, %.1f context switches", (y[1] - x[1]) * 1e6 / hz / n, (y[2] - x[2]) / n }')
  printf '   %-38s %8.0f /s   p50 %-9s p99 %-9s statuses %s   average batch %s writes; per write %s\n' "$label" "$RPS" \
    "$(awk '$1 == "50%" { print $2 }' "$out")" "$(awk '$1 == "99%" { print $2 }' "$out")" "$STATUSES" "$BATCH" "$PER_WRITE"
}

ceiling() { # FULL|NORMAL
  timeout 120 "$BENCH" sqlite-ceiling --db "$WORK/ceiling.sqlite" --seconds "$SECONDS_PER_RUN" --synchronous "$1" >"$WORK/ceiling.txt"
  printf '   %-38s %8.0f commits/s\n' "raw SQLite one-row commits, $1" "$(at "$WORK/ceiling.txt" commits_per_s)"
  at "$WORK/ceiling.txt" commits_per_s >"$WORK/ceiling.value"
}

tickets() {
  local db="$WORK/tickets-$1.sqlite" kiosk
  kiosk=$(timeout 60 "$LOKET" token add --role kiosk --name bench-kiosk --config "$WORK/config" --db "$db" 2>/dev/null)
  serve "$db" 2026-12-01T09:00:00+01:00
  LOKET_TOKEN=$kiosk LOKET_LOCATION=stadhuis LOKET_SERVICE=eid-aanvraag \
    run_wrk "Loket POST /api/v1/tickets" -s bench/tickets.lua "http://$HOST:$PORT/api/v1/tickets"
  unserve
}

bookings() {
  local db="$WORK/bookings-$1.sqlite"
  rm -f "$WORK/booking-state"
  serve "$db" 2027-01-31T07:00:00+01:00
  LOKET_BOOKING_STATE="$WORK/booking-state" \
    run_wrk "Loket POST /api/v1/appointments" -s bench/bookings.lua "http://$HOST:$PORT/api/v1/appointments"
  unserve
}

FULL=(); NORMAL=(); TICKETS=(); BOOKINGS=(); TICKET_BATCHES=(); BOOKING_BATCHES=(); TICKETS_NON2XX=0; BOOKINGS_NON2XX=0
echo " wrk: 2 threads, $CONNECTIONS connections, ${SECONDS_PER_RUN}s per run after a 1 s warm-up; $ROUNDS rounds"
for round in $(seq "$ROUNDS"); do
  echo " round $round"
  order=(full normal tickets bookings)
  [ $((round % 2)) = 0 ] && order=(tickets bookings normal full)
  for what in "${order[@]}"; do
    case $what in
      full) ceiling FULL; FULL+=("$(cat "$WORK/ceiling.value")") ;;
      normal) ceiling NORMAL; NORMAL+=("$(cat "$WORK/ceiling.value")") ;;
      tickets) tickets "$round"; TICKETS+=("$RPS"); TICKET_BATCHES+=("$BATCH"); TICKETS_NON2XX=$((TICKETS_NON2XX + NON2XX)) ;;
      bookings) bookings "$round"; BOOKINGS+=("$RPS"); BOOKING_BATCHES+=("$BATCH"); BOOKINGS_NON2XX=$((BOOKINGS_NON2XX + NON2XX)) ;;
    esac
  done
done

T_FULL=$(calc "$(median $(ratios TICKETS FULL))" 3); T_NORMAL=$(calc "$(median $(ratios TICKETS NORMAL))" 3)
B_FULL=$(calc "$(median $(ratios BOOKINGS FULL))" 3); B_NORMAL=$(calc "$(median $(ratios BOOKINGS NORMAL))" 3)
echo " per-round tickets / FULL: $(ratios TICKETS FULL); / NORMAL: $(ratios TICKETS NORMAL)"
echo " per-round bookings / FULL: $(ratios BOOKINGS FULL); / NORMAL: $(ratios BOOKINGS NORMAL)"
echo " median: ceilings FULL $(calc "$(median "${FULL[@]}")" 0) and NORMAL $(calc "$(median "${NORMAL[@]}")" 0) commits/s;" \
  "tickets $(calc "$(median "${TICKETS[@]}")" 0)/s = ${T_FULL}x FULL (goal >= 3), ${T_NORMAL}x NORMAL (goal >= 0.4);" \
  "bookings $(calc "$(median "${BOOKINGS[@]}")" 0)/s = ${B_FULL}x FULL, ${B_NORMAL}x NORMAL (goal >= half the tickets' ratios);" \
  "average batch: tickets $(median "${TICKET_BATCHES[@]}"), bookings $(median "${BOOKING_BATCHES[@]}") writes per commit"
echo "@ ceiling_full=$(median "${FULL[@]}")"
echo "@ ceiling_normal=$(median "${NORMAL[@]}")"
echo "@ tickets_per_s=$(median "${TICKETS[@]}")"
echo "@ bookings_per_s=$(median "${BOOKINGS[@]}")"
echo "@ tickets_full_ratio=$T_FULL"
echo "@ tickets_normal_ratio=$T_NORMAL"
echo "@ bookings_full_ratio=$B_FULL"
echo "@ bookings_normal_ratio=$B_NORMAL"
echo "@ tickets_batch=$(median "${TICKET_BATCHES[@]}")"
echo "@ bookings_batch=$(median "${BOOKING_BATCHES[@]}")"
echo "@ tickets_non2xx=$TICKETS_NON2XX"
echo "@ bookings_non2xx=$BOOKINGS_NON2XX"
