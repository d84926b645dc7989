#!/bin/bash
# Transport benchmark: prints the figures of the transport module (not a test; takes several minutes).
#
#   bash bench/transport.sh [BUILD_DIR]
#
# Environment: REPEAT (runs per case, medians reported; default 3), REPEAT500 (runs per axis of the 500^3
# volume; default 1), SKIP_HYPRE=1 to skip the hypre baseline, SSB_REF_DIR (default tests/reference), SSB_REF_500
# (the TauFactor 500^3 volume, .zip or unzipped .tiff; not in the repository: download TF-500x500x500-1x2x6-v3.tiff.zip
# from https://github.com/tldr-group/taufactor, docs/paper/, see tests/reference/PROVENANCE.md; without it the
# 500^3 parts are skipped with that message).
# Timings are wall-clock seconds of ssb_transport_solve (percolation analysis + set-up + solve, image reading
# excluded). The machine is shared by other engineers: the numbers are noisy, hence the medians.
#
# 2026-12-03 15:00, the variational stopping rule (gmg.c; tau from the dissipated power E = I_in - r.x, stop when the
# tail estimate of E's decrease <= 0.1 rtol E and the residual <= sqrt(rtol)): electrode.tiff pore z 10 iterations
# instead of 19, tau 3.2e-10 off the converged value (the residual rule: 3e-9). Interleaved with main's binary (same
# source before the rule), load 2.8-10 from the other developers, 2 threads: bench_transport medians of 3, two
# rounds: main 2.68 / 5.25 s wall (4.97 / 5.28 s CPU), new 1.83 / 3.62 s wall (3.42 / 3.64 s CPU); the CLI
# (`micro transport electrode.tiff --phase 0 --axis z`, TIFF read included, 3 interleaved runs at load 6-10): main
# 11.15 / 11.01 / 11.87 s wall (5.25 s CPU median), new 7.36 / 6.83 / 9.74 s wall (3.60 s CPU median): ~31 % less
# CPU. From main's 3.0 s quiet that projects to ~2.0 s: the 1.5 s target is still NOT reached. Profile of the new
# solve (perf, 1 thread, 10 iterations): iterations ~55 % (exact level-0 operator in double 9.8 %, level-0 float
# sweeps and transfers ~24 %, coarse levels ~17 %), gmg set-up ~20 % (coarse aggregation 9 %, level 0 4 %,
# renumbering 1.7 %, first-touch page faults ~4 %), percolation analysis and histogram ~5 %; what remains to win
# is in the set-up and the per-iteration passes, not in the number of iterations.
# Before (issue 13 speed target, electrode.tiff < 1.5 s: NOT reached). Quiet machine (load 0.3-0.8, measured
# by the lead at 11:30 before the K-cycle change below): 2.27 s median of 3 (set-up 0.29-0.36 s, 15 iterations
# 1.92 s), 38.7 B/voxel. Profile of `ssbnet micro transport electrode.tiff --phase 0 --axis z --threads 1` (perf
# record, 17.4 k samples): iterations 71 % (level-0 exact operator in double 15 %, level-0 float sweeps, restriction,
# prolongation and vector updates 34 %, coarse levels 22 %), gmg set-up 11 %, percolation and phase map 4.5 %,
# page faults 5 %; the TIFF read does not show. [13:35, lead: the skipped second coarse steps below were taken back,
# since they left tau at rtol 1e-8 6.5e-8 off along z; the stop also asks the inlet current to have settled to rtol:
# 19 iterations, 3.01 s median of 3 at load 2.2, tau within 3e-9 of the converged value.] The K-cycle skipped its
# second step below level 1 when the first one
# reduced the residual to half (coarse work 61.5 -> 54.9 M unknown-sweeps, 648 -> 176 coarsest solves, 15
# iterations as before). At load 9.7-14, electrode.tiff z, interleaved rounds of medians of 3 (bench_transport's
# cpu column, user + system of the solve): 2 threads, before 4.90 / 4.99 s CPU (11.7 / 15.5 s wall), after 4.35 /
# 4.84 s CPU (11.1 / 13.9 s wall); 1 thread (no spinning partner): before 4.25 3.82 4.33 4.24 s, after 4.16 4.00
# 4.78 4.56 4.18 4.10 s CPU -- the difference is inside the load's noise. At load 5.6-5.8 (12:52), interleaved
# medians of 3, 2 threads: before 5.38 / 5.14 s wall (4.48 / 5.04 s CPU), after 4.90 / 4.94 s (4.60 / 4.72 s). Along x the front end's copy of the
# phase map into the local frame read one byte per cache line: tiled now, 4.0 % -> 1.7 % of an electrode.tiff x
# solve (perf, 1 thread; more on a 500^3 image, whose planes do not stay in the cache). Tried and dropped: 2 MiB transparent
# huge pages for the solver arrays (no gain: CPU of the iterations 3.1-3.8 s with vs 3.1-3.8 s without, 3 rounds);
# SIMD (omp simd / AVX2 / AVX-512) of the stored level-0 sweeps: gcc 12 does not vectorise the 6-index gathers,
# and gathers are not faster than scalar loads on this AMD EPYC; what remains is a dense (per-voxel, colour-split
# rows) level-0 layout whose sweeps need no index loads, a larger rewrite.
# Earlier (gmg, 2 threads, SKIP_HYPRE=1 REPEAT=5, load average 1.6-1.9 from other engineers' jobs):
#   1. electrode.tiff: 3.6 s median of 5 (3.2-3.6 s), 15 iterations, tau 2.077242, 90 B/unknown, 0.72 GB peak
#      (before the split aggregates / fused passes / thread team / parallel through-mask: 8.1 s median of 5 at
#      load 2.1, 28 iterations, runs interleaved with the new code; earlier 6.7 s quiet, 16.5 s under load)
#   2. 500^3, three axes: 13.8 + 11.2 + 11.5 = 36.5 s, 10/10/11 iterations, peak RSS 3.7 GB (before: 65.6 s at
#      load 1.8, 13/12/13 iterations)
#   3. 64^3 .. 256^3 corners: 0.047 / 0.095 / 0.22 / 0.70 / 1.74 s, exponent p = 0.88 (before: 256^3 3.6 s)
#   At load 0.8-1.0 the electrode took 2.8-3.3 s. With one busy-loop process started beside it, ~5.3 s on 2 threads
#   and ~6.0 s on 1 (--threads 1); with two such processes ~6.7 s and ~7.3 s.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-${BUILD:-$ROOT/build-bench}}
REF=${SSB_REF_DIR:-$ROOT/tests/reference}/microstructure
REPEAT=${REPEAT:-3}
REPEAT500=${REPEAT500:-1}
DATA=$ROOT/bench/data
TF500=$DATA/TF-500x500x500-1x2x6-v3.tiff

mkdir -p "$BUILD"
if ! { cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release && cmake --build "$BUILD" -j2 --target bench_transport ssbnet_cli; } \
    >"$BUILD/bench_build.log" 2>&1; then
    tail -30 "$BUILD/bench_build.log"
    echo "bench/transport.sh: build failed (log: $BUILD/bench_build.log)" >&2
    exit 1
fi
B=$BUILD/bench/bench_transport
SRC500=${SSB_REF_500:-$REF/taufactor/TF-500x500x500-1x2x6-v3.tiff.zip}
HAVE500=1
if [ ! -f "$SRC500" ]; then
    HAVE500=0
elif [[ "$SRC500" == *.zip ]]; then
    mkdir -p "$DATA"
    [ -f "$TF500" ] || unzip -o -q "$SRC500" -d "$DATA"
else
    TF500=$SRC500
fi
echo "machine: $(nproc) cores, $(grep MemTotal /proc/meminfo | awk '{printf "%.1f GB", $2/1048576}'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "OMP_NUM_THREADS=${OMP_NUM_THREADS:-default}"

echo
echo "== 1. TauFactor electrode.tiff, pore phase (label 0), flux along z, rtol 1e-8"
echo "   reference: tau 2.0776 (TF2), 2.077242 (independent); TF2 on this 2-core machine ~146 s -> target < 14.6 s"
"$B" "$REF/taufactor/electrode.tiff" --label 0 --axis z --backend gmg --repeat "$REPEAT"
if [ "${SKIP_HYPRE:-0}" != 1 ]; then
    "$B" "$REF/taufactor/electrode.tiff" --label 0 --axis z --backend hypre --repeat 1 || true
fi

# Synthetic cathodes (no download needed): the solid electrolyte (label 1, volume fraction 0.32, close to the
# 0.30 of TauFactor's 500^3 volume) of 'ssbnet micro generate --kind cathode' structures, stored (lean 0) and lean
# (lean 1) level 0 side by side; the 768^3 volume (4.5e8 voxels) is the 256^3 one mirrored 3 x 3 x 3 times
# (bench_transport --tile 3) and runs only when `free` reports enough memory (SKIP768=1 skips it).
# Last measured (2026-12-03, 1 run each, load average 6-21 from other engineers' jobs on the 2 cores: the times
# are not comparable with quiet runs, the memory is):
#   electrode.tiff: 15 iterations, tau 2.077242 both ways; solver 38.7 bytes per voxel stored, 25.9 lean; CPU time
#     (perf stat task-clock, whole program) 5.9 s stored vs 10.0 s lean; triad 3.1-5.7 GB/s under that load;
#     at load 6.5-7.7, two interleaved rounds, medians of 3: main 10.7 / 11.7 s, stored 8.8 / 12.5 s, lean 9.6 /
#     25.5 s; triad 7.9-19.7 GB/s; iterations 8.3x (stored) and 25x (lean) the one-pass bandwidth bound
#   synthetic 256^3 cathode, solid electrolyte (VF 0.32): 17 iterations, tau 2.944348 both ways; 29.0 vs 20.0
#     bytes per voxel
#   768^3 (that cathode mirrored 3x3x3), auto = lean: 17 iterations, tau 2.944348, 19.7 bytes per voxel, peak RSS
#     10.7 GiB (target 16 GiB); 1349 s wall but 203 s CPU (the process got ~15 % of the 2 cores at load 17-20)
synthetic() {
    local N=$1
    local F=$DATA/cathode$N.raw
    mkdir -p "$DATA"
    [ -f "$F" ] || "$BUILD/ssbnet" micro generate --kind cathode --size "$N" --seed 3 -o "$F" --quiet >/dev/null
    echo "$F"
}
echo
echo "== 1b. synthetic cathode 256^3, solid electrolyte (label 1), z: stored vs lean level 0"
C256=$(synthetic 256)
"$B" "$C256" --label 1 --axis z --backend gmg --repeat "$REPEAT" --lean 0 | grep -E '^(median|bandwidth)'
"$B" "$C256" --label 1 --axis z --backend gmg --repeat "$REPEAT" --lean 1 | grep -E '^(median|bandwidth)'
if [ "${SKIP768:-0}" != 1 ]; then
    echo
    echo "== 1c. 768^3 (4.5e8 voxels): the synthetic 256^3 cathode mirrored 3x3x3, solid electrolyte, z, lean level 0"
    echo "   target: solved within 16 GiB"
    AVAIL=$(awk '/MemAvailable/ {printf "%d", $2 / 1048576}' /proc/meminfo)
    if [ "$AVAIL" -ge 13 ]; then
        "$B" "$C256" --label 1 --axis z --backend gmg --repeat 1 --lean 1 --tile 3 | grep -E '^(image|median|bandwidth)'
    else
        echo "   SKIPPED: $AVAIL GiB available (needs 13)"
    fi
fi

if [ "$HAVE500" = 0 ]; then
    echo
    echo "== 2. synthetic cathode 500^3 (instead of TauFactor's volume), solid electrolyte, three axes, REPEAT500 runs"
    C500=$(synthetic 500)
    for L in 0 1; do
        echo "   lean $L:"
        "$B" "$C500" --label 1 --axis all --backend gmg --repeat "$REPEAT500" --lean "$L" | grep -E '^(median|bandwidth)'
    done
    echo
    echo "== 3.-4. SKIPPED: the TauFactor 500^3 volume is not at $SRC500. It is not part of the repository:"
    echo "   download TF-500x500x500-1x2x6-v3.tiff.zip from https://github.com/tldr-group/taufactor (docs/paper/,"
    echo "   commit fb6454851241247e780e20056845c94c42e4c4fd) and set SSB_REF_500 to the .zip or the unzipped .tiff."
    exit 0
fi

echo
echo "== 2. TauFactor JOSS 500^3 volume (label 255 conducts, VF 0.30), three axes, gmg, rtol 1e-8"
echo "   reference (TF2 over-converged): 1.1513 / 1.3905 / 4.2431; target < 120 s in total, peak < 12 GB"
OUT500=$(mktemp)
"$B" "$TF500" --label 255 --axis all --backend gmg --repeat "$REPEAT500" | tee "$OUT500"
awk '/^median axis/ {
        ax = $3; sub(":", "", ax); tau = $5; wall = $7; total += wall;
        best = ""; err = 1e9;
        n = split("1.1513 1.3905 4.2431", refs, " ");
        for (i = 1; i <= n; i++) { e = (tau - refs[i]) / refs[i]; if (e < 0) e = -e; if (e < err) { err = e; best = refs[i] } }
        printf "   axis %s: tau %.4f -> TF2 value %s (%.3f %% off)%s\n", ax, tau, best, 100 * err, err <= 0.005 ? "" : "  OUTSIDE 0.5 %";
     }
     /VmHWM/ { for (i = 1; i <= NF; i++) if ($i == "VmHWM") hwm = $(i + 1) }
     END { printf "   total wall of the three axes (medians): %.1f s (target < 120 s); peak RSS %s GB (target < 12 GB)\n", total, hwm }' "$OUT500"
rm -f "$OUT500"

echo
echo "== 3. time vs voxel count: corner sub-volumes N^3 of the 500^3 volume, flux along z (median of $REPEAT)"
SCAL=$(mktemp)
for N in 64 96 128 192 256; do
    line=$("$B" "$TF500" --label 255 --crop "$N" --axis z --backend gmg --repeat "$REPEAT" | grep '^median')
    wall=$(echo "$line" | awk '{print $7}')
    echo "   N = $N: $line"
    echo "$((N * N * N)) $wall" >>"$SCAL"
done
awk '{ x = log($1); y = log($2); sx += x; sy += y; sxx += x * x; sxy += x * y; n++ }
     END { b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
           printf "   fitted exponent of time ~ voxels^p, 64^3..256^3: p = %.3f (must not exceed 1.15)\n", b }' "$SCAL"
rm -f "$SCAL"

if [ "${SKIP_HYPRE:-0}" != 1 ]; then
    echo
    echo "== 4. hypre (BoomerAMG-PCG) baseline on the 256^3 corner of the 500^3 volume (the full volume does not fit"
    echo "      BoomerAMG into 12 GB), against gmg on the same sub-volume"
    "$B" "$TF500" --label 255 --crop 256 --axis z --backend gmg --repeat "$REPEAT" | grep -E '^median'
    "$B" "$TF500" --label 255 --crop 256 --axis z --backend hypre --repeat 1 | grep -E '^(median|run)' || true
fi
