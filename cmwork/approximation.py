"""Approximation by linear RNNs, Section 3: the Muntz construction of
Lemma 3.2 / Theorem 3.1 (eqs. (35)-(45)), the Jackson construction of
Theorem 3.3 (eqs. (52)-(64)), L^1 errors and rates, and the widths needed
for power-law memory (Section 3.3, eqs. (66)-(72)).

Both constructions approximate a density rho on [0, oo) by

    phi(t) = sum_{j=1}^m a_j e^{-j r t} = u Q(u),   u = e^{-r t},

with r = 1 in Theorem 3.1 (W = diag(-1, ..., -m), eq. (44)) and
r = beta / (alpha + 1) in Theorem 3.3 (eq. (61)); Q has degree m - 1 and
p(u) = u Q(u) has p(0) = 0.  :func:`rnn_of` turns the coefficients into
(c, W, U) as the paper does (c = (1, ..., 1), U_ij = alpha_ji).

* :func:`best_l1` -- the best L^1 approximation of that form, by a linear
  programme on a Gauss-Legendre discretisation of int |rho - phi| dt; its
  error is then measured on a grid with twice the nodes, and the change is
  reported as the discretisation error.  Q is held in the shifted Legendre
  basis (the monomial basis e^{-j r t} is as ill-conditioned as a Hilbert
  matrix).
* :func:`jackson` -- Theorem 3.3's route: a near-best uniform approximation
  Q_m of q(s) = rho(-log(s)/r)/s on [0, 1] (Chebyshev interpolation at m
  points, within 2 + (2/pi) log m of the best), then the L^1 error by the
  change of variables (63) and, independently, directly in t.
* :func:`l1_norm_of` -- sum_i int_0^oo |f_i| with the sign changes found
  and integrated piece by piece.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Sequence, Tuple

import numpy as np
import scipy.optimize
import scipy.sparse
from numpy.polynomial import chebyshev as C
from numpy.polynomial import legendre as L

#: u = e^{-r t} below which the approximant is treated as tail (chosen
#: here: |phi| <= |Q(0)| u there, and e^{-28} ~ 7e-13).
U_MIN = math.exp(-28)

#: Gauss-Legendre nodes per panel of the LP grid; the error is re-measured
#: with twice as many (chosen here).
LP_NODES = 5

#: Panels uniform in u and geometric in t (chosen here).
PANELS_U = 90
PANELS_T = 50

#: Sample points for locating sign changes in l1_norm_of (chosen here).
SIGN_SAMPLES = 4000


@dataclass
class Density:
    """A density rho on [0, oo) (eq. (26)), d = 1.

    ``f`` is vectorised; ``tail(T)`` = int_T^oo |rho| exactly; ``kinks``
    are points where rho is not smooth (panel edges); ``l1`` = ||rho||_1.
    """

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    tail: Callable[[float], float]
    l1: float
    kinks: Tuple[float, ...] = ()
    params: Dict[str, float] = field(default_factory=dict)

    def __call__(self, t):
        return self.f(np.asarray(t, dtype=float))


def power_law(omega: float) -> Density:
    """rho(t) = omega (1 + t)^{-(1+omega)}: ||rho||_1 = 1, tail (1+T)^-omega,
    rho ~ omega t^{-(1+omega)} as in eq. (66) (the factor omega is the one
    that eq. (69) carries)."""
    omega = _positive("omega", omega)
    return Density(f"omega (1+t)^-(1+omega), omega={omega:g}",
                   lambda t: omega * (1 + t) ** (-(1 + omega)),
                   lambda T: (1 + T) ** (-omega), 1.0,
                   params={"omega": omega})


def smooth_example() -> Density:
    """rho(t) = t e^{-t}, not of the form p(e^{-t})."""
    return Density("t e^-t", lambda t: t * np.exp(-t),
                   lambda T: (T + 1) * math.exp(-T), 1.0)


def hat_example() -> Density:
    """rho(t) = max(0, 1 - |t - 1|): continuous, kinks at 1 and 2."""
    return Density("hat max(0, 1-|t-1|)",
                   lambda t: np.maximum(0.0, 1 - np.abs(t - 1)),
                   lambda T: 0.0 if T >= 2 else _hat_tail(T), 1.0,
                   kinks=(1.0, 2.0))


def _hat_tail(T):
    if T <= 1:
        return 1 - (T ** 2) / 2 if T >= 0 else 1.0
    return (2 - T) ** 2 / 2


def slow_example() -> Density:
    """rho(t) = (1 + t)^{-2}: ||rho||_1 = 1, only algebraic decay."""
    return Density("(1+t)^-2", lambda t: (1 + t) ** -2.0,
                   lambda T: 1 / (1 + T), 1.0)


def _positive(name, x) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={x!r}: expected a number > 0") from None
    if not (v > 0 and math.isfinite(v)):
        raise ValueError(f"{name}={x!r}: expected a finite number > 0")
    return v


def _width(m) -> int:
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1:
        raise ValueError(f"m={m!r}: expected an integer width m >= 1")
    return int(m)


# ---------------------------------------------------------------------------
# the approximant phi(t) = u Q(u), Q in the shifted Legendre basis

@dataclass
class ExpSum:
    """phi(t) = u Q(u), u = e^{-r t}, Q = sum_k b_k P_k(2u - 1)."""

    rate: float
    legendre: np.ndarray

    @property
    def m(self) -> int:
        return len(self.legendre)

    def __call__(self, t):
        u = np.exp(-self.rate * np.asarray(t, dtype=float))
        return u * L.legval(2 * u - 1, self.legendre)

    def coefficients(self) -> np.ndarray:
        """a_1..a_m with phi(t) = sum_j a_j e^{-j r t} (monomials in u; they
        lose about m digits to cancellation, usable for m <= ~20)."""
        # P_k(2u - 1) in powers of u: compose with the map x = 2u - 1
        poly = L.leg2poly(self.legendre)              # Q in powers of x
        q = np.polynomial.Polynomial(poly)(np.polynomial.Polynomial([-1, 2]))
        return np.pad(q.coef, (0, self.m - len(q.coef)))


def rnn_of(approximants: Sequence[ExpSum]):
    """(c, W, U) of eq. (44) / (60)-(62): W = diag(-r, ..., -m r),
    c = (1, ..., 1), column i of U the coefficients of approximant i."""
    from .rnn import LinearRNN
    approximants = list(approximants)
    rates = {a.rate for a in approximants}
    ms = {a.m for a in approximants}
    if len(rates) != 1 or len(ms) != 1:
        raise ValueError("approximants: expected one rate and one width for "
                         f"all components, got rates {sorted(rates)}, "
                         f"widths {sorted(ms)}")
    r, m = rates.pop(), ms.pop()
    U = np.column_stack([a.coefficients() for a in approximants])
    return LinearRNN(c=np.ones(m), W=np.diag(-r * np.arange(1, m + 1)), U=U)


# ---------------------------------------------------------------------------
# quadrature grids

def _panels(rho: Density, rate: float, extra=()) -> np.ndarray:
    t_max = -math.log(U_MIN) / rate
    in_u = -np.log(np.linspace(1.0, U_MIN, PANELS_U + 1)[1:]) / rate
    in_t = np.geomspace(1e-3, t_max, PANELS_T)
    edges = np.concatenate([[0.0], in_u, in_t, [k for k in rho.kinks
                                                 if k < t_max], list(extra)])
    edges = np.unique(edges[(edges >= 0) & (edges <= t_max)])
    return edges


def _nodes(edges: np.ndarray, n: int) -> Tuple[np.ndarray, np.ndarray]:
    x, w = L.leggauss(n)
    a, b = edges[:-1, None], edges[1:, None]
    t = (0.5 * (b - a) * x + 0.5 * (b + a)).ravel()
    wt = (0.5 * (b - a) * w).ravel()
    return t, wt


def _basis(t, rate, m):
    u = np.exp(-rate * t)
    return u[:, None] * L.legvander(2 * u - 1, m - 1)


@dataclass
class L1Result:
    """An approximant and its L^1 error int_0^oo |rho - phi| dt."""

    approximant: ExpSum
    error: float
    #: |error on the LP grid - error on the doubled grid| + the tail bound
    error_uncertainty: float
    status: str = "ok"


def l1_error(rho: Density, phi: ExpSum, *, nodes: int = 2 * LP_NODES,
             edges: Optional[np.ndarray] = None) -> float:
    """int_0^oo |rho - phi| dt on the panel grid plus the exact tail of rho
    (phi is below |Q(0)| U_MIN there)."""
    if edges is None:
        edges = _panels(rho, phi.rate)
    t, w = _nodes(edges, nodes)
    return float(np.sum(w * np.abs(rho(t) - phi(t)))) + rho.tail(edges[-1])


def best_l1(rho: Density, m: int, *, rate: float = 1.0) -> L1Result:
    """The best L^1 approximation of rho by sum_{j<=m} a_j e^{-j r t}.

    A linear programme (HiGHS) minimises the discretised L^1 error; the
    result is re-measured with twice the nodes per panel.
    """
    m = _width(m)
    rate = _positive("rate", rate)
    edges = _panels(rho, rate)
    t, w = _nodes(edges, LP_NODES)
    B = _basis(t, rate, m)
    y = rho(t)
    N = len(t)
    # scale columns for the LP
    scale = np.maximum(np.max(np.abs(B), axis=0), 1e-300)
    Bs = B / scale
    I = scipy.sparse.identity(N, format="csr")
    A = scipy.sparse.vstack([scipy.sparse.hstack([Bs, -I]),
                             scipy.sparse.hstack([-Bs, -I])], format="csr")
    b = np.concatenate([y, -y])
    cost = np.concatenate([np.zeros(m), w])
    bounds = [(None, None)] * m + [(0, None)] * N
    res = scipy.optimize.linprog(cost, A_ub=A, b_ub=b, bounds=bounds,
                                 method="highs")
    if res.status != 0:
        phi = ExpSum(rate, np.zeros(m))
        return L1Result(phi, l1_error(rho, phi, edges=edges), math.inf,
                        status=f"linprog: {res.message}")
    phi = ExpSum(rate, res.x[:m] / scale)
    coarse = float(res.fun) + rho.tail(edges[-1])
    fine = l1_error(rho, phi, edges=edges)
    q0 = abs(float(L.legval(-1.0, phi.legendre)))
    unc = abs(fine - coarse) + q0 * U_MIN / rate
    return L1Result(phi, fine, unc)


def best_over_rate(rho: Density, m: int, *, lo: float, hi: float,
                   evaluations: int = 14) -> Tuple[L1Result, float]:
    """min over r in [lo, hi] of the best L^1 error at width m (golden
    section in log r after a coarse scan); returns (result, r)."""
    m = _width(m)
    lo, hi = _positive("lo", lo), _positive("hi", hi)
    cache = {}

    def err(logr):
        if logr not in cache:
            cache[logr] = best_l1(rho, m, rate=math.exp(logr))
        return cache[logr].error

    grid = np.linspace(math.log(lo), math.log(hi), 6)
    vals = [err(g) for g in grid]
    k = int(np.argmin(vals))
    a, b = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    g = (math.sqrt(5) - 1) / 2
    x1, x2 = b - g * (b - a), a + g * (b - a)
    for _ in range(max(evaluations - len(grid), 0) // 1):
        if err(x1) < err(x2):
            b, x2 = x2, x1
            x1 = b - g * (b - a)
        else:
            a, x1 = x1, x2
            x2 = a + g * (b - a)
        if b - a < 1e-3:
            break
    best = min(cache, key=lambda k_: cache[k_].error)
    return cache[best], math.exp(best)


# ---------------------------------------------------------------------------
# L^1 norms of kernels with sign changes

def l1_norm_of(f: Callable[[np.ndarray], np.ndarray], d: int, *,
               decay: float) -> Tuple[float, float]:
    """(sum_i int_0^oo |f_i(s)| ds, error estimate).

    f(s) returns shape (n, d) and decays at least like e^{-decay s} times a
    polynomial.  Sign changes on [0, S], S = 60 / decay, are located on a
    grid and refined by brentq; each piece is integrated by Gauss-Legendre
    at two orders (their difference is the error estimate); the tail beyond
    S is bounded by |f(S)| S.
    """
    decay = _positive("decay", decay)
    S = 60.0 / decay
    grid = np.linspace(0.0, S, SIGN_SAMPLES + 1)
    F = f(grid)
    total, err = 0.0, 0.0
    for i in range(d):
        fi = lambda s, i=i: float(f(np.array([s]))[0, i])
        roots = [0.0]
        v = F[:, i]
        for k in np.nonzero(np.sign(v[:-1]) * np.sign(v[1:]) < 0)[0]:
            fa, fb = fi(grid[k]), fi(grid[k + 1])
            if fa * fb < 0:
                roots.append(scipy.optimize.brentq(
                    fi, grid[k], grid[k + 1], xtol=1e-15, rtol=1e-15))
            else:
                # the sign change is at the rounding level (one-point and
                # vectorised evaluations of f disagree there): f is ~0 at
                # the grid point, which serves as the edge of the pieces
                roots.append(grid[k] if abs(fa) <= abs(fb) else grid[k + 1])
        roots.append(S)
        edges = np.unique(np.concatenate([roots, np.linspace(0, S, 121)]))
        lo = _pieces(f, i, edges, 12)
        hi = _pieces(f, i, edges, 24)
        total += hi
        err += abs(hi - lo) + abs(v[-1]) * S
    return total, err + 1e-15 * total


def _pieces(f, i, edges, n):
    t, w = _nodes(edges, n)
    return float(np.sum(w * np.abs(f(t)[:, i])))


# ---------------------------------------------------------------------------
# Theorem 3.3: the Jackson construction

@dataclass
class JacksonResult:
    m: int
    sup_error: float          # ||q - Q_m||_oo on [0, 1], eq. (56)
    l1_error_s: float         # (alpha+1)/beta int_0^1 |q - Q_m| ds, eq. (63)
    l1_error_t: float         # int_0^oo |rho - phi_m| dt, directly
    approximant: "ChebSum"


@dataclass
class ChebSum:
    """phi(t) = u Q(u), u = e^{-r t}, Q(u) = cheb(2u - 1) (a Chebyshev
    series; kept as such, since its monomial coefficients lose about
    0.77 m digits)."""

    rate: float
    cheb: C.Chebyshev

    @property
    def m(self) -> int:
        return len(self.cheb.coef)

    def __call__(self, t):
        u = np.exp(-self.rate * np.asarray(t, dtype=float))
        return u * self.cheb(2 * u - 1)

    def coefficients(self) -> np.ndarray:
        """a_1..a_m of phi = sum_j a_j e^{-j r t} (for small m only)."""
        q = np.polynomial.Polynomial(C.cheb2poly(self.cheb.coef))(
            np.polynomial.Polynomial([-1, 2]))
        return np.pad(q.coef, (0, self.m - len(q.coef)))


#: Points of the fine grid on which ||q - Q_m||_oo is measured (chosen here).
SUP_GRID = 20001


def jackson(q: Callable[[np.ndarray], np.ndarray], rho: Density, m: int, *,
            alpha: int, beta: float) -> JacksonResult:
    """Q_m = Chebyshev interpolant of q at m points of [0, 1] (degree
    m - 1), phi_m(t) = s Q_m(s), s = e^{-beta t / (alpha + 1)} (eq. (58))."""
    m = _width(m)
    beta = _positive("beta", beta)
    r = beta / (alpha + 1)
    cheb = C.Chebyshev.interpolate(lambda x: q((x + 1) / 2), m - 1)
    s = np.linspace(0.0, 1.0, SUP_GRID)
    diff = np.abs(q(s) - cheb(2 * s - 1))
    sup = float(np.max(diff))
    # eq. (63): (alpha+1)/beta int_0^1 |q - Q| ds, Gauss-Legendre panels
    edges = np.unique(np.concatenate([np.linspace(0, 1, 401),
                                      np.geomspace(1e-12, 1e-2, 40)]))
    x, w = _nodes(edges, 8)
    l1_s = float(np.sum(w * np.abs(q(x) - cheb(2 * x - 1)))) / r
    # the same polynomial as phi_m(t) = u Q(u) in t
    phi = ChebSum(r, cheb)
    l1_t = l1_error(rho, phi)
    return JacksonResult(m, sup, l1_s, l1_t, phi)


# ---------------------------------------------------------------------------
# rates

def fit_power(ms: Sequence[float], errors: Sequence[float]) -> Dict[str, float]:
    """Least-squares fit log e = log K - p log m: returns p, K, the largest
    residual (in log) and the change in p when the first point is dropped."""
    x, y = np.log(np.asarray(ms, float)), np.log(np.asarray(errors, float))
    A = np.stack([np.ones_like(x), -x], axis=1)
    (logK, p), *_ = np.linalg.lstsq(A, y, rcond=None)
    resid = float(np.max(np.abs(y - (logK - p * x))))
    spread = 0.0
    if len(x) > 2:
        (_, p2), *_ = np.linalg.lstsq(A[1:], y[1:], rcond=None)
        spread = abs(float(p2) - float(p))
    return {"p": float(p), "K": float(math.exp(logK)), "max_residual": resid,
            "p_spread": spread}
