"""The loss J_m(a, w) of eq. (80), its gradient and its Hessian.

    J_m(a, w) = int_0^oo ( sum_{i=1}^m a_i e^{-w_i t} - rho(t) )^2 dt.

Parameters are ordered (a_1..a_m, w_1..w_m) everywhere.  The entries are
the SymPy index-form expressions of :mod:`cmwork.symbolic`, lambdified once
per process; here they are only fed the numbers

    S_n(w_k) = sum_i a_i / (w_k + w_i)^{n+1},   M_n(w_k) (target moments).

On the affine spaces M*_P the bracket S_n - (exponential part of M_n)
cancels to zero and the gradient is of size e^{-w/omega}: resolving it
needs :func:`cmwork.precision.digits_for` digits (see :meth:`Loss.budget`).
The float64 path (``hessian_float64``) exists for speed and for the
benchmarks that show where it fails; no verdict rests on it.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

import mpmath
import numpy as np
from mpmath import mpf

from . import symbolic
from .precision import DEFAULT_DPS, check_dps, digits_for, rounded, workdps
from .targets import MemoryTarget, Target, as_vector

#: Extra digits for the internal sums of the entries (chosen here).
_GUARD = 5

#: Moments M_n(w_k) kept per Loss (first in, first out; chosen here: a few
#: points of width m <= 64).
_MOMENT_CACHE = 256


class Loss:
    """J_m for a target rho and width m.

    >>> from cmwork import GaussianTemplate, MemoryTarget
    >>> rho = MemoryTarget(a_star=[1], w_star=[1], omega=mpf(1)/10,
    ...                    template=GaussianTemplate(c0=1, sigma=1))
    >>> J = Loss(rho, m=2)
    >>> mpmath.nstr(J.value([0.5, 0.5], [1, 1], dps=30), 15)  # = ||rho_0w||^2
    '1.77245385090552'
    """

    def __init__(self, target: Target, *, m: int):
        if not isinstance(target, Target):
            raise ValueError(f"target={target!r}: expected a cmwork Target "
                             "(ExponentialSum, MemoryTarget)")
        if isinstance(m, bool) or not isinstance(m, int) or m < 1:
            raise ValueError(f"m={m!r}: expected an integer width >= 1")
        if isinstance(target, MemoryTarget) and m < target.m_star:
            raise ValueError(f"m={m}: expected m >= m* = {target.m_star} "
                             "(the width must be able to represent rho_bar)")
        self.target = target
        self.m = m

    def __repr__(self):
        return f"Loss({self.target!r}, m={self.m})"

    # -- inputs ------------------------------------------------------------
    def _params(self, a, w) -> Tuple[List[mpf], List[mpf]]:
        a_ = list(as_vector("a", a))
        w_ = list(as_vector("w", w, positive=True))
        for name, v in (("a", a_), ("w", w_)):
            if len(v) != self.m:
                raise ValueError(f"{name} has {len(v)} entries: expected "
                                 f"m = {self.m}")
        return a_, w_

    def _numbers(self, a, w, dps):
        """S_n(w_k) and M_n(w_k), n = 0..2, for every k."""
        S = [[mpmath.fsum(ai / (wk + wi) ** (n + 1) for ai, wi in zip(a, w))
              for n in range(symbolic.MAX_ORDER + 1)] for wk in w]
        # the moments depend on w_k alone: the last few points' are kept
        # (a flow evaluates the gradient and the Hessian at one point)
        cache = self.__dict__.setdefault("_moments", {})
        Mo = []
        for wk in w:
            key = (wk, dps, mpmath.mp.prec)
            if key not in cache:
                if len(cache) >= _MOMENT_CACHE:
                    del cache[next(iter(cache))]
                cache[key] = [self.target.moment(n, wk, dps=dps)
                              for n in range(symbolic.MAX_ORDER + 1)]
            Mo.append(cache[key])
        return S, Mo

    @staticmethod
    def _args(k, l, a, w, S, Mo):
        return (a[k], w[k], a[l], w[l], *S[k], *S[l], *Mo[k], *Mo[l])

    # -- evaluation ----------------------------------------------------------
    def value(self, a, w, *, dps: int = DEFAULT_DPS) -> mpf:
        """J_m(a, w) at ``dps`` digits."""
        dps = check_dps(dps)
        f = symbolic.lambdified("mpmath")["value"]
        with workdps(dps + _GUARD):
            a_, w_ = self._params(a, w)
            S, Mo = self._numbers(a_, w_, dps + _GUARD)
            v = mpmath.fsum(f(*self._args(k, k, a_, w_, S, Mo))
                            for k in range(self.m))
            v += self.target.norm2(dps=dps + _GUARD)
        return rounded(v, dps)

    def gradient(self, a, w, *, dps: int = DEFAULT_DPS) -> mpmath.matrix:
        """(dJ/da_1..dJ/da_m, dJ/dw_1..dJ/dw_m), a 2m x 1 mpmath matrix."""
        dps = check_dps(dps)
        F = symbolic.lambdified("mpmath")
        with workdps(dps + _GUARD):
            a_, w_ = self._params(a, w)
            S, Mo = self._numbers(a_, w_, dps + _GUARD)
            g = mpmath.matrix(2 * self.m, 1)
            for k in range(self.m):
                args = self._args(k, k, a_, w_, S, Mo)
                g[k] = F["grad_a"](*args)
                g[self.m + k] = F["grad_w"](*args)
        with workdps(dps):
            return g.apply(lambda x: +x)

    def hessian(self, a, w, *, dps: int = DEFAULT_DPS) -> mpmath.matrix:
        """The 2m x 2m Hessian, an mpmath matrix, order (a, w)."""
        dps = check_dps(dps)
        F = symbolic.lambdified("mpmath")
        with workdps(dps + _GUARD):
            a_, w_ = self._params(a, w)
            S, Mo = self._numbers(a_, w_, dps + _GUARD)
            H = _assemble(self.m, lambda k, l: self._args(k, l, a_, w_, S, Mo),
                          F, mpmath.matrix(2 * self.m, 2 * self.m))
        with workdps(dps):
            return H.apply(lambda x: +x)

    def hessian_float64(self, a, w, *, moments_dps: int = DEFAULT_DPS
                        ) -> np.ndarray:
        """The Hessian assembled in float64 arithmetic.

        The moments M_n are computed in mpmath and rounded to float64 (their
        values are then right to one ulp); the sums S_n and the entries are
        float64.  This is the path whose cancellation the benchmarks show.
        """
        F = symbolic.lambdified("math")
        with workdps(check_dps(moments_dps)):
            a_, w_ = self._params(a, w)
            _, Mo = self._numbers(a_, w_, moments_dps)
            Mo = [[float(x) for x in row] for row in Mo]
        af, wf = np.array([float(x) for x in a_]), np.array([float(x) for x in w_])
        S = [[float(np.sum(af / (wk + wf) ** (n + 1)))
              for n in range(symbolic.MAX_ORDER + 1)] for wk in wf]
        return _assemble(self.m, lambda k, l: self._args(k, l, af, wf, S, Mo),
                         F, np.zeros((2 * self.m, 2 * self.m)))

    def budget(self, a, w, *, digits: int = 15) -> int:
        """Digits to resolve the O(e^{-max w/omega}) parts of (92)-(99).

        For a memory target the small parts are Delta_{n,omega}(w_k), of
        size e^{-w_k / omega} up to powers of omega; the budget covers the
        largest w_k.  For other targets it is ``digits`` plus the margin.
        """
        x = 0.0
        if isinstance(self.target, MemoryTarget):
            with workdps(DEFAULT_DPS):
                _, w_ = self._params(a, w)
                x = float(max(w_) / self.target.omega)
        return digits_for(x, digits=digits)


def hessian_from_entries(m: int, entry):
    """The 2m x 2m SymPy Hessian whose entries are ``entry(name, k, l)``.

    ``name`` is one of the generic entries of
    :func:`cmwork.symbolic.loss_entries` ("aa", "aw", "ww" for k != l,
    "aa_kk", "aw_kk", "ww_kk" for k = l); the layout is :func:`_assemble`'s.
    """
    import sympy as sp
    names = ("aa", "aw", "ww", "aa_kk", "aw_kk", "ww_kk")
    F = {n: (lambda k, l, n=n: entry(n, k, l)) for n in names}
    return _assemble(m, lambda k, l: (k, l), F, sp.zeros(2 * m, 2 * m))


def _assemble(m, args, F, H):
    """Fill H from the generic entries: off-diagonal k != l, then diagonal."""
    for k in range(m):
        for l in range(m):
            x = args(k, l)
            if k == l:
                H[k, k] = F["aa_kk"](*x)
                H[k, m + k] = H[m + k, k] = F["aw_kk"](*x)
                H[m + k, m + k] = F["ww_kk"](*x)
            else:
                H[k, l] = F["aa"](*x)
                H[k, m + l] = H[m + l, k] = F["aw"](*x)
                H[m + k, m + l] = F["ww"](*x)
    return H
