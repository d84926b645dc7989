#!/usr/bin/env bash
# Microstructure generator and resolution figures (issue 7 items 9 and 2).
# usage: bench/micro.sh [BUILD_DIR]
#   1. dense cathode compositions up to 80 % CAM in a 120 um x 38 um x 38 um box (300 x 96 x 96 voxels of 0.4 um):
#      achieved fractions, CAM overlap used, generation time (bench_micro_gen)
#   2. the resolution convergence study behind SSB_MICRO_VOXELS_ACROSS* (bench_micro_res; the same spheres at h and
#      h/2): CAM only, then CAM + carbon + pores. A few minutes on 2 cores.
# Recorded figures: README "micro generate" and "micro resolution", src/micro/analysis/resolution.c.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-${BUILD:-$ROOT/build-bench}}
mkdir -p "$BUILD"
if ! { cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release &&
       cmake --build "$BUILD" -j2 --target bench_micro_gen bench_micro_res; } >"$BUILD/bench_build.log" 2>&1; then
    tail -30 "$BUILD/bench_build.log"
    echo "bench/micro.sh: build failed (log: $BUILD/bench_build.log)" >&2
    exit 1
fi
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== 1. dense cathodes"
"$BUILD/bench/bench_micro_gen" 300 96 96 0.4 0.4
echo "== 2a. resolution: CAM 3 um only, box 9.6 um, N voxels across the CAM"
"$BUILD/bench/bench_micro_res" 9.6 3 0 0 16,20,24,28,32
echo "== 2b. resolution: CAM 3 um + carbon 1 um + pores 1.2 um, N voxels across the carbon"
"$BUILD/bench/bench_micro_res" 9.6 3 0.03 0.05 4,6,8,10,12,16
echo "== 3. electrode architecture (issue 12): default cathode 96 x 96 x 150 voxels of 0.4 um (60 um), seed 1,"
echo "      median of 3 generations (ssbnet micro generate)"
cmake --build "$BUILD" -j2 --target ssbnet_cli >>"$BUILD/bench_build.log" 2>&1
arch_case() {
    local name="$1"; shift
    local t ts=()
    for s in 1 2 3; do
        /usr/bin/time -o "$BUILD/arch.time" -f "%e %M" "$BUILD/ssbnet" micro generate --kind cathode \
            --dims 96,96,150 --seed 1 -o "$BUILD/arch.raw" --json --quiet "$@" >/dev/null 2>&1
        ts+=("$(tail -1 "$BUILD/arch.time")")
    done
    printf '%-44s %s\n' "$name" "$(printf '%s\n' "${ts[@]}" | sort -n | sed -n 2p | awk '{printf "%.2f s, %.0f MB peak", $1, $2/1024}')"
}
arch_case "default (SE matrix)"
arch_case "SE particles 2 um (--se-d-um 2)" --se-d-um 2
arch_case "SE particles 5 um (--se-d-um 5)" --se-d-um 5
arch_case "channels 0.2 x 10 um" --channel-fraction 0.2 --channel-d-um 10
arch_case "carbon fibres 10 um" --carbon-shape fibre --fibre-length-um 10
arch_case "bimodal CAM 0.3 at 1.5 um" --cam-small-fraction 0.3 --cam-small-d-um 1.5
arch_case "graded CAM 0.5" --cam-gradient 0.5
arch_case "all of them" --se-d-um 2 --channel-fraction 0.2 --carbon-shape fibre --cam-small-fraction 0.3 \
    --cam-small-d-um 1.5 --cam-gradient 0.5
rm -f "$BUILD/arch.raw" "$BUILD/arch.raw.phases.json" "$BUILD/arch.time"
