"""Proposition 4.1: J_m = ||rho_{0,omega}||^2 >= ||rho0||^2_{L^2[0,oo)} on M*_P.

Paper: Section 4.2.2 (2).  At random points of random affine spaces M*_P,
J_m is evaluated by the engine (eq. (80) through the moments) at two
precisions, and compared with ||rho_{0,omega}||^2 = int_{-1/omega}^oo rho0^2
from the template's own closed form.  The lower bound is compared with
||rho0||^2 on [0, oo), over memories 1/omega from below the template's
width (where rho_{0,omega} is cut at t = 0) to long memories.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
from mpmath import mpf

from cmwork.claims import (FAILS, HOLDS, INCONCLUSIVE, Claim, Verdict,
                           register)
from cmwork.loss import Loss

from ._common import (configurations, inv_omega_param, make_target,
                      points_param, short, target_params, width_param)

BASE_DPS = 30
EXTRA = 20


def check(params, *, dps=None, seed=0, bound="half-line"):
    """``bound='full-line'`` claims ||rho0||^2 on all of R (a wrong variant)."""
    dps = dps or BASE_DPS
    configs = configurations(params, seed, "prop-4.1")
    rows, fails, undecided = [], [], []
    for inv in params["inv_omegas"]:
        rho = make_target(params, inv)
        tmpl = rho.template
        norm_shift = tmpl.shifted_norm2(rho._omega, dps=dps + EXTRA)
        if bound == "half-line":
            lower = tmpl.half_norm2(dps=dps + EXTRA)
        else:
            lower = _full_line(tmpl, dps + EXTRA)
        J = Loss(rho, m=params["m"])
        for part, a_hat, w_hat in configs:
            lo = J.value(a_hat, w_hat, dps=dps)
            hi = J.value(a_hat, w_hat, dps=dps + EXTRA)
            err = abs(lo - hi) + mpf(10) ** (-dps)
            gap = hi - lower
            row = {"inv_omega": inv, "partition": part.pretty(), "J": hi,
                   "error": err, "norm_rho0w": norm_shift, "bound": lower,
                   "J_minus_bound": gap}
            rows.append(row)
            if abs(hi - norm_shift) > 4 * err:
                fails.append(f"J = {short(hi, 12)} != ||rho_0w||^2 = "
                             f"{short(norm_shift, 12)} at 1/omega = {inv}, "
                             f"P = {part.pretty()}")
            elif gap < -2 * err:
                fails.append(f"J = {short(hi, 12)} < bound {short(lower, 12)} "
                             f"at 1/omega = {inv}, P = {part.pretty()}")
            elif gap <= 2 * err:
                undecided.append(f"1/omega = {inv}")
    smallest = min(rows, key=lambda r: r["J_minus_bound"])
    evidence = {"bound": bound, "rows": rows,
                "smallest_margin": smallest["J_minus_bound"],
                "at_inv_omega": smallest["inv_omega"]}
    if fails:
        return Verdict("prop-4.1", FAILS, fails[0], evidence, dps=dps)
    if undecided:
        return Verdict("prop-4.1", INCONCLUSIVE,
                       f"J - bound within its error at {undecided[0]}; raise "
                       "--dps", evidence, dps=dps)
    return Verdict(
        "prop-4.1", HOLDS,
        f"J_m = ||rho_0w||^2 at {len(rows)} points on M*_P; J - ||rho0||^2 >= "
        f"{short(smallest['J_minus_bound'], 6)} (at 1/omega = "
        f"{smallest['inv_omega']}), error <= "
        f"{short(max(r['error'] for r in rows), 2)}", evidence, dps=dps)


def _full_line(tmpl, dps):
    """||rho0||^2 on R: the shifted norm with the whole template inside."""
    with mpmath.workdps(dps):
        lo, hi = tmpl.support
        if mpmath.isinf(lo):
            return tmpl._square_integral(mpmath.ninf, dps)
        return tmpl._square_integral(lo, dps)


CLAIM = register(Claim(
    id="prop-4.1",
    title="J_m = ||rho_0w||^2 >= ||rho0||^2 on M*_P, uniformly in omega",
    where="Section 4.2.2 (2), Proposition 4.1",
    statement=("For any (a_hat, w_hat) in M*_P, J_m(a_hat, w_hat) >= "
               "||rho0||^2_{L^2[0,oo)} > 0."),
    params=target_params(a_star=(Fraction(1), Fraction(-1, 2)),
                         w_star=(Fraction(1), Fraction(3, 2))) + [
        width_param(4),
        points_param(2, full=4),
        inv_omega_param(quick=(Fraction(1, 2), 1, 2, 5, 20, 100),
                        default=(Fraction(1, 2), 1, 2, 5, 20, 100),
                        full=(Fraction(1, 4), Fraction(1, 2), 1, 2, 5, 20, 100,
                              300)),
    ],
    check=check,
))
