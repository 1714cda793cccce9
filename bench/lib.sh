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
