"""Theorems A.2 and A.7: many more critical affine spaces than minimizers.

Paper: Appendix A.1.1 (Theorem A.2, eq. (118), Remark A.2) and A.1.2
(Theorem A.7).  For a non-degenerate exponential sum of m terms the global
minimizers are the m! permutations of (a*, w*); the coincided critical
affine spaces number at least sum_{d<m} d! S(m, d).  The proof bounds the
ratio below by the last two terms, (m+1)(3m-2)/24.

Measured exactly (integers and Fractions): the ratio R_m for every m up to
``m_max`` against the bound, p_m = S(m, m-1) and q_m = S(m, m-2) from the
recurrence against the closed forms derived by SymPy (proofs/appendix_a.py,
where they are compared with the paper), and the growth of R_m: R_m is the
ordered Bell number over m!, minus 1, ~ 1/(2 (ln 2)^(m+1)), so it grows
geometrically, far beyond Poly(m).  J_m vanishes at all m! permutations.

thm-a.7 adds what Theorem A.7 rests on: for a positive exponential sum of m
terms, J_d has non-degenerate minimizers for d = 1..m-1 (b_j > 0, v_j
distinct, the Aigrain-Williams equations; cmwork.best_approx) and J_m
vanishes at (a*, w*), so D0 = m - 1.
"""
from __future__ import annotations

import itertools
import math
from fractions import Fraction

from mpmath import mpf

from cmwork.claims import FAILS, HOLDS, Claim, Param, Verdict, register
from cmwork.landscape import stirling2
from cmwork.loss import Loss

from ._common import parse_width, short
from .lemma_a_1 import SLACK, dps_param, make_target, parse_target
from .thm_a_4 import _judge


def ratio(m: int) -> Fraction:
    """sum_{d=1}^{m-1} d! S(m, d) / m!, exactly."""
    return Fraction(sum(math.factorial(d) * stirling2(m, d)
                        for d in range(1, m)), math.factorial(m))


def bound(m: int) -> Fraction:
    """(m+1)(3m-2)/24, the bound of the proof of Theorem A.2."""
    return Fraction((m + 1) * (3 * m - 2), 24)


def _counts(params, bound_factor, m_min):
    from proofs import appendix_a
    d = appendix_a.derive()
    sym = [s for s in d.steps if s.where.startswith("Theorem A.2")]
    fails, equal_at, below = [], [], []
    rows = []
    for m in range(1, params["m_max"] + 1):
        R, B = ratio(m), bound_factor * bound(m)
        rows.append({"m": m, "ratio": float(R), "bound": float(B),
                     "ratio_over_bound": float(R / B) if B else None})
        if R <= B and m >= m_min:
            fails.append(f"m = {m}: ratio {R} {'=' if R == B else '<'} bound "
                         f"{B}, not >")
        elif R == B:
            equal_at.append(m)
        elif R < B:
            below.append(m)
        if m >= 2:
            p = stirling2(m, m - 1)
            if p != m * (m - 1) // 2:
                fails.append(f"p_{m} = {p} != m(m-1)/2")
        if m >= 3:
            q = stirling2(m, m - 2)
            if 24 * q != (2 * (m - 2) * (m - 1) * (2 * m - 3)
                          + 3 * (m - 2) ** 2 * (m - 1) ** 2):
                fails.append(f"q_{m} = {q} differs from the printed closed form")
    for s in sym:
        if s.matches is False:
            fails.append(f"{s.where}: derived {s.derived} != printed {s.printed}")
    M = params["m_max"]
    growth = float(ratio(M) / ratio(M - 1)) if M > 3 else None
    asym = 1 / (2 * math.log(2) ** (M + 1)) - 1
    return rows, fails, (equal_at, below), sym, growth, asym


def _minimizers(spec, dps):
    """J_m at every permutation of (a*, w*): must vanish."""
    rho = make_target(spec)
    m = len(rho.a)
    J = Loss(rho, m=m)
    worst = mpf(0)
    count = 0
    for perm in itertools.permutations(range(m)):
        v = J.value([rho.a[i] for i in perm], [rho.w[i] for i in perm], dps=dps)
        worst = max(worst, abs(v))
        count += 1
    return count, worst


def _verdict(cid, params, dps, bound_factor, m_min, extra_rows=(),
             extra_fails=()):
    rows, fails, (equal_at, below), sym, growth, asym = _counts(
        params, bound_factor, m_min)
    fails = list(extra_fails) + fails
    count, worst = _minimizers(params["target"], dps)
    if count != math.factorial(len(make_target(params["target"]).a)) or \
            worst > mpf(10) ** (-(dps - SLACK)):
        fails.append(f"J_m at a permutation of (a*, w*) = {short(worst, 3)}")
    M = params["m_max"]
    notes = []
    if equal_at or below:
        notes.append(f"'m relatively large' is needed: at m = "
                     f"{', '.join(map(str, equal_at))} the sum (118) equals "
                     "the two terms kept (ratio = bound, the proof's strict "
                     "'>' is '='), at m = "
                     f"{', '.join(map(str, below)) or '-'} the ratio is below "
                     "the bound (empty sum); strict from m = 4 on")
    if growth:
        notes.append(f"the bound is loose: R_m grows geometrically, "
                     f"R_{M}/R_{M - 1} = {growth:.6f} -> 1/ln 2 = "
                     f"{1 / math.log(2):.6f}; R_{M} = {float(ratio(M)):.6e} vs "
                     f"1/(2 ln2^(m+1)) - 1 = {asym:.6e}, against the bound's "
                     f"{float(bound(M)):.1f}")
    evidence = {"rows": rows, "m_factorial_minimizers": count,
                "max_J_at_minimizers": worst, "growth_ratio": growth,
                "symbolic": [{"where": s.where, "matches": s.matches,
                              "derived": str(s.derived)} for s in sym],
                "best_approximations": list(extra_rows)}
    if fails:
        return Verdict(cid, FAILS, fails[0], evidence, dps=dps, notes=notes)
    top = rows[-1]
    head = ""
    if extra_rows:
        head = (f"J_d has non-degenerate minimizers for d = 1.."
                f"{len(extra_rows)} (b > 0, distinct v, (126)-(127) to "
                f"{short(max(r['max_residual'] for r in extra_rows), 2)}), "
                f"J_m(a*, w*) = 0: D0 = m - 1; ")
    return Verdict(
        cid, HOLDS, head +
        f"sum_(d<m) d! S(m,d) / m! > (m+1)(3m-2)/24 for m = {m_min}..{M} "
        f"(exact; = at m = {', '.join(map(str, equal_at)) or 'none'}); at "
        f"m = {M}: ratio {top['ratio']:.4e} = {top['ratio_over_bound']:.4e} x "
        f"bound; p_m, q_m closed forms derived and matching the paper; "
        f"{count} global minimizers with J = 0", evidence, dps=dps,
        notes=notes)


def check_a2(params, *, dps=None, seed=0, bound_factor=1, m_min=None):
    """Wrong variants: ``bound_factor=2`` doubles the bound; ``m_min=1``
    claims it from m = 1 (where the sum is empty)."""
    dps = dps or params["dps0"]
    return _verdict("thm-a.2", params, dps, Fraction(bound_factor),
                    params["m_min"] if m_min is None else m_min)


def check_a7(params, *, dps=None, seed=0, bound_factor=1, d0_offset=0):
    """Wrong variant ``d0_offset=1``: claims J_m too has a non-degenerate
    minimizer with J_m > 0, i.e. rho not in V_m.  ``bound_factor`` as in
    thm-a.2."""
    dps = dps or params["dps0"]
    spec = params["target"]
    rho = make_target(spec)
    m = len(rho.a)
    fails, rows = [], []
    if any(a <= 0 for a in rho.a):
        raise ValueError(f"target={spec!r}: Theorem A.7 needs a* > 0")
    for d in range(1, m + d0_offset):
        if d >= m:
            J = Loss(rho, m=m).value(list(rho.a), list(rho.w), dps=dps)
            fails.append(f"d = {d}: rho is in V_{m} (J_{m}(a*, w*) = "
                         f"{short(J, 2)}), so D0 = {m - 1}, not {d}")
            continue
        row, f = _judge(spec, d, dps, 0)
        rows.append(row)
        fails += f
    return _verdict("thm-a.7", params, dps, Fraction(bound_factor),
                    params["m_min"], rows, fails)


_COMMON = [
    Param("m_max", "largest m of the count", "integer >= 4", 60, full=120,
          parse=parse_width),
    Param("m_min", "smallest m claimed ('m relatively large')",
          "integer >= 1", 4, parse=parse_width),
    dps_param(40),
]

register(Claim(
    id="thm-a.2",
    title="Critical affine spaces outnumber the m! global minimizers by "
          ">= (m+1)(3m-2)/24",
    where="Appendix A.1.1, Theorem A.2, eq. (118), Remark A.2",
    statement=("For rho a non-degenerate exponential sum of m terms and m in "
               "N: sum_{d<m} d! S(m, d) / m! > (m+1)(3m-2)/24."),
    params=[Param("target", "target for the m! minimizers", "exp:A@W,...",
                  "exp:1@1,-2@3,3@7", parse=parse_target)] + _COMMON,
    check=check_a2))

register(Claim(
    id="thm-a.7",
    title="Positive exponential sums: m - 1 in N, and the count of A.2",
    where="Appendix A.1.2, Theorem A.7 and Remark A.7",
    statement=("For rho = sum_{j<=m} a*_j e^{-w*_j t}, a*_j > 0, distinct w*: "
               "J_d has non-degenerate minimizers for d < m, and the count "
               "of Theorem A.2 holds."),
    params=[Param("target", "a positive exponential sum", "exp:A@W,...",
                  "exp:1@1,1@3,1@7", full="exp:1@1,2@2,1@5,1@9",
                  parse=parse_target)] + _COMMON,
    check=check_a7))
