#!/usr/bin/env bash
# CLI tests of 'ssbnet design list|compare' (cli/cmd_design.c): the issue-12 interface names (list: name, available,
# reason, mechanism; compare: variants[] with name ("baseline" first), energy_Wh_per_kg, bottleneck, rank), the
# output folder, and bad input (unknown strategy: exit 8 with the closest name; parameter out of range: exit 7 naming
# the parameter and range; no partial output).
# usage: test_design.sh SSBNET REFDIR
set -u
BIN="$1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"

expect_rc "design list" 0 "$BIN" design list
grep -q "coating" "$T/out" && grep -q "not available" "$T/out" && ok "list table names strategies and the unavailable ones" \
  || bad "list table: $(head -c 300 "$T/out")"
expect_rc "design list --json" 0 "$BIN" design list --json
cp "$T/out" "$T/list.json"
expect_rc "design --help" 0 "$BIN" design --help
expect_rc "design (no subcommand)" 2 "$BIN" design
expect_rc "design frobnicate" 2 "$BIN" design frobnicate

# a small structure (32 x 32 voxels of 0.4 um in-plane, a 30 um cathode): cell-level strategies only
SMALL=(--size 32 --set positive.thickness_um=30 --quiet)
expect_rc "compare --json" 0 "$BIN" design compare "${SMALL[@]}" --strategies thin_separator,pressure,coating \
  --param coating.thickness_nm=5 --json
cp "$T/out" "$T/cmp.json"
# the pressure variant's pressure is the baseline's plus the addition; both lie in 0 to 100 MPa: 80 + 40 = 120 MPa is
# refused before anything is evaluated, naming both options, the sum and the range; nothing is written
expect_rc "compare --pressure 80 + added 40" 7 "$BIN" design compare "${SMALL[@]}" --pressure 80 \
  --param pressure.added_pressure_MPa=40 -o "$T/p120" --json
grep -q 'added_pressure_MPa = 40' "$T/err" && grep -q -- '80 MPa (--pressure)' "$T/err" && grep -q '120 MPa' "$T/err" \
  && grep -q '0 to 100 MPa' "$T/err" && [ ! -s "$T/out" ] && [ ! -e "$T/p120" ] && ok "pressure sum refused up front" \
  || bad "pressure sum: $(cat "$T/err")"
expect_rc "compare -o DIR" 0 "$BIN" design compare "${SMALL[@]}" --strategies thin_separator,pressure -o "$T/dir"
[ -s "$T/dir/compare.json" ] && ok "compare.json written" || bad "no $T/dir/compare.json"
H="$T/dir/report.html"
[ -s "$H" ] && ok "report.html written" || bad "no report.html"
for id in energy overpotential-breakdown ragone; do
  grep -q "id=\"$id\"" "$H" && ok "report figure $id" || bad "report figure $id missing"
done
grep -q "thin_separator" "$H" && ok "report names the variants" || bad "report lacks the variants"
ls -a "$T/dir" | grep -q ssbtmp && bad "temporary files left in the folder" || ok "no temporary files left"
# in a real browser when one is installed: the page's own check says every plot is drawn, and nothing is logged
CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -n "$CHROME" ]; then
  timeout 90 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$T/profile" \
    --enable-logging=stderr --v=0 --dump-dom "file://$H" >"$T/dom" 2>"$T/log"
  grep -q 'data-ssb-status="ok"' "$T/dom" && grep -q 'data-ssb-plots="3/3"' "$T/dom" && ok "chromium: 3/3 plots drawn" \
    || bad "chromium: $(grep -o 'data-ssb-[a-z]*="[^"]*"' "$T/dom" | head -3)"
  grep -q CONSOLE "$T/log" && bad "console messages: $(grep CONSOLE "$T/log" | head -2)" || ok "chromium: no console message"
else
  echo "note: chromium not found: the compare report was checked without a browser"
fi
grep -q "baseline" "$T/out" && grep -q "what each strategy moved" "$T/out" && ok "compare table and moves" \
  || bad "compare table: $(head -c 300 "$T/out")"

if command -v python3 >/dev/null; then
  python3 - "$T" <<'PY' >"$T/check.txt"
import json, sys
T = sys.argv[1]
lst = json.load(open(f"{T}/list.json"))["strategies"]
bad = 0
def check(cond, msg):
    global bad
    print(("PASS: " if cond else "FAIL: ") + msg)
    bad += not cond
check(len(lst) >= 15, f"list has {len(lst)} strategies (>= 15)")
check(all({"name", "available", "mechanism"} <= set(s) for s in lst), "every strategy has name, available, mechanism")
check(all(isinstance(s["available"], bool) for s in lst), "available is a boolean")
check(all(s["available"] or s.get("reason") for s in lst), "every unavailable strategy has a reason")
check(any(not s["available"] for s in lst) and any(s["available"] for s in lst), "some available, some not")
cmp = json.load(open(f"{T}/cmp.json"))
v = cmp["variants"]
check(v[0]["name"] == "baseline", "variants[0] is the baseline")
check([x["name"] for x in v[1:]] == ["thin_separator", "pressure", "coating"], "variants in the order asked")
check(all({"name", "energy_Wh_per_kg", "bottleneck", "rank"} <= set(x) for x in v), "issue-12 keys in every variant")
check(sorted(x["rank"] for x in v) == [1, 2, 3, 4], "ranks are 1..4")
by = {x["name"]: x for x in v}
check(by["thin_separator"]["energy_Wh_per_kg"] > by["baseline"]["energy_Wh_per_kg"], "thin separator: more Wh/kg")
check(by["pressure"]["critical_stripping_current_mA_per_cm2"] > by["baseline"]["critical_stripping_current_mA_per_cm2"],
      "pressure: higher CCS")
check(by["coating"]["parameters"]["thickness_nm"] == 5, "--param reached the coating")
check(by["coating"]["resistance_aged_ohm_cm2"] < by["baseline"]["resistance_aged_ohm_cm2"], "coating: lower aged R")
check(by["thin_separator"]["bottleneck_moved"]["largest_change"] == "ionic_separator", "thin separator moves the separator loss")
sys.exit(1 if bad else 0)
PY
  [ $? -eq 0 ] && ok "JSON checks ($(grep -c PASS "$T/check.txt") passed)" || bad "JSON checks: $(grep FAIL "$T/check.txt")"
fi

# the same quantity under the same key as `ssbnet run` (tests/cli/test_keys.sh): the baseline at 1C on the same
# structure is run's 1C rate point, value for value
RUNSET=(--size 32 --voxel-um 1 --set positive.thickness_um=30 --quiet)
expect_rc "run at 1C" 0 "$BIN" run "${RUNSET[@]}" --rates 1 -o "$T/run" --json
cp "$T/out" "$T/run.json"
expect_rc "compare baseline only" 0 "$BIN" design compare "${RUNSET[@]}" --strategies thin_separator --json
cp "$T/out" "$T/cmp1.json"
if command -v python3 >/dev/null; then
  python3 - "$T" <<'PY' >"$T/keys.txt"
import json, sys
T = sys.argv[1]
run = json.load(open(f"{T}/run.json"))
b = json.load(open(f"{T}/cmp1.json"))["variants"][0]
rp = run["rates"][0]
bad = 0
for k in ["c_rate", "capacity_mAh_per_cm2", "specific_capacity_mAh_per_g", "energy_mWh_per_cm2", "mean_voltage_V",
          "current_mA_per_cm2", "bottleneck", "sustained"]:
    ok = k in b and k in rp and type(b[k]) is type(rp[k]) and (
        b[k] == rp[k] if isinstance(b[k], (str, bool)) else abs(b[k] - rp[k]) <= 1e-9 * abs(rp[k]))
    print(("PASS: " if ok else "FAIL: ") + f"{k}: design {b.get(k)} run {rp.get(k)}")
    bad += not ok
ok = abs(b["energy_Wh_per_kg"] - rp["energy_density_Wh_per_kg"]) <= 1e-9 * rp["energy_density_Wh_per_kg"]
print(("PASS: " if ok else "FAIL: ") + "energy_Wh_per_kg (issue-12 name) = run's energy_density_Wh_per_kg")
bad += not ok
lb, lr = b["mean_breakdown"]["losses_V"], rp["mean_breakdown"]["losses_V"]
ok = set(lb) == set(lr) and all(abs(lb[k] - lr[k]) <= 1e-9 * max(1e-6, abs(lr[k])) for k in lr)
print(("PASS: " if ok else "FAIL: ") + "mean_breakdown equal")
bad += not ok
ri = run["interfaces"]["positive"]["resistance_aged_ohm_cm2"]
ok = abs(b["resistance_aged_ohm_cm2"] - ri) <= 1e-9 * ri
print(("PASS: " if ok else "FAIL: ") + f"resistance_aged_ohm_cm2 = run's interfaces.positive ({ri})")
bad += not ok
# `ssbnet run` ends with at most three strategies; their "before" is the run's own 1C energy
top = run.get("top_strategies", [])
ok = 1 <= len(top) <= 3 and all(abs(t["energy_before_Wh_per_kg"] - rp["energy_density_Wh_per_kg"]) <=
                                1e-9 * rp["energy_density_Wh_per_kg"] for t in top)
ok = ok and all(t["energy_after_Wh_per_kg"] >= t["energy_before_Wh_per_kg"] for t in top)
print(("PASS: " if ok else "FAIL: ") + f"run's top_strategies ({[t['name'] for t in top]}) start from its 1C energy")
bad += not ok
sys.exit(1 if bad else 0)
PY
  [ $? -eq 0 ] && ok "design baseline = run's 1C point under the same keys" || bad "keys/values: $(grep FAIL "$T/keys.txt")"
fi

# bad input: nothing on stdout, no output folder
expect_rc "unknown strategy" 8 "$BIN" design compare "${SMALL[@]}" --strategies coatng -o "$T/bad1"
grep -q "closest: coating" "$T/err" && ok "unknown strategy suggests 'coating'" || bad "message: $(cat "$T/err")"
[ ! -e "$T/bad1" ] && [ ! -s "$T/out" ] && ok "no output after an unknown strategy" || bad "partial output (bad1)"
expect_rc "parameter out of range" 7 "$BIN" design compare "${SMALL[@]}" --strategies coating --param coating.thickness_nm=500 -o "$T/bad2"
grep -q "thickness_nm = 500 is out of range (valid: 0 to 100 nm)" "$T/err" && ok "range message names parameter and range" \
  || bad "message: $(cat "$T/err")"
[ ! -e "$T/bad2" ] && [ ! -s "$T/out" ] && ok "no output after a range error" || bad "partial output (bad2)"
expect_rc "unknown parameter" 8 "$BIN" design compare "${SMALL[@]}" --strategies coating --param coating.thick=5
expect_rc "unavailable strategy" 10 "$BIN" design compare "${SMALL[@]}" --strategies void_filling
grep -q "pore" "$T/err" && ok "unavailable strategy says why" || bad "message: $(cat "$T/err")"
expect_rc "rate out of range" 7 "$BIN" design compare "${SMALL[@]}" --rate 500
# the moves explain themselves with numbers and units, also where no overpotential changed: the CCS of the pressure
# strategy (Li creep, higher with pressure: Kasemchainan et al., Nat. Mater. 18, 1105 (2019)) and the aged cathode
# resistance of a full LiNbO3 coating (lower: Ohta et al., Electrochem. Commun. 9, 1486 (2007)), before -> after
expect_rc "compare moves" 0 "$BIN" design compare "${SMALL[@]}" --strategies pressure,coating --param coating.coverage=1
line=$(grep "^  pressure " "$T/out")
a=$(echo "$line" | sed -nE 's/.*critical stripping current ([0-9.e+-]+) -> ([0-9.e+-]+) mA\/cm2.*/\1 \2/p')
awk -v p="$a" 'BEGIN { split(p, x, " "); exit !(x[1] > 0 && x[2] > x[1]) }' && ok "pressure: CCS $a mA/cm2" ||
  bad "pressure move: $line"
line=$(grep "^  coating " "$T/out")
a=$(echo "$line" | sed -nE 's/.*aged cathode\|SE resistance ([0-9.e+-]+) -> ([0-9.e+-]+) ohm cm2.*/\1 \2/p')
awk -v p="$a" 'BEGIN { split(p, x, " "); exit !(x[2] > 0 && x[2] < x[1]) }' && ok "coating: aged R $a ohm cm2" ||
  bad "coating move: $line"
# the baseline says why it differs from `cell rates` on the same file (its measured structure); without the
# structure it is the cell-rates cell: same stack Wh/kg at 1C to the printed digits
grep -q "^baseline: the cell on its generated and measured cathode" "$T/out" && ok "baseline's structure named" ||
  bad "no baseline line: $(head -3 "$T/out")"
"$BIN" cell defaults > "$T/nomicro.json"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['microstructure']={'enabled': False}; json.dump(d, open(sys.argv[1],'w'))" "$T/nomicro.json"
expect_rc "compare without structure" 0 "$BIN" design compare "$T/nomicro.json" --strategies thin_separator --quiet
b=$(grep -E "^[0-9]+ +baseline " "$T/out" | awk '{print $3}')
expect_rc "cell rates" 0 "$BIN" cell rates "$T/nomicro.json" --rates 1 --quiet
c=$(grep -E "^1 " "$T/out" | awk '{print $7}')
[ -n "$b" ] && [ "$b" = "$(printf '%.1f' "$c")" ] && ok "baseline without structure = cell rates ($b Wh/kg)" ||
  bad "baseline $b Wh/kg, cell rates $c"
# a target rate the cell cannot carry (100C: the voltage under load is below the cut-off at once): the table says
# 'not sustained' as 'cell rates' does, not 0.0 Wh/kg; the JSON keeps sustained false
expect_rc "compare at 100C" 0 "$BIN" design compare "${SMALL[@]}" --strategies thin_separator --rate 100
grep -q "^1 .*not sustained" "$T/out" && grep -q "^(not sustained: at 100C" "$T/out" && ! grep -qE " 0\.0 " "$T/out" &&
  ok "100C: not sustained in the table" || bad "100C table: $(head -5 "$T/out")"
expect_rc "compare at 100C --json" 0 "$BIN" design compare "${SMALL[@]}" --strategies thin_separator --rate 100 --json
grep -q '"sustained":[[:space:]]*false' "$T/out" && ok "100C: sustained false in the JSON" || bad "100C JSON"
expect_rc "compare at 100C -o" 0 "$BIN" design compare "${SMALL[@]}" --strategies thin_separator --rate 100 -o "$T/d100"
grep -q "<td>not sustained</td>" "$T/d100/report.html" && ! grep -q "<td>0.0</td>" "$T/d100/report.html" &&
  ok "100C: not sustained in report.html" || bad "100C report.html"
finish
