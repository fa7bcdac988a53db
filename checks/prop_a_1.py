"""Proposition A.1: saddles and degenerate stable points on the line of J_2.

Paper: Appendix A.1.3, eqs. (130)-(132).  For rho = a*_1 e^{-w*_1 t} +
a*_2 e^{-w*_2 t} and (a_hat, w_hat) the minimizer of J_1, the Hessian of
J_2 along the line (a_1, a_hat - a_1, w_hat, w_hat), a_1 = t a_hat:

1. a*_1 a*_2 < 0: lambda_min = 0 for t in [0, 1], < 0 outside;
2. a*_1 a*_2 > 0 and w*_2/w*_1 < 2 + sqrt 3: lambda_min < 0 for t in
   [0, 1], 0 outside.

Numerically: (a_hat, w_hat) by cmwork.best_approx.one_exponential at two
precisions, the Hessian by the engine, the sign of lambda_min read only
when it is at the rounding level (0) or resolved (negative).  Certified:
(a_hat, w_hat) enclosed by exact root isolation (certified.one_exponential
_ball), the Hessian in ball arithmetic at the enclosures; the exact kernel
vector e_{a_1} - e_{a_2} (rows 1 and 2 of A coincide at the critical point,
proofs/appendix_a.py) is split off by the congruence, and the inertia of
the 3x3 block on (a_1, w_1, w_2) is proven (at t = 0 or 1 the row of the
vanishing coefficient is zero as well, and the remaining 2x2 block is
proven positive definite).

Found: at t = 0 and t = 1 (a_1 = 0 or a_1 = a_hat) case 2 gives
lambda_min = 0, not < 0 (I_1 should be open); and the condition
w*_2/w*_1 < 2 + sqrt 3 is not needed: the quantity the discriminant
argument signs is 4 w_hat^4 det Hess J_1(a_hat, w_hat) >= 0 at any
minimizer (derived), which the check measures beyond the condition, with
a float64 scan over (w*_2/w*_1, a*_2/a*_1).
"""
from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
from mpmath import mpf

from cmwork.best_approx import one_exponential
from cmwork.claims import (FAILS, HOLDS, INCONCLUSIVE, Claim, Param, Verdict,
                           parse_list, parse_number, register)
from cmwork.loss import Loss
from cmwork.spectrum import eigenvalues

from ._common import short
from .lemma_a_1 import (EXTRA, SLACK, dps_param, exact_exponents, make_target,
                        targets_param)

CONDITION = 2 + math.sqrt(3)


def _case(a_star):
    return 1 if a_star[0] * a_star[1] < 0 else 2


def expected_sign(case: int, t: Fraction, endpoints: str = "corrected") -> int:
    """The proposition's sign of lambda_min at a_1 = t a_hat (0 or -1)."""
    inside = 0 <= t <= 1
    if case == 1:
        return 0 if inside else -1
    if endpoints == "printed":
        return -1 if inside else 0
    return -1 if 0 < t < 1 else 0


def _quantities(spec, dps):
    rho = make_target(spec)
    lo = one_exponential(rho, dps=dps)
    hi = one_exponential(rho, dps=dps + EXTRA)
    with mpmath.workdps(dps + EXTRA):
        a, w = hi.a_hat, hi.w_hat
        c = mpmath.fsum(aj * (1 / (2 * w * (w + wj) ** 2) - 1 / (w + wj) ** 3)
                        for aj, wj in zip(rho.a, rho.w))
        Q = a ** 2 + 16 * w ** 3 * a * c
        ws = sorted(zip(rho.w, rho.a))
        s = (w + ws[1][0]) / (w + ws[0][0])
    return rho, hi, {"target": spec, "case": _case(rho.a), "a_hat": a,
                     "w_hat": w, "error_w": abs(lo.w_hat - hi.w_hat),
                     "c_hat": c, "Q": Q, "Q_over_a2": Q / a ** 2, "s": s,
                     "ratio": ws[1][0] / ws[0][0],
                     "within_condition": bool(ws[1][0] / ws[0][0] < CONDITION),
                     "discriminant_negative": bool(s < CONDITION)}


def _sign_mp(J, a_pt, w_pt, dps):
    lo = eigenvalues(J.hessian(a_pt, w_pt, dps=dps), dps=dps)
    hi = eigenvalues(J.hessian(a_pt, w_pt, dps=dps + EXTRA), dps=dps + EXTRA)
    with mpmath.workdps(dps + EXTRA):
        norm = max(abs(x) for x in hi)
        z_lo = norm * mpf(10) ** (-(dps - SLACK))
        z_hi = norm * mpf(10) ** (-(dps + EXTRA - SLACK))
        big = norm * mpf(10) ** (-(dps // 2))
        x, y = lo[0], hi[0]
        if abs(x) <= z_lo and abs(y) <= z_hi:
            return 0, y
        if y < -big and abs(x - y) <= z_lo * 10:
            return -1, y
        if y > big:
            return 1, y
        return None, y


def _sign_cert(spec, t, enc, prec):
    """Certified sign of lambda_min (see the module docstring)."""
    from cmwork import certified as C
    a_s, w_s = exact_exponents(spec)
    from cmwork.targets import ExponentialSum
    tgt = ExponentialSum(a=a_s, w=w_s)
    with C.workprec(prec):
        A = [C.ball(t) * enc.a_hat, C.ball(1 - t) * enc.a_hat]
        H = C.hessian_ball_at(tgt, A, [enc.w_hat, enc.w_hat], prec=prec)
        keep = [0, 2, 3]
        if t == 0:
            keep = [0, 3]
        elif t == 1:
            keep = [0, 2]
        sub = [[H[i][j] for j in keep] for i in keep]
    inert = C.inertia(sub, prec=prec)
    if inert.negative >= 1:
        sign = -1
    elif inert.positive == len(keep):
        sign = 0
    else:
        sign = None
    return sign, inert


def _scan(points):
    """float64: min of (a_hat^2 + 16 w_hat^3 a_hat c)/a_hat^2 over case (ii)."""
    worst, beyond = None, 0
    for R in np.geomspace(1.05, 1e4, points):
        for cc in np.geomspace(1e-4, 1e4, points):
            a = np.array([1.0, cc])
            w = np.array([1.0, R])
            p = np.polyadd(
                a[0] * np.polymul([-1, w[0]], np.polymul([1, w[1]], [1, w[1]])),
                a[1] * np.polymul([-1, w[1]], np.polymul([1, w[0]], [1, w[0]])))
            r = [x.real for x in np.roots(p) if abs(x.imag) < 1e-9 and x.real > 0]
            if not r:
                continue
            L = lambda x: float(np.sum(a / (x + w)))  # noqa: E731
            wh = max(r, key=lambda x: x * L(x) ** 2)
            ah = 2 * wh * L(wh)
            v = w / wh
            q = (3 * ah ** 2 - 16 * ah * np.sum(a / (1 + v) ** 3)) / ah ** 2
            s = (wh + R) / (wh + 1)
            beyond += s >= CONDITION
            if worst is None or q < worst[0]:
                worst = (float(q), float(R), float(cc), float(s))
    return worst, int(beyond)


def check(params, *, dps=None, seed=0, certified=False, swap_cases=False,
          endpoints="corrected"):
    """Wrong variants: ``swap_cases`` expects case 1's pattern for case 2
    and back; ``endpoints='printed'`` expects case 2's lambda_min < 0 at
    t = 0 and 1, as printed."""
    from proofs import appendix_a
    deriv = appendix_a.derive()
    steps = [s for s in deriv.steps if "A.1" in s.where and "Lemma" not in s.where
             and "Remark" not in s.where or s.where.startswith("eq. (13")]
    errata = [s for s in steps if s.matches is False]
    dps = dps or params["dps0"]
    ts = list(params["ts"])
    rows, fails, undecided, cert_ok = [], [], [], True
    from cmwork import certified as C
    bits = C.bits_for_digits(dps)
    for spec in params["targets"]:
        rho, one, q = _quantities(spec, dps)
        case = q["case"] if not swap_cases else 3 - q["case"]
        J = Loss(rho, m=2)
        signs = []
        enc = None
        if certified:
            a_s, w_s = exact_exponents(spec)
            from cmwork.targets import ExponentialSum
            enc = C.one_exponential_ball(ExponentialSum(a=a_s, w=w_s), prec=bits)
            q["certified_minimizer"] = enc.certified
            q["w_hat_ball"] = C.ball_str(enc.w_hat, 20) if enc.w_hat else None
            cert_ok &= enc.certified
        for t in ts:
            with mpmath.workdps(dps + EXTRA):
                tt = mpf(t.numerator) / t.denominator
                a_pt = [tt * q["a_hat"], (1 - tt) * q["a_hat"]]
                w_pt = [q["w_hat"], q["w_hat"]]
            sign, lam = _sign_mp(J, a_pt, w_pt, dps)
            row = {"t": str(t), "sign": sign, "lambda_min": lam}
            if certified and enc is not None and enc.w_hat is not None:
                cs, inert = _sign_cert(spec, t, enc, bits)
                row["certified_sign"] = cs
                row["certified_inertia"] = str(inert)
                if cs is None:
                    cert_ok = False
                elif sign is not None and cs != sign:
                    fails.append(f"certified sign {cs} != mpmath sign {sign} "
                                 f"at {spec}, t = {t}")
                sign = cs if cs is not None else None
            exp = expected_sign(case, t, endpoints)
            where = f"{spec} (case {q['case']}), a_1 = {t} a_hat"
            if sign is None:
                undecided.append(f"lambda_min = {short(lam, 3)} unresolved at "
                                 f"{where}")
            elif sign != exp:
                fails.append(f"lambda_min = {short(lam, 4)} has sign {sign:+d}, "
                             f"the proposition says {exp:+d}, at {where}")
            signs.append(row)
        q["line"] = signs
        rows.append(q)
        if q["Q"] <= 0:
            fails.append(f"a_hat^2 + 16 w_hat^3 a_hat c = {short(q['Q'], 3)} "
                         f"<= 0 at {spec}")
    worst, beyond = _scan(params["scan"]) if params["scan"] else (None, 0)
    notes = [f"{s.where}: printed {s.printed}, derived {s.derived}; {s.note}"
             for s in errata]
    outside = [r for r in rows if r["case"] == 2 and not r["within_condition"]]
    if outside and not any(f for f in fails):
        notes.append(
            "w*_2/w*_1 < 2 + sqrt 3 is not needed: case 2's conclusion holds at "
            + ", ".join(f"{r['target']} (ratio {short(r['ratio'], 4)}, s = "
                        f"{short(r['s'], 4)}, discriminant "
                        f"{'<' if r['discriminant_negative'] else '>='} 0)"
                        for r in outside)
            + "; the signed quantity is 4 w_hat^4 det Hess J_1 >= 0 (derived)")
    if worst:
        notes.append(f"float64 scan of case 2 ({params['scan']}^2 points, "
                     f"w*_2/w*_1 in [1.05, 1e4], a*_2/a*_1 in [1e-4, 1e4]): "
                     f"min (a_hat^2 + 16 w_hat^3 a_hat c)/a_hat^2 = "
                     f"{worst[0]:.3g} at ratio {worst[1]:.4g}, c = {worst[2]:.4g}"
                     f"; s >= 2 + sqrt 3 at {beyond} points")
    evidence = {"rows": rows, "scan_min": worst, "scan_beyond_condition": beyond,
                "symbolic": [{"where": s.where, "matches": s.matches}
                             for s in steps], "endpoints": endpoints}
    if fails:
        return Verdict("prop-a.1", FAILS, fails[0], evidence, dps=dps,
                       notes=notes, certified=certified and cert_ok)
    if undecided:
        return Verdict("prop-a.1", INCONCLUSIVE, undecided[0] + "; raise dps0",
                       evidence, dps=dps, notes=notes)
    n = sum(len(r["line"]) for r in rows)
    tier = "certified (ball arithmetic)" if certified else "two precisions"
    return Verdict(
        "prop-a.1", HOLDS,
        f"sign of lambda_min along the line as stated at {n} points of "
        f"{len(rows)} targets ({tier}), with I_1 open in case 2 (lambda_min "
        f"= 0 at a_1 = 0, a_hat); {len(steps) - len(errata)} of {len(steps)} "
        f"symbolic steps match the paper, {len(errata)} errata; the condition "
        f"w*_2/w*_1 < 2 + sqrt 3 is not needed", evidence, dps=dps,
        notes=notes, certified=certified and cert_ok)


CLAIM = register(Claim(
    id="prop-a.1",
    title="m = m* = 2: the Hessian along the 1-coincided line, saddles and "
          "degenerate stable points",
    where="Appendix A.1.3, Proposition A.1, eqs. (130)-(132)",
    statement=("a*_1 a*_2 < 0: lambda_min = 0 on I_1 = [0, a_hat], < 0 on I_2; "
               "a*_1 a*_2 > 0, w*_2/w*_1 < 2 + sqrt 3: lambda_min < 0 on I_1, 0 "
               "on I_2."),
    params=[
        targets_param(("exp:1@1,-2@3", "exp:1@1,1@3", "exp:1@1,1@10",
                       "exp:1@1,6@34"),
                      full=("exp:1@1,-2@3", "exp:-3@1,1@2", "exp:1@1,1@3",
                            "exp:2@1,1@3", "exp:1@1,1@10", "exp:1@1,6@34",
                            "exp:1@1,1@1000")),
        Param("ts", "points a_1 = t a_hat of the line", "numbers",
              tuple(Fraction(x) for x in ("-1", "-1/4", "0", "1/4", "1/2",
                                          "3/4", "1", "5/4", "2")),
              parse=parse_list(parse_number)),
        Param("scan", "float64 scan points per axis (0: none)", "integer >= 0",
              40, quick=24, full=120, parse=lambda t: int(t)),
        dps_param(40),
    ],
    check=check,
    certifiable=True,
))
