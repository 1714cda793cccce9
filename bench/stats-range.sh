#!/usr/bin/env bash
# make bench, part 6 (also runs alone): GET /api/v1/stats/range over 6 months of a year of generated
# history at every demo location, by day and by week, and the CSV export of the same months.
#
# `loket-bench history` fills a fresh database with a year (2025-12-01 + 365 days) of tickets and
# appointments; a server on it answers the 6-month range (2026-05-01 .. 2026-10-31) BENCH_STATS_RUNS
# times (default 7) one after another; the median wall time per answer (curl's time_total) is the figure.
# Goal: well under a second. Lines starting with `@ key=value` are for bench/run.sh.
#
# Needs .build/release/loket and .build/release/loket-bench (or LOKET / LOKET_BENCH), curl.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
LOKET=${LOKET:-$PWD/.build/release/loket}
BENCH=${LOKET_BENCH:-$PWD/.build/release/loket-bench}
RUNS=${BENCH_STATS_RUNS:-7}
HOST=127.0.0.1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/loket-stats.XXXXXX")
trap 'stop_listening; rm -rf "$WORK"' EXIT

DB="$WORK/history.sqlite"
timeout 900 "$BENCH" history --config config --db "$DB" --from 2025-12-01 --days 365 | tee "$WORK/history.txt" | grep -v '^@'
ADMIN=$(timeout 60 "$LOKET" token add --role admin --name bench-admin --config config --db "$DB" 2>/dev/null)
start_listening stats-range 900 "$WORK/serve.out" "$WORK/serve.err" "$LOKET" serve --config config --db "$DB" \
  --host "$HOST" --port 0 --no-rate-limits --log-level warning --clock 2026-12-01T09:00:00+01:00

# Median of curl's time_total in ms over $RUNS answers, after one warm-up answer that must be 200.
time_ms() {
  local url=$1 code t all=()
  code=$(curl -s -o "$WORK/body" -w '%{http_code}' --max-time 30 -H "Authorization: Bearer $ADMIN" "$url")
  [ "$code" = 200 ] || { echo "stats-range: $url answered $code: $(head -c 300 "$WORK/body")" >&2; exit 1; }
  for _ in $(seq "$RUNS"); do
    t=$(curl -s -o /dev/null -w '%{time_total}' --max-time 30 -H "Authorization: Bearer $ADMIN" "$url")
    all+=("$(awk "BEGIN { printf \"%.1f\", $t * 1000 }")")
  done
  printf '%s\n' "${all[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

BASE="http://$HOST:$PORT/api/v1/stats"
DAY_MS=$(time_ms "$BASE/range?from=2026-05-01&to=2026-10-31")
ROWS=$(grep -o '"service":' "$WORK/body" | wc -l); BYTES=$(wc -c <"$WORK/body")
WEEK_MS=$(time_ms "$BASE/range?from=2026-05-01&to=2026-10-31&by=week")
CSV_MS=$(time_ms "$BASE/export.csv?from=2026-05-01&to=2026-10-31")
CSV_LINES=$(wc -l <"$WORK/body")
echo "6 months, every location: by day $DAY_MS ms ($ROWS rows, $BYTES bytes); by week $WEEK_MS ms; CSV $CSV_MS ms ($CSV_LINES lines); median of $RUNS"
echo "@ stats_range_day_ms=$DAY_MS"
echo "@ stats_range_week_ms=$WEEK_MS"
echo "@ stats_export_ms=$CSV_MS"
