#!/bin/bash
# Distributed transport benchmark (issue 13): peak memory per rank vs the number of ranks (strong scaling, one
# volume), and a weak-scaling table (N ranks, N times the voxels). Not a test; a few minutes on a quiet machine.
#
#   bash bench/dist.sh [BUILD_DIR]
#
# Volumes: random two-phase fields (uint8 noise, --threshold 153: label 0 with P = 0.6, above the site-percolation
# threshold), NX x NY per plane, written as .raw; phase 0 along z at rtol 1e-8. Per rank: peak resident set
# (/usr/bin/time %M, every rank; the max and the mean are printed). Environment: NXY (default 96), NZ (strong
# scaling planes, default 192), RANKS (default "1 2 4"), REPEAT (default 3, medians).
# The distributed solver is hypre's Struct PCG + PFMG (ssb_dist.h); ranks > 1 run the distributed path, 1 rank the
# serial command (gmg), so the 1-rank row is the serial baseline.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-${BUILD:-$ROOT/build}}
BIN=$BUILD/ssbnet
NXY=${NXY:-96}
NZ=${NZ:-192}
RANKS=${RANKS:-"1 2 4"}
REPEAT=${REPEAT:-3}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
MPI=(mpirun --allow-run-as-root --oversubscribe -x OMP_NUM_THREADS=1)
command -v mpirun >/dev/null || { echo "SKIP: mpirun not found"; exit 0; }
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)   $(nproc) cores"

make_volume() { # path nz
  head -c $((NXY * NXY * $2)) /dev/urandom > "$1"
}
median() { sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

run_case() { # path nz ranks -> "time_s tau peak_max_MB peak_mean_MB"
  local path=$1 nz=$2 n=$3 times=() tau= mx=0 mean=0
  for ((r = 0; r < REPEAT; r++)); do
    local t0=$(date +%s.%N)
    "${MPI[@]}" -n "$n" /usr/bin/time -f "RSS %M" -a -o "$T/rss.$r" "$BIN" micro transport "$path" \
      --raw-dims $NXY,$NXY,$nz --raw-dtype uint8 --threshold 153 --phase 0 --axis z --json --quiet > "$T/out"
    local t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc)")
    tau=$(grep '"tau"' "$T/out" | sed -E 's/.*:[[:space:]]*([-0-9.eE+]+).*/\1/')
  done
  local med=$(printf '%s\n' "${times[@]}" | median)
  read mx mean < <(grep -h RSS "$T"/rss.* | awk '{k=$2/1024; if (k>m) m=k; s+=k; c++} END{printf "%.0f %.0f\n", m, s/c}')
  rm -f "$T"/rss.*
  echo "$med $tau $mx $mean"
}

echo
echo "strong scaling: ${NXY}x${NXY}x${NZ} = $((NXY * NXY * NZ)) voxels, medians of $REPEAT (wall s incl. start-up)"
printf "%-6s %-10s %-16s %-18s %-18s\n" ranks "time [s]" "tau" "peak/rank max [MB]" "peak/rank mean [MB]"
make_volume "$T/strong.raw" "$NZ"
for n in $RANKS; do
  read t tau mx mean < <(run_case "$T/strong.raw" "$NZ" "$n")
  printf "%-6s %-10s %-16s %-18s %-18s\n" "$n" "$t" "$tau" "$mx" "$mean"
done

echo
echo "weak scaling: ${NXY}x${NXY}x(64 N) voxels on N ranks, medians of $REPEAT"
printf "%-6s %-12s %-10s %-16s %-18s\n" ranks voxels "time [s]" "tau" "peak/rank max [MB]"
for n in $RANKS; do
  nz=$((64 * n))
  make_volume "$T/weak$n.raw" "$nz"
  read t tau mx mean < <(run_case "$T/weak$n.raw" "$nz" "$n")
  printf "%-6s %-12s %-10s %-16s %-18s\n" "$n" "$((NXY * NXY * nz))" "$t" "$tau" "$mx"
done
