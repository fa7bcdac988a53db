"""Theorem 3.3 (approximation rate): the transform (52), its derivatives
(53), the bound (54) and the error chain (63), compared with the paper.

Section 3.2.  With tau(s) = -(alpha+1) log(s) / beta and q(s) = rho(tau)/s:

* q^(k) for k = 1, 2, 3 is derived by SymPy and equals
  sum_j c(j, k) A^j rho^(j)(tau) / s^(k+1), A = -(alpha+1)/beta: every term
  has the denominator s^(k+1), not s^(j+1) as printed in (53).  For k >= 1
  no integers c(j, k) make the printed form right: the rho^(j) are
  independent and s^(j+1) != s^(k+1) for j < k.
* the induction step d/ds [A^j rho^(j)(tau) s^-(k+1)] =
  A^(j+1) rho^(j+1)(tau) s^-(k+2) - (k+1) A^j rho^(j)(tau) s^-(k+2), hence
  c(j, k+1) = c(j-1, k) - (k+1) c(j, k), c(0, 0) = 1: the signed Stirling
  numbers of the first kind, c(j, k) = s(k+1, j+1) (tabled for k <= 5).
* (54): by (48) with k = j+1, |rho^(j)(t)| <= gamma beta^(j+1) e^(-beta t),
  so each term is at most (alpha+1)^j gamma beta, not (alpha+1)^j gamma.
* (63): the change of variables is verified; with the factor beta of (54)
  the error is (alpha+1)/beta * C gamma beta / m^alpha = C gamma / m^alpha:
  the 1/beta of (49) and (63) is spurious.  Independently: if
  rho_beta(t) = g(beta t), then gamma scales like 1/beta and so does the
  best error, so err * beta m^alpha / gamma grows like beta and no
  universal C(alpha) fits the printed form (the thm-3.3 check measures it).
"""
from __future__ import annotations

import functools

import sympy as sp
from sympy.functions.combinatorial.numbers import stirling

from cmwork.derivation import Derivation, Step

s = sp.Symbol("s", positive=True)
t = sp.Symbol("t", positive=True)
alpha = sp.Symbol("alpha", positive=True)
beta = sp.Symbol("beta", positive=True)
gamma = sp.Symbol("gamma", positive=True)
k_, j_ = sp.symbols("k j", integer=True, nonnegative=True)
m = sp.Symbol("m", positive=True)
Cq = sp.Symbol("C_J", positive=True)        # Jackson's constant
rho = sp.Function("rho")
_x = sp.Symbol("x")
TAU = -(alpha + 1) * sp.log(s) / beta
A = -(alpha + 1) / beta
#: R_j stands for rho^(j)(tau(s)) in the displayed steps
R = sp.symbols("R_0:4")
K_MAX = 3
TABLE_K = 5


def rho_j(j: int):
    return sp.Derivative(rho(_x), (_x, j)).subs(_x, TAU) if j else rho(TAU)


def c(j: int, k: int) -> int:
    """c(j, k) of eq. (53) from the recurrence of the induction step."""
    if j < 0 or j > k:
        return 0
    if k == 0:
        return 1
    return c(j - 1, k - 1) - k * c(j, k - 1)


#: A as a symbol, for the displayed steps
A_SYM = sp.Symbol("A")


def q_derivative_form(k: int, power_of=lambda j, k: k + 1, symbols=False):
    """sum_j c(j, k) A^j rho^(j)(tau) / s^power_of(j, k); with
    ``symbols=True`` in the display symbols A and R_j."""
    a = A_SYM if symbols else A
    return sum(c(j, k) * a ** j * (R[j] if symbols else rho_j(j))
               / s ** power_of(j, k) for j in range(k + 1))


INTRO_TEX = r"""With $\tau(s)=-(\alpha+1)\log(s)/\beta$ and
$q(s)=\rho(\tau(s))/s$ (eq.~(52)), $R_j$ stands for
$\rho^{(j)}(\tau(s))$ and $A$ for $-(\alpha+1)/\beta$.  The derivatives of
$q$ are derived and compared with (53); the integer constants $c(j,k)$
follow from the induction step; the bound (54) and the error chain (63)
are then redone."""


@functools.lru_cache(maxsize=None)
def derive() -> Derivation:
    d = Derivation("thm-3.3", "Approximation rate: the transform (52)-(54) "
                   "and the error (63)", "Section 3.2, proof of Theorem 3.3",
                   title_tex=r"Theorem 3.3: the transform (52)--(54) and the "
                   r"error (63)", intro_tex=INTRO_TEX)
    q = rho(TAU) / s
    derived, printed = [], []
    for k in range(1, K_MAX + 1):
        dq = sp.diff(q, s, k)
        if sp.simplify(dq - q_derivative_form(k)) != 0:
            raise AssertionError(f"q^({k}) does not have the derived form")
        derived.append(sp.factor(q_derivative_form(k, symbols=True)))
        printed.append(q_derivative_form(
            k, power_of=lambda j, k: j + 1, symbols=True))
    d.add(Step("eq. (53), k = 1, 2, 3", sp.Symbol("q^(k)(s)"),
               sp.Matrix(derived), "SymPy differentiates q(s) = "
               "rho(tau(s))/s k times (verified equal to the derived form "
               "with the rho^(j) kept as functions); R_j = rho^(j)(tau(s)), "
               "A = -(alpha+1)/beta",
               printed=sp.Matrix(printed),
               note="every term has the denominator s^(k+1); the paper "
                    "prints s^(j+1) (shown here with the derived c(j, k)). "
                    "Only the j = k term agrees; the bound (54) and the "
                    "limits (55) must be taken with s^(k+1)",
               lhs_tex=r"\bigl(q^{(1)},q^{(2)},q^{(3)}\bigr)^{\top}",
               justification_tex=r"SymPy differentiates $q(s)=\rho(\tau(s))/s$"
               r" $k$ times; the result is checked equal to the displayed form "
               r"with the $\rho^{(j)}$ kept as functions",
               note_tex=r"Every term has the denominator $s^{k+1}$; the "
               r"paper prints $s^{j+1}$ (shown with the derived $c(j,k)$). "
               r"Only the $j=k$ term agrees, and no other integers $c(j,k)$ "
               r"can repair it, since the $\rho^{(j)}$ are independent."))
    # the induction step, for symbolic j and k
    F, G = sp.Function("F"), sp.Function("G")
    term = A ** j_ * F(TAU) * s ** (-(k_ + 1))
    dterm = sp.diff(term, s).replace(sp.Subs, lambda e, v, p: G(TAU))
    target = (A ** (j_ + 1) * G(TAU) - (k_ + 1) * A ** j_ * F(TAU)) \
        * s ** (-(k_ + 2))
    d.add(Step("eq. (53), induction step", sp.Symbol("d/ds term"),
               sp.simplify(dterm), "chain rule with tau'(s) = A/s; "
               "F = rho^(j), G = rho^(j+1)", printed=target,
               versus="the recurrence c(j, k+1) = c(j-1, k) - (k+1) c(j, k)",
               lhs_tex=r"\frac{d}{ds}\Bigl[A^{j}\rho^{(j)}(\tau)\,s^{-(k+1)}"
               r"\Bigr]",
               display_tex=r"\bigl(A^{j+1}G(\tau)-(k+1)A^{j}F(\tau)\bigr)"
               r"\,s^{-(k+2)}",
               justification_tex=r"Chain rule with $\tau'(s)=A/s$, "
               r"$A=-(\alpha+1)/\beta$, for symbolic $j,k$; $F=\rho^{(j)}$, "
               r"$G=\rho^{(j+1)}$.  Collecting terms gives "
               r"$c(j,k+1)=c(j-1,k)-(k+1)\,c(j,k)$, $c(0,0)=1$"))
    table = sp.Matrix(TABLE_K + 1, TABLE_K + 1, lambda kk, jj: c(jj, kk))
    stir = sp.Matrix(TABLE_K + 1, TABLE_K + 1,
                     lambda kk, jj: stirling(kk + 1, jj + 1, kind=1,
                                             signed=True))
    d.add(Step("eq. (53), the constants c(j, k), k = 0..5 (rows), j = 0..5",
               sp.Symbol("c"), table, "the recurrence of the induction step",
               printed=stir, versus="the signed Stirling numbers s(k+1, j+1)",
               note="the paper says only 'some integer constants'; they are "
                    "c(j, k) = s(k+1, j+1), so sum_j |c(j, k)| = (k+1)!",
               lhs_tex=r"\bigl(c(j,k)\bigr)_{k,j=0}^{5}",
               justification_tex=r"The recurrence of the induction step, "
               r"compared with the signed Stirling numbers of the first kind "
               r"$s(k+1,j+1)$",
               note_tex=r"The paper says only ``some integer constants''; "
               r"they are $c(j,k)=s(k+1,j+1)$, so $\sum_j|c(j,k)|=(k+1)!$."))
    # (54): the size of the j-th term at s = e^{-beta t/(alpha+1)}
    jj = sp.Symbol("j", integer=True, nonnegative=True)
    kk = sp.Symbol("k", integer=True, nonnegative=True)
    bound_rho = gamma * beta ** (jj + 1) * sp.exp(-beta * t)     # from (48)
    term_bound = (((alpha + 1) / beta) ** jj * bound_rho
                  * sp.exp((kk + 1) * beta * t / (alpha + 1)))
    at_worst = sp.simplify(term_bound.subs(kk, alpha))
    d.add(Step("eq. (54), bound of the j-th term (k = alpha, the worst case)",
               sp.Symbol("|term_j|"), at_worst,
               "(48) with k = j+1 gives |rho^(j)(t)| <= gamma beta^(j+1) "
               "e^(-beta t); the exponential cancels at k = alpha",
               printed=(alpha + 1) ** jj * gamma,
               note="a factor beta is lost in the printed (54)",
               lhs_tex=r"\Bigl|\bigl(\tfrac{\alpha+1}{\beta}\bigr)^{j}"
               r"\rho^{(j)}(t)\,e^{\frac{(k+1)\beta t}{\alpha+1}}\Bigr|",
               justification_tex=r"(48) with $k=j+1$ gives "
               r"$|\rho^{(j)}(t)|\le\gamma\beta^{j+1}e^{-\beta t}$; at "
               r"$k=\alpha$ the exponentials cancel (for $k<\alpha$ they "
               r"leave a factor $\le1$)",
               note_tex=r"A factor $\beta$ is lost in the printed (54)."))
    # (63): change of variables
    Q = sp.Function("Q")
    tt = -(alpha + 1) * sp.log(s) / beta
    jac = sp.simplify(-sp.diff(tt, s))
    d.add(Step("eq. (63), change of variables", sp.Symbol("-dt/ds"), jac,
               "t = -(alpha+1) log(s)/beta", printed=(alpha + 1) / (beta * s),
               lhs_tex=r"-\frac{dt}{ds}",
               justification_tex=r"$t=-(\alpha+1)\log(s)/\beta$, so "
               r"$|\rho(t)-sQ(s)|\,\frac{\alpha+1}{\beta s}=\frac{\alpha+1}"
               r"{\beta}|q(s)-Q(s)|$"))
    # C_J / (alpha + 1) from Jackson, so that the constant reads C_J
    final = sp.simplify((alpha + 1) / beta * (Cq / (alpha + 1)) * gamma
                        * beta / m ** alpha)
    d.add(Step("eq. (63), the L1 error", sp.Symbol("||rho - phi_m||_1"),
               final, "(alpha+1)/beta times Jackson's C_J gamma beta / "
               "m^alpha with the beta of (54); C_J absorbs alpha+1 and "
               "sum_j |c(j, alpha)| (alpha+1)^j",
               printed=Cq * gamma / (beta * m ** alpha),
               note="the 1/beta of (63) and (49) is spurious: the bound is "
                    "C(alpha) gamma d / m^alpha. For rho(t) = g(beta t), "
                    "gamma and the best error both scale like 1/beta, so "
                    "the printed form fails for large beta with any fixed "
                    "C(alpha)",
               lhs_tex=r"\|\rho_i-\phi_{i,m}\|_{L^1}\le",
               justification_tex=r"$\frac{\alpha+1}{\beta}\int_0^1|q-Q_m|\,ds$"
               r" with Jackson's bound $C_J\gamma\beta/m^\alpha$ (the $\beta$ "
               r"of (54)); $C_J$ absorbs $(\alpha+1)\sum_j|c(j,\alpha)|"
               r"(\alpha+1)^j$",
               note_tex=r"The $1/\beta$ of (63) and (49) is spurious: the "
               r"bound is $C(\alpha)\gamma d/m^\alpha$.  For "
               r"$\rho(t)=g(\beta t)$, $\gamma$ and the best error both scale "
               r"like $1/\beta$, so the printed form fails for large $\beta$ "
               r"with any fixed $C(\alpha)$."))
    return d
