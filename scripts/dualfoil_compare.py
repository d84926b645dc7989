#!/usr/bin/env python3
"""Compare ssbnet's cell model with DUALFOIL 5.1 runs that are not stored in the repository (issue 7 item 4: "hidden
DUALFOIL timed discharges run to their end and agree within 10 mV RMS; the same discharge gives the same end at two
resolutions").

DUALFOIL itself is not part of this repository (licence: outputs only, tests/reference/cell/dualfoil/README.md).
Build it locally from Newman's distribution, run it on a deck, and give this script the run folders:

    python3 scripts/dualfoil_compare.py [--build build] CASE@RUN_DIR [CASE@RUN_DIR ...]

CASE names the ssbnet deck and the DUALFOIL deck changes, as `deck[,key=value...]`: deck is B (the default deck,
cases A/B), MS (case MS: the Marquis 2019 cell as DUALFOIL ran it), C (Li foil | single-ion conductor | LiCoO2) or F
(... | LiMn2O4); further key=value pairs are ssbnet `--set` overrides that mirror the deck's changes (for example
temperature_K=310). RUN_DIR holds DUALFOIL's dualfoil5.in and dualfoil5.out. The protocol is read from the deck's
legs: mode 1 (timed) runs ssbnet for the leg's duration or until the leg's voltage limit, mode 2 to the leg's cut-off,
a negative current charges. ssbnet runs at two
resolutions (40 x 30 and 80 x 60 cells x shells; C and F: 40 x 30 and 80 x 60 positive cells x shells), and the
script prints, per case and resolution: how each run ended (ssbnet's end reason and time; DUALFOIL's last row and
whether it stopped with "did not converge"), the capacities, and the voltage difference as RMS over DUALFOIL's rows
(thinned as the stored references: a row is kept when V moved >= 0.5 mV or t moved >= 0.5 % of the run) and over
time (trapezoid over those rows) up to the earlier of the two ends.

The decks are written from tests/cells.h (compiled with cc into a temporary folder; dualfoil_common.py).
"""
import json, math, os, shutil, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dualfoil_common import MS, ROOT, out_rows, thin, write_decks


def read_dualfoil(run):
    """DUALFOIL's rows (t [s], V [V], I [A/m2]) from dualfoil5.out, its legs [(I, time or cut-off, mode), ...] from
    the deck, and whether it stopped with 'did not converge'."""
    rows = []
    for f in out_rows(run):
        try:
            rows.append((60.0 * float(f[0]), float(f[3]), float(f[5])))
        except ValueError:
            pass
    text = open(os.path.join(run, "dualfoil5.out")).read()
    deck = [l for l in open(os.path.join(run, "dualfoil5.in")).read().splitlines()]
    legs = []
    for i, l in enumerate(deck):
        if "lcurs" in l:
            for k in range(int(l.split()[0])):
                leg = [float(x.replace("d", "e")) for x in deck[i + 1 + k].split()[:5]]
                legs.append((leg[0], leg[1], int(leg[2]), leg[3], leg[4]))
            break
    return rows, legs, "did not converge" in text


def protocol(legs):
    """The ssbnet protocol of DUALFOIL's legs: mode 1 (timed) for the leg's duration or until its voltage limit
    (vcutlo for a discharge, vcuthi for a charge: DUALFOIL ends a timed leg there), mode 2 to its cut-off; a negative
    current is a charge."""
    out = []
    for I, tt, mode, lo, hi in legs:
        what = "Discharge" if I > 0 else "Charge"
        out.append("%s at %g A/m2 for %.6f s or until %g V" % (what, abs(I), 60 * tt, lo if I > 0 else hi)
                   if mode == 1 else "%s at %g A/m2 until %g V" % (what, abs(I), tt))
    return "; ".join(out)


def interp(ts, vs, t):
    lo, hi = 0, len(ts) - 1
    if t <= ts[0]:
        return vs[0]
    if t >= ts[hi]:
        return vs[hi]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ts[mid] <= t:
            lo = mid
        else:
            hi = mid
    w = (t - ts[lo]) / (ts[hi] - ts[lo]) if ts[hi] > ts[lo] else 0.0
    return vs[lo] + w * (vs[hi] - vs[lo])


def run_ssbnet(exe, tmp, deck, sets, proto, res):
    nx, nr = 40 * res, 30 * res
    s = list(sets) + ["numerics.positive_cells=%d" % nx, "numerics.separator_cells=%d" % (nx // 2),
                      "numerics.particle_cells=%d" % nr]
    if deck in ("B", "MS"):
        s.append("numerics.negative_cells=%d" % nx)
    base = {"B": "B.json", "MS": "B.json", "C": "C.json", "F": "F.json"}[deck]
    csv = os.path.join(tmp, "v_%d.csv" % res)
    cmd = [exe, "cell", "run", os.path.join(tmp, base), "-p", proto, "--json", "--quiet", "-o", csv]
    for x in (MS if deck == "MS" else []) + s:
        cmd += ["--set", x]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        return None, "exit %d: %s" % (p.returncode, p.stderr.strip()[-300:])
    steps = json.loads(p.stdout)["steps"]
    # the series of each protocol step (time, voltage, current), so that a row at a change of current is compared
    # with the step that carries its current (both sides of the change are stored at the same time)
    per = {}
    with open(csv) as f:
        next(f)
        for line in f:
            a = line.split(",")
            t, v, i, k = float(a[0]), float(a[1]), float(a[2]), int(float(a[6]))
            ser = per.setdefault(k, ([], [], []))
            if ser[0] and t <= ser[0][-1]:
                ser[1][-1], ser[2][-1] = v, i  # the loaded point at a step's start replaces the point before it
                continue
            ser[0].append(t)
            ser[1].append(v)
            ser[2].append(i)
    return (per, steps), None


def model_at(per, t, I):
    """The model's voltage at time t from the step that runs at t with a current of I's sign."""
    best = None
    for k, (ts, vs, cs) in per.items():
        if ts[0] <= t <= ts[-1] and len(ts) > 1:
            same = (cs[len(cs) // 2] > 0) == (I > 0)
            if best is None or same:
                best = (ts, vs)
    if best is None:
        last = per[max(per)]
        best = (last[0], last[1])
    return interp(best[0], best[1], t)


def compare(model, ref):
    per, step = model
    tmax = min(max(x[0][-1] for x in per.values()), ref[-1][0])
    s = st = 0.0
    k = 0
    dprev = tprev = None
    for t, v, I in ref:
        if t > tmax:
            break
        d = model_at(per, t, I) - v
        s += d * d
        k += 1
        if tprev is not None:
            st += 0.5 * (d * d + dprev * dprev) * (t - tprev)
        dprev, tprev = d, t
    rms_rows = math.sqrt(s / k) if k else float("nan")
    rms_time = math.sqrt(st / (tprev - ref[0][0])) if tprev and tprev > ref[0][0] else float("nan")
    return rms_rows, rms_time, tmax


def main():
    args = sys.argv[1:]
    build = os.path.join(ROOT, "build")
    if args[:1] == ["--build"]:
        build, args = args[1], args[2:]
    exe = os.path.join(build, "ssbnet")
    tmp = tempfile.mkdtemp(prefix="dualfoil_compare_")
    try:
        write_decks(tmp)
        for a in args:
            spec, run = a.split("@", 1)
            parts = spec.split(",")
            deck, sets = parts[0], parts[1:]
            raw, legs, noconv = read_dualfoil(run)
            ref = thin([r for r in raw if r[2] != 0 or r is raw[0]], 1)
            tdf = raw[-1][0]
            qdf = sum(0.5 * (raw[i][2] + raw[i - 1][2]) * (raw[i][0] - raw[i - 1][0]) for i in range(1, len(raw))) / 3600
            proto = protocol(legs)
            print("%s  [%s]  %s: DUALFOIL ends at %.2f s, V %.4f V, %.4f Ah/m2%s (%d rows, %d thinned)" %
                  (os.path.basename(run.rstrip("/")), spec, proto, tdf, raw[-1][1], qdf,
                   ", did not converge" if noconv else "", len(raw), len(ref)))
            for res in (1, 2):
                model, err = run_ssbnet(exe, tmp, deck, sets, proto, res)
                if err:
                    print("    %2d x %2d: %s" % (40 * res, 30 * res, err))
                    continue
                rr, rt, tmax = compare(model, ref)
                steps = model[1]
                st = steps[-1]
                q = sum(x["capacity_mAh_per_cm2"] for x in steps) * 10
                ends = ", ".join("%s %.2f s" % (x["end"], x["t_end_s"]) for x in steps[:-1])
                print("    %2d x %2d: %sssbnet %-9s at %9.2f s (%+.2f s vs DUALFOIL), V %.4f V, %.4f Ah/m2 (%+.3f %%); "
                      "V rms %.2f mV over the rows, %.2f mV over time (to %.1f s)" %
                      (40 * res, 30 * res, "steps before: " + ends + "; " if ends else "", st["end"], st["t_end_s"],
                       st["t_end_s"] - tdf, st["V_end_V"], q, 100 * (q / qdf - 1) if qdf else float("nan"),
                       rr * 1e3, rt * 1e3, tmax))
            sys.stdout.flush()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
