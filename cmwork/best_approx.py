"""Best L^2 approximations by exponential sums (Appendix A of the paper).

Notation as in Appendix A: J_d(b, v) = ||sum_j b_j e^{-v_j t} - rho||^2 is
eq. (107) at width d, L[f](s) = int_0^oo e^{-st} f(t) dt, and the target's
moments M_n(s) = int_0^oo t^n e^{-st} rho(t) dt give L[rho] = M_0 and
d/ds L[rho] = -M_1.

* :func:`one_exponential` -- Lemma A.1: min over (a, w) of J_1 reduces to
  min over w of h(w) = ||rho||^2 - 2 w L[rho](w)^2, attained at
  a(w) = 2 w L[rho](w).  Critical points of h solve L (L - 2 w M_1) = 0.
* :func:`best_approximation` -- Theorems A.4-A.5: the best approximation of
  a completely monotone rho by d exponentials, by a global search (every
  d-subset of a logarithmic grid of exponents, the coefficients by least
  squares), local Levenberg-Marquardt from the best grid cells, and Newton
  polishing at the working precision.  At the result the generalized
  Aigrain-Williams equations (126)-(127) are the critical-point equations
  dJ_d/db_j = 0 and dJ_d/dv_j = 0.
* :func:`gram_matrix`, :func:`gram_determinant` -- Lemma A.2: the Gram
  matrix of exponentials on an interval; on [0, oo) it is the Cauchy matrix
  1/(v_i + v_j) with det = prod_{i<j} (v_i - v_j)^2 / prod_{i,j} (v_i + v_j).
* :func:`completely_monotone` -- Definition A.3 for the targets cmwork
  knows, by Bernstein's theorem for exponential sums.

The global search is a search, not a proof: its grid and its starts are
reported with every result, and the checks say what they rest on.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import List, Optional, Sequence, Tuple

import mpmath
import numpy as np
from mpmath import mpf

from .loss import Loss
from .precision import check_dps, workdps
from .targets import (ExponentialSum, MemoryTarget, PowerLaw, Target,
                      as_vector)

#: Points of the logarithmic grid of exponents in the global search, and
#: how far (as a factor) it extends beyond the target's own scales (chosen
#: here: the optimal exponents of the examples lie well inside).
GRID_POINTS = 36
GRID_WIDEN = 30

#: Levenberg-Marquardt iterations allowed per start, and Newton polishing
#: iterations at the working precision (chosen here; convergence is
#: checked, not assumed).
LM_ITERATIONS = 200
NEWTON_ITERATIONS = 40

#: Digits of the local searches (the polish is at the caller's dps).
SEARCH_DPS = 30


# ---------------------------------------------------------------------------
# complete monotonicity (Definition A.3)

def completely_monotone(target: Target) -> Optional[bool]:
    """Whether rho is completely monotone: True, False, or None (unknown).

    An exponential sum sum_j a_j e^{-w_j t} (w_j > 0, equal exponents
    merged) is completely monotone iff every merged coefficient is >= 0 and
    one is > 0 (Bernstein: the representing measure is unique).
    (1+t)^(-alpha) with c > 0 is (Remark A.6).  A memory target's template
    is not: None.
    """
    if isinstance(target, PowerLaw):
        return target.completely_monotone
    if isinstance(target, ExponentialSum):
        merged = {}
        for a, w in zip(target.a, target.w):
            merged[w] = merged.get(w, 0) + a
        coeffs = list(merged.values())
        return all(c >= 0 for c in coeffs) and any(c > 0 for c in coeffs)
    return None


def require_completely_monotone(target: Target, name: str = "target") -> None:
    """ValueError unless ``target`` is known to be completely monotone."""
    if not isinstance(target, Target):
        raise ValueError(f"{name}={target!r}: expected a cmwork Target "
                         "(ExponentialSum, PowerLaw)")
    cm = completely_monotone(target)
    if cm is not True:
        why = ("it is not" if cm is False else "cmwork cannot tell whether "
               "it is")
        raise ValueError(
            f"{name}={target!r}: expected a completely monotone target "
            f"(Definition A.3), but {why}; allowed: an ExponentialSum with "
            "coefficients >= 0, or PowerLaw with c > 0")


def _check_width(name: str, d) -> int:
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise ValueError(f"{name}={d!r}: expected an integer >= 1")
    return d


# ---------------------------------------------------------------------------
# Lemma A.1: one exponential

@dataclass
class OneExponential:
    """The minimizer of J_1 found through h(w) (Lemma A.1).

    ``candidates`` are the critical points of h (w, h(w)) found by the scan;
    ``h_boundary`` is ||rho||^2 = h(0+) = h(oo); ``scan`` the grid bounds.
    """

    w_hat: mpf
    a_hat: mpf
    h: mpf
    norm2: mpf
    candidates: List[Tuple[mpf, mpf]]
    h_second: mpf
    scan: Tuple[float, float, int]
    dps: int


def h_of(target: Target, w, *, dps: int) -> mpf:
    """h(w) = ||rho||^2 - 2 w L[rho](w)^2, Lemma A.1."""
    with workdps(dps):
        w = mpmath.mpf(w)
        return target.norm2(dps=dps) - 2 * w * target.moment(0, w, dps=dps) ** 2


def a_of(target: Target, w, *, dps: int) -> mpf:
    """a(w) = 2 w L[rho](w), the optimal coefficient for exponent w."""
    with workdps(dps):
        w = mpmath.mpf(w)
        return 2 * w * target.moment(0, w, dps=dps)


def _scale_range(target: Target) -> Tuple[float, float]:
    if isinstance(target, ExponentialSum):
        ws = [float(w) for w in target.w]
        return min(ws) / GRID_WIDEN, max(ws) * GRID_WIDEN
    if isinstance(target, PowerLaw):
        return 1e-4, 1e2
    if isinstance(target, MemoryTarget):
        ws = [float(w) for w in target.w_star]
        return min(ws) / GRID_WIDEN, max(ws) * GRID_WIDEN
    return 1e-3, 1e3


def one_exponential(target: Target, *, dps: int = 50,
                    scan: Optional[Tuple[float, float]] = None,
                    points: int = 240) -> OneExponential:
    """Global minimizer of J_1 through Lemma A.1's reduction to h(w).

    h'(w) = -2 L (L - 2 w M_1); the scan brackets every sign change of
    L - 2 w M_1 on a logarithmic grid (bounds ``scan``), each root is
    refined by bisection-secant (mpmath's Anderson solver) at ``dps``
    digits, and the smallest h is returned.  Roots of L itself are maxima
    of h (h = ||rho||^2 there) and are skipped.

    >>> r = one_exponential(ExponentialSum(a=[1], w=[2]), dps=30)
    >>> mpmath.nstr(r.w_hat, 10), mpmath.nstr(r.a_hat, 10)
    ('2.0', '1.0')
    """
    dps = check_dps(dps)
    lo, hi = scan or _scale_range(target)
    if not 0 < lo < hi:
        raise ValueError(f"scan={scan!r}: expected 0 < lo < hi")

    def g(w, d):
        with workdps(d):
            return target.moment(0, w, dps=d) - 2 * w * target.moment(1, w, dps=d)

    with workdps(dps + 10):
        grid = [mpf(lo) * (mpf(hi) / lo) ** (mpf(k) / (points - 1))
                for k in range(points)]
        vals = [g(w, 20) for w in grid]
        roots = []
        for (x0, g0), (x1, g1) in zip(zip(grid, vals), zip(grid[1:], vals[1:])):
            if g0 == 0:
                roots.append(x0)
            elif g0 * g1 < 0:
                r = mpmath.findroot(lambda x: g(x, dps + 10), (x0, x1),
                                    solver="anderson")
                roots.append(r)
        if not roots:
            raise ArithmeticError(
                f"one_exponential: no critical point of h on [{lo:g}, {hi:g}] "
                f"({points} points); widen scan=")
        cands = [(r, h_of(target, r, dps=dps + 10)) for r in roots]
        w_hat, h_min = min(cands, key=lambda c: c[1])
        a_hat = a_of(target, w_hat, dps=dps + 10)
        # h'' = 8 L M_1 - 4 w M_1^2 - 4 w L M_2 (L = M_0, L' = -M_1, L'' = M_2)
        L0, L1, L2 = (target.moment(n, w_hat, dps=dps + 10) for n in range(3))
        h2 = 8 * L0 * L1 - 4 * w_hat * L1 ** 2 - 4 * w_hat * L0 * L2
        norm2 = target.norm2(dps=dps + 10)
    with workdps(dps):
        return OneExponential(+w_hat, +a_hat, +h_min, +norm2,
                              [(+w, +h) for w, h in cands], +h2,
                              (lo, hi, points), dps)


# ---------------------------------------------------------------------------
# Theorems A.4-A.5: d exponentials

@dataclass
class BestApproximation:
    """A best approximation sum_j b_j e^{-v_j t} of rho, v ascending.

    ``value`` is J_d(b, v); ``gradient_norm`` its gradient's 2-norm at the
    working precision ``dps`` and ``gradient_norm_check`` at ``dps_check``
    (the point re-polished with more digits): both must be at the rounding
    level.  ``aigrain_williams`` are the residuals of (126) and (127) at
    each v_j.  ``grid_min`` is the smallest J_d over the grid cells (float),
    ``start_values`` the local minima reached from each start (at
    :data:`SEARCH_DPS` digits), ``hessian_eigenvalues`` those of Hess J_d.
    """

    b: List[mpf]
    v: List[mpf]
    value: mpf
    gradient_norm: mpf
    gradient_norm_check: mpf
    aigrain_williams: Tuple[List[mpf], List[mpf]]
    grid_min: float
    grid: Tuple[float, float, int]
    start_values: List[mpf]
    hessian_eigenvalues: List[mpf]
    dps: int
    dps_check: int
    converged: bool
    notes: List[str] = field(default_factory=list)


def least_squares_coefficients(target: Target, v, *, dps: int) -> List[mpf]:
    """b minimizing J_d for fixed exponents v: G b = L[rho](v), G = 1/(v_i+v_j)."""
    with workdps(dps):
        v = [mpmath.mpf(x) for x in v]
        G = gram_matrix(v, dps=dps)
        rhs = mpmath.matrix([target.moment(0, x, dps=dps) for x in v])
        return list(mpmath.lu_solve(G, rhs))


def _grid_search(target, d, lo, hi, points):
    """J_d over every d-subset of a log grid, coefficients by least squares."""
    grid = np.geomspace(lo, hi, points)
    with workdps(SEARCH_DPS):
        m0 = np.array([float(target.moment(0, x, dps=SEARCH_DPS)) for x in grid])
        norm2 = float(target.norm2(dps=SEARCH_DPS))
    combos = np.array(list(itertools.combinations(range(points), d)))
    V = grid[combos]                                   # (N, d)
    G = 1.0 / (V[:, :, None] + V[:, None, :])
    rhs = m0[combos]
    with np.errstate(all="ignore"):
        b = np.linalg.solve(G, rhs[..., None])[..., 0]
    F = norm2 - np.einsum("ij,ij->i", rhs, b)
    F[~np.isfinite(F)] = np.inf
    return grid, combos, V, b, F


def _pick_starts(combos, F, starts):
    """The best cells, skipping neighbours of cells already taken."""
    order = np.argsort(F)
    picked = []
    for idx in order:
        c = combos[idx]
        if all(np.max(np.abs(c - combos[p])) > 2 for p in picked):
            picked.append(idx)
        if len(picked) == starts:
            break
    return picked


def _lm(J: Loss, b, v, *, dps, iterations, tol):
    """Levenberg-Marquardt on J_d in (b, v), v kept positive.

    Returns (b, v, value, steps, converged).  The damping mu is scaled by
    the Hessian's diagonal; it shrinks on success and grows on failure, so
    the last steps are Newton steps.
    """
    d = len(b)
    with workdps(dps):
        x = [mpf(t) for t in list(b) + list(v)]
        f = J.value(x[:d], x[d:], dps=dps)
        mu = mpf(1) / 1000
        tiny = mpf(10) ** (-dps)
        for it in range(iterations):
            g = J.gradient(x[:d], x[d:], dps=dps)
            H = J.hessian(x[:d], x[d:], dps=dps)
            gnorm = mpmath.sqrt(mpmath.fsum(gi ** 2 for gi in g))
            if gnorm < tol:
                return x[:d], x[d:], f, it, True
            while True:
                A = H.copy()
                for i in range(2 * d):
                    A[i, i] += mu * (abs(H[i, i]) + tiny)
                try:
                    step = mpmath.lu_solve(A, -g)
                except ZeroDivisionError:
                    mu *= 10
                    continue
                y = [xi + si for xi, si in zip(x, step)]
                if all(t > 0 for t in y[d:]):
                    fy = J.value(y[:d], y[d:], dps=dps)
                    if fy <= f:
                        x, f = y, fy
                        mu = max(mu / 10, tiny)
                        break
                mu *= 10
                if mu > mpf(10) ** 12:
                    return x[:d], x[d:], f, it, False
        return x[:d], x[d:], f, iterations, False


def _newton(J: Loss, b, v, *, dps, iterations):
    """Plain Newton on grad J_d = 0 (the Aigrain-Williams system) at dps."""
    d = len(b)
    with workdps(dps):
        x = [mpf(t) for t in list(b) + list(v)]
        tol = mpf(10) ** (-dps + 3)
        for _ in range(iterations):
            g = J.gradient(x[:d], x[d:], dps=dps)
            H = J.hessian(x[:d], x[d:], dps=dps)
            step = mpmath.lu_solve(H, -g)
            x = [xi + si for xi, si in zip(x, step)]
            if max(abs(s) for s in step) < tol * max(1, max(abs(t) for t in x)):
                return x[:d], x[d:], True
        return x[:d], x[d:], False


def aigrain_williams(target: Target, b, v, *, dps: int):
    """Residuals of (126) L[rho_hat](v_j) - L[rho](v_j) and of (127)
    d/ds L[rho_hat](v_j) - d/ds L[rho](v_j), with L[rho]' = -M_1."""
    with workdps(dps):
        r126, r127 = [], []
        for vj in v:
            r126.append(mpmath.fsum(bi / (vj + vi) for bi, vi in zip(b, v))
                        - target.moment(0, vj, dps=dps))
            r127.append(-mpmath.fsum(bi / (vj + vi) ** 2 for bi, vi in zip(b, v))
                        + target.moment(1, vj, dps=dps))
        return r126, r127


def best_approximation(target: Target, d: int, *, dps: int = 50,
                       starts: int = 4, grid_points: int = GRID_POINTS,
                       scan: Optional[Tuple[float, float]] = None,
                       require_cm: bool = True) -> BestApproximation:
    """The best L^2 approximation of ``target`` by d exponentials.

    Global search over the grid, local searches from the ``starts`` best
    separated cells at :data:`SEARCH_DPS` digits, then Newton polishing of
    the best at ``dps`` and at ``dps + dps // 2`` digits (the second to
    measure the first's error).  ``require_cm`` refuses a target that is
    not completely monotone (Theorems A.4-A.5 assume it).

    >>> rho = ExponentialSum(a=[1, 1], w=[1, 3])
    >>> r = best_approximation(rho, 1, dps=30)
    >>> [mpmath.nstr(x, 8) for x in r.v], r.b[0] > 0
    (['1.4675039'], True)
    >>> mpmath.nstr(one_exponential(rho, dps=30).w_hat, 8)   # Lemma A.1's route
    '1.4675039'
    """
    d = _check_width("d", d)
    dps = check_dps(dps)
    if require_cm:
        require_completely_monotone(target)
    if isinstance(starts, bool) or not isinstance(starts, int) or starts < 1:
        raise ValueError(f"starts={starts!r}: expected an integer >= 1")
    if grid_points < d + 2:
        raise ValueError(f"grid_points={grid_points!r}: expected at least "
                         f"d + 2 = {d + 2}")
    lo, hi = scan or _scale_range(target)
    grid, combos, V, B, F = _grid_search(target, d, lo, hi, grid_points)
    J = Loss(target, m=d)
    results = []
    for idx in _pick_starts(combos, F, starts):
        b0 = least_squares_coefficients(target, V[idx], dps=SEARCH_DPS)
        tol = mpf(10) ** (-SEARCH_DPS // 2)
        results.append(_lm(J, b0, V[idx], dps=SEARCH_DPS,
                           iterations=LM_ITERATIONS, tol=tol))
    b, v, f, _, ok = min(results, key=lambda r: r[2])
    notes = []
    if not ok:
        notes.append("the best local search stopped before its gradient "
                     "tolerance")
    high = dps + max(10, dps // 2)
    b1, v1, ok1 = _newton(J, b, v, dps=dps, iterations=NEWTON_ITERATIONS)
    b2, v2, ok2 = _newton(J, b1, v1, dps=high, iterations=NEWTON_ITERATIONS)
    order = sorted(range(d), key=lambda i: v2[i])
    b2, v2 = [b2[i] for i in order], [v2[i] for i in order]
    b1, v1 = [b1[i] for i in order], [v1[i] for i in order]
    with workdps(high):
        g1 = J.gradient(b1, v1, dps=dps)
        g2 = J.gradient(b2, v2, dps=high)
        n1 = mpmath.sqrt(mpmath.fsum(x ** 2 for x in g1))
        n2 = mpmath.sqrt(mpmath.fsum(x ** 2 for x in g2))
        value = J.value(b2, v2, dps=high)
        from .spectrum import eigenvalues
        ev = eigenvalues(J.hessian(b2, v2, dps=high), dps=high)
        aw = aigrain_williams(target, b2, v2, dps=high)
    return BestApproximation(
        b=b2, v=v2, value=value, gradient_norm=n1, gradient_norm_check=n2,
        aigrain_williams=aw, grid_min=float(np.min(F)),
        grid=(lo, hi, grid_points), start_values=[r[2] for r in results],
        hessian_eigenvalues=ev, dps=dps, dps_check=high,
        converged=ok1 and ok2, notes=notes)


# ---------------------------------------------------------------------------
# Lemma A.2: Gram matrices of exponentials

def gram_matrix(v: Sequence, *, interval=None, dps: int = 50) -> mpmath.matrix:
    """Gram matrix of e^{-v_i t}: int_I e^{-(v_i + v_j) t} dt.

    ``interval`` None means [0, oo) (entries 1/(v_i + v_j), v_i > 0);
    otherwise (alpha, beta), finite, with any real v (the entry is
    (e^{-s alpha} - e^{-s beta})/s, s = v_i + v_j, and beta - alpha at s = 0).
    """
    dps = check_dps(dps)
    with workdps(dps):
        if interval is None:
            v = as_vector("v", v, positive=True)
            n = len(v)
            return mpmath.matrix([[1 / (v[i] + v[j]) for j in range(n)]
                                  for i in range(n)])
        v = as_vector("v", v)
        al, be = _interval(interval)
        n = len(v)

        def entry(s):
            if s == 0:
                return be - al
            return mpmath.exp(-s * al) * -mpmath.expm1(-s * (be - al)) / s
        return mpmath.matrix([[entry(v[i] + v[j]) for j in range(n)]
                              for i in range(n)])


def _interval(interval):
    try:
        al, be = (mpmath.mpmathify(x) for x in interval)
    except (TypeError, ValueError):
        raise ValueError(f"interval={interval!r}: expected (alpha, beta)"
                         ) from None
    if not (mpmath.isfinite(al) and mpmath.isfinite(be) and al < be):
        raise ValueError(f"interval={interval!r}: expected finite alpha < beta")
    return al, be


def cauchy_determinant(v: Sequence, *, dps: int = 50) -> mpf:
    """prod_{i<j} (v_i - v_j)^2 / prod_{i,j} (v_i + v_j): det of 1/(v_i+v_j)."""
    with workdps(check_dps(dps)):
        v = as_vector("v", v, positive=True)
        num = mpmath.fprod((v[i] - v[j]) ** 2 for i in range(len(v))
                           for j in range(i + 1, len(v)))
        den = mpmath.fprod(v[i] + v[j] for i in range(len(v))
                           for j in range(len(v)))
        return num / den


def gram_determinant(v: Sequence, *, interval=None, dps: int = 50) -> mpf:
    """det of :func:`gram_matrix` by LU at ``dps`` digits."""
    with workdps(check_dps(dps)):
        return mpmath.det(gram_matrix(v, interval=interval, dps=dps))


def determinant_digits(v: Sequence) -> int:
    """Digits lost to cancellation in the Gram determinant: about
    -log10 of prod_{i<j} (v_i - v_j)^2, gaps relative to the exponents.

    Fractions and integers are differenced exactly (a gap of 1e-40 between
    exact numbers is seen whole); other numbers at 50 digits.  Equal
    exponents give 0 (the determinant is then exactly zero, not small).
    """
    exact = all(isinstance(x, (int, Fraction)) and not isinstance(x, bool)
                for x in v)
    with workdps(50):
        vals = list(v) if exact else [mpmath.mpmathify(x) for x in v]
        lost = 0.0
        for i in range(len(vals)):
            for j in range(i + 1, len(vals)):
                diff = vals[i] - vals[j]
                if diff == 0:
                    return 0
                scale = max(abs(vals[i]), abs(vals[j]), 1)
                gap = abs(Fraction(diff) / Fraction(scale)) if exact else \
                    abs(diff) / scale
                if exact:
                    lg = (math.log10(gap.numerator) - math.log10(gap.denominator))
                else:
                    lg = float(mpmath.log10(gap))
                lost += -2 * lg
        return int(math.ceil(max(lost, 0)))
