"""Lemma A.1: J_1 has a non-degenerate global minimizer.

Paper: Appendix A.1.1.  The reduction min_a J_1(a, w) = h(w) =
||rho||^2 - 2 w L[rho](w)^2 at a(w) = 2 w L[rho](w) is derived by SymPy
(proofs/appendix_a.py).  Numerically, for exponential sums and
(1+t)^(-alpha): the critical points of h are bracketed on a logarithmic
scan and refined, the smallest h is taken, and at (a_hat, w_hat) the
engine's J_1 (through the moments) must equal h(w_hat) (the formula), its
gradient must vanish to the working precision, a_hat != 0, h'' > 0, and
h(w_hat) must lie below every scanned value and below ||rho||^2 = h(0+) =
h(oo).  Two precisions measure the error of each number.

Also shared here: the parameter ``targets`` of the Appendix A checks.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Tuple

import mpmath
from mpmath import mpf

from cmwork.best_approx import h_of, one_exponential
from cmwork.claims import (FAILS, HOLDS, INCONCLUSIVE, Claim, Param, Verdict,
                           parse_int, register)
from cmwork.loss import Loss
from cmwork.targets import ExponentialSum, PowerLaw

from ._common import short

#: Digits added for the second precision of every measured number.
EXTRA = 20
#: Digits below the working precision within which a number counts as 0
#: (rounding of the O(1) sums; chosen here, ~10 digits above the noise).
SLACK = 10

TARGET_DOMAIN = ("power:ALPHA (alpha > 1/2) | exp:A@W,A@W,... "
                 "(coefficient@exponent, exponents > 0)")


def parse_target(text: str) -> str:
    """Check a target spec such as 'power:3/2' or 'exp:1@1,-2@3'."""
    make_target(text)
    return str(text).strip()


def parse_targets(text: str) -> Tuple[str, ...]:
    parts = [x for x in str(text).split(";") if x.strip()]
    if not parts:
        raise ValueError("expected targets separated by ';'")
    return tuple(parse_target(p) for p in parts)


def make_target(spec: str):
    """'power:ALPHA' -> PowerLaw; 'exp:A@W,...' -> ExponentialSum."""
    kind, _, rest = str(spec).strip().partition(":")
    kind = kind.strip().lower()
    try:
        if kind == "power":
            return PowerLaw(alpha=Fraction(rest.strip()))
        if kind == "exp":
            pairs = [p.split("@") for p in rest.split(",") if p.strip()]
            if not pairs or any(len(p) != 2 for p in pairs):
                raise ValueError("expected coefficient@exponent pairs")
            with mpmath.workdps(60):
                a = [Fraction(x.strip()) for x, _ in pairs]
                w = [Fraction(y.strip()) for _, y in pairs]
                return ExponentialSum(a=[mpf(q.numerator) / q.denominator
                                         for q in a],
                                      w=[mpf(q.numerator) / q.denominator
                                         for q in w])
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"target {spec!r}: {exc}") from None
    raise ValueError(f"target {spec!r}: expected {TARGET_DOMAIN}")


def exact_exponents(spec: str):
    """(a, w) of an 'exp:' spec as Fractions (for the certified tier)."""
    _, _, rest = str(spec).partition(":")
    pairs = [p.split("@") for p in rest.split(",") if p.strip()]
    return ([Fraction(x.strip()) for x, _ in pairs],
            [Fraction(y.strip()) for _, y in pairs])


def targets_param(default, quick=None, full=None):
    return Param("targets", "targets rho, separated by ';'", TARGET_DOMAIN,
                 tuple(default), quick=None if quick is None else tuple(quick),
                 full=None if full is None else tuple(full),
                 parse=parse_targets)


def dps_param(default):
    return Param("dps0", "working digits (checked against dps0 + 20)",
                 "integer >= 20", default, parse=_parse_dps)


def _parse_dps(text):
    d = parse_int(text)
    if d < 20:
        raise ValueError("expected an integer >= 20")
    return d


def _one(spec, dps, a_factor):
    rho = make_target(spec)
    lo = one_exponential(rho, dps=dps)
    hi = one_exponential(rho, dps=dps + EXTRA)
    with mpmath.workdps(dps + EXTRA):
        err_w = abs(lo.w_hat - hi.w_hat) + mpf(10) ** (-dps)
        err_a = abs(lo.a_hat - hi.a_hat) + mpf(10) ** (-dps)
        w_hat = hi.w_hat
        a_hat = a_factor * hi.a_hat / 1                  # a(w) = 2 w L(w)
        J = Loss(rho, m=1)
        J1 = J.value([a_hat], [w_hat], dps=dps + EXTRA)
        h = h_of(rho, w_hat, dps=dps + EXTRA)
        g = J.gradient([a_hat], [w_hat], dps=dps + EXTRA)
        gnorm = mpmath.sqrt(g[0] ** 2 + g[1] ** 2)
        # the scan's own values of h (20 digits) and the ends of the scan
        lo_w, hi_w, n = lo.scan
        grid = [mpf(lo_w) * (mpf(hi_w) / lo_w) ** (mpf(k) / (n - 1))
                for k in range(0, n, 4)]
        scan_min = min(h_of(rho, x, dps=20) for x in grid)
        ends = [mpmath.sqrt(x) * rho.moment(0, x, dps=20)
                for x in (mpf(lo_w), mpf(hi_w))]
        at_norm = [c for c in hi.candidates if c[1] >= hi.norm2 - mpf(10) ** -20]
    tol = mpf(10) ** (-(dps - SLACK))
    return {
        "target": spec, "w_hat": w_hat, "a_hat": a_hat, "error_w": err_w,
        "error_a": err_a, "J_1": J1, "h": h, "J_1_minus_h": J1 - h,
        "gradient_norm": gnorm, "h_second": hi.h_second, "norm2": hi.norm2,
        "scan_min_h": scan_min, "scan": lo.scan,
        "critical_points": len(hi.candidates),
        "sqrt_w_L_at_scan_ends": ends, "tol": tol, "dps": dps,
        "dps_check": dps + EXTRA,
        "L_zero_somewhere": bool(at_norm) or _l_changes_sign(rho, grid)}


def _l_changes_sign(rho, grid):
    vals = [rho.moment(0, x, dps=20) for x in grid]
    return any(x * y < 0 for x, y in zip(vals, vals[1:]))


def check(params, *, dps=None, seed=0, a_factor=2):
    """``a_factor=1`` claims a(w) = w L[rho](w) (a wrong variant)."""
    from proofs import appendix_a
    d = appendix_a.derive()
    sym = [s for s in d.steps if s.where.startswith("Lemma A.1")
           or s.where.startswith("Remark A.1")]
    dps = dps or params["dps0"]
    rows, fails, undecided = [], [], []
    for spec in params["targets"]:
        r = _one(spec, dps, mpf(a_factor) / 2)
        rows.append(r)
        tol = r["tol"]
        if abs(r["J_1_minus_h"]) > tol:
            fails.append(f"J_1(a(w_hat), w_hat) - h(w_hat) = "
                         f"{short(r['J_1_minus_h'], 3)} for {spec}: the "
                         "reduction does not hold")
        elif r["gradient_norm"] > tol:
            fails.append(f"|grad J_1| = {short(r['gradient_norm'], 3)} at "
                         f"(a_hat, w_hat) for {spec}: not a critical point")
        elif r["h"] > r["scan_min_h"] + mpf(10) ** -15:
            fails.append(f"h(w_hat) = {short(r['h'], 10)} above the scanned "
                         f"minimum {short(r['scan_min_h'], 10)} for {spec}")
        elif not r["h"] < r["norm2"]:
            fails.append(f"h(w_hat) = ||rho||^2 for {spec}")
        elif abs(r["a_hat"]) <= 2 * r["error_a"] or r["h_second"] <= 0:
            undecided.append(f"a_hat = {short(r['a_hat'], 3)} or h'' = "
                             f"{short(r['h_second'], 3)} unresolved for {spec}")
    bad = [s for s in sym if s.matches is False]
    if bad:
        fails.append(f"{bad[0].where}: derived {bad[0].derived} differs from "
                     f"the printed {bad[0].printed}")
    notes = []
    zero = [r["target"] for r in rows if r["L_zero_somewhere"]]
    if zero:
        notes.append("the proof's 'h(w) < ||rho||^2 for any w > 0' is false "
                     f"where L[rho](w) = 0: for {', '.join(zero)} L[rho] "
                     "changes sign, and there h = ||rho||^2 (a maximum of h); "
                     "the conclusion needs only h < ||rho||^2 somewhere")
    evidence = {"rows": rows, "symbolic": [
        {"where": s.where, "matches": s.matches} for s in sym]}
    if fails:
        return Verdict("lemma-a.1", FAILS, fails[0], evidence, dps=dps,
                       notes=notes)
    if undecided:
        return Verdict("lemma-a.1", INCONCLUSIVE, undecided[0] +
                       "; raise dps0", evidence, dps=dps, notes=notes)
    parts = [f"{r['target']}: w_hat = {short(r['w_hat'], 8)}, a_hat = "
             f"{short(r['a_hat'], 8)}, h = {short(r['h'], 8)}" for r in rows]
    worst = max(max(abs(r["J_1_minus_h"]), r["gradient_norm"]) for r in rows)
    return Verdict(
        "lemma-a.1", HOLDS,
        f"J_1 reduces to h(w) = ||rho||^2 - 2 w L^2 (SymPy, {len(sym)} steps); "
        f"non-degenerate minimizers, |J_1 - h| and |grad J_1| <= "
        f"{short(worst, 2)} at {dps + EXTRA} digits: " + "; ".join(parts),
        evidence, dps=dps, notes=notes)


CLAIM = register(Claim(
    id="lemma-a.1",
    title="J_1 has a non-degenerate global minimizer (reduction to h(w))",
    where="Appendix A.1.1, Lemma A.1 and Remark A.1",
    statement=("If rho is smooth and sqrt(w) L[rho](w) -> 0 at 0+ and oo, "
               "min J_1 = min_w h(w), h = ||rho||^2 - 2 w L[rho](w)^2, "
               "attained at a(w) = 2 w L[rho](w) != 0: 1 is in N."),
    params=[
        targets_param(("exp:1@1,1@3", "exp:1@1,-2@3", "power:3/4", "power:2"),
                      full=("exp:1@1,1@3", "exp:1@1,-2@3", "exp:1@1,1@3,1@7",
                            "power:3/4", "power:1", "power:2", "power:5")),
        dps_param(40),
    ],
    check=check,
))
