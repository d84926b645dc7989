#!/bin/bash
# design optimise benchmark (issue 12: "an optimisation over 4 variables under 10 minutes"): through the CLI,
#   1. fast path (the cell's Bruggeman relations): cathode thickness, CAM volume fraction, separator thickness and
#      stack pressure under critical_stripping_current_mA_per_cm2>=1 at 1C (256-design grid + COBYLA + the
#      sensitivities), median of REPEAT runs (default 3);
#   2. the same 4 variables with each design's microstructure generated, analysed and solved (--micro; a 32 x 32
#      voxel cross-section through the 60 um thickness, 2-point grid + 12 COBYLA steps), once.
# Prints wall time (median), evaluations and peak memory (max RSS, /usr/bin/time) of each; target < 600 s.
#
#   bash bench/design_opt.sh [BUILD_DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-${BUILD:-$ROOT/build-bench}}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
REPEAT=${REPEAT:-3}
mkdir -p "$BUILD"
if ! { cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release && cmake --build "$BUILD" -j2 --target ssbnet_cli; } \
    >"$BUILD/bench_design_opt_build.log" 2>&1; then
    tail -30 "$BUILD/bench_design_opt_build.log"
    echo "bench/design_opt.sh: build failed (log: $BUILD/bench_design_opt_build.log)" >&2
    exit 1
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
echo "machine: $(nproc) cores, $(grep MemTotal /proc/meminfo | awk '{printf "%.1f GB", $2/1048576}'), load $(cut -d' ' -f1-3 /proc/loadavg)"
VARS="positive.thickness_um=40:200,positive.active_volume_fraction=0.45:0.75,separator.thickness_um=10:60"
VARS="$VARS,stack_pressure_MPa=0.5:5"
CONS="critical_stripping_current_mA_per_cm2>=1"
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
# one run: wall seconds and max RSS [kB] into $T/w, $T/m; the JSON into $T/j
one() {
    /usr/bin/time -f "%e %M" -o "$T/tm" "$@" >"$T/j"
    cut -d' ' -f1 "$T/tm" >>"$T/w"
    cut -d' ' -f2 "$T/tm" >>"$T/m"
}
report() { # label
    local w m n f
    w=$(median <"$T/w")
    m=$(sort -g "$T/m" | tail -1)
    n=$(grep -E '"evaluations":' "$T/j" | sed -E 's/[^0-9]//g')
    f=$(grep -E '"objective":' "$T/j" | head -1 | sed -E 's/.*:[[:space:]]*//; s/,$//')
    printf "%-44s %8.2f s  %5s designs  peak %6.1f MB  objective %s Wh/kg  (target < 600 s)\n" "$1" "$w" "$n" \
        "$(echo "$m / 1024" | bc -l)" "$f"
    rm -f "$T/w" "$T/m"
}
for _ in $(seq "$REPEAT"); do
    one "$BUILD/ssbnet" design optimise --vary "$VARS" --constraint "$CONS" --rate 1 --json --quiet
done
report "4 variables, Bruggeman cell (median of $REPEAT)"
"$BUILD/ssbnet" cell defaults | sed 's/"size_voxels":[[:space:]]*96/"size_voxels": 32/' >"$T/cell32.json"
one "$BUILD/ssbnet" design optimise "$T/cell32.json" --micro --grid 2 --max-evals 12 --vary "$VARS" \
    --constraint "$CONS" --rate 1 --json --quiet
report "4 variables, microstructure of each design"
