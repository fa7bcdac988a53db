"""Theorem A.3: on d-coincided critical affine spaces rank Hess J_m <= m + d.

Paper: Appendix A.1.1, eqs. (119)-(122), Remarks A.4-A.5.  At random
points of lifted spaces (as in thm-a.1) the Hessian is computed with the
minimizer of J_d polished at the working precision and again with more
digits.  An eigenvalue is zero when it is at the rounding level
10^-(dps - 10) ||H|| at both precisions, nonzero when it exceeds
10^-(dps/2) ||H|| and the two precisions agree on it; anything between is
undecided (inconclusive).  The rank observed is reported beside the bound,
and beside what float64 (numpy's matrix_rank) would say.

Why the rank is m + d at a generic point: H = 2 G^T G + diag(0, 2 a_k c_s)
with c_s = int t^2 e^{-v_s t} (rho_hat - rho) dt; the m - d directions of a
with zero block sums are null, and on the rest H reduces to Hess J_d,
positive definite at a non-degenerate minimizer.  Remark A.4's extra zero
eigenvalues appear where some a_k = 0, which the check also measures.
"""
from __future__ import annotations

import mpmath
import numpy as np
from mpmath import mpf

from cmwork.claims import (FAILS, HOLDS, INCONCLUSIVE, Claim, Param, Verdict,
                           register)
from cmwork.landscape import point_on_lift, random_partition
from cmwork.loss import Loss
from cmwork.spectrum import eigenvalues

from ._common import parse_width, points_param, rng_for, short
from .lemma_a_1 import SLACK, dps_param, make_target
from .thm_a_4 import cached_best


def _classify(lo, hi, dps, dps_hi):
    """(rank, zeros, undecided, smallest nonzero |lambda|) from 2 spectra."""
    with mpmath.workdps(dps_hi):
        norm = max(abs(x) for x in hi)
        z_lo = norm * mpf(10) ** (-(dps - SLACK))
        z_hi = norm * mpf(10) ** (-(dps_hi - SLACK))
        big = norm * mpf(10) ** (-(dps // 2))
        rank = zeros = und = 0
        small = None
        for x, y in zip(sorted(lo, key=abs), sorted(hi, key=abs)):
            if abs(x) <= z_lo and abs(y) <= z_hi:
                zeros += 1
            elif abs(y) > big and abs(x - y) <= z_lo * 10:
                rank += 1
                small = abs(y) if small is None else min(small, abs(y))
            else:
                und += 1
        return rank, zeros, und, small


def _point(rho, r, m, d, rng, dead):
    part = random_partition(m, d, rng)
    a_hat, w_hat = point_on_lift(r.b, r.v, part, rng)
    if dead:
        # Remark A.4: a zero coefficient in a block of two or more indices
        block = next((b for b in part.blocks if len(b) > 1), None)
        if block is None:
            return None
        i, j = block[:2]
        with mpmath.workdps(r.dps_check + 10):
            a_hat[j] += a_hat[i]
            a_hat[i] = mpf(0)
    return part, a_hat, w_hat


def check(params, *, dps=None, seed=0, rank_offset=0):
    """``rank_offset=-1`` claims rank <= m + d - 1 (a wrong variant)."""
    dps = dps or params["dps0"]
    spec = params["target"]
    rho = make_target(spec)
    rows, fails, undecided = [], [], []
    for m in params["ms"]:
        for d in range(1, m + 1):
            if spec.startswith("exp:") and len(rho.a) <= d:
                continue
            r = cached_best(spec, d, dps)
            J = Loss(rho, m=m)
            for i in range(params["points"] + 1):
                dead = i == params["points"]
                rng = rng_for(seed, "thm-a.3", m, d, i)
                got = _point(rho, r, m, d, rng, dead)
                if got is None:
                    continue
                part, a_hat, w_hat = got
                lo = eigenvalues(J.hessian(a_hat, w_hat, dps=dps), dps=dps)
                H = J.hessian(a_hat, w_hat, dps=r.dps_check)
                hi = eigenvalues(H, dps=r.dps_check)
                rank, zeros, und, small = _classify(lo, hi, dps, r.dps_check)
                f64 = int(np.linalg.matrix_rank(np.array(
                    [[float(H[p, q]) for q in range(2 * m)]
                     for p in range(2 * m)])))
                row = {"m": m, "d": d, "partition": part.pretty(),
                       "a_k_zero": dead, "rank": rank, "zeros": zeros,
                       "undecided": und, "bound": m + d,
                       "smallest_nonzero": small, "rank_float64": f64,
                       "dps": dps, "dps_check": r.dps_check,
                       "negative": sum(1 for x in hi if x < 0 and
                                       abs(x) > mpf(10) ** (-dps // 2))}
                rows.append(row)
                where = f"m = {m}, d = {d}, P = {part.pretty()}"
                if und:
                    undecided.append(f"{und} eigenvalue(s) neither zero nor "
                                     f"resolved at {where}")
                elif rank > m + d + rank_offset:
                    fails.append(f"rank {rank} > m + d{rank_offset:+d} = "
                                 f"{m + d + rank_offset} at {where}")
    evidence = {"rows": rows, "zero_threshold": f"10^-(dps - {SLACK}) ||H||",
                "nonzero_threshold": "10^-(dps/2) ||H||"}
    generic = [r for r in rows if not r["a_k_zero"]]
    dead = [r for r in rows if r["a_k_zero"]]
    notes = []
    if generic and all(r["rank"] == r["bound"] for r in generic):
        notes.append(f"at all {len(generic)} random points the rank is exactly "
                     "m + d: Remark A.4's lower rank is not seen at generic "
                     "points")
    if dead:
        notes.append("with one a_k = 0 in a shared block the rank drops to "
                     + ", ".join(sorted({f"m + d - {r['bound'] - r['rank']}"
                                         for r in dead})) +
                     f" ({len(dead)} points): there Remark A.4 holds")
    low64 = [r for r in generic if r["rank_float64"] < r["rank"]]
    if low64:
        notes.append(f"float64 (numpy matrix_rank) reports a lower rank at "
                     f"{len(low64)} of {len(generic)} generic points: its "
                     "smallest nonzero eigenvalues fall below its tolerance")
    if any(r["negative"] for r in generic):
        notes.append("the Hessian is indefinite on some of these spaces "
                     "(saddles, as in Proposition A.1)")
    if fails:
        return Verdict("thm-a.3", FAILS, fails[0], evidence, dps=dps,
                       notes=notes)
    if undecided:
        return Verdict("thm-a.3", INCONCLUSIVE, undecided[0] + "; raise dps0",
                       evidence, dps=dps, notes=notes)
    small = min(r["smallest_nonzero"] for r in generic)
    return Verdict(
        "thm-a.3", HOLDS,
        f"rank Hess J_m <= m + d at {len(rows)} points ({spec}, m in "
        f"{tuple(params['ms'])}, all d): observed rank = m + d at every "
        f"generic point, lower where some a_k = 0; an eigenvalue is zero when "
        f"|lambda| <= 10^-{dps - SLACK} ||H|| at {dps} digits and <= "
        f"10^-{rows[0]['dps_check'] - SLACK} ||H|| at {rows[0]['dps_check']}; "
        f"smallest nonzero |lambda| = {short(small, 3)}",
        evidence, dps=dps, notes=notes)


CLAIM = register(Claim(
    id="thm-a.3",
    title="rank Hess J_m <= m + d on d-coincided critical affine spaces",
    where="Appendix A.1.1, Theorem A.3, eqs. (119)-(122), Remark A.4",
    statement=("On the d-coincided critical affine spaces induced by "
               "non-degenerate minimizers of J_d, Hess J_m has rank at most "
               "m + d, so at least m - d zero eigenvalues."),
    params=[
        Param("target", "target rho", "power:ALPHA | exp:A@W,...",
              "power:3/2", parse=lambda t: t.strip()),
        Param("ms", "widths m", "integers >= 1", (3, 4), quick=(3,),
              parse=lambda t: tuple(parse_width(x) for x in t.split(",")
                                    if x.strip())),
        points_param(2, quick=1),
        dps_param(40),
    ],
    check=check,
))
