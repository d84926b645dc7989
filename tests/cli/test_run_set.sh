#!/usr/bin/env bash
# CLI tests of 'ssbnet run --set' values: built as JSON nodes (a value cannot inject keys), a comma list of
# numbers for run.rates_C, bad values exit 4 naming the key and the value,
# unknown sections list every section the command accepts. All runs without the microstructure
# (--no-micro), so the script takes about a second.
# usage: test_run_set.sh SSBNET REFDIR
set -u
BIN="$1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"

# a run.rates_C value that closes the array and adds "cutoff_V": 3.1 was pasted into the JSON text and acted
expect_rc "--set run.rates_C injection refused" 4 "$BIN" run --no-micro --quiet --json \
  --set 'run.rates_C=0.5], "cutoff_V": 3.1, "rates_C": [1' -o "$T/inj"
grep -q "run.rates_C" "$T/err" && grep -q "cutoff_V" "$T/err" && ok "message names the key and the value" ||
  bad "message: $(cat "$T/err")"
[ ! -e "$T/inj" ] && ok "no output folder after the refused --set" || bad "output folder written"
expect_rc "--set run.rates_C=0.1,abc" 4 "$BIN" run --no-micro --quiet --set run.rates_C=0.1,abc -o "$T/e1"
expect_rc "--set run.rates_C=1, (trailing comma)" 4 "$BIN" run --no-micro --quiet --set run.rates_C=1, -o "$T/e2"
expect_rc "--set run.rates_C=nan" 4 "$BIN" run --no-micro --quiet --set run.rates_C=nan -o "$T/e3"
# a quote in a key cannot inject either
expect_rc "--set key with quotes" 6 "$BIN" run --no-micro --quiet --set 'run.cutoff_V": 3.1, "x=1' -o "$T/e4"

# a good comma list acts: two C-rates, cut-off 3.0 V
expect_rc "--set run.rates_C=0.5,1" 0 "$BIN" run --no-micro --quiet --json --set run.rates_C=0.5,1 \
  --set run.cutoff_V=3.0 -o "$T/g"
r=$(grep '"c_rate"' "$T/out" | head -2 | sed -E 's/.*:[[:space:]]*//; s/,$//' | tr '\n' ' ')
[ "$r" = "0.5 1 " ] && ok "C-rates 0.5 and 1 run" || bad "c_rate entries: $r"
[ "$(json_num "$T/out" cutoff_V)" = "3" ] && ok "cutoff_V = 3 acts" || bad "cutoff_V $(json_num "$T/out" cutoff_V)"

# a word for a numeric key: exit 4 naming the key and the value; a word key with a bad word keeps exit 4
expect_rc "--set microstructure.seed=abc" 4 "$BIN" run --no-micro --quiet --set microstructure.seed=abc -o "$T/e5"
grep -q "microstructure.seed" "$T/err" && grep -q "'abc'" "$T/err" && ok "message names seed and 'abc'" ||
  bad "message: $(cat "$T/err")"
expect_rc "--set microstructure.carbon_shape=cube" 4 "$BIN" run --no-micro --quiet \
  --set microstructure.carbon_shape=cube -o "$T/e6"

# an unknown section: exit 8 as before, and the message lists microstructure and run with the cell sections
expect_rc "--set foo.bar=1" 8 "$BIN" run --no-micro --quiet --set foo.bar=1 -o "$T/e7"
grep -q "microstructure" "$T/err" && grep -q "run," "$T/err" && grep -q "positive" "$T/err" &&
  ok "unknown section lists microstructure, run and the cell sections" || bad "message: $(cat "$T/err")"

# the run builds the cell twice (check, then discharge): a warning of the cell model is printed once, not twice
expect_rc "--set temperature_C=-20" 0 "$BIN" run --no-micro --rates 1 --set temperature_C=-20 -o "$T/w"
[ "$(grep -c 'activation_energy_diffusion' "$T/err")" = "1" ] && ok "the activation-energy warning once" ||
  bad "warnings: $(cat "$T/err")"

# options of the structure on a run without one: refused (exit 2), not ignored (the image was never read)
expect_rc "--no-micro --image" 2 "$BIN" run --no-micro --image "$T/none.tif" --rates 1 -o "$T/c1"
grep -q -- "--image" "$T/err" && grep -q -- "--no-micro" "$T/err" && ok "message names --image and --no-micro" ||
  bad "message: $(cat "$T/err")"
expect_rc "--no-micro --voxel-um --seed" 2 "$BIN" run --no-micro --voxel-um 0.3 --seed 2 --rates 1 -o "$T/c2"
expect_rc "microstructure.enabled=false --size" 2 "$BIN" run --set microstructure.enabled=false --size 40 \
  --rates 1 -o "$T/c3"
grep -q "microstructure.enabled = false" "$T/err" && ok "message names microstructure.enabled" ||
  bad "message: $(cat "$T/err")"
finish
