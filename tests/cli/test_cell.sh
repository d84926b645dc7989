#!/usr/bin/env bash
# CLI tests of 'ssbnet cell' and 'ssbnet run': outputs, JSON keys, exit codes of bad input, no partial files.
# usage: test_cell.sh SSBNET REFDIR
set -u
BIN="$1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"

# the main job on a small generated cathode: report, plots, CSV
expect_rc "run (48^3 cathode)" 0 "$BIN" run --size 48 -o "$T/run" --rates 0.5,2 --quiet
for f in report.json voltage_curves rate_capability overpotential_breakdown discharge_0.5C.csv cathode.tif; do
  ls "$T/run/$f"* >/dev/null 2>&1 && ok "run wrote $f" || bad "run did not write $f"
done
grep -q '"bottleneck"' "$T/run/report.json" && ok "report names the bottleneck" || bad "report lacks bottleneck"
grep -q '"active_fraction"' "$T/run/report.json" && ok "report has the active CAM fraction" || bad "report lacks active_fraction"
grep -q '"capacity_mAh_per_cm2"' "$T/run/report.json" && ok "report has capacities" || bad "report lacks capacities"
if ls "$T/run/"*.tmp* >/dev/null 2>&1; then bad "temporary files left"; else ok "no temporary files"; fi

# the example cell file of the README, for both commands
EX="$(cd "$(dirname "$0")/../.." && pwd)/examples/cell.json"
expect_rc "run examples/cell.json" 0 "$BIN" run "$EX" --size 40 --rates 1 -o "$T/ex" --quiet
grep -Eq '"interface_positive":[[:space:]]*(0\.0*[1-9]|[1-9])' "$T/ex/report.json" && ok "example report has a positive interface-resistance loss" || bad "example report lacks the interface loss"
# a composite negative with carbon that names none: the Wh/kg note names the key and how to give it
sed '/"type": "composite"/s/, "carbon": "carbon black",/,/' "$(dirname "$EX")/cell_si_c_se.json" >"$T/nocb.json"
expect_rc "cell rates, negative carbon unnamed" 0 "$BIN" cell rates "$T/nocb.json" --rates 1 --quiet
grep -qF "the cell lacks negative.density_carbon_kg_per_m3; name the electrode's \"carbon\"" "$T/out" \
  && ok "rates: carbon density hint" || bad "rates: $(tail -1 "$T/out")"
expect_rc "run --no-micro, negative carbon unnamed" 0 "$BIN" run "$T/nocb.json" --no-micro --rates 1 -o "$T/nocb" --quiet
grep -qF "the cell lacks negative.density_carbon_kg_per_m3; name the electrode's \"carbon\"" "$T/out" \
  && ok "run: carbon density hint" || bad "run: $(grep lacks "$T/out")"
expect_rc "cell run examples/cell.json" 0 "$BIN" cell run "$EX" -p "Discharge at 1C until 3.5 V" --quiet

# a segmented image without phase roles is refused with a message; with --phase-map it runs
echo '{"phases": [{"label": 0, "name": "a"}, {"label": 1, "name": "b"}, {"label": 2, "name": "c"}, {"label": 3, "name": "d"}]}' >"$T/noroles.json"
expect_rc "run --image without roles" 8 "$BIN" run --image "$T/run/cathode.tif" --phases "$T/noroles.json" -o "$T/img0"
expect_rc "run --image of the generated cathode" 0 "$BIN" run --image "$T/run/cathode.tif" --rates 1 -o "$T/img" --quiet

# cell model: protocol errors point at the word; a cut-off that is never reached has its own exit code
expect_rc "protocol parse error" 4 "$BIN" cell run -p "Discharge at 1C untill 3.5 V"
grep -q "untill" "$T/err" && grep -q "column" "$T/err" && ok "protocol message points at the word" || bad "protocol message: $(cat "$T/err")"
expect_rc "cut-off never reached" 14 "$BIN" cell run --set numerics.max_step_duration_s=600 \
    -p "Discharge at C/2 until 2.0 V" -o "$T/never.csv"
[ ! -e "$T/never.csv" ] && ok "no partial CSV after a failed run" || bad "partial CSV left"
# an electrode exhausted before the cut-off (every particle surface at its limit, the voltage falling without bound)
# ends the step with its own end reason, not an error
expect_rc "exhausted electrode ends the step" 0 "$BIN" cell run -p "Discharge at C/2 until 2.0 V; Rest for 10 min" --json
grep -q '"end":[[:space:]]*"exhausted"' "$T/out" && grep -q '"end":[[:space:]]*"duration"' "$T/out" && ok "end reason exhausted, next step runs" ||
    bad "exhausted end: $(head -c 300 "$T/out")"
# a liquid electrolyte that runs out (DUALFOIL's default deck at 300 A/m2, no cut-off): the voltage collapses and the
# step ends 'depleted' with the zone, exit 0 (was exit 9 after numerics.max_steps)
DECK="$2/cell/dualfoil/B_deck.cell.json"
expect_rc "depleted electrolyte ends the step" 0 "$BIN" cell run "$DECK" -p "Discharge at 300 A/m2 for 10 min" --json
grep -q '"end":[[:space:]]*"depleted"' "$T/out" && grep -q '"depleted_from_um"' "$T/out" && ok "end reason depleted with its zone" ||
    bad "depleted end: $(head -c 300 "$T/out")"
expect_rc "depleted electrolyte, table" 0 "$BIN" cell run "$DECK" -p "Discharge at 300 A/m2 for 10 min"
grep -q "the electrolyte is depleted from x = 150 to 225 um (positive)" "$T/out" && ok "depleted zone printed" ||
    bad "depleted note: $(tail -c 300 "$T/out")"
# a charge whose graphite surfaces next to the separator saturate (fast kinetics: DUALFOIL stops there with "did
# not converge" at 2138.6 s) ends 'saturated' with its zone (was exit 9); tests/unit/test_cell_end_charge.c
expect_rc "saturated charge ends the step" 0 "$BIN" cell run "$DECK" -p "Discharge at 24 A/m2 for 30 min; Charge at 150 A/m2 until 4.5 V" --json
grep -q '"end":[[:space:]]*"saturated"' "$T/out" && grep -q '"saturated_from_um"' "$T/out" && ok "end reason saturated with its zone" ||
    bad "saturated end: $(head -c 300 "$T/out")"
expect_rc "saturated charge, table" 0 "$BIN" cell run "$DECK" -p "Discharge at 24 A/m2 for 30 min; Charge at 150 A/m2 until 4.5 V"
grep -q "the particle surfaces of the negative electrode from x = [0-9.]* to 100 um are full" "$T/out" && ok "saturated zone printed" ||
    bad "saturated note: $(tail -c 300 "$T/out")"
expect_rc "cell run json" 0 "$BIN" cell run -p "Discharge at 1C until 3.5 V" --json
grep -q '"steps"' "$T/out" && ok "cell JSON has steps" || bad "cell JSON lacks steps"

# a rate the cell cannot carry (200 um cathode at 10C: the voltage under load at t = 0+ is below the cut-off) is
# reported as not sustained, with the reason, never as capacity 0 / nan
expect_rc "cell rates with an unsustainable rate" 0 "$BIN" cell rates --set positive.thickness_um=200 --rates 2,10
grep -Eq '^10 .*not sustained' "$T/out" && ok "table marks 10C as not sustained" || bad "table: $(cat "$T/out")"
grep -q 'not sustained: at 10C the voltage under load at t = 0+' "$T/out" && ok "table gives the reason" || bad "no reason: $(cat "$T/out")"
grep -qi 'nan' "$T/out" && bad "table prints nan" || ok "no nan in the table"
# a cell without densities (DUALFOIL's deck B): '-' per gram and per stack and the keys it lacks, never "nan"
expect_rc "cell rates without densities" 0 "$BIN" cell rates "$DECK" --rates 1
grep -qiw 'nan' "$T/out" && bad "rates table prints nan: $(cat "$T/out")" || ok "no nan without densities"
grep -q "the cell lacks positive.density_active_kg_per_m3" "$T/out" && ok "rates name the missing density" ||
    bad "no density note: $(cat "$T/out")"
expect_rc "cell run without densities" 0 "$BIN" cell run "$DECK" -p "Discharge at 24 A/m2 for 30 min"
grep -qiw 'nan' "$T/out" && bad "run summary prints nan: $(cat "$T/out")" || ok "run summary: no nan"
expect_rc "cell rates --json with an unsustainable rate" 0 "$BIN" cell rates --set positive.thickness_um=200 --rates 2,10 --json
grep -Eq '"sustained":[[:space:]]*false' "$T/out" && grep -q '"reason":' "$T/out" && grep -q '"start_breakdown"' "$T/out" \
  && ok "JSON: sustained false, reason, start breakdown" || bad "JSON lacks sustained/reason"
grep -Eq '"sustained":[[:space:]]*true' "$T/out" && ok "JSON: 2C sustained" || bad "JSON: 2C not marked sustained"

# bad cell files for 'run': every message names the key and value; nothing written
echo '{"positive": {"thickness_um": -3}}' >"$T/neg.json"
expect_rc "negative thickness" 7 "$BIN" run "$T/neg.json" -o "$T/bad1"
grep -q "thickness_um = -3" "$T/err" && ok "message names key and value" || bad "message: $(cat "$T/err")"
[ ! -e "$T/bad1" ] && ok "no output folder on bad input" || bad "output folder created on bad input"
echo '{"positive": {"porosity": 1.2}}' >"$T/por.json"
expect_rc "porosity above 1" 7 "$BIN" run "$T/por.json" -o "$T/bad2"
echo '{"positive": {"active_material": "NCM812"}}' >"$T/mat.json"
expect_rc "unknown material" 8 "$BIN" run "$T/mat.json" -o "$T/bad3"
grep -q "NCM811" "$T/err" && ok "suggests NCM811" || bad "suggestion: $(cat "$T/err")"
echo '{"positive": {"thickness_um": 60,}' >"$T/malformed.json"
expect_rc "malformed JSON" 6 "$BIN" run "$T/malformed.json" -o "$T/bad4"
grep -q "malformed.json:1:" "$T/err" && ok "JSON error gives file:line:col" || bad "JSON message: $(cat "$T/err")"
echo '{"run": {"rates_C": [1, -2]}}' >"$T/rates.json"
expect_rc "negative C-rate" 7 "$BIN" run "$T/rates.json" -o "$T/bad5"
# the separator's conductivity that 'run' reports is the one the model uses at the cell temperature (it printed the
# 25 C value, 0.195 S/m, labelled 333.1 K): Li6PS5Cl 0.195 S/m at 25 C, sigma T Arrhenius with 0.37 eV (database)
expect_rc "run at 60 C" 0 "$BIN" run --no-micro --rates 1 --set temperature_C=60 --json -q -o "$T/r60"
cp "$T/out" "$T/r60.json"
expect_rc "cell rates at 60 C" 0 "$BIN" cell rates --rates 1 --set temperature_C=60 --json -q
python3 - "$T/r60.json" "$T/out" >"$T/chk" 2>&1 <<'PY'
import json, math, sys
a = json.load(open(sys.argv[1]))["cell"]["separator_sigma_eff_S_per_m"]
b = json.load(open(sys.argv[2]))["cell"]["separator_sigma_eff_S_per_m"]
T0, T = 298.15, 333.15
want = 0.195 * (T0 / T) * math.exp(-0.37 / 8.617333262e-5 * (1 / T - 1 / T0))
assert abs(a / want - 1) < 2e-3 and abs(a / b - 1) < 1e-12, (a, b, want)
print("ok")
PY
grep -q "^ok" "$T/chk" && ok "run and cell rates: separator sigma at 60 C" || bad "separator sigma at 60 C: $(cat "$T/chk")"
"$BIN" run --no-micro --rates 1 --set temperature_C=60 -q -o "$T/r60t" | grep -q "sigma = 0.792" \
  && ok "run table: separator sigma at 60 C" || bad "run table: separator sigma at 60 C"
# 1e400 reads as inf: refused, and the range no longer reads 'above 0 to inf' as if inf were allowed
echo '{"positive": {"thickness_um": 1e400}}' >"$T/inf.json"
expect_rc "thickness inf" 7 "$BIN" cell run "$T/inf.json" -q
grep -q "positive.thickness_um = inf is out of range (valid: above 0, finite)" "$T/err" && ok "inf: valid range" \
  || bad "inf message: $(cat "$T/err")"
# a value refused when the cell is built (not by the reader) names the cell file too
"$BIN" cell defaults >"$T/def.json"
python3 - "$T/def.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["positive"]["particle_radius_um"] = 100
json.dump(d, open(sys.argv[1], "w"))
PY
expect_rc "cathode thinner than its particles" 7 "$BIN" cell run "$T/def.json" -q
grep -q "error: $T/def.json: positive.thickness_um = 60 is less than the particle diameter (200 um)" "$T/err" \
  && ok "message names file, key, value" || bad "message: $(cat "$T/err")"
# a word outside its fixed set is an invalid value (exit 4, README "Exit codes"), a wrong JSON type malformed (6)
echo '{"electrolyte": {"type": "solid"}}' >"$T/etype.json"
expect_rc "electrolyte.type misspelled" 4 "$BIN" run "$T/etype.json" -o "$T/bad6"
grep -q "electrolyte.type = 'solid'.*single_ion, liquid" "$T/err" && ok "message names key, word, choices" || bad "message: $(cat "$T/err")"
echo '{"negative": {"type": "lithium"}}' >"$T/ntype.json"
expect_rc "negative.type misspelled" 4 "$BIN" cell run "$T/ntype.json" -p "Rest for 1 s"
grep -q "negative.type = 'lithium'.*lithium_metal, composite" "$T/err" && ok "message names key, word, choices" || bad "message: $(cat "$T/err")"
echo '{"electrolyte": {"type": 1}}' >"$T/etype1.json"
expect_rc "electrolyte.type a number" 6 "$BIN" cell run "$T/etype1.json" -p "Rest for 1 s"
echo '{"microstructure": {"diffusion_length": "paths"}}' >"$T/dl.json"
expect_rc "microstructure.diffusion_length misspelled" 4 "$BIN" run "$T/dl.json" -o "$T/bad7"
[ ! -e "$T/bad6" ] && [ ! -e "$T/bad7" ] && ok "no output folder on a bad word" || bad "output folder created on a bad word"
expect_rc "unknown option" 2 "$BIN" run --frobnicate

# Option tables (cli/cli_opts.h): --help comes from the table; malformed 2, out of range 7, with the option named.
expect_rc "cell --help" 0 "$BIN" cell run --help
grep -q -- "--cutoff V .*\[V\]" "$T/out" && ok "cell help lists --cutoff with its unit" || bad "cell help: $(grep -- --cutoff "$T/out")"
expect_rc "cell rates malformed --cutoff" 2 "$BIN" cell rates --cutoff 3.5V
grep -q -- "--cutoff" "$T/err" && ok "message names --cutoff" || bad "message: $(cat "$T/err")"
expect_rc "cell rates --cutoff without value" 2 "$BIN" cell rates --cutoff
expect_rc "cell unknown subcommand" 2 "$BIN" cell frobnicate
expect_rc "cell cycle --cycles 0" 7 "$BIN" cell cycle --cycles 0
grep -q "1 to 1e+06" "$T/err" && ok "cycles range in the message" || bad "cycles message: $(cat "$T/err")"
expect_rc "cell cycle --rest-h -1" 7 "$BIN" cell cycle --cycles 1 --rest-h -1
expect_rc "cell cycle --cycles 2.5" 2 "$BIN" cell cycle --cycles 2.5
expect_rc "cell cycle --help" 0 "$BIN" cell cycle --help
grep -q -- "--rest-h H .*\[h, >= 0\]" "$T/out" && ok "cycle help lists --rest-h with unit and range" || bad "cycle help: $(grep -- --rest-h "$T/out")"

# the end of a discharge where every positive particle surface fills before the solver can follow the OCV's last
# drop (Schlautmann S at 1C, NCM811 'Chen2020-halfcell': 3.448 -> 2.5 V over x 0.999-1) is the electrode's exhaustion,
# a sustained rate with its capacity (106.9 mAh/g), not "not sustained"
SV="$(cd "$(dirname "$0")/../.." && pwd)/examples/validation/schlautmann2023_ncm811_S.json"
expect_rc "cell rates S at 1C" 0 "$BIN" cell rates "$SV" --rates 1 --cutoff 2.62
grep -q "not sustained" "$T/out" && bad "S at 1C not sustained: $(cat "$T/out")" || ok "S at 1C: exhausted, sustained"
grep -Eq '^1 +2\.14 +1\.14' "$T/out" && ok "S at 1C delivers 1.14 mAh/cm2" || bad "S at 1C: $(cat "$T/out")"

finish
