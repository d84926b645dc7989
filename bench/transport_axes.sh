#!/usr/bin/env bash
# Three axes with one transport set-up vs three independent solves, and repeated solves with new conductivities on
# one transport object vs fresh solves (issue 9; program bench/transport_axes.c).
#
# usage: bench/transport_axes.sh [BUILD_DIR]
# Environment: SSB_REF_500 = the TauFactor 500^3 volume (TIFF, label 255 conducts). When unset, the copy of
# $SSB_REF_DIR/microstructure/taufactor/TF-500x500x500-1x2x6-v3.tiff.zip is unzipped into bench/data/ if that zip
# exists; otherwise the 500^3 case is skipped with a message. REPEAT (runs per variant, medians; default 3),
# REPEAT500 (runs of the 500^3 volumes; default 1), SKIP500=1 (skip the synthetic 500^3 cathode).
# Cases: electrode.tiff (pore, 7.5 M unknowns), the 256^3 corner of the 500^3 volume, the full 500^3 volume
# (about 40 s per variant and run; the object holds one hierarchy at a time, peak ~4 GB).
#
# Figures. Current (lead, quiet, 2026-12-03 18:59, load 0.5-1.7, 2 threads, merged main, three runs):
#   `ssbnet micro transport cathode500.raw --phase 1 --axis all` (one labelling, the phase maps read from the
#   components) 26.04 s wall median (25.94-26.11), 47.5 s user CPU, 4.39 GB peak, 11 / 11 / 12 iterations (issue 13
#   target < 20 s: NOT reached). Before (15:56, load 1.5): 32.3 s wall, 61.5 s CPU; under load (branch fast3,
#   interleaved, load 3.6-5.3): 52.3 s CPU against 60.2 s (-13 %).
#   Previous release (quiet, load 1.8-2.2): independent 50.2 s wall / 94.7 s CPU, one set-up 46.8 s / 89.5 s.
#   Branch fast4 (2026-12-03 21:00-21:45, load 2-6 from the other developer's jobs: wall times not comparable): the
#   CG search direction in float (4 bytes per unknown less) and the K-cycle's A c in the cycle's last pass, same
#   iterations (300^3 crop along z, bench_transport, 12 runs each interleaved with main's at load 1.1-1.5: iterations
#   1.78 s median against 2.03 s, CPU 4.30 s against 4.79 s); the per-run "phases" line (300^3 crop, seed 3):
#   labelling 0.4 s, per axis set-up 0.4-0.6 s and solve 1.4-1.7 s at load ~2. Issue 13's < 20 s needs one
#   hierarchy / three right-hand sides (see README).
#   Until branch fast5 the object shared the labelling only: the multigrid hierarchy was per axis (the unknowns are
#   numbered plane by plane along the transport axis); new sigma on the object: 500^3 49.4 s fresh vs 2.6 s
#   (0 iterations), quiet.
# Branch fast5 (the shared path: one hierarchy in axis z's frame for the three axes, x and y with their Dirichlet
#   faces across the planes). Quieter hour (2026-12-04 04:54-04:58, load 0.8-1.9), interleaved with main (e92f315)
#   built at the same time, 3 pairs: `ssbnet micro transport cathode500.raw --phase 1 --axis all --json`: main
#   31.36 s wall median (28.76-32.57), 58.9 s CPU (user + sys, 54.8-61.0), 4.05-4.08 GB max RSS; fast5 24.62 s
#   (24.30-29.14), 46.8 s CPU (46.2-53.5), 3.74-3.82 GB: -21 % wall, -21 % CPU. Per axis (JSON time_s, medians): x
#   11.87 -> 11.61 s (the first axis builds the hierarchy either way, with ~3-5 s of 4 KiB page faults), y 7.65 ->
#   5.14 s, z 8.50 -> 5.35 s; the same iterations (11 / 11 / 12), tau equal to 12 digits (2.919193386102,
#   2.911227442959, 2.918172543648). This program on the same volume (04:50, load falling from 3 to 1, one run):
#   one setup 20.58 s (38.3 s CPU) against independent solves 31.58 s (54.9 s CPU); phases: labelling 1.26 s; x
#   set-up 2.33 s, solve 5.69 s; y set-up 0.24 s (the Dirichlet faces moved), solve 5.32 s; z set-up 0.11 s, solve
#   5.63 s. Issue 13's < 20 s for the CLI needs the first axis's page faults gone too (the lead's huge pages in
#   ssbi_malloc): the rest is ~1.5 s of reading and labelling, 2.3 s of one set-up and 3 x ~5.3 s of solves.
#   electrode.tiff --phase 0 --axis all (04:58, load 1.6-1.7): main 4.32 s wall median (4.31-4.37), 8.2 s CPU;
#   fast5 3.82 s (3.75-3.84), 7.2 s CPU (-12 % wall, -13 % CPU); 0.68-0.69 instead of 0.73-0.74 GB max RSS. One
#   axis (--axis z) is not affected: 2.22 / 2.23 s.
#   Under load (04:32-04:39, load 4.1-5.7 from the other developer's jobs, wall times ~2x, 3 pairs): 500^3 main
#   60.98 s wall median, 59.6 s CPU; fast5 51.78 s, 50.3 s CPU (-16 % CPU); y 14.4 -> 10.5 s, z 16.1 -> 11.6 s.
#   electrode.tiff: main 9.13 s, 8.9 s CPU; fast5 7.48 s, 7.3 s CPU (-18 %).
# Session 9 (mem1, 2026-12-04): peak memory of the 500^3 three-axes CLI run. Main's binary (/work/main/build, not
#   rebuilt): 3.714 GB max RSS (3714232-3714508 kB, 5 runs); this branch's build of 7b7b798 3.671 GB. Live blocks >= 8
#   MB (LD_PRELOAD trace, bench/memtrace.c): set-up peak 3.59 GB, at the level-1 columns (the level-0 index map, 500
#   MB, and the row pools, 2 x 201 MB, still live); solve peak 3.53 GB (front end 0.57 incl. the grid's labels 0.13
#   and the solution 0.32, hierarchy 2.17 of which level-0 neighbours 0.96, CG r / p / q 0.32 + 0.16 + 0.32). The
#   component ids (0.5 GB) are freed before the build and the CG already iterates in the front end's solution buffer,
#   so no candidate reaches 2.7 GB: the solve's live set alone is 3.5 GB. Tried: (a) the index map freed after the row
#   pass, before the columns: live peak 3.59 -> 3.49 GB, but max RSS 3.817 GB (vs 3.671 for this build, 3.714 main; same
#   tau and iterations): the CLI's large blocks come from glibc's brk heap, the columns fill the index map's hole and
#   the CG vectors then extend the break (3.65 -> 3.74 GB of heap); (b) (a) with the index maps and row pools in
#   mmap'ed blocks of their own: 3.800 GB, sys 6.7 s instead of 1.2-1.6 s, 23.2 s wall (fresh pages every level); (c)
#   kept: (a) with finalize_level's renumbered columns copied back into the level's own arrays (they stay in the index
#   map's hole, the row pools' hole is left whole for the CG vectors). Same build, 3 interleaved runs each
#   (13:05-13:08, with main's binary): max RSS 3.671 -> 3.621 GB (-50 MB; main's own build 3.714), wall median 21.42
#   -> 20.91 s, user + sys median 39.9 -> 39.4 s; tau and iterations identical (2.919193386101791 / 2.9112274429589466
#   / 2.918172543647954, 11 / 11 / 12). electrode.tiff --label 0 --axis z (bench_transport --repeat 5, same build, 3
#   interleaved pairs, loaded machine): median wall 1.648 / 1.663 / 1.384 s before, 1.675 / 1.352 / 1.399 s after,
#   37.3 B/voxel either way, tau 2.077242, 10 iterations (its peak is elsewhere). Going lower needs a smaller solve
#   set (level-0 neighbours 24 B per unknown, the double r / q), not set-up ordering.
# Session 9 (lead, 2026-12-04, main after the mem1 merge): one-phase operator diagonal from a count table, renumbering
#   without branches or copy back, Dirichlet lists from the nearer row end, branch-free labelling: this program's
#   one set-up 16.93 s against 18.66 s (labelling 0.65 s; x set-up 1.89 s, solve 4.66 s; y 0.13 + 4.61 s; z 0.07 +
#   4.93 s); the CLI 18.50 / 19.02 s warm against 21.07 / 20.87 s for 7b7b798 (interleaved, load 1.5-2), tau and
#   iterations bit-identical; a cold run (sys 6-8 s) 21.5-25 s.
# Session 11 (lead, 2026-12-04 19:06, load ~2): TauFactor's 500^3 benchmark volume itself (label 255, VF 0.30, 37.5 M
#   unknowns; from $SSB_REF_DIR/.../TF-500x500x500-1x2x6-v3.tiff.zip), `ssbnet micro transport ... --phase 255 --axis all`:
#   15.55 s wall cold (sys 7.4 s), 12.28 / 12.38 s warm, 7 / 7 / 8 iterations, tau 1.390526 / 1.151271 / 4.243086, max
#   RSS 3.27 GB: issue 13's < 20 s holds there cold and warm; the synthetic cathode above is the harder case.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-${BUILD:-$ROOT/build-bench}}
REF=${SSB_REF_DIR:-$ROOT/tests/reference}/microstructure
REPEAT=${REPEAT:-3}
mkdir -p "$BUILD"
if ! { cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release && cmake --build "$BUILD" -j2 --target transport_axes ssbnet_cli; } \
    >"$BUILD/bench_build.log" 2>&1; then
    tail -30 "$BUILD/bench_build.log"
    echo "bench/transport_axes.sh: build failed (log: $BUILD/bench_build.log)" >&2
    exit 1
fi
B=$BUILD/bench/transport_axes
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), OMP_NUM_THREADS=${OMP_NUM_THREADS:-default}"

if [ -f "$REF/taufactor/electrode.tiff" ]; then
    echo "== electrode.tiff, pore phase (label 0)"
    "$B" "$REF/taufactor/electrode.tiff" --label 0 --repeat "$REPEAT"
else
    echo "== electrode.tiff not found under $REF/taufactor: skipped"
fi

TF500=${SSB_REF_500:-}
if [ -z "$TF500" ] && [ -f "$REF/taufactor/TF-500x500x500-1x2x6-v3.tiff.zip" ]; then
    TF500=$ROOT/bench/data/TF-500x500x500-1x2x6-v3.tiff
    if [ ! -f "$TF500" ]; then
        mkdir -p "$ROOT/bench/data"
        unzip -o -q "$REF/taufactor/TF-500x500x500-1x2x6-v3.tiff.zip" -d "$ROOT/bench/data"
    fi
fi
if [ -n "$TF500" ] && [ -f "$TF500" ]; then
    echo "== 256^3 corner of the 500^3 volume (label 255)"
    "$B" "$TF500" --label 255 --crop 256 --repeat "$REPEAT"
    echo "== the 500^3 volume (label 255)"
    "$B" "$TF500" --label 255 --repeat "${REPEAT500:-1}"
else
    echo "== TauFactor 500^3 volume: set SSB_REF_500 to the TIFF (not found: '${SSB_REF_500:-unset}'); skipped"
fi
# the synthetic 500^3 cathode of bench/transport.sh (no download; about 5 min per run on a quiet machine),
# its solid electrolyte; SKIP500=1 skips it
if [ "${SKIP500:-0}" != 1 ]; then
    C500=$ROOT/bench/data/cathode500.raw
    mkdir -p "$ROOT/bench/data"
    [ -f "$C500" ] || "$BUILD/ssbnet" micro generate --kind cathode --size 500 --seed 3 -o "$C500" --quiet >/dev/null
    echo "== synthetic 500^3 cathode (micro generate --kind cathode --size 500 --seed 3), solid electrolyte (label 1)"
    "$B" "$C500" --label 1 --repeat "${REPEAT500:-1}"
fi
