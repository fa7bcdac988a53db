"""Cost of the eq-72 sweep against the memory 1/omega, at fixed eps.

For rho(t) = omega (1+t)^-(1+omega) and eps in EPSILONS, the smallest width
m*(eps) of the Theorem 3.3 construction is found as in ``cmwork check
eq-72`` (a linear programme per (m, r), golden section in r, bisection in
m).  The wall time, the number of LPs and m* are printed for each 1/omega.

Run by hand:  .venv/bin/python benchmarks/eq72_cost.py
              [> benchmarks/results/eq72_cost.txt]
"""
from __future__ import annotations

import time

import numpy as np

from checks.eq_72 import M_MAX, RATE_EVALUATIONS, WidthSearch

INV_OMEGAS = (0.5, 1.0, 1.5, 2.0)
EPSILONS = (0.2, 0.1, 0.05)


def main():
    print(f"eq-72 sweep cost; eps = {EPSILONS}, {RATE_EVALUATIONS} LPs per "
          f"width, widths up to {M_MAX}")
    print(f"{'1/omega':>8} {'m*(eps)':>16} {'widths':>7} {'LPs':>5} "
          f"{'seconds':>8} {'s/LP':>7}")
    rows = []
    for inv in INV_OMEGAS:
        ws = WidthSearch(1 / inv)
        t0 = time.perf_counter()
        ms = [ws.width_for(e) for e in EPSILONS]
        dt = time.perf_counter() - t0
        lps = len(ws.cache) * RATE_EVALUATIONS
        rows.append((inv, dt))
        print(f"{inv:8.2f} {str(ms):>16} {len(ws.cache):7d} {lps:5d} "
              f"{dt:8.2f} {dt / lps:7.4f}")
    x = np.log([r[0] for r in rows])
    y = np.log([r[1] for r in rows])
    print(f"time ~ (1/omega)^{np.polyfit(x, y, 1)[0]:.2f} over this range; "
          "the widths, and with them the LP size, grow like "
          "eps^(-0.6/omega)")


if __name__ == "__main__":
    main()
