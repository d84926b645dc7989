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
expect_rc "lithium hotter" 0 "$BIN" iface lithium --electrolyte Li6PS5Cl --pressure-MPa 3 --temperature-C 60 --json
c3h=$(jall critical_stripping_current_mA_per_cm2)
awk -v a="$c3h" -v b="$c3" 'BEGIN{exit !(a > b)}' && ok "CCS higher at 60 C ($c3h)" || bad "CCS at 60 C $c3h vs $c3"
expect_rc "lithium table" 0 "$BIN" iface lithium --electrolyte Li6PS5Cl --pressure-MPa 3 --current-mA-cm2 0.1,1
grep -q 'CCS \[mA/cm2\]' "$T/out" && ok "table headers carry units" || bad "table without units"

# bad input: no partial output, key named, distinct codes
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
expect_rc "contact negative pressure" 7 "$BIN" iface contact --material Li6PS5Cl --pressure-MPa -5
grep -q -- '--pressure-MPa' "$T/err" && [ ! -s "$T/out" ] && ok "contact: key named, no output" || bad "message: $(cat "$T/err")"
expect_rc "contact distribution outside the choices" 4 "$BIN" iface contact --material Li6PS5Cl --pressure-MPa 5 --distribution cubic
grep -q 'exponential' "$T/err" && ok "distribution message lists the choices" || bad "message: $(cat "$T/err")"
expect_rc "contact zero roughness" 7 "$BIN" iface contact --material Li6PS5Cl --pressure-MPa 5 --roughness-nm 0
expect_rc "lithium malformed pressure list" 2 "$BIN" iface lithium --electrolyte Li6PS5Cl --pressure-MPa 3,x
expect_rc "contact unknown material" 8 "$BIN" iface contact --material Unobtainium --pressure-MPa 5
finish
