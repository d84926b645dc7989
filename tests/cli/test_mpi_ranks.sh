#!/usr/bin/env bash
# mpirun of the distributed commands on inputs of other shapes than test_mpi.sh's (issue 13): a phase that does not
# percolate, labels absent from the first plane at -n 1, one rank failing alone, --classify over ranks, an image
# too large for the ranks' memory. Usage: test_mpi_ranks.sh SSBNET_BINARY REF_DIR. Skipped (exit 0 with a message)
# without mpirun or python3.
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
# same_json SERIAL MPI [KEY...]: the JSON equal to the serial command's but for the keys of the run itself (time,
# memory), "ranks" and the KEYs given; numbers to 1e-9 relative (the solvers stop at a tolerance)
same_json() {
  python3 - "$@" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
skip = {"time_s", "solver_bytes", "ranks"} | set(sys.argv[3:])
def same(x, y):
    if isinstance(x, dict):
        return isinstance(y, dict) and set(x) - skip == set(y) - skip and all(same(x[k], y[k]) for k in set(x) - skip)
    if isinstance(x, list):
        return isinstance(y, list) and len(x) == len(y) and all(same(u, v) for u, v in zip(x, y))
    if isinstance(x, float) and isinstance(y, (int, float)) and not isinstance(y, bool):
        return abs(x - y) <= 1e-9 * max(abs(x), abs(y))
    return x == y
sys.exit(0 if same(a, b) else 1)
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
# -n 1 runs the distributed path too, which reads only the first plane for the phase table: label 1 absent from the
# first plane (all 0) of a 4x4x4 image was refused ("label 1 is not in the image", exit 8) though the serial command
# and -n 2 accept it; the labels come from all planes now, tau = the serial one
python3 -c "import sys; sys.stdout.buffer.write(bytes([0]*16 + ([1,1,0,1]*4)*3))" > "$T/late.raw"
L=(--raw-dims 4,4,4 --raw-dtype uint8 --phase 1 --axis y --json --quiet)
expect_rc "serial, label 1 only after the first plane" 0 "$BIN" micro transport "$T/late.raw" "${L[@]}"
mv "$T/out" "$T/late1.json"
expect_rc "mpirun -n 1, label 1 only after the first plane" 0 "${MPI[@]}" -n 1 "$BIN" micro transport "$T/late.raw" "${L[@]}"
same_json "$T/late1.json" "$T/out" iterations rel_residual flux_mismatch current_in_A current_out_A reason backend \
  tau_rel_error_est && ok "-n 1: JSON = serial" || bad "-n 1: $(diff "$T/late1.json" "$T/out" | head -6)"
# one rank failing alone before the distributed work (a file missing on its node, an option it does not take:
# mpirun's "A : B" form gives ranks other arguments): every rank stops with that rank's exit status and rank 0 says
# which rank and why, once; it hung in the first collective call (timeout 120: exit 124)
M1=(timeout 120 mpirun --allow-run-as-root --oversubscribe -x OMP_NUM_THREADS)
fails_alone() { # NAME EXIT MESSAGE_PART -- rank 0's arguments -- rank 1's arguments
  local name="$1" want="$2" part="$3"
  shift 4
  local a=() b=()
  while [ "$1" != "--" ]; do a+=("$1"); shift; done
  shift
  b=("$@")
  expect_rc "$name" "$want" "${M1[@]}" -n 1 "$BIN" "${a[@]}" : -n 1 "$BIN" "${b[@]}"
  [ "$(grep -c "^ssbnet: error: MPI rank 1 of 2: .*$part" "$T/err")" = "1" ] && ok "$name: rank 0 names rank 1 and why" \
    || bad "$name: stderr: $(head -c 400 "$T/err")"
  [ -s "$T/out" ] && bad "$name: output on stdout" || ok "$name: no output"
}
fails_alone "transport, image missing on rank 1" 5 "none.raw" -- micro transport "$T/slab.raw" "${RAW[@]}" --phase 1 \
  --json -- micro transport "$T/none.raw" "${RAW[@]}" --phase 1 --json
fails_alone "transport, bad option on rank 1" 2 "--bogus" -- micro transport "$T/slab.raw" "${RAW[@]}" --phase 1 \
  -- micro transport "$T/slab.raw" "${RAW[@]}" --phase 1 --bogus
fails_alone "analyze, bad value on rank 1" 4 "--conn" -- micro analyze "$T/slab.raw" "${RAW[@]}" --json \
  -- micro analyze "$T/slab.raw" "${RAW[@]}" --conn 7 --json
fails_alone "cell rates, bad rate on rank 1" 7 "C-rate 2" -- cell rates --rates 1,2 --json -- cell rates --rates 1,-2 --json
fails_alone "design compare, bad option on rank 1" 2 "--bogus" -- design compare --size 16 --strategies sintering \
  --json -- design compare --size 16 --strategies sintering --bogus --json
# after the front end's checks: label 9 is not in the image on rank 1 only (its phase list)
fails_alone "transport, phase absent on rank 1" 8 "label 9" -- micro transport "$T/slab.raw" "${RAW[@]}" --phase 1 \
  -- micro transport "$T/slab.raw" "${RAW[@]}" --phase 9
# --classify over ranks (refused before, exit 2): the CAM classes gathered onto rank 0, the file the serial one byte
# for byte (TIFF, raw + sidecar), 3 and 4 ranks over 12 planes (uneven slabs), current collector at high x
expect_rc "generate a cathode" 0 "$BIN" micro generate --kind cathode --size 32 --seed 11 -o "$T/cat.tif" --quiet
C=(micro analyze "$T/cat.tif" --axis x --cc-side high --no-mc --quiet)
expect_rc "serial --classify" 0 "$BIN" "${C[@]}" --classify "$T/cls1.tif"
sed "s#$T/cls1.tif#CLS#" "$T/out" > "$T/cls1.txt"
expect_rc "serial --classify raw" 0 "$BIN" "${C[@]}" --classify "$T/cls1.raw" --json
for n in 3 4; do
  expect_rc "mpirun -n $n --classify" 0 "${MPI[@]}" -n $n "$BIN" "${C[@]}" --classify "$T/cls$n.tif"
  cmp -s "$T/cls1.tif" "$T/cls$n.tif" && ok "$n ranks: class image = serial, byte for byte" || bad "$n ranks: class image differs"
  sed "s#$T/cls$n.tif#CLS#" "$T/out" | cmp -s - "$T/cls1.txt" && ok "$n ranks: report and 'wrote' line = serial" \
    || bad "$n ranks: report differs: $(sed "s#$T/cls$n.tif#CLS#" "$T/out" | diff - "$T/cls1.txt" | head -4)"
done
expect_rc "mpirun -n 2 --classify raw" 0 "${MPI[@]}" -n 2 "$BIN" "${C[@]}" --classify "$T/cls2.raw" --json
cmp -s "$T/cls1.raw" "$T/cls2.raw" && cmp -s "$T/cls1.raw.json" "$T/cls2.raw.json" && ok "2 ranks: raw classes and sidecar = serial" \
  || bad "2 ranks: raw classes differ"
# stopped by the iteration limit: the serial reason ("max_iter = N reached"; it was "iteration limit reached before
# the stopping rule"), not converged, a warning, exit 0 (--strict: 9, below)
for be in gmg hypre; do
  expect_rc "serial --max-iter 1 --backend $be" 0 "$BIN" micro transport "$T/cat.tif" --phase 1 --max-iter 1 --backend $be --json --quiet
  grep '"reason"' "$T/out" > "$T/reason1"
  expect_rc "mpirun -n 2 --max-iter 1 --backend $be" 0 "${MPI[@]}" -n 2 "$BIN" micro transport "$T/cat.tif" --phase 1 --max-iter 1 \
    --backend $be --json --quiet
  grep '"reason"' "$T/out" | cmp -s - "$T/reason1" && grep -q '"converged":[[:space:]]*false' "$T/out" \
    && ok "$be: $(cat "$T/reason1" | tr -d '\t') as serial" || bad "$be: $(grep reason "$T/out") vs $(cat "$T/reason1")"
done
expect_rc "mpirun -n 2 --max-iter 1 --strict" 9 "${MPI[@]}" -n 2 "$BIN" micro transport "$T/cat.tif" --phase 1 --max-iter 1 --strict
# an image too large for the ranks' memory is refused before it is held in memory: the phase table's pass over
# all planes (before the solver's memory check) read each rank's whole slab at 1 byte per voxel (peak 265 MB per
# rank here); it reads pieces of at most 64 MB now. A sparse 1000 x 1000 x 600 raw file (600 MB of zeros, 300 MB per
# rank), 0.4 GB per rank said available: exit 7 naming the need, each rank's peak resident set below 200 MB
if [ -x /usr/bin/time ] && truncate -s 600000000 "$T/big.raw" 2>/dev/null; then
  cat > "$T/rss.sh" <<'SH'
#!/bin/sh
d=$1; shift
exec /usr/bin/time -f %M -o "$d/rss.$OMPI_COMM_WORLD_RANK" "$@"
SH
  chmod +x "$T/rss.sh"
  expect_rc "sparse 600 MB image, 0.4 GB per rank" 7 "${MPI[@]}" -n 2 -x SSBNET_DIST_MEM_BYTES=400000000 "$T/rss.sh" "$T" \
    "$BIN" micro transport "$T/big.raw" --raw-dims 1000,1000,600 --raw-dtype uint8 --phase 0 --json --quiet
  grep -q "needs about 21.7 GB per rank" "$T/err" && ok "memory message: $(grep -o 'needs about [0-9.]* GB per rank' "$T/err")" \
    || bad "message: $(head -c 300 "$T/err")"
  peak=$(tail -qn1 "$T"/rss.* 2>/dev/null | sort -n | tail -1)
  [ -n "$peak" ] && [ "$peak" -lt 200000 ] && ok "peak per rank ${peak} kB < 200 MB" || bad "peak per rank '${peak}' kB"
  rm -f "$T/big.raw"
fi
finish
