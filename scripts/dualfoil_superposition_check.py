#!/usr/bin/env python3
"""Why DUALFOIL's liquid MS runs end seconds late: its solid-phase superposition with history trimming.

DUALFOIL 5.1 (dualfoil5.1.f, subroutine calca and the main time loop) gets the particle surface concentration from a
Duhamel superposition over its stored history of surface concentrations (piecewise linear in time, sphere kernel),
and from time step 501 on it thins that history once per 200 steps (every other stored point of the oldest 400 is
dropped). The MS runs end in thousands of tiny steps (raw rows 7300 at 1C, 26300 at 3C), so the recent history is
coarsened over and over. This script rebuilds that algorithm from its description (not DUALFOIL's code) for one
sphere under a constant flux and compares the surface concentration with the exact series solution.

Flux: N R / (D c_t) = 0.205, the back of the Marquis 3C electrode near its end (D = 1e-13 m2/s, R = 10 um:
D / R^2 = 1e-3 1/s). Steps: 0.02 s growing by 1.1 up to 5 s for 1090 s (DUALFOIL's tmmax), then 1 ms tail steps.
Output (c_surf - exact, in units of c_t): -1.0e-4 without a tail (also without trimming), -3.0e-4 after 2000 tail
steps, -1.2e-3 after 6000, -2.8e-3 after 13000 with trimming (-5.6e-3 after 26000, not run by default). Run: python3 scripts/dualfoil_superposition_check.py
(about a minute).
"""
import math


def uptake(tau):
    """Uptake of a sphere after a unit step in surface concentration, per R (DUALFOIL's two series forms)."""
    if tau <= 0:
        return 0.0
    if tau > 0.06:
        s = sum(math.exp(-j * j * math.pi ** 2 * tau) / (j * j) for j in range(1, 6) if j * j * math.pi ** 2 * tau <= 150)
        return 2 * (math.pi ** 2 / 6 - s) / math.pi ** 2
    s = 0.0
    for j in range(1, 4):
        y2 = j * j / tau
        s += (math.exp(-y2) if y2 < 150 else 0.0) - j * math.sqrt(math.pi / tau) * math.erfc(j / math.sqrt(tau))
    return -tau + 2 * math.sqrt(tau / math.pi) * (1 + 2 * s)


D = 1e-3          # D / R^2 [1/s], R = 1
Q = 0.205 * D     # flux in (units of c_t R / s)


def exact(t):
    """Surface concentration of a sphere under constant flux from c = 0 (eigenvalues tan(l) = l)."""
    tau = D * t
    roots = []
    for n in range(1, 200):
        lo, hi = n * math.pi + 1e-9, n * math.pi + math.pi / 2 - 1e-9
        for _ in range(80):
            mid = 0.5 * (lo + hi)
            if math.tan(mid) - mid > 0:
                hi = mid
            else:
                lo = mid
        roots.append(0.5 * (lo + hi))
    return (Q / D) * (3 * tau + 0.2 - 2 * sum(math.exp(-l * l * tau) / (l * l) for l in roots))


def run(trim, tail_steps, tail_dt=1e-3, t1=1090.0):
    ts, cs = [0.0], [0.0]

    def step(dt):
        tn = ts[-1] + dt
        hist = 0.0
        for i in range(len(ts) - 1):
            h = ts[i + 1] - ts[i]
            if h != 0:
                hist += (cs[i + 1] - cs[i]) / h * (uptake(D * (tn - ts[i])) - uptake(D * (tn - ts[i + 1])))
        cs.append(cs[-1] + (Q - hist) * dt / uptake(D * dt))
        ts.append(tn)
        if trim and len(ts) >= 501:  # keep 1, then 3, 5, ..., 401 in 2..201, then 402..K in 202..
            T, C = [None] + ts, [None] + cs
            k = len(ts)
            for kk in range(3, 402, 2):
                T[(kk + 1) // 2], C[(kk + 1) // 2] = T[kk], C[kk]
            for kk in range(402, k + 1):
                T[kk - 200], C[kk - 200] = T[kk], C[kk]
            ts[:], cs[:] = T[1:k - 199], C[1:k - 199]

    dt = 0.02
    while ts[-1] < t1:
        step(min(dt, t1 - ts[-1]))
        dt = min(1.1 * dt, 5.0)
    for _ in range(tail_steps):
        step(tail_dt)
    return ts[-1], cs[-1]


if __name__ == "__main__":
    for trim, tail in ((0, 0), (0, 2000), (1, 2000), (1, 6000), (1, 13000)):
        t, c = run(trim, tail)
        print("trim %d, %5d tail steps: t = %8.3f s, c_surf - exact = %+.2e c_t" % (trim, tail, t, c - exact(t)))
