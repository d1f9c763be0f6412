#!/usr/bin/env bash
# Browser tests for motcua: installs what is missing, builds the binary, runs `npm test` in e2e/.
# Run from anywhere (usually the repository root): bash e2e/run.sh
#   MOTCUA_BIN=/path/to/motcua   use that binary instead of building target/debug/motcua
#   CHROMIUM_PATH=/path/to/chrome use another Chromium (default /usr/bin/chromium)
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$E2E_DIR/.." && pwd)"
export DEBIAN_FRONTEND=noninteractive

SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; fi

apt_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# 1. Chromium and a font with Vietnamese letters (from Debian's packages).
if [ -z "${CHROMIUM_PATH:-}" ] && { [ ! -x /usr/bin/chromium ] || ! apt_installed fonts-noto-core; }; then
  echo "e2e: installing chromium and fonts-noto-core with apt-get"
  $SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
  $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq chromium fonts-noto-core >/dev/null
fi

# 2. Node packages, exactly as locked.
if ! command -v npm >/dev/null 2>&1; then
  echo "e2e: npm is missing (install Node.js 20 or newer)" >&2
  exit 1
fi
(cd "$E2E_DIR" && npm ci --no-audit --no-fund --loglevel=error)

# 3. The binary under test.
if [ -z "${MOTCUA_BIN:-}" ]; then
  (cd "$ROOT" && cargo build -p motcua)
  export MOTCUA_BIN="$ROOT/target/debug/motcua"
fi

# 4. The tests.
cd "$E2E_DIR"
exec npm test
