#!/usr/bin/env bash
# make bench, part 4 (also runs alone): lobby displays hear one call-next, and what their streams cost.
#
# Two runs, each on a fresh server: BENCH_STREAMS (default 2,000) streams, then BENCH_STREAMS_LARGE
# (default 10,000; 0 skips it) streams to GET /api/v1/locations/stadhuis/events. `bench/fanout.c`
# opens them, reads the server's VmRSS before the first and once all are open (and after the
# rounds), then per round POSTs call-next and times every stream until its `event: called`.
# Goals: the first run adds at most 16 MB to the server's RSS and delivers with p99 <= 30 ms; the
# large run delivers with p99 <= 150 ms. fanout.c spreads the large run's streams over 127.0.0.x
# (2,000 per address), under the server's default per-address cap of 2,500; the server raises its
# own descriptor limit to the hard limit, fanout.c its own.
# Lines starting with `@ key=value` are for bench/run.sh (`fanout_*` first run, `large_fanout_*` second).
#
# Needs .build/release/loket (or LOKET), gcc, curl; FANOUT (a compiled fanout.c) is optional.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
LOKET=${LOKET:-$PWD/.build/release/loket}
STREAMS=${BENCH_STREAMS:-2000}
LARGE=${BENCH_STREAMS_LARGE:-10000}
ROUNDS=${BENCH_FANOUT_ROUNDS:-3}
HOST=127.0.0.1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/loket-fanout.XXXXXX")
trap 'stop_listening; rm -rf "$WORK"' EXIT

FANOUT=${FANOUT:-}
if [ -z "$FANOUT" ]; then
  FANOUT="$WORK/fanout"
  gcc -O2 -o "$FANOUT" bench/fanout.c
fi

status() { # url curl-args... -> the HTTP status
  local url=$1; shift
  curl -s -o "$WORK/body" -w '%{http_code}' --max-time 10 "$@" "$url"
}

# One run: a fresh database and server, $1 streams; `@` lines get the prefix $2.
run() {
  local streams=$1 prefix=$2 db="$WORK/fanout-$1.sqlite" port pid kiosk clerk code
  kiosk=$(timeout 60 "$LOKET" token add --role kiosk --name bench-kiosk --config config --db "$db" 2>/dev/null)
  clerk=$(timeout 60 "$LOKET" token add --role clerk --name bench-clerk --config config --db "$db" 2>/dev/null)
  start_listening fanout 600 "$WORK/serve.out" "$WORK/serve.err" "$LOKET" serve --config config --db "$db" \
    --host "$HOST" --port 0 --no-rate-limits --log-level warning --clock 2026-12-01T09:00:00+01:00
  port=$PORT
  pid=$(pgrep -P "$SERVER_PID" -x loket | head -1 || true)  # timeout(1)'s child: the server itself
  code=$(status "http://$HOST:$port/api/v1/counters/stadhuis-1/open" -X POST -H "Authorization: Bearer $clerk")
  [ "$code" = 200 ] || { echo "fanout: opening the counter answered $code" >&2; exit 1; }
  for _ in $(seq $((ROUNDS + 2))); do
    code=$(status "http://$HOST:$port/api/v1/tickets" -X POST -H "Authorization: Bearer $kiosk" \
      -H 'Content-Type: application/json' -d '{"location":"stadhuis","service":"eid-aanvraag"}')
    [ "$code" = 201 ] || { echo "fanout: issuing a ticket answered $code" >&2; exit 1; }
  done
  timeout 240 "$FANOUT" "$HOST" "$port" stadhuis stadhuis-1 "$clerk" "$streams" "$ROUNDS" "${pid:-0}" \
    >"$WORK/fanout.txt" 2>"$WORK/fanout.err" || true
  grep -v '^@' "$WORK/fanout.txt" || true
  [ -s "$WORK/fanout.err" ] && sed 's/^/fanout: /' "$WORK/fanout.err" | head -5
  sed -n "s/^@ /@ $prefix/p" "$WORK/fanout.txt"
  stop_listening
  if [ -s "$WORK/serve.err" ]; then
    echo "(loket logged $(wc -l <"$WORK/serve.err") line(s) on stderr, first: $(head -c 300 "$WORK/serve.err" | head -1))"
  fi
}

echo "-- $STREAMS streams"
run "$STREAMS" ""
if [ "$LARGE" -gt 0 ]; then
  echo "-- $LARGE streams"
  run "$LARGE" large_
fi
