#!/usr/bin/env bash
# mpirun of the distributed commands on inputs of other shapes than test_mpi.sh's (issue 13): a phase that does not
# percolate, labels absent from the first plane at -n 1. Usage: test_mpi_ranks.sh SSBNET_BINARY REF_DIR. Skipped
# (exit 0 with a message) without mpirun or python3.
BIN="$1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
if ! command -v mpirun >/dev/null || ! command -v python3 >/dev/null; then
  echo "SKIP: mpirun (openmpi-bin) or python3 not found"
  exit 0
fi
export OMP_NUM_THREADS=1
MPI=(timeout 120 mpirun --allow-run-as-root --oversubscribe -x OMP_NUM_THREADS)
# JSON equal to the serial command's but for the keys of the run itself (time, memory) and "ranks"
same_json() {
  python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
for d in (a, b):
    for k in ("time_s", "solver_bytes", "ranks"): d.pop(k, None)
sys.exit(0 if a == b else 1)
PY
}
# a 12 x 10 x 6 image: label 1 a slab x < 6 (percolates along y and z), label 2 isolated voxels, label 0 the rest
python3 -c "
import sys
sys.stdout.buffer.write(bytes((1 if x < 6 else (2 if (x + y + z) % 5 == 0 else 0)) for z in range(6) for y in range(10) for x in range(12)))
" > "$T/slab.raw"
RAW=(--raw-dims 12,10,6 --raw-dtype uint8)

# a phase that does not percolate: the serial JSON (backend "none", its reason), not the distributed solver's name
expect_rc "serial, label 2 isolated" 0 "$BIN" micro transport "$T/slab.raw" "${RAW[@]}" --phase 2 --json --quiet
mv "$T/out" "$T/np1.json"
expect_rc "mpirun -n 2, label 2 isolated" 0 "${MPI[@]}" -n 2 "$BIN" micro transport "$T/slab.raw" "${RAW[@]}" --phase 2 --json --quiet
same_json "$T/np1.json" "$T/out" && ok "no percolation: JSON = serial (backend none)" \
  || bad "no percolation: $(diff "$T/np1.json" "$T/out" | head -6)"
finish
