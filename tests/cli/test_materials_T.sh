#!/usr/bin/env bash
# CLI tests of 'ssbnet materials show --temperature-C': a temperature outside the range the Arrhenius data cover
# (the records' valid_T_C, or -50 to 150 C without one) warns on stderr naming that range and sets
# "extrapolated": true in the JSON; the value itself is the Arrhenius law's, unchanged.
# usage: test_materials_T.sh SSBNET REFDIR
set -u
BIN="$1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
# a and b agree to rtol
close() { awk -v a="$1" -v b="$2" -v r="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; s = b < 0 ? -b : b; exit !(a != "" && d <= r * s) }'; }
val() { grep -E "\"$1\":" "$T/out" | head -1 | sed -E 's/.*:[[:space:]]*([-0-9.eE+a-z]+).*/\1/'; }

# the database's Li6PS5Cl gives no measured range: 1000 C lies outside -50..150 C
expect_rc "Li6PS5Cl at 1000 C" 0 "$BIN" materials show Li6PS5Cl --temperature-C 1000 --json
grep -q "warning" "$T/err" && grep -q -- "-50 to 150 C" "$T/err" && ok "warning names -50 to 150 C" ||
  bad "stderr: $(cat "$T/err")"
[ "$(val extrapolated)" = "true" ] && ok "extrapolated: true" || bad "extrapolated $(val extrapolated)"
# Al-LLZO: total (brick layer), bulk and GB all extrapolated at 200 C, over the same range: one warning line
expect_rc "LLZO at 200 C" 0 "$BIN" materials show LLZO --temperature-C 200
[ "$(grep -c warning "$T/err")" = "1" ] && grep -q "total, bulk, gb" "$T/err" &&
  ok "one warning naming total, bulk, gb" || bad "stderr: $(cat "$T/err")"
expect_rc "Li6PS5Cl at 60 C" 0 "$BIN" materials show Li6PS5Cl --temperature-C 60 --json
[ ! -s "$T/err" ] && ok "no warning at 60 C" || bad "stderr: $(cat "$T/err")"
[ "$(val extrapolated)" = "false" ] && ok "extrapolated: false at 60 C" || bad "extrapolated $(val extrapolated)"

# a user record measured from -20 to 80 C: sigma T = A exp(-Ea / kT) with 1.234e-3 S/cm at 25 C, Ea 0.321 eV
cat >"$T/m.json" <<'J'
{"schema": "ssbnet-materials-1", "class": "se", "materials": [{"name": "TestSE", "properties": {
 "sigma_ion": {"value": 1.234e-3, "unit": "S/cm", "T_C": 25, "valid_T_C": [-20, 80], "source": "test", "status": "E"},
 "Ea_ion": {"value": 0.321, "unit": "eV", "T_C": 25, "valid_T_C": [-20, 80], "source": "test", "status": "E"}}}]}
J
# at 100 C: 1.234e-3 (298.15 / 373.15) exp(-(0.321 / 8.617333262e-5) (1/373.15 - 1/298.15)) S/cm
want=$(awk 'BEGIN { k = 8.617333262e-5; printf "%.12g", 1.234e-3 * (298.15 / 373.15) * exp(-(0.321 / k) * (1 / 373.15 - 1 / 298.15)) }')
expect_rc "user record at 100 C" 0 "$BIN" materials show TestSE --file "$T/m.json" --temperature-C 100 --json
grep -q -- "-20 to 80 C" "$T/err" && ok "warning names the records' range -20 to 80 C" || bad "stderr: $(cat "$T/err")"
[ "$(val extrapolated)" = "true" ] && ok "extrapolated: true at 100 C" || bad "extrapolated $(val extrapolated)"
close "$(val total_S_per_cm)" "$want" 1e-9 && ok "value unchanged: Arrhenius $want S/cm" ||
  bad "total $(val total_S_per_cm) != $want"
expect_rc "user record at 60 C (inside its range)" 0 "$BIN" materials show TestSE --file "$T/m.json" --temperature-C 60
[ ! -s "$T/err" ] && ok "no warning inside -20..80 C" || bad "stderr: $(cat "$T/err")"
expect_rc "user record at -30 C (table output)" 0 "$BIN" materials show TestSE --file "$T/m.json" --temperature-C -30
grep -q -- "-20 to 80 C" "$T/err" && ok "warning below the range too" || bad "stderr: $(cat "$T/err")"
finish
