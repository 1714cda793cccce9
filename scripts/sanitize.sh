#!/usr/bin/env bash
# Runs the Swift test suite under AddressSanitizer and under ThreadSanitizer.
#   scripts/sanitize.sh                  both, address first
#   scripts/sanitize.sh thread           one of them
#   SANITIZE_FILTER='LoketHTTPTests|LoketServerTests' scripts/sanitize.sh thread    only some suites
# Each sanitizer has its own scratch path (.build-address, .build-thread), so the normal .build stays
# untouched and a second run only rebuilds what changed. The mail tests need LOKET_TEST_PYTHON (a python
# with aiosmtpd), as in `make test`. The time of each build and each test run is printed at the end.
# ThreadSanitizer reads scripts/tsan.supp; every suppression there says why it is not a bug of ours.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
SWIFT=${SWIFT:-swift}
sanitizers=("$@")
[ ${#sanitizers[@]} -eq 0 ] && sanitizers=(address thread)

# Leak reports would be about the Swift runtime's own caches and the test runner, not about Loket.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0}
export TSAN_OPTIONS=${TSAN_OPTIONS:-suppressions=$root/scripts/tsan.supp:history_size=4:second_deadlock_stack=1}

summary=()
status=0
for s in "${sanitizers[@]}"; do
  case "$s" in address|thread) ;; *) echo "usage: $0 [address|thread]..." >&2; exit 2 ;; esac
  scratch=".build-$s"
  start=$(date +%s)
  $SWIFT build --build-tests --sanitize="$s" --scratch-path "$scratch"
  built=$(date +%s)
  filter=()
  [ -n "${SANITIZE_FILTER:-}" ] && filter=(--filter "$SANITIZE_FILTER")
  if $SWIFT test --skip-build --sanitize="$s" --scratch-path "$scratch" "${filter[@]}"; then
    result=passed
  else
    result=FAILED
    status=1
  fi
  done_at=$(date +%s)
  summary+=("$s: build $((built - start)) s, tests $((done_at - built)) s, $result${SANITIZE_FILTER:+ (filter: $SANITIZE_FILTER)}")
done
printf '%s\n' "${summary[@]}"
exit $status
