#!/usr/bin/env bash
# Impedance benchmarks: CNLS fit (target < 10 ms median) and DRT (target < 200 ms median).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
cmake --build "$BUILD" --target bench_eis -j2 >/dev/null
OMP_NUM_THREADS=1 "$BUILD/bench/bench_eis" 31
