"""Remark 4.6 (m = 2, m* = 1) and the congruence in Proposition 4.4.

Section 4.2.2 (3).  The 4x4 Hessian of J_2 at (a_hat, w_hat) with
w_hat = (w*, w*), a_hat_2 = a* - a_hat_1 is built from the generic entries
of :mod:`cmwork.symbolic`, compared with the matrix printed in the remark,
then reduced by the congruence the remark uses (row/column 2 minus row/column
1, then elimination of the first row and column against the pivot 1/w*).
The reduced matrix and the determinant of its lower 3x3 block are compared
with the printed ones.

Also derived: the block congruence in the proof of Proposition 4.4, and the
2x2 principal minor that makes the Hessian indefinite for every omega with
Delta_1(w*) != 0.
"""
from __future__ import annotations

import functools

import sympy as sp

from cmwork import symbolic as S
from cmwork.derivation import Derivation, Step
from cmwork.loss import hessian_from_entries

from .eq_92_99 import D_k, D_l, P_k, P_l, memory_moments

a1, a_s = sp.symbols("ahat_1 a*", real=True)
w_s = sp.Symbol("w*", positive=True)
D1, D2 = sp.symbols("Delta_1 Delta_2", real=True)   # Delta_{n,omega}(w*)


def hessian_m2() -> sp.Matrix:
    """The 4x4 Hessian of J_2 on M*_P from the generic entries."""
    E = S.loss_entries()
    a_hat, w_hat = [a1, a_s - a1], [w_s, w_s]
    mem = memory_moments()

    def entry(name, k, l):
        reps = {S.a_k: a_hat[k], S.w_k: w_hat[k], S.a_l: a_hat[l],
                S.w_l: w_hat[l]}
        for n in range(3):
            reps[S.S_k[n]] = sum(a / (w_hat[k] + x) ** (n + 1)
                                 for a, x in zip(a_hat, w_hat))
            reps[S.S_l[n]] = sum(a / (w_hat[l] + x) ** (n + 1)
                                 for a, x in zip(a_hat, w_hat))
            reps[P_k[n]] = a_s / (w_hat[k] + w_s) ** (n + 1)
            reps[P_l[n]] = a_s / (w_hat[l] + w_s) ** (n + 1)
        reps.update({D_k[1]: D1, D_k[2]: D2, D_l[1]: D1, D_l[2]: D2,
                     D_k[0]: sp.Symbol("Delta_0"), D_l[0]: sp.Symbol("Delta_0")})
        return sp.cancel(getattr(E, name).xreplace(mem).xreplace(reps))

    m = 2
    H = hessian_from_entries(m, entry)
    return H


def printed_hessian() -> sp.Matrix:
    w2, w3 = w_s ** 2, w_s ** 3
    return sp.Matrix([
        [1 / w_s, 1 / w_s, -a1 / (2 * w2) + 2 * D1, (a1 - a_s) / (2 * w2)],
        [1 / w_s, 1 / w_s, -a1 / (2 * w2), (a1 - a_s) / (2 * w2) + 2 * D1],
        [-a1 / (2 * w2) + 2 * D1, -a1 / (2 * w2), a1 ** 2 / (2 * w3) - 2 * a1 * D2,
         a1 * (a_s - a1) / (2 * w3)],
        [(a1 - a_s) / (2 * w2), (a1 - a_s) / (2 * w2) + 2 * D1,
         a1 * (a_s - a1) / (2 * w3),
         (a_s - a1) ** 2 / (2 * w3) - 2 * (a_s - a1) * D2]])


def printed_reduced() -> sp.Matrix:
    w3 = w_s ** 3
    c = a1 * (a_s - a1) / (4 * w3) + D1 / w_s * (a_s - a1)
    return sp.Matrix([
        [1 / w_s, 0, 0, 0],
        [0, 0, -2 * D1, 2 * D1],
        [0, -2 * D1,
         a1 ** 2 / (4 * w3) + 2 * (D1 / w_s - D2) * a1 - 4 * D2 ** 2 * w_s, c],
        [0, 2 * D1, c, (a_s - a1) ** 2 / (4 * w3) - 2 * (a_s - a1) * D2]])


def congruence() -> sp.Matrix:
    """T with T H T^T = the reduced matrix of Remark 4.6."""
    H = hessian_m2()
    T1 = sp.eye(4)
    T1[1, 0] = -1                                # row 2 - row 1
    H1 = T1 * H * T1.T
    T2 = sp.eye(4)
    for i in (2, 3):
        T2[i, 0] = -H1[i, 0] / H1[0, 0]          # eliminate column 1
    return (T2 * T1).applyfunc(sp.cancel)


INTRO_TEX = r"""For $m=2$, $m^*=1$ the Hessian of $J_2$ on
$\mathcal{M}^*_{\mathcal{P}}$ is built from the generic entries and compared
with the matrix printed in Remark~4.6; the congruence of the remark and the
determinant of the reduced $3\times3$ block follow, then the block
congruence used in the proof of Proposition~4.4.  Here
$\Delta_1,\Delta_2$ stand for $\Delta_{1,\omega}(w^*),\Delta_{2,\omega}(w^*)$."""


@functools.lru_cache(maxsize=None)
def derive() -> Derivation:
    d = Derivation("remark-4.6", "Negative Hessian eigenvalue for m = 2, m* = 1",
                   "Section 4.2.2 (3), Remark 4.6 and proof of Prop. 4.4",
                   title_tex=r"Remark 4.6: a negative Hessian eigenvalue for "
                   r"$m=2$, $m^*=1$", intro_tex=INTRO_TEX)
    H = hessian_m2()
    d.add(Step("Remark 4.6, Hessian of J_2 on M*_P", sp.Symbol("Hess J_2"),
               H, "generic entries (92)-(99) at w_hat = (w*, w*), "
               "a_hat_2 = a* - a_hat_1", printed=printed_hessian(),
               lhs_tex=r"\Hess J_2(\hat a,\hat w)",
               justification_tex=r"The generic entries (92)--(99) at "
               r"$\hat w=(w^*,w^*)$, $\hat a=(\hat a_1,a^*-\hat a_1)$; "
               r"$\Delta_{n,\omega}$ at $w^*$"))
    T = congruence()
    R = (T * H * T.T).applyfunc(lambda e: sp.expand(sp.cancel(e)))
    printed = printed_reduced()
    differ = [(i, j) for i in range(4) for j in range(i, 4)
              if sp.simplify(R[i, j] - printed[i, j]) != 0]
    others = sp.Matrix(4, 4, lambda i, j: R[i, j] if (min(i, j), max(i, j))
                       in differ else printed[i, j])
    d.add(Step("Remark 4.6, congruent transformation, entries other than "
               + ", ".join(f"({i + 1},{j + 1})" for i, j in differ),
               sp.Symbol("T H T^T"), R,
               "row/column 2 minus row/column 1, then eliminate against 1/w*",
               printed=others, lhs_tex=r"T\,\Hess J_2\,T^{\top}",
               justification_tex=r"Congruence: row and column 2 minus row and "
               r"column 1, then elimination of column 1 against the pivot "
               r"$1/w^*$; compared with the printed matrix except for the "
               r"entry shown next"))
    for i, j in differ:
        d.add(Step(f"Remark 4.6, transformed matrix, entry ({i + 1},{j + 1})",
                   sp.Symbol(f"R_{i + 1}{j + 1}"), R[i, j],
                   "Schur complement H_33 - H_13^2 / H_11",
                   printed=printed[i, j],
                   note="the last term is -4 Delta_1^2 w*, not "
                        "-4 Delta_2^2 w*; it is O(Delta^2) either way, so "
                        "the conclusion of the remark stands",
                   lhs_tex=r"\bigl(T\,\Hess J_2\,T^{\top}\bigr)_{%d%d}"
                   % (i + 1, j + 1),
                   justification_tex=r"Schur complement $H_{33}-H_{13}^2/H_{11}$",
                   note_tex=r"The last term is $-4\Delta_{1,\omega}(w^*)^2w^*$, "
                   r"not $-4\Delta_{2,\omega}(w^*)^2w^*$ as printed; it is "
                   r"$\mathcal{O}(\Delta^2)$ either way, so the conclusion of "
                   r"the remark stands."))
    B = R[1:, 1:]
    det = sp.factor(B.det())
    d.add(Step("Remark 4.6, determinant of the 3x3 block", sp.Symbol("det B"),
               det, "expansion along the first row: -4 Delta_1^2 (A + 2B + C)",
               printed=None,
               note="derived: -4 Delta_1^2 (a*^2/(4 w*^3) + 2 a* Delta_1/w* "
                    "- 2 a* Delta_2 - 4 w* Delta_1^2)",
               lhs_tex=r"\det B",
               justification_tex=r"$B$ the lower $3\times3$ block of "
               r"$T\,\Hess J_2\,T^{\top}$, expanded along its first row",
               note_tex=r"That is, $\det B=-4\Delta_1^2\bigl(\frac{a^{*2}}"
               r"{4w^{*3}}+\frac{2a^*\Delta_1}{w^*}-2a^*\Delta_2-4w^*"
               r"\Delta_1^2\bigr)$ with $\Delta_n=\Delta_{n,\omega}(w^*)$."))
    leading = sp.simplify(sp.cancel(det / (-4 * D1 ** 2)).subs({D1: 0, D2: 0}))
    d.add(Step("Remark 4.6, leading term", sp.Symbol("det B / (-4 Delta_1^2) "
                                                     "at Delta = 0"),
               leading, "the o(1) part vanishes with Delta_1, Delta_2",
               printed=a_s ** 2 / (4 * w_s ** 3),
               lhs_tex=r"\frac{\det B}{-4\Delta_{1,\omega}(w^*)^2}"
               r"\Big|_{\Delta=0}",
               justification_tex=r"The $o(1)$ part vanishes with "
               r"$\Delta_{1,\omega},\Delta_{2,\omega}$"))
    minor = sp.factor(B[:2, :2].det())
    d.add(Step("2x2 principal minor (rows 2-3 of T H T^T)", sp.Symbol("minor"),
               minor, "its determinant is negative whenever Delta_1 != 0",
               printed=-4 * D1 ** 2,
               note="so Hess J_2 is indefinite for every omega > 0 with "
                    "Delta_1(w*) != 0, not only for 0 < omega << 1",
               lhs_tex=r"\det B_{1:2,1:2}",
               justification_tex=r"The leading $2\times2$ principal minor of "
               r"$B$ (rows 2--3 of $T\,\Hess J_2\,T^{\top}$), negative "
               r"whenever $\Delta_{1,\omega}(w^*)\ne0$",
               note_tex=r"So $\Hess J_2$ is indefinite for every $\omega>0$ "
               r"with $\Delta_{1,\omega}(w^*)\ne0$, not only for "
               r"$0<\omega\ll1$."))
    # Proposition 4.4: the block congruence
    d1, d2 = sp.symbols("d_1 d_2", nonzero=True)
    Z, I = sp.zeros(1, 1), sp.eye(1)
    E_ = sp.Matrix([[0, d1], [d1, d2]])
    L = sp.Matrix([[1, 0], [-d2 / (2 * d1), 1]])
    d.add(Step("Prop. 4.4 proof, congruence of E_omega (one index)",
               sp.Symbol("L E L^T"), (L * E_ * L.T).applyfunc(sp.simplify),
               "the transformation printed in the proof, with D_1 = d_1, "
               "D_2 = d_2", printed=sp.Matrix([[0, d1], [d1, 0]]),
               lhs_tex=r"L\begin{bmatrix}0&d_1\\d_1&d_2\end{bmatrix}L^{\top}",
               justification_tex=r"The congruence printed in the proof of "
               r"Proposition~4.4 for one index, $D_1=d_1$, $D_2=d_2$, "
               r"$L=\bigl[\begin{smallmatrix}1&0\\-d_2/(2d_1)&1"
               r"\end{smallmatrix}\bigr]$"))
    ev = sorted(sp.Matrix([[0, d1], [d1, 0]]).eigenvals().keys(), key=str)
    d.add(Step("Prop. 4.4 proof, eigenvalues of E~", sp.Symbol("eig"),
               sp.Matrix(ev), "characteristic polynomial x^2 - d_1^2",
               printed=sp.Matrix(sorted([-d1, d1], key=str)),
               lhs_tex=r"\operatorname{spec}\tilde{\mathcal{E}}_\omega",
               justification_tex=r"Characteristic polynomial $x^2-d_1^2$ of "
               r"$\bigl[\begin{smallmatrix}0&d_1\\d_1&0\end{smallmatrix}"
               r"\bigr]$"))
    return d
