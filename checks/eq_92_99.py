"""Eqs. (82)-(83), (92)-(100): the symbolic gradient and Hessian of J_m.

Symbolic part: proofs/eq_92_99.py derives every formula from (80) and
compares it with the paper as printed.  Numeric part: the engine's gradient
and Hessian (lambdified from the same derivation) are compared with central
differences of the engine's value J_m (a separate expression, eq. (80)
through the moments), at a random point off M*_P, for both templates.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import sympy as sp
from mpmath import mpf

from cmwork.claims import FAILS, HOLDS, Claim, Param, Verdict, register
from cmwork.loss import Loss

from ._common import (make_target, parse_positive, rng_for, short,
                      target_params, width_param)

DPS = 40
#: Step of the central differences and the digits they keep: the O(h^2)
#: error is 1e-24 of the third derivative scale, far below the 1e-15 asked.
STEP = mpf(10) ** -12
AGREE = mpf(10) ** -15


def check(params, *, dps=None, seed=0, printed_overrides=()):
    """``printed_overrides``: ((eq, expr), ...) replaces printed formulas."""
    from proofs import eq_92_99
    d = eq_92_99.derive(tuple(printed_overrides))
    comparisons = [{"where": s.where, "matches": s.matches, "how": s.verified}
                   for s in d.steps if s.matches is not None]
    bad = [s for s in d.steps if s.matches is False]
    dps = dps or DPS
    numeric = []
    for tmpl in ("gaussian", "bump"):
        numeric.append(_finite_differences(dict(params, template=tmpl), seed,
                                           dps))
    evidence = {"comparisons": comparisons, "finite_differences": numeric}
    if bad:
        s = bad[0]
        return Verdict("eq-92-99", FAILS,
                       f"{s.where}: printed {sp.sstr(s.printed)} but derived "
                       f"{sp.sstr(s.derived)}", evidence, dps=dps)
    worst = max(numeric, key=lambda r: r["max_abs_difference"])
    if worst["max_abs_difference"] > AGREE:
        return Verdict("eq-92-99", FAILS,
                       f"engine and central differences differ by "
                       f"{short(worst['max_abs_difference'], 3)} "
                       f"({worst['template']})", evidence, dps=dps)
    return Verdict("eq-92-99", HOLDS,
                   f"{len(comparisons)} derived formulas equal the printed ones "
                   f"({sum(c['how'] == 'symbolic' for c in comparisons)} "
                   "symbolically); engine vs central differences within "
                   f"{short(worst['max_abs_difference'], 2)}", evidence, dps=dps)


def _finite_differences(params, seed, dps):
    rng = rng_for(seed, "eq-92-99", params["template"])
    rho = make_target(params, params["inv_omega"])
    m = params["m"]
    J = Loss(rho, m=m)
    with mpmath.workdps(dps + 20):
        a = [mpf(rng.uniform(-1, 1)) for _ in range(m)]
        w = [mpf(rng.uniform(0.5, 2)) for _ in range(m)]
        g = J.gradient(a, w, dps=dps + 20)
        H = J.hessian(a, w, dps=dps + 20)
        theta = a + w
        worst = mpf(0)

        def shifted(j, sgn):
            th = list(theta)
            th[j] += sgn * STEP
            return th[:m], th[m:]

        for j in range(2 * m):
            fd = (J.value(*shifted(j, 1), dps=dps + 20)
                  - J.value(*shifted(j, -1), dps=dps + 20)) / (2 * STEP)
            worst = max(worst, abs(fd - g[j]))
            gp, gm = J.gradient(*shifted(j, 1), dps=dps + 20), \
                J.gradient(*shifted(j, -1), dps=dps + 20)
            for i in range(2 * m):
                worst = max(worst, abs((gp[i] - gm[i]) / (2 * STEP) - H[i, j]))
    return {"template": params["template"], "m": m,
            "inv_omega": params["inv_omega"], "max_abs_difference": worst}


CLAIM = register(Claim(
    id="eq-92-99",
    title="The symbolic gradient and Hessian equal the paper's formulas",
    where="Section 4.2.1-4.2.2, eqs. (82)-(83), (92)-(100)",
    statement=("dJ/da_k, dJ/dw_k and the second derivatives of J_m are given "
               "by (92)-(99); Hess J_m = Hess J~_m + 2 E_omega (100)."),
    params=target_params(a_star=(Fraction(1), Fraction(-1, 2)),
                         w_star=(Fraction(1), Fraction(3, 2))) + [
        width_param(3),
        Param("inv_omega", "memory 1/omega of the numeric comparison",
              "number > 0", Fraction(3), parse=parse_positive),
    ],
    check=check,
    kind="symbolic",
))
