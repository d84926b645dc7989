#!/bin/bash
# Cell model benchmark: prints the speed figures of the cell module (not a test; about a minute).
#
#   bash bench/cell.sh [BUILD_DIR]
#
# Builds the library (Release) with CMake and compiles bench/bench_cell.c against it with the C compiler directly
# (bench/CMakeLists.txt builds it too once the lines for bench_cell are added there). Environment: REPEAT (runs
# per case, medians reported; default 21). The machine is shared by other engineers: timings are noisy, hence
# the medians.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-${BUILD:-$ROOT/build-bench}}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
REPEAT=${REPEAT:-21}
mkdir -p "$BUILD"
if ! { cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release && cmake --build "$BUILD" -j2 --target ssbnet bench_cell; } \
    >"$BUILD/bench_cell_build.log" 2>&1; then
    tail -30 "$BUILD/bench_cell_build.log"
    echo "bench/cell.sh: build failed (log: $BUILD/bench_cell_build.log)" >&2
    exit 1
fi
B=$BUILD/bench/bench_cell
if [ ! -x "$B" ]; then
    B=$BUILD/bench_cell_direct
    LIBS="-lsundials_ida -lsundials_sunlinsolklu -lsundials_sunmatrixsparse -lsundials_nvecserial -lklu"
    LIBS="$LIBS $(pkg-config --libs libcjson libtiff-4 plplot) -llapack -lm"
    HYPRE=$(ls /usr/lib/x86_64-linux-gnu/libHYPRE*.so 2>/dev/null | head -1 || true)
    ${CC:-cc} -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -I"$ROOT/include" -I"$ROOT/tests" "$ROOT/bench/bench_cell.c" \
        "$BUILD/libssbnet.a" $LIBS -fopenmp ${HYPRE:+$HYPRE $(pkg-config --libs ompi-c 2>/dev/null || echo -lmpi)} \
        -o "$B"
fi
echo "machine: $(nproc) cores, $(grep MemTotal /proc/meminfo | awk '{printf "%.1f GB", $2/1048576}'), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$B" --repeat "$REPEAT"
