"""Theorem 3.1, eq. (44): the construction W = diag(-1, ..., -m),
c = (1, ..., 1), U_ij = alpha_ji reproduces p_i(e^-s) = sum_j alpha_ij
e^(-j s) exactly.

Section 3.1, proof of Theorem 3.1.  Shown for m = 3, d = 2 with symbolic
alpha_ij (the lemma-3.2 check repeats it for m = 1..4), and the kernel of
eq. (41) for the same matrices.
"""
from __future__ import annotations

import functools

import sympy as sp

from cmwork.derivation import Derivation, Step

M, D = 3, 2
s = sp.Symbol("s", nonnegative=True)
ALPHA = sp.Matrix(D, M, lambda i, j: sp.Symbol(f"alpha_{i + 1}{j + 1}"))

INTRO_TEX = r"""For $m=3$, $d=2$ and symbolic coefficients $\alpha_{ij}$ of
$p_i(u)=\sum_{j=1}^m\alpha_{ij}u^j$, the kernel $U^\top e^{W^\top s}c$ of
eq.~(41) is computed with $W=\operatorname{diag}(-1,\dots,-m)$,
$c=(1,\dots,1)$ and $U_{ij}=\alpha_{ji}$."""


@functools.lru_cache(maxsize=None)
def derive() -> Derivation:
    d = Derivation("thm-3.1", "The construction of eq. (44)",
                   "Section 3.1, proof of Theorem 3.1, eq. (44)",
                   title_tex=r"Theorem 3.1: the construction of eq.~(44)",
                   intro_tex=INTRO_TEX)
    W = sp.diag(*[-(j + 1) for j in range(M)])
    c = sp.ones(M, 1)
    U = ALPHA.T
    kernel = (U.T * (W.T * s).exp() * c).applyfunc(sp.expand)
    u = sp.exp(-s)
    p = sp.Matrix([sum(ALPHA[i, j] * u ** (j + 1) for j in range(M))
                   for i in range(D)])
    d.add(Step("eq. (44)", sp.Symbol("U^T e^(W^T s) c"), kernel,
               "e^(W^T s) = diag(e^-s, e^-2s, e^-3s); U^T = (alpha_ij)",
               printed=p, lhs_tex=r"U^\top e^{W^\top s}c",
               justification_tex=r"The matrix $e^{W^\top s}$ is diagonal with "
               r"entries $e^{-js}$, and $U^\top=(\alpha_{ij})$; the printed "
               r"right-hand side is $(p_1(e^{-s}),p_2(e^{-s}))^\top$"))
    return d
