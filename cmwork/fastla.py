"""Dense linear algebra at mpmath's working precision, in python-flint's
arb matrices when python-flint can be imported, else in mpmath.

The mpmath flows of :mod:`cmwork.flow` and :mod:`cmwork.reduced_flow` spend
most of their time in products, solves and eigendecompositions of the
2m x 2m Hessian (20 x 20 at m = 10, 47-80 digits).  mpmath does them in
Python; python-flint (the optional extra ``cert``, which the ``test``
extra installs) does them in C.  Both work at the same precision: flint at
``mpmath.mp.prec + GUARD_BITS`` bits on the exact mpf inputs, its results
rounded back to mpf, so the two differ by rounding only (the tests compare
them).  flint's approximate algorithms ("approx": floating point without
error bounds) are used: these are estimates like mpmath's, not the
certified verdicts of :mod:`cmwork.certified`.

``BACKEND`` is "auto" (flint when importable), "flint" or "mpmath"; every
flow result records the backend it ran on (``result.linalg``).
"""
from __future__ import annotations

import contextlib
from typing import List, Optional, Tuple

import mpmath
from mpmath import mpf

from . import certified

#: "auto", "flint" or "mpmath" (see the module docstring).
BACKEND = "auto"

#: Bits flint carries beyond mpmath's working precision (chosen here).
GUARD_BITS = 20

#: An eigendecomposition from flint is used only when R diag(lam) L
#: reproduces H to this many units of the working precision times
#: max(1, max |H|) (chosen here); otherwise mpmath.eigsy.
EIG_RESIDUAL_ULPS = 2 ** 12


def _flint_module():
    """python-flint, or None when it is not installed."""
    try:
        return certified._flint()
    except certified.MissingExtra:
        return None


def backend() -> str:
    """The backend in use now: "flint" or "mpmath"."""
    if BACKEND not in ("auto", "flint", "mpmath"):
        raise ValueError(f"cmwork.fastla.BACKEND={BACKEND!r}: expected "
                         "auto, flint or mpmath")
    if BACKEND == "mpmath":
        return "mpmath"
    if _flint_module() is None:
        if BACKEND == "flint":
            raise ImportError("cmwork.fastla.BACKEND='flint' but python-flint "
                              f"is not installed: {certified.INSTALL_HINT}")
        return "mpmath"
    return "flint"


@contextlib.contextmanager
def _prec():
    """flint at mpmath's working precision plus GUARD_BITS for a block
    (:func:`cmwork.certified.workprec`; flint's context is global)."""
    with certified.workprec(mpmath.mp.prec + GUARD_BITS):
        yield _flint_module()


def _to_arb(flint, A):
    """An mpmath matrix (or a list of rows) as an arb_mat, exactly."""
    rows = A.tolist() if isinstance(A, mpmath.matrix) else A
    return flint.arb_mat([[flint.arb(x) for x in row] for row in rows])


def _from_arb(M) -> mpmath.matrix:
    """An arb_mat's midpoints as an mpmath matrix at the working precision."""
    n, k = M.nrows(), M.ncols()
    out = mpmath.matrix(n, k)
    for i in range(n):
        for j in range(k):
            out[i, j] = mpf(M[i, j].mid())
    return out


def matmul(*mats) -> mpmath.matrix:
    """The product of mpmath matrices, left to right."""
    if backend() == "mpmath":
        out = mats[0]
        for M in mats[1:]:
            out = out * M
        return out
    with _prec() as flint:
        out = _to_arb(flint, mats[0])
        for M in mats[1:]:
            out = out * _to_arb(flint, M)
        return _from_arb(out)


def solve(A, B) -> mpmath.matrix:
    """X with A X = B (B an mpmath matrix or column); ZeroDivisionError
    when A is singular to the working precision."""
    if backend() == "mpmath":
        if B.cols == 1:
            return mpmath.lu_solve(A, B)
        cols = [mpmath.lu_solve(A, B[:, j]) for j in range(B.cols)]
        X = mpmath.matrix(A.rows, B.cols)
        for j, c in enumerate(cols):
            for i in range(A.rows):
                X[i, j] = c[i]
        return X
    with _prec() as flint:
        try:
            X = _to_arb(flint, A).solve(_to_arb(flint, B), algorithm="approx")
        except ZeroDivisionError:
            raise ZeroDivisionError("matrix is singular to the working "
                                    "precision") from None
        out = _from_arb(X)
    if any(not mpmath.isfinite(out[i, j]) for i in range(out.rows)
           for j in range(out.cols)):
        raise ZeroDivisionError("matrix is singular to the working precision")
    return out


def reproduces(flint, A, lam, R, L) -> bool:
    """Whether R diag(lam) L equals A to EIG_RESIDUAL_ULPS units of the
    working precision times max(1, max |A|) (arb matrices, lam arb)."""
    n = A.nrows()
    D = flint.arb_mat(n, n)
    for i in range(n):
        D[i, i] = lam[i]
    res = R * D * L - A
    worst = max(abs(mpf(res[i, j].mid())) for i in range(n)
                for j in range(n))
    scale = max(abs(mpf(A[i, j].mid())) for i in range(n) for j in range(n))
    return bool(worst <= EIG_RESIDUAL_ULPS * mpmath.eps * max(scale, 1))


def _eig_flint(H) -> Optional[Tuple[List[mpf], list, list]]:
    """(lam, R, L), H = R diag(lam) L with L = R^{-1} (lists of mpf rows),
    from flint's QR eigensolver; None when the decomposition (real parts)
    does not reproduce H (see EIG_RESIDUAL_ULPS)."""
    with _prec() as flint:
        n = H.rows
        A = _to_arb(flint, H)
        E, L, R = flint.acb_mat(A).eig(left=True, right=True,
                                       algorithm="approx")
        lam = [e.real for e in E]
        Rr = flint.arb_mat([[R[i, j].real for j in range(n)]
                            for i in range(n)])
        Lr = flint.arb_mat([[L[i, j].real for j in range(n)]
                            for i in range(n)])
        if not reproduces(flint, A, lam, Rr, Lr):
            return None
        return ([mpf(x.mid()) for x in lam],
                [[mpf(Rr[i, j].mid()) for j in range(n)] for i in range(n)],
                [[mpf(Lr[i, j].mid()) for j in range(n)] for i in range(n)])


def eigh(H, which: Optional[str] = None):
    """Eigendecomposition of the symmetric mpmath matrix H:
    (lam, R, L, used) with H = R diag(lam) L, L = R^{-1} (R, L lists of
    rows), ``used`` the backend that produced it ("flint", or "mpmath" by
    eigsy with L = R^T, also when flint's residual test refuses)."""
    name = backend() if which is None else which
    if name == "flint" and _flint_module() is None:
        raise ImportError("python-flint is not installed: "
                          f"{certified.INSTALL_HINT}")
    got = _eig_flint(H) if name == "flint" else None
    if got is not None:
        return (*got, "flint")
    lam, P = mpmath.eigsy(H)
    n = H.rows
    return ([lam[i] for i in range(n)],
            [[P[r, i] for i in range(n)] for r in range(n)],
            [[P[r, i] for r in range(n)] for i in range(n)], "mpmath")


def eigvalsh(H) -> List[mpf]:
    """Eigenvalues of the symmetric mpmath matrix H, ascending."""
    if backend() == "flint":
        got = _eig_flint(H)
        if got is not None:
            return sorted(got[0])
    lam = mpmath.eigsy(H, eigvals_only=True)
    return sorted(lam[i] for i in range(H.rows))


class using:
    """``with fastla.using("mpmath"): ...`` runs a block on one backend
    (the benchmarks and tests compare them)."""

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        global BACKEND
        self.old, BACKEND = BACKEND, self.name
        try:
            backend()                  # a bad name is refused here
        except Exception:
            BACKEND = self.old
            raise
        return self

    def __exit__(self, *exc):
        global BACKEND
        BACKEND = self.old
        return False


class Factored:
    """A square mpmath matrix prepared for repeated solves (BDF2's Newton
    matrix): LU factors in mpmath (10 guard bits, as mpmath.lu_solve), or
    the arb matrix itself in flint, whose approximate solve factors in C
    at each call.  ZeroDivisionError when M is singular."""

    def __init__(self, M):
        self.n = M.rows
        self.backend = backend()
        if self.backend == "mpmath":
            with mpmath.extraprec(10):
                self.lu = mpmath.mp.LU_decomp(M.copy(), overwrite=True,
                                              use_cache=False)
        else:
            with _prec() as flint:
                self.A = _to_arb(flint, M)
            self.solve([0] * self.n)          # singular: raise now

    def solve(self, b) -> List[mpf]:
        """x with M x = b (b a sequence of numbers), as a list of mpf."""
        if self.backend == "mpmath":
            A, piv = self.lu
            with mpmath.extraprec(10):
                y = mpmath.mp.L_solve(A, mpmath.matrix(list(b)), piv)
                x = mpmath.mp.U_solve(A, y)
            return [+x[i] for i in range(self.n)]
        with _prec() as flint:
            col = flint.arb_mat([[flint.arb(v)] for v in b])
            try:
                X = self.A.solve(col, algorithm="approx")
            except ZeroDivisionError:
                raise ZeroDivisionError("matrix is singular to the working "
                                        "precision") from None
            out = [mpf(X[i, 0].mid()) for i in range(self.n)]
        if not all(mpmath.isfinite(v) for v in out):
            raise ZeroDivisionError("matrix is singular to the working "
                                    "precision")
        return out
