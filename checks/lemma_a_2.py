"""Lemma A.2: distinct exponentials are linearly independent on an interval.

Paper: Appendix A.1.1, eqs. (115)-(116).  Independence of e^{-v_i t} on an
interval I is positivity of their Gram matrix int_I e^{-(v_i + v_j) t} dt.
Its determinant is of size prod_{i<j} (v_i - v_j)^2 relative to its
entries: exponents 1e-25 apart lose some 50 digits to cancellation, so the
precision is set from the gaps (cmwork.best_approx.determinant_digits) and
the determinant is computed at two precisions; on [0, oo) it is compared
with Cauchy's closed form prod_{i<j} (v_i - v_j)^2 / prod_{i,j} (v_i + v_j)
(derived in proofs/appendix_a.py).  The symbolic part also derives the
Wronskian of e^{lambda_i t}, a Vandermonde determinant.

Certified (``certified=True``): on [0, oo) the determinant of the exact
rational matrix 1/(v_i + v_j) in fmpq arithmetic, no rounding at all; on a
finite interval an arb determinant of the exact-input entries, the
precision doubled until its ball excludes zero.  A repeated exponent makes
two rows equal, so the determinant is exactly 0, and the check says fails.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
from mpmath import mpf

from cmwork.best_approx import (cauchy_determinant, determinant_digits,
                                gram_determinant)
from cmwork.claims import (FAILS, HOLDS, INCONCLUSIVE, Claim, Param, Verdict,
                           parse_number, register)

from ._common import short

#: Digits kept beyond those lost to cancellation (chosen here).
WANTED = 30
EXTRA = 20


def _parse_sets(text):
    sets = [s for s in str(text).split(";") if s.strip()]
    if not sets:
        raise ValueError("expected exponent lists separated by ';'")
    return tuple(tuple(parse_number(x) for x in s.split(",") if x.strip())
                 for s in sets)


def _parse_intervals(text):
    out = []
    for s in str(text).split(";"):
        if not s.strip():
            continue
        lo, _, hi = s.partition(",")
        hi = hi.strip()
        out.append((parse_number(lo), None if hi == "oo" else parse_number(hi)))
        if out[-1][1] is not None and not out[-1][0] < out[-1][1]:
            raise ValueError("expected alpha < beta")
    if not out:
        raise ValueError("expected intervals 'alpha,beta' or 'alpha,oo'")
    return tuple(out)


def _show(text):
    with mpmath.workdps(40):
        return mpmath.nstr(_mpf(Fraction(text)), 27)


def _mpf(q):
    return mpf(q.numerator) / q.denominator


def _one(v, interval, dps, certified):
    lost = determinant_digits(v)
    d = dps or (lost + WANTED)
    al, be = interval
    row = {"exponents": [str(x) for x in v], "interval": [str(al), str(be)
                                                          if be is not None
                                                          else "oo"],
           "digits_lost": lost, "dps": d, "dps_check": d + EXTRA}
    if len(set(v)) < len(v):
        row["status"] = "repeated"
        return row
    if al != 0 and be is None:
        raise ValueError(f"interval=({al}, oo): on an infinite interval only "
                         "[0, oo) is supported")
    vals = []
    for p in (d, d + EXTRA):
        with mpmath.workdps(p):
            vv = [_mpf(x) for x in v]
            itv = None if be is None else (_mpf(al), _mpf(be))
            vals.append(gram_determinant(vv, interval=itv, dps=p))
    with mpmath.workdps(d + EXTRA):
        lo, hi = vals
        # the LU's rounding: relative 10^-(d - lost) of det, absolute
        # 10^-(d - 5) for entries of order one
        err = abs(lo - hi) + abs(hi) * mpf(10) ** (-(d - lost - 5)) \
            + mpf(10) ** (-(d - 5))
        row.update(det=hi, error=err)
        if be is None:
            closed = cauchy_determinant([_mpf(x) for x in v], dps=d + EXTRA)
            row["cauchy"] = closed
            row["cauchy_rel_diff"] = abs(hi / closed - 1) if closed else None
    if certified:
        from cmwork import certified as C
        if be is None:
            ex = C.gram_determinant_exact(v)
            row["certified_det"] = str(ex) if len(str(ex)) < 200 else \
                f"exact rational, {len(str(ex))} characters, > 0: {ex > 0}"
            row["certified_positive"] = ex > 0
        else:
            bits = C.bits_for_digits(lost + WANTED)
            cap = 8 * bits
            while True:
                x = C.gram_determinant_ball(v, (al, be), prec=bits)
                if not x.contains(0) or bits * 2 > cap:
                    break
                bits *= 2
            row["certified_det"] = C.ball_str(x, 10)
            row["certified_bits"] = bits
            row["certified_positive"] = bool(x > 0) if not x.contains(0) \
                else None
    return row


def check(params, *, dps=None, seed=0, certified=False, repeat=False):
    """``repeat=True`` repeats each set's first exponent (a wrong variant:
    Lemma A.2 needs distinct exponents)."""
    from proofs import appendix_a
    deriv = appendix_a.derive()
    sym = [s for s in deriv.steps if s.where.startswith("Lemma A.2")]
    rows, fails, undecided = [], [], []
    all_cert = True
    for v in params["exponent_sets"]:
        v = tuple(v) + ((v[0],) if repeat else ())
        for itv in params["intervals"]:
            row = _one(v, itv, dps, certified)
            rows.append(row)
            where = f"v = ({', '.join(row['exponents'])}) on {row['interval']}"
            if row.get("status") == "repeated":
                fails.append(f"repeated exponent in {where}: two equal rows, "
                             "det = 0 exactly, the functions are dependent")
                continue
            if row["det"] <= 0 and abs(row["det"]) > 2 * row["error"]:
                fails.append(f"det = {short(row['det'], 4)} <= 0 at {where}")
            elif not abs(row["det"]) > 2 * row["error"]:
                undecided.append(f"det = {short(row['det'], 3)} within its "
                                 f"error {short(row['error'], 2)} at {where} "
                                 f"({row['dps']} digits, {row['digits_lost']} "
                                 "lost to cancellation)")
            elif row.get("cauchy_rel_diff") is not None and \
                    row["cauchy_rel_diff"] > mpf(10) ** (-(row["dps"]
                                                           - row["digits_lost"]
                                                           - 5)):
                fails.append(f"det differs from Cauchy's closed form by "
                             f"{short(row['cauchy_rel_diff'], 3)} at {where}")
            if certified:
                cp = row.get("certified_positive")
                if cp is False:
                    fails.append(f"certified det <= 0 at {where}")
                elif cp is None:
                    all_cert = False
    for s in sym:
        if s.matches is False:
            fails.append(f"{s.where}: derived {s.derived} != {s.printed}")
    evidence = {"rows": rows, "symbolic": [{"where": s.where,
                                            "matches": s.matches} for s in sym]}
    if fails:
        return Verdict("lemma-a.2", FAILS, fails[0], evidence,
                       dps=max(r["dps"] for r in rows), certified=certified)
    if undecided:
        return Verdict("lemma-a.2", INCONCLUSIVE, undecided[0] + "; raise --dps"
                       " or leave it unset (set from the gaps)", evidence,
                       dps=max(r["dps"] for r in rows))
    tiny = min(rows, key=lambda r: r["det"])
    tier = ("certified: exact rational determinants on [0, oo), arb balls "
            "on finite intervals") if certified else "two precisions"
    return Verdict(
        "lemma-a.2", HOLDS,
        f"Gram determinant > 0 for {len(rows)} (exponents, interval) pairs "
        f"({tier}); smallest det = {short(tiny['det'], 4)} for v = "
        f"({', '.join(_show(x) for x in tiny['exponents'])}) on "
        f"{tiny['interval']}, {tiny['digits_lost']} digits lost, "
        f"{tiny['dps']} used; Cauchy's closed form and the Wronskian derived",
        evidence, dps=max(r["dps"] for r in rows),
        certified=certified and all_cert)


CLAIM = register(Claim(
    id="lemma-a.2",
    title="Distinct exponentials are linearly independent on an interval",
    where="Appendix A.1.1, Lemma A.2, eqs. (115)-(116)",
    statement=("For distinct lambda_i, {e^{lambda_i t}} is linearly "
               "independent on any interval: the Gram matrix is positive "
               "definite."),
    params=[
        Param("exponent_sets", "exponent lists v (e^{-v t}), ';'-separated",
              "exact numbers, distinct", (
                  (Fraction(1, 2), Fraction(1), Fraction(2)),
                  (Fraction(1), Fraction("1.0000000001"), Fraction(3)),
                  (Fraction(1), Fraction("1.0000000000000000000000001"),
                   Fraction("1.0000000000000000000000002")),
                  (Fraction(1), Fraction(2), Fraction(3), Fraction(4),
                   Fraction(5), Fraction(6))),
              parse=_parse_sets),
        Param("intervals", "intervals 'alpha,beta' or '0,oo', ';'-separated",
              "alpha < beta", ((Fraction(0), None), (Fraction(0), Fraction(1)),
                               (Fraction(-1), Fraction(2))),
              parse=_parse_intervals),
    ],
    check=check,
    certifiable=True,
))
