#!/usr/bin/env bash
# CLI tests of 'ssbnet run' and 'ssbnet cell defaults': the structure spans the cathode thickness, hand-over
# numbers in the JSON, the default cell dumped and read back, run = cell rates without the microstructure, --set,
# bad inputs (partial file, 60 pm cathode, cut-off above OCV) with exit codes and no output folder, phases with the
# database's conductivities in every command.
# usage: test_run.sh SSBNET REFDIR
set -u
BIN="$1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
# the numbers of an array "key": [a, b, c] (cJSON prints it on one line)
arr() { grep -E "\"$2\":" "$1" | head -1 | sed -E 's/.*\[(.*)\].*/\1/' | tr -d ' \t'; }
# a and b agree to rtol
close() { awk -v a="$1" -v b="$2" -v r="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; s = b < 0 ? -b : b; exit !(a != "" && d <= r * s) }'; }

# --- the default cell: structure through the 60 um thickness, hand-over = transport
expect_rc "run default (40 voxels in-plane)" 0 "$BIN" run --size 40 --rates 0.5,2 -o "$T/a" --json --quiet
cp "$T/out" "$T/a.json"
dims=$(arr "$T/a.json" dimensions)
h=$(json_num "$T/a.json" voxel_size_um)
nz=${dims##*,}
if awk -v n="$nz" -v h="$h" 'BEGIN { d = n * h - 60; exit !(d <= h && d >= -h) }'; then ok "structure spans 60 um ($nz x $h um)"; else bad "structure z extent $nz x $h um != 60 um"; fi
[ "${dims%%,*}" = "40" ] && ok "in-plane cross-section 40 voxels" || bad "dimensions $dims"
ti=$(json_num "$T/a.json" transport_sigma_i_eff_S_per_m); ci=$(json_num "$T/a.json" cell_sigma_i_eff_S_per_m)
te=$(json_num "$T/a.json" transport_sigma_e_eff_S_per_m); ce=$(json_num "$T/a.json" cell_sigma_e_eff_S_per_m)
close "$ci" "$ti" 1e-12 && ok "ionic sigma_eff handed over = transport ($ci S/m)" || bad "ionic hand-over $ci != $ti"
close "$ce" "$te" 1e-12 && ok "electronic sigma_eff handed over = transport ($ce S/m)" || bad "electronic hand-over $ce != $te"
for f in report.json discharge_0.5C.csv discharge_2C.csv cathode.tif cathode.tif.phases.json; do
  [ -f "$T/a/$f" ] && ok "wrote $f" || bad "did not write $f"
done

# --- cell defaults: the default cell as a file runs identically
expect_rc "cell defaults" 0 "$BIN" cell defaults
cp "$T/out" "$T/def.json"
grep -q '"microstructure"' "$T/def.json" && grep -q '"thickness_um"' "$T/def.json" && ok "defaults has the cell and the run blocks" || bad "defaults content: $(head -c 300 "$T/def.json")"
expect_rc "run the dumped default" 0 "$BIN" run "$T/def.json" --size 40 --rates 0.5,2 -o "$T/b" --json --quiet
sed '/"stage_time_s"/,/}/d' "$T/a.json" | grep -Ev '"(cell_file|time_s)"' >"$T/a2.json"
sed '/"stage_time_s"/,/}/d' "$T/out" | grep -Ev '"(cell_file|time_s)"' >"$T/b2.json"
cmp -s "$T/a2.json" "$T/b2.json" && ok "dumped default cell gives the same report" || bad "dumped default differs: $(diff "$T/a2.json" "$T/b2.json" | head -5)"

# --- without the microstructure, run is 'cell rates' on the same cell
expect_rc "run --no-micro" 0 "$BIN" run --no-micro --rates 0.5,2 -o "$T/c" --json --quiet
grep -E '"(capacity_mAh_per_cm2|energy_mWh_per_cm2|mean_voltage_V)"' "$T/out" >"$T/c1"
expect_rc "cell rates" 0 "$BIN" cell rates --rates 0.5,2 --json --quiet
grep -E '"(capacity_mAh_per_cm2|energy_mWh_per_cm2|mean_voltage_V)"' "$T/out" >"$T/c2"
paste "$T/c1" "$T/c2" | sed -E 's/[^:]*:[[:space:]]*([-0-9.eE+]+),?[[:space:]]+[^:]*:[[:space:]]*([-0-9.eE+]+),?/\1 \2/' >"$T/c12"
if [ "$(wc -l <"$T/c1")" -eq 6 ] && awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 1e-12 * ($2 < 0 ? -$2 : $2)) bad = 1 } END { exit bad }' "$T/c12"; then
  ok "run --no-micro = cell rates (6 numbers to 1e-12)"
else
  bad "run --no-micro differs from cell rates: $(head -3 "$T/c12")"
fi

# --- --set on run: a cell key and a microstructure key act
expect_rc "run --set" 0 "$BIN" run --size 32 --rates 1 --set positive.thickness_um=30 --set microstructure.seed=4 -o "$T/d" --json --quiet
t=$(json_num "$T/out" cathode_thickness_um); s=$(json_num "$T/out" seed)
[ "$t" = "30" ] && ok "--set positive.thickness_um=30 acts" || bad "thickness $t"
[ "$s" = "4" ] && ok "--set microstructure.seed=4 acts" || bad "seed $s"
expect_rc "--set unknown key" 8 "$BIN" run --set positive.thicknes_um=30 -o "$T/e1"
expect_rc "--set unknown microstructure key" 6 "$BIN" run --set microstructure.sise=3 -o "$T/e2"

# --- a missing density is named where Wh/kg cannot be computed
sed 's/"active_material":[^,]*,//; s/"ocv_curve":[^,]*,/"ocv": {"expression": "4.3 - 0.9*x", "x_range": [0, 1]}, "max_concentration_mol_per_m3": 48830, "diffusivity_m2_per_s": 4e-15, "electronic_conductivity_S_per_m": 0.85,/' "$T/def.json" >"$T/nodens.json"
expect_rc "run without a CAM density" 0 "$BIN" run "$T/nodens.json" --no-micro --rates 1 -o "$T/nd"
grep -q "positive.density_active_kg_per_m3" "$T/out" && ok "the missing density is named" || bad "missing density not named: $(grep -i stack "$T/out")"

# --- bad inputs: message names the key and value, distinct exit code, no output folder
echo '{"positive": {"active_material": "NCM811"}}' >"$T/partial.json"
"$BIN" run "$T/partial.json" -o "$T/e3" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -ne 0 ] && ok "partial cell file refused (exit $rc)" || bad "partial cell file ran"
grep -qi "nan" "$T/err" && bad "partial file message says nan: $(cat "$T/err")" || ok "partial file message has no nan"
grep -q "_um\|fraction\|key" "$T/err" && ok "partial file message names a key" || bad "partial message: $(cat "$T/err")"
echo '{"positive": {"thickness_um": 6e-5}}' >"$T/thin.json"
cat "$T/def.json" | sed 's/"thickness_um":[[:space:]]*60/"thickness_um": 6e-5/' >"$T/thin.json"
expect_rc "60 pm cathode" 7 "$BIN" run "$T/thin.json" -o "$T/e4"
grep -q "positive.thickness_um = 6e-05" "$T/err" && ok "thin cathode message names key and value" || bad "thin message: $(cat "$T/err")"
expect_rc "cut-off above OCV" 7 "$BIN" run --cutoff 4.5 -o "$T/e5"
grep -q "cutoff_V = 4.5" "$T/err" && ok "cut-off message names the value" || bad "cut-off message: $(cat "$T/err")"
expect_rc "rate out of range" 7 "$BIN" run --rates 0.5,200 -o "$T/e6"
expect_rc "unknown option" 2 "$BIN" run --frobnicate -o "$T/e7"
echo '{"microstructure": {"size": 40}}' >"$T/mkey.json"
expect_rc "unknown microstructure key" 6 "$BIN" run "$T/mkey.json" -o "$T/e8"
grep -q "microstructure.size" "$T/err" && ok "unknown key named" || bad "unknown key message: $(cat "$T/err")"
left=0
for d in e1 e2 e3 e4 e5 e6 e7 e8; do [ -e "$T/$d" ] && left=1; done
[ "$left" -eq 0 ] && ok "no output folder after a failure" || bad "an output folder was left after a failure"

# --- the database's conductivities in every command (issue 7 item 8)
expect_rc "micro generate cathode" 0 "$BIN" micro generate --kind cathode --size 40 --seed 2 -o "$T/g.tif" --json --quiet
grep -A8 '"Super P"' "$T/out" | grep -Eq '"sigma_el_S_per_m":[[:space:]]*[1-9]' && ok "generate: carbon is Super P with its conductivity" || bad "generate carbon: $(grep -A8 carbon "$T/out" | head -9)"
expect_rc "micro generate --thickness-um" 0 "$BIN" micro generate --kind cathode --size 32 --thickness-um 20 -o "$T/g20.tif" --quiet
expect_rc "analyze it" 0 "$BIN" micro analyze "$T/g20.tif" --json --quiet
[ "$(arr "$T/out" dimensions)" = "32,32,50" ] && ok "--thickness-um 20 gives 50 layers of 0.4 um" || bad "dimensions $(arr "$T/out" dimensions)"
expect_rc "analyze with a coating phase" 0 "$BIN" micro analyze "$T/g.tif" --json --quiet \
  --phase-map '0=pore:pore,1=Li6PS5Cl:se,2=NCM811:active,3=LiNbO3:coating'
grep -A6 '"LiNbO3"' "$T/out" | grep -Eq '"sigma_ion_S_per_m":[[:space:]]*[0-9.]*[1-9]' && ok "analyze: the coating conducts Li+ (database value)" || bad "coating sigma_ion: $(grep -A6 LiNbO3 "$T/out" | head -7)"

# --- the interfaces of the cell (issue 10): stability with sources and the aged resistance in the report
expect_rc "run reports interfaces" 0 "$BIN" run --no-micro --rates 1 -o "$T/if" --json --quiet
grep -q '"interfaces"' "$T/out" && grep -q '"interphase_type":[[:space:]]*"SEI"' "$T/out" \
  && grep -q '"resistance_aged_ohm_cm2"' "$T/out" && ok "report has interfaces" || bad "no interfaces in the report"
expect_rc "run.interface_ageing_h out of range" 7 "$BIN" run --no-micro --set run.interface_ageing_h=-5 -o "$T/if2"
[ -e "$T/if2" ] && bad "output folder left after a refused option" || ok "no output folder after a refused option"

# --- resolution (issue 7 item 2): the voxel-size choice and its network check (Li+ and e- tau at h and h/2) in every
# run of a generated cathode, the extended check on request, and the warning when a forced voxel size is too coarse
expect_rc "run --check-resolution" 0 "$BIN" run --size 32 --rates 1 --check-resolution -o "$T/res" --json
grep -q '"voxel_size_rule_um"' "$T/out" && grep -q '"tau_half_voxel"' "$T/out" \
  && grep -q '"voxel_size_choice":[[:space:]]*"automatic"' "$T/out" && grep -q '"tau_ion_rel_change"' "$T/out" \
  && ok "resolution choice and checks in the report" || bad "no resolution choice or check in the report"
for k in tau_ion_rel_change tau_el_rel_change; do
  rel=$(grep -o "\"$k\":[[:space:]]*[0-9.eE+-]*" "$T/out" | head -1 | sed 's/.*://')
  awk -v r="$rel" 'BEGIN { exit !(r >= 0 && r <= 0.05) }' && ok "$k $rel <= 5 % at the chosen voxel size" \
    || bad "$k = $rel at the chosen voxel size"
done
grep -q "networks are not converged" "$T/err" && bad "convergence warning at the chosen voxel size" || ok "no warning at the chosen size"
expect_rc "run at a forced coarse voxel size" 0 "$BIN" run --size 32 --rates 1 --voxel-um 1 -o "$T/res1" --json
grep -q "voxel size of 1 um the tortuosity changes by .* not converged" "$T/err" && ok "warning at a forced 1 um" \
  || bad "no warning at a forced 1 um"
grep -q '"voxel_size_choice":[[:space:]]*"forced"' "$T/out" && ok "forced choice reported" || bad "forced not reported"

# SE particles coarser than the resolution check's cube (Schlautmann 2023 XL: 31 um SE particles at 0.65 um need 96
# voxels, the check has at most 64): the run skips the check with a warning instead of failing in the generator (exit 7)
XL="$(dirname "$0")/../../examples/validation/schlautmann2023_ncm811_XL.json"
expect_rc "run XL (31 um SE particles)" 0 "$BIN" run "$XL" --json
grep -q "resolution check skipped: particles of 31 um need a cube of 96 voxels" "$T/err" && ok "check skipped, said" \
  || bad "no skip warning: $(head -c 300 "$T/err")"
cap=$(json_num "$T/out" specific_capacity_mAh_per_g)
awk -v c="$cap" 'BEGIN{exit !(c > 100 && c < 275)}' && ok "XL C/20 capacity $cap mAh/g" || bad "XL capacity '$cap'"

# --- the area factor falls back to the voxelised sphere: the note and the JSON say why
expect_rc "run without marching cubes" 0 "$BIN" run --size 32 --rates 1 --set microstructure.marching_cubes=false \
  -o "$T/nomc" --json --quiet
grep -q '"area_factor_reason":[[:space:]]*"marching cubes is off' "$T/out" && ok "JSON says marching cubes is off" \
  || bad "area_factor_reason: $(grep -o '"area_factor[^,]*' "$T/out")"
expect_rc "run without marching cubes (table)" 0 "$BIN" run --size 32 --rates 1 \
  --set microstructure.marching_cubes=false -o "$T/nomc2" --quiet
grep -q "voxelised sphere of the CAM diameter, because marching cubes is off" "$T/out" && ok "note says why" \
  || bad "area factor note: $(grep 'area factor:' "$T/out")"
finish
