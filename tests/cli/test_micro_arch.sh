#!/usr/bin/env bash
# CLI tests of the electrode-architecture options (issue 12): 'ssbnet micro generate' options and the run keys
# microstructure.se_diameter_um, channel_fraction, channel_diameter_um, carbon_shape, fibre_length_um,
# cam_small_fraction, cam_small_diameter_um, cam_gradient: they act, are echoed, and bad values exit 7 naming the key
# with no output written
# (a word outside its choices, carbon_shape=tube, exits 4).
# usage: test_micro_arch.sh SSBNET REFDIR
set -u
BIN="$1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
if ! command -v python3 >/dev/null; then
  echo "SKIP: python3 not found"
  exit 0
fi

# --- micro generate: defaults unchanged (no option = the same bytes as options at their off values)
expect_rc "generate default" 0 "$BIN" micro generate --kind cathode --size 48 --seed 4 -o "$T/a.raw" --quiet
expect_rc "generate off values" 0 "$BIN" micro generate --kind cathode --size 48 --seed 4 -o "$T/b.raw" --quiet \
  --se-d-um 0 --channel-fraction 0 --carbon-shape sphere --cam-small-fraction 0 --cam-gradient 0
cmp -s "$T/a.raw" "$T/b.raw" && ok "off values give the default structure" || bad "off values changed the structure"

# --- every option acts: SE particles (voids the matrix), channels, fibres, bimodal, gradient
expect_rc "generate architecture" 0 "$BIN" micro generate --kind cathode --size 64 --seed 2 -o "$T/c.raw" --json \
  --quiet --se-d-um 2 --channel-fraction 0.2 --channel-d-um 8 --carbon-shape fibre --fibre-length-um 8 \
  --cam-small-fraction 0.3 --cam-small-d-um 1.5 --cam-gradient 0.4
cp "$T/out" "$T/c.json"
python3 - "$T/c.json" >"$T/chk" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ph = d["phases"]
cam = [p for p in ph if p["name"] == "NCM811"]
assert len(cam) == 2, ph                           # two CAM modes
assert abs(sum(p["fraction"] for p in cam) - 0.60) < 0.02, cam
assert abs(cam[1]["mean_diameter_um"] - 1.5) < 0.15, cam
se = [p for p in ph if p["name"] == "Li6PS5Cl"]
assert len(se) == 1 and abs(se[0]["fraction"] - 0.32) < 0.01, se   # the SE is a particle phase
assert abs(d["matrix_fraction"] - 0.05) < 0.02, d   # the voids are the matrix
ch = d["channels"]
assert ch["count"] >= 1 and abs(ch["fraction"] - 0.2) < 0.02, ch
print("ok")
PY
grep -q "^ok" "$T/chk" && ok "generate JSON: 2 CAM modes, SE particles, voids matrix, channels" || bad "generate JSON: $(cat "$T/chk")"

# --- bad values: exit 7 naming the option / key, nothing written
expect_rc "channel fraction above the SE" 7 "$BIN" micro generate --kind cathode --size 48 --channel-fraction 0.4 \
  -o "$T/bad.raw" --quiet
grep -q "channel_fraction" "$T/err" && ok "message names channel_fraction" || bad "message: $(cat "$T/err")"
[ ! -e "$T/bad.raw" ] && ok "no partial output" || bad "bad.raw written"
expect_rc "gradient out of range" 7 "$BIN" micro generate --kind cathode --size 48 --cam-gradient 1.5 -o "$T/bad.raw"
grep -q "cam-gradient" "$T/err" && ok "message names --cam-gradient" || bad "message: $(cat "$T/err")"

# --- run: the keys through --set, echoed in the report's recipe; a bad key value exits 7 naming it
expect_rc "run with channels and fibres" 0 "$BIN" run --size 32 --set positive.thickness_um=30 --rates 1 --json \
  --quiet --set microstructure.channel_fraction=0.2 --set microstructure.channel_diameter_um=6 \
  --set microstructure.carbon_shape=fibre --set microstructure.fibre_length_um=6 --set microstructure.cam_gradient=0.2
cp "$T/out" "$T/run.json"
python3 - "$T/run.json" >"$T/chk" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
a = d["structure"]["architecture"]
assert a["channel_fraction"] == 0.2 and a["channel_diameter_um"] == 6 and a["carbon_shape"] == "fibre", a
assert a["fibre_length_um"] == 6 and a["cam_gradient"] == 0.2 and a["se_diameter_um"] == 0, a
c = d["structure"]["channels"]
assert c["count"] >= 1 and abs(c["fraction"] - 0.2) < 0.03, c
print("ok")
PY
grep -q "^ok" "$T/chk" && ok "run JSON echoes the architecture" || bad "run JSON: $(cat "$T/chk")"
# a number outside its range exits 7, a word outside its choices 4 (README, exit codes)
for kv in microstructure.channel_fraction=0.7 microstructure.cam_gradient=-2 microstructure.carbon_shape=tube \
          microstructure.se_diameter_um=0.01 microstructure.cam_small_fraction=1.2; do
  want=7; [ "${kv%%=*}" = microstructure.carbon_shape ] && want=4
  expect_rc "run --set $kv" "$want" "$BIN" run --size 32 --set positive.thickness_um=30 --rates 1 --quiet --set "$kv" -o "$T/r2"
  grep -q "${kv%%=*}" "$T/err" && ok "message names ${kv%%=*}" || bad "message: $(cat "$T/err")"
done
[ ! -e "$T/r2" ] && ok "no run output on bad keys" || bad "run output written"
finish
