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
