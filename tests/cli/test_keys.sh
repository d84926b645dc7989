#!/usr/bin/env bash
# CLI test of the report layer's rule "the same quantity has the same JSON key in every command" (issue 9): the
# keys of the quantities that 'run', 'cell rates', 'micro transport', 'micro analyze' and 'eis fit' share are
# listed here and looked up in each command's --json output; where two commands compute the same number from the
# same input (the volume fraction and CAM fraction of one image) the values agree too. Every key that occurs in
# several outputs has one JSON type (number, boolean, string) everywhere.
# usage: test_keys.sh SSBNET REFDIR
set -u
BIN="$1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
if ! command -v python3 >/dev/null; then
  echo "SKIP: python3 not found"
  exit 0
fi

# a small generated cathode (30 um thick, 32 x 32 voxels of 1 um in-plane), one C-rate; its structure is then
# analysed and solved by the micro commands
expect_rc "run" 0 "$BIN" run --size 32 --voxel-um 1 --set positive.thickness_um=30 --rates 1 -o "$T/run" --json --quiet
cp "$T/out" "$T/run.json"
expect_rc "micro transport" 0 "$BIN" micro transport "$T/run/cathode.tif" --phase Li6PS5Cl --carrier ion --axis z \
  --json --quiet
cp "$T/out" "$T/mt.json"
expect_rc "micro analyze" 0 "$BIN" micro analyze "$T/run/cathode.tif" --json --quiet
cp "$T/out" "$T/ma.json"
expect_rc "cell rates" 0 "$BIN" cell rates --rates 1 --json --quiet
cp "$T/out" "$T/cr.json"
expect_rc "eis simulate" 0 "$BIN" eis simulate --circuit 'R0-p(R1,C1)' --params 10,100,1e-6 --fmin 0.1 --fmax 1e5 \
  -o "$T/z.csv" --quiet
expect_rc "eis fit" 0 "$BIN" eis fit "$T/z.csv" --circuit 'R0-p(R1,C1)' --json --quiet
cp "$T/out" "$T/ef.json"

python3 - "$T" <<'PY' >"$T/report.txt"
import json, sys
T = sys.argv[1]
doc = {n: json.load(open(f"{T}/{n}.json")) for n in ("run", "mt", "ma", "cr", "ef")}
name = {"run": "run", "mt": "micro transport", "ma": "micro analyze", "cr": "cell rates", "ef": "eis fit"}

def at(d, path):
    for p in path.split("/"):
        if p == "":
            continue
        d = d[int(p)] if isinstance(d, list) else d[p]
    return d

# (quantity group, [(document, path of the object)], keys that must be in every one of them)
groups = [
    ("transport result", [("mt", ""), ("run", "microstructure/transport_z/ionic")],
     ["axis", "percolates", "eps", "eps_percolating", "sigma_bulk_S_per_m", "sigma_eff_S_per_m", "sigma_rel", "tau",
      "tau_percolating", "macmullin", "converged", "iterations", "rel_residual", "flux_mismatch", "current_in_A",
      "current_out_A", "unknowns", "reason", "backend", "time_s", "solver_bytes", "tau_rel_error_est"]),
    ("active material", [("ma", "active_material"), ("run", "microstructure/active_material")],
     ["cam_fraction", "particles", "particles_active", "active_fraction", "dead_no_e_fraction",
      "dead_no_li_fraction", "dead_neither_fraction", "active_cam_se_area_per_volume_face_1_per_m",
      "active_cam_se_area_per_volume_mc_1_per_m", "cam_se_area_per_volume_face_1_per_m",
      "electronic_percolates", "ionic_percolates", "se_coverage", "active_se_coverage"]),
    ("active material hand-over", [("run", "microstructure/active_material"), ("run", "handover")],
     ["cam_fraction", "active_fraction", "active_cam_se_area_per_volume_face_1_per_m"]),
    ("rate point", [("cr", "rates/0"), ("run", "rates/0")],
     ["c_rate", "current_mA_per_cm2", "capacity_mAh_per_cm2", "specific_capacity_mAh_per_g", "energy_mWh_per_cm2",
      "mean_voltage_V", "energy_density_Wh_per_kg", "energy_density_Wh_per_L", "bottleneck", "sustained"]),
    ("overpotential breakdown", [("cr", "rates/0/mean_breakdown"), ("run", "rates/0/mean_breakdown")],
     ["ocv_V", "voltage_V", "losses_V", "residual_V"]),
    ("phase table", [("ma", "phases/0"), ("run", "microstructure/phases/0")],
     ["name", "label", "role", "volume_fraction", "sigma_ion_S_per_m", "sigma_el_S_per_m"]),
    ("solver outcome", [("ef", ""), ("mt", "")], ["converged", "iterations", "reason"]),
]
bad = 0
for g, where, keys in groups:
    for d, path in where:
        try:
            obj = at(doc[d], path)
        except (KeyError, IndexError):
            print(f"FAIL: {g}: {name[d]} has no object at '{path}'")
            bad += 1
            continue
        missing = [k for k in keys if k not in obj]
        if missing:
            print(f"FAIL: {g}: {name[d]} ({path or 'top'}) lacks {', '.join(missing)}")
            bad += 1
        else:
            print(f"PASS: {g}: {name[d]} ({path or 'top'}) has the {len(keys)} keys")
    # the same quantity of the same input: one type in both
    (d0, p0), (d1, p1) = where[0], where[1]
    try:
        o0, o1 = at(doc[d0], p0), at(doc[d1], p1)
        for k in keys:
            if k in o0 and k in o1 and type(o0[k]) is not type(o1[k]) and o0[k] is not None and o1[k] is not None:
                print(f"FAIL: {g}: {k} is {type(o0[k]).__name__} in {name[d0]}, {type(o1[k]).__name__} in {name[d1]}")
                bad += 1
    except (KeyError, IndexError):
        pass

# values computed from the same image by two commands: geometry only, so exactly equal
pairs = [("eps of Li6PS5Cl", at(doc["mt"], "eps"), at(doc["run"], "microstructure/transport_z/ionic/eps")),
         ("CAM fraction", at(doc["ma"], "active_material/cam_fraction"),
          at(doc["run"], "microstructure/active_material/cam_fraction")),
         ("CAM fraction handed over", at(doc["run"], "microstructure/active_material/cam_fraction"),
          at(doc["run"], "handover/cam_fraction")),
         ("face-count active area handed over",
          at(doc["run"], "microstructure/active_material/active_cam_se_area_per_volume_face_1_per_m"),
          at(doc["run"], "handover/active_cam_se_area_per_volume_face_1_per_m"))]
for what, a, b in pairs:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a > 0 and abs(a - b) <= 1e-12 * abs(a):
        print(f"PASS: {what}: {a} in both")
    else:
        print(f"FAIL: {what}: {a} vs {b}")
        bad += 1

# one JSON type per key over all outputs
types = {}
# maps keyed by names, not quantities: eis fit's per-parameter columns and every "units" object
MAPS = {"parameters", "stderr", "ci_low", "ci_high", "units", "fixed", "flags", "corr_max"}
def walk(o, d):
    if isinstance(o, dict):
        for k, v in o.items():
            if k in MAPS and isinstance(v, dict):
                continue
            if isinstance(v, (bool, int, float, str)):
                t = "boolean" if isinstance(v, bool) else "number" if isinstance(v, (int, float)) else "string"
                types.setdefault(k, {}).setdefault(t, set()).add(name[d])
            walk(v, d)
    elif isinstance(o, list):
        for v in o:
            walk(v, d)
for d in doc:
    walk(doc[d], d)
clash = {k: v for k, v in types.items() if len(v) > 1}
for k, v in sorted(clash.items()):
    print(f"FAIL: key {k} has several types: " + "; ".join(f"{t} in {', '.join(sorted(c))}" for t, c in v.items()))
    bad += 1
if not clash:
    print(f"PASS: {len(types)} keys, one JSON type each across the five commands")
print(f"BAD {bad}")
PY
while IFS= read -r line; do
  case "$line" in
  PASS:*) ok "${line#PASS: }" ;;
  FAIL:*) bad "${line#FAIL: }" ;;
  esac
done <"$T/report.txt"
grep -q "^BAD " "$T/report.txt" || bad "key check did not run: $(tail -3 "$T/report.txt")"
finish
