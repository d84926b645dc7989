#!/bin/bash
# design benchmark (issue 12): `ssbnet design compare` of the built-in default cell (60 um NCM811 | Li6PS5Cl
# composite, 96 x 96 x 150 voxels of 0.4 um) with every available strategy: the baseline's structure is measured
# once and reused by the cell-level strategies, the structure strategies run the chain again, all variants in
# parallel (OpenMP). Target < 2 min on this machine. Median wall time of REPEAT runs (default 3) and the peak
# resident memory of the process (GNU time), and the CPU time (the wall time of a loaded, shared machine overstates
# the cost).
#
#   bash bench/design.sh [BUILD_DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-${BUILD:-$ROOT/build-bench}}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
REPEAT=${REPEAT:-3}
mkdir -p "$BUILD"
if ! { cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release && cmake --build "$BUILD" -j2 --target ssbnet_cli; } \
    >"$BUILD/bench_design_build.log" 2>&1; then
    tail -30 "$BUILD/bench_design_build.log"
    echo "bench/design.sh: build failed (log: $BUILD/bench_design_build.log)" >&2
    exit 1
fi
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
for i in $(seq "$REPEAT"); do
    /usr/bin/time -f "%e %M %U %S" -o "$T/time.$i" "$BUILD/ssbnet" design compare --json --quiet >"$T/cmp.$i.json"
done
wall=$(for i in $(seq "$REPEAT"); do cut -d' ' -f1 "$T/time.$i"; done | median)
cpu=$(for i in $(seq "$REPEAT"); do awk '{print $3 + $4}' "$T/time.$i"; done | median)
mem=$(for i in $(seq "$REPEAT"); do cut -d' ' -f2 "$T/time.$i"; done | sort -g | tail -1)
python3 - "$T/cmp.1.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))["variants"]
measured = sum(1 for x in v if not x.get("reused_structure", False))
print(f"variants: {len(v)} (baseline + {len(v) - 1} strategies; {measured} structures measured, the rest reused)")
for x in sorted(v, key=lambda x: x["rank"]):
    e = x.get("energy_Wh_per_kg")
    print(f"  {x['rank']:2d} {x['name']:<20s} " + (f"{e:7.1f} Wh/kg" if e is not None else x.get("error", "")[:60]))
PY
printf "%-48s %8.1f s  (target < 120 s)\n" "design compare, default cell, all strategies" "$wall"
printf "%-48s %8.1f s  (user + system; wall on an idle machine ~ this / cores)\n" "CPU time" "$cpu"
printf "%-48s %8.0f MiB\n" "peak resident memory" "$(echo "$mem / 1024" | bc -l)"
