"""Eigenvalues of symmetric matrices at a requested precision, with bounds.

Used by Propositions 4.3-4.4 and Remark 4.6: the Hessian of J_m on M*_P
has O(1) eigenvalues beside eigenvalues of size e^{-w/omega}.  An eigenvalue
computed at d digits is off by about 10^{-d} ||H||; :func:`resolve_eigenvalues`
measures that error by computing at two precisions.

Also here: Gershgorin discs and Weyl's perturbation bounds, the two tools of
the proof of Proposition 4.3.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Sequence, Tuple

import mpmath
from mpmath import mpf

from .precision import check_dps, eps, workdps


def _as_square(matrix, name="matrix") -> mpmath.matrix:
    if isinstance(matrix, (list, tuple)):
        # mpmath.matrix pads short rows with zeros; a ragged list is no matrix
        lengths = [len(r) if isinstance(r, (list, tuple)) else None
                   for r in matrix]
        if len(set(lengths)) > 1:
            raise ValueError(f"{name} has {len(matrix)} rows of lengths "
                             f"{lengths}: expected a non-empty square matrix")
    try:
        A = mpmath.matrix(matrix)
    except Exception:
        raise ValueError(f"{name}: expected a square matrix of real numbers"
                         ) from None
    if A.rows != A.cols or A.rows == 0:
        raise ValueError(f"{name} is {A.rows}x{A.cols}: expected a non-empty "
                         "square matrix")
    for i in range(A.rows):
        for j in range(A.cols):
            x = A[i, j]
            if isinstance(x, mpmath.mpc) or not mpmath.isfinite(x):
                raise ValueError(f"{name}[{i},{j}]={x}: expected finite reals")
    return A


def _as_symmetric(matrix, name="matrix") -> mpmath.matrix:
    A = _as_square(matrix, name)
    for i in range(A.rows):
        for j in range(i):
            if A[i, j] != A[j, i]:
                tol = eps(mpmath.mp.dps) * 8 * max(abs(A[i, j]), abs(A[j, i]))
                if abs(A[i, j] - A[j, i]) > tol:
                    raise ValueError(f"{name} is not symmetric at ({i},{j}): "
                                     f"{A[i, j]} != {A[j, i]}")
    return A


def eigenvalues(matrix, *, dps: int = 50) -> List[mpf]:
    """Eigenvalues of a real symmetric matrix, ascending, at ``dps`` digits.

    >>> [mpmath.nstr(x, 10) for x in eigenvalues([[2, 1], [1, 2]], dps=30)]
    ['1.0', '3.0']
    """
    with workdps(check_dps(dps)):
        A = _as_symmetric(matrix)
        ev = mpmath.eigsy(A, eigvals_only=True)
        return sorted(+ev[i] for i in range(A.rows))


def gershgorin_discs(matrix, *, dps: int = 50) -> List[Tuple[mpf, mpf]]:
    """(centre, radius) of each row's Gershgorin disc, radii at ``dps`` digits.

    >>> gershgorin_discs([[1, 2], [2, -3]])
    [(mpf('1.0'), mpf('2.0')), (mpf('-3.0'), mpf('2.0'))]
    """
    with workdps(check_dps(dps)):
        A = _as_square(matrix)
        return [(A[i, i], mpmath.fsum(abs(A[i, j]) for j in range(A.cols)
                                      if j != i)) for i in range(A.rows)]


def gershgorin_bound(matrix, *, dps: int = 50) -> mpf:
    """max_i (|A_ii| + sum_{j != i} |A_ij|): a bound on every |eigenvalue|."""
    with workdps(check_dps(dps)):
        return max(abs(c) + r for c, r in gershgorin_discs(matrix, dps=dps))


def weyl_interval(base: Sequence, perturbation_norm) -> List[Tuple[mpf, mpf]]:
    """Weyl: |lambda_i(A + E) - lambda_i(A)| <= ||E||_2, in the same order.

    The ends are rounded outwards, so that an O(1) eigenvalue and a norm far
    below the working precision still give an interval that contains it.
    """
    e = mpmath.mpmathify(perturbation_norm)
    if isinstance(e, mpmath.mpc) or not (mpmath.isfinite(e) and e >= 0):
        raise ValueError(f"perturbation_norm={perturbation_norm!r}: expected "
                         "a finite number >= 0 (a norm ||E||_2)")
    base = [mpmath.mpmathify(x) for x in base]
    return [(mpmath.fsub(x, e, rounding="f"), mpmath.fadd(x, e, rounding="c"))
            for x in base]


@dataclass
class ResolvedSpectrum:
    """Eigenvalues (ascending) with an error estimate each.

    ``values`` come from the higher precision ``dps_high``; ``errors`` is
    |lambda(dps) - lambda(dps_high)|, floored at n ||H|| 10^{-dps}: the error
    of the lower-precision result, an overestimate for the reported one.
    """

    values: List[mpf]
    errors: List[mpf]
    dps: int
    dps_high: int

    def sign(self, i: int, *, factor: int = 2) -> int:
        """+1/-1 when |lambda_i| > factor * error_i, else 0 (undecided)."""
        v, e = self.values[i], self.errors[i]
        if abs(v) > factor * e:
            return 1 if v > 0 else -1
        return 0

    def resolved(self, i: int, *, digits: int = 1) -> bool:
        """True when lambda_i is known to ``digits`` significant digits."""
        return self.errors[i] * mpmath.mpf(10) ** digits < abs(self.values[i])


def resolve_eigenvalues(build: Callable[[int], mpmath.matrix], dps: int,
                        *, extra: int = None) -> ResolvedSpectrum:
    """Eigenvalues of ``build(d)`` at d = dps and at a higher precision.

    ``build(d)`` must return the matrix computed at d digits (the matrix is
    rebuilt, so the error of its entries is measured too, not only that of
    the eigensolver).
    """
    dps = check_dps(dps)
    extra = max(10, dps // 2) if extra is None else int(extra)
    high = dps + extra
    low_vals = eigenvalues(build(dps), dps=dps)
    H = build(high)
    high_vals = eigenvalues(H, dps=high)
    with workdps(high):
        n = len(high_vals)
        norm = max(abs(x) for x in high_vals)
        floor = n * norm * eps(dps)
        errors = [max(abs(lo - hi), floor) for lo, hi in zip(low_vals, high_vals)]
    return ResolvedSpectrum(values=high_vals, errors=errors, dps=dps,
                            dps_high=high)
