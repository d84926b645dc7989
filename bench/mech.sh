#!/bin/bash
# mech benchmark: a 20 x 20 stack pressure x stripping current map of Li | Li6PS5Cl through the CLI
# (ssbnet iface lithium: database load, CCS and dendrite onset per pressure, 400 contact-fraction runs over 100 h;
# target < 1 s), the contact scan of 20 pressures (ssbnet iface contact), medians of REPEAT runs (default 5), and
# once the volume-change update of a 128^3 cathode with re-analysis and ionic + electronic transport (bench_mech;
# the unchanged ionic field of a shrinkage reuses the original's result; target < 10 s).
#
#   bash bench/mech.sh [BUILD_DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-${BUILD:-$ROOT/build-bench}}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
REPEAT=${REPEAT:-5}
mkdir -p "$BUILD"
if ! { cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release && cmake --build "$BUILD" -j2 --target ssbnet_cli bench_mech; } \
    >"$BUILD/bench_mech_build.log" 2>&1; then
    tail -30 "$BUILD/bench_mech_build.log"
    echo "bench/mech.sh: build failed (log: $BUILD/bench_mech_build.log)" >&2
    exit 1
fi
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
P=$(seq -s, 0.5 0.5 10)
J=$(awk 'BEGIN{for (k = 0; k < 20; k++) printf "%s%.4g", (k ? "," : ""), 0.01 * 1000^(k/19)}')
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
run() { # label target_s cmd...
    local label="$1" target="$2"
    shift 2
    local t
    t=$(for _ in $(seq "$REPEAT"); do
        s=$(date +%s.%N)
        "$@" >/dev/null
        e=$(date +%s.%N)
        echo "$e - $s" | bc -l
    done | median)
    printf "%-48s %8.3f s  (target < %s s)\n" "$label" "$t" "$target"
}
run "iface lithium 20 x 20 map" 1 "$BUILD/ssbnet" iface lithium --electrolyte Li6PS5Cl --pressure-MPa "$P" \
    --current-mA-cm2 "$J" --json --quiet
run "iface contact 20 pressures" 1 "$BUILD/ssbnet" iface contact --material Li6PS5Cl --pressure-MPa "$P" --json --quiet
"$BUILD/bench/bench_mech" 128
