#!/usr/bin/env bash
# CLI tests of 'ssbnet materials' and 'ssbnet se': lookups, suggestions, exit codes of bad input.
# usage: test_se.sh SSBNET REFDIR
set -u
BIN="$1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
expect_rc "materials list" 0 "$BIN" materials list
grep -q "Li6PS5Cl" "$T/out" && ok "list shows Li6PS5Cl" || bad "list lacks Li6PS5Cl"
expect_rc "show by alias" 0 "$BIN" materials show LPSCl --json
grep -q '"Li6PS5Cl"' "$T/out" && ok "alias LPSCl finds Li6PS5Cl" || bad "alias lookup: $(head -c 200 "$T/out")"
expect_rc "unknown material" 8 "$BIN" materials show LPSC1
grep -q "Li6PS5Cl" "$T/err" && ok "suggests the closest name" || bad "suggestion: $(cat "$T/err")"
expect_rc "se brick unknown option" 2 "$BIN" se brick --bogus 1
expect_rc "se spacecharge out of range" 7 "$BIN" se spacecharge --eps-r 50 --c-inf-per-m3 1e24 --ratio 1.2
# Option tables (cli/cli_opts.h): help from the table, a word outside the choices exits 4, a number outside its range 7
expect_rc "se brick --help" 0 "$BIN" se brick --help
grep -q -- "--grain-size-um D .*\[um\]" "$T/out" && ok "brick help lists --grain-size-um in um" || bad "brick help: $(grep -- --grain-size-um "$T/out")"
expect_rc "se arrhenius --form outside its choices" 4 "$BIN" se arrhenius --form sigmaX
grep -q "sigmaT,sigma" "$T/err" && ok "form message lists the choices" || bad "form message: $(cat "$T/err")"
expect_rc "se arrhenius --steps 0" 7 "$BIN" se arrhenius --sigma-bulk-S-cm 1e-3 --ea-bulk-eV 0.3 --steps 0
expect_rc "se arrhenius --steps 2.5" 2 "$BIN" se arrhenius --sigma-bulk-S-cm 1e-3 --ea-bulk-eV 0.3 --steps 2.5
expect_rc "se arrhenius --form SIGMA (choices ignore case)" 0 "$BIN" se arrhenius --sigma-bulk-S-cm 1e-3 --ea-bulk-eV 0.3 --form SIGMA --steps 2
expect_rc "se spacecharge --model outside its choices" 4 "$BIN" se spacecharge --model xx
expect_rc "se polycrystal --realisations 0" 7 "$BIN" se polycrystal --realisations 0
expect_rc "se polycrystal --geometry hex" 4 "$BIN" se polycrystal --geometry hex
expect_rc "se leakage malformed number" 2 "$BIN" se leakage --thickness-um 5e
expect_rc "materials list --class outside its choices" 4 "$BIN" materials list --class bogus
expect_rc "materials list --class SE (case)" 0 "$BIN" materials list --class SE --json
grep -q '"Li6PS5Cl"' "$T/out" && ! grep -q '"cathode"' "$T/out" && ok "--class SE lists SEs only" || bad "class SE: $(head -c 300 "$T/out")"
expect_rc "materials show two names" 2 "$BIN" materials show LLZO LPSCl
expect_rc "materials show malformed --temperature-C" 2 "$BIN" materials show LLZO --temperature-C 25C
expect_rc "materials show --ocv-x outside 0..1" 7 "$BIN" materials show NCM811 --ocv-x 1.5
expect_rc "materials show --temperature-C below absolute zero" 7 "$BIN" materials show LLZO --temperature-C -300
# issue 14: bulk and GB known -> a total (brick layer with the record's grain geometry), not null
expect_rc "materials show LLZO total at 60 C" 0 "$BIN" materials show LLZO --temperature-C 60 --json
/usr/bin/env python3 -c "
import json, sys
d = json.load(open('$T/out'))['sigma_ion_at_T']
t, b = d['total_S_per_cm'], d['bulk_S_per_cm']
sys.exit(0 if t is not None and 0 < t < b else 1)" && ok "LLZO total at 60 C below bulk, not null" || bad "LLZO total: $(head -c 400 "$T/out")"
# se arrhenius --fit uses every point (a fixed buffer kept the first 256 and dropped the rest silently): 300 points
# of sigma T = A exp(-Ea/kT) with Ea = 0.35 eV and sigma(25 C) = 5e-4 S/cm, from -50 to 99.5 C, give back 300 points,
# Ea and sigma(25 C) (k = 8.617333262e-5 eV/K, CODATA 2018)
PTS=$(awk 'BEGIN { k = 8.617333262e-5; for (i = 0; i < 300; i++) { tc = -50 + 0.5 * i; T = tc + 273.15;
  s = 5e-4 * (298.15 / T) * exp(-0.35 / k * (1 / T - 1 / 298.15)); printf "%s%g:%.12g", (i ? "," : ""), tc, s } }')
expect_rc "se arrhenius --fit with 300 points" 0 "$BIN" se arrhenius --fit "$PTS" --json
/usr/bin/env python3 -c "
import json, sys
d = json.load(open('$T/out'))
sys.exit(0 if d['points'] == 300 and abs(d['Ea_eV'] - 0.35) < 1e-6 and abs(d['sigma_25C_S_per_cm'] / 5e-4 - 1) < 1e-6
         else 1)" && ok "arrhenius --fit: 300 points, Ea 0.35 eV, sigma(25 C) 5e-4 S/cm" || bad "arrhenius --fit 300 points: $(head -c 300 "$T/out")"
# contradictory sources of one quantity are refused (the second was ignored: --phi0-V 0.2 with --ratio 100 printed
# Phi0 0.187 V), a site fraction outside [0, 1] is out of range
expect_rc "se spacecharge --phi0-V with --ratio" 2 "$BIN" se spacecharge --eps-r 50 --c-inf-per-m3 1e24 --phi0-V 0.2 --ratio 100
grep -q -- "--phi0-V or --ratio" "$T/err" && ok "spacecharge names both options" || bad "spacecharge message: $(cat "$T/err")"
expect_rc "se spacecharge --c-inf-per-m3 with --site-fraction" 2 "$BIN" se spacecharge --eps-r 50 --c-inf-per-m3 1e24 \
  --site-fraction 1e-4 --c-li-mol-m3 4e4 --phi0-V 0.2
expect_rc "se spacecharge --site-fraction 2" 7 "$BIN" se spacecharge --eps-r 50 --site-fraction 2 --c-li-mol-m3 4e4 --phi0-V 0.2
# se brick: an option of the other mode is refused, not ignored (--sigma-bulk-S-cm 1 with fitted arcs ran and the
# sigma_bulk printed was the arcs' 1.04e-3 S/cm)
expect_rc "se brick inverse with --sigma-bulk-S-cm" 2 "$BIN" se brick --r-bulk-ohm 120 --c-bulk-F 4e-11 --r-gb-ohm 850 \
  --c-gb-F 2e-9 --thickness-mm 1 --area-cm2 0.8 --sigma-bulk-S-cm 1
grep -q -- "--sigma-bulk-S-cm belongs to the forward mode" "$T/err" && ok "brick names the forward option" || bad "brick message: $(cat "$T/err")"
expect_rc "se brick forward with --eps-ratio" 2 "$BIN" se brick --material LLZO --grain-size-um 5 --gb-thickness-nm 2 --eps-ratio 2
expect_rc "se brick inverse with --grain-size-um" 0 "$BIN" se brick --r-bulk-ohm 120 --c-bulk-F 4e-11 --r-gb-ohm 850 \
  --c-gb-F 2e-9 --thickness-mm 1 --area-cm2 0.8 --grain-size-um 2 --quiet
# se leakage: the GB geometry takes both numbers (--grain-size-um alone meant no GBs without a word)
expect_rc "se leakage --grain-size-um alone" 2 "$BIN" se leakage --thickness-um 50 --voltage-V 4.2 --sigma-el-S-cm 1e-9 \
  --grain-size-um 5 --sigma-el-gb-S-cm 1e-5
expect_rc "se leakage --gb-thickness-nm alone" 2 "$BIN" se leakage --thickness-um 50 --voltage-V 4.2 --sigma-el-S-cm 1e-9 \
  --gb-thickness-nm 2
grep -q -- "--grain-size-um and --gb-thickness-nm" "$T/err" && ok "leakage names both options" || bad "leakage message: $(cat "$T/err")"
expect_rc "se leakage --sigma-el-gb-S-cm without GBs" 2 "$BIN" se leakage --thickness-um 50 --voltage-V 4.2 \
  --sigma-el-S-cm 1e-9 --sigma-el-gb-S-cm 1e-5
# se arrhenius --fit takes only its points and --form (--t-ref-C 60 was ignored, sigma still given at 25 C)
expect_rc "se arrhenius --fit with --t-ref-C" 2 "$BIN" se arrhenius --fit "25:1e-3,50:2e-3" --t-ref-C 60
grep -q -- "--t-ref-C is not used with --fit" "$T/err" && ok "arrhenius --fit names --t-ref-C" || bad "arrhenius --fit message: $(cat "$T/err")"
expect_rc "se arrhenius --fit with --form sigma" 0 "$BIN" se arrhenius --fit "25:1e-3,50:2e-3" --form sigma
# temperatures below absolute zero are named in C (they were reported as 'T = -26.85 K, must be > 0')
expect_rc "se spacecharge --temperature-C -300" 7 "$BIN" se spacecharge --eps-r 50 --c-inf-per-m3 1e24 --phi0-V 0.2 \
  --temperature-C -300
grep -q -- "--temperature-C: -300 C" "$T/err" && ok "spacecharge names -300 C" || bad "temperature message: $(cat "$T/err")"
expect_rc "se arrhenius --fit at -300 C" 7 "$BIN" se arrhenius --fit "-300:1e-3,25:2e-3"
grep -q -- "-300 C" "$T/err" && ok "arrhenius --fit names -300 C" || bad "arrhenius --fit temperature: $(cat "$T/err")"
# se arrhenius refuses a GB thinner than one atomic layer as se brick does (2e-9 nm ran)
expect_rc "se arrhenius GB of 2e-9 nm" 7 "$BIN" se arrhenius --material LLZO --grain-size-um 5 --gb-thickness-nm 2e-9
grep -q "thinner than one atomic layer" "$T/err" && ok "arrhenius names the atomic-layer limit" || bad "arrhenius GB message: $(cat "$T/err")"
# polycrystal beyond the automatic size (600000 voxels per edge) is out of range: exit 7 with the limit (was 2)
expect_rc "se polycrystal grain 200 um" 7 "$BIN" se polycrystal --grain-size-um 200 --gb-thickness-nm 2 \
  --sigma-bulk-S-cm 1e-3 --sigma-gb-S-cm 1e-5
grep -q "256" "$T/err" && ok "polycrystal names the 256 limit" || bad "polycrystal size message: $(cat "$T/err")"
# no GB (delta = 0): no GB arc, so no C_gb / f_gb apex (C_gb "inf" and f_gb = sigma_gb/(2 pi eps) were printed);
# the bulk stays: C_b = eps_r eps0 A/L = 60 * 8.8541878128e-12 F/m * 1e-4 m2 / 1e-3 m = 5.3125e-11 F
expect_rc "se brick no GB json" 0 "$BIN" se brick --material LLZO --grain-size-um 5 --gb-thickness-nm 0 --eps-r 60 --json
for k in C_gb_F f_gb_Hz sigma_gb_macro_S_per_cm; do
  grep -Eq "\"$k\":[[:space:]]*null" "$T/out" && ok "brick no GB: $k null" || bad "brick no GB: $k $(grep "$k" "$T/out")"
done
cb=$(grep '"C_b_F"' "$T/out" | sed -E 's/.*:[[:space:]]*([-0-9.eE+]+).*/\1/')
awk -v c="$cb" 'BEGIN{exit !(c > 5.312e-11 && c < 5.313e-11)}' && ok "brick no GB: C_b $cb" || bad "brick no GB: C_b '$cb'"
expect_rc "se brick no GB table" 0 "$BIN" se brick --material LLZO --grain-size-um 5 --gb-thickness-nm 0 --eps-r 60
grep -Eq "^C_gb \[F\][[:space:]]+-$" "$T/out" && ok "brick no GB: C_gb shown as -" || bad "brick no GB table: $(grep C_gb "$T/out")"
grep -q "no grain boundaries" "$T/out" && ok "brick no GB: says so" || bad "brick no GB: no note"
finish
