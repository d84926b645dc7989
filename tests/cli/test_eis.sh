#!/usr/bin/env bash
# CLI tests of 'ssbnet eis': reference results through the command line, exit codes of bad input.
# usage: test_eis.sh SSBNET REFDIR
set -u
BIN="$1"
REF="$2/eis"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
num() { grep -E "\"$1\":" "$T/out" | head -1 | sed -E 's/.*:[[:space:]]*([-0-9.eE+]+).*/\1/'; }

# impedance.py exampleData.csv from the documented guess: rss <= 1.95e-5 (reference README)
expect_rc "fit exampleData" 0 "$BIN" eis fit "$REF/impedance.py/exampleData.csv" --circuit 'R0-p(R1,C1)-p(R2-Wo1,C2)' \
  --guess .01,.01,100,.01,.05,100,1 --drop-inductive --json --quiet
rss=$(num rss)
awk -v r="$rss" 'BEGIN{exit !(r > 0 && r <= 1.95e-5)}' && ok "fit rss $rss <= 1.95e-5" || bad "fit rss '$rss'"
for k in parameters stderr rss; do grep -q "\"$k\"" "$T/out" && ok "fit JSON has $k" || bad "fit JSON lacks $k"; done
# lin-KK on Circuit3_EIS_1.z with impedance.py's c = 0.69: M = 10, mu = 0.684
expect_rc "kk Circuit3" 0 "$BIN" eis kk "$REF/impedance.py/Circuit3_EIS_1.z" --c 0.69 --json --quiet
[ "$(num M)" = "10" ] && ok "kk M = 10" || bad "kk M = $(num M)"
awk -v m="$(num mu)" 'BEGIN{exit !(m > 0.6835 && m < 0.6845)}' && ok "kk mu $(num mu)" || bad "kk mu $(num mu)"
# DRT of pyDRTtools' 1ZARC: R_inf 10.07 ohm, R_pol 50 ohm within 1 %
Z1=$(ls "$REF"/pyDRTtools/*1ZARC*.csv 2>/dev/null | head -1)
if [ -n "$Z1" ]; then
  expect_rc "drt 1ZARC" 0 "$BIN" eis drt "$Z1" --json --quiet
  for k in lambda R_inf R_pol tau gamma; do grep -q "\"$k\"" "$T/out" && ok "drt JSON has $k" || bad "drt JSON lacks $k"; done
  awk -v r="$(num R_pol)" 'BEGIN{exit !(r > 49.5 && r < 50.5)}' && ok "drt R_pol $(num R_pol)" || bad "drt R_pol $(num R_pol)"
fi
# bad input
expect_rc "malformed circuit" 4 "$BIN" eis fit "$REF/impedance.py/exampleData.csv" --circuit 'R0-p(R1,C1' --drop-inductive
grep -q "column" "$T/err" && ok "circuit message points at the column" || bad "circuit message: $(cat "$T/err")"
printf '1,2,3\n10,nan,-1\n100,1,-2\n' >"$T/nan.csv"
expect_rc "NaN value" 7 "$BIN" eis kk "$T/nan.csv"
printf '100,1,-1\n10,2,-2\n100,3,-3\n' >"$T/dup.csv"
expect_rc "duplicate frequency" 4 "$BIN" eis kk "$T/dup.csv"
printf '' >"$T/empty.csv"
expect_rc "empty file" 6 "$BIN" eis drt "$T/empty.csv"
expect_rc "missing file" 5 "$BIN" eis fit "$T/none.csv" --circuit R0
expect_rc "unknown option" 2 "$BIN" eis kk "$T/dup.csv" --bogus
finish
