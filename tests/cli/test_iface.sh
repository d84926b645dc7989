#!/usr/bin/env bash
# CLI tests of 'ssbnet iface' and 'ssbnet cell cycle': JSON keys the issue names, numbers, exit codes of bad
# input, no partial output.
# usage: test_iface.sh SSBNET REFDIR
set -u
BIN="$1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
# value of a top-level JSON number/string/bool in $T/out (python3 is not installed everywhere: grep/sed)
jget() { tr -d '\n\t ' <"$T/out" | grep -o "\"$1\":[^,}]*" | head -1 | sed 's/^[^:]*://; s/"//g'; }

# stability: NCM811 | Li6PS5Cl unstable above the SE's oxidation limit, SEI, coatings ranked with sources
expect_rc "stability NCM811|Li6PS5Cl" 0 "$BIN" iface stability --electrode NCM811 --electrolyte Li6PS5Cl --json
[ "$(jget stable)" = "false" ] && ok "Li6PS5Cl unstable at NCM811" || bad "stable = $(jget stable)"
[ "$(jget interphase_type)" = "SEI" ] && ok "interphase type SEI" || bad "interphase_type = $(jget interphase_type)"
grep -q '"unstable_ranges_V"' "$T/out" && ok "has unstable_ranges_V" || bad "no unstable_ranges_V"
for c in LiNbO3 Li3PO4; do
  grep -q "\"name\":[[:space:]]*\"$c\"" "$T/out" && ok "$c ranked as a coating" || bad "$c missing from coatings"
done
n_src=$(grep -c '"source"' "$T/out"); [ "$n_src" -ge 3 ] && ok "values carry sources ($n_src)" || bad "sources: $n_src"
expect_rc "stability Li|LLZO" 0 "$BIN" iface stability --electrode Li --electrolyte LLZO --json
[ "$(jget nearly_stable)" = "true" ] && ok "LLZO nearly stable against Li" || bad "LLZO: $(jget nearly_stable)"
expect_rc "stability without window data" 0 "$BIN" iface stability --electrode Li --electrolyte Li6PS5Br --json
[ "$(jget stable)" = "unknown" ] && [ "$(jget interphase_type)" = "unknown" ] && ok "no data -> unknown, not stable" \
  || bad "Li6PS5Br: stable=$(jget stable) type=$(jget interphase_type)"
expect_rc "stability table" 0 "$BIN" iface stability --electrode NCM811 --electrolyte LPSCl --coating LiNbO3
grep -q 'E_ox \[V\]' "$T/out" && ok "table headers carry units" || bad "table without units"

# growth: Li|LGPS parabolic (slope 0.5), keys of the issue
expect_rc "growth Li|LGPS" 0 "$BIN" iface growth --electrode Li --electrolyte LGPS --hours 24 --json
[ "$(jget law)" = "parabolic" ] && ok "law parabolic" || bad "law = $(jget law)"
for k in t_h thickness_nm resistance_ohm_cm2; do grep -q "\"$k\"" "$T/out" && ok "growth has $k" || bad "growth lacks $k"; done
s=$(jget loglog_slope_last_decade)
awk -v s="$s" 'BEGIN{exit !(s > 0.48 && s < 0.52)}' && ok "log-log slope $s" || bad "slope $s"
expect_rc "growth Li|LiPON linear law override" 0 "$BIN" iface growth --electrode Li --electrolyte LiPON --hours 10 \
  --law linear --linear-rate-nm-per-h 2.5 --json
s=$(jget loglog_slope_last_decade)
[ "$(jget law)" = "linear" ] && ok "law linear" || bad "law = $(jget law)"
expect_rc "growth at 60 C with an activation energy" 0 "$BIN" iface growth --electrode Li --electrolyte LGPS --hours 24 \
  --temperature-C 60 --activation-energy-kJ-per-mol 40 --json
f=$(jget rate_factor)
awk -v f="$f" 'BEGIN{e=exp(-40000/8.314462618*(1/333.15-1/298.15)); d=f/e-1; if(d<0)d=-d; exit !(d < 1e-9)}' \
  && ok "Arrhenius rate factor $f" || bad "rate factor $f"
# the records give Ea = 0 where none is reported (data/iface/interfaces.json notes): away from 25 C that is said,
# not passed off as temperature-independent growth
expect_rc "growth at 80 C without Ea" 0 "$BIN" iface growth --electrode Li --electrolyte LGPS --hours 24 --temperature-C 80 --json
grep -q -- '--activation-energy-kJ-per-mol' "$T/err" && ok "no-Ea warning at 80 C" || bad "no warning: $(cat "$T/err")"
expect_rc "growth at 25 C" 0 "$BIN" iface growth --electrode Li --electrolyte LGPS --hours 24 --json
! grep -q 'activation energy' "$T/err" && ok "no warning at the records' temperature" || bad "warning at 25 C: $(cat "$T/err")"
expect_rc "deal-grove without k_l" 6 "$BIN" iface growth --electrode Li --electrolyte LGPS --hours 5 --law deal-grove
grep -q linear_rate_nm_per_h "$T/err" && ok "message names the missing parameter" || bad "message: $(cat "$T/err")"
expect_rc "growth of a stable pair" 0 "$BIN" iface growth --electrode In-Li --electrolyte Li3YCl6 --hours 5 --json
[ "$(jget law)" = "none" ] && [ "$(jget interphase_type)" = "stable" ] && ok "stable pair: no interphase" \
  || bad "stable pair: law $(jget law), type $(jget interphase_type)"
expect_rc "growth of a pair without data" 8 "$BIN" iface growth --electrode Li --electrolyte LATP --hours 5
expect_rc "growth unknown material" 8 "$BIN" iface growth --electrode Li --electrolyte unobtainium --hours 5
expect_rc "growth negative hours" 7 "$BIN" iface growth --electrode Li --electrolyte LGPS --hours -5
grep -q -- '--hours' "$T/err" && ok "negative hours names --hours" || bad "message: $(cat "$T/err")"
expect_rc "growth law outside the choices" 4 "$BIN" iface growth --electrode Li --electrolyte LGPS --hours 5 --law cubic
grep -q 'deal-grove' "$T/err" && ok "law message lists the choices" || bad "message: $(cat "$T/err")"
# a pair without a record (NCM622|Li6PS5Cl: a common other cathode) exits 8 and names the pairs that have data
expect_rc "coating on a pair without data" 8 "$BIN" iface coating --electrode NCM622 --electrolyte Li6PS5Cl --coating LiNbO3 --hours 10
grep -q 'NCM811|Li6PS5Cl' "$T/err" && ok "message lists the pairs with data" || bad "message: $(cat "$T/err")"
expect_rc "growth points out of range" 7 "$BIN" iface growth --electrode Li --electrolyte LGPS --hours 5 --points 0
expect_rc "growth one time point" 7 "$BIN" iface growth --electrode Li --electrolyte LGPS --hours 5 --points 1
# units off by 1000 (mV for V, K for C, mV cut-offs) are refused naming the option, nothing written
expect_rc "growth potential in mV" 7 "$BIN" iface growth --electrode NCM811 --electrolyte Li6PS5Cl --hours 5 --potential-V 4300
grep -q -- '--potential-V' "$T/err" && [ ! -s "$T/out" ] && ok "potential message names --potential-V" || bad "message: $(cat "$T/err")"
expect_rc "growth temperature 1e6 C" 7 "$BIN" iface growth --electrode Li --electrolyte LGPS --hours 5 --temperature-C 1e6
expect_rc "growth negative rate constant" 7 "$BIN" iface growth --electrode Li --electrolyte LGPS --hours 5 --rate-constant-nm2-per-h -5
grep -q -- '--rate-constant-nm2-per-h' "$T/err" && ok "rate message names the option" || bad "message: $(cat "$T/err")"
expect_rc "stability cut-off in mV" 7 "$BIN" iface stability --electrode NCM811 --electrolyte Li6PS5Cl --cutoff-high 4300
expect_rc "cycle cut-off in mV" 7 "$BIN" cell cycle --cycles 1 --v-max 4200 --json
grep -q -- '--v-max' "$T/err" && [ ! -s "$T/out" ] && ok "cycle message names --v-max" || bad "message: $(cat "$T/err")"
expect_rc "cycle negative hold" 7 "$BIN" cell cycle --cycles 1 --hold-crate -1
expect_rc "spacecharge sigma and electrolyte" 2 "$BIN" iface spacecharge --phi0-V 0.2 --eps-r 30 --c-inf-per-m3 1e26 \
  --sigma-S-per-cm 1e-3 --electrolyte Li6PS5Cl
# a negative electrode's window is its OCV vs Li (graphite below 0.2 V lithiated, Dahn, Phys. Rev. B 44, 9170
# (1991)), not the positive's 3.0-4.3 V: Li6PS5Cl is reduced there (E_red 1.71 V, Zhu, He, Mo 2015)
expect_rc "stability graphite|Li6PS5Cl" 0 "$BIN" iface stability --electrode graphite --electrolyte Li6PS5Cl --json
w=$(tr -d '\n\t ' <"$T/out" | grep -o '"operating_window_V":\[[^]]*\]' | sed 's/.*\[//; s/\]//')
awk -v w="$w" 'BEGIN{split(w, a, ","); exit !(a[1] < 0.2 && a[2] < 3.0 && a[1] < a[2])}' && ok "graphite window $w V" || bad "graphite window $w"
u=$(tr -d '\n\t ' <"$T/out" | grep -o '"unstable_ranges_V":\[\[[^]]*\]' | sed 's/.*\[//; s/\]//')
awk -v u="$u" 'BEGIN{split(u, a, ","); exit !(a[2] + 0 > 1.7099 && a[2] + 0 < 1.7101)}' && ok "graphite: reduced below 1.71 V ($u)" || bad "unstable $u"
expect_rc "graphite with the positive's cut-offs" 7 "$BIN" iface stability --electrode graphite --electrolyte Li6PS5Cl \
  --cutoff-low 3 --cutoff-high 4.3
grep -q graphite "$T/err" && ok "cut-off message names the electrode" || bad "message: $(cat "$T/err")"
expect_rc "growth malformed number" 2 "$BIN" iface growth --electrode Li --electrolyte LGPS --hours 5h
expect_rc "growth stray argument" 2 "$BIN" iface growth --electrode Li --electrolyte LGPS --hours 5 extra

# coating scan: finite optimum, plot written, bad grids refused
# a coating outside its own computed window says so (LiNbO3 1.9 - 3.7 V: Zhu, He, Mo, J. Mater. Chem. A 4, 3253
# (2016); Li metal is at 0 V, so LiNbO3 on Li is reduced); Al2O3 (0.2 - >= 4.5 V) at 4.3 V is inside
expect_rc "LiNbO3 on Li" 0 "$BIN" iface coating --electrode Li --electrolyte Li6PS5Cl --coating LiNbO3 --hours 10 --json
[ "$(jget coating_stable_at_potential)" = "false" ] && ok "LiNbO3 at 0 V: outside its window" || bad "LiNbO3 on Li: $(jget coating_stable_at_potential)"
expect_rc "LiNbO3 on Li (text)" 0 "$BIN" iface coating --electrode Li --electrolyte Li6PS5Cl --coating LiNbO3 --hours 10
grep -q "not modelled" "$T/out" && ok "text notes the coating's instability" || bad "no note"
expect_rc "Al2O3 on NCM811" 0 "$BIN" iface coating --electrode NCM811 --electrolyte Li6PS5Cl --coating Al2O3 --hours 10 --json
[ "$(jget coating_stable_at_potential)" = "true" ] && ok "Al2O3 at 4.3 V: inside its window" || bad "Al2O3: $(jget coating_stable_at_potential)"
expect_rc "coating LiNbO3" 0 "$BIN" iface coating --electrode NCM811 --electrolyte Li6PS5Cl --coating LiNbO3 --hours 1000 \
  --json --plot "$T/coat.png"
grep -q '"optimum"' "$T/out" && ok "coating reports the optimum" || bad "no optimum"
[ -s "$T/coat.png" ] && ok "coating plot written" || bad "no coating plot"
expect_rc "coating negative thickness" 7 "$BIN" iface coating --electrode NCM811 --electrolyte LPSCl --coating LiNbO3 \
  --hours 10 --thickness-nm 5,-1
expect_rc "coating coverage above 1" 7 "$BIN" iface coating --electrode NCM811 --electrolyte LPSCl --coating LiNbO3 \
  --hours 10 --coverage 0.5,1.2
grep -q coverage "$T/err" && ok "message names coverage" || bad "message: $(cat "$T/err")"

# space charge
expect_rc "spacecharge" 0 "$BIN" iface spacecharge --phi0-V 0.2 --eps-r 30 --c-inf-per-m3 1e26 --electrolyte LPSCl --json
grep -q '"space_charge_resistance_ohm_cm2"' "$T/out" && ok "spacecharge resistance reported" || bad "no resistance"
expect_rc "spacecharge phi0 in mV" 7 "$BIN" iface spacecharge --phi0-V 200 --eps-r 30 --c-inf-per-m3 1e26 --electrolyte LPSCl
grep -q -- "--phi0-V" "$T/err" && ok "phi0 message names --phi0-V" || bad "message: $(cat "$T/err")"

# cell cycle: keys, fade split, CSV, plot
expect_rc "cell cycle 5" 0 "$BIN" cell cycle --cycles 5 --json -o "$T/cycles.csv" --plot "$T/cycles.png" --quiet
for k in cycle discharge_capacity_mAh_per_cm2 capacity_retention fade_by_mechanism; do
  grep -q "\"$k\"" "$T/out" && ok "cycle has $k" || bad "cycle lacks $k"
done
[ "$(wc -l <"$T/cycles.csv")" -eq 6 ] && ok "CSV has 5 cycles" || bad "CSV lines: $(wc -l <"$T/cycles.csv")"
[ -s "$T/cycles.png" ] && ok "cycle plot written" || bad "no cycle plot"

# a cathode pair that decomposes without growth data: cell cycle says what design compare says (ageing_note: the
# aged resistance is the fresh one; both take the words from ssb_iface_no_growth_note). NCM811 | LLZO: LLZO oxidises above 2.91 V (computed window, Zhu, He, Mo, ACS
# Appl. Mater. Interfaces 7, 23685 (2015)), below NCM811's 3.5-4.3 V; data/iface/interfaces.json has no such record.
EXC="$(cd "$(dirname "$0")/../.." && pwd)/examples/cell.json"
sed 's/"Li6PS5Cl"/"Li7La3Zr2O12"/g' "$EXC" >"$T/llzo.json"
NOTE='NCM811|Li7La3Zr2O12 is unstable but has no interphase growth data (data/iface/interfaces.json): its aged resistance is the fresh one, growth not modelled'
expect_rc "cell cycle NCM811|LLZO" 0 "$BIN" cell cycle "$T/llzo.json" --cycles 2 --json --quiet
grep '"ageing_note"' "$T/out" | grep -qF "\"$NOTE\"" && ok "cycle JSON: positive ageing_note" || bad "no ageing_note: $(grep -o '"positive"[^}]*' "$T/out")"
r=$(tr -d '\n\t ' <"$T/out" | grep -o '"positive_interface_resistance_ohm_cm2":\[[^]]*' | sed 's/.*\[//')
[ -n "$r" ] && awk -v r="$r" 'BEGIN{n=split(r,a,","); exit !(n == 2 && a[1] == a[2])}' && ok "R_pos stays fresh ($r)" \
  || bad "R_pos per cycle: $r"
expect_rc "cell cycle NCM811|LLZO table" 0 "$BIN" cell cycle "$T/llzo.json" --cycles 1 --quiet
grep -qF "positive $NOTE" "$T/out" && ok "cycle table: the note" || bad "table: $(grep positive "$T/out" | head -1)"
# the same with --interfaces-data: the note names the file read, not the built-in one
cp "$(dirname "$EXC")/../data/iface/interfaces.json" "$T/my_interfaces.json"
expect_rc "cell cycle NCM811|LLZO --interfaces-data" 0 "$BIN" cell cycle "$T/llzo.json" --cycles 1 --json --quiet \
  --interfaces-data "$T/my_interfaces.json"
grep '"ageing_note"' "$T/out" | grep -qF "growth data ($T/my_interfaces.json)" && ok "ageing_note names the file read" \
  || bad "ageing_note file: $(grep -o '"ageing_note"[^,]*' "$T/out" | head -2)"

# a carbon-free positive (examples/cell_carbon_free.json: no carbon phase) has no SE|carbon interface to age
expect_rc "cell cycle carbon-free" 0 "$BIN" cell cycle "$(dirname "$EXC")/cell_carbon_free.json" --cycles 1 --quiet
grep -q '^  carbon .*no ageing (no carbon in the positive)' "$T/out" && ok "carbon-free: no carbon to age" \
  || bad "carbon-free: $(grep '^  carbon' "$T/out")"

# bad interface blocks: key named, distinct codes, no output file
# the README's example cell with an interfaces block added
EX="$(cd "$(dirname "$0")/../.." && pwd)/examples/cell.json"
cell() { { printf '{"interfaces": %s,\n' "$1"; sed '1s/^[[:space:]]*{//' "$EX"; } >"$T/c.json"; }
cell '{"positive": {"model": "cubic"}}'
expect_rc "unknown model" 8 "$BIN" cell cycle "$T/c.json" --cycles 2 -o "$T/bad.csv"
grep -q 'model' "$T/err" && ok "message names model" || bad "message: $(cat "$T/err")"
[ ! -e "$T/bad.csv" ] && ok "no partial CSV" || bad "partial CSV left"
cell '{"negative": {"electrolyte": "unobtainium"}}'
expect_rc "unknown material" 8 "$BIN" cell cycle "$T/c.json" --cycles 2
cell '{"positive": {"coating": {"material": "LiNbO3", "thickness_nm": -3}}}'
expect_rc "negative thickness" 7 "$BIN" cell cycle "$T/c.json" --cycles 2
grep -q 'thickness_nm' "$T/err" && ok "message names thickness_nm" || bad "message: $(cat "$T/err")"
cell '{"positive": {"coating": {"material": "LiNbO3", "thickness_nm": 5e9}}}'
expect_rc "coating 5 m thick (unit slip)" 7 "$BIN" cell cycle "$T/c.json" --cycles 2 --json
grep -q 'thickness_nm' "$T/err" && [ ! -s "$T/out" ] && ok "thick coating refused naming thickness_nm" || bad "message: $(cat "$T/err")"
expect_rc "coating scan beyond 1 um" 7 "$BIN" iface coating --electrode NCM811 --electrolyte Li6PS5Cl --coating LiNbO3 \
  --hours 10 --thickness-nm 5000000
cell '{"positive": {"coating": {"material": "LiNbO3", "thickness_nm": 3, "coverage": 1.5}}}'
expect_rc "coverage above 1" 7 "$BIN" cell cycle "$T/c.json" --cycles 2
cell '{"negative": {"model": "parabolic", "interphase_ionic_conductivity_S_per_cm": 1e-6}}'
expect_rc "missing growth parameter" 6 "$BIN" cell cycle "$T/c.json" --cycles 2 --json
grep -q 'rate_constant_nm2_per_h' "$T/err" && ok "message names rate_constant_nm2_per_h" || bad "message: $(cat "$T/err")"
[ ! -s "$T/out" ] && ok "no partial JSON" || bad "stdout not empty"
cell '{"positive": {"coating": {"material": "LiNbO3", "thickness_nm": 8, "coverage": 0.95}}}'
expect_rc "coated cell cycles" 0 "$BIN" cell cycle "$T/c.json" --cycles 3 --quiet
expect_rc "cell run still accepts the block" 0 "$BIN" cell run "$T/c.json" -p "Discharge at 1C until 3.5 V" --quiet
# no growth, no fade; the fade split adds up to the total
cell '{"positive": {"rate_constant_nm2_per_h": 0}, "negative": {"rate_constant_nm2_per_h": 0}}'
expect_rc "cycle without growth" 0 "$BIN" cell cycle "$T/c.json" --cycles 4 --json --quiet
[ "$(jget total_fade_mAh_per_cm2)" = "0" ] && ok "no growth -> no fade" || bad "fade $(jget total_fade_mAh_per_cm2)"
expect_rc "cycle with growth" 0 "$BIN" cell cycle --cycles 30 --json --quiet
sum=$(tr -d '\n\t ' <"$T/out" | grep -o '"fade_by_mechanism":{[^}]*}' | grep -o ':[-0-9.e+]*' | tr -d ':' |
  awk '{s+=$1} END{printf "%.15g", s}')
tot=$(jget total_fade_mAh_per_cm2)
awk -v a="$sum" -v b="$tot" 'BEGIN{d=a-b; if(d<0)d=-d; exit !(b > 0 && d <= 1e-9 * b)}' && ok "fade by mechanism sums to the total ($tot)" \
  || bad "fade sum $sum vs total $tot"
# SE|carbon decomposition: its area is an input; it costs ionic conductivity
cell '{"carbon": {"area_per_volume_per_m": 3e5}}'
expect_rc "cycle with SE|carbon ageing" 0 "$BIN" cell cycle "$T/c.json" --cycles 6 --json --quiet
awk -v f="$(jget ionic_network_loss)" 'BEGIN{exit !(f > 0)}' && ok "SE|carbon decomposition costs capacity" \
  || bad "ionic_network_loss = $(jget ionic_network_loss)"
cell '{"carbon": {}}'
expect_rc "SE|carbon without its area" 6 "$BIN" cell cycle "$T/c.json" --cycles 2
grep -q area_per_volume_per_m "$T/err" && ok "message names area_per_volume_per_m" || bad "message: $(cat "$T/err")"
expect_rc "cycle with --set" 0 "$BIN" cell cycle --cycles 2 --set positive.thickness_um=40 --json --quiet
expect_rc "cycle with a bad --set key" 8 "$BIN" cell cycle --cycles 2 --set positive.thickness=40
expect_rc "cycle without --cycles" 2 "$BIN" cell cycle
finish
