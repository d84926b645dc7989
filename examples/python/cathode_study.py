#!/usr/bin/env python3
"""Worked example of ssbnet from Python: from a microstructure to a cell.

1. TauFactor's electrode.tiff: tortuosity factor of the pore phase along z (the CLI's number, 2.0772).
2. Generated composite cathodes with 50, 60 and 70 vol% NCM811: active CAM fraction and the ionic tortuosity of the
   solid-electrolyte network through the thickness.
3. The default solid-state cell: rate capability (specific capacity and energy density per C-rate).
4. impedance.py's example spectrum: an equivalent-circuit fit and its DRT.

Run from the repository root after the build:  PYTHONPATH=python python3 examples/python/cathode_study.py
"""
import os

import ssbnet  # first: it finds numpy for an interpreter without its own (see python/ssbnet/__init__.py)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REF = os.path.join(ROOT, "tests", "reference")

# 1. A tomogram from TauFactor's repository: labels 0 (pore), 85, 170.
img = ssbnet.read_image(os.path.join(REF, "microstructure", "taufactor", "electrode.tiff"))
r = ssbnet.transport(img, phase=0, axis="z")
print("electrode.tiff pore phase along z: tau = %.6f (eps = %.4f, %d CG iterations)" % (r.tau, r.eps, r.iterations))

# 2. Generated cathodes (labels: 0 pore, 1 Li6PS5Cl, 2 NCM811, 3 carbon), 0.4 um voxels, 64^3.
print("\n%-10s %-18s %-22s" % ("CAM vol%", "active CAM [%]", "SE tau along z [-]"))
for cam in (0.5, 0.6, 0.7):
    a, info = ssbnet.generate_cathode((64, 64, 64), voxel_size=0.4e-6, cam_fraction=cam, seed=2, with_info=True)
    # the phase table (roles and materials): analyze takes each phase's conductivities from the database, as
    # `ssbnet micro analyze` does (a Li+-conducting coating would count in the ionic network)
    an = ssbnet.analyze(a, info["phases"], voxel_size=0.4e-6)
    t = ssbnet.transport(a, phase=1, axis="z")
    print("%-10.0f %-18.1f %-22.3f" % (100 * cam, 100 * an.active_fraction, t.tau))

# 3. The built-in default cell (60 um NCM811 | Li6PS5Cl composite, 30 um separator, Li metal).
rates = ssbnet.cell_rates([0.1, 0.5, 1, 2])
print("\n%-8s %-24s %-26s %s" % ("C-rate", "capacity [mAh/g NCM]", "energy density [Wh/kg]", "bottleneck"))
for i, c in enumerate(rates.c_rate):
    print("%-8.2g %-24.1f %-26.1f %s" % (c, rates.specific_capacity_mAh_per_g[i], rates.energy_density_Wh_per_kg[i],
                                          rates.bottleneck[i]))

# 4. impedance.py's exampleData.csv: fit from its documented guess with unit weights, then the DRT.
# read_spectrum reads what `ssbnet eis fit FILE` reads (CSV, ZPlot .z, BioLogic .mpt, Gamry .DTA); drop_inductive
# is --drop-inductive (impedance.py's ignoreBelowX)
f, Z = ssbnet.read_spectrum(os.path.join(REF, "eis", "impedance.py", "exampleData.csv"), drop_inductive=True)
fit = ssbnet.eis_fit(f, Z, "R0-p(R1,C1)-p(R2-Wo1,C2)", guess=[.01, .01, 100, .01, .05, 100, 1], weight="unit")
print("\nfit (%s, rss %.3g): " % (fit.status, fit.rss) +
      ", ".join("%s = %.4g %s" % (k, v, fit.units[k]) for k, v in fit.parameters.items()))
d = ssbnet.eis_drt(f, Z)
print("DRT: R_inf = %.4g Ohm, R_pol = %.4g Ohm, %d peaks at tau = %s s" % (
    d.R_inf_Ohm, d.R_pol_Ohm, len(d.peaks), ", ".join("%.3g" % p["tau_s"] for p in d.peaks)))
