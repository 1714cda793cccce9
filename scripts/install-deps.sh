#!/usr/bin/env bash
# Installs the Debian packages Loket needs, only those that are missing.
#   scripts/install-deps.sh build     C libraries for building and running loket
#   scripts/install-deps.sh test      + headless Chromium, its driver and python3-venv for the browser tests,
#                                     nginx and openssl for the deployment test, the sqlite3 shell for the backup drill
#   scripts/install-deps.sh bench     + wrk and a C compiler for the benchmarks
set -euo pipefail

packages=(libmicrohttpd-dev libsqlite3-dev libqrencode-dev libcurl4-openssl-dev pkg-config)
case "${1:-build}" in
  build) ;;
  test) packages+=(chromium chromium-driver python3-venv tmux nginx openssl sqlite3) ;;
  bench) packages+=(wrk gcc) ;;
  *) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=sudo
  else
    echo "Loket needs these Debian packages: ${missing[*]}" >&2
    echo "Install them as root:  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
echo "Installing ${missing[*]} ..." >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
