# Helpers shared by bench/run.sh and its section scripts (sourced, never run).

# Arithmetic in awk: calc EXPRESSION [DECIMALS, default 2].
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
# The value of "@ key=value" in a file (the last one): at FILE KEY.
at() { sed -n "s/^@ $2=//p" "$1" | tail -1; }
# Median of numbers (the mean of the middle two for an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# Per-round ratios a[i] / b[i] of two arrays given by name, three decimals; prints them space-separated.
ratios() {
  local -n num=$1 den=$2
  local i out=()
  for i in "${!num[@]}"; do out+=("$(calc "${num[$i]} / ${den[$i]}" 3)"); done
  echo "${out[*]}"
}
# The port in a server's "... listening on http://HOST:PORT" line, read from FILE (empty until it is there).
listening_port() { sed -n 's#.* listening on http://[^ ]*:\([0-9][0-9]*\).*#\1#p' "$1" | head -1; }

# The server a section script runs (one at a time): the pid of its timeout(1) wrapper and its port.
SERVER_PID=
PORT=
# Starts a server under timeout(1) and waits up to 30 s for its "listening on" line; sets SERVER_PID and
# PORT, or prints its stderr and exits. start_listening NAME LIMIT_SECONDS STDOUT STDERR COMMAND...
start_listening() {
  local name=$1 limit=$2 out=$3 err=$4; shift 4
  : >"$out"
  timeout --signal=TERM --kill-after=5 "$limit" "$@" >"$out" 2>"$err" &
  SERVER_PID=$!
  PORT=
  for _ in $(seq 300); do
    PORT=$(listening_port "$out")
    [ -n "$PORT" ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "$name: the server did not start:" >&2; cat "$err" >&2; exit 1
}
# Stops the server of start_listening (SIGTERM, then waits for it); nothing when none runs.
stop_listening() {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
# CPU time the server (the loket under timeout(1)) has used, in clock ticks (utime + stime).
server_ticks() {
  local pid
  pid=$(pgrep -P "$SERVER_PID" -x loket | head -1) || true
  awk '{ print $14 + $15 }' "/proc/${pid:-0}/stat" 2>/dev/null || echo 0
}
# The demo config with the benchmark office (bench/config: 10 desks, one 10-minute service) added, in DIR.
bench_office_config() {
  cp -r config "$1"
  printf '\n' >>"$1/locations.yaml"
  cat bench/config/location.yaml >>"$1/locations.yaml"
  cp bench/config/service.yaml "$1/services/99-bench.yaml"
}
