#!/bin/bash
# iface benchmark: 500 cycles of the default cell at 1C/1C with interface ageing (target < 30 s) and one interphase
# growth curve (target < 1 ms). About half a minute per repeat.
#
#   bash bench/iface.sh [BUILD_DIR]        (REPEAT: runs per case, medians reported; default 3)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-${BUILD:-$ROOT/build-bench}}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
REPEAT=${REPEAT:-3}
mkdir -p "$BUILD"
if ! { cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release && cmake --build "$BUILD" -j2 --target bench_iface; } \
    >"$BUILD/bench_iface_build.log" 2>&1; then
    tail -30 "$BUILD/bench_iface_build.log"
    echo "bench/iface.sh: build failed (log: $BUILD/bench_iface_build.log)" >&2
    exit 1
fi
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$BUILD/bench/bench_iface" --repeat "$REPEAT"
