#!/usr/bin/env bash
# `mpirun -n N ssbnet design compare|optimise` (issue 13): the variants shared between the ranks, the report the
# one-process one byte for byte (JSON, table, -o DIR), written once by rank 0; messages from rank 0 only (the other
# ranks' stdout and stderr go to /dev/null), so the warnings are the one-process ones, once; `design optimise` over
# 2 and 3 ranks equal to the one-process result (its time aside), bad input refused once; --shard refused under
# mpirun. One thread per process everywhere.
# Usage: test_mpi_design.sh SSBNET_BINARY REF_DIR. Skipped (exit 0 with a message) without mpirun.
BIN="$1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
if ! command -v mpirun >/dev/null; then
  echo "SKIP: mpirun not found (openmpi-bin)"
  exit 0
fi
export OMP_NUM_THREADS=1
MPI=(mpirun --allow-run-as-root --oversubscribe -x OMP_NUM_THREADS)
A=(--size 32 --set positive.thickness_um=30 --strategies thin_separator,sintering,coating)

expect_rc "serial compare --json" 0 "$BIN" design compare "${A[@]}" --quiet --json
cp "$T/out" "$T/serial.json"
expect_rc "serial compare -o" 0 "$BIN" design compare "${A[@]}" -o "$T/sdir"
sed "s#$T/sdir#DIR#" "$T/out" > "$T/serial.txt"
grep -E "^ssbnet: (warning|error)" "$T/err" > "$T/serial.err"
for n in 2 3; do
  expect_rc "mpirun -n $n compare --json" 0 "${MPI[@]}" -n $n "$BIN" design compare "${A[@]}" --quiet --json
  cmp -s "$T/out" "$T/serial.json" && ok "$n ranks: JSON = one-process JSON, byte for byte" \
    || bad "$n ranks: JSON differs: $(diff "$T/out" "$T/serial.json" | head -4)"
done
expect_rc "mpirun -n 2 compare -o" 0 "${MPI[@]}" -n 2 "$BIN" design compare "${A[@]}" -o "$T/pdir"
sed "s#$T/pdir#DIR#" "$T/out" | cmp -s - "$T/serial.txt" && ok "2 ranks: table = one-process table" \
  || bad "2 ranks: table differs"
cmp -s "$T/pdir/compare.json" "$T/sdir/compare.json" && ok "2 ranks: compare.json = one-process" \
  || bad "compare.json differs"
cmp -s "$T/pdir/report.html" "$T/sdir/report.html" && ok "2 ranks: report.html = one-process" \
  || bad "report.html differs"
ls -a "$T/pdir" | grep -q ssbtmp && bad "temporary files left" || ok "no temporary files left"
# messages (not --quiet) from rank 0 only: the one-process warnings once (progress lines aside: when they come
# depends on the machine's load)
grep -E "^ssbnet: (warning|error)" "$T/err" | cmp -s - "$T/serial.err" && ok "2 ranks: warnings = one-process ones" \
  || bad "2 ranks: stderr: $(head -c 600 "$T/err") against $(head -c 300 "$T/serial.err")"
# optimise: the grid and sensitivity designs shared between the ranks, the result the one-process one (but its time)
O=(--vary positive.thickness_um=40:200,separator.thickness_um=10:60 --grid 4 --quiet
   --constraint 'critical_stripping_current_mA_per_cm2>=0.01')
expect_rc "serial optimise --json" 0 "$BIN" design optimise "${O[@]}" --json
grep -v '"time_s"' "$T/out" > "$T/opt1.json"
for n in 2 3; do
  expect_rc "mpirun -n $n optimise --json" 0 "${MPI[@]}" -n $n "$BIN" design optimise "${O[@]}" --json
  grep -v '"time_s"' "$T/out" | cmp -s - "$T/opt1.json" && ok "$n ranks: optimise JSON = one-process (time aside)" \
    || bad "$n ranks: optimise differs: $(grep -v '"time_s"' "$T/out" | diff - "$T/opt1.json" | head -4)"
done
expect_rc "mpirun -n 2 optimise -o" 0 "${MPI[@]}" -n 2 "$BIN" design optimise "${O[@]}" -o "$T/odir"
[ -s "$T/odir/report.html" ] && ok "optimise report written" || bad "no optimise report"
ls -a "$T/odir" | grep -q ssbtmp && bad "temporary files left" || ok "no temporary files left"
expect_rc "optimise under 2 ranks, bad bounds" 7 "${MPI[@]}" -n 2 "$BIN" design optimise --vary positive.thickness_um=90:40
[ "$(grep -c "error" "$T/err")" = "1" ] && ok "one error message" || bad "messages: $(cat "$T/err")"
expect_rc "--shard under mpirun" 2 "${MPI[@]}" -n 2 "$BIN" design compare "${A[@]}" --shard 0/2 --json
finish
