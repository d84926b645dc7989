#!/usr/bin/env bash
# CLI tests of 'ssbnet micro' and 'ssbnet run': outputs, JSON keys, exit codes of bad input, no partial files.
# usage: test_micro.sh SSBNET REFDIR
set -u
BIN="$1"
REF="$2"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"

# --- staircase: TauFactor slanted strip, tau = 451/60 (TauFactor tests/test_taufactor.py)
expect_rc "generate staircase" 0 "$BIN" micro generate --kind staircase -o "$T/stair.tif" --quiet
expect_rc "transport staircase json" 0 "$BIN" micro transport "$T/stair.tif" --phase 1 --axis z --json --quiet
cp "$T/out" "$T/stair.json"
tau=$(json_num "$T/stair.json" tau)
if awk -v t="$tau" 'BEGIN { d = t - 451 / 60; exit !(t != "" && d < 1e-5 && d > -1e-5) }'; then ok "staircase tau $tau"; else bad "staircase tau '$tau' != 7.516667"; fi
for k in tau sigma_rel eps eps_percolating converged iterations; do
  if grep -q "\"$k\"" "$T/stair.json"; then ok "transport JSON has $k"; else bad "transport JSON lacks $k"; fi
done
# the gmg storages of the voxel level (--storage): the same tau to rounding; a bad name exits 4 (invalid value)
for st in stored compact lean; do
  expect_rc "transport staircase --storage $st" 0 "$BIN" micro transport "$T/stair.tif" --phase 1 --axis z --json --quiet --storage $st
  t2=$(json_num "$T/out" tau)
  if awk -v a="$tau" -v b="$t2" 'BEGIN { d = (a - b) / a; exit !(b != "" && d < 1e-12 && d > -1e-12) }'; then ok "--storage $st: tau $t2"; else bad "--storage $st: tau '$t2' vs '$tau'"; fi
done
expect_rc "transport --storage bogus" 4 "$BIN" micro transport "$T/stair.tif" --phase 1 --axis z --quiet --storage bogus
# isolated spheres (label 1) do not percolate: tau = inf, exit 0
expect_rc "generate sphere array" 0 "$BIN" micro generate --kind spheres --size 32 --radius 5 --spacing 16 -o "$T/sph.tif" --quiet
expect_rc "transport non-percolating" 0 "$BIN" micro transport "$T/sph.tif" --phase 1 --axis x --json --quiet
if grep -Eq '"tau":[[:space:]]*"inf"' "$T/out" && grep -Eq '"percolates":[[:space:]]*false' "$T/out"; then ok "non-percolating gives tau inf"; else bad "non-percolating output: $(cat "$T/out" | head -5)"; fi
# the same with --vti: tau inf, exit 0, the labels written and no field (it exited 4: "field 'potential_V' has no data")
expect_rc "transport non-percolating --vti" 0 "$BIN" micro transport "$T/sph.tif" --phase 1 --axis x --vti "$T/sph.vti"
[ -s "$T/sph.vti" ] && grep -q 'Name="labels"' "$T/sph.vti" && ! grep -q potential_V "$T/sph.vti" &&
  grep -q "does not percolate along x (labels only)" "$T/err" && ok "non-percolating --vti: labels only, warning" ||
  bad "non-percolating --vti: $(cat "$T/err")"

# --- polycrystal of Al-LLZO with resolved grain boundaries: the grains take the bulk conductivity and the GB
# phase the GB conductivity of the database (Krauskopf et al., ACS AMI 11, 14463 (2019): 4.6e-4 and 5.97e-6 S/cm
# at 25 C), scaled by the drawn thickness over the record's (0.25 um / 10 nm, Eckhardt et al., Adv. Mater.
# Interfaces 10, 2202354 (2023)), so that a boundary's resistance per area t / sigma_gb is the material's: 0.014925
# S/m. The GB phase had sigma 0 (not in the database by its name 'GB': Li+ blocked, tau = inf), then the unscaled
# 5.97e-4 S/m (25 x the boundary resistance: sigma_eff 8 x too low). sigma_eff lies within the Wiener bounds of the
# two phases and near the brick-layer total of 3 um grains with 10 nm boundaries, 1 / (1/0.046 + (1e-8/3e-6)/5.97e-4)
# = 0.0366 S/m (a Voronoi structure is not a brick layer: within 15 %).
expect_rc "generate LLZO polycrystal" 0 "$BIN" micro generate --kind polycrystal --se LLZO --size 32 --voxel-um 0.25 \
  --grain-um 3 --gb-um 0.25 --seed 3 -o "$T/llzo.tif" --json --quiet
f=$(json_num "$T/out" gb_fraction)
sg=$(grep -A6 '"name":[[:space:]]*"GB"' "$T/llzo.tif.phases.json" | grep sigma_ion | sed -E 's/.*:[[:space:]]*([-0-9.eE+]+).*/\1/')
sb=$(grep -A6 '"name":[[:space:]]*"LLZO"' "$T/llzo.tif.phases.json" | grep sigma_ion | sed -E 's/.*:[[:space:]]*([-0-9.eE+]+).*/\1/')
if awk -v g="$sg" -v b="$sb" 'BEGIN { exit !(g > 0.014925 * 0.999 && g < 0.014925 * 1.001 && b > 0.046 * 0.999 && b < 0.046 * 1.001) }'; then
  ok "LLZO grains $sb S/m (bulk), GB $sg S/m"; else bad "LLZO grains '$sb', GB '$sg' S/m (want 0.046, 0.014925)"; fi
grep -Eq '"thickness_um":[[:space:]]*0.25' "$T/llzo.tif.phases.json" && ok "phase table: the GB's drawn thickness" ||
  bad "phase table without the GB thickness: $(cat "$T/llzo.tif.phases.json")"
expect_rc "transport LLZO grains + GB" 0 "$BIN" micro transport "$T/llzo.tif" --phase LLZO,GB --carrier ion --axis z --json --quiet
se=$(json_num "$T/out" sigma_eff_S_per_m)
if awk -v s="$se" -v f="$f" 'BEGIN { lo = 1 / ((1 - f) / 0.046 + f / 0.014925); hi = (1 - f) * 0.046 + f * 0.014925;
                                     exit !(f > 0.1 && s > lo && s < hi && s > 0.0366 * 0.85 && s < 0.0366 * 1.15) }' &&
  grep -Eq '"percolates":[[:space:]]*true' "$T/out"; then
  ok "LLZO polycrystal conducts: sigma_eff $se S/m within the Wiener bounds (GB fraction $f)"
else bad "LLZO polycrystal (GB fraction '$f'): $(head -c 400 "$T/out")"; fi

# layers of LLZO and GB normal to z, 5 voxels (2 um) each, the GB phase drawn 2 um thick: in series, exactly
# sigma_eff = 1 / (0.5 / sigma_b + 0.5 / (sigma_gb * 2 um / 10 nm)) = 0.0664135429 S/m
expect_rc "generate layers for GB" 0 "$BIN" micro generate --kind layers --size 20 --thickness 5 --axis z -o "$T/gbl.npy" --quiet
cat > "$T/gbl.npy.phases.json" <<'EOF2'
{"voxel_size_um": [0.4, 0.4, 0.4],
 "phases": [{"label": 0, "name": "LLZO", "role": "se"}, {"label": 1, "name": "GB", "role": "gb", "thickness_um": 2.0}]}
EOF2
expect_rc "transport GB layers" 0 "$BIN" micro transport "$T/gbl.npy" --phase LLZO,GB --carrier ion --axis z --json --quiet
se=$(json_num "$T/out" sigma_eff_S_per_m)
awk -v s="$se" 'BEGIN { e = 1 / (0.5 / 0.046 + 0.5 / (5.97e-4 * 200)); exit !(s > e * (1 - 1e-6) && s < e * (1 + 1e-6)) }' &&
  ok "GB layers: sigma_eff $se S/m = the series value of the scaled GB" || bad "GB layers: sigma_eff '$se'"
printf '{"phases": [{"label": 0, "name": "LLZO", "role": "se"}, {"label": 1, "name": "GB", "role": "gb", "thickness_um": -1}]}' \
  > "$T/gbl.npy.phases.json"
expect_rc "GB thickness negative" 7 "$BIN" micro transport "$T/gbl.npy" --phase LLZO,GB --axis z --quiet
grep -q "thickness_um must be a number in (0, 1e4\] um" "$T/err" && ok "bad thickness_um named" || bad "thickness_um: $(cat "$T/err")"

# a phase name that is not a material: the warning comes from the materials lookup (it said 'run:' in micro analyze)
expect_rc "generate layers" 0 "$BIN" micro generate --kind layers --size 8 -o "$T/lay.npy" --quiet
expect_rc "analyze unknown material names" 0 "$BIN" micro analyze "$T/lay.npy" --phase-map '0=foo:se,1=bar:se'
grep -q "warning: materials: phase 'foo' is not in the materials database" "$T/err" && ! grep -q "warning: run:" "$T/err" &&
  ok "unknown material warning names the lookup" || bad "unknown material warning: $(cat "$T/err")"
# a raw file without a sidecar and half of the layout: the message says which half is missing
head -c 64 /dev/zero > "$T/half.raw"
expect_rc "raw: --raw-dims without --raw-dtype" 5 "$BIN" micro analyze "$T/half.raw" --raw-dims 4,4,4
grep -q "the dims are given, the dtype is not" "$T/err" && ok "raw: the missing dtype named" || bad "raw: $(cat "$T/err")"
# a misspelt sidecar key ("dtyp") was silently ignored: now refused (exit 6) naming the file, the key, the valid keys
printf '{"dims": [4, 4, 4], "dtype": "uint8", "dtyp": "uint8"}' > "$T/half.raw.json"
expect_rc "raw: sidecar with unknown key 'dtyp'" 6 "$BIN" micro analyze "$T/half.raw"
grep -q "half.raw.json': unknown key 'dtyp' (valid: dims, dtype," "$T/err" && ok "raw: unknown sidecar key named" ||
  bad "raw sidecar key: $(cat "$T/err")"
rm -f "$T/half.raw.json"
# --raw-dims / --raw-dtype on a TIFF or .npy were silently ignored: now a usage error (exit 2) naming the option and
# the file type, also for a TIFF found by its magic bytes under another extension
expect_rc "generate layers .tif" 0 "$BIN" micro generate --kind layers --size 8 -o "$T/lay.tif" --quiet
expect_rc "--raw-dims on a TIFF" 2 "$BIN" micro analyze "$T/lay.tif" --raw-dims 8,8,8 --raw-dtype uint8 -q
grep -q "option --raw-dims applies to headerless .raw / .bin images only; '.*lay.tif' is a TIFF image" "$T/err" &&
  ok "--raw-dims on a TIFF: option and type named" || bad "--raw-dims on TIFF: $(cat "$T/err")"
expect_rc "--raw-dtype on a .npy" 2 "$BIN" micro analyze "$T/lay.npy" --raw-dtype uint8 -q
grep -q "option --raw-dtype .* is a NumPy .npy image" "$T/err" && ok "--raw-dtype on .npy named" ||
  bad "--raw-dtype on .npy: $(cat "$T/err")"
cp "$T/lay.tif" "$T/lay.img"
expect_rc "--raw-dims on a TIFF without extension" 2 "$BIN" micro analyze "$T/lay.img" --raw-dims 8,8,8 -q
# grains larger than the box: one grain, and a warning saying so (there was none)
expect_rc "generate one-grain polycrystal" 0 "$BIN" micro generate --kind polycrystal --size 8 --grain-um 100 -o "$T/g1.tif"
grep -q "grains of 100 um do not fit the box" "$T/err" && ok "one grain: warning" || bad "one grain: $(cat "$T/err")"
# --- bad input: distinct exit codes, messages naming the value, no partial output
# a misspelt material name (argyrodite 'LPSCI' for Li6PS5Cl) was a phase of conductivity 0 with a warning: exit 8
expect_rc "generate --se misspelt" 8 "$BIN" micro generate --kind polycrystal --size 8 --se LPSCI -o "$T/lpsci.tif"
grep -q "unknown material 'LPSCI'" "$T/err" && [ ! -e "$T/lpsci.tif" ] && ok "misspelt material: named, nothing written" ||
  bad "misspelt material: $(cat "$T/err")"
expect_rc "unknown axis" 4 "$BIN" micro transport "$T/stair.tif" --phase 1 --axis w
grep -q "'w'" "$T/err" && ok "axis message names the value" || bad "axis message: $(cat "$T/err")"
expect_rc "label not in image" 8 "$BIN" micro transport "$T/stair.tif" --phase 7 --axis z
grep -q "label 7" "$T/err" && ok "label message names the label" || bad "label message: $(cat "$T/err")"
head -c 30000 "$T/stair.tif" >"$T/trunc.tif"
if [ -f "$REF/microstructure/taufactor/electrode.tiff" ]; then
  head -c 700000 "$REF/microstructure/taufactor/electrode.tiff" >"$T/trunc.tif"
fi
expect_rc "truncated tiff" 6 "$BIN" micro transport "$T/trunc.tif" --phase 0 --axis z
grep -q "trunc.tif" "$T/err" && ok "truncated-TIFF message names the file" || bad "truncated message: $(cat "$T/err")"
expect_rc "missing file" 5 "$BIN" micro analyze "$T/nope.tif"
expect_rc "zero voxel size" 2 "$BIN" micro transport "$T/stair.tif" --phase 1 --voxel-um 0
expect_rc "negative voxel size" 2 "$BIN" micro analyze "$T/stair.tif" --voxel-um -0.5
expect_rc "unknown option" 2 "$BIN" micro transport "$T/stair.tif" --phase 1 --bogus
expect_rc "unknown subcommand" 2 "$BIN" micro frobnicate
expect_rc "phase-map role" 2 "$BIN" micro analyze "$T/stair.tif" --phase-map "0=void:nothing"
echo '{"phases": [{"label": 0, "name": "pore", "role": "pore"}, }' >"$T/badphases.json"
expect_rc "malformed phases JSON" 6 "$BIN" micro analyze "$T/stair.tif" --phases "$T/badphases.json"
grep -q "badphases.json:1:" "$T/err" && ok "JSON error gives file:line:col" || bad "JSON message: $(cat "$T/err")"
# a phase table that leaves label 1 undefined, asked for electronic conductivities
echo '{"phases": [{"label": 0, "name": "pore", "role": "pore"}]}' >"$T/partial.json"
expect_rc "undefined label with --carrier" 8 "$BIN" micro transport "$T/stair.tif" --phase 1 --carrier ion --phases "$T/partial.json"
expect_rc "output to missing folder" 5 "$BIN" micro generate --kind staircase -o "$T/nodir/x.tif" --quiet
if [ -z "$(ls "$T/nodir" 2>/dev/null)" ] && ! ls "$T"/*.tmp* >/dev/null 2>&1; then ok "no partial output"; else bad "partial output left"; fi

# --- analyze JSON of a generated cathode
expect_rc "generate cathode" 0 "$BIN" micro generate --kind cathode --size 48 --voxel-um 0.5 --cam-d-um 4 --seed 3 -o "$T/c.tif" --quiet
expect_rc "analyze cathode json" 0 "$BIN" micro analyze "$T/c.tif" --json --quiet
grep -q '"active_fraction"' "$T/out" && ok "analyze JSON has the active CAM fraction" || bad "analyze JSON lacks active_fraction"
expect_rc "same seed, same image" 0 "$BIN" micro generate --kind cathode --size 48 --voxel-um 0.5 --cam-d-um 4 --seed 3 -o "$T/c2.tif" --quiet
cmp -s "$T/c.tif" "$T/c2.tif" && ok "generator reproducible" || bad "same seed gave a different file"

# --- run with a bad cell file
echo '{"cathode": {"cam_volume_fraction": 1.4}}' >"$T/cell.json"
expect_rc "run: fraction out of range" 7 "$BIN" run "$T/cell.json" -o "$T/runout"
grep -q "cam_volume_fraction = 1.4" "$T/err" && ok "run message names key and value" || bad "run message: $(cat "$T/err")"
echo '{"cathode": {"thickness": -3}}' >"$T/cell2.json"
expect_rc "run: unknown key" 6 "$BIN" run "$T/cell2.json" -o "$T/runout"

# fractions that leave no room for the SE: exit 7 naming the sum, nothing written
expect_rc "CAM + carbon + voids over 1" 7 "$BIN" micro generate --cam-vf 0.95 -o "$T/over.tif" --quiet
grep -q "no room for the SE" "$T/err" && grep -q "1.03" "$T/err" && ok "message names the sum" || bad "message: $(cat "$T/err")"
[ -e "$T/over.tif" ] && bad "image written" || ok "no image written"
# --- marching cubes on a noise-like image (9 x 7 x 3 voxels, each 0, 1 or 2 at random: Python random.Random(9)):
# the pair area (S_a + S_b - S_ab) / 2 of the smoothed surfaces of one-voxel features was negative, and 'micro
# analyze' printed 'active CAM|SE area, mc-corrected -0.011807 1/um' (JSON -11807 1/m, mc_face_ratio -0.1).
# A negative area is never a result: '-' / null, one warning, the face counts stand.
printf '%s' 121100201212012220210212100000022021201020210101110020101100012020020010002020212010102022002200122202122002100220212222201021101022012101000111012102001211120220120012121021021000100200001 |
  tr 012 '\000\001\002' >"$T/noise.raw"
NOISE=("$T/noise.raw" --raw-dims 9,7,3 --raw-dtype uint8 --phase-map 0=pore:pore,1=NCM811:active,2=Li6PS5Cl:se)
expect_rc "analyze noise" 0 "$BIN" micro analyze "${NOISE[@]}"
grep -Eq 'mc-corrected \[1/um\] +-$' "$T/out" && ! grep -Eq ' -0\.[0-9]' "$T/out" &&
  [ "$(grep -c 'marching cubes did not resolve' "$T/err")" = 1 ] && ok "noise: no negative area, '-' and one warning" ||
  bad "noise: $(grep -E 'mc-corrected|NCM811 \|' "$T/out"; cat "$T/err")"
expect_rc "analyze noise json" 0 "$BIN" micro analyze "${NOISE[@]}" --json --quiet
grep -Eq '"active_cam_se_area_per_volume_mc_1_per_m":[[:space:]]*null' "$T/out" &&
  grep -Eq '"mc_face_ratio":[[:space:]]*null' "$T/out" && grep -Eq '"marching_cubes":[[:space:]]*null' "$T/out" &&
  ! grep -Eq '"(area_m2|per_volume_1_per_m|[a-z_]*mc[a-z_0-9]*)":[[:space:]]*-' "$T/out" && [ ! -s "$T/err" ] &&
  ok "noise json: null, no negative area, --quiet silent" || bad "noise json: $(grep -E 'mc|marching' "$T/out")"
# --sigma setting every chosen phase to zero named an empty carrier: "zero conductivity for --carrier "
expect_rc "transport --sigma 1:0" 7 "$BIN" micro transport "$T/stair.tif" --phase 1 --sigma 1:0
grep -q -- "--phase 1: .*zero conductivity by --sigma 1:0" "$T/err" && ! grep -q -- "--carrier" "$T/err" &&
  ok "zero-conductivity message names --sigma" || bad "zero-conductivity message: $(cat "$T/err")"
# session 12: a TIFF's resolution tags silently overrode the phases file's voxel_size_um. Explicit input wins
# (--voxel-um, then the phases file, then the file's metadata), with one warning naming both values when they differ
# by more than 1 %. A 4 x 4 TIFF with XResolution = YResolution = 5000 px/cm (2 um pixels), ResolutionUnit = cm:
le32() { printf "\\x$(printf %02x $(($1 & 255)))\\x$(printf %02x $((($1 >> 8) & 255)))\\x$(printf %02x $((($1 >> 16) & 255)))\\x$(printf %02x $((($1 >> 24) & 255)))"; }
le16() { printf "\\x$(printf %02x $(($1 & 255)))\\x$(printf %02x $((($1 >> 8) & 255)))"; }
tag() { le16 $1; le16 $2; le32 1; if [ $2 -eq 3 ]; then le16 $3; le16 0; else le32 $3; fi; }
{ printf 'II*\0'; le32 40; for r in 1 2 3 4; do printf '\0\0\1\1'; done; le32 5000; le32 1; le32 5000; le32 1; le16 12
  tag 256 4 4; tag 257 4 4; tag 258 3 8; tag 259 3 1; tag 262 3 1; tag 273 4 8; tag 277 3 1; tag 278 4 4; tag 279 4 16
  tag 282 5 24; tag 283 5 32; tag 296 3 3; le32 0; } >"$T/res.tif"
vox() { tr -d ' \t\n' <"$T/out" | grep -o '"voxel_size_um":\[[^]]*\]' | head -1; }
ph() { echo "{\"voxel_size_um\": $1, \"phases\": [{\"label\": 0, \"name\": \"pore\", \"role\": \"pore\"}, {\"label\": 1, \"name\": \"se\", \"role\": \"se\"}]}"; }
expect_rc "TIFF with resolution tags" 0 "$BIN" micro analyze "$T/res.tif" --json
[ "$(vox)" = '"voxel_size_um":[2,2,2]' ] && ok "resolution tags: 2 um" || bad "resolution tags: $(vox)"
ph 3 >"$T/p3.json"
expect_rc "TIFF tags + --phases with 3 um" 0 "$BIN" micro analyze "$T/res.tif" --phases "$T/p3.json" --json
[ "$(vox)" = '"voxel_size_um":[3,3,3]' ] && ok "the phases file's 3 um wins over the tags' 2 um" || bad "phases vs tags: $(vox)"
grep -q "voxel size 3 um from the phases file .*p3.json.* says 2 um" "$T/err" && [ "$(grep -c 'is used, but' "$T/err")" = 1 ] \
  && ok "one warning names 3 um (used, phases file) and 2 um (TIFF)" || bad "voxel warning: $(cat "$T/err")"
ph 3 >"$T/res.tif.phases.json"
expect_rc "TIFF tags + IMAGE.phases.json" 0 "$BIN" micro analyze "$T/res.tif" --json
[ "$(vox)" = '"voxel_size_um":[3,3,3]' ] && grep -q "says 2 um" "$T/err" && ok "IMAGE.phases.json wins too" \
  || bad "auto phases file: $(vox) $(cat "$T/err")"
expect_rc "TIFF tags + phases file + --voxel-um 4" 0 "$BIN" micro analyze "$T/res.tif" --voxel-um 4 --json
[ "$(vox)" = '"voxel_size_um":[4,4,4]' ] && grep -q "4 um from --voxel-um.*says 3 um.*says 2 um" "$T/err" \
  && ok "--voxel-um wins over both, both named" || bad "--voxel-um: $(vox) $(cat "$T/err")"
rm -f "$T/res.tif.phases.json"
ph 2.01 >"$T/p201.json"
expect_rc "phases file within 1 % of the tags" 0 "$BIN" micro analyze "$T/res.tif" --phases "$T/p201.json" --json
grep -q "is used, but" "$T/err" && bad "warning for 0.5 %: $(cat "$T/err")" || ok "no warning within 1 %"
# raw + sidecar (2 um) + phases file (3 um): the same rule
printf '\0\0\1\1\0\0\1\1\0\0\1\1\0\0\1\1' >"$T/res.raw"
echo '{"dims": [4, 4, 1], "dtype": "uint8", "voxel_size_um": 2}' >"$T/res.raw.json"
expect_rc "raw sidecar + phases file" 0 "$BIN" micro analyze "$T/res.raw" --phases "$T/p3.json" --json
[ "$(vox)" = '"voxel_size_um":[3,3,3]' ] && grep -q "sidecar says 2 um" "$T/err" && ok "raw: phases file wins over the sidecar" \
  || bad "raw: $(vox) $(cat "$T/err")"
finish
