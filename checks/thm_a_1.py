"""Theorem A.1: lifted minimizers of J_d are critical affine spaces of J_m.

Paper: Appendix A.1.1.  A non-degenerate minimizer (b_hat, v_hat) of J_d
(found by cmwork.best_approx) is lifted along every labelled partition P of
{1..m} into d blocks: w_i = v_hat_j on block I_j, the a_i of I_j summing to
b_hat_j.  At a random point of every such space the engine's gradient of
J_m must vanish to the working precision, at two precisions (the minimizer
re-polished with more digits: the gradient falls with the rounding level).
The number of spaces is counted three ways: by enumeration of the
partitions (distinct w-vectors), as d! S(m, d) (recurrence) and by
inclusion-exclusion; for large m the last two are compared.

Also measured: the identity (112) behind the proof, dJ_m/da_k = dJ_d/db_s
and b_s dJ_m/dw_k = a_k dJ_d/dv_s, at a lift of a non-critical (b, v),
where the gradient is O(1) and (112) still holds to the working precision.
"""
from __future__ import annotations

import mpmath
from mpmath import mpf

from cmwork.claims import FAILS, HOLDS, Claim, Param, Verdict, register
from cmwork.landscape import (count_affine_spaces, count_surjections,
                              partitions, point_on_lift)
from cmwork.loss import Loss

from ._common import parse_width, rng_for, short
from .lemma_a_1 import SLACK, dps_param, make_target, targets_param
from .thm_a_4 import cached_best, widths_param


def _norm(g):
    return mpmath.sqrt(mpmath.fsum(x ** 2 for x in g))


def _spaces(spec, m, d, dps, seed, perturb, sum_offset):
    """Every labelled partition: one random point, gradient at 2 precisions."""
    rho = make_target(spec)
    r = cached_best(spec, d, dps)
    hi = r.dps_check
    with mpmath.workdps(hi):
        b = [x * (1 + mpf(sum_offset)) for x in r.b]
        v = [x * (1 + mpf(perturb)) for x in r.v]
    J = Loss(rho, m=m)
    worst = {dps: mpf(0), hi: mpf(0)}
    signatures = set()
    count = 0
    for k, part in enumerate(partitions(m, d)):
        rng = rng_for(seed, "thm-a.1", spec, m, d, k)
        a_hat, w_hat = point_on_lift(b, v, part, rng)
        signatures.add(tuple(mpmath.nstr(x, 30) for x in w_hat))
        count += 1
        for p in (dps, hi):
            g = J.gradient(a_hat, w_hat, dps=p)
            with mpmath.workdps(p):
                worst[p] = max(worst[p], _norm(g))
    return {"target": spec, "m": m, "d": d, "enumerated": count,
            "distinct_w_vectors": len(signatures),
            "formula": count_affine_spaces(m, d),
            "inclusion_exclusion": count_surjections(m, d),
            "gradient_max": worst[dps], "gradient_max_check": worst[hi],
            "dps": dps, "dps_check": hi, "dim": m - d}


def _identity_112(spec, m, d, dps, seed):
    """(112) at a lift of a non-critical point: max deviation, |grad|."""
    rho = make_target(spec)
    r = cached_best(spec, d, dps)
    with mpmath.workdps(dps + 10):
        b = [x * (1 + mpf(1) / 7) for x in r.b]
        v = [x * (1 + mpf(1) / 5) for x in r.v]
    part = next(iter(partitions(m, d)))
    rng = rng_for(seed, "thm-a.1-112", spec, m, d)
    a_hat, w_hat = point_on_lift(b, v, part, rng)
    gm = Loss(rho, m=m).gradient(a_hat, w_hat, dps=dps)
    gd = Loss(rho, m=d).gradient(b, v, dps=dps)
    dev = mpf(0)
    with mpmath.workdps(dps):
        for s, block in enumerate(part.blocks):
            for k in block:
                dev = max(dev, abs(gm[k] - gd[s]),
                          abs(b[s] * gm[m + k] - a_hat[k] * gd[d + s]))
        return dev, _norm(gm)


def check(params, *, dps=None, seed=0, perturb=0, sum_offset=0,
          count_offset=0):
    """Wrong variants: ``perturb`` lifts exponents v (1 + perturb) (not a
    critical point), ``sum_offset`` block sums b (1 + sum_offset),
    ``count_offset`` adds to the claimed number d! S(m, d)."""
    dps = dps or params["dps0"]
    rows, fails = [], []
    for spec in params["targets"]:
        for m in params["ms"]:
            for d in params["widths"]:
                if d > m or (spec.startswith("exp:")
                             and len(make_target(spec).a) <= d):
                    continue
                row = _spaces(spec, m, d, dps, seed, perturb, sum_offset)
                rows.append(row)
                tol = mpf(10) ** (-(dps - SLACK))
                tol_hi = mpf(10) ** (-(row["dps_check"] - SLACK))
                where = f"{spec}, m = {m}, d = {d}"
                if row["gradient_max"] > tol or row["gradient_max_check"] > tol_hi:
                    fails.append(f"|grad J_m| = {short(row['gradient_max_check'], 3)}"
                                 f" on a lifted space at {where}")
                claimed = row["formula"] + count_offset
                if not (row["enumerated"] == row["distinct_w_vectors"] == claimed
                        == row["inclusion_exclusion"]):
                    fails.append(f"{row['enumerated']} partitions enumerated "
                                 f"({row['distinct_w_vectors']} distinct "
                                 f"spaces), claimed d! S(m, d) = {claimed} at "
                                 f"{where}")
    big = []
    for m in range(1, params["m_large"] + 1):
        for d in range(1, m + 1):
            if count_affine_spaces(m, d) + count_offset != count_surjections(m, d):
                big.append((m, d))
    if big:
        fails.append(f"d! S(m, d) (recurrence) != inclusion-exclusion at "
                     f"(m, d) = {big[0]}")
    spec0 = params["targets"][0]
    dev, gnorm = _identity_112(spec0, max(params["ms"]), 1, dps, seed)
    if dev > mpf(10) ** (-(dps - SLACK)):
        fails.append(f"identity (112) off by {short(dev, 3)}")
    evidence = {"rows": rows, "identity_112": {"deviation": dev,
                                                "gradient_norm": gnorm},
                "large_m_checked": params["m_large"]}
    if fails:
        return Verdict("thm-a.1", FAILS, fails[0], evidence, dps=dps)
    total = sum(r["enumerated"] for r in rows)
    g = max(r["gradient_max"] for r in rows)
    gh = max(r["gradient_max_check"] for r in rows)
    return Verdict(
        "thm-a.1", HOLDS,
        f"{total} lifted affine spaces over {len(rows)} (target, m, d): "
        f"|grad J_m| <= {short(g, 2)} at {dps} digits and <= {short(gh, 2)} "
        f"at {rows[0]['dps_check']}; counts = d! S(m, d) by enumeration and "
        f"inclusion-exclusion, and for all d <= m <= {params['m_large']}; "
        f"(112) holds to {short(dev, 2)} where |grad| = {short(gnorm, 3)}",
        evidence, dps=dps)


CLAIM = register(Claim(
    id="thm-a.1",
    title="Lifted minimizers of J_d: d! S(m, d) critical affine spaces of J_m",
    where="Appendix A.1.1, Theorem A.1 and eq. (112)",
    statement=("For 1 <= d <= min(m, M), J_m has at least d! S(m, d) "
               "d-coincided critical affine spaces M_{P,(b,v),(m,d)}."),
    params=[
        targets_param(("power:3/2", "exp:1@1,1@3,1@7"),
                      quick=("power:3/2", "exp:1@1,1@3,1@7")),
        Param("ms", "widths m", "integers >= 1", (3, 4, 5), quick=(3, 4),
              parse=lambda t: tuple(parse_width(x) for x in t.split(",")
                                    if x.strip())),
        widths_param((1, 2, 3), quick=(1, 2)),
        Param("m_large", "largest m for recurrence vs inclusion-exclusion",
              "integer >= 1", 60, parse=parse_width),
        dps_param(40),
    ],
    check=check,
))
