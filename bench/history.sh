#!/usr/bin/env bash
# make bench, part 7 (also runs alone): flat with history. The same server, config and pinned clock
# (Tuesday 2026-12-01 09:00 at the town hall), alternately on an empty database and on one holding a
# year of a very busy office (`loket-bench history-year`: BENCH_HISTORY_PAST past tickets and
# appointments, default 1,000,000, and BENCH_HISTORY_FUTURE booked ones ahead, default 100,000):
#
#   tickets     POST /api/v1/tickets (wrk, bench/tickets.lua)
#   call-next   POST /api/v1/counters/{id}/call-next on a queue of BENCH_HISTORY_QUEUE tickets (default
#               1,000), each call followed by one ticket issued so the queue keeps its length
#               (bench/call-next.lua); the figure counts calls per second
#   availability  GET /api/v1/availability for one day (2026-12-02) that has no booking in either database,
#               between the past and the book of future appointments (from 2026-12-03), so the ratio
#               shows what the stored history costs, not what a fuller day costs the slot engine
#
# Each round copies the databases afresh (the copy is not timed), so every round starts from the same
# queue. The ratio history/empty per round, median over rounds, is the figure; goal >= 0.83 (within 1.2x).
# Start-up: milliseconds from exec to the `listening on` line with the demo config grown to 700 services
# (`loket-bench catalogue`; every server of this section reads it), on each database
# after a clean stop (the usual start), and on the history after an unclean one (no clean mark: the
# full `PRAGMA quick_check`), median of BENCH_HISTORY_STARTS starts (default 5). Goal < 300 ms.
# Lines starting with `@ key=value` are for bench/run.sh.
#
# Needs .build/release/loket and .build/release/loket-bench (or LOKET / LOKET_BENCH), wrk, curl, awk.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
ROOT=$PWD
LOKET=${LOKET:-$ROOT/.build/release/loket}
BENCH=${LOKET_BENCH:-$ROOT/.build/release/loket-bench}
SECONDS_PER_RUN=${BENCH_SECONDS:-4}
ROUNDS=${BENCH_HISTORY_ROUNDS:-${BENCH_ROUNDS:-3}}
PAST=${BENCH_HISTORY_PAST:-1000000}
FUTURE=${BENCH_HISTORY_FUTURE:-100000}
QUEUE=${BENCH_HISTORY_QUEUE:-1000}
STARTS=${BENCH_HISTORY_STARTS:-5}
TICKET_CONNECTIONS=${BENCH_TICKET_CONNECTIONS:-16}
AVAILABILITY_CONNECTIONS=${BENCH_AVAILABILITY_CONNECTIONS:-8}
HOST=127.0.0.1
CLOCK=2026-12-01T09:00:00+01:00
COUNTERS=stadhuis-1,stadhuis-2,stadhuis-3
WORK=$(mktemp -d "${TMPDIR:-/tmp}/loket-history.XXXXXX")
trap 'stop_listening; rm -rf "$WORK"' EXIT

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# Starts loket on $1 and waits for its first stdout line; sets SERVER_PID, PORT and STARTUP_MS (exec to that line).
serve() {
  local db=$1 fifo="$WORK/out.fifo" t0 line
  rm -f "$fifo"; mkfifo "$fifo"
  t0=$(date +%s%N)
  timeout --signal=TERM --kill-after=5 600 "$LOKET" serve --config "$CONFIG" --db "$db" --host "$HOST" --port 0 \
    --no-rate-limits --log-level warning --clock "$CLOCK" >"$fifo" 2>"$WORK/serve.err" &
  SERVER_PID=$!
  exec 3<"$fifo"
  if ! IFS= read -r -t 120 line <&3; then
    echo "history: the server did not start:" >&2; cat "$WORK/serve.err" >&2; exit 1
  fi
  STARTUP_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
  PORT=$(printf '%s' "$line" | sed -n 's#.* listening on http://[^ ]*:\([0-9][0-9]*\).*#\1#p')
  [ -n "$PORT" ] || { echo "history: unexpected first line: $line" >&2; exit 1; }
  # Keep draining stdout so the server never blocks on it.
  cat <&3 >/dev/null &
  exec 3<&-
}


# wrk with a 1 s warm-up; sets RPS and CPU_US (server CPU microseconds per answer, a steadier second
# opinion on a shared machine than the rate) and prints one line.
run_wrk() {
  local label=$1 connections=$2 out="$WORK/wrk.txt" t0 t1 requests; shift 2
  timeout 60 wrk -t2 -c"$connections" -d1s "$@" >/dev/null 2>&1 || true
  t0=$(server_ticks)
  timeout $((SECONDS_PER_RUN + 60)) wrk -t2 -c"$connections" -d"${SECONDS_PER_RUN}s" --timeout 10s --latency "$@" >"$out" 2>&1 \
    || { echo "history: wrk failed for $label:" >&2; cat "$out" >&2; exit 1; }
  t1=$(server_ticks)
  RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
  requests=$(awk '/ requests in / { print $1 }' "$out")
  CPU_US=$(calc "($t1 - $t0) * 1000000 / $(getconf CLK_TCK) / ${requests:-1}" 1)
  local non2xx p99 statuses
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out"); p99=$(awk '$1 == "99%" { print $2 }' "$out")
  statuses=$(sed -n 's/^statuses //p' "$out")
  printf '   %-34s %8.0f req/s   %7s µs CPU/answer   p99 %-9s non-2xx %s%s\n' "$label" "$RPS" "$CPU_US" "$p99" "${non2xx:-0}" \
    "${statuses:+   (statuses $statuses)}"
}

# ---------------------------------------------------------------------------------------------
# The two databases, with the same tokens' roles: a kiosk and a clerk each.
HISTORY="$WORK/history.sqlite"; EMPTY="$WORK/empty.sqlite"
# Every server here reads the demo config grown to a city's 700 services (the extra ones at the town
# hall), which is what the start-up goal is about; the history itself is generated from the demo's.
CONFIG="$WORK/config-700"
timeout 120 "$BENCH" catalogue --config config --out "$CONFIG" --services 700 | grep -v '^@'
timeout 900 "$BENCH" history-year --config config --db "$HISTORY" --from 2025-12-01 --days 365 --past "$PAST" \
  --future "$FUTURE" --future-from 2026-12-03 --now "$CLOCK" | tee "$WORK/history.txt" | grep -v '^@'
for db in "$HISTORY" "$EMPTY"; do
  name=$(basename "$db" .sqlite)
  timeout 120 "$LOKET" token add --role kiosk --name bench-kiosk --config config --db "$db" >"$WORK/$name.kiosk" 2>/dev/null
  timeout 120 "$LOKET" token add --role clerk --name bench-clerk --config config --db "$db" >"$WORK/$name.clerk" 2>/dev/null
done
HISTORY_MB=$(calc "$(stat -c %s "$HISTORY") / 1000000" 0); EMPTY_MB=$(calc "$(stat -c %s "$EMPTY") / 1000000" 2)
SERVICES=$("$LOKET" check-config --config "$CONFIG" | sed -n 's/.* \([0-9][0-9]*\) services.*/\1/p')
echo "databases: history $HISTORY_MB MB, empty $EMPTY_MB MB; config: $SERVICES services"

# ---------------------------------------------------------------------------------------------
# Start-up: alternately, each after a clean stop; then the history after an unclean stop.
START_EMPTY=(); START_HISTORY=(); START_UNCLEAN=()
for _ in $(seq "$STARTS"); do
  serve "$EMPTY"; START_EMPTY+=("$STARTUP_MS"); stop_listening
  serve "$HISTORY"; START_HISTORY+=("$STARTUP_MS"); stop_listening
done
for _ in $(seq 2); do
  rm -f "$HISTORY.clean"   # what a crash leaves: no clean mark
  serve "$HISTORY"; START_UNCLEAN+=("$STARTUP_MS"); stop_listening
done
[ -f "$HISTORY.clean" ] || echo "history: warning: a clean stop left no clean mark beside $HISTORY" >&2
STARTUP_EMPTY=$(median "${START_EMPTY[@]}"); STARTUP_HISTORY=$(median "${START_HISTORY[@]}"); STARTUP_UNCLEAN=$(median "${START_UNCLEAN[@]}")
echo "start-up to the listening line: empty ${START_EMPTY[*]} ms; history ${START_HISTORY[*]} ms; history after an unclean stop ${START_UNCLEAN[*]} ms"

# ---------------------------------------------------------------------------------------------
TK_E=(); TK_H=(); CN_E=(); CN_H=(); AV_E=(); AV_H=(); TKC_E=(); TKC_H=(); CNC_E=(); CNC_H=(); AVC_E=(); AVC_H=()
for round in $(seq "$ROUNDS"); do
  echo " round $round"
  order="empty history"; [ $((round % 2)) = 0 ] && order="history empty"
  for kind in $order; do
    base="$WORK/$kind.sqlite"; db="$WORK/run-$kind.sqlite"
    rm -f "$db" "$db-wal" "$db-shm" "$db.clean"; cp "$base" "$db"; cp "$base.key" "$db.key" 2>/dev/null || true
    KIOSK=$(cat "$WORK/$kind.kiosk"); CLERK=$(cat "$WORK/$kind.clerk")
    serve "$db"
    URL="http://$HOST:$PORT"
    for c in ${COUNTERS//,/ }; do
      curl -sf -o /dev/null --max-time 30 -X POST -H "Authorization: Bearer $CLERK" "$URL/api/v1/counters/$c/open"
    done
    run_wrk "$kind: availability, 1 day" "$AVAILABILITY_CONNECTIONS" \
      "$URL/api/v1/availability?service=eid-aanvraag&location=stadhuis&from=2026-12-02&to=2026-12-02"
    [ "$kind" = empty ] && AV_E+=("$RPS") || AV_H+=("$RPS")
    [ "$kind" = empty ] && AVC_E+=("$CPU_US") || AVC_H+=("$CPU_US")
    # The queue: QUEUE tickets, issued one by one over one kept-alive connection.
    curl -sf -o /dev/null --max-time 300 -X POST -H "Authorization: Bearer $KIOSK" -H 'Content-Type: application/json' \
      -d '{"location":"stadhuis","service":"eid-aanvraag"}' "$URL/api/v1/tickets?n=[1-$QUEUE]"
    LOKET_CLERK=$CLERK LOKET_KIOSK=$KIOSK LOKET_COUNTERS=$COUNTERS \
      run_wrk "$kind: call-next + 1 ticket" "$TICKET_CONNECTIONS" -s bench/call-next.lua "$URL"
    RPS=$(calc "$RPS / 2" 1)   # one call in every two requests
    [ "$kind" = empty ] && CN_E+=("$RPS") || CN_H+=("$RPS")
    [ "$kind" = empty ] && CNC_E+=("$CPU_US") || CNC_H+=("$CPU_US")
    waiting=$(curl -s --max-time 10 "$URL/api/v1/locations/stadhuis/display" | grep -o '"totalWaiting":[0-9]*' | cut -d: -f2)
    echo "   $kind: queue after the call-next run: ${waiting:-?} waiting (began at $QUEUE)"
    LOKET_TOKEN=$KIOSK LOKET_LOCATION=stadhuis LOKET_SERVICE=eid-aanvraag \
      run_wrk "$kind: POST /api/v1/tickets" "$TICKET_CONNECTIONS" -s bench/tickets.lua "$URL/api/v1/tickets"
    [ "$kind" = empty ] && TK_E+=("$RPS") || TK_H+=("$RPS")
    [ "$kind" = empty ] && TKC_E+=("$CPU_US") || TKC_H+=("$CPU_US")
    stop_listening
    rm -f "$db" "$db-wal" "$db-shm" "$db.clean" "$db.key"
  done
done

TK_R=$(ratios TK_H TK_E); CN_R=$(ratios CN_H CN_E); AV_R=$(ratios AV_H AV_E)
echo "ratios history/empty per round: tickets $TK_R; call-next $CN_R; availability $AV_R"
# The same in CPU per answer, empty/history (so that, as above, 1 is flat and >= 0.83 is within 1.2x).
TKC_R=$(ratios TKC_E TKC_H); CNC_R=$(ratios CNC_E CNC_H); AVC_R=$(ratios AVC_E AVC_H)
echo "CPU per answer, ratios empty/history per round: tickets $TKC_R; call-next $CNC_R; availability $AVC_R"
echo "@ history_tickets_cpu_ratio=$(median $TKC_R)"
echo "@ history_callnext_cpu_ratio=$(median $CNC_R)"
echo "@ history_availability_cpu_ratio=$(median $AVC_R)"
echo "@ history_tickets_empty=$(median "${TK_E[@]}")"
echo "@ history_tickets_history=$(median "${TK_H[@]}")"
echo "@ history_tickets_ratio=$(median $TK_R)"
echo "@ history_callnext_empty=$(median "${CN_E[@]}")"
echo "@ history_callnext_history=$(median "${CN_H[@]}")"
echo "@ history_callnext_ratio=$(median $CN_R)"
echo "@ history_availability_empty=$(median "${AV_E[@]}")"
echo "@ history_availability_history=$(median "${AV_H[@]}")"
echo "@ history_availability_ratio=$(median $AV_R)"
echo "@ history_startup_empty_ms=$STARTUP_EMPTY"
echo "@ history_startup_history_ms=$STARTUP_HISTORY"
echo "@ history_startup_unclean_ms=$STARTUP_UNCLEAN"
echo "@ history_db_mb=$HISTORY_MB"
echo "@ history_empty_db_mb=$EMPTY_MB"
echo "@ history_rows=$(sed -n 's/^@ history_tickets=//p' "$WORK/history.txt" | cut -d. -f1)+$(sed -n 's/^@ history_appointments=//p' "$WORK/history.txt" | cut -d. -f1)+$(sed -n 's/^@ history_future=//p' "$WORK/history.txt" | cut -d. -f1)"
echo "@ history_generate_s=$(sed -n 's/^@ history_seconds=//p' "$WORK/history.txt")"
echo "@ history_services=$SERVICES"
