#!/usr/bin/env python3
"""Store a DUALFOIL 5.1 run as a reference case (data only: the deck, the activation-energy file and the voltage rows;
tests/reference/cell/dualfoil/README.md says how the cases were made and what they may be used for).

    python3 scripts/dualfoil_store.py RUN_DIR CASE_NAME

RUN_DIR holds dualfoil5.in, li-ion-ebar.in and dualfoil5.out of one run; CASE_NAME is the new folder under
tests/reference/cell/dualfoil/. voltage.csv gets the columns of the stored cases (time_min, util_neg_x, util_pos_y,
cell_V, Uocp_V, current_A_m2, temp_C, heatgen_W_m2), thinned as they are (a row is kept when V moved >= 0.5 mV or t
moved >= 0.5 % of the run since the last kept row; first and last rows kept), and a row is appended to summary.csv
(raw row count, kept rows, end time, start / end voltage, current, capacity as the trapezoid of I dt over the raw
rows, end stoichiometries).
"""
import os, shutil, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dualfoil_common import ROOT, out_rows, thin

REF = os.path.join(ROOT, "tests", "reference", "cell", "dualfoil")


def main():
    run, name = sys.argv[1], sys.argv[2]
    rows = [[float(x) for x in f[:8]] for f in out_rows(run)]
    if len(rows) < 2:
        sys.exit("%s: no rows" % run)
    kept = thin(rows, 3)
    out = os.path.join(REF, name)
    os.makedirs(out, exist_ok=True)
    shutil.copy(os.path.join(run, "dualfoil5.in"), out)
    shutil.copy(os.path.join(run, "li-ion-ebar.in"), out)
    g = lambda x: ("%.6g" % x)
    with open(os.path.join(out, "voltage.csv"), "w") as f:
        f.write("time_min,util_neg_x,util_pos_y,cell_V,Uocp_V,current_A_m2,temp_C,heatgen_W_m2\n")
        for r in kept:
            f.write("%.6f,%s,%s,%.5f,%.5f,%s,%s,%s\n" % (r[0], g(r[1]), g(r[2]), r[3], r[4], g(r[5]), g(r[6]), g(r[7])))
    q = sum(0.5 * (rows[i][5] + rows[i - 1][5]) * (rows[i][0] - rows[i - 1][0]) * 60 for i in range(1, len(rows)))
    with open(os.path.join(REF, "summary.csv"), "a") as f:
        f.write("%s,%d,%d,%g,%g,%g,%g,%g,%g,%g\n" % (name, len(rows), len(kept), round(rows[-1][0], 3), rows[0][3],
                                                     rows[-1][3], rows[-1][5], round(q / 3600, 4), rows[-1][2],
                                                     rows[-1][1]))
    print("%s: %d rows, %d kept, end %.3f min, V %.5f -> %.5f V, %.4f Ah/m2" %
          (name, len(rows), len(kept), rows[-1][0], rows[0][3], rows[-1][3], q / 3600))


if __name__ == "__main__":
    main()
