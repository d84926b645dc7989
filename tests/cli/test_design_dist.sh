#!/usr/bin/env bash
# CLI tests of the job-array mode of 'ssbnet design compare' (issue 13): '--shard I/N --json' writes one share as a
# part file, 'design merge' joins the parts (in any order) into exactly the one-process report: the JSON, the table
# and the -o DIR files (compare.json, report.html) byte for byte. One thread per process in every run (the baseline's
# measured structure depends on the thread count in its last bits). Bad input: a malformed or out-of-range --shard,
# -o with --shard, a missing or duplicated share, parts of another cell file or other options, a file that is no
# part, a part of a missing file; each with its exit code, a message naming the file, and nothing written.
# usage: test_design_dist.sh SSBNET REFDIR
set -u
BIN="$1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
export OMP_NUM_THREADS=1

# the built-in cell as a file, and the same cell with a 31 um separator; a small structure (32 x 32 voxels in-plane,
# a 30 um cathode); sintering measures its own structure, thin_separator and coating reuse the baseline's
expect_rc "cell defaults" 0 "$BIN" cell defaults
cp "$T/out" "$T/cell.json"
sed -E '/"separator"/,/}/ s/"thickness_um":([[:space:]]*)30/"thickness_um":\131/' "$T/cell.json" > "$T/cell2.json"
cmp -s "$T/cell.json" "$T/cell2.json" && bad "cell2.json is not another cell" || ok "cell2.json: separator 31 um"
CELL=("$T/cell.json")
A=(--size 32 --set positive.thickness_um=30 --strategies thin_separator,sintering,coating --quiet)

expect_rc "serial compare --json" 0 "$BIN" design compare "${CELL[@]}" "${A[@]}" --json
cp "$T/out" "$T/serial.json"
expect_rc "serial compare -o (and the table)" 0 "$BIN" design compare "${CELL[@]}" "${A[@]}" -o "$T/sdir"
sed "s#$T/sdir#DIR#" "$T/out" > "$T/serial.txt"

for i in 0 1 2; do
  expect_rc "shard $i/3" 0 "$BIN" design compare "${CELL[@]}" "${A[@]}" --shard "$i/3" --json
  cp "$T/out" "$T/part_$i.json"
done
grep -q '"format":[[:space:]]*"ssbnet-design-part-1"' "$T/part_0.json" && ok "part file format" || bad "part format"
n_eval=$(cat "$T"/part_*.json | grep -c '"evaluated":[[:space:]]*true')
[ "$n_eval" = "4" ] && ok "each of the 4 variants evaluated by one share" || bad "$n_eval evaluations over the shares"

expect_rc "merge --json" 0 "$BIN" design merge "$T/part_0.json" "$T/part_1.json" "$T/part_2.json" --json
cmp -s "$T/out" "$T/serial.json" && ok "merged JSON = one-process JSON, byte for byte" \
  || bad "merged JSON differs: $(diff "$T/out" "$T/serial.json" | head -5)"
expect_rc "merge -o (parts in reverse order)" 0 "$BIN" design merge "$T/part_2.json" "$T/part_1.json" \
  "$T/part_0.json" -o "$T/mdir"
sed "s#$T/mdir#DIR#" "$T/out" | cmp -s - "$T/serial.txt" && ok "merged table = one-process table" \
  || bad "merged table differs"
cmp -s "$T/mdir/compare.json" "$T/sdir/compare.json" && ok "merged compare.json = one-process" \
  || bad "compare.json differs"
cmp -s "$T/mdir/report.html" "$T/sdir/report.html" && ok "merged report.html = one-process" || bad "report.html differs"

# the shares' table (no --json) says what ran where; 6 shares for 4 variants leave share 5 empty (cheap)
expect_rc "shard 5/6 table" 0 "$BIN" design compare "${CELL[@]}" "${A[@]}" --shard 5/6
grep -q "share 5 of 6 (shards 0 to 5): 0 of 4 variants" "$T/out" && grep -q "design merge" "$T/out" \
  && ok "share table" || bad "share table: $(cat "$T/out")"

# bad input
expect_rc "--shard 3/3" 7 "$BIN" design compare "${A[@]}" --shard 3/3 --json
grep -q "shard 3 of 3 is out of range" "$T/err" && ok "message names the shard and range" || bad "msg: $(cat "$T/err")"
[ -s "$T/out" ] && bad "output for a bad shard" || ok "no output"
expect_rc "--shard 2" 2 "$BIN" design compare "${A[@]}" --shard 2 --json
expect_rc "--shard a/b" 2 "$BIN" design compare "${A[@]}" --shard a/b --json
expect_rc "--shard 0/0" 7 "$BIN" design compare "${A[@]}" --shard 0/0 --json
expect_rc "--shard with -o" 2 "$BIN" design compare "${A[@]}" --shard 0/2 -o "$T/odir"
[ -e "$T/odir" ] && bad "-o folder created with --shard" || ok "no folder with --shard"
expect_rc "merge, a share missing" 7 "$BIN" design merge "$T/part_0.json" "$T/part_2.json" -o "$T/missing"
grep -q "shard 1 of 3 is missing" "$T/err" && ok "message names the missing shard" || bad "msg: $(cat "$T/err")"
[ -e "$T/missing" ] && bad "output written with a share missing" || ok "nothing written"
expect_rc "merge, a share twice" 7 "$BIN" design merge "$T/part_0.json" "$T/part_1.json" "$T/part_1.json" \
  "$T/part_2.json"
grep -q "shard 1 of 3 is given twice: $T/part_1.json and $T/part_1.json" "$T/err" && ok "message names the files" \
  || bad "msg: $(cat "$T/err")"
# a share of another comparison: other options (--rate 2), and another cell file
expect_rc "shard of other options" 0 "$BIN" design compare "${CELL[@]}" "${A[@]}" --rate 2 --shard 1/3 --json
cp "$T/out" "$T/other_1.json"
expect_rc "merge, parts of other options" 4 "$BIN" design merge "$T/part_0.json" "$T/other_1.json" "$T/part_2.json"
grep -q "other_1.json and $T/part_0.json are not shares of one comparison" "$T/err" && ok "message names both files" \
  || bad "msg: $(cat "$T/err")"
expect_rc "shard of another cell" 0 "$BIN" design compare "$T/cell2.json" "${A[@]}" --shard 1/3 --json
cp "$T/out" "$T/cell2_1.json"
expect_rc "merge, parts of another cell" 4 "$BIN" design merge "$T/part_0.json" "$T/cell2_1.json" "$T/part_2.json"
grep -q "cell2_1.json" "$T/err" && ok "message names the other cell's part" || bad "msg: $(cat "$T/err")"
echo '{"format": "something else"}' > "$T/junk.json"
expect_rc "merge, not a part" 6 "$BIN" design merge "$T/junk.json"
grep -q "junk.json': key 'format'" "$T/err" && ok "message names file and key" || bad "msg: $(cat "$T/err")"
head -c 300 "$T/part_1.json" > "$T/cut.json"
expect_rc "merge, truncated part" 6 "$BIN" design merge "$T/part_0.json" "$T/cut.json" "$T/part_2.json"
grep -q "cut.json" "$T/err" && ok "message names the truncated file" || bad "msg: $(cat "$T/err")"
sed 's/"shards":[[:space:]]*3/"shards": 4/' "$T/part_1.json" > "$T/four.json"
expect_rc "merge, a part of 4 shards" 4 "$BIN" design merge "$T/part_0.json" "$T/four.json" "$T/part_2.json"
expect_rc "merge, no such file" 5 "$BIN" design merge "$T/part_0.json" "$T/nothere.json"
grep -q "nothere.json" "$T/err" && ok "message names the missing file" || bad "msg: $(cat "$T/err")"
expect_rc "merge without parts" 2 "$BIN" design merge
expect_rc "merge --help" 0 "$BIN" design merge --help
grep -q "options of merge" "$T/out" && ok "merge help" || bad "merge help"
finish
