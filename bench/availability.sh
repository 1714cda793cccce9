#!/usr/bin/env bash
# make bench, part 2 over HTTP (also runs alone): GET /api/v1/availability for one day and for 30 days
# at the 10-desk bench office (30 % booked, `loket-bench seed`), side by side in every round with
#   - the bare slot engine in-process (`loket-bench availability`, one core: 1e6 / median µs),
#   - the C libmicrohttpd hello server (bench/hello.c) answering /api/v1/health,
#   - the same Loket with `--no-availability-cache` (every answer computed afresh: what the cache buys),
#   - Loket's own /api/v1/health (its HTTP layer alone: the most a cached answer can reach).
# wrk uses the same connections for hello and availability (BENCH_AVAILABILITY_CONNECTIONS, default 8).
# Rounds alternate the order; each ratio is taken per round, the median is the figure.
# Goals (issue 14): one day >= min(0.5 x engine, 0.3 x hello); 30 days >= 0.5 x engine.
# Lines starting with `@ key=value` are for bench/run.sh.
#
# Needs .build/release/loket and .build/release/loket-bench (or LOKET / LOKET_BENCH), wrk, gcc,
# pkg-config, libmicrohttpd-dev, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
ROOT=$PWD
LOKET=${LOKET:-$ROOT/.build/release/loket}
BENCH=${LOKET_BENCH:-$ROOT/.build/release/loket-bench}
SECONDS_PER_RUN=${BENCH_SECONDS:-4}
ROUNDS=${BENCH_ROUNDS:-3}
CONNECTIONS=${BENCH_AVAILABILITY_CONNECTIONS:-8}
HOST=127.0.0.1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/loket-availability.XXXXXX")
trap 'stop_listening; rm -rf "$WORK"' EXIT

# Starts a server whose stdout says "listening on http://HOST:PORT"; sets SERVER_PID and PORT.
start() {
  local name=$1; shift
  start_listening "availability ($name)" 900 "$WORK/$name.out" "$WORK/$name.err" "$@"
}

# wrk after a 1 s warm-up; prints a line and sets RPS (every answer must be 2xx).
wrk_rps() {
  local label=$1 url=$2 out="$WORK/wrk.txt" bad
  timeout 60 wrk -t2 -c"$CONNECTIONS" -d1s "$url" >/dev/null 2>&1 || true
  timeout $((SECONDS_PER_RUN + 60)) wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --timeout 10s --latency "$url" >"$out" 2>&1 \
    || { echo "availability: wrk failed for $label:" >&2; cat "$out" >&2; exit 1; }
  RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
  bad=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
  [ -z "$bad" ] || { echo "availability: $bad non-2xx answers for $label" >&2; exit 1; }
  printf '   %-44s %8.0f req/s   p50 %-9s p99 %s\n' "$label" "$RPS" "$(awk '$1 == "50%" { print $2 }' "$out")" \
    "$(awk '$1 == "99%" { print $2 }' "$out")"
}


gcc -O2 -o "$WORK/hello" bench/hello.c $(pkg-config --cflags --libs libmicrohttpd) -lpthread

# The bench office (10 desks, one 10-minute service) next to the demo config, 30 % of February 2027 booked.
bench_office_config "$WORK/config"
NOW=2027-01-31T07:00:00+01:00
timeout 120 "$BENCH" seed --config "$WORK/config" --db "$WORK/av.sqlite" --location bench-office --service bench-consult \
  --from 2027-02-01 --days 30 --share 0.3 --now "$NOW" | grep -v '^@' | sed 's/^/   /'
PATH_BASE="/api/v1/availability?service=bench-consult&location=bench-office"
DAY="$PATH_BASE&from=2027-02-02&to=2027-02-02"
MONTH="$PATH_BASE&from=2027-02-01&to=2027-03-02"

serve() { # name extra-args...
  local name=$1; shift
  start "$name" "$LOKET" serve --config "$WORK/config" --db "$WORK/av.sqlite" --host "$HOST" --port 0 \
    --no-rate-limits --log-level warning --clock "$NOW" "$@"
}

# The cached and uncached servers must give the same bytes.
serve check
curl -sf "http://$HOST:$PORT$DAY" >"$WORK/day.json"; curl -sf "http://$HOST:$PORT$MONTH" >"$WORK/month.json"
stop_listening
serve check-uncached --no-availability-cache
curl -sf "http://$HOST:$PORT$DAY" | cmp -s - "$WORK/day.json" || { echo "availability: cached and uncached day answers differ" >&2; exit 1; }
curl -sf "http://$HOST:$PORT$MONTH" | cmp -s - "$WORK/month.json" || { echo "availability: cached and uncached month answers differ" >&2; exit 1; }
stop_listening
echo "   one day answers $(grep -o '"free"' "$WORK/day.json" | wc -l) slots; 30 days $(grep -o '"free"' "$WORK/month.json" | wc -l) slots ($(wc -c <"$WORK/month.json") bytes)"

E_DAY=(); E_MONTH=(); HELLO=(); HEALTH=(); C_DAY=(); C_MONTH=(); U_DAY=(); U_MONTH=()
measure_engine() {
  timeout 120 "$BENCH" availability --seconds 1.5 >"$WORK/engine.txt"
  E_DAY+=("$(calc "1000000 / $(sed -n 's/^@ slots_day_median_us=//p' "$WORK/engine.txt")" 0)")
  E_MONTH+=("$(calc "1000000 / $(sed -n 's/^@ slots_month_median_us=//p' "$WORK/engine.txt")" 0)")
  printf '   %-44s %8.0f /s (1 day), %.0f /s (30 days)\n' "bare SlotEngine in-process, one core" "${E_DAY[-1]}" "${E_MONTH[-1]}"
}
measure_hello() {
  start hello "$WORK/hello"
  wrk_rps "C hello server /api/v1/health" "http://$HOST:$PORT/api/v1/health"; HELLO+=("$RPS")
  stop_listening
}
measure_loket() { # cached|uncached
  if [ "$1" = cached ]; then serve loket; else serve loket-uncached --no-availability-cache; fi
  wrk_rps "Loket availability 1 day ($1)" "http://$HOST:$PORT$DAY"
  if [ "$1" = cached ]; then C_DAY+=("$RPS"); else U_DAY+=("$RPS"); fi
  wrk_rps "Loket availability 30 days ($1)" "http://$HOST:$PORT$MONTH"
  if [ "$1" = cached ]; then C_MONTH+=("$RPS"); else U_MONTH+=("$RPS"); fi
  if [ "$1" = cached ]; then wrk_rps "Loket /api/v1/health" "http://$HOST:$PORT/api/v1/health"; HEALTH+=("$RPS"); fi
  stop_listening
}

for round in $(seq "$ROUNDS"); do
  echo "  round $round"
  if [ $((round % 2)) = 1 ]; then
    measure_engine; measure_hello; measure_loket cached; measure_loket uncached
  else
    measure_loket uncached; measure_loket cached; measure_hello; measure_engine
  fi
done

# Per-round ratios, then their median.
ratio() { # name numerator-array denominator-array
  local -n num=$2 den=$3
  local i all=()
  for i in "${!num[@]}"; do all+=("$(calc "${num[$i]} / ${den[$i]}" 3)"); done
  echo "@ $1=$(median "${all[@]}")"
  echo "   $1 per round: ${all[*]}" >&2
}
{
  ratio day_engine_ratio C_DAY E_DAY
  ratio day_hello_ratio C_DAY HELLO
  ratio month_engine_ratio C_MONTH E_MONTH
  ratio day_uncached_engine_ratio U_DAY E_DAY
  ratio day_uncached_hello_ratio U_DAY HELLO
  ratio month_uncached_engine_ratio U_MONTH E_MONTH
  ratio day_health_ratio C_DAY HEALTH
  ratio health_hello_ratio HEALTH HELLO
  ratio day_cache_gain C_DAY U_DAY
  ratio month_cache_gain C_MONTH U_MONTH
} >"$WORK/ratios.txt" 2>"$WORK/ratios-per-round.txt"
sed 's/^/ /' "$WORK/ratios-per-round.txt"
cat "$WORK/ratios.txt"
echo "@ engine_day_per_s=$(median "${E_DAY[@]}")"
echo "@ engine_month_per_s=$(median "${E_MONTH[@]}")"
echo "@ hello_rps=$(median "${HELLO[@]}")"
echo "@ health_rps=$(median "${HEALTH[@]}")"
echo "@ day_rps=$(median "${C_DAY[@]}")"
echo "@ month_rps=$(median "${C_MONTH[@]}")"
echo "@ day_uncached_rps=$(median "${U_DAY[@]}")"
echo "@ month_uncached_rps=$(median "${U_MONTH[@]}")"
echo "@ month_slots=$(grep -o '"free"' "$WORK/month.json" | wc -l)"
