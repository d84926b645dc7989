#!/usr/bin/env bash
# `mpirun -n N ssbnet micro transport` (issue 13): the same JSON as the serial command plus "ranks", tau equal to the
# serial result; bad input under MPI. Usage: test_mpi.sh SSBNET_BINARY REF_DIR. Skipped (exit 0 with a message)
# without mpirun.
BIN="$1"
REF="$2"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
if ! command -v mpirun >/dev/null; then
  echo "SKIP: mpirun not found (openmpi-bin)"
  exit 0
fi
MPI=(mpirun --allow-run-as-root --oversubscribe)
num() { grep -E "\"$1\":" "$T/out" | head -1 | sed -E 's/.*:[[:space:]]*([-0-9.eE+]+).*/\1/'; }
IMG="$REF/microstructure/openimpala/SampleData_2Phase_stack_3d_1bit.tif"

# serial reference at a tight tolerance: the distributed solve must give the same tau to 1e-8 (both at rtol 1e-11)
expect_rc "serial transport" 0 "$BIN" micro transport "$IMG" --phase 0 --axis z --rtol 1e-11 --json --quiet
tau1=$(num tau)
grep -q '"ranks"' "$T/out" && bad "serial JSON must not have ranks" || ok "serial JSON has no ranks"
expect_rc "mpirun -n 2 transport" 0 "${MPI[@]}" -n 2 "$BIN" micro transport "$IMG" --phase 0 --axis z --rtol 1e-11 --json --quiet
tau2=$(num tau)
[ "$(num ranks)" = "2" ] && ok "JSON ranks = 2" || bad "JSON ranks '$(num ranks)'"
grep -q '"backend":[[:space:]]*"gmg-mpi"' "$T/out" && ok "backend gmg-mpi (default)" || bad "backend not gmg-mpi"
awk -v a="$tau1" -v b="$tau2" 'BEGIN{d=(a-b)/a; if (d<0) d=-d; exit !(a > 1 && d <= 1e-8)}' \
  && ok "tau serial $tau1 = 2 ranks $tau2 (1e-8)" || bad "tau serial '$tau1' vs 2 ranks '$tau2'"
# the hypre baseline over 2 ranks, and the distributed solver on 1 rank and 4 (uneven slabs): the same tau
for run in "2 hypre hypre-mpi" "1 auto gmg-mpi" "4 gmg gmg-mpi"; do
  set -- $run
  expect_rc "mpirun -n $1 --backend $2" 0 "${MPI[@]}" -n "$1" "$BIN" micro transport "$IMG" --phase 0 --axis z --rtol 1e-11 --backend "$2" --json --quiet
  grep -q "\"backend\":[[:space:]]*\"$3\"" "$T/out" && [ "$(num ranks)" = "$1" ] && ok "backend $3, ranks $1" || bad "backend/ranks: $(grep -E 'backend|ranks' "$T/out")"
  tauN=$(num tau)
  awk -v a="$tau1" -v b="$tauN" 'BEGIN{d=(a-b)/a; if (d<0) d=-d; exit !(a > 1 && d <= 1e-8)}' \
    && ok "tau serial $tau1 = $3 on $1 ranks $tauN (1e-8)" || bad "tau serial '$tau1' vs $3 on $1 ranks '$tauN'"
done
for k in eps eps_percolating sigma_eff_S_per_m tau_percolating converged iterations; do
  grep -q "\"$k\"" "$T/out" && ok "JSON has $k" || bad "JSON lacks $k"
done

# more ranks than planes: exit 7 naming both, nothing on stdout
printf '\001\001\001\001\001\000\001\001\001\001\001\001\001\001\000\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001\001' > "$T/thin.raw"
expect_rc "3 ranks, 2 planes" 7 "${MPI[@]}" -n 3 "$BIN" micro transport "$T/thin.raw" --raw-dims 4,4,2 --raw-dtype uint8 --phase 1 --json --quiet
grep -q "2 planes" "$T/err" && grep -q "3 MPI ranks" "$T/err" && ok "message names planes and ranks" || bad "message: $(cat "$T/err")"
[ -s "$T/out" ] && bad "partial output on stdout" || ok "no output"
# fields are not gathered over ranks: refused before any work
expect_rc "--vti under MPI" 2 "${MPI[@]}" -n 2 "$BIN" micro transport "$T/thin.raw" --raw-dims 4,4,2 --raw-dtype uint8 --phase 1 --vti "$T/f.vti"
[ -e "$T/f.vti" ] && bad "vti written" || ok "no vti written"
# a missing file: the reader's message once (rank 0), exit 5
expect_rc "missing image under MPI" 5 "${MPI[@]}" -n 2 "$BIN" micro transport "$T/none.tif" --phase 1
[ "$(grep -c "error" "$T/err")" = "1" ] && ok "one error message" || bad "error messages: $(cat "$T/err")"
# a rate sweep shared between 3 ranks: the same JSON as on one process, byte for byte
expect_rc "serial cell rates" 0 "$BIN" cell rates --rates 0.1,0.5,1,2,3 --json --quiet
mv "$T/out" "$T/rates1.json"
expect_rc "mpirun -n 3 cell rates" 0 "${MPI[@]}" -n 3 "$BIN" cell rates --rates 0.1,0.5,1,2,3 --json --quiet
cmp -s "$T/rates1.json" "$T/out" && ok "cell rates over 3 ranks identical to serial" || bad "cell rates differ"
finish
