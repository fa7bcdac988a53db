"""Theorems A.4-A.6: best approximations of completely monotone targets.

Paper: Appendix A.1.2.  For rho completely monotone and not in V_d(R+):

* thm-a.4 (Kammler): a best approximation by d exponentials exists, with
  b_j > 0 and distinct v_j, and it satisfies the generalized
  Aigrain-Williams equations (126)-(127);
* thm-a.5: it is a non-degenerate global minimizer of J_d;
* thm-a.6: hence J_m has at least sum_{d <= m'} d! S(m, d) coincided
  critical affine spaces, m' = min(m, D0), D0 = sup{d : rho not in V_d}.

How it is judged (cmwork.best_approx): a global search over every
d-subset of a logarithmic grid of exponents (coefficients by least
squares), Levenberg-Marquardt from the best separated cells, Newton
polishing at the working precision and again with more digits.  (126) and
(127) are then the residuals of dJ_d/db_j = 0 and dJ_d/dv_j = 0; they must
be at the rounding level at both precisions.  The value must not exceed the
grid's minimum nor any local search's; the search is a search, not a
proof, and the verdict says what it covered.
"""
from __future__ import annotations

import functools
import math

import mpmath
from mpmath import mpf

from cmwork.best_approx import best_approximation
from cmwork.claims import (FAILS, HOLDS, INCONCLUSIVE, Claim, Param, Verdict,
                           parse_list, register)
from cmwork.landscape import (count_surjections, point_on_lift,
                              random_partition, stirling2)
from cmwork.loss import Loss

from ._common import parse_width, rng_for, short
from .lemma_a_1 import SLACK, dps_param, make_target, targets_param


@functools.lru_cache(maxsize=64)
def cached_best(spec: str, d: int, dps: int):
    """best_approximation of make_target(spec) by d exponentials (cached:
    thm-a.1, a.3, a.4-a.7 share these)."""
    return best_approximation(make_target(spec), d, dps=dps)


def widths_param(default, quick=None):
    return Param("widths", "numbers d of exponentials", "integers >= 1",
                 tuple(default), quick=None if quick is None else tuple(quick),
                 parse=parse_list(parse_width))


def _judge(spec, d, dps, perturb):
    """One best approximation: the rows and the reasons it fails."""
    r = cached_best(spec, d, dps)
    rho = make_target(spec)
    b, v = list(r.b), list(r.v)
    gnorm, gcheck = r.gradient_norm, r.gradient_norm_check
    aw = r.aigrain_williams
    if perturb:
        from cmwork.best_approx import aigrain_williams
        with mpmath.workdps(r.dps_check):
            v = [x * (1 + mpf(perturb)) for x in v]
            J = Loss(rho, m=d)
            g = J.gradient(b, v, dps=r.dps_check)
            gnorm = gcheck = mpmath.sqrt(mpmath.fsum(x ** 2 for x in g))
            aw = aigrain_williams(rho, b, v, dps=r.dps_check)
    tol = mpf(10) ** (-(dps - SLACK))
    tol_check = mpf(10) ** (-(r.dps_check - SLACK))
    res = max(abs(x) for x in aw[0] + aw[1])
    with mpmath.workdps(r.dps_check):
        gaps = [v[i + 1] - v[i] for i in range(d - 1)]
        J_val = Loss(rho, m=d).value(b, v, dps=r.dps_check)
    row = {"target": spec, "d": d, "b": b, "v": v, "J_d": J_val,
           "aigrain_williams_126": aw[0], "aigrain_williams_127": aw[1],
           "max_residual": res, "gradient_norm": gnorm,
           "gradient_norm_check": gcheck, "grid_min": r.grid_min,
           "grid": r.grid, "start_values": r.start_values,
           "hessian_min_eigenvalue": r.hessian_eigenvalues[0],
           "dps": dps, "dps_check": r.dps_check, "converged": r.converged,
           "notes": r.notes}
    fails = []
    where = f"{spec}, d = {d}"
    if res > tol_check or gnorm > tol or gcheck > tol_check:
        fails.append(f"Aigrain-Williams residual {short(res, 3)} (gradient "
                     f"{short(gcheck, 3)}) above the rounding level "
                     f"{short(tol_check, 2)} at {where}")
    if any(x <= 0 for x in b):
        fails.append(f"coefficient b = {short(min(b), 4)} <= 0 at {where}")
    if any(g <= 0 for g in gaps):
        fails.append(f"exponents not distinct at {where}")
    slack = mpf(10) ** -12 * max(1, abs(J_val))
    if J_val > mpf(r.grid_min) + slack or any(J_val > s + slack
                                              for s in r.start_values):
        fails.append(f"J_d = {short(J_val, 10)} above the global search's "
                     f"{short(min([mpf(r.grid_min)] + r.start_values), 10)} "
                     f"at {where}")
    return row, fails


def _rows(params, dps, perturb=0):
    rows, fails = [], []
    for spec in params["targets"]:
        for d in params["widths"]:
            if _in_span(spec, d):
                continue
            row, f = _judge(spec, d, dps, perturb)
            rows.append(row)
            fails += f
    return rows, fails


def _in_span(spec, d):
    """rho in V_d: an exponential sum of at most d terms (Remark A.7)."""
    return spec.startswith("exp:") and len(make_target(spec).a) <= d


def check_a4(params, *, dps=None, seed=0, perturb=0):
    """``perturb``: multiply the exponents by 1 + perturb (a wrong variant)."""
    dps = dps or params["dps0"]
    rows, fails = _rows(params, dps, perturb)
    evidence = {"rows": rows}
    if fails:
        return Verdict("thm-a.4", FAILS, fails[0], evidence, dps=dps)
    worst = max(r["max_residual"] for r in rows)
    spread = max(max(s - r["J_d"] for s in r["start_values"]) for r in rows)
    return Verdict(
        "thm-a.4", HOLDS,
        f"{len(rows)} best approximations (targets x d): b_j > 0, v_j "
        f"distinct, (126)-(127) residuals <= {short(worst, 2)} at "
        f"{rows[0]['dps_check']} digits; J_d at the grid's minimum or below, "
        f"local searches within {short(spread, 2)}: " + "; ".join(
            f"{r['target']} d={r['d']}: J = {short(r['J_d'], 6)}, v = "
            f"({', '.join(short(x, 4) for x in r['v'])})" for r in rows),
        evidence, dps=dps,
        notes=["the global search is a grid of "
               f"{rows[0]['grid'][2]} exponents per axis over "
               f"[{rows[0]['grid'][0]:g}, {rows[0]['grid'][1]:g}] and local "
               "searches from its best separated cells, not a proof of "
               "global optimality"])


def check_a5(params, *, dps=None, seed=0, perturb=0):
    """J_d's global minimizer is non-degenerate; J_d decreases strictly in d."""
    dps = dps or params["dps0"]
    rows, fails = _rows(params, dps, perturb)
    undecided = []
    by_target = {}
    for r in rows:
        lam = r["hessian_min_eigenvalue"]
        if not lam > mpf(10) ** (-(r["dps_check"] // 2)):
            undecided.append(f"Hess J_d not resolved positive definite "
                             f"(lambda_min = {short(lam, 3)}) at "
                             f"{r['target']}, d = {r['d']}")
        by_target.setdefault(r["target"], []).append(r)
    for spec, rs in by_target.items():
        rs.sort(key=lambda r: r["d"])
        for r0, r1 in zip(rs, rs[1:]):
            if not r1["J_d"] < r0["J_d"]:
                fails.append(f"J_{r1['d']} = {short(r1['J_d'], 6)} not below "
                             f"J_{r0['d']} = {short(r0['J_d'], 6)} for {spec}")
    evidence = {"rows": rows}
    if fails:
        return Verdict("thm-a.5", FAILS, fails[0], evidence, dps=dps)
    if undecided:
        return Verdict("thm-a.5", INCONCLUSIVE, undecided[0], evidence, dps=dps)
    lam = min(r["hessian_min_eigenvalue"] for r in rows)
    return Verdict(
        "thm-a.5", HOLDS,
        f"{len(rows)} minimizers of J_d non-degenerate (b_j > 0, v_j "
        f"distinct), Hess J_d positive definite (smallest eigenvalue "
        f"{short(lam, 3)}), J_d strictly decreasing in d for every target: "
        + "; ".join(f"{s}: " + " > ".join(short(r["J_d"], 4) for r in rs)
                    for s, rs in by_target.items()), evidence, dps=dps)


def check_a6(params, *, dps=None, seed=0, count_offset=0):
    """``count_offset`` adds to the claimed count (a wrong variant)."""
    dps = dps or params["dps0"]
    m = params["m"]
    rows, fails = [], []
    for spec in params["targets"]:
        rho = make_target(spec)
        D0 = len(rho.a) - 1 if spec.startswith("exp:") else math.inf
        m_prime = int(min(m, D0))
        claimed = sum(math.factorial(d) * stirling2(m, d)
                      for d in range(1, m_prime + 1)) + count_offset
        spaces, grads = 0, []
        for d in range(1, m_prime + 1):
            r = cached_best(spec, d, dps)
            if any(x <= 0 for x in r.b):
                fails.append(f"{spec}: J_{d}'s minimizer has b <= 0")
            n = count_surjections(m, d)
            spaces += n
            rng = rng_for(seed, "thm-a.6", spec, d)
            part = random_partition(m, d, rng)
            a_hat, w_hat = point_on_lift(r.b, r.v, part, rng)
            g = Loss(rho, m=m).gradient(a_hat, w_hat, dps=r.dps_check)
            with mpmath.workdps(r.dps_check):
                grads.append(mpmath.sqrt(mpmath.fsum(x ** 2 for x in g)))
        at_D0 = None
        if D0 < math.inf and m >= D0 + 1:
            J = Loss(rho, m=len(rho.a))
            at_D0 = J.value(list(rho.a), list(rho.w), dps=dps)
            if abs(at_D0) > mpf(10) ** (-(dps - SLACK)):
                fails.append(f"{spec}: J_{len(rho.a)}(a*, w*) = "
                             f"{short(at_D0, 3)} != 0, so rho is not in V_m")
        tol = mpf(10) ** (-(dps - SLACK))
        if max(grads) > tol:
            fails.append(f"{spec}: gradient {short(max(grads), 3)} on a lifted "
                         "space")
        if spaces != claimed:
            fails.append(f"{spec}: {spaces} spaces counted by inclusion-"
                         f"exclusion (surjections), the claim says {claimed}")
        rows.append({"target": spec, "m": m, "D0": str(D0), "m_prime": m_prime,
                     "spaces": spaces, "claimed": claimed,
                     "gradient_norms": grads, "J_at_rho_itself": at_D0})
    evidence = {"rows": rows}
    if fails:
        return Verdict("thm-a.6", FAILS, fails[0], evidence, dps=dps)
    return Verdict(
        "thm-a.6", HOLDS,
        f"m = {m}: " + "; ".join(
            f"{r['target']}: m' = {r['m_prime']} (D0 = {r['D0']}), "
            f"{r['spaces']} critical affine spaces = sum_(d<=m') d! S(m,d), "
            f"|grad J_m| <= {short(max(r['gradient_norms']), 2)}"
            for r in rows), evidence, dps=dps)


_PARAMS = [
    targets_param(("power:3/4", "power:2", "exp:1@1,1@3,1@7"),
                  full=("power:3/4", "power:1", "power:2", "power:3",
                        "exp:1@1,1@3,1@7", "exp:1@1,2@2,1@5,1@9")),
    widths_param((1, 2, 3), quick=(1, 2)),
    dps_param(40),
]

register(Claim(
    id="thm-a.4",
    title="Best approximation by d exponentials: b_j > 0, v_j distinct, "
          "Aigrain-Williams (126)-(127)",
    where="Appendix A.1.2, Theorem A.4 (Kammler)",
    statement=("rho completely monotone, not in V_d: a best approximation "
               "sum_j b_j e^{-v_j t} exists with 0 < v_1 < ... < v_d, b_j > 0, "
               "and L[rho_hat] = L[rho], L[rho_hat]' = L[rho]' at every v_j."),
    params=_PARAMS, check=check_a4))

register(Claim(
    id="thm-a.5",
    title="J_d has non-degenerate global minimizers",
    where="Appendix A.1.2, Theorem A.5",
    statement=("rho completely monotone, not in V_d: J_d has a non-degenerate "
               "global minimizer (b_hat, v_hat)."),
    params=_PARAMS, check=check_a5))

register(Claim(
    id="thm-a.6",
    title="At least sum_{d<=m'} d! S(m, d) coincided critical affine spaces",
    where="Appendix A.1.2, Theorem A.6 and Remark A.7",
    statement=("rho completely monotone, not in V_1; m' = min(m, D0): J_m has "
               "at least sum_{d=1}^{m'} d! S(m, d) coincided critical affine "
               "spaces."),
    params=[targets_param(("power:2", "exp:1@1,1@3,1@7")),
            Param("m", "width m", "integer >= 1", 3, full=4, parse=parse_width),
            dps_param(40)],
    check=check_a6))
