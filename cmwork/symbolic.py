"""SymPy derivations that the numeric engine is built from.

Loss entries in index form (Section 4.2.1-4.2.2, eqs. (80), (82)-(83),
(92)-(99)).  Starting from the definition (80),

    J_m(a, w) = int_0^oo ( sum_i a_i e^{-w_i t} - rho(t) )^2 dt,

two indices k != l are split off the model, rho_hat = a_k e^{-w_k t} +
a_l e^{-w_l t} + R(t) with R the sum over the other indices, the square is
expanded, and every term is integrated by SymPy's Laplace transform.  What
cannot be integrated in closed form stays a transform, and is named:

    Q(s) = L[R](s) = sum_{i not in {k,l}} a_i / (s + w_i),
    M(s) = L[rho](s),   M^{(n)}(s) = (-1)^n M_n(s),
    M_n(s) = int_0^oo t^n e^{-s t} rho(t) dt          (the target's moments).

After differentiation Q^{(n)} is written through the full sums
S_n(s) = sum_{i=1}^m a_i / (s + w_i)^{n+1}, so that every gradient and
Hessian entry is one generic expression in (a_k, w_k, a_l, w_l) and the
numbers S_n(w_k), S_n(w_l), M_n(w_k), M_n(w_l).  Nothing here is typed from
the paper: proofs/ compares these expressions with the printed formulas.

The module also holds the closed forms of the template moments
(eq. (88)) used by :mod:`cmwork.targets`.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, Dict, Tuple

import sympy as sp

# ---------------------------------------------------------------------------
# symbols of the index form
t = sp.Symbol("t", nonnegative=True)
a_k, a_l = sp.symbols("a_k a_l", real=True)
w_k, w_l = sp.symbols("w_k w_l", positive=True)
_s = sp.Symbol("s")

#: Highest moment order the Hessian needs (eq. (99) uses Delta_2).
MAX_ORDER = 2

S_k = sp.symbols("S_0k S_1k S_2k", real=True)   # S_n(w_k)
S_l = sp.symbols("S_0l S_1l S_2l", real=True)   # S_n(w_l)
M_k = sp.symbols("M_0k M_1k M_2k", real=True)   # M_n(w_k)
M_l = sp.symbols("M_0l M_1l M_2l", real=True)   # M_n(w_l)

#: Argument order of every lambdified entry.
ENTRY_ARGS = (a_k, w_k, a_l, w_l) + S_k + S_l + M_k + M_l

_R = sp.Function("R")        # the model without indices k and l
_rho = sp.Function("rho")    # the target
Q = sp.Function("Q")         # L[R]
M = sp.Function("M")         # L[rho]


def _integrate_term(term: sp.Expr) -> sp.Expr:
    """int_0^oo of one expanded term; terms free of the parameters drop."""
    if not term.has(sp.exp):
        return sp.Integer(0)          # ||R - rho||^2 pieces: constant in theta
    lt = sp.laplace_transform(term, t, _s, noconds=True).subs(_s, 0)
    return lt.replace(
        lambda e: isinstance(e, sp.LaplaceTransform),
        lambda e: {_R(t): Q, _rho(t): M}[e.args[0]](e.args[2]),
    )


@functools.lru_cache(maxsize=None)
def loss_kl() -> sp.Expr:
    """The part of J_m that depends on (a_k, w_k, a_l, w_l), k != l.

    Derived from (80) by expanding the square and Laplace-transforming each
    term; the result is expressed through Q and M.
    """
    model = a_k * sp.exp(-w_k * t) + a_l * sp.exp(-w_l * t) + _R(t)
    integrand = sp.expand((model - _rho(t)) ** 2)
    return sp.Add(*[_integrate_term(x) for x in sp.Add.make_args(integrand)])


def _q_derivative(n: int, s: sp.Expr) -> sp.Expr:
    """Q^{(n)}(s) through the full sums S_n, derived from Q = sum a_i/(s+w_i)."""
    a_i, w_i, x = sp.symbols("a_i w_i x", positive=True)
    one_term = sp.diff(a_i / (x + w_i), x, n)          # (-1)^n n! a_i/(x+w_i)^{n+1}
    full = one_term.subs({a_i: 1, w_i: 0}) * (x ** (n + 1))  # (-1)^n n!
    sums = S_k if s == w_k else S_l
    removed = one_term.subs({a_i: a_k, w_i: w_k}) + one_term.subs(
        {a_i: a_l, w_i: w_l})
    return (full * sums[n] - removed).subs(x, s)


def _m_derivative(n: int, s: sp.Expr) -> sp.Expr:
    """M^{(n)}(s) = (-1)^n M_n(s): differentiation under the integral sign."""
    moments = M_k if s == w_k else M_l
    return (-1) ** n * moments[n]


def to_moments(expr: sp.Expr) -> sp.Expr:
    """Replace Q, M and their derivatives at w_k, w_l by S_n and M_n."""
    expr = expr.doit()
    reps = {}
    for d in expr.atoms(sp.Derivative):
        f, (var, order) = d.expr, d.variable_count[0]
        if f.func in (Q, M):
            fn = _q_derivative if f.func is Q else _m_derivative
            reps[d] = fn(order, f.args[0])
    for f in expr.atoms(sp.Function):
        if f.func in (Q, M):
            fn = _q_derivative if f.func is Q else _m_derivative
            reps[f] = fn(0, f.args[0])
    out = expr.xreplace(reps)
    # Subs objects can remain from the chain rule on Q(w_k); resolve them.
    return sp.simplify(out.doit())


@dataclass(frozen=True)
class LossEntries:
    """Generic entries of the gradient and Hessian of J_m (index form).

    ``grad_a`` is dJ/da_k, ``grad_w`` is dJ/dw_k; ``aa``, ``aw``, ``ww`` are
    the off-diagonal second derivatives d^2J/da_k da_l, d^2J/da_k dw_l,
    d^2J/dw_k dw_l (k != l); ``aa_kk``, ``aw_kk``, ``ww_kk`` the diagonal ones.
    """

    grad_a: sp.Expr
    grad_w: sp.Expr
    aa: sp.Expr
    aw: sp.Expr
    ww: sp.Expr
    aa_kk: sp.Expr
    aw_kk: sp.Expr
    ww_kk: sp.Expr

    def items(self):
        return self.__dict__.items()


@functools.lru_cache(maxsize=None)
def loss_entries() -> LossEntries:
    """Differentiate :func:`loss_kl` and rewrite through S_n and M_n."""
    J = loss_kl()
    d = lambda *v: to_moments(sp.diff(J, *v))  # noqa: E731
    entries = LossEntries(
        grad_a=d(a_k), grad_w=d(w_k),
        aa=d(a_k, a_l), aw=d(a_k, w_l), ww=d(w_k, w_l),
        aa_kk=d(a_k, a_k), aw_kk=d(a_k, w_k), ww_kk=d(w_k, w_k),
    )
    for name in ("grad_a", "grad_w", "aa_kk", "aw_kk", "ww_kk"):
        expr = getattr(entries, name)
        if expr.has(a_l) or expr.has(w_l):
            raise ArithmeticError(
                f"index-form entry {name} still depends on the other index: "
                f"{expr}")
    return entries


@functools.lru_cache(maxsize=None)
def value_entry() -> sp.Expr:
    """Per-index term of J_m: J = sum_k [a_k S_0(w_k) - 2 a_k M_0(w_k)] + ||rho||^2.

    From (80): int rho_hat^2 = sum_k a_k L[rho_hat](w_k) and
    int rho_hat rho = sum_k a_k L[rho](w_k).
    """
    rho_hat = sp.Function("rho_hat")
    term = sp.expand(a_k * sp.exp(-w_k * t) * (rho_hat(t) - 2 * _rho(t)))
    lt = sp.Add(*[sp.laplace_transform(x, t, _s, noconds=True).subs(_s, 0)
                  for x in sp.Add.make_args(term)])
    return lt.replace(
        lambda e: isinstance(e, sp.LaplaceTransform),
        lambda e: {rho_hat(t): S_k[0], _rho(t): M_k[0]}[e.args[0]],
    )


@functools.lru_cache(maxsize=None)
def lambdified(module: str = "mpmath") -> Dict[str, Callable]:
    """The entries as functions of :data:`ENTRY_ARGS` ('mpmath' or 'math')."""
    funcs = {name: sp.lambdify(ENTRY_ARGS, expr, modules=module)
             for name, expr in loss_entries().items()}
    funcs["value"] = sp.lambdify(ENTRY_ARGS, value_entry(), modules=module)
    return funcs


# ---------------------------------------------------------------------------
# template moments, eq. (88)

mu, w, c0, sigma, h = sp.symbols("mu w c_0 sigma h", positive=True)
s_var = sp.Symbol("s", real=True)


def bump_profile() -> sp.Expr:
    """The compactly supported C^2 template c0 (1 - (s/h)^2)^3 on |s| < h."""
    return c0 * (1 - (s_var / h) ** 2) ** 3


@functools.lru_cache(maxsize=None)
def bump_moment_antiderivative(n: int) -> Tuple[sp.Expr, Callable]:
    """Antiderivative in s of (s + mu)^n e^{-w s} rho0(s) for the bump.

    Delta_{n,omega}(w) = e^{-w mu} [F(h) - F(max(-h, -mu))] with mu = 1/omega:
    substitute t = s + mu in (88).  Returned with its mpmath lambdification.
    """
    integrand = sp.expand((s_var + mu) ** n * bump_profile()) * sp.exp(-w * s_var)
    F = sp.integrate(integrand, s_var)
    return F, sp.lambdify((s_var, mu, w, c0, h), F, modules="mpmath")


@functools.lru_cache(maxsize=None)
def bump_square_antiderivative() -> Tuple[sp.Expr, Callable]:
    """Antiderivative in s of rho0(s)^2 for the bump (for the L^2 norms)."""
    F = sp.integrate(sp.expand(bump_profile() ** 2), s_var)
    return F, sp.lambdify((s_var, c0, h), F, modules="mpmath")


@functools.lru_cache(maxsize=None)
def bump_laplace_bilateral() -> Tuple[sp.Expr, Callable]:
    """int_{-h}^{h} e^{-w s} rho0(s) ds, the limit constant of Lemma 4.1."""
    F = sp.integrate(sp.expand(bump_profile()) * sp.exp(-w * s_var),
                     (s_var, -h, h))
    F = sp.simplify(F)
    return F, sp.lambdify((w, c0, h), F, modules="mpmath")
