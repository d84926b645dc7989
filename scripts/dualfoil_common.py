"""Pieces shared by the DUALFOIL scripts (dualfoil_compare.py, dualfoil_end_sweep.py, dualfoil_store.py): the
repository root, ssbnet's --set overrides of case MS, the ssbnet cell files of the DUALFOIL decks (written from
tests/cells.h), the rows of a DUALFOIL output and the thinning of the stored references."""
import os, re, subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# case MS (the Marquis 2019 cell as DUALFOIL ran it) on top of deck B's cell file
MS = ["temperature_K=298.15", "negative.initial_stoichiometry=0.8", "negative.rate_constant_m2.5_per_mol0.5_s=2.0728e-10",
      "negative.interface_resistance_ohm_m2=0", "positive.rate_constant_m2.5_per_mol0.5_s=6.2186e-12",
      "positive.max_concentration_mol_per_m3=%.10g" % (3600 * 258.0038 * 5010 / 96487.0),
      "positive.initial_stoichiometry=0.637194"]

_GEN = r"""
#include <stdio.h>
#include "cells.h"
int main(void) {
    const char *n[3] = {"B.json", "C.json", "F.json"};
    const char *d[3] = {SSB_TEST_CELL_DUALFOIL_B, SSB_TEST_CELL_DUALFOIL_C, SSB_TEST_CELL_DUALFOIL_F};
    for (int i = 0; i < 3; i++) { FILE *f = fopen(n[i], "w"); if (!f) return 1; fprintf(f, "%s \"numerics\": {}}\n", d[i]); fclose(f); }
    return 0;
}
"""


def write_decks(tmp):
    """B.json, C.json and F.json (the cell files of DUALFOIL decks B, C and F) into the folder tmp."""
    with open(os.path.join(tmp, "gen.c"), "w") as f:
        f.write(_GEN)
    subprocess.run(["cc", "-I" + os.path.join(ROOT, "tests"), "gen.c", "-o", "gen"], cwd=tmp, check=True)
    subprocess.run(["./gen"], cwd=tmp, check=True)


def out_rows(run):
    """The fields (stripped strings) of the time-step rows of RUN/dualfoil5.out: time_min, util_neg_x, util_pos_y,
    cell_V, Uocp_V, current_A_m2, temp_C, heatgen_W_m2."""
    rows = []
    with open(os.path.join(run, "dualfoil5.out")) as f:
        for line in f:
            fl = [x.strip() for x in line.split(",")]
            if len(fl) >= 8 and re.match(r"^-?[0-9.]+$", fl[0]) and re.match(r"^-?[0-9.]+$", fl[3]):
                rows.append(fl)
    return rows


def thin(rows, vcol):
    """The stored references' thinning of rows (time in column 0, voltage in column vcol): keep a row when V moved
    >= 0.5 mV or t moved >= 0.5 % of the run since the last kept row; the first and last rows are kept."""
    if not rows:
        return rows
    span = rows[-1][0] - rows[0][0]
    out = [rows[0]]
    for r in rows[1:-1]:
        if abs(r[vcol] - out[-1][vcol]) >= 5e-4 or r[0] - out[-1][0] >= 5e-3 * span:
            out.append(r)
    out.append(rows[-1])
    return out
