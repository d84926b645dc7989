#!/usr/bin/env bash
# CLI tests of 'ssbnet iface lithium' and 'ssbnet iface contact': JSON keys the issue names, numbers (CCS rising
# with pressure, within a factor 2 of 0.2 mA/cm2 at 3 MPa for Li|Li6PS5Cl, Kasemchainan et al., Nat. Mater. 18, 1105
# (2019); contact fraction rising and resistance falling with pressure, a soft sulfide touching more than a stiff
# oxide), and bad input (negative pressure, a current beyond the model's range, an anode without mechanical
# constants): message naming the key, distinct exit code, no partial output.
# usage: test_iface_mech.sh SSBNET REFDIR
set -u
BIN="$1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
# all values of a JSON key in $T/out, one per line
jall() { tr -d '\n\t ' <"$T/out" | grep -o "\"$1\":[^,}]*" | sed 's/^[^:]*://; s/"//g'; }
increasing() { awk 'NR > 1 && $1 <= prev {bad = 1} {prev = $1} END {exit bad}'; }
decreasing() { awk 'NR > 1 && $1 >= prev {bad = 1} {prev = $1} END {exit bad}'; }

# lithium: points with the issue's keys, CCS rising with pressure
expect_rc "lithium Li|Li6PS5Cl" 0 "$BIN" iface lithium --electrolyte Li6PS5Cl --pressure-MPa 1,3,5,7 --json
for k in points pressure_MPa critical_stripping_current_mA_per_cm2 plating_ccd_mA_per_cm2 \
  electronic_leakage_mA_per_cm2 dendrite_current_mA_per_cm2 map contact_fraction region; do
  grep -q "\"$k\"" "$T/out" && ok "lithium has $k" || bad "lithium lacks $k"
done
[ "$(jall critical_stripping_current_mA_per_cm2 | wc -l)" -eq 4 ] && ok "4 points" || bad "points: $(jall critical_stripping_current_mA_per_cm2 | wc -l)"
jall critical_stripping_current_mA_per_cm2 | increasing && ok "CCS rises with pressure" || bad "CCS: $(jall critical_stripping_current_mA_per_cm2 | tr '\n' ' ')"
c3=$(jall critical_stripping_current_mA_per_cm2 | sed -n 2p)
awk -v c="$c3" 'BEGIN{exit !(c > 0.1 && c < 0.4)}' && ok "CCS(3 MPa) = $c3 mA/cm2 within 2x of 0.2" || bad "CCS(3 MPa) = $c3"
[ "$(jall region | wc -l)" -eq 80 ] && ok "map 4 x 20" || bad "map entries: $(jall region | wc -l)"
jall region | grep -q stable && jall region | grep -q dendrite && ok "map has stable and dendrite regions" || bad "regions: $(jall region | sort -u | tr '\n' ' ')"
# the dendrite current is where j / phi reaches the effective plating CCD: never above that CCD (phi <= 1); at
# 7 MPa, where the contact stays full far above it (CCS ~ 44 mA/cm2), it is the CCD itself
expect_rc "lithium 7 MPa" 0 "$BIN" iface lithium --electrolyte Li6PS5Cl --pressure-MPa 0,7 --json
jd=$(jall dendrite_current_mA_per_cm2 | sed -n 2p)
ce=$(jall effective_plating_ccd_mA_per_cm2 | sed -n 2p)
awk -v a="$jd" -v b="$ce" 'BEGIN{exit !(a <= b * (1 + 1e-5) && a >= b * (1 - 1e-5))}' && ok "dendrite current at 7 MPa = effective CCD ($jd)" || bad "dendrite current $jd vs CCD $ce"
jd0=$(jall dendrite_current_mA_per_cm2 | sed -n 1p)
awk -v a="$jd0" -v b="$ce" 'BEGIN{exit !(a < b)}' && ok "dendrite current at 0 MPa below the CCD ($jd0)" || bad "dendrite current at 0 MPa $jd0"
# a CCS beyond the model's 100 mA/cm2 (the p^6.6 creep law at 1000 MPa gives ~1e16) is flagged, not passed off
expect_rc "lithium 1000 MPa" 0 "$BIN" iface lithium --electrolyte Li6PS5Cl --pressure-MPa 3,1000 --json
[ "$(jall ccs_beyond_model_range | tr '\n' ' ')" = "false true " ] && ok "CCS beyond the model's range flagged" \
  || bad "flags: $(jall ccs_beyond_model_range | tr '\n' ' ')"
expect_rc "lithium hotter" 0 "$BIN" iface lithium --electrolyte Li6PS5Cl --pressure-MPa 3 --temperature-C 60 --json
c3h=$(jall critical_stripping_current_mA_per_cm2)
awk -v a="$c3h" -v b="$c3" 'BEGIN{exit !(a > b)}' && ok "CCS higher at 60 C ($c3h)" || bad "CCS at 60 C $c3h vs $c3"
expect_rc "lithium table" 0 "$BIN" iface lithium --electrolyte Li6PS5Cl --pressure-MPa 3 --current-mA-cm2 0.1,1
grep -q 'CCS \[mA/cm2\]' "$T/out" && ok "table headers carry units" || bad "table without units"

# bad input: no partial output, key named, distinct codes
# an SE of the materials database without a mechanics record (LGPS): the CCS is the Li's (vacancy diffusion and
# creep), so it equals the Li|Li6PS5Cl figure at 3 MPa (0.2 mA/cm2, Kasemchainan et al. 2019); the plating figures
# are null with a note. Before: exit 8 "material 'LGPS' has no elastic constants", no CCS at all.
expect_rc "lithium Li|LGPS without mechanics record" 0 "$BIN" iface lithium --electrolyte LGPS --pressure-MPa 3 --json
cg=$(jall critical_stripping_current_mA_per_cm2 | head -1)
[ "$cg" = "$c3" ] && ok "Li|LGPS CCS(3 MPa) = $cg = Li|Li6PS5Cl's" || bad "Li|LGPS CCS $cg vs $c3"
grep -q '"plating_note"' "$T/out" && [ "$(jall plating_ccd_mA_per_cm2 | head -1)" = null ] && ! jall region | grep -q dendrite \
  && ok "Li|LGPS: plating null, note, no dendrite region" || bad "Li|LGPS plating: $(jall plating_ccd_mA_per_cm2 | head -1)"
expect_rc "lithium against a cathode" 8 "$BIN" iface lithium --electrolyte NCM811 --pressure-MPa 3
expect_rc "negative pressure" 7 "$BIN" iface lithium --electrolyte Li6PS5Cl --pressure-MPa 3,-1 --json
grep -q -- '--pressure-MPa' "$T/err" && ok "negative pressure names --pressure-MPa" || bad "message: $(cat "$T/err")"
[ ! -s "$T/out" ] && ok "no partial output (pressure)" || bad "output on error"
expect_rc "current beyond the model" 7 "$BIN" iface lithium --electrolyte Li6PS5Cl --pressure-MPa 3 --current-mA-cm2 0.1,500
grep -q -- '--current-mA-cm2' "$T/err" && grep -q 'range' "$T/err" && ok "current message names key and range" || bad "message: $(cat "$T/err")"
[ ! -s "$T/out" ] && ok "no partial output (current)" || bad "output on error"
expect_rc "anode without mechanical constants" 10 "$BIN" iface lithium --electrolyte Li6PS5Cl --anode In --pressure-MPa 3 --plot "$T/map.png"
grep -q 'self_diffusivity_cm2_per_s' "$T/err" && ok "missing key named" || bad "message: $(cat "$T/err")"
[ ! -s "$T/out" ] && [ ! -e "$T/map.png" ] && ok "no partial output (anode)" || bad "output on error"
expect_rc "unknown anode" 8 "$BIN" iface lithium --electrolyte Li6PS5Cl --anode Kryptonite --pressure-MPa 3
expect_rc "missing electrolyte" 2 "$BIN" iface lithium --pressure-MPa 3

# contact: keys, trends with pressure, soft vs stiff
expect_rc "contact Li6PS5Cl" 0 "$BIN" iface contact --material Li6PS5Cl --pressure-MPa 1,10,100 --json
for k in points pressure_MPa contact_fraction resistance_ohm_cm2; do
  grep -q "\"$k\"" "$T/out" && ok "contact has $k" || bad "contact lacks $k"
done
jall contact_fraction | increasing && ok "contact fraction rises with pressure" || bad "fractions: $(jall contact_fraction | tr '\n' ' ')"
jall resistance_ohm_cm2 | decreasing && ok "resistance falls with pressure" || bad "R: $(jall resistance_ohm_cm2 | tr '\n' ' ')"
f_s=$(jall contact_fraction | sed -n 2p)
expect_rc "contact LLZO" 0 "$BIN" iface contact --material LLZO --sigma-S-per-cm 5e-4 --pressure-MPa 10 --json
f_o=$(jall contact_fraction)
awk -v a="$f_s" -v b="$f_o" 'BEGIN{exit !(a > 2 * b)}' && ok "sulfide touches more than oxide ($f_s vs $f_o)" || bad "sulfide $f_s oxide $f_o"
# constriction (Holm, Electric Contacts): one side 1/(4 sigma a N) against a CAM particle, both sides against another
# SE, 1/(4 sigma a N) + 1/(4 sigma_2 a N), from the reported contact radius a and density N
holm() { awk -v r="$(jall constriction_resistance_ohm_cm2)" -v a="$(jall mean_contact_radius_um)" \
  -v n="$(jall contacts_per_um2)" -v s="$(jall sigma_S_per_cm)" -v f="$1" \
  'BEGIN{h = f / (4 * s * a * 1e-4 * n * 1e8); d = r / h - 1; if (d < 0) d = -d; exit !(d < 1e-9)}'; }
expect_rc "contact against NCM811" 0 "$BIN" iface contact --material Li6PS5Cl --pressure-MPa 10 --json
holm 1 && ok "SE|CAM: constriction on the SE side (Holm)" || bad "SE|CAM constriction $(jall constriction_resistance_ohm_cm2)"
expect_rc "contact SE against SE" 0 "$BIN" iface contact --material Li6PS5Cl --against Li6PS5Cl --pressure-MPa 10 --json
holm 2 && ok "SE|SE: constriction on both sides (Holm)" || bad "SE|SE constriction $(jall constriction_resistance_ohm_cm2)"
expect_rc "contact negative pressure" 7 "$BIN" iface contact --material Li6PS5Cl --pressure-MPa -5
grep -q -- '--pressure-MPa' "$T/err" && [ ! -s "$T/out" ] && ok "contact: key named, no output" || bad "message: $(cat "$T/err")"
expect_rc "contact distribution outside the choices" 4 "$BIN" iface contact --material Li6PS5Cl --pressure-MPa 5 --distribution cubic
grep -q 'exponential' "$T/err" && ok "distribution message lists the choices" || bad "message: $(cat "$T/err")"
expect_rc "contact zero roughness" 7 "$BIN" iface contact --material Li6PS5Cl --pressure-MPa 5 --roughness-nm 0
expect_rc "lithium malformed pressure list" 2 "$BIN" iface lithium --electrolyte Li6PS5Cl --pressure-MPa 3,x
expect_rc "contact unknown material" 8 "$BIN" iface contact --material Unobtainium --pressure-MPa 5
# iface volume: CAM volume change on a generated cathode image (24^3): keys, area falling with shrinkage, dV = 0
# restoring the original, --soc through the NCM811 curve (about -5 % at 0.85, de Biasi et al. 2017)
expect_rc "generate a small cathode" 0 "$BIN" micro generate --size 24 --voxel-um 0.5 --cam-d-um 4 -o "$T/c.tif" --quiet
expect_rc "volume --dv-percent" 0 "$BIN" iface volume "$T/c.tif" --dv-percent 0,-2,-5,-10,0 --no-transport --json --quiet
for k in steps dv_percent active_material active_fraction cam_fraction active_cam_se_area_per_volume_face_1_per_m \
  electronic_percolates ionic_percolates; do
  grep -q "\"$k\"" "$T/out" && ok "volume has $k" || bad "volume lacks $k"
done
areas=$(jall cam_se_area_per_volume_face_1_per_m)
echo "$areas" | head -4 | decreasing && ok "CAM|SE area falls with shrinkage" || bad "areas: $(echo "$areas" | tr '\n' ' ')"
[ "$(echo "$areas" | sed -n 1p)" = "$(echo "$areas" | sed -n 5p)" ] && ok "dV 0 again restores the area" || bad "areas: $(echo "$areas" | tr '\n' ' ')"
expect_rc "volume --soc with transport" 0 "$BIN" iface volume "$T/c.tif" --soc 0,0.85 --json --quiet
dv=$(jall dv_percent | sed -n 2p)
awk -v d="$dv" 'BEGIN{exit !(d < -4.5 && d > -7)}' && ok "NCM811 at soc 0.85: dV = $dv %" || bad "dV at soc 0.85: $dv"
grep -q '"ionic"' "$T/out" && grep -q '"electronic"' "$T/out" && grep -q '"sigma_eff_S_per_m"' "$T/out" &&
  ok "volume has ionic and electronic sigma_eff" || bad "no transport results"
sel=$(tr -d '\n\t ' <"$T/out" | grep -o '"electronic":{[^}]*}' | grep -o '"sigma_eff_S_per_m":[^,}]*' | sed 's/.*://')
echo "$sel" | decreasing && ok "electronic sigma_eff falls as the CAM shrinks ($(echo $sel))" || bad "sigma_el: $(echo $sel)"
expect_rc "volume table" 0 "$BIN" iface volume "$T/c.tif" --dv-percent -5 --no-transport --quiet
grep -q 'active CAM|SE area \[1/m\]' "$T/out" && ok "volume table headers carry units" || bad "volume table: $(head -3 "$T/out")"
expect_rc "volume soc outside the curve" 7 "$BIN" iface volume "$T/c.tif" --soc 0,0.95 --json
grep -q -- '--soc' "$T/err" && [ ! -s "$T/out" ] && ok "soc: key named, no output" || bad "message: $(cat "$T/err")"
expect_rc "volume growth the image cannot take" 7 "$BIN" iface volume "$T/c.tif" --dv-percent -5,190 --no-transport --json
grep -q -- '--dv-percent: step 2' "$T/err" && [ ! -s "$T/out" ] && ok "growth message names --dv-percent and the step" \
  || bad "message: $(cat "$T/err")"
expect_rc "volume material without a curve" 8 "$BIN" iface volume "$T/c.tif" --soc 0.5 --material LLZO --json
grep -q 'volume-change curve' "$T/err" && [ ! -s "$T/out" ] && ok "material without curve named" || bad "message: $(cat "$T/err")"
expect_rc "volume dv out of range" 7 "$BIN" iface volume "$T/c.tif" --dv-percent -100
expect_rc "volume both lists" 2 "$BIN" iface volume "$T/c.tif" --dv-percent -5 --soc 0.5
expect_rc "volume no image" 2 "$BIN" iface volume --dv-percent -5

# cell cycle with contact mechanics: keys, less fade from contact loss at higher stack pressure, switched off =
# no fade from it; bad input named with distinct codes and no output
fade() { tr -d '\n\t ' <"$T/out" | grep -o "\"$1\":[-0-9.e+]*" | head -1 | sed 's/.*://'; }
expect_rc "cycle at 3 MPa" 0 "$BIN" cell cycle --cycles 3 --pressure-MPa 3 --json --quiet
for k in mechanics stack_pressure_MPa mechanisms_on lithium_contact_fraction cam_in_contact_fraction cam_intact_fraction \
  lithium_contact cam_contact_loss cracking; do
  grep -q "\"$k\"" "$T/out" && ok "cycle has $k" || bad "cycle lacks $k"
done
li3=$(fade lithium_contact); cam3=$(fade cam_contact_loss)
expect_rc "cycle at 10 MPa" 0 "$BIN" cell cycle --cycles 3 --pressure-MPa 10 --json --quiet
li10=$(fade lithium_contact); cam10=$(fade cam_contact_loss)
awk -v a="$li3" -v b="$li10" -v c="$cam3" -v d="$cam10" 'BEGIN{exit !(a > b && c > d && a > 0 && c > 0)}' &&
  ok "higher pressure, less fade (Li $li3 -> $li10, CAM $cam3 -> $cam10 mAh/cm2)" || bad "fade Li $li3 $li10 CAM $cam3 $cam10"
expect_rc "cycle mechanics none" 0 "$BIN" cell cycle --cycles 3 --pressure-MPa 3 --mechanics none --json --quiet
[ "$(fade lithium_contact)" = 0 ] && [ "$(fade cam_contact_loss)" = 0 ] && [ "$(fade cracking)" = 0 ] &&
  ok "mechanics off: no fade from them" || bad "fade with mechanics none: $(fade lithium_contact) $(fade cam_contact_loss)"
expect_rc "cycle negative pressure" 7 "$BIN" cell cycle --cycles 3 --pressure-MPa -1 --json -o "$T/cyc.csv"
grep -q -- '--pressure-MPa' "$T/err" && [ ! -s "$T/out" ] && [ ! -e "$T/cyc.csv" ] && ok "cycle pressure: key named, no output" || bad "message: $(cat "$T/err")"
# 'all' means every mechanism that applies to the cell: a Li foil has no negative particles to lose contact,
# a composite negative no Li foil
expect_rc "cycle mechanics all (Li foil)" 0 "$BIN" cell cycle --cycles 2 --pressure-MPa 3 --mechanics all --json --quiet
on=$(tr -d '\n\t ' <"$T/out" | grep -o '"mechanisms_on":\[[^]]*\]')
echo "$on" | grep -q lithium_contact && echo "$on" | grep -q cam_contact_loss && echo "$on" | grep -q '"cracking"' &&
  ! echo "$on" | grep -q negative_contact_loss && ok "all on a Li foil: $on" || bad "all on a Li foil: $on"
expect_rc "cycle mechanics all (Si composite)" 0 "$BIN" cell cycle "$(dirname "$0")/../../examples/cell_si_c_se.json" \
  --cycles 2 --pressure-MPa 50 --mechanics all --json --quiet
on=$(tr -d '\n\t ' <"$T/out" | grep -o '"mechanisms_on":\[[^]]*\]')
echo "$on" | grep -q negative_contact_loss && ! echo "$on" | grep -q lithium_contact && ok "all on a composite: $on" \
  || bad "all on a composite: $on"
expect_rc "cycle lithium on a composite" 10 "$BIN" cell cycle "$(dirname "$0")/../../examples/cell_si_c_se.json" \
  --cycles 2 --pressure-MPa 50 --mechanics lithium
expect_rc "cycle bad mechanics list" 2 "$BIN" cell cycle --cycles 3 --pressure-MPa 3 --mechanics lithium,magic
expect_rc "cycle mechanics without pressure" 2 "$BIN" cell cycle --cycles 3 --mechanics cam
"$BIN" cell defaults >"$T/cell.json" 2>/dev/null
python3 - "$T/cell.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["interfaces"] = {"mechanics": {"stack_pressure_MPa": -2}}
json.dump(c, open(sys.argv[1][:-5] + "_neg.json", "w"))
c["interfaces"] = {"mechanics": {"stack_pressure_MPa": 5, "lithium_contact": False}}
json.dump(c, open(sys.argv[1][:-5] + "_5.json", "w"))
c["negative"] = {"type": "composite", "active_material": "graphite", "thickness_um": 60, "active_volume_fraction": 0.55,
                 "electrolyte_volume_fraction": 0.4, "carbon_volume_fraction": 0.05, "particle_radius_um": 5,
                 "initial_stoichiometry": 0.8, "electrolyte": "Li6PS5Cl", "exchange_current_density_A_per_m2": 10,
                 "diffusivity_m2_per_s": 1e-14, "electronic_conductivity_S_per_m": 100}
c["interfaces"] = {"mechanics": {"stack_pressure_MPa": 5, "lithium_contact": True}}
json.dump(c, open(sys.argv[1][:-5] + "_gr.json", "w"))
c["negative"] = {"type": "composite", "active_material": "Si", "thickness_um": 20, "active_volume_fraction": 0.3,
                 "electrolyte_volume_fraction": 0.4, "carbon_volume_fraction": 0.1, "porosity": 0.2,
                 "particle_radius_um": 1, "initial_stoichiometry": 0.65, "electrolyte": "Li6PS5Cl",
                 "exchange_current_density_A_per_m2": 5, "electronic_conductivity_S_per_m": 100}
del c["interfaces"]
json.dump(c, open(sys.argv[1][:-5] + "_si.json", "w"))
PY
expect_rc "cell key negative pressure" 7 "$BIN" cell cycle "$T/cell_neg.json" --cycles 2 --json
grep -q 'stack_pressure_MPa' "$T/err" && [ ! -s "$T/out" ] && ok "cell key named, no output" || bad "message: $(cat "$T/err")"
expect_rc "cell key pressure" 0 "$BIN" cell cycle "$T/cell_5.json" --cycles 2 --json --quiet
tr -d '\n\t ' <"$T/out" | grep -q '"stack_pressure_MPa":5,"mechanisms_on":\["cam_contact_loss","cracking"\]' &&
  ok "interfaces.mechanics read from the cell file" || bad "mechanics: $(tr -d '\n\t ' <"$T/out" | grep -o '"mechanics":{[^]]*')"
expect_rc "Li contact asked for a composite negative" 10 "$BIN" cell cycle "$T/cell_gr.json" --cycles 2 --json
grep -q 'lithium_contact' "$T/err" && [ ! -s "$T/out" ] && ok "unsupported mechanism named, no output" || bad "message: $(cat "$T/err")"
expect_rc "negative contact loss on a Li-metal cell" 10 "$BIN" cell cycle --cycles 2 --pressure-MPa 5 --mechanics negative
grep -q 'negative_contact_loss' "$T/err" && ok "negative_contact_loss named" || bad "message: $(cat "$T/err")"
expect_rc "Si composite negative" 0 "$BIN" cell cycle "$T/cell_si.json" --cycles 3 --pressure-MPa 5 --json --quiet
for k in negative_contact_loss negative_sei_regrowth negative_in_contact_fraction lithium_trapped_mol_per_m2 \
  stack_pressure_top_of_charge_MPa lithium_in_sei_regrowth_mol_per_m2; do
  grep -q "\"$k\"" "$T/out" && ok "Si cycle has $k" || bad "Si cycle lacks $k"
done
expect_rc "Si cycle CSV" 0 "$BIN" cell cycle "$T/cell_si.json" --cycles 3 --pressure-MPa 5 -o "$T/si.csv" --quiet
head -1 "$T/si.csv" | grep -q 'lithium_contact_fraction,cam_in_contact_fraction,cam_intact_fraction,negative_in_contact_fraction,lithium_trapped_mol_per_m2,stack_pressure_top_of_charge_MPa' &&
  [ "$(wc -l <"$T/si.csv")" -eq 4 ] && ok "CSV has the mechanics columns" || bad "CSV: $(head -2 "$T/si.csv")"
expect_rc "Si composite negative (JSON again)" 0 "$BIN" cell cycle "$T/cell_si.json" --cycles 3 --pressure-MPa 5 --json --quiet
f=$(jall negative_contact_loss)
awk -v f="$f" 'BEGIN{exit !(f > 0)}' && ok "Si contact loss fades ($f mAh/cm2)" || bad "Si fade: $f"
# iface stack: Si composite negative in a stack (closed forms): the pores take the first swelling, then the pressure
# rises; a compliant fixture holds less; creep relaxes it; lithium beyond Li15Si4 and a host without constants
# refused with the key named
expect_rc "stack rigid" 0 "$BIN" iface stack --capacity-mAh-cm2 0.5,2,3,4 --json --quiet
for k in points capacity_mAh_per_cm2 soc host_dv_percent free_volumetric_strain pressure_rise_MPa stack_pressure_MPa; do
  grep -q "\"$k\"" "$T/out" && ok "stack has $k" || bad "stack lacks $k"
done
[ "$(jall pressure_rise_MPa | head -1)" = 0 ] && ok "pores take the first swelling" || bad "rise: $(jall pressure_rise_MPa | tr '\n' ' ')"
jall pressure_rise_MPa | tail -3 | increasing && ok "pressure rises with lithiation" || bad "rise: $(jall pressure_rise_MPa | tr '\n' ' ')"
soc=$(jall soc | sed -n 3p)
awk -v s="$soc" 'BEGIN{exit !(s > 0.5999 && s < 0.6001)}' && ok "3 mAh/cm2 in 20 um of 30 % Si: soc 0.6 (Li conserved)" || bad "soc $soc"
rigid=$(jall stack_pressure_MPa | sed -n 3p)
expect_rc "stack compliant, creeping" 0 "$BIN" iface stack --capacity-mAh-cm2 3 --fixture-GPa-per-mm 1 --pressure-MPa 5 \
  --creep-tau-h 10 --hours 10 --json --quiet
soft=$(jall stack_pressure_MPa); rise=$(jall pressure_rise_MPa)
awk -v a="$soft" -v b="$rigid" -v r="$rise" 'BEGIN{exit !(a < b && a > 5 && (a - 5 - r * exp(-1)) ^ 2 < 1e-18)}' &&
  ok "compliant fixture $soft < rigid $rigid MPa, relaxed by exp(-1)" || bad "soft $soft rigid $rigid rise $rise"
expect_rc "stack beyond Li15Si4" 7 "$BIN" iface stack --capacity-mAh-cm2 3,6 --json
grep -q -- '--capacity-mAh-cm2' "$T/err" && grep -q 'conserved' "$T/err" && [ ! -s "$T/out" ] && ok "overlithiation named, no output" || bad "message: $(cat "$T/err")"
expect_rc "stack host without constants" 10 "$BIN" iface stack --capacity-mAh-cm2 1 --host NCM811
grep -q 'host_molar_volume_cm3_per_mol' "$T/err" && ok "missing host key named" || bad "message: $(cat "$T/err")"
expect_rc "stack zero fixture stiffness" 7 "$BIN" iface stack --capacity-mAh-cm2 1 --fixture-GPa-per-mm 0
expect_rc "stack negative pressure" 7 "$BIN" iface stack --capacity-mAh-cm2 1 --pressure-MPa -1
expect_rc "stack --hours without a relaxation time" 2 "$BIN" iface stack --capacity-mAh-cm2 2 --hours 10
grep -q -- "--creep-tau-h" "$T/err" && ok "message names --creep-tau-h" || bad "message: $(cat "$T/err")"
# Si cracking and micro-Si vs Si|C|SE (examples/cell_si_*.json): both run with the mechanics of their file, the
# cracking keys appear only there; a database without the critical size, cracking asked for: exit 10, key named
EX="$(cd "$(dirname "$0")/../../examples" && pwd)"
for f in cell_si_micro cell_si_c_se; do
  expect_rc "$f cycles" 0 "$BIN" cell cycle "$EX/$f.json" --cycles 3 --json --quiet
  for k in negative_cracking negative_intact_fraction negative_sei_regrowth stack_pressure_top_of_charge_MPa; do
    grep -q "\"$k\"" "$T/out" && ok "$f has $k" || bad "$f lacks $k"
  done
  f2=$(jall negative_cracking)
  awk -v f="$f2" 'BEGIN{exit !(f > 0)}' && ok "$f: Si above 150 nm cracks ($f2 mAh/cm2)" || bad "$f cracking fade: $f2"
done
expect_rc "default cell, cracking on" 0 "$BIN" cell cycle --cycles 2 --pressure-MPa 10 --mechanics cracking --json --quiet
grep -q '"negative_cracking"\|"negative_intact_fraction"' "$T/out" && bad "Li-metal cell shows Si cracking keys" ||
  ok "no Si cracking keys for a Li-metal cell"
mkdir -p "$T/data/iface"
sed 's/"critical_diameter_nm"/"critical_diameter_nm_removed"/' "$(dirname "$0")/../../data/iface/mechanics.json" >"$T/data/iface/mechanics.json"
python3 -c "import json,sys; c=json.load(open(sys.argv[1])); c['interfaces']['mechanics']['cracking']=True; json.dump(c, open(sys.argv[2], 'w'))" \
  "$EX/cell_si_c_se.json" "$T/cell_si_crack.json"
SSBNET_DATA_DIR="$T/data" expect_rc "Si cracking without the critical size" 10 "$BIN" cell cycle "$T/cell_si_crack.json" --cycles 2 --json
grep -q 'critical_diameter_nm' "$T/err" && grep -q 'interfaces.mechanics' "$T/err" && [ ! -s "$T/out" ] &&
  ok "missing critical_diameter_nm named, no output" || bad "message: $(cat "$T/err")"
finish
