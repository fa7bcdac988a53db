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
    H = sp.zeros(4, 4)
    for k in range(m):
        for l in range(m):
            if k == l:
                H[k, k] = entry("aa_kk", k, k)
                H[k, m + k] = H[m + k, k] = entry("aw_kk", k, k)
                H[m + k, m + k] = entry("ww_kk", k, k)
            else:
                H[k, l] = entry("aa", k, l)
                H[k, m + l] = H[m + l, k] = entry("aw", k, l)
                H[m + k, m + l] = entry("ww", k, l)
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


@functools.lru_cache(maxsize=None)
def derive() -> Derivation:
    d = Derivation("remark-4.6", "Negative Hessian eigenvalue for m = 2, m* = 1",
                   "Section 4.2.2 (3), Remark 4.6 and proof of Prop. 4.4")
    H = hessian_m2()
    d.add(Step("Remark 4.6, Hessian of J_2 on M*_P", sp.Symbol("Hess J_2"),
               H, "generic entries (92)-(99) at w_hat = (w*, w*), "
               "a_hat_2 = a* - a_hat_1", printed=printed_hessian()))
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
               printed=others))
    for i, j in differ:
        d.add(Step(f"Remark 4.6, transformed matrix, entry ({i + 1},{j + 1})",
                   sp.Symbol(f"R_{i + 1}{j + 1}"), R[i, j],
                   "Schur complement H_33 - H_13^2 / H_11",
                   printed=printed[i, j],
                   note="the last term is -4 Delta_1^2 w*, not "
                        "-4 Delta_2^2 w*; it is O(Delta^2) either way, so "
                        "the conclusion of the remark stands"))
    B = R[1:, 1:]
    det = sp.factor(B.det())
    d.add(Step("Remark 4.6, determinant of the 3x3 block", sp.Symbol("det B"),
               det, "expansion along the first row: -4 Delta_1^2 (A + 2B + C)",
               printed=None,
               note="derived: -4 Delta_1^2 (a*^2/(4 w*^3) + 2 a* Delta_1/w* "
                    "- 2 a* Delta_2 - 4 w* Delta_1^2)"))
    leading = sp.simplify(sp.cancel(det / (-4 * D1 ** 2)).subs({D1: 0, D2: 0}))
    d.add(Step("Remark 4.6, leading term", sp.Symbol("det B / (-4 Delta_1^2) "
                                                     "at Delta = 0"),
               leading, "the o(1) part vanishes with Delta_1, Delta_2",
               printed=a_s ** 2 / (4 * w_s ** 3)))
    minor = sp.factor(B[:2, :2].det())
    d.add(Step("2x2 principal minor (rows 2-3 of T H T^T)", sp.Symbol("minor"),
               minor, "its determinant is negative whenever Delta_1 != 0",
               printed=-4 * D1 ** 2,
               note="so Hess J_2 is indefinite for every omega > 0 with "
                    "Delta_1(w*) != 0, not only for 0 < omega << 1"))
    # Proposition 4.4: the block congruence
    d1, d2 = sp.symbols("d_1 d_2", nonzero=True)
    Z, I = sp.zeros(1, 1), sp.eye(1)
    E_ = sp.Matrix([[0, d1], [d1, d2]])
    L = sp.Matrix([[1, 0], [-d2 / (2 * d1), 1]])
    d.add(Step("Prop. 4.4 proof, congruence of E_omega (one index)",
               sp.Symbol("L E L^T"), (L * E_ * L.T).applyfunc(sp.simplify),
               "the transformation printed in the proof, with D_1 = d_1, "
               "D_2 = d_2", printed=sp.Matrix([[0, d1], [d1, 0]])))
    ev = sorted(sp.Matrix([[0, d1], [d1, 0]]).eigenvals().keys(), key=str)
    d.add(Step("Prop. 4.4 proof, eigenvalues of E~", sp.Symbol("eig"),
               sp.Matrix(ev), "characteristic polynomial x^2 - d_1^2",
               printed=sp.Matrix(sorted([-d1, d1], key=str))))
    return d
