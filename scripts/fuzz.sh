#!/usr/bin/env bash
# Fuzzes Loket's parsers with libFuzzer, each target for a bounded time, from the committed corpus.
#   scripts/fuzz.sh                      every target, FUZZ_SECONDS (default 60) each
#   FUZZ_SECONDS=600 scripts/fuzz.sh body request
# Targets (Fuzz/Sources/loket-fuzz/LoketFuzz.swift): body, request, reference, config, keys.
# The binary is built in release with `-sanitize=fuzzer` in its own scratch path (.build-fuzz), so the
# normal .build is untouched. Each run starts from a copy of Fuzz/corpus/<target>/ in a temporary
# folder, so the repository stays clean; copy inputs worth keeping back by hand. A crash fails the
# script and its input is kept and printed; replay it with
#   LOKET_FUZZ_TARGET=<target> .build-fuzz/release/loket-fuzz <crash file>
# and make it a regression test in the normal suite.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(body request reference config keys)

$SWIFT build -c release --product loket-fuzz --scratch-path .build-fuzz \
  -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -DLOKET_FUZZ
bin=$(pwd)/.build-fuzz/release/loket-fuzz
work=$(mktemp -d "${TMPDIR:-/tmp}/loket-fuzz.XXXXXX")

failed=()
for t in "${targets[@]}"; do
  [ -d "Fuzz/corpus/$t" ] || { echo "no corpus Fuzz/corpus/$t" >&2; exit 2; }
  mkdir -p "$work/$t/corpus" "$work/$t/crashes"
  cp Fuzz/corpus/"$t"/* "$work/$t/corpus/"
  echo "== $t: ${FUZZ_SECONDS}s from $(ls Fuzz/corpus/"$t" | wc -l) seeds"
  if LOKET_FUZZ_TARGET=$t "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -max_len=8192 \
       -artifact_prefix="$work/$t/crashes/" "$work/$t/corpus" >"$work/$t/log" 2>&1; then
    echo "   ok: $(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$work/$t/log" | tail -1)s"
  else
    failed+=("$t")
    tail -n 30 "$work/$t/log"
    echo "   CRASH in $t; input(s):"
    ls -1 "$work/$t/crashes/"* 2>/dev/null | sed 's/^/     /'
    echo "   log: $work/$t/log"
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in ${failed[*]} (inputs kept in $work)"
  exit 1
fi
rm -rf "$work"
echo "fuzz: no crashes in ${targets[*]} (${FUZZ_SECONDS}s each)"
