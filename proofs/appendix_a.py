"""Appendix A: the symbolic steps of Lemma A.1, Theorems A.2-A.3,
Lemma A.2 and Proposition A.1.

* Lemma A.1: J_1(a, w) = a^2/(2w) - 2 a L[rho](w) + ||rho||^2, the square
  completed, a(w) = 2 w L[rho](w) and h(w) = ||rho||^2 - 2 w L[rho](w)^2.
* Theorem A.2: p_m = S(m, m-1) and q_m = S(m, m-2) from the recurrences
  the proof writes down (SymPy's rsolve), and the quadratic bound
  (m+1)(3m-2)/24.
* Theorem A.3: eqs. (119)-(121) against the engine's generic entries.
* Lemma A.2: the Cauchy determinant of the Gram matrix 1/(v_i + v_j) and
  the Wronskian of e^{lambda_i t}, both for three exponents.
* Proposition A.1 (m = m* = 2): the Hessian on the line
  (a_1, a_hat - a_1, w_hat, w_hat) from the generic entries, the
  congruence, the determinant (130), the optimality conditions (131),
  identity (132) and every step of the discriminant argument, each
  compared with the paper as printed.  Added: the quantity that the
  discriminant argument signs, a_hat^2 + 16 w_hat^3 a_hat c(w_hat), is
  4 w_hat^4 det Hess J_1(a_hat, w_hat); it is >= 0 at any minimizer of
  J_1, so the condition w*_2/w*_1 < 2 + sqrt 3 is not needed.
"""
from __future__ import annotations

import functools

import sympy as sp

from cmwork import symbolic as S
from cmwork.derivation import Derivation, Step
from cmwork.loss import hessian_from_entries

# Lemma A.1
a, L, N = sp.Symbol("a", real=True), sp.Symbol("L", real=True), \
    sp.Symbol("N", positive=True)
w = sp.Symbol("w", positive=True)
t = sp.Symbol("t", nonnegative=True)

# Proposition A.1
a1 = sp.Symbol("a_1", real=True)
ah = sp.Symbol("ahat", real=True)
wh = sp.Symbol("what", positive=True)
A_S = sp.symbols("a*_1 a*_2", real=True)
W_S = sp.symbols("w*_1 w*_2", positive=True)
c = sp.Symbol("c", real=True)
v1, v2 = sp.symbols("v_1 v_2", positive=True)
u1, u2 = sp.symbols("u_1 u_2", positive=True)
s = sp.Symbol("s", positive=True)
m = sp.Symbol("m", integer=True, positive=True)


def P(n, x):
    """P_n(x) = sum_j a*_j / (x + w*_j)^{n+1} (the target's n-th moment / n!)."""
    return sum(aj / (x + wj) ** (n + 1) for aj, wj in zip(A_S, W_S))


def c_of(x):
    """c(w) of the proof of Proposition A.1."""
    return sum(aj * (1 / (2 * x * (x + wj) ** 2) - 1 / (x + wj) ** 3)
               for aj, wj in zip(A_S, W_S))


#: a_hat from the second optimality condition of (131): a = 4 w^2 P_1(w).
AHAT_131 = 4 * wh ** 2 * P(1, wh)


def hessian(a_vals, w_vals) -> sp.Matrix:
    """Hess J_m at (a_vals, w_vals) for the target sum_j a*_j e^{-w*_j t},
    from the generic entries of :mod:`cmwork.symbolic`."""
    E = S.loss_entries()
    n = len(a_vals)

    def entry(name, k, l):
        reps = {S.a_k: a_vals[k], S.w_k: w_vals[k], S.a_l: a_vals[l],
                S.w_l: w_vals[l]}
        for q in range(3):
            for idx, Ss, Ms in ((k, S.S_k, S.M_k), (l, S.S_l, S.M_l)):
                reps[Ss[q]] = sum(x / (w_vals[idx] + y) ** (q + 1)
                                  for x, y in zip(a_vals, w_vals))
                reps[Ms[q]] = sp.factorial(q) * P(q, w_vals[idx])
        return getattr(E, name).xreplace(reps)

    H = hessian_from_entries(n, entry)
    return H


def line_hessian() -> sp.Matrix:
    """A(a_1) = Hess J_2(a_1, a_hat - a_1, w_hat, w_hat), a_hat from (131)."""
    H = hessian([a1, ah - a1], [wh, wh])
    return H.xreplace({ah: AHAT_131})


def printed_line_hessian(symbolic_c: bool = False) -> sp.Matrix:
    """The printed A(a_1); with ``symbolic_c`` c(w_hat) and a_hat stay symbols."""
    a2, cc = ah - a1, (c if symbolic_c else c_of(wh))
    w2, w3 = wh ** 2, wh ** 3
    M = sp.Matrix([
        [1 / wh, 1 / wh, -a1 / (2 * w2), -a2 / (2 * w2)],
        [1 / wh, 1 / wh, -a1 / (2 * w2), -a2 / (2 * w2)],
        [-a1 / (2 * w2), -a1 / (2 * w2), a1 ** 2 / (2 * w3) + 4 * cc * a1,
         a1 * a2 / (2 * w3)],
        [-a2 / (2 * w2), -a2 / (2 * w2), a1 * a2 / (2 * w3),
         a2 ** 2 / (2 * w3) + 4 * cc * a2]])
    return M if symbolic_c else M.xreplace({ah: AHAT_131})


def reduced_printed(cc=c) -> sp.Matrix:
    """The printed congruent form diag(1/w_hat, 0, A') with c(w_hat) = cc."""
    a2, w3 = ah - a1, wh ** 3
    return sp.Matrix([
        [1 / wh, 0, 0, 0], [0, 0, 0, 0],
        [0, 0, a1 ** 2 / (4 * w3) + 4 * cc * a1, a1 * a2 / (4 * w3)],
        [0, 0, a1 * a2 / (4 * w3), a2 ** 2 / (4 * w3) + 4 * cc * a2]])


def a_prime(cc=c) -> sp.Matrix:
    return reduced_printed(cc)[2:, 2:]


def _congruence(H: sp.Matrix) -> sp.Matrix:
    T1 = sp.eye(4)
    T1[1, 0] = -1                                   # row 2 - row 1
    H1 = T1 * H * T1.T
    T2 = sp.eye(4)
    for i in (2, 3):
        T2[i, 0] = -H1[i, 0] / H1[0, 0]             # eliminate column 1
    return (T2 * H1 * T2.T).applyfunc(sp.cancel)


INTRO_TEX = r"""Appendix~A in the notation of the paper: $J_d(b,v)=\|\sum_j
b_je^{-v_jt}-\rho\|^2$, $L=\mathcal{L}[\rho](w)$ and $N=\|\rho\|^2_{L^2[0,
\infty)}$.  For Proposition~A.1 the target is
$a_1^*e^{-w_1^*t}+a_2^*e^{-w_2^*t}$, $(\hat a,\hat w)$ minimizes $J_1$,
$v_j=w_j^*/\hat w$, $u_j=1+v_j$, $c=a_2^*/a_1^*$ in the discriminant
argument and $s=u_2/u_1$; where a step uses the optimality conditions
(131), $\hat a$ is replaced by $4\hat w^2\sum_j a_j^*/(\hat w+w_j^*)^2$."""


@functools.lru_cache(maxsize=None)
def derive() -> Derivation:
    d = Derivation("appendix-a", "Landscape analysis: Lemma A.1, Theorems "
                   "A.2-A.3, Lemma A.2, Proposition A.1",
                   "Appendix A, eqs. (107)-(132)",
                   title_tex=r"Appendix A: Lemma A.1, Theorems A.2--A.3, "
                   r"Lemma A.2 and Proposition A.1", intro_tex=INTRO_TEX)
    _lemma_a_1(d)
    _theorem_a_2(d)
    _theorem_a_3(d)
    _lemma_a_2(d)
    _proposition_a_1(d)
    return d


# ---------------------------------------------------------------------------

def _lemma_a_1(d):
    quad = sp.integrate(a ** 2 * sp.exp(-2 * w * t), (t, 0, sp.oo))
    J1 = quad - 2 * a * L + N
    d.add(Step("Lemma A.1, J_1 expanded", sp.Symbol("J_1"), J1,
               "int_0^oo (a e^{-wt} - rho)^2 dt, with int a^2 e^{-2wt} dt by "
               "SymPy and int e^{-wt} rho dt = L",
               printed=a ** 2 / (2 * w) - 2 * L * a + N,
               lhs_tex=r"J_1(a,w)",
               justification_tex=r"$\int_0^\infty(ae^{-wt}-\rho)^2dt$ with "
               r"$\int_0^\infty a^2e^{-2wt}dt$ by SymPy and "
               r"$\int_0^\infty e^{-wt}\rho\,dt=L$"))
    d.add(Step("Lemma A.1, the square completed", sp.Symbol("J_1"), J1,
               "the second line of the proof",
               printed=(a - 2 * w * L) ** 2 / (2 * w) + N - 2 * w * L ** 2,
               lhs_tex=r"J_1(a,w)",
               justification_tex="The second line of the proof"))
    a_w = sp.solve(sp.diff(J1, a), a)[0]
    d.add(Step("Lemma A.1, a(w)", sp.Symbol("a(w)"), a_w,
               "the root of dJ_1/da = 0", printed=2 * w * L,
               lhs_tex=r"a(w)", justification_tex=r"The root of "
               r"$\partial J_1/\partial a=0$"))
    d.add(Step("Lemma A.1, h(w)", sp.Symbol("h(w)"),
               sp.expand(J1.subs(a, a_w)), "J_1(a(w), w)",
               printed=N - 2 * w * L ** 2, lhs_tex=r"h(w)",
               justification_tex=r"$J_1(a(w),w)$"))
    Lf = sp.Function("L")(w)
    hp = sp.factor(sp.diff(N - 2 * w * Lf ** 2, w))
    d.add(Step("Lemma A.1, h'(w)", sp.Symbol("h'(w)"), hp,
               "differentiated; L' = -M_1, so the critical points solve "
               "L = 0 (maxima, h = N) or L - 2 w M_1 = 0",
               lhs_tex=r"h'(w)", justification_tex=r"Differentiated; "
               r"with $L'=-M_1$ the critical points solve $L=0$ (maxima, "
               r"$h=N$) or $L-2wM_1=0$, as cmwork's search does"))
    # Remark A.1: sqrt(w) L -> 0 at both ends for an exponential sum
    Lsum = A_S[0] / (w + W_S[0]) + A_S[1] / (w + W_S[1])
    lims = sp.Matrix([sp.limit(sp.sqrt(w) * Lsum, w, 0, "+"),
                      sp.limit(sp.sqrt(w) * Lsum, w, sp.oo)])
    d.add(Step("Remark A.1, sqrt(w) L[rho](w) at w -> 0+ and w -> oo",
               sp.Symbol("limits"), lims,
               "SymPy's limits for rho = a*_1 e^{-w*_1 t} + a*_2 e^{-w*_2 t}",
               printed=sp.Matrix([0, 0]), lhs_tex=r"\lim\sqrt{w}\,"
               r"\mathcal{L}[\rho](w)",
               justification_tex=r"SymPy's limits at $w\to0^+$ and "
               r"$w\to\infty$ for $\rho=a^*_1e^{-w^*_1t}+a^*_2e^{-w^*_2t}$"))


def _theorem_a_2(d):
    k = sp.Symbol("k", integer=True, positive=True)
    p_sol = sp.factor(1 + sp.summation(k - 1, (k, 3, m)))
    d.add(Step("Theorem A.2, p_m = S(m, m-1)", sp.Symbol("p_m"), p_sol,
               "p_m = (m-1) + p_{m-1} telescoped from p_2 = S(2, 1) = 1",
               printed=m * (m - 1) / 2, lhs_tex=r"p_m",
               justification_tex=r"$p_m=(m-1)+p_{m-1}$ telescoped from "
               r"$p_2=S(2,1)=1$ (SymPy's summation)"))
    q_sol = sp.factor(sp.summation((k - 2) * p_sol.subs(m, k - 1), (k, 3, m)))
    printed_q = sp.Rational(1, 24) * (2 * (m - 2) * (m - 1) * (2 * m - 3)
                                      + 3 * (m - 2) ** 2 * (m - 1) ** 2)
    d.add(Step("Theorem A.2, q_m = S(m, m-2)", sp.Symbol("q_m"), q_sol,
               "q_m = (m-2) p_{m-1} + q_{m-1} telescoped from q_2 = S(2, 0) "
               "= 0", printed=printed_q, lhs_tex=r"q_m",
               justification_tex=r"$q_m=(m-2)p_{m-1}+q_{m-1}$ telescoped "
               r"from $q_2=S(2,0)=0$ (SymPy's summation)",
               note="that is, m(m-1)(m-2)(3m-5)/24 = C(m,3) + 3 C(m,4)"))
    bound = sp.factor(sp.simplify(p_sol / m + q_sol / (m * (m - 1))))
    d.add(Step("Theorem A.2, [(m-1)! p_m + (m-2)! q_m] / m!",
               sp.Symbol("bound"), bound, "p_m/m + q_m/(m(m-1))",
               printed=(m + 1) * (3 * m - 2) / 24,
               lhs_tex=r"\frac{(m-1)!\,p_m+(m-2)!\,q_m}{m!}",
               justification_tex=r"$p_m/m+q_m/(m(m-1))$",
               note="the strict > of the proof needs a third term d <= m-3, "
                    "so m >= 4: at m = 2 and m = 3 the sum (118) equals "
                    "the two terms kept"))


def _theorem_a_3(d):
    E = S.loss_entries()
    printed = {
        "aa": 2 / (S.w_k + S.w_l),
        "aw": -2 * S.a_l / (S.w_k + S.w_l) ** 2,
        "aw_kk": -S.a_k / (2 * S.w_k ** 2) - 2 * (S.S_k[1] - S.M_k[1]),
    }
    tex = {"aa": r"\frac{\partial^2J_m}{\partial a_k\partial a_l}",
           "aw": r"\frac{\partial^2J_m}{\partial a_k\partial w_l}",
           "aw_kk": r"\frac{\partial^2J_m}{\partial a_k\partial w_k}"}
    for (name, eq) in (("aa", "119"), ("aw", "120"), ("aw_kk", "121")):
        d.add(Step(f"eq. ({eq})", sp.Symbol(name), getattr(E, name),
                   "generic entry of cmwork.symbolic (any target)",
                   printed=printed[name], lhs_tex=tex[name],
                   justification_tex=r"The generic entry of "
                   r"\texttt{cmwork.symbolic} for any target; "
                   r"$2\int_0^\infty(-t)e^{-w_kt}(\hat\rho-\rho)\,dt="
                   r"-2(S_1(w_k)-M_1(w_k))$"))


def _lemma_a_2(d):
    vs = sp.symbols("v_1:4", positive=True)
    G = sp.Matrix(3, 3, lambda i, j: 1 / (vs[i] + vs[j]))
    cauchy = sp.Mul(*[(vs[i] - vs[j]) ** 2 for i in range(3)
                      for j in range(i + 1, 3)]) / sp.Mul(
        *[vs[i] + vs[j] for i in range(3) for j in range(3)])
    d.add(Step("Lemma A.2, Gram determinant on [0, oo)", sp.Symbol("det G"),
               sp.factor(G.det()), "det of 1/(v_i + v_j), three exponents",
               printed=cauchy, versus="Cauchy's determinant formula",
               lhs_tex=r"\det\Bigl[\tfrac{1}{v_i+v_j}\Bigr]_{i,j=1}^3",
               justification_tex=r"The Gram matrix of $e^{-v_it}$ on "
               r"$[0,\infty)$; positive iff the $v_i$ are distinct, the "
               r"closed form used by the certified check of Lemma~A.2"))
    lam = sp.symbols("lambda_1:4", real=True)
    x = sp.Symbol("x", real=True)
    fs = [sp.exp(li * x) for li in lam]
    W = sp.Matrix(3, 3, lambda i, j: sp.diff(fs[j], x, i))
    vander = sp.Mul(*[(lam[j] - lam[i]) for i in range(3)
                      for j in range(i + 1, 3)]) * sp.exp(sum(lam) * x)
    d.add(Step("Lemma A.2, Wronskian of e^{lambda_i t}", sp.Symbol("Wr"),
               sp.factor(sp.simplify(W.det())), "det of the derivatives "
               "0..2 of e^{lambda_j x}", printed=vander,
               versus="Vandermonde's determinant",
               lhs_tex=r"\operatorname{Wr}(e^{\lambda_1x},e^{\lambda_2x},"
               r"e^{\lambda_3x})",
               justification_tex=r"An alternative to the induction (116): "
               r"nonzero for distinct $\lambda_i$ at every $x$"))


def _proposition_a_1(d):
    H = line_hessian()
    d.add(Step("Prop. A.1, the Hessian on the line", sp.Symbol("A(a_1)"),
               H, "generic entries at (a_1, a_hat - a_1, w_hat, w_hat), "
               "a_hat from (131)", printed=printed_line_hessian(),
               lhs_tex=r"\mathcal{A}_{(\hat a,\hat w)}(a_1)",
               justification_tex=r"The generic entries at "
               r"$(a_1,\hat a-a_1,\hat w,\hat w)$, with $\hat a=4\hat w^2"
               r"\sum_ja_j^*/(\hat w+w_j^*)^2$ from (131)"))
    R = _congruence(printed_line_hessian(symbolic_c=True))
    d.add(Step("Prop. A.1, the congruent transformation", sp.Symbol("T A T^T"),
               R, "row/column 2 minus row/column 1 of the printed A, then "
               "elimination against the pivot 1/w_hat",
               printed=reduced_printed(),
               lhs_tex=r"T\mathcal{A}T^{\top}",
               justification_tex=r"Row and column 2 minus row and column 1 "
               r"of the printed $\mathcal{A}$, then elimination of column 1 "
               r"against the pivot $1/\hat w$ ($c=c(\hat w)$, $\hat a$ kept)"))
    Ap = a_prime()
    det = sp.factor(Ap.det())
    d.add(Step("eq. (130), first form", sp.Symbol("det A'"), det,
               "det of A' with c = c(w_hat)",
               printed=a1 * (ah - a1) * 4 * c * (ah / (4 * wh ** 3) + 4 * c),
               lhs_tex=r"\det\mathcal{A}'", justification_tex=r"The "
               r"determinant of $\mathcal{A}'$, $c=c(\hat w)$"))
    d.add(Step("eq. (130), second form", sp.Symbol("det A'"), det,
               "the same, rearranged",
               printed=a1 * (ah - a1) * ah * c * (ah ** 2 + 16 * wh ** 3 * ah * c)
               / (ah ** 2 * wh ** 3), lhs_tex=r"\det\mathcal{A}'",
               justification_tex="The same determinant, rearranged"))
    d.add(Step("eq. (131), the two optimality conditions",
               sp.Symbol("grad J_1"),
               sp.Matrix(_j1_gradient_conditions()),
               "dJ_1/da = 0 and dJ_1/dw = 0 at (a_hat, w_hat), solved for "
               "a_hat", printed=sp.Matrix([2 * wh * P(0, wh), AHAT_131]),
               lhs_tex=r"\hat a", justification_tex=r"$\partial J_1/"
               r"\partial a=0$ and $\partial J_1/\partial w=0$ at "
               r"$(\hat a,\hat w)$, each solved for $\hat a$"))
    d.add(Step("Prop. A.1, c(w_hat) after (131)", sp.Symbol("c(what)"),
               c_of(wh), "the definition of c, with (131)",
               printed=(ah / (8 * wh ** 3) - P(2, wh)).xreplace({ah: AHAT_131}),
               lhs_tex=r"c(\hat w)", justification_tex=r"The definition of "
               r"$c$, with the second condition of (131)"))
    vrep = {W_S[0]: v1 * wh, W_S[1]: v2 * wh}
    T = [sum(aj / (1 + vj) ** k for aj, vj in zip(A_S, (v1, v2)))
         for k in range(4)]
    d.add(Step("Prop. A.1, (131) with v_j = w*_j / w_hat", sp.Symbol("ahat"),
               sp.Matrix([sp.simplify((2 * wh * P(0, wh)).xreplace(vrep)),
                          sp.simplify(AHAT_131.xreplace(vrep))]),
               "w*_j = v_j w_hat in both conditions",
               printed=sp.Matrix([2 * T[1], 4 * T[2]]), lhs_tex=r"\hat a",
               justification_tex=r"$w_j^*=v_j\hat w$ in both conditions"))
    w3c = sp.simplify((wh ** 3 * (ah / (8 * wh ** 3) - P(2, wh))).xreplace(vrep))
    d.add(Step("Prop. A.1, w_hat^3 c(w_hat) with v_j", sp.Symbol("what^3 c"),
               w3c, "w*_j = v_j w_hat", printed=ah / 8 - T[3],
               lhs_tex=r"\hat w^3c(\hat w)",
               justification_tex=r"$w_j^*=v_j\hat w$"))
    d.add(Step("eq. (132), first line", sp.Symbol("8 what^3 ahat c"),
               sp.expand(8 * ah * w3c), "8 a_hat times the previous step",
               printed=ah ** 2 - 8 * ah * T[3],
               lhs_tex=r"8\hat w^3\hat ac(\hat w)",
               justification_tex=r"$8\hat a$ times the previous step"))
    d.add(Step("eq. (132), last line", sp.Symbol("8 what^3 ahat c"),
               sp.factor(sp.together(16 * T[2] ** 2 - 16 * T[1] * T[3])),
               "a_hat^2 = 16 T_2^2 and a_hat = 2 T_1 (T_k = sum a*_j/(1+v_j)^k)",
               printed=-16 * A_S[0] * A_S[1] * (v1 - v2) ** 2
               / ((1 + v1) ** 3 * (1 + v2) ** 3),
               lhs_tex=r"8\hat w^3\hat ac(\hat w)",
               justification_tex=r"$\hat a^2=16T_2^2$ and $\hat a=2T_1$ "
               r"with $T_k=\sum_ja_j^*/(1+v_j)^k$, then factored"))
    _discriminant(d, T)
    _second_order(d)


def _j1_gradient_conditions():
    """a_hat from dJ_1/da = 0 and from dJ_1/dw = 0 (generic entries, m = 1)."""
    E = S.loss_entries()
    reps = {S.a_k: ah, S.w_k: wh}
    for q in range(3):
        reps[S.S_k[q]] = ah / (2 * wh) ** (q + 1)
        reps[S.M_k[q]] = sp.factorial(q) * P(q, wh)
    ga = E.grad_a.xreplace(reps)
    gw = sp.cancel(E.grad_w.xreplace(reps) / ah)
    return [sp.solve(ga, ah)[0], sp.solve(gw, ah)[0]]


def _discriminant(d, T):
    first = sp.expand(ah ** 2 + 2 * (ah ** 2 - 8 * ah * T[3]))
    d.add(Step("Prop. A.1 (ii), a_hat^2 + 16 w_hat^3 a_hat c", sp.Symbol("Q"),
               first, "16 w_hat^3 a_hat c = 2 (a_hat^2 - 8 a_hat T_3) by (132)",
               printed=3 * ah ** 2 - 16 * ah * T[3],
               lhs_tex=r"\hat a^2+16\hat w^3\hat ac(\hat w)",
               justification_tex=r"$16\hat w^3\hat ac=2(\hat a^2-8\hat aT_3)$"
               r" by the first line of (132)"))
    second = sp.expand(3 * (4 * T[2]) ** 2 - 16 * (2 * T[1]) * T[3])
    d.add(Step("Prop. A.1 (ii), second line", sp.Symbol("Q"), second,
               "a_hat^2 = 16 T_2^2 and a_hat = 2 T_1",
               printed=16 * (3 * T[2] ** 2 - 2 * T[1] * T[3]),
               lhs_tex=r"\hat a^2+16\hat w^3\hat ac(\hat w)",
               justification_tex=r"$\hat a^2=16T_2^2$ and $\hat a=2T_1$"))
    urep = {A_S[1]: c * A_S[0], v1: u1 - 1, v2: u2 - 1}
    bracket = (u2 ** 4 + c ** 2 * u1 ** 4 + 6 * c * u1 ** 2 * u2 ** 2
               - 2 * c * u1 ** 3 * u2 - 2 * c * u1 * u2 ** 3)
    third = sp.factor(sp.together(second.xreplace(urep)))
    d.add(Step("Prop. A.1 (ii), third line", sp.Symbol("Q"), third,
               "a*_2 = c a*_1 and u_j = 1 + v_j in the second line",
               printed=A_S[0] ** 2 / (u1 ** 4 * u2 ** 4) * bracket,
               note="the factor 16 of the second line is lost in the third "
                    "and the lines after it; a positive factor, so the sign "
                    "argument is unaffected",
               lhs_tex=r"\hat a^2+16\hat w^3\hat ac(\hat w)",
               justification_tex=r"$a_2^*=ca_1^*$ and $u_j=1+v_j$ in the "
               r"second line",
               note_tex=r"The factor $16$ of the second line is lost in the "
               r"third line and those after it; it is positive, so the sign "
               r"argument is unaffected."))
    srep = {u2: s * u1}
    fourth = sp.factor(sp.together((A_S[0] ** 2 / (u1 ** 4 * u2 ** 4)
                                    * bracket).xreplace(srep)))
    d.add(Step("Prop. A.1 (ii), fourth line", sp.Symbol("Q"), fourth,
               "u_2 = s u_1 in the printed third line",
               printed=(A_S[0] ** 2 / u2 ** 4 * (s ** 4 + c ** 2 + 6 * c * s ** 2
                                                 - 2 * c * s - 2 * c * s ** 3)
                        ).xreplace(srep),
               lhs_tex=r"\hat a^2+16\hat w^3\hat ac(\hat w)",
               justification_tex=r"$u_2=su_1$ in the printed third line"))
    quad = c ** 2 - 2 * s * (s ** 2 - 3 * s + 1) * c + s ** 4
    d.add(Step("Prop. A.1 (ii), the quadratic in c", sp.Symbol("q(c)"),
               sp.expand(s ** 4 + c ** 2 + 6 * c * s ** 2 - 2 * c * s
                         - 2 * c * s ** 3), "collected in powers of c",
               printed=quad, lhs_tex=r"q(c)",
               justification_tex=r"The bracket of the fourth line, "
               r"collected in powers of $c$"))
    disc = sp.discriminant(quad, c)
    d.add(Step("Prop. A.1 (ii), the discriminant", sp.Symbol("Delta_c"),
               sp.factor(disc), "SymPy's discriminant of q in c",
               printed=4 * s ** 2 * (s - 1) ** 2 * ((s - 2) ** 2 - 3),
               lhs_tex=r"\Delta_c", justification_tex=r"SymPy's "
               r"discriminant of $q$ in $c$: negative iff "
               r"$2-\sqrt3<s<2+\sqrt3$"))
    srat = (wh + W_S[1]) / (wh + W_S[0])
    d.add(Step("Prop. A.1 (ii), s < w*_2/w*_1", sp.Symbol("w*_2/w*_1 - s"),
               sp.factor(sp.together(W_S[1] / W_S[0] - srat)),
               "s = (w_hat + w*_2)/(w_hat + w*_1); positive for w*_2 > w*_1",
               lhs_tex=r"\frac{w_2^*}{w_1^*}-s",
               justification_tex=r"$s=(\hat w+w_2^*)/(\hat w+w_1^*)$; "
               r"positive for $w_2^*>w_1^*$ and $\hat w>0$"))


def _second_order(d):
    """a^2 + 16 w^3 a c = 4 w^4 det Hess J_1, and the endpoint a_1 = 0."""
    H1 = hessian([ah], [wh]).xreplace({ah: AHAT_131})
    lhs = (ah ** 2 + 16 * wh ** 3 * ah * c_of(wh)).xreplace({ah: AHAT_131})
    d.add(Step("Prop. A.1, the quantity signed by the discriminant argument",
               sp.Symbol("4 what^4 det Hess J_1"),
               sp.factor(4 * wh ** 4 * H1.det()),
               "Hess J_1 at (a_hat, w_hat) from the generic entries, with (131)",
               printed=sp.factor(lhs), versus="a_hat^2 + 16 w_hat^3 a_hat c",
               note="so a_hat^2 + 16 w_hat^3 a_hat c(w_hat) >= 0 at every "
                    "minimizer of J_1 (second-order condition), with or "
                    "without w*_2/w*_1 < 2 + sqrt 3; the condition is not "
                    "needed for the conclusion of case (ii)",
               lhs_tex=r"4\hat w^4\det\nabla^2J_1(\hat a,\hat w)",
               justification_tex=r"The Hessian of $J_1$ at $(\hat a,\hat w)$ "
               r"from the generic entries, with (131); compared with "
               r"$\hat a^2+16\hat w^3\hat ac(\hat w)$",
               note_tex=r"Hence $\hat a^2+16\hat w^3\hat ac(\hat w)\ge0$ at "
               r"every minimizer of $J_1$ (the second-order condition), "
               r"whatever $w_2^*/w_1^*$: the condition $w_2^*/w_1^*<2+\sqrt3$ "
               r"is not needed for the conclusion of case (ii)."))
    ev = a_prime().subs(a1, 0).eigenvals()
    d.add(Step("Prop. A.1 (ii), a_1 = 0 (an end of I_1)",
               sp.Symbol("eig A'(0)"), sp.Matrix(sorted(ev, key=str)),
               "A' at a_1 = 0 is diag(0, (a_hat^2 + 16 w_hat^3 a_hat c) / "
               "(4 w_hat^3))",
               lhs_tex=r"\operatorname{spec}\mathcal{A}'(0)",
               justification_tex=r"$\mathcal{A}'$ at $a_1=0$ is "
               r"$\operatorname{diag}(0,(\hat a^2+16\hat w^3\hat ac)/"
               r"(4\hat w^3))$"))
    d.add(Step("Prop. A.1 (ii), sign of the smallest eigenvalue at a_1 = 0 "
               "and a_1 = a_hat", sp.Symbol("sign lambda_min"), sp.Integer(0),
               "the other eigenvalue of A' is > 0 there, and A has no other "
               "negative one", printed=sp.Integer(-1),
               note="case (ii) states a negative smallest eigenvalue on "
                    "I_1 = [0, a_hat], but at its ends it is 0: I_1 should "
                    "be the open interval (0, a_hat), the ends going with I_2",
               lhs_tex=r"\operatorname{sign}\lambda_{\min}\mathcal{A}(0)",
               justification_tex=r"The other eigenvalue of $\mathcal{A}'$ is "
               r"positive there and $\mathcal{A}$ has no other negative one",
               note_tex=r"Case (ii) states a negative smallest eigenvalue on "
               r"$I_1=[0,\hat a]$, but at its ends it is $0$: $I_1$ should be "
               r"the open interval $(0,\hat a)$, its ends going with $I_2$."))
