"""Certified evaluation in ball arithmetic (python-flint's arb).

mpmath gives estimates: cmwork judges their error by recomputing with more
digits.  Here every number is a ball [mid +- rad] that provably contains
the exact value, so a sign read from a ball that excludes zero is a proof.
For Section 4.2.2 of the paper this module gives

* Delta_{n,omega}(w) of eq. (88): the Gaussian template through erfc in
  arb, the bump through its SymPy antiderivative evaluated in arb;
* the Laplace moments of the targets and the value, gradient and Hessian
  of J_m (eqs. (80), (92)-(99)), from the same SymPy index-form entries
  (:mod:`cmwork.symbolic`) that are lambdified for mpmath and float64, here
  printed with exact rational constants;
* :func:`inertia`: the number of negative and positive eigenvalues of a
  symmetric matrix, by Sylvester's law of inertia on a block LDL^T with
  1x1 and 2x2 pivots in ball arithmetic.  A pivot is used only when its
  ball (or the ball of its 2x2 determinant) excludes zero; when none does,
  the precision doubles up to a cap, and what is left is reported as
  undecided, never signed;
* :func:`enclose_eigenvalue`: a certified interval for the k-th smallest
  eigenvalue, from the inertia of two shifted matrices H - lo I, H - hi I.

Inputs are read exactly: a Fraction becomes an fmpq ball, an mpf or float
its binary value.  A :class:`~cmwork.targets.MemoryTarget` stores a*, w*
and the template constants as mpf; the certificate is for those stored
values (exact for integers and dyadic rationals such as 3/2 or -1/2; for
1/3, for the 60-digit binary number that stands for it).  omega is taken
as the user gave it, so 1/omega from a Fraction is exact.

python-flint is the optional extra ``cert`` (``pip install 'cmwork[cert]'``,
also pulled in by ``test``).  Without it everything else in cmwork works and
the functions here raise :class:`MissingExtra`.
"""
from __future__ import annotations

import contextlib
import functools
import math
import types
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Iterator, List, Optional, Sequence, Tuple, Union

import mpmath
import sympy as sp
from sympy.printing.lambdarepr import LambdaPrinter

from . import symbolic
from .targets import (BumpTemplate, ExponentialSum, GaussianTemplate,
                      MemoryTarget, Target, Template)

#: Bits added to a starting precision for the O(1) sums (chosen here).
GUARD_BITS = 64

#: Lowest precision used, in bits.
MIN_PREC = 64

#: Default cap of the precision doubling, as a multiple of the start
#: (chosen here: three doublings; past that the matrix is treated as
#: singular to working accuracy and the rest is reported undecided).
DEFAULT_CAP_FACTOR = 8

#: Bunch-Kaufman's growth constant (1 + sqrt 17)/8: a 1x1 pivot is taken
#: when it is at least this fraction of the largest entry in its column.
_ALPHA = (1 + math.sqrt(17)) / 8

INSTALL_HINT = "pip install 'cmwork[cert]'  (python-flint)"


class MissingExtra(ImportError):
    """python-flint is not installed; the message says how to install it."""


def available() -> bool:
    """Whether python-flint can be imported."""
    try:
        _flint()
    except MissingExtra:
        return False
    return True


@functools.lru_cache(maxsize=None)
def _flint():
    try:
        import flint
    except ImportError:
        raise MissingExtra("certified verdicts need python-flint, which is "
                           f"not installed: {INSTALL_HINT}") from None
    return flint


@contextlib.contextmanager
def workprec(bits: int) -> Iterator[None]:
    """Run a block with arb at ``bits`` bits, restoring the previous setting."""
    ctx = _flint().ctx
    bits = int(bits)
    if bits < 2:
        raise ValueError(f"prec={bits!r}: expected at least 2 bits")
    old = ctx.prec
    ctx.prec = bits
    try:
        yield
    finally:
        ctx.prec = old


def bits_for_digits(digits: int) -> int:
    """Bits that carry ``digits`` decimal digits, plus :data:`GUARD_BITS`."""
    return max(MIN_PREC, int(math.ceil(digits * math.log2(10))) + GUARD_BITS)


# ---------------------------------------------------------------------------
# exact inputs

def exact(x) -> Fraction:
    """``x`` as an exact Fraction: int, Fraction, float, mpf, or '1/20'."""
    if isinstance(x, bool):
        raise ValueError(f"{x!r}: expected a number, not a bool")
    if isinstance(x, (int, Fraction)):
        return Fraction(x)
    if isinstance(x, float):
        if not math.isfinite(x):
            raise ValueError(f"{x!r}: expected a finite number")
        return Fraction(x)
    if isinstance(x, mpmath.mpf):
        if not mpmath.isfinite(x):
            raise ValueError(f"{x!r}: expected a finite number")
        sign, man, exp, _ = x._mpf_
        v = Fraction(int(man)) * (Fraction(2) ** int(exp))
        return -v if sign else v
    if isinstance(x, str):
        try:
            return Fraction(x.strip())
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"{x!r}: expected a number such as 3, 0.05 or "
                             "1/20") from None
    raise ValueError(f"{x!r}: expected an exact real number (int, Fraction, "
                     "float, mpf or a string)")


def ball(x):
    """An arb ball that contains ``x`` exactly (at the current arb precision)."""
    flint = _flint()
    if isinstance(x, flint.arb):
        return x
    q = exact(x)
    if q.denominator == 1:
        return flint.arb(q.numerator)
    return flint.arb(flint.fmpq(q.numerator, q.denominator))


# ---------------------------------------------------------------------------
# SymPy expressions in arb

class _ArbPrinter(LambdaPrinter):
    """Prints rational constants as exact fmpq, not as Python floats."""

    def _print_Rational(self, expr):
        return f"fmpq({expr.p}, {expr.q})"

    def _print_Half(self, expr):
        return "fmpq(1, 2)"


def _namespace():
    flint = _flint()
    arb = flint.arb
    funcs = types.SimpleNamespace(exp=lambda x: ball(x).exp(),
                                  sqrt=lambda x: ball(x).sqrt())
    return {"fmpq": flint.fmpq, "math": funcs, "mpmath": funcs,
            "arb": arb}


def lambdify_arb(args, expr: sp.Expr) -> Callable:
    """``sympy.lambdify`` for arb balls, with exact rational constants."""
    return sp.lambdify(args, expr, modules=[_namespace()],
                       printer=_ArbPrinter)


@functools.lru_cache(maxsize=None)
def _entries():
    funcs = {name: lambdify_arb(symbolic.ENTRY_ARGS, expr)
             for name, expr in symbolic.loss_entries().items()}
    funcs["value"] = lambdify_arb(symbolic.ENTRY_ARGS, symbolic.value_entry())
    return funcs


@functools.lru_cache(maxsize=None)
def _bump_antiderivative(n: int):
    F, _ = symbolic.bump_moment_antiderivative(n)
    return lambdify_arb((symbolic.s_var, symbolic.mu, symbolic.w,
                         symbolic.c0, symbolic.h), F)


@functools.lru_cache(maxsize=None)
def _bump_square():
    F, _ = symbolic.bump_square_antiderivative()
    return lambdify_arb((symbolic.s_var, symbolic.c0, symbolic.h), F)


# ---------------------------------------------------------------------------
# Delta_{n,omega} and moments, eq. (88)

def _order(n) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n={n!r}: expected an integer >= 0")
    return n


def _positive(name, x) -> Fraction:
    try:
        q = exact(x)
    except ValueError as exc:
        raise ValueError(f"{name}={x!r}: {exc}") from None
    if q <= 0:
        raise ValueError(f"{name}={x!r}: expected a number > 0")
    return q


def delta_ball(template: Template, n: int, w, omega, *, prec: int):
    """Delta_{n,omega}(w) of eq. (88) as an arb ball at ``prec`` bits.

    Gaussian: c0 e^{-w mu + w^2 sigma^2/2} I_n(nu), nu = mu - w sigma^2,
    with I_0 = sigma sqrt(pi/2) erfc(-nu/(sigma sqrt 2)), I_1 = nu I_0 +
    sigma^2 e^{-nu^2/(2 sigma^2)}, I_n = nu I_{n-1} + (n-1) sigma^2 I_{n-2}
    (the closed form of :class:`~cmwork.targets.GaussianTemplate`).  Bump:
    e^{-w mu} [F(h) - F(max(-h, -mu))] with the SymPy antiderivative F.
    """
    flint = _flint()
    n = _order(n)
    w_ = _positive("w", w)
    om = _positive("omega", omega)
    mu = 1 / om
    with workprec(prec):
        if isinstance(template, GaussianTemplate):
            c0, sig = ball(template.c0), ball(template.sigma)
            W, MU = ball(w_), ball(mu)
            nu = MU - W * sig ** 2
            i_prev = sig * (flint.arb.pi() / 2).sqrt() * \
                (-nu / (sig * flint.arb(2).sqrt())).erfc()
            if n == 0:
                i_cur = i_prev
            else:
                i_cur = nu * i_prev + sig ** 2 * (-nu ** 2 / (2 * sig ** 2)).exp()
            for k in range(2, n + 1):
                i_prev, i_cur = i_cur, nu * i_cur + (k - 1) * sig ** 2 * i_prev
            return c0 * (-W * MU + W ** 2 * sig ** 2 / 2).exp() * i_cur
        if isinstance(template, BumpTemplate):
            h = exact(template.half_width)
            lower = max(-h, -mu)
            F = _bump_antiderivative(n)
            W, MU, H, C0 = ball(w_), ball(mu), ball(h), ball(template.c0)
            return (-W * MU).exp() * (F(H, MU, W, C0, H)
                                      - F(ball(lower), MU, W, C0, H))
    raise NotImplementedError(
        f"template={template!r}: certified moments exist for GaussianTemplate "
        "and BumpTemplate (closed forms); a CallableTemplate has quadrature "
        "only, whose error mpmath estimates but does not bound")


def moment_ball(target: Target, n: int, s, *, prec: int):
    """M_n(s) = int_0^oo t^n e^{-s t} rho(t) dt as an arb ball."""
    n = _order(n)
    s_ = _positive("s", s)
    with workprec(prec):
        S = ball(s_)
        if isinstance(target, MemoryTarget):
            exp_part = target.exponential_part
        elif isinstance(target, ExponentialSum):
            exp_part = target
        else:
            raise NotImplementedError(
                f"target={target!r}: certified moments exist for "
                "ExponentialSum and MemoryTarget")
        v = sum((ball(a) / (S + ball(w)) ** (n + 1)
                 for a, w in zip(exp_part.a, exp_part.w)), _flint().arb(0))
        v = v * math.factorial(n)
        if isinstance(target, MemoryTarget):
            v = v + delta_ball(target.template, n, s_, target._omega, prec=prec)
        return v


def norm2_ball(target: Target, *, prec: int):
    """||rho||^2 on [0, oo) as an arb ball (for :func:`value_ball`)."""
    flint = _flint()
    with workprec(prec):
        if isinstance(target, MemoryTarget):
            e = target.exponential_part
        elif isinstance(target, ExponentialSum):
            e = target
        else:
            raise NotImplementedError(f"target={target!r}: no certified norm")
        v = flint.arb(0)
        for ai, wi in zip(e.a, e.w):
            for aj, wj in zip(e.a, e.w):
                v += ball(ai) * ball(aj) / (ball(wi) + ball(wj))
        if isinstance(target, MemoryTarget):
            tmpl, om = target.template, target._omega
            for a, w in zip(e.a, e.w):
                v += 2 * ball(a) * delta_ball(tmpl, 0, w, om, prec=prec)
            v += _shifted_norm2_ball(tmpl, om)
        return v


def _shifted_norm2_ball(template: Template, omega):
    """int_{-1/omega}^oo rho0(s)^2 ds."""
    flint = _flint()
    mu = 1 / _positive("omega", omega)
    if isinstance(template, GaussianTemplate):
        c0, sig = ball(template.c0), ball(template.sigma)
        return c0 ** 2 * sig * flint.arb.pi().sqrt() / 2 * \
            (-ball(mu) / sig).erfc()
    if isinstance(template, BumpTemplate):
        h = exact(template.half_width)
        F = _bump_square()
        C0, H = ball(template.c0), ball(h)
        return F(H, C0, H) - F(ball(max(-h, -mu)), C0, H)
    raise NotImplementedError(f"template={template!r}: no certified norm")


# ---------------------------------------------------------------------------
# J_m, its gradient and Hessian

def _numbers(loss, a, w, prec):
    """Balls a_k, w_k, S_n(w_k), M_n(w_k) (as :meth:`Loss._numbers`)."""
    flint = _flint()
    m = loss.m
    a_q = [exact(x) for x in a]
    w_q = [_positive(f"w[{i}]", x) for i, x in enumerate(w)]
    for name, v in (("a", a_q), ("w", w_q)):
        if len(v) != m:
            raise ValueError(f"{name} has {len(v)} entries: expected m = {m}")
    A = [ball(x) for x in a_q]
    W = [ball(x) for x in w_q]
    top = symbolic.MAX_ORDER + 1
    S = [[sum((ai / (wk + wi) ** (n + 1) for ai, wi in zip(A, W)),
              flint.arb(0)) for n in range(top)] for wk in W]
    cache = {}
    Mo = []
    for wq in w_q:
        if wq not in cache:
            cache[wq] = [moment_ball(loss.target, n, wq, prec=prec)
                         for n in range(top)]
        Mo.append(cache[wq])
    return A, W, S, Mo


def value_ball(loss, a, w, *, prec: int):
    """J_m(a, w) as an arb ball."""
    F = _entries()
    with workprec(prec):
        A, W, S, Mo = _numbers(loss, a, w, prec)
        v = sum((F["value"](*loss._args(k, k, A, W, S, Mo))
                 for k in range(loss.m)), _flint().arb(0))
        return v + norm2_ball(loss.target, prec=prec)


def gradient_ball(loss, a, w, *, prec: int) -> List:
    """(dJ/da_1..dJ/da_m, dJ/dw_1..dJ/dw_m) as a list of arb balls."""
    F = _entries()
    with workprec(prec):
        A, W, S, Mo = _numbers(loss, a, w, prec)
        g = [None] * (2 * loss.m)
        for k in range(loss.m):
            args = loss._args(k, k, A, W, S, Mo)
            g[k] = F["grad_a"](*args)
            g[loss.m + k] = F["grad_w"](*args)
        return g


def hessian_ball(loss, a, w, *, prec: int) -> List[List]:
    """The 2m x 2m Hessian as a list of rows of arb balls, order (a, w)."""
    from .loss import _assemble
    F = _entries()
    m = loss.m
    with workprec(prec):
        A, W, S, Mo = _numbers(loss, a, w, prec)
        H = _BallGrid(2 * m)
        _assemble(m, lambda k, l: loss._args(k, l, A, W, S, Mo), F, H)
        return H.rows


class _BallGrid:
    """The H[i, j] = x protocol of :func:`cmwork.loss._assemble` on lists."""

    def __init__(self, n):
        self.rows = [[None] * n for _ in range(n)]

    def __setitem__(self, ij, x):
        i, j = ij
        self.rows[i][j] = x


# ---------------------------------------------------------------------------
# inertia by Sylvester's law

@dataclass
class Inertia:
    """Eigenvalue counts of a symmetric matrix.

    ``negative`` and ``positive`` are proven counts when ``certified``;
    ``undecided`` eigenvalues could not be signed at ``prec`` bits (the
    matrix may be singular, or need more precision than the cap allowed).
    """

    negative: int
    positive: int
    undecided: int
    prec: int
    certified: bool

    @property
    def decided(self) -> bool:
        return self.undecided == 0

    def __str__(self):
        kind = "certified" if self.certified else "estimated"
        return (f"{self.negative} negative, {self.positive} positive, "
                f"{self.undecided} undecided ({kind}, {self.prec} bits)")


MatrixLike = Union[Callable[[int], object], object]


def _rows_of(matrix, prec) -> List[List]:
    """Square list of arb rows from an arb_mat, mpmath/numpy matrix, lists."""
    flint = _flint()
    with workprec(prec):
        if isinstance(matrix, flint.arb_mat):
            n, c = matrix.nrows(), matrix.ncols()
            rows = [[matrix[i, j] for j in range(c)] for i in range(n)]
        elif isinstance(matrix, mpmath.matrix):
            rows = [[ball(matrix[i, j]) for j in range(matrix.cols)]
                    for i in range(matrix.rows)]
        else:
            try:
                raw = [list(r) for r in list(matrix)]
            except TypeError:
                raise ValueError(f"matrix={matrix!r}: expected a square matrix "
                                 "(arb_mat, mpmath matrix, numpy array, "
                                 "lists) or a function prec -> matrix"
                                 ) from None
            rows = []
            for i, r in enumerate(raw):
                row = []
                for j, x in enumerate(r):
                    try:
                        row.append(ball(x.item() if hasattr(x, "item") else x))
                    except ValueError as exc:
                        raise ValueError(f"matrix[{i},{j}]: {exc}") from None
                rows.append(row)
    n = len(rows)
    if n == 0 or any(len(r) != n for r in rows):
        raise ValueError(f"matrix: expected a non-empty square matrix, got "
                         f"{n} rows of lengths {sorted({len(r) for r in rows})}")
    for i in range(n):
        for j in range(i):
            if not rows[i][j].overlaps(rows[j][i]):
                raise ValueError(f"matrix is not symmetric at ({i},{j}): "
                                 f"{rows[i][j]} != {rows[j][i]}")
    return rows


def _mag(x):
    """|mid(x)| as an exact arb, for pivot choice (any choice is rigorous)."""
    return abs(x.mid())


def _ldl_inertia(rows) -> Tuple[int, int, int]:
    """(negative, positive, undecided) of a symmetric ball matrix.

    Block LDL^T with Bunch-Kaufman pivoting: at each step the diagonal
    entry of largest magnitude p, then the largest off-diagonal entry r of
    its column; a 1x1 pivot if |a_pp| >= alpha |a_rp| and its ball excludes
    zero, else the 2x2 pivot on (p, r) if the ball of its determinant
    excludes zero.  By Sylvester's law of inertia, the inertia of the matrix
    is the sum of those of the pivots and of the last Schur complement.  The
    choice uses midpoints; rigour rests only on the excluded zeros.
    """
    A = [list(r) for r in rows]
    neg = pos = 0
    while A:
        k = len(A)
        p = max(range(k), key=lambda i: _mag(A[i][i]))
        col = [_mag(A[i][p]) if i != p else None for i in range(k)]
        r = max((i for i in range(k) if i != p), key=lambda i: col[i],
                default=None)
        d = A[p][p]
        one = not d.contains(0) and (r is None or _mag(d) >= _ALPHA * col[r])
        two = None
        if not one and r is not None:
            det = A[p][p] * A[r][r] - A[p][r] * A[r][p]
            if not det.contains(0):
                two = det
        if not one and two is None:
            # fall back to any 1x1 pivot whose ball excludes zero
            cand = [i for i in range(k) if not A[i][i].contains(0)]
            if not cand:
                return neg, pos, k
            p, one = max(cand, key=lambda i: _mag(A[i][i])), True
        if one:
            d = A[p][p]
            if d > 0:
                pos += 1
            else:
                neg += 1
            A = _schur1(A, p)
        else:
            det = two
            if det < 0:
                neg, pos = neg + 1, pos + 1
            else:
                tr = A[p][p] + A[r][r]
                if tr.contains(0):            # det > 0: a_pp, a_rr share a sign
                    return neg, pos, k
                if tr > 0:
                    pos += 2
                else:
                    neg += 2
            A = _schur2(A, p, r, det)
    return neg, pos, 0


def _schur1(A, p):
    rest = [i for i in range(len(A)) if i != p]
    inv = 1 / A[p][p]
    c = [A[i][p] for i in rest]
    f = [x * inv for x in c]
    out = [[None] * len(rest) for _ in rest]
    for ii, i in enumerate(rest):
        Ai, fi, oi = A[i], f[ii], out[ii]
        for jj in range(ii, len(rest)):
            v = Ai[rest[jj]] - fi * c[jj]
            oi[jj] = v
            out[jj][ii] = v
    return out


def _schur2(A, p, r, det):
    rest = [i for i in range(len(A)) if i not in (p, r)]
    a, b, c = A[p][p], A[p][r], A[r][r]
    # P^{-1} = [[c, -b], [-b, a]] / det
    u = [A[i][p] for i in rest]
    v = [A[i][r] for i in rest]
    fu = [(c * ui - b * vi) / det for ui, vi in zip(u, v)]
    fv = [(a * vi - b * ui) / det for ui, vi in zip(u, v)]
    out = [[None] * len(rest) for _ in rest]
    for ii, i in enumerate(rest):
        Ai = A[i]
        for jj in range(ii, len(rest)):
            x = Ai[rest[jj]] - fu[ii] * u[jj] - fv[ii] * v[jj]
            out[ii][jj] = x
            out[jj][ii] = x
    return out


def _shifted(rows, shift):
    if shift is None:
        return rows
    s = ball(shift)
    return [[x - s if i == j else x for j, x in enumerate(r)]
            for i, r in enumerate(rows)]


def inertia(matrix: MatrixLike, *, certified: bool = True,
            prec: Optional[int] = None, max_prec: Optional[int] = None,
            shift=None) -> Inertia:
    """Negative, positive and undecided eigenvalue counts of a symmetric matrix.

    ``matrix`` is an arb_mat, an mpmath or numpy matrix or nested lists
    (entries read exactly), or a function ``prec -> matrix`` that rebuilds
    it at a given precision in bits (as :func:`hessian_ball` does), so that
    precision doubling also sharpens the entries.  ``shift`` counts the
    eigenvalues of ``matrix - shift I`` (exact shift).

    ``certified=True``: block LDL^T in ball arithmetic (see
    :func:`_ldl_inertia`), starting at ``prec`` bits (default 128) and
    doubling while something is undecided, up to ``max_prec`` (default 8x
    the start).  ``certified=False``: mpmath eigenvalues at the same
    precision, a sign read only above n ||H|| 2^-prec; an estimate.

    >>> inertia([[2, 0], [0, -1]])
    Inertia(negative=1, positive=1, undecided=0, prec=128, certified=True)
    >>> inertia([[1, 1], [1, 1]]).undecided          # exact zero eigenvalue
    1
    """
    start = int(prec) if prec is not None else 128
    if start < MIN_PREC:
        raise ValueError(f"prec={prec!r}: expected at least {MIN_PREC} bits")
    cap = int(max_prec) if max_prec is not None else DEFAULT_CAP_FACTOR * start
    if cap < start:
        raise ValueError(f"max_prec={max_prec!r}: expected >= prec = {start}")
    build = matrix if callable(matrix) else (lambda bits: matrix)
    if not certified:
        return _estimated(build, start, shift)
    bits = start
    while True:
        with workprec(bits):
            rows = _shifted(_rows_of(build(bits), bits), shift)
            neg, pos, und = _ldl_inertia(rows)
        if und == 0 or bits * 2 > cap:
            return Inertia(neg, pos, und, bits, True)
        bits *= 2


def _estimated(build, bits, shift) -> Inertia:
    from .spectrum import eigenvalues
    dps = max(15, int(bits / math.log2(10)))
    with workprec(bits):
        rows = _shifted(_rows_of(build(bits), bits), shift)
        with mpmath.workdps(dps):
            H = mpmath.matrix([[mpmath.mpf(x.mid().str(dps + 5, radius=False))
                                for x in r] for r in rows])
    ev = eigenvalues(H, dps=dps)
    with mpmath.workdps(dps):
        tol = len(ev) * max(abs(x) for x in ev) * mpmath.mpf(2) ** (-bits)
        neg = sum(1 for x in ev if x < -tol)
        pos = sum(1 for x in ev if x > tol)
    return Inertia(neg, pos, len(ev) - neg - pos, bits, False)


@dataclass
class Enclosure:
    """lo < lambda_k < hi, proven when ``certified`` (k counts from 0 up)."""

    index: int
    lo: mpmath.mpf
    hi: mpmath.mpf
    prec: int
    certified: bool
    why: str = ""


def enclose_eigenvalue(matrix: MatrixLike, index: int, lo, hi, *,
                       prec: Optional[int] = None,
                       max_prec: Optional[int] = None) -> Enclosure:
    """Certify lo < lambda_index < hi (eigenvalues ascending, from 0).

    By Sylvester's law, the number of eigenvalues below x is the negative
    count of H - x I.  The claim holds when at most ``index`` eigenvalues
    lie at or below lo (H - lo I has at least n - index positive ones) and
    at least ``index + 1`` lie below hi (H - hi I has that many negative
    ones).  ``lo`` and ``hi`` are exact numbers (mpf, Fraction, int).
    """
    if not exact(lo) < exact(hi):
        raise ValueError(f"lo={lo!r}, hi={hi!r}: expected lo < hi")
    below_hi = inertia(matrix, prec=prec, max_prec=max_prec, shift=hi)
    above_lo = inertia(matrix, prec=prec, max_prec=max_prec, shift=lo)
    n = below_hi.negative + below_hi.positive + below_hi.undecided
    bits = max(below_hi.prec, above_lo.prec)
    ok_hi = below_hi.negative >= index + 1
    ok_lo = above_lo.positive >= n - index
    why = ""
    if not ok_hi:
        why = (f"only {below_hi.negative} eigenvalue(s) proven below hi "
               f"({below_hi.undecided} undecided at {below_hi.prec} bits)")
    elif not ok_lo:
        why = (f"only {above_lo.positive} eigenvalue(s) proven above lo, "
               f"need {n - index} ({above_lo.undecided} undecided at "
               f"{above_lo.prec} bits)")
    return Enclosure(index, lo, hi, bits, ok_hi and ok_lo, why)


def enclose_near(matrix: MatrixLike, index: int, estimate, error, *,
                 prec: Optional[int] = None, max_prec: Optional[int] = None,
                 widen: Sequence[int] = (2, 16, 1024)) -> Enclosure:
    """An enclosure of lambda_index around an estimate with error ``error``.

    Tries the interval estimate +- f * error for each factor f in ``widen``
    (the error floored at 2^-prec |estimate|), returning the first that is
    certified, else the last attempt with its reason.
    """
    bits = int(prec) if prec is not None else 128
    with mpmath.workprec(bits + 16):
        est = mpmath.mpf(estimate)
        err = max(abs(mpmath.mpf(error)), abs(est) * mpmath.mpf(2) ** (-bits),
                  mpmath.mpf(2) ** (-bits))
        out = None
        for f in widen:
            out = enclose_eigenvalue(matrix, index, est - f * err,
                                     est + f * err, prec=bits,
                                     max_prec=max_prec)
            if out.certified:
                return out
    return out


def ball_str(x, digits: int = 6) -> str:
    """A ball as 'mid +- rad' with ``digits`` digits of the midpoint."""
    return x.str(digits, radius=True)


def upper(x) -> mpmath.mpf:
    """An mpf at least as large as every point of the ball ``x``."""
    return _to_mpf(x.upper())


def lower(x) -> mpmath.mpf:
    """An mpf at most as large as every point of the ball ``x``."""
    return _to_mpf(x.lower())


def _to_mpf(x) -> mpmath.mpf:
    """An exact arb (a point) as an mpf with all its bits."""
    man, exp = x.man_exp()
    with mpmath.workprec(max(53, int(man).bit_length() + 8)):
        return mpmath.mpf(int(man)) * mpmath.mpf(2) ** int(exp)


def certify_hessian(loss, a, w, *, digits: int = 6,
                    prec: Optional[int] = None) -> Tuple[Inertia, Enclosure]:
    """Certified inertia of Hess J_m(a, w) and an enclosure of lambda_min.

    The precision starts at the budget of :meth:`cmwork.Loss.budget` (for
    ``digits`` digits of the e^{-w/omega} parts), converted to bits; the
    enclosure is placed around mpmath's estimate of lambda_min at two
    precisions (:func:`cmwork.resolve_eigenvalues`) and then proven.
    """
    from .spectrum import resolve_eigenvalues
    d = loss.budget(a, w, digits=digits)
    bits = int(prec) if prec is not None else bits_for_digits(d)
    build = lambda b: hessian_ball(loss, a, w, prec=b)  # noqa: E731
    res = inertia(build, prec=bits)
    spec = resolve_eigenvalues(lambda dd: loss.hessian(a, w, dps=dd), d)
    enc = enclose_near(build, 0, spec.values[0], spec.errors[0], prec=res.prec)
    return res, enc


# ---------------------------------------------------------------------------
# Appendix A: Gram determinants (Lemma A.2), the minimizer of J_1 for an
# exponential sum (Lemma A.1), Hessians at ball arguments (Proposition A.1)

def gram_determinant_exact(v: Sequence) -> Fraction:
    """det [1/(v_i + v_j)] for exact v_i > 0 (Lemma A.2 on [0, oo)), exact.

    The Gram matrix of e^{-v_i t} on [0, oo) has rational entries when the
    v_i are rational: its determinant is computed in fmpq arithmetic, with
    no rounding at all.
    """
    flint = _flint()
    q = [_positive(f"v[{i}]", x) for i, x in enumerate(v)]
    if not q:
        raise ValueError("v=(): expected at least one exponent")
    n = len(q)
    M = flint.fmpq_mat(n, n, [flint.fmpq((q[i] + q[j]).numerator,
                                         (q[i] + q[j]).denominator) ** -1
                              for i in range(n) for j in range(n)])
    det = M.det()
    return Fraction(int(det.p), int(det.q))


def gram_determinant_ball(v: Sequence, interval, *, prec: int):
    """det of int_alpha^beta e^{-(v_i + v_j) t} dt as an arb ball.

    Entries (e^{-s alpha} - e^{-s beta}) / s with s = v_i + v_j (beta - alpha
    at s = 0), from the exact inputs; the determinant by arb's LU.
    """
    flint = _flint()
    q = [exact(x) for x in v]
    al, be = (exact(x) for x in interval)
    if not al < be:
        raise ValueError(f"interval={interval!r}: expected alpha < beta")
    n = len(q)
    with workprec(prec):
        AL, BE = ball(al), ball(be)

        def entry(sq):
            if sq == 0:
                return BE - AL
            S_ = ball(sq)
            return ((-S_ * AL).exp() - (-S_ * BE).exp()) / S_
        M = flint.arb_mat(n, n, [entry(q[i] + q[j]) for i in range(n)
                                 for j in range(n)])
        return M.det()


@dataclass
class BallMinimizer:
    """The global minimizer of J_1, enclosed: w_hat, a_hat as arb balls.

    ``certified`` when every critical point of h was isolated and h at the
    chosen one is proven below h at all others and below ||rho||^2.
    """

    w_hat: object
    a_hat: object
    h: object
    others: List[object]
    prec: int
    certified: bool
    why: str = ""


def one_exponential_ball(target: ExponentialSum, *, prec: int) -> BallMinimizer:
    """Enclose the minimizer of J_1 for rho = sum_j a_j e^{-w_j t} (Lemma A.1).

    h(w) = ||rho||^2 - 2 w L(w)^2 with L(w) = sum_j a_j/(w + w_j); h' =
    -2 L (L - 2 w M_1) and L - 2 w M_1 = sum_j a_j (w_j - w)/(w + w_j)^2.
    Its numerator, an exact rational polynomial, has its roots isolated by
    flint (complex_roots); a real root is proven by a sign change of the
    polynomial at the ends of its ball's real interval.  Roots of L are
    maxima of h (h = ||rho||^2) and need no enclosure.
    """
    flint = _flint()
    if not isinstance(target, ExponentialSum):
        raise ValueError(f"target={target!r}: expected an ExponentialSum")
    A = [exact(x) for x in target.a]
    W = [exact(x) for x in target.w]
    x = flint.fmpq_poly([0, 1])
    poly = flint.fmpq_poly([0])
    for j, (aj, wj) in enumerate(zip(A, W)):
        term = flint.fmpq_poly([flint.fmpq(aj.numerator, aj.denominator)]) * \
            (flint.fmpq_poly([flint.fmpq(wj.numerator, wj.denominator)]) - x)
        for i, wi in enumerate(W):
            if i != j:
                term *= (x + flint.fmpq(wi.numerator, wi.denominator)) ** 2
        poly += term
    with workprec(prec):
        roots = poly.complex_roots()
        real, why = [], ""
        for r, mult in roots:
            if not r.imag.contains(0):
                continue
            lo, hi = _to_fraction(r.real.lower()), _to_fraction(r.real.upper())
            if mult != 1:
                why = f"a multiple root near {r.real.str(8)}"
                continue
            plo = poly(flint.fmpq(lo.numerator, lo.denominator))
            phi = poly(flint.fmpq(hi.numerator, hi.denominator))
            if not (plo * phi < 0):
                why = f"root near {r.real.str(8)} not proven real"
                continue
            if hi <= 0:
                continue
            if not lo > 0:
                why = f"root near {r.real.str(8)} not proven positive"
                continue
            real.append(_bisect_root(poly, lo, hi, plo, prec))
        norm2 = norm2_ball(target, prec=prec)

        def h(wb):
            Lw = sum((ball(aj) / (wb + ball(wj)) for aj, wj in zip(A, W)),
                     flint.arb(0))
            return norm2 - 2 * wb * Lw ** 2, 2 * wb * Lw
        if not real:
            return BallMinimizer(None, None, None, [], prec, False,
                                 why or "no positive critical point")
        vals = [(h(r), r) for r in real]
        (hb, ab), wb = min(vals, key=lambda t: t[0][0].mid())
        others = [v[0][0] for v in vals if v[1] is not wb]
        ok = not why and all(hb < o for o in others) and hb < norm2
        if not ok and not why:
            why = "h at the minimizer not separated from the other values"
        return BallMinimizer(wb, ab, hb, others, prec, ok, why)


def _bisect_root(poly, lo: Fraction, hi: Fraction, plo, prec: int):
    """Shrink [lo, hi], where the exact polynomial changes sign, to width
    2^-prec max(1, |lo|) by bisection (exact rational signs); a ball."""
    flint = _flint()
    width = Fraction(1, 2 ** prec) * max(1, abs(lo))
    neg_lo = plo < 0
    while hi - lo > width:
        mid = (lo + hi) / 2
        pm = poly(flint.fmpq(mid.numerator, mid.denominator))
        if pm == 0:
            return ball(mid)
        if (pm < 0) == neg_lo:
            lo = mid
        else:
            hi = mid
    mid = (lo + hi) / 2
    return flint.arb(ball(mid).mid(), ball((hi - lo) / 2).mid()) + 0


def _to_fraction(x) -> Fraction:
    """An exact arb (a point) as a Fraction."""
    man, exp = x.man_exp()
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def hessian_ball_at(target: ExponentialSum, a_balls, w_balls, *,
                    prec: int) -> List[List]:
    """Hess J_m at ball arguments, for an exponential-sum target.

    As :func:`hessian_ball`, but the inputs are arb balls (for instance an
    enclosed minimizer) and the moments n! sum_j a*_j/(w + w*_j)^{n+1} are
    evaluated at the balls.
    """
    from .loss import Loss, _assemble
    flint = _flint()
    if not isinstance(target, ExponentialSum):
        raise ValueError(f"target={target!r}: expected an ExponentialSum")
    m = len(a_balls)
    if len(w_balls) != m:
        raise ValueError(f"a has {m} entries and w {len(w_balls)}: expected "
                         "the same number")
    F = _entries()
    loss = Loss(target, m=m)
    top = symbolic.MAX_ORDER + 1
    with workprec(prec):
        Aq = [ball(x) for x in a_balls]
        Wq = [ball(x) for x in w_balls]
        S_ = [[sum((ai / (wk + wi) ** (n + 1) for ai, wi in zip(Aq, Wq)),
                   flint.arb(0)) for n in range(top)] for wk in Wq]
        Mo = [[math.factorial(n) * sum((ball(aj) / (wk + ball(wj)) ** (n + 1)
                                        for aj, wj in zip(target.a, target.w)),
                                       flint.arb(0)) for n in range(top)]
              for wk in Wq]
        H = _BallGrid(2 * m)
        _assemble(m, lambda k, l: loss._args(k, l, Aq, Wq, S_, Mo), F, H)
        return H.rows
