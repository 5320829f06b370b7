#!/usr/bin/env bash
# Install what is missing, build, run every test (unit and qemu), and end
# with one line: "N passed, M failed". Extra arguments go to `meson test`
# (e.g. --suite unit, or a test name).
set -euo pipefail
cd "$(dirname "$0")"
./scripts/bootstrap.sh
./scripts/configure.sh build
ninja -C build

status=0
meson test -C build --print-errorlogs --num-processes "$(nproc)" "$@" || status=$?
python3 scripts/test-summary.py build/meson-logs/testlog.json || status=1
exit "$status"
