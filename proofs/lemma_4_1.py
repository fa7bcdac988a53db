"""Lemma 4.1: closed forms of Delta_{n,omega}(w) and the constant in (89).

Section 4.2.2 (1), eqs. (88)-(90).  For the Gaussian template
rho0(s) = c0 e^{-s^2/(2 sigma^2)}, SymPy integrates (88) for n = 0 and
differentiates: Delta_n = (-d/dw)^n Delta_0 (differentiation under the
integral sign).  The engine's form, c0 e^{-w mu + w^2 sigma^2/2} I_n(nu)
with the recurrence I_n = nu I_{n-1} + (n-1) sigma^2 I_{n-2}, is compared
with it for n = 0..3.  The bound on I_1 in the proof and the limiting
constant c0 sigma sqrt(2 pi) e^{w^2 sigma^2/2} of the ratio
Delta_n omega^n e^{w/omega} are derived too.  For the bump template the
SymPy antiderivative used by the engine is differentiated back.
"""
from __future__ import annotations

import functools

import sympy as sp

from cmwork import symbolic as S
from cmwork.derivation import Derivation, Step

t = sp.Symbol("t", nonnegative=True)
w, mu, c0, sigma = S.w, S.mu, S.c0, S.sigma
nu = mu - w * sigma ** 2


def engine_form(n: int) -> sp.Expr:
    """c0 e^{-w mu + w^2 sigma^2/2} I_n(nu), as cmwork.targets evaluates it."""
    I0 = sigma * sp.sqrt(sp.pi / 2) * sp.erfc(-nu / (sigma * sp.sqrt(2)))
    I1 = nu * I0 + sigma ** 2 * sp.exp(-nu ** 2 / (2 * sigma ** 2))
    I = [I0, I1]
    for k in range(2, n + 1):
        I.append(nu * I[k - 1] + (k - 1) * sigma ** 2 * I[k - 2])
    return c0 * sp.exp(-w * mu + w ** 2 * sigma ** 2 / 2) * I[n]


INTRO_TEX = r"""For the Gaussian template $\rho_0(s)=c_0e^{-s^2/(2\sigma^2)}$ of
(85), SymPy integrates (88) for $n=0$ and differentiates in $w$ for
$n\ge1$; each result is compared with the closed form that cmwork
evaluates.  Then the two elementary steps of the proof of Lemma~4.1 (the
integral bounding $I_1$ and its leading term) and the constant hidden in
the $\mathcal{O}(\cdot)$ of (89), and, for the compactly supported bump
template, the antiderivative that cmwork uses."""


@functools.lru_cache(maxsize=None)
def derive() -> Derivation:
    d = Derivation("lemma-4.1", "Closed forms of Delta_{n,omega} and the "
                   "constant of (89)", "Section 4.2.2 (1), Lemma 4.1, (88)-(90)",
                   title_tex=r"Lemma 4.1: closed forms of $\Delta_{n,\omega}$ "
                   r"and the constant of (89)", intro_tex=INTRO_TEX)
    rho0 = c0 * sp.exp(-(t - mu) ** 2 / (2 * sigma ** 2))
    delta0 = sp.integrate(sp.exp(-w * t) * rho0, (t, 0, sp.oo), conds="none")
    delta0 = sp.simplify(delta0.rewrite(sp.erfc))
    d.add(Step("eq. (88), n = 0, Gaussian template", sp.Symbol("Delta_0"),
               delta0, "SymPy's integral of e^{-wt} rho0(t - mu)",
               printed=engine_form(0),
               note="printed here means the engine's closed form",
               versus="cmwork's closed form",
               lhs_tex=r"\Delta_{0,\omega}(w)",
               justification_tex=r"SymPy's integral of $e^{-wt}\rho_0(t-\mu)$"
               r" over $[0,\infty)$, $\mu=1/\omega$, Gaussian template",
               note_tex=r"Compared with cmwork's closed form "
               r"$c_0e^{-w\mu+w^2\sigma^2/2}I_0(\nu)$, $\nu=\mu-w\sigma^2$, "
               r"$I_0=\sigma\sqrt{\pi/2}\,\operatorname{erfc}"
               r"(-\nu/(\sigma\sqrt2))$."))
    current = delta0
    for n in range(1, 4):
        current = -sp.diff(current, w)
        d.add(Step(f"eq. (88), n = {n}, Gaussian template",
                   sp.Symbol(f"Delta_{n}"), current,
                   "Delta_n = -d/dw Delta_{n-1} (under the integral sign)",
                   printed=engine_form(n),
                   note="compared with the engine's recurrence form",
                   versus="cmwork's recurrence form",
                   display_tex=r"-\partial_w\Delta_{%d,\omega}(w)=c_0\,"
                   r"e^{-w\mu+w^2\sigma^2/2}\,I_{%d}(\nu)" % (n - 1, n),
                   lhs_tex=r"\Delta_{%d,\omega}(w)" % n,
                   justification_tex=r"$\Delta_{n,\omega}=-\partial_w"
                   r"\Delta_{n-1,\omega}$ (differentiation under the integral "
                   r"sign)",
                   note_tex=r"Compared with cmwork's recurrence "
                   r"$I_n=\nu I_{n-1}+(n-1)\sigma^2I_{n-2}$, $I_1=\nu I_0+"
                   r"\sigma^2e^{-\nu^2/(2\sigma^2)}$."))
    # the proof's bound on I_1: M0 e^{w t0} e^{-w/omega} int t^n dt
    om, t0, M0, s = sp.symbols("omega t_0 M_0 s", positive=True)
    n_ = sp.Symbol("n", integer=True, nonnegative=True)
    for n in (0, 1, 2):
        integral = sp.integrate(s ** n, (s, 1 / om - t0, 1 / om + t0))
        printed = ((1 + om * t0) ** (n + 1) - (1 - om * t0) ** (n + 1)) / (
            (n + 1) * om ** (n + 1))
        d.add(Step(f"proof of Lemma 4.1, I_1 bound, n = {n}",
                   sp.Symbol("int t^n dt"), integral,
                   "int over [1/omega - t0, 1/omega + t0]", printed=printed,
                   lhs_tex=r"\int_{1/\omega-t_0}^{1/\omega+t_0}t^{%d}\,dt" % n,
                   justification_tex=r"The integral in the bound on $I_1$ in "
                   r"the proof of Lemma~4.1"))
        lead = sp.limit(sp.simplify(integral * om ** n), om, 0)
        d.add(Step(f"proof of Lemma 4.1, leading term, n = {n}",
                   sp.Symbol("omega^n int t^n dt at omega -> 0"), lead,
                   "the (2 t0 + O(omega)) of the proof", printed=2 * t0,
                   lhs_tex=r"\lim_{\omega\to0^+}\omega^{%d}\int_{1/\omega-t_0}"
                   r"^{1/\omega+t_0}t^{%d}\,dt" % (n, n),
                   justification_tex=r"The factor $2t_0+\mathcal{O}(\omega)$ "
                   r"of the proof"))
    # the constant: Delta_n omega^n e^{w/omega} -> c0 sigma sqrt(2 pi) e^{.}
    for n in (0, 1, 2):
        ratio = engine_form(n) / mu ** n * sp.exp(w * mu)
        lim = sp.limit(sp.simplify(ratio), mu, sp.oo)
        d.add(Step(f"eq. (89), constant, n = {n}",
                   sp.Symbol("lim Delta_n omega^n e^{w/omega}"), lim,
                   "mu = 1/omega -> oo in the closed form",
                   printed=c0 * sigma * sp.sqrt(2 * sp.pi)
                   * sp.exp(w ** 2 * sigma ** 2 / 2),
                   note="the bilateral Laplace transform of rho0 at w; "
                        "the check lemma-4.1 measures it",
                   lhs_tex=r"\lim_{\omega\to0^+}\Delta_{%d,\omega}(w)\,"
                   r"\omega^{%d}e^{w/\omega}" % (n, n),
                   justification_tex=r"Let $\mu=1/\omega\to\infty$ in the "
                   r"closed form",
                   note_tex=r"This is the bilateral Laplace transform "
                   r"$\int_{\mathbb{R}}e^{-ws}\rho_0(s)\,ds$, the constant "
                   r"hidden in (89); the check \texttt{lemma-4.1} measures "
                   r"it."))
    # bump template: the engine's antiderivative differentiates back
    for n in (0, 1, 2):
        F, _ = S.bump_moment_antiderivative(n)
        integrand = sp.expand((S.s_var + mu) ** n * S.bump_profile()) * \
            sp.exp(-w * S.s_var)
        d.add(Step(f"eq. (88), n = {n}, bump template", sp.Symbol("dF/ds"),
                   sp.diff(F, S.s_var), "derivative of the antiderivative",
                   printed=integrand, note="printed here means the integrand",
                   versus="the integrand", note_tex=" ",
                   lhs_tex=r"\frac{d}{ds}F_{%d}(s)" % n,
                   justification_tex=r"Bump template $\rho_0(s)=c_0(1-(s/h)"
                   r"^2)^3$ on $|s|<h$: the antiderivative $F_{%d}$ that cmwork "
                   r"evaluates, $\Delta_{%d,\omega}(w)=e^{-w\mu}[F_{%d}(h)-"
                   r"F_{%d}(\max(-h,-\mu))]$, differentiated back to the "
                   r"integrand $(s+\mu)^{%d}e^{-ws}\rho_0(s)$" % (n, n, n, n, n)))
    return d
