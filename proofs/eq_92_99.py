"""Eqs. (82)-(83), (92)-(99) and the split (100), derived from (80).

Section 4.2.1-4.2.2 (2)-(3).  The generic entries come from
:func:`cmwork.symbolic.loss_entries` (the square of (80) expanded, each term
Laplace-transformed, then differentiated).  For the memory target (86) the
moments are

    M_n(s) = n! P_n(s) + Delta_{n,omega}(s),  P_n(s) = sum_j a*_j/(s+w*_j)^{n+1},

and the paper writes sum_i a_i/(w_k + w_i)^{n+1} = S_n(w_k).  Every printed
formula below is transcribed from the paper and compared with the
derivation; identity (94) and the row relations in the proof of
Proposition 4.3 are checked on a concrete partition with symbolic entries.
"""
from __future__ import annotations

import functools

import sympy as sp

from cmwork import symbolic as S
from cmwork.derivation import Derivation, Step
from cmwork.loss import hessian_from_entries

a_k, w_k, a_l, w_l, t = S.a_k, S.w_k, S.a_l, S.w_l, S.t
P_k = sp.symbols("P_0k P_1k P_2k", real=True)       # P_n(w_k)
P_l = sp.symbols("P_0l P_1l P_2l", real=True)
D_k = sp.symbols("Delta_0k Delta_1k Delta_2k", real=True)   # Delta_n(w_k)
D_l = sp.symbols("Delta_0l Delta_1l Delta_2l", real=True)


def memory_moments(exponential_only: bool = False):
    """M_n -> n! P_n + Delta_n (or n! P_n alone, for J-tilde of (100))."""
    reps = {}
    for M, P, D in ((S.M_k, P_k, D_k), (S.M_l, P_l, D_l)):
        for n in range(3):
            reps[M[n]] = sp.factorial(n) * P[n] + (0 if exponential_only
                                                   else D[n])
    return reps


def printed():
    """The formulas as printed in the paper, in the same symbols."""
    S0, S1, S2 = S.S_k
    return {
        "92": 2 * (S0 - P_k[0]) - 2 * D_k[0],
        "93": -2 * a_k * (S1 - P_k[1]) + 2 * a_k * D_k[1],
        "95": 2 / (w_k + w_l),
        "95kk": 2 / (w_k + w_k),
        "96": -2 * a_l / (w_k + w_l) ** 2,
        "97": -2 * (S1 - P_k[1]) - a_k / (2 * w_k ** 2) + 2 * D_k[1],
        "98": 4 * a_k * a_l / (w_k + w_l) ** 3,
        "99": 4 * a_k * (S2 - P_k[2]) + a_k ** 2 / (2 * w_k ** 3)
        - 2 * a_k * D_k[2],
    }


INTRO_TEX = r"""From the definition (80), SymPy splits two indices $k\ne l$ off
the model, expands the square, integrates every term as a Laplace
transform and differentiates; the remaining model and the target enter
only through $S_n$ and the moments $M_n=n!\,P_n+\Delta_{n,\omega}$ of the
memory target (86).  Each entry is compared with the formula printed in
the paper.  Identity (94) and the row relations used in the proof of
Proposition~4.3 are then checked on the affine space of the partition
$\{\{1,2\},\{3\}\}$ with symbolic entries."""

#: Left-hand sides of the generic entries, in the paper's notation.
LHS_TEX = {
    "grad_a": r"\frac{\partial J_m}{\partial a_k}",
    "grad_w": r"\frac{\partial J_m}{\partial w_k}",
    "aa": r"\frac{\partial^2 J_m}{\partial a_k\,\partial a_l}",
    "aa_kk": r"\frac{\partial^2 J_m}{\partial a_k^2}",
    "aw": r"\frac{\partial^2 J_m}{\partial a_k\,\partial w_l}",
    "aw_kk": r"\frac{\partial^2 J_m}{\partial a_k\,\partial w_k}",
    "ww": r"\frac{\partial^2 J_m}{\partial w_k\,\partial w_l}",
    "ww_kk": r"\frac{\partial^2 J_m}{\partial w_k^2}",
}


@functools.lru_cache(maxsize=None)
def derive(overrides: tuple = ()) -> Derivation:
    """The derivation; ``overrides`` replaces printed formulas (for tests)."""
    paper = printed()
    paper.update(dict(overrides))
    E = S.loss_entries()
    mem = memory_moments()
    d = Derivation("eq-92-99", "Gradient and Hessian of J_m",
                   "Section 4.2.1-4.2.2, eqs. (80), (82)-(83), (92)-(100)",
                   title_tex=r"Gradient and Hessian of $J_m$: eqs.~(82)--(100)",
                   intro_tex=INTRO_TEX)

    # (82)-(83): differentiation under the integral sign of (80)
    R, rho = sp.Function("R"), sp.Function("rho")
    model = a_k * sp.exp(-w_k * t) + R(t)        # sum_i a_i e^{-w_i t}
    integrand = (model - rho(t)) ** 2
    d.add(Step("eq. (82), integrand", sp.Symbol("dJ/da_k integrand"),
               sp.diff(integrand, a_k), "differentiate (80) under the integral",
               printed=2 * sp.exp(-w_k * t) * (model - rho(t)),
               lhs_tex=r"\frac{\partial}{\partial a_k}\Bigl(\sum_i a_i "
                       r"e^{-w_i t}-\rho(t)\Bigr)^2",
               justification_tex=r"Differentiate (80) under the integral "
               r"sign; $R(t)=\sum_{i\ne k}a_ie^{-w_it}$"))
    d.add(Step("eq. (83), integrand", sp.Symbol("dJ/dw_k integrand"),
               sp.diff(integrand, w_k), "differentiate (80) under the integral",
               printed=2 * a_k * (-t) * sp.exp(-w_k * t) * (model - rho(t)),
               lhs_tex=r"\frac{\partial}{\partial w_k}\Bigl(\sum_i a_i "
                       r"e^{-w_i t}-\rho(t)\Bigr)^2",
               justification_tex=r"Differentiate (80) under the integral "
               r"sign; $R(t)=\sum_{i\ne k}a_ie^{-w_it}$"))

    # (92)-(99): the generic entries with the moments of the memory target
    rows = [("92", "grad_a", "dJ/da_k"), ("93", "grad_w", "dJ/dw_k"),
            ("95", "aa", "d2J/da_k da_l"), ("95kk", "aa_kk", "d2J/da_k^2"),
            ("96", "aw", "d2J/da_k dw_l"), ("97", "aw_kk", "d2J/da_k dw_k"),
            ("98", "ww", "d2J/dw_k dw_l"), ("99", "ww_kk", "d2J/dw_k^2")]
    for eq, name, lhs in rows:
        derived = sp.expand(getattr(E, name).xreplace(mem))
        label = "eq. (95), k = l" if eq == "95kk" else f"eq. ({eq})"
        d.add(Step(label, sp.Symbol(lhs), derived,
                   "Laplace transform of the expanded square of (80), "
                   "then differentiation; M_n = n! P_n + Delta_n",
                   printed=paper[eq], lhs_tex=LHS_TEX[name],
                   justification_tex=r"Expand the square in (80), integrate "
                   r"each term (Laplace transform at $0$), differentiate, "
                   r"and write the target's moments as $M_n=n!\,P_n+"
                   r"\Delta_{n,\omega}$"))

    # (100): Hessian of J minus Hessian of J-tilde is 2 E_omega
    tilde = memory_moments(exponential_only=True)
    split = sp.Matrix([[sp.expand(getattr(E, n).xreplace(mem)
                                  - getattr(E, n).xreplace(tilde))
                        for n in ("aa_kk", "aw_kk", "aa", "aw")],
                       [sp.expand(getattr(E, n).xreplace(mem)
                                  - getattr(E, n).xreplace(tilde))
                        for n in ("aw_kk", "ww_kk", "aw", "ww")]])
    # 2 E_omega: zero a-a block, Diag(Delta_1), -Diag(Delta_2 o a)
    two_E = sp.Matrix([[0, 2 * D_k[1], 0, 0], [2 * D_k[1], -2 * a_k * D_k[2],
                                                0, 0]])
    d.add(Step("eq. (100)", sp.Symbol("Hess J - Hess J~ (entries kk | kl)"),
               split, "difference of the two Hessians entry by entry",
               printed=two_E,
               lhs_tex=r"\bigl(\Hess J_m-\Hess\tilde J_m\bigr)"
                       r"_{\{a_k,w_k\}\times\{a_k,w_k,a_l,w_l\}}",
               justification_tex=r"Entries $(a_k,a_k),(a_k,w_k),(a_k,a_l),"
               r"(a_k,w_l)$ and $(w_k,\cdot)$ of the difference of the two "
               r"Hessians ($l\ne k$); the paper's $2\mathcal{E}_\omega$ has "
               r"$\mathrm{Diag}(\Delta_{1,\omega})$ off the diagonal blocks "
               r"and $-\mathrm{Diag}(\Delta_{2,\omega}\circ a)$ in the "
               r"$w$-block"))

    # (94) and the row relations of Proposition 4.3 on a concrete partition
    for step in _on_affine_space():
        d.add(step)
    return d


def _on_affine_space():
    """Identity (94) and the gradient of Prop. 4.2 on M*_P, m = 3, m* = 2."""
    a1, as1, as2 = sp.symbols("ahat_1 a*_1 a*_2", real=True)
    ws1, ws2 = sp.symbols("w*_1 w*_2", positive=True)
    a_hat = [a1, as1 - a1, as2]               # P = {{1,2},{3}}
    w_hat = [ws1, ws1, ws2]
    a_s, w_s = [as1, as2], [ws1, ws2]
    steps = []
    for n in (1, 2, 3):
        bracket = [sum(a_hat[i] / (w_hat[k] + w_hat[i]) ** n for i in range(3))
                   - sum(a_s[j] / (w_hat[k] + w_s[j]) ** n for j in range(2))
                   for k in range(3)]
        steps.append(Step(f"eq. (94), n = {n}, P = {{{{1,2}},{{3}}}}",
                          sp.Symbol(f"bracket_{n}"),
                          sp.Matrix(bracket).applyfunc(sp.simplify),
                          "sum over each block of P, then sum a_hat = a*",
                          printed=sp.zeros(3, 1),
                          lhs_tex=r"\Bigl(\sum_{i}\frac{\hat a_i}{(\hat w_k"
                          r"+\hat w_i)^{%d}}-\sum_j\frac{a_j^*}{(\hat w_k+"
                          r"w_j^*)^{%d}}\Bigr)_{k=1,2,3}" % (n, n),
                          justification_tex=r"On $\mathcal{M}^*_{\mathcal{P}}$"
                          r" with $\mathcal{P}=\{\{1,2\},\{3\}\}$, "
                          r"$\hat a=(\hat a_1,a_1^*-\hat a_1,a_2^*)$, "
                          r"$\hat w=(w_1^*,w_1^*,w_2^*)$: sum over each block, "
                          r"then use $\sum_{i\in\mathcal{I}_j}\hat a_i=a_j^*$"))
    # Hessian of J-tilde: rows i, j of one block are equal (a rows) and
    # proportional (w rows): rank <= 2 m*
    E = S.loss_entries()
    Dk = {x: 0 for x in D_k + D_l}
    m = 3
    def entry(name, k, l):
        sums = {}
        for n in range(3):
            sums[S.S_k[n]] = sum(a_hat[i] / (w_hat[k] + w_hat[i]) ** (n + 1)
                                 for i in range(m))
            sums[S.S_l[n]] = sum(a_hat[i] / (w_hat[l] + w_hat[i]) ** (n + 1)
                                 for i in range(m))
            sums[P_k[n]] = sum(a_s[j] / (w_hat[k] + w_s[j]) ** (n + 1)
                               for j in range(2))
            sums[P_l[n]] = sum(a_s[j] / (w_hat[l] + w_s[j]) ** (n + 1)
                               for j in range(2))
        sums.update({a_k: a_hat[k], w_k: w_hat[k], a_l: a_hat[l],
                     w_l: w_hat[l]})
        sums.update(Dk)
        tilde = memory_moments(exponential_only=True)
        return getattr(E, name).xreplace(tilde).xreplace(sums)

    H = hessian_from_entries(m, entry).applyfunc(sp.cancel)
    steps.append(Step("Prop. 4.3 proof, rows of Hess J~ in block {1,2}",
                      sp.Symbol("row_1 - row_2"), (H[0, :] - H[1, :]).T,
                      "a-rows of one block are equal",
                      printed=sp.zeros(2 * m, 1),
                      lhs_tex=r"\bigl(\Hess\tilde J_3^{1,:}-\Hess\tilde "
                      r"J_3^{2,:}\bigr)^{\top}",
                      justification_tex=r"The $a$-rows of one block of "
                      r"$\mathcal{P}$ are equal (proof of Proposition~4.3), "
                      r"same point as above"))
    steps.append(Step("Prop. 4.3 proof, w-rows in block {1,2}",
                      sp.Symbol("ahat_2 row_4 - ahat_1 row_5"),
                      (a_hat[1] * H[m, :] - a_hat[0] * H[m + 1, :]).T.applyfunc(
                          sp.cancel),
                      "w-rows are proportional to a_hat",
                      printed=sp.zeros(2 * m, 1),
                      lhs_tex=r"\bigl(\hat a_2\Hess\tilde J_3^{4,:}-\hat a_1"
                      r"\Hess\tilde J_3^{5,:}\bigr)^{\top}",
                      justification_tex=r"The $w$-rows of one block are "
                      r"proportional to $\hat a$ (proof of Proposition~4.3)"))
    # exact rank at a rational point: the relations above give <= 4 for
    # every point; one point with rank 4 shows the bound is attained
    point = {a1: sp.Rational(3, 7), as1: sp.Rational(5, 4),
             as2: sp.Rational(-2, 3), ws1: sp.Integer(1), ws2: sp.Rational(5, 2)}
    rank = H.xreplace(point).rank()
    steps.append(Step("Prop. 4.3 proof, rank of Hess J~ (m = 3, m* = 2)",
                      sp.Symbol("rank"), sp.Integer(rank),
                      "exact rank at a_hat_1 = 3/7, a* = (5/4, -2/3), "
                      "w* = (1, 5/2)",
                      printed=sp.Integer(4),
                      note="the bound rank <= 2 m* = 4 is attained",
                      lhs_tex=r"\operatorname{rank}\Hess\tilde J_3(\hat a,"
                      r"\hat w)",
                      justification_tex=r"Exact rank at $\hat a_1=3/7$, "
                      r"$a^*=(5/4,-2/3)$, $w^*=(1,5/2)$, compared with the "
                      r"bound $2m^*=4$ of Proposition~4.3",
                      note_tex=r"The bound $\operatorname{rank}\le 2m^*=4$ "
                      r"is attained."))
    return steps
