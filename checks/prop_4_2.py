"""Proposition 4.2: on M*_P the gradient is (-2 Delta_0(w_hat_k), 2 a_hat_k
Delta_1(w_hat_k)), and its norm is O(omega^{-1} e^{-c/omega}).

Paper: Section 4.2.2 (2), eqs. (91)-(94).  The engine's gradient (where the
bracketed sums of (92)-(93) cancel to zero) is computed at the precision
budget for e^{-max w/omega} and again with more digits; the difference is
its error.  It must equal the closed form, computed from Delta alone.  The
norms over the grid of memories are fitted by log|g| = b + p log(1/omega) -
c/omega; the paper's c_{w*} is not given, Lemma 4.1 gives c = min_k w_hat_k
and p = 1, and that is the statement checked (a faster decay also holds).
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
from mpmath import mpf

from cmwork.claims import FAILS, HOLDS, INCONCLUSIVE, Claim, Verdict, register
from cmwork.loss import Loss

from ._common import (configurations, fit_rate, inv_omega_param, make_target,
                      points_param, bound_judgement, short, target_params,
                      width_param)

EXTRA = 20
#: Digits of the gradient that must be resolved for the verdict.
DIGITS = 12


def check(params, *, dps=None, seed=0, sign_a=-2, sign_w=2, rate_factor=1,
          power=1):
    """Statement knobs (for wrong variants): the closed form is
    (sign_a Delta_0, sign_w a_hat Delta_1), the bound
    omega^-power e^(-rate_factor min(w_hat)/omega)."""
    configs = configurations(params, seed, "prop-4.2")
    grid = list(params["inv_omegas"])
    rows, fails, undecided, fits = [], [], [], []
    used = set()
    for part, a_hat, w_hat in configs:
        norms = []
        for inv in grid:
            rho = make_target(params, inv)
            J = Loss(rho, m=params["m"])
            d = dps or J.budget(a_hat, w_hat, digits=DIGITS)
            used.add(d)
            lo = J.gradient(a_hat, w_hat, dps=d)
            hi = J.gradient(a_hat, w_hat, dps=d + EXTRA)
            with mpmath.workdps(d + EXTRA):
                closed = [sign_a * rho.delta(0, w, dps=d + EXTRA) for w in w_hat]
                closed += [sign_w * a * rho.delta(1, w, dps=d + EXTRA)
                           for a, w in zip(a_hat, w_hat)]
                err = max(abs(lo[i] - hi[i]) for i in range(len(closed)))
                err = max(err, mpf(10) ** (-d))
                dev = max(abs(hi[i] - closed[i]) for i in range(len(closed)))
                norm = mpmath.sqrt(mpmath.fsum(hi[i] ** 2
                                               for i in range(len(closed))))
            norms.append(norm)
            rows.append({"partition": part.pretty(), "inv_omega": inv,
                         "dps": d, "grad_norm": norm, "error": err,
                         "max_deviation_from_closed_form": dev})
            if dev > 4 * err:
                fails.append(f"gradient differs from the closed form by "
                             f"{short(dev, 3)} (error {short(err, 2)}) at "
                             f"1/omega = {inv}, P = {part.pretty()}")
            elif norm < err * mpf(10) ** DIGITS:
                undecided.append(f"1/omega = {inv}: |grad| = {short(norm, 3)} "
                                 f"not resolved (error {short(err, 2)})")
        upper = len(grid) // 2 - 1
        fit = fit_rate(grid[upper:], norms[upper:])
        claimed = rate_factor * float(min(w_hat))
        ok, why, growth = bound_judgement(grid, norms, claimed, power)
        fits.append({"partition": part.pretty(), "min_w_hat": min(w_hat),
                     **fit, "judgement": why, "growth": growth})
        if not ok:
            fails.append(f"P = {part.pretty()}: {why}")
    evidence = {"rows": rows, "fits": fits, "dps_used": sorted(used),
                "statement": {"sign_a": sign_a, "sign_w": sign_w,
                              "rate_factor": rate_factor, "power": power}}
    dps_txt = max(used)
    if fails:
        return Verdict("prop-4.2", FAILS, fails[0], evidence, dps=dps_txt)
    if undecided:
        return Verdict("prop-4.2", INCONCLUSIVE, undecided[0] + "; raise --dps",
                       evidence, dps=dps_txt)
    cs = ", ".join(f"{f['c']:.4f}" for f in fits)
    ps = ", ".join(f"{f['p']:.2f}" for f in fits)
    return Verdict(
        "prop-4.2", HOLDS,
        f"grad = (-2 Delta_0, 2 a Delta_1) on M*_P at {len(rows)} points; "
        f"|grad| ~ omega^-p e^(-c/omega) with c = {cs} (min w* = "
        f"{float(min(params['w_star'])):g}), p = {ps}", evidence, dps=dps_txt)


CLAIM = register(Claim(
    id="prop-4.2",
    title="Gradient on M*_P is (-2 Delta_0, 2 a Delta_1), O(omega^-1 e^(-c/omega))",
    where="Section 4.2.2 (2), Proposition 4.2, eqs. (91)-(94)",
    statement=("On M*_P, dJ/da_k = -2 Delta_0(w_hat_k), dJ/dw_k = 2 a_hat_k "
               "Delta_1(w_hat_k), and |grad J_m| = O(omega^-1 e^(-c/omega))."),
    params=target_params(a_star=(Fraction(1), Fraction(-1, 2)),
                         w_star=(Fraction(1), Fraction(3, 2))) + [
        width_param(4),
        points_param(2, full=4),
        inv_omega_param(quick=(10, 20, 30, 40, 60, 80),
                        default=(10, 20, 30, 40, 60, 80),
                        full=(10, 20, 40, 60, 80, 120, 160, 200)),
    ],
    check=check,
))
