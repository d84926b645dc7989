#!/bin/bash
# Distributed transport benchmark (issue 13): `mpirun -n N ssbnet micro transport` with our own distributed solver
# (gmg-mpi: multigrid K-cycle + flexible CG, src/dist/dist_gmg.c) and the hypre baseline (hypre-mpi: Struct PCG +
# PFMG): tau, iterations, wall time and peak memory per rank. Not a test; minutes on a quiet machine.
#
#   bash bench/dist.sh [BUILD_DIR]
#
# Strong scaling: TauFactor's electrode.tiff (256^3, tests/reference/microstructure/taufactor), pore phase (label 0)
# along z at rtol 1e-8, N = 1, 2, 4 ranks (under mpirun every N runs the distributed code, N = 1 included; no serial
# row: the serial gmg is bench/transport.sh's). Weak scaling: a generated composite cathode (ssbnet micro generate,
# seed 1) of NXY x NXY x (64 N) voxels on N ranks, the solid electrolyte (Li6PS5Cl) along z.
# Per rank: peak resident set (/usr/bin/time %M, every rank; the max and the mean are printed) and bytes per voxel of
# the largest slab. Environment: RANKS (default "1 2 4"), REPEAT (default 1; medians), NXY (default 128),
# BACKENDS (default "gmg hypre"), SECTIONS (default "strong weak"; "vol500": the synthetic 500^3 cathode, below;
# "analyze": micro analyze of electrode.tiff, peak per rank).
# This machine has 2 cores shared with other work, and N = 4 is oversubscribed: wall times are not speed-ups;
# the memory per rank is what scales here.
#
# Figures (2026-12-03 15:10-15:40 UTC, 2 cores under a load of 9-15 from other developers' builds and tests: times
# only indicative; N = 2 and 4 share the 2 cores with each other and that load, so they are not speed-ups; CPU is
# user + system of all ranks; README "MPI"). gmg-mpi with the variational stopping rule, level 1 of connected
# pieces and the lean level 0 (BACKENDS=gmg):
#   strong, electrode.tiff pore z, rtol 1e-8:  ranks  wall    CPU     tau                 iters  peak/rank  B/voxel
#                                              1      38.9 s  15.8 s  2.0772419068264831  12     1024 MB    64
#                                              2      46.9 s  20.4 s  2.0772419068262109  12     529 MB     66
#                                              4      42.6 s  16.9 s  2.077241906826484   12     283 MB     70
#     (converged tau 2.077241908886, rtol 1e-13: 1.0e-9 off; before: 35 iterations, 1524 MB on 1 rank)
#   weak, cathode 128x128x(64 N), rtol 1e-8:  ranks  wall    CPU     tau                 iters  peak/rank
#                                             1      3.2 s   0.9 s   2.850725026939652   11     84 MB
#                                             2      9.9 s   3.9 s   3.0663046748673435  12     88 MB
#                                             4      11.6 s  4.2 s   2.99076597856753    11     90 MB
#     (before, at a load of 15-20: 30 / 30 / 35 iterations, 117 / 122 / 124 MB; hypre-mpi 175 / 272 / 350
#     iterations, 364 / 375 / 389 MB, 90 / 574 / 423 s)
#   vol500 (SECTIONS=vol500 VOL500=.../cathode500.raw), SE along z, default rtol:
#                                             ranks  wall    CPU     tau                 iters  peak/rank  B/voxel
#                                             1      340 s   132 s   2.9181725431790113  14     7291 MB    61
#                                             2      397 s   151 s   2.9181725431825591  14     3673 MB    61
#                                             4      326 s   134 s   2.9181725431534549  14     1861 MB    62
#     serial gmg at rtol 1e-12: tau 2.9181725448994462 (35 iterations, 310 s, 3.86 GB at that load): gmg-mpi
#     5.9e-10 off; the serial gmg's 2.91817228 at the default rtol (before the variational rule) is 9.0e-8 off.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-${BUILD:-$ROOT/build}}
BIN=$BUILD/ssbnet
NXY=${NXY:-128}
RANKS=${RANKS:-"1 2 4"}
REPEAT=${REPEAT:-1}
BACKENDS=${BACKENDS:-"gmg hypre"}
SECTIONS=${SECTIONS:-"strong weak"}
IMG=$ROOT/tests/reference/microstructure/taufactor/electrode.tiff
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
MPI=(mpirun --allow-run-as-root --oversubscribe -x OMP_NUM_THREADS=1)
command -v mpirun >/dev/null || { echo "SKIP: mpirun not found"; exit 0; }
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)   $(nproc) cores"

median() { sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
num() { grep -E "\"$1\":" "$T/out" | head -1 | sed -E 's/.*:[[:space:]]*"?([-0-9.eE+a-z]+)"?.*/\1/'; }

# run_case VOXELS_OF_LARGEST_SLAB N BACKEND ARGS... -> "time_s tau iterations peak_max_MB peak_mean_MB bytes_per_voxel"
# (BACKEND "analyze": micro analyze ARGS instead of micro transport ARGS --backend BACKEND; tau and iterations "-")
run_case() {
  local vox=$1 n=$2 be=$3 times=()
  shift 3
  local cmd=(micro transport "$@" --backend "$be")
  [ "$be" = analyze ] && cmd=(micro analyze "$@")
  for ((r = 0; r < REPEAT; r++)); do
    local t0=$(date +%s.%N)
    "${MPI[@]}" -n "$n" /usr/bin/time -f "RSS %M CPU %U %S" -a -o "$T/rss.$r" "$BIN" "${cmd[@]}" --json --quiet > "$T/out"
    local t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc)")
  done
  local med=$(printf '%s\n' "${times[@]}" | median)
  # peak resident set: max and mean over the ranks; CPU: user + system of all ranks, per run (mean of the repeats)
  read mx mean cpu < <(grep -h RSS "$T"/rss.* | awk -v R="$REPEAT" '{k=$2/1024; if (k>m) m=k; s+=k; c++; u+=$4+$5}
    END{printf "%.0f %.0f %.1f\n", m, s/c, u/R}')
  rm -f "$T"/rss.*
  local tau=$(num tau) it=$(num iterations)
  echo "$med ${tau:--} ${it:--} $mx $mean $(echo "$mx * 1048576 / $vox" | bc) $cpu"
}

header() {
  printf "%-6s %-10s %-9s %-8s %-19s %-6s %-10s %-12s %-12s\n" ranks backend "wall [s]" "CPU [s]" "tau" iters \
    "peak/rank" "mean/rank" "B/voxel"
  printf "%-6s %-10s %-9s %-8s %-19s %-6s %-10s %-12s %-12s\n" "" "" "" "(all)" "" "" "max [MB]" "[MB]" "(max slab)"
}

if [[ " $SECTIONS " == *" strong "* ]]; then
echo
echo "strong scaling: electrode.tiff 256x256x256, pore phase along z, rtol 1e-8 (medians of $REPEAT; wall incl. start-up)"
header
for n in $RANKS; do
  for be in $BACKENDS; do
    vox=$((256 * 256 * ((256 + n - 1) / n)))
    read t tau it mx mean bpv cpu < <(run_case "$vox" "$n" "$be" "$IMG" --phase 0 --axis z --rtol 1e-8)
    printf "%-6s %-10s %-9s %-8s %-19s %-6s %-10s %-12s %-12s\n" "$n" "$be-mpi" "$t" "$cpu" "$tau" "$it" "$mx" "$mean" "$bpv"
  done
done
fi

if [[ " $SECTIONS " == *" weak "* ]]; then
echo
echo "weak scaling: generated cathode ${NXY}x${NXY}x(64 N) on N ranks, Li6PS5Cl along z, rtol 1e-8"
header
for n in $RANKS; do
  nz=$((64 * n))
  "$BIN" micro generate --dims "$NXY,$NXY,$nz" -o "$T/weak$n.tif" --quiet > /dev/null
  for be in $BACKENDS; do
    read t tau it mx mean bpv cpu < <(run_case $((NXY * NXY * 64)) "$n" "$be" "$T/weak$n.tif" --phase Li6PS5Cl --axis z \
      --rtol 1e-8)
    printf "%-6s %-10s %-9s %-8s %-19s %-6s %-10s %-12s %-12s\n" "$n" "$be-mpi" "$t" "$cpu" "$tau" "$it" "$mx" "$mean" "$bpv"
  done
done
fi

# micro analyze over N ranks (SECTIONS=analyze): electrode.tiff with the README's phase map and marching cubes; the
# peak resident set per rank is what should fall about as 1/N (the README's hand-measured 127 / 81 / 55 MB)
if [[ " $SECTIONS " == *" analyze "* ]]; then
echo
echo "micro analyze: electrode.tiff 256x256x256, phase map pore / NCM811 active / CBD carbon, marching cubes"
header
for n in $RANKS; do
  read t tau it mx mean bpv cpu < <(run_case $((256 * 256 * ((256 + n - 1) / n))) "$n" analyze "$IMG" \
    --phase-map '0=pore:pore,85=NCM811:active,170=CBD:carbon')
  printf "%-6s %-10s %-9s %-8s %-19s %-6s %-10s %-12s %-12s\n" "$n" analyze "$t" "$cpu" "$tau" "$it" "$mx" "$mean" "$bpv"
done
fi
# the synthetic 500^3 cathode (bench/data/cathode500.raw + its .json sidecar, made by bench/transport.sh), solid
# electrolyte (label 1) along z: tau against the serial gmg's (TAU500: at rtol 1e-12), iterations, peak per rank;
# each run under `timeout 600` (N = 4 on 2 cores is slow)
if [[ " $SECTIONS " == *" vol500 "* ]]; then
VOL=${VOL500:-$ROOT/bench/data/cathode500.raw}
TAU500=${TAU500:-2.9181725449}
[ -f "$VOL" ] || { echo "SKIP vol500: $VOL not found (set VOL500)"; exit 0; }
echo
echo "500^3 cathode $VOL, solid electrolyte (label 1) along z, default rtol; serial gmg tau $TAU500 (rtol 1e-12)"
header
for n in $RANKS; do
  for be in $BACKENDS; do
    MPI=(timeout 600 mpirun --allow-run-as-root --oversubscribe -x OMP_NUM_THREADS=1)
    read t tau it mx mean bpv cpu < <(run_case $((500 * 500 * ((500 + n - 1) / n))) "$n" "$be" "$VOL" --phase 1 --axis z \
      || echo "- - - - - - -")
    printf "%-6s %-10s %-9s %-8s %-19s %-6s %-10s %-12s %-12s" "$n" "$be-mpi" "$t" "$cpu" "$tau" "$it" "$mx" "$mean" "$bpv"
    awk -v a="$tau" -v b="$TAU500" 'BEGIN{if (a+0 > 0) printf "  rel. to serial %.1e", (a-b)/b; print ""}'
  done
done
fi
