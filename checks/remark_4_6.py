"""Remark 4.6: m = 2, m* = 1 also has a negative Hessian eigenvalue.

Paper: Section 4.2.2 (3).  Symbolic part (proofs/remark_4_6.py): the 4x4
Hessian, the congruence and the 3x3 determinant derived and compared with
the printed ones; the leading term -4 Delta_1^2 a*^2/(4 w*^3) must match.
Numeric part: the sign of the smallest eigenvalue of Hess J_2 at random
points of M*_P over a grid of memories, read only above twice its error.
"""
from __future__ import annotations

from fractions import Fraction

import sympy as sp

from cmwork.claims import FAILS, HOLDS, INCONCLUSIVE, Claim, Verdict, register

from ._common import (configurations, inv_omega_param, points_param, short,
                      target_params)
from .prop_4_4 import (all_enclosed, certified_notes, certified_summary,
                       smallest_eigenvalue_rows)


def check(params, *, dps=None, seed=0, expected_sign=-1, certified=False):
    """``expected_sign=+1`` claims a positive smallest eigenvalue (wrong).

    ``certified``: signs from the certified inertia; the symbolic part is
    exact (SymPy), so the verdict is certified when every sign is.
    """
    from proofs import remark_4_6
    d = remark_4_6.derive()
    leading = next(s for s in d.steps if s.where == "Remark 4.6, leading term")
    minor = next(s for s in d.steps if s.where.startswith("2x2 principal"))
    params = dict(params, m=2)
    configs = configurations(params, seed, "remark-4.6")
    grid = list(params["inv_omegas"])
    rows, fails, undecided, used = smallest_eigenvalue_rows(
        params, configs, grid, dps, expected_sign, "remark-4.6", certified)
    notes = [f"{s.where}: printed {sp.sstr(s.printed)}, derived "
             f"{sp.sstr(s.derived)}; {s.note}" for s in d.errata]
    notes.append(minor.note)
    if certified:
        notes += certified_notes(rows)
    evidence = {"rows": rows, "symbolic": [
        {"where": s.where, "matches": s.matches, "derived": sp.sstr(s.derived),
         "printed": sp.sstr(s.printed) if s.printed is not None else None}
        for s in d.steps]}
    top = max(used)
    if leading.matches is False:
        fails.append(f"determinant leading term {sp.sstr(leading.derived)} "
                     f"!= printed {sp.sstr(leading.printed)}")
    if fails:
        return Verdict("remark-4.6", FAILS, fails[0], evidence, dps=top,
                       notes=notes, certified=certified)
    if undecided:
        return Verdict("remark-4.6", INCONCLUSIVE, undecided[0] +
                       "; raise --dps", evidence, dps=top, notes=notes)
    worst = max(rows, key=lambda r: r["lambda_min"])
    if certified:
        return Verdict(
            "remark-4.6", HOLDS,
            f"lambda_min < 0 at {len(rows)} points (m = 2, m* = 1), up to "
            f"1/omega = {grid[-1]}: {certified_summary(worst)}; det leading "
            f"term -4 Delta_1^2 a*^2/(4 w*^3) derived; {len(d.errata)} printed "
            "entry differs", evidence, dps=top, notes=notes,
            certified=all_enclosed(rows))
    return Verdict(
        "remark-4.6", HOLDS,
        f"lambda_min < 0 at {len(rows)} points (m = 2, m* = 1), up to "
        f"1/omega = {grid[-1]}: {short(worst['lambda_min'], 4)} +- "
        f"{short(worst['error'], 2)}; det leading term -4 Delta_1^2 "
        f"a*^2/(4 w*^3) derived; {len(d.errata)} printed entry differs",
        evidence, dps=top, notes=notes)


CLAIM = register(Claim(
    id="remark-4.6",
    title="m = 2, m* = 1: the Hessian on M*_P has a negative eigenvalue",
    where="Section 4.2.2 (3), Remark 4.6",
    statement=("For m = 2, m* = 1, Hess J_2(a_hat, w_hat) has a negative "
               "eigenvalue on M*_P for 0 < omega << 1; det of the reduced "
               "3x3 block = -4 Delta_1^2 (a*^2/(4 w*^3) + o(1))."),
    params=target_params(a_star=(Fraction(2),), w_star=(Fraction(1),)) + [
        points_param(3, full=5),
        inv_omega_param(quick=(5, 20, 80, 200), default=(5, 20, 80, 200),
                        full=(2, 5, 10, 20, 40, 80, 160, 300)),
    ],
    check=check,
    certifiable=True,
))
