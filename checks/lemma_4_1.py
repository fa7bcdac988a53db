"""Lemma 4.1: Delta_{n,omega}(w) -> 0, and Delta = O(omega^{-n} e^{-w/omega}).

Paper: Section 4.2.2 (1), eqs. (88)-(90).  The check evaluates Delta of
eq. (88) in closed form over a grid of memories 1/omega and forms the ratio

    r(omega) = Delta_{n,omega}(w) / (omega^{-n} e^{-w/omega}).

Boundedness on a finite grid is judged by convergence: r must settle (the
relative change between the last two grid points below
:data:`SETTLE_TOL`) on the limit L = int_R e^{-w s} rho0(s) ds, the
template's bilateral Laplace transform, which is computed by another route
(its own closed form) and is the constant hidden in the O(.) of (89).
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
from mpmath import mpf

from cmwork.claims import (FAILS, HOLDS, INCONCLUSIVE, Claim, Param, Verdict,
                           parse_int, parse_list, register)

from ._common import (inv_omega_param, make_template, mpf_of, parse_positive,
                      parse_template, short)

#: The last two grid points must give ratios within this relative distance,
#: and the last ratio must be this close to L (chosen here: on the default
#: grid the true ratio is within n w sigma^2 omega ~ 1e-3 of L, a wrong
#: power of omega moves it by the grid step, a factor >= 3).
SETTLE_TOL = 0.05

#: Digits to which each Delta must be known (two precisions compared).
DIGITS = 10

BASE_DPS = 30


def check(params, *, dps=None, seed=0, power_shift=0, rate_factor=1):
    """``power_shift``/``rate_factor`` alter the statement (for wrong variants):
    the claimed bound becomes omega^{-(n + power_shift)} e^{-rate_factor w/omega}.
    """
    dps = dps or BASE_DPS
    w = mpf_of(params["w"])
    grid = sorted(params["inv_omegas"])
    rows, failures, unresolved = [], [], []
    for name in params["templates"]:
        tmpl = make_template(dict(params, template=name))
        L = tmpl.bilateral_laplace(w, dps=dps)
        for n in params["orders"]:
            ratios, values = [], []
            for inv in grid:
                mu, omega = mpf_of(inv), 1 / Fraction(inv)
                lo = tmpl.delta(n, w, omega, dps=dps)
                hi = tmpl.delta(n, w, omega, dps=dps + 20)
                if abs(lo - hi) * mpf(10) ** DIGITS > abs(hi):
                    unresolved.append(f"{name} n={n} 1/omega={inv}")
                values.append(hi)
                with mpmath.workdps(dps + 20):
                    ratios.append(hi / (mu ** (n + power_shift)
                                        * mpmath.exp(-rate_factor * w * mu)))
            decreasing = all(abs(b) < abs(a) for a, b in zip(values, values[1:]))
            if len(grid) == 1:          # one memory (a sweep point): measured
                rows.append({"template": name, "n": n, "L": L,
                             "ratio_last": ratios[-1],
                             "distance_to_L": abs(ratios[-1] / L - 1),
                             "Delta_last": values[-1]})
                continue
            settle = abs(ratios[-1] / ratios[-2] - 1)
            off_limit = abs(ratios[-1] / L - 1)
            row = {"template": name, "n": n, "L": L,
                   "ratio_last": ratios[-1], "settle": settle,
                   "distance_to_L": off_limit,
                   "correction_mu_times_rel_error": off_limit * mpf_of(grid[-1]),
                   "Delta_last": values[-1], "decreasing": decreasing}
            rows.append(row)
            why = []
            if not decreasing:
                why.append("Delta does not decrease along the grid")
            if settle > SETTLE_TOL:
                why.append(f"ratio still moving by {short(settle, 3)} between "
                           f"1/omega = {grid[-2]} and {grid[-1]}: unbounded")
            elif off_limit > SETTLE_TOL:
                why.append(f"ratio {short(ratios[-1])} is not near L = "
                           f"{short(L)}")
            if why:
                failures.append(f"{name}, n = {n}: " + "; ".join(why))
    evidence = {"w": w, "grid": list(grid), "rows": rows,
                "claimed_bound": f"omega^-(n+{power_shift}) e^(-{rate_factor} w/omega)"}
    if failures:
        return Verdict("lemma-4.1", FAILS, failures[0], evidence, dps=dps)
    if len(grid) == 1:
        meas = "; ".join(f"{r['template']} n={r['n']}: ratio/L = "
                         f"{short(r['ratio_last'] / r['L'], 6)}" for r in rows)
        return Verdict("lemma-4.1", INCONCLUSIVE,
                       f"one memory 1/omega = {grid[0]}: Delta_n omega^n "
                       f"e^(w/omega) measured ({meas}); a limit needs two or "
                       "more memories (inv_omegas=A,B,...)", evidence, dps=dps)
    if unresolved:
        return Verdict("lemma-4.1", INCONCLUSIVE,
                       f"Delta not resolved to {DIGITS} digits at "
                       f"{unresolved[0]}; raise --dps", evidence, dps=dps)
    consts = ", ".join(f"L({r['template']}) = {short(r['L'], 10)}"
                       for r in rows if r["n"] == params["orders"][0])
    return Verdict("lemma-4.1", HOLDS,
                   f"Delta_n -> 0 and Delta_n omega^n e^(w/omega) -> L for "
                   f"n = {','.join(map(str, params['orders']))} up to 1/omega = "
                   f"{grid[-1]}; {consts}", evidence, dps=dps)


CLAIM = register(Claim(
    id="lemma-4.1",
    title="Delta_{n,omega}(w) -> 0 and = O(omega^-n e^(-w/omega))",
    where="Section 4.2.2 (1), Lemma 4.1, eqs. (88)-(89)",
    statement=("For a bounded template Delta_{n,omega}(w) -> 0 as omega -> 0; "
               "for a sub-Gaussian one Delta_{n,omega}(w) = "
               "O(omega^-n e^(-w/omega))."),
    params=[
        Param("templates", "templates to test", "gaussian,bump",
              ("gaussian", "bump"), parse=parse_list(parse_template)),
        Param("c0", "template height c0", "nonzero number", Fraction(1),
              parse=parse_positive),
        Param("sigma", "Gaussian sigma, or the bump's half width",
              "number > 0", Fraction(1), parse=parse_positive),
        Param("orders", "orders n", "integers >= 0", (0, 1, 2),
              parse=parse_list(parse_int)),
        Param("w", "the argument w of Delta", "number > 0", Fraction(1),
              parse=parse_positive),
        inv_omega_param(quick=(10, 30, 100, 300, 1000, 3000, 10000),
                        default=(10, 30, 100, 300, 1000, 3000, 10000),
                        full=(10, 30, 100, 300, 1000, 3000, 10000, 30000,
                              100000)),
    ],
    check=check,
))
