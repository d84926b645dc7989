#!/usr/bin/env bash
# CLI tests of hostile input (issue 8): every case ends with a clear message and its exit code, never a signal,
# a NaN printed as a result or a partial output. Files are made here (python3 is not needed).
# usage: test_hostile.sh SSBNET REFDIR
set -u
BIN="$1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
umask 022
# msg NAME PATTERN: the last stderr holds PATTERN
msg() { if grep -q -- "$2" "$T/err"; then ok "$1 message"; else bad "$1 message lacks '$2': $(head -c 300 "$T/err")"; fi; }
rep() { awk -v n="$2" -v s="$1" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'; }
P1="Discharge at 1C for 10 s"

# ---- defect 1: c_max = 1e308 crashed 'cell run' (SIGSEGV); now refused with the key and the range
expect_rc "c_max 1e308" 7 "$BIN" cell run -q --set positive.max_concentration_mol_per_m3=1e308
msg "c_max 1e308" "positive.max_concentration_mol_per_m3 = 1e+308"
echo '{"positive": {"max_concentration_mol_per_m3": 1e308}}' >"$T/cmax.json"
expect_rc "c_max 1e308 in a cell file (cell rates)" 7 "$BIN" cell rates "$T/cmax.json" -q --rates 1
expect_rc "thickness 1e-300 um" 7 "$BIN" cell run -q --set positive.thickness_um=1e-300 -p "$P1"
expect_rc "current collector of 1e308 um" 7 "$BIN" cell run -q --set current_collectors.positive_thickness_um=1e308 -p "$P1"
expect_rc "temperature 50 K" 7 "$BIN" cell run -q --set temperature_K=50 -p "$P1"
# ---- defect 11: the grid has a cap (100000 cells ran 3.6 GB and on)
expect_rc "100000 positive cells" 7 "$BIN" cell run -q --set numerics.positive_cells=100000 -p "$P1"
msg "100000 positive cells" "1 to 10000"
expect_rc "2000 x 1000 unknowns" 7 "$BIN" cell run -q --set numerics.positive_cells=2000 --set numerics.particle_cells=1000 -p "$P1"
msg "2000 x 1000 unknowns" "GB"

# ---- defect 2: 66k nested parentheses / 90k minus signs in a function-valued key overflowed the stack
printf '{"positive": {"ocv": "%s0.1*sto%s"}}\n' "$(rep '(' 66000)" "$(rep ')' 66000)" >"$T/paren.json"
expect_rc "66000 nested parentheses" 4 "$BIN" cell run "$T/paren.json" -q
msg "66000 nested parentheses" "paren.json: positive.ocv"
printf '{"positive": {"ocv": "%ssto"}}\n' "$(rep '-' 90000)" >"$T/minus.json"
expect_rc "90000 minus signs" 4 "$BIN" cell run "$T/minus.json" -q
msg "90000 minus signs" "nested deeper than"
# the BPX example (tests/reference/cell/bpx, About:Energy via github.com/FaradayInstitution/BPX, MIT) with its
# electrolyte conductivity replaced by 90000 minus signs and x
BPXF="${2:-}/cell/bpx/nmc_pouch_cell_BPX.json"
[ -e "$BPXF" ] || BPXF="$(dirname "$0")/../reference/cell/bpx/nmc_pouch_cell_BPX.json"
sed "s|\"Conductivity \[S.m-1\]\": \"[^\"]*\"|\"Conductivity [S.m-1]\": \"$(rep '-' 90000)x\"|" "$BPXF" >"$T/bpx.json"
expect_rc "90000 minus signs in a BPX file" 4 "$BIN" cell run --bpx "$T/bpx.json" -q
msg "90000 minus signs in a BPX file" "Conductivity"
# the circuit-string parser was already bounded: 20000 nested p( gives a message
expect_rc "deep circuit string" 4 "$BIN" eis simulate --circuit "$(rep 'p(' 20000)R1$(rep ')' 20000)" --params 1 -q
msg "deep circuit string" "nested deeper"

# ---- defect 4: protocol lines longer than 1023 bytes were cut ("until C/20" became "until C/2"); > 62 words failed
# 28 + 972 + 24 bytes: the old 1023-byte buffer ended just before the '0' of C/20
LONG="Discharge at 1C until 3.5 V;$(rep ' ' 972)Hold at 4.2 V until C/20"
expect_rc "protocol line of 1024 bytes" 0 "$BIN" cell run -p "$LONG" --json -q
grep -Eq '"step":[[:space:]]*"Hold at 4.2 V until C/20"' "$T/out" && ok "the step keeps 'until C/20'" || bad "the step text was cut: $(grep -Eo '"step":[[:space:]]*"Hold[^"]*' "$T/out")"
expect_rc "protocol line of 160 words" 0 "$BIN" cell run -q -p "$(rep 'Rest for 1 s; ' 40)$P1"
printf '%s' "$(rep 'Rest for 1 s; ' 20000)" >"$T/long.txt"
expect_rc "protocol file with a 280 kB line" 0 "$BIN" cell run -q --protocol-file "$T/long.txt"
head -c 3000000 /dev/zero | tr '\0' 'a' >"$T/aaa.txt"
expect_rc "protocol file of one 3 MB word" 4 "$BIN" cell run -q --protocol-file "$T/aaa.txt"
printf 'Discharge at 1C until 3.5 V\n\xff\xfe\x80\n' >"$T/bin.txt"
expect_rc "protocol file with non-UTF-8 bytes" 4 "$BIN" cell run -q --protocol-file "$T/bin.txt"
: >"$T/empty.txt"
expect_rc "empty protocol file" 4 "$BIN" cell run -q --protocol-file "$T/empty.txt"
expect_rc "step of 1e-300 s" 4 "$BIN" cell run -q -p "Discharge at 1C for 1e-300 s"
msg "step of 1e-300 s" "at least 1e-6 s"
expect_rc "protocol file that is a folder" 5 "$BIN" cell run -q --protocol-file "$T"

# ---- defect 6: --raw-dims 1e30,1,1 was undefined behaviour; -5,1,1 and 4.9,1,1 were ignored or truncated
head -c 64 /dev/zero >"$T/z.raw"
expect_rc "--raw-dims 1e30,1,1" 7 "$BIN" micro analyze "$T/z.raw" --raw-dims 1e30,1,1 --raw-dtype uint8 -q
expect_rc "--raw-dims -5,1,1" 7 "$BIN" micro analyze "$T/z.raw" --raw-dims -5,1,1 --raw-dtype uint8 -q
expect_rc "--raw-dims 4.9,1,1" 2 "$BIN" micro analyze "$T/z.raw" --raw-dims 4.9,1,1 --raw-dtype uint8 -q
expect_rc "--raw-dims 4,4" 2 "$BIN" micro analyze "$T/z.raw" --raw-dims 4,4 --raw-dtype uint8 -q
expect_rc "--raw-dims 4,4,4,4" 2 "$BIN" micro analyze "$T/z.raw" --raw-dims 4,4,4,4 --raw-dtype uint8 -q
expect_rc "--raw-dims 4,4,4" 0 "$BIN" micro analyze "$T/z.raw" --raw-dims 4,4,4 --raw-dtype uint8 -q
expect_rc "--raw-dims 4,4,5 (file too short)" 6 "$BIN" micro analyze "$T/z.raw" --raw-dims 4,4,5 --raw-dtype uint8 -q
expect_rc "--dims 99999999999999999999,1,1" 7 "$BIN" micro generate --kind layers --dims 99999999999999999999,1,1 -o "$T/g.tif" -q
expect_rc "--threshold with 17 values" 7 "$BIN" micro analyze "$T/z.raw" --raw-dims 4,4,4 --raw-dtype uint8 --threshold 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17 -q

# ---- defect 7: --threads abc exited 0; 0, -1, 1000000000 were accepted
expect_rc "--threads abc" 2 "$BIN" --threads abc cell run -q -p "$P1"
expect_rc "--threads 0" 7 "$BIN" --threads 0 cell run -q -p "$P1"
expect_rc "--threads -1" 7 "$BIN" cell run -q -p "$P1" --threads -1
expect_rc "--threads 1000000000" 7 "$BIN" --threads 1000000000 cell run -q -p "$P1"
msg "--threads 1000000000" "4 x the CPU count"
expect_rc "--threads 2.5" 2 "$BIN" --threads 2.5 cell run -q -p "$P1"
expect_rc "--threads without a value" 2 "$BIN" cell run -q -p "$P1" --threads
expect_rc "--threads 2" 0 "$BIN" --threads 2 cell run -q -p "$P1"

# ---- defect 8: image size came from the header and was allocated before the data was checked
# a TIFF of one 60000 x 60000 page in 144 bytes (little-endian, one strip of 16 bytes)
tiff() { # tiff FILE WIDTH HEIGHT COMPRESSION: 8-byte header, 16 data bytes, IFD of 9 entries
  local w=$1 h=$2 c=$3
  le32() { printf "\\x$(printf %02x $(($1 & 255)))\\x$(printf %02x $((($1 >> 8) & 255)))\\x$(printf %02x $((($1 >> 16) & 255)))\\x$(printf %02x $((($1 >> 24) & 255)))"; }
  le16() { printf "\\x$(printf %02x $(($1 & 255)))\\x$(printf %02x $((($1 >> 8) & 255)))"; }
  tag() { le16 $1; le16 $2; le32 1; if [ $2 -eq 3 ]; then le16 $3; le16 0; else le32 $3; fi; }
  { printf 'II*\0'; le32 24; head -c 16 /dev/zero; le16 9
    tag 256 4 $w; tag 257 4 $h; tag 258 3 8; tag 259 3 $c; tag 262 3 1; tag 273 4 8; tag 277 3 1; tag 278 4 $h; tag 279 4 16
    le32 0; } >"$4"
}
tiff 60000 60000 1 "$T/huge.tif"
tiff 60000 60000 8 "$T/hugez.tif"
tiff 4 4 1 "$T/ok.tif"
expect_rc "TIFF 4 x 4 in 16 bytes" 0 "$BIN" micro analyze "$T/ok.tif" -q
# (under a 2 GB address-space limit, which AddressSanitizer's shadow memory cannot take)
lim() { [ -n "${ASAN_OPTIONS:-}" ] || ulimit -v 2000000; }
( lim; "$BIN" micro analyze "$T/huge.tif" -q >"$T/out" 2>"$T/err"; echo $? >"$T/rc" )
[ "$(cat "$T/rc")" = 6 ] && ok "TIFF of 60000^2 pixels in 144 bytes (exit 6 under a 2 GB limit)" || bad "TIFF 60000^2: exit $(cat "$T/rc"): $(head -c 300 "$T/err")"
msg "TIFF of 60000^2 pixels" "truncated"
( lim; "$BIN" micro analyze "$T/hugez.tif" -q >"$T/out" 2>"$T/err"; echo $? >"$T/rc" )
[ "$(cat "$T/rc")" = 6 ] && ok "deflate TIFF of 60000^2 pixels in 144 bytes (exit 6)" || bad "deflate TIFF 60000^2: exit $(cat "$T/rc"): $(head -c 300 "$T/err")"
msg "deflate TIFF" "needs 3600000000 bytes"
# .npy and raw headers that promise more than the file holds
{ printf '\x93NUMPY\x01\x00\x76\x00'; printf "{'descr': '|u1', 'fortran_order': False, 'shape': (2000, 2000, 2000), }"; printf '%*s\n' 46 ''; head -c 64 /dev/zero; } >"$T/big.npy"
expect_rc ".npy header of 8e9 voxels, 192-byte file" 6 "$BIN" micro analyze "$T/big.npy" -q
msg ".npy header of 8e9 voxels" "big.npy"
echo '{"dims": [2000, 2000, 2000], "dtype": "uint8"}' >"$T/z2.raw.json"; cp "$T/z.raw" "$T/z2.raw"
expect_rc "raw sidecar of 8e9 voxels, 64-byte file" 6 "$BIN" micro transport "$T/z2.raw" --phase 0 --axis z -q
: >"$T/empty.tif"; : >"$T/empty.npy"; : >"$T/e.raw"; echo '{"dims": [0, 1, 1], "dtype": "uint8"}' >"$T/e.raw.json"
expect_rc "empty TIFF" 6 "$BIN" micro analyze "$T/empty.tif" -q
expect_rc "empty .npy" 6 "$BIN" micro analyze "$T/empty.npy" -q
expect_rc "empty raw with dims 0" 7 "$BIN" micro analyze "$T/e.raw" -q
head -c 30 "$T/ok.tif" >"$T/cut.tif"
expect_rc "truncated TIFF" 6 "$BIN" micro transport "$T/cut.tif" --phase 0 --axis z -q
# sidecars: deeply nested, NaN, huge, negative and non-UTF-8 values
cp "$T/z.raw" "$T/d.raw"; printf '{"dims": [4, 4, 4], "dtype": "uint8", "voxel_size_um": %s1%s}' "$(rep '[' 100000)" "$(rep ']' 100000)" >"$T/d.raw.json"
expect_rc "sidecar nested 100000 deep" 6 "$BIN" micro analyze "$T/d.raw" -q
cp "$T/z.raw" "$T/n.raw"; echo '{"dims": [4, 4, 4], "dtype": "uint8", "voxel_size_um": NaN}' >"$T/n.raw.json"
expect_rc "sidecar voxel size NaN" 6 "$BIN" micro analyze "$T/n.raw" -q
cp "$T/z.raw" "$T/i.raw"; echo '{"dims": [4, 4, 4], "dtype": "uint8", "voxel_size_um": 1e400}' >"$T/i.raw.json"
expect_rc "sidecar voxel size 1e400" 7 "$BIN" micro analyze "$T/i.raw" -q
cp "$T/z.raw" "$T/h.raw"; echo '{"dims": [4, 4, 4], "dtype": "uint8", "header_bytes": -9223372036854775808}' >"$T/h.raw.json"
expect_rc "sidecar header_bytes -2^63" 7 "$BIN" micro analyze "$T/h.raw" -q
cp "$T/z.raw" "$T/u.raw"; printf '{"dims": [4, 4, 4], "dtype": "\xff\xfe"}' >"$T/u.raw.json"
expect_rc "sidecar dtype of non-UTF-8 bytes" 10 "$BIN" micro analyze "$T/u.raw" -q

# ---- defect 10: outputs together or not at all, and with the umask's mode
mkdir -p "$T/o"
expect_rc "cell run -o ok.csv --profiles /nonexistent/p.csv" 5 "$BIN" cell run -q -p "$P1" -o "$T/o/ok.csv" --profiles /nonexistent/p.csv
[ ! -e "$T/o/ok.csv" ] && ok "no ok.csv without its profiles" || bad "ok.csv left behind"
expect_rc "cell run -o and --profiles" 0 "$BIN" cell run -q -p "$P1" -o "$T/o/ok.csv" --profiles "$T/o/p.csv"
[ -s "$T/o/ok.csv" ] && [ -s "$T/o/p.csv" ] && ok "both CSVs written" || bad "a CSV is missing"
expect_rc "cell run -o and --profiles the same file" 2 "$BIN" cell run -q -p "$P1" -o "$T/o/same.csv" --profiles "$T/o/same.csv"
[ ! -e "$T/o/same.csv" ] && ok "nothing written for the same file twice" || bad "same.csv written"
mkdir -p "$T/o/s.tif.phases.json"
expect_rc "micro generate with its phase table blocked" 5 "$BIN" micro generate --kind staircase -o "$T/o/s.tif" -q
[ ! -e "$T/o/s.tif" ] && ok "no image without its phase table" || bad "image left without its phase table"
expect_rc "micro generate .raw" 0 "$BIN" micro generate --kind staircase -o "$T/o/s.raw" -q
[ -s "$T/o/s.raw" ] && [ -s "$T/o/s.raw.json" ] && [ -s "$T/o/s.raw.phases.json" ] && ok "raw, sidecar and phase table written" || bad "generate .raw: $(ls "$T/o")"
mode=$(stat -c %a "$T/o/s.raw.phases.json")
[ "$mode" = 644 ] && ok "phase table mode 644 under umask 022" || bad "phase table mode $mode under umask 022"
mode=$(stat -c %a "$T/o/ok.csv")
[ "$mode" = 644 ] && ok "CSV mode 644 under umask 022" || bad "CSV mode $mode under umask 022"
expect_rc "run --size 32" 0 "$BIN" run --size 32 --rates 1 -o "$T/o/run" -q
mode=$(stat -c %a "$T/o/run/report.json")
[ "$mode" = 644 ] && ok "report.json mode 644 under umask 022" || bad "report.json mode $mode under umask 022"
if ls -A "$T/o" | grep -q 'tmp'; then bad "temporary files left: $(ls -A "$T/o")"; else ok "no temporary files left"; fi

# ---- defect 11: duplicate --phase-map labels, negative --profile-times
"$BIN" micro generate --kind layers --size 8 -o "$T/l.tif" -q >/dev/null 2>&1
expect_rc "duplicate --phase-map label" 4 "$BIN" micro analyze "$T/l.tif" --phase-map '0=pore:pore,1=SE:se,0=CAM:active' -q
msg "duplicate --phase-map label" "label 0 is given twice"
echo '{"phases": [{"label": 0, "name": "a", "role": "pore"}, {"label": 0, "name": "b", "role": "se"}]}' >"$T/dup.json"
expect_rc "duplicate label in a phase file" 6 "$BIN" micro analyze "$T/l.tif" --phases "$T/dup.json" -q
expect_rc "--phase-map name of 300 bytes" 7 "$BIN" micro analyze "$T/l.tif" --phase-map "0=$(rep a 300):pore,1=b:se" -q
printf '{"phases": %s%s}' "$(rep '[' 5000)" "$(rep ']' 5000)" >"$T/deep.json"
expect_rc "phase file nested 5000 deep" 6 "$BIN" micro analyze "$T/l.tif" --phases "$T/deep.json" -q
echo '{"voxel_size_um": [1, "x", 1], "phases": [{"label": 0, "name": "a", "role": "pore"}, {"label": 1, "name": "b", "role": "se"}]}' >"$T/vx.json"
expect_rc "phase file voxel size [1, \"x\", 1]" 6 "$BIN" micro analyze "$T/l.tif" --phases "$T/vx.json" -q
echo '{"voxel_size_um": 1e308, "phases": [{"label": 0, "name": "a", "role": "pore"}, {"label": 1, "name": "b", "role": "se"}]}' >"$T/vb.json"
expect_rc "phase file voxel size 1e308 um" 7 "$BIN" micro analyze "$T/l.tif" --phases "$T/vb.json" -q
expect_rc "--voxel-um 1e300" 7 "$BIN" micro analyze "$T/l.tif" --voxel-um 1e300 -q
expect_rc "empty --phase-map" 2 "$BIN" micro analyze "$T/l.tif" --phase-map ',,,' -q
expect_rc "--phase-map with 6 fields" 2 "$BIN" micro analyze "$T/l.tif" --phase-map '0=a:pore,1=b:se:1:2:3:4' -q
# names of invalid UTF-8 bytes: JSON output and the phase table written stay valid UTF-8 (U+FFFD in their place)
expect_rc "--phase-map name of invalid UTF-8" 0 "$BIN" micro analyze "$T/l.tif" --phase-map "$(printf '0=a\xff\xfe:pore,1=b\xc3\xa9:se')" --json -q
iconv -f UTF-8 -t UTF-8 "$T/out" >/dev/null 2>&1 && grep -q 'bé' "$T/out" && ok "JSON output is valid UTF-8, 'bé' kept" || bad "JSON output is not valid UTF-8"
expect_rc "negative --profile-times" 7 "$BIN" cell run -q -p "$P1" --profile-times 1,-5 --profiles "$T/o/q.csv"
expect_rc "--profile-times nan" 2 "$BIN" cell run -q -p "$P1" --profile-times nan --profiles "$T/o/q.csv"
expect_rc "--rates 0" 7 "$BIN" cell rates -q --rates 0,1
expect_rc "--cutoff above the starting voltage" 7 "$BIN" cell rates -q --rates 1 --cutoff 1e300
[ ! -e "$T/o/q.csv" ] && ok "no profiles written after refused options" || bad "q.csv written"

# ---- endless inputs are refused, not read until memory runs out
expect_rc "cell file /dev/zero" 6 "$BIN" cell run /dev/zero -q
expect_rc "BPX file /dev/zero" 6 "$BIN" cell run --bpx /dev/zero -q
expect_rc "protocol file /dev/zero" 5 "$BIN" cell run -q --protocol-file /dev/zero
expect_rc "phase file /dev/zero" 5 "$BIN" micro analyze "$T/l.tif" --phases /dev/zero -q
expect_rc "image /dev/zero" 5 "$BIN" micro analyze /dev/zero -q

# ---- cell files: empty, truncated, deeply nested, non-finite
: >"$T/e.json"
expect_rc "empty cell file" 6 "$BIN" cell run "$T/e.json" -q
printf '{"positive": {"thickness_um": 60' >"$T/t.json"
expect_rc "truncated cell file" 6 "$BIN" cell run "$T/t.json" -q
printf '%s1%s' "$(rep '{"a":' 100000)" "$(rep '}' 100000)" >"$T/n.json"
expect_rc "cell file nested 100000 deep" 6 "$BIN" cell run "$T/n.json" -q
echo '{"positive": {"thickness_um": 1e999}}' >"$T/inf.json"
expect_rc "thickness 1e999 in a cell file" 7 "$BIN" cell rates "$T/inf.json" -q
expect_rc "--set 1e999" 2 "$BIN" cell run -q --set positive.thickness_um=1e999

finish
