#!/usr/bin/env bash
# CLI tests of 'ssbnet micro resolution' and the resolution warnings of 'micro generate' / 'micro analyze'.
# usage: test_micro_res.sh SSBNET REFDIR
set -u
BIN="$1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"

# coarse check (7.5 voxels across 3 um CAM): tau changes by far more than 5 % -> warning, exit 0
expect_rc "resolution check (coarse)" 0 "$BIN" micro resolution --size 32 --voxel-um 0.4 --cam-d-um 3 --carbon-vf 0 \
  --pore-vf 0 --box-factor 1 --json
grep -q "warning: not resolved" "$T/err" && ok "coarse voxels give the warning" || bad "no warning: $(cat "$T/err")"
cp "$T/out" "$T/coarse.json"
rel=$(json_num "$T/coarse.json" tau_rel_change)
if awk -v r="$rel" 'BEGIN { exit !(r > 0.05) }'; then ok "tau change $rel > 0.05"; else bad "tau change '$rel'"; fi
grep -Eq '"resolved":[[:space:]]*false' "$T/coarse.json" && ok "resolved false" || bad "resolved: $(cat "$T/coarse.json")"
for k in voxel_size_um dimensions tau tau_half_voxel tau_extrapolated voxel_size_rule_um; do
  grep -q "\"$k\"" "$T/coarse.json" && ok "key $k" || bad "key $k missing"
done
rule=$(json_num "$T/coarse.json" voxel_size_rule_um)
if awk -v r="$rule" 'BEGIN { d = r - 0.1; exit !(d < 1e-9 && d > -1e-9) }'; then ok "rule 3 um / 30 = 0.1 um"; else bad "rule '$rule'"; fi

# an image: feature sizes, warnings for labels under the threshold (1 um carbon at 0.4 um voxels)
expect_rc "generate cathode" 0 "$BIN" micro generate --kind cathode --size 40 --voxel-um 0.4 --seed 5 -o "$T/c.tif"
grep -q "warning: label 3 (Super P): features about" "$T/err" && ok "generate warns about the carbon" \
  || bad "generate warnings: $(cat "$T/err")"
expect_rc "resolution --image" 0 "$BIN" micro resolution --image "$T/c.tif" --json --quiet
grep -q '"feature_size_um"' "$T/out" && ok "feature sizes in JSON" || bad "features: $(cat "$T/out")"
[ ! -s "$T/err" ] && ok "--quiet: no warnings" || bad "--quiet printed: $(cat "$T/err")"
expect_rc "resolution --image --phase" 0 "$BIN" micro resolution --image "$T/c.tif" --phase Li6PS5Cl --json
cp "$T/out" "$T/img.json"
rel=$(json_num "$T/img.json" tau_rel_change)
grep -q '"tau_double_voxel"' "$T/img.json" && ok "image tau at 2h in JSON" || bad "image JSON: $(cat "$T/img.json")"
if awk -v r="$rel" 'BEGIN { exit !(r > 0.05) }'; then
  grep -q "warning: tau changes by" "$T/err" && ok "image tau change $rel > 5 %: warning" || bad "no image warning"
else
  grep -q "warning: tau changes by" "$T/err" && bad "warning for a change of $rel" || ok "image tau change $rel <= 5 %: no warning"
fi
expect_rc "resolution --image --phase unknown" 8 "$BIN" micro resolution --image "$T/c.tif" --phase nosuch --quiet
expect_rc "analyze warns" 0 "$BIN" micro analyze "$T/c.tif"
grep -q "warning: label 3 (Super P)" "$T/err" && ok "analyze warns about the carbon" || bad "analyze: $(cat "$T/err")"

# a 2-D slice (24 x 24 x 1) of layers 4 voxels thick normal to x: the mean chord across a layer is 4 voxels, so the
# feature is 1.5 x 4 x 0.4 um = 2.4 um, 6 voxels (the one-voxel z axis is the slice, not a feature: it gave 0.6 um)
expect_rc "generate 2-D layers" 0 "$BIN" micro generate --kind layers --axis x --thickness 4 --dims 24,24,1 \
  --voxel-um 0.4 -o "$T/l2d.npy"
expect_rc "resolution --image 2-D" 0 "$BIN" micro resolution --image "$T/l2d.npy" --json
f=$(json_num "$T/out" feature_size_um)
if awk -v f="$f" 'BEGIN { d = f - 2.4; exit !(d < 1e-9 && d > -1e-9) }'; then ok "2-D feature 2.4 um"; else bad "2-D feature '$f'"; fi
# --voxel-um with --image overrides the file's 0.4 um (it was ignored: 2.4 um and 'no voxel size' hints)
expect_rc "resolution --image --voxel-um" 0 "$BIN" micro resolution --image "$T/l2d.npy" --voxel-um 0.5 --json
f=$(json_num "$T/out" feature_size_um)
if awk -v f="$f" 'BEGIN { d = f - 3.0; exit !(d < 1e-9 && d > -1e-9) }'; then ok "--voxel-um 0.5: feature 3 um"; else bad "--voxel-um 0.5: feature '$f'"; fi
expect_rc "resolution --image --voxel-um 0" 2 "$BIN" micro resolution --image "$T/l2d.npy" --voxel-um 0
expect_rc "resolution --image --voxel-um 2e6" 7 "$BIN" micro resolution --image "$T/l2d.npy" --voxel-um 2e6

# bad input
expect_rc "bad axis" 2 "$BIN" micro resolution --axis w
expect_rc "bad n-across" 2 "$BIN" micro resolution --n-across 500
expect_rc "box factor out of range" 7 "$BIN" micro resolution --size 16 --box-factor 9
grep -q "box_factor = 9" "$T/err" && ok "box factor message" || bad "message: $(cat "$T/err")"
expect_rc "unknown option" 2 "$BIN" micro resolution --frobnicate

finish
