"""Appendix B: gradient flow and heavy ball on f(x) = (x_1^2 - eps x_2^2)/2.

SymPy solves the two linear initial-value problems of Appendix B,

    (1) x_1' = -x_1, x_1(0) = delta;  x_2' = eps x_2, x_2(0) = 1,
    (2) x_1'' + x_1 = 0, x_1(0) = delta, x_1'(0) = -delta;
        x_2'' - eps x_2 = 0, x_2(0) = 1, x_2'(0) = eps,

compares the solutions and l_1(tau), l_2(tau) with the printed ones, and
evaluates l_1 at tau_1^eps of (133) and l_2 at tau_2^eps of (135) as
eps -> 0 (with delta = O(eps)).  The paper prints l_2(tau_2^eps) =
O(eps) - delta_0 < -delta_0/2; the derivation gives -delta_0/2 + O(sqrt(eps)),
so the printed inequality l_2 < -delta_0/2 is not what (135) gives (it gives
l_2 < -delta_0/4, as for gradient descent).  The timescales
O(1/eps ln(1/eps)) and O(1/sqrt(eps) ln(1/eps)) are unaffected.
"""
from __future__ import annotations

import functools

import sympy as sp

from cmwork.derivation import Derivation, Step

tau = sp.Symbol("tau", nonnegative=True)
eps, delta, delta0 = sp.symbols("epsilon delta delta_0", positive=True)


def solve_gradient_flow():
    """x_1, x_2 of (1) from sympy.dsolve."""
    x = sp.Function("x")
    s1 = sp.dsolve(sp.Eq(x(tau).diff(tau), -x(tau)), x(tau),
                   ics={x(0): delta}).rhs
    s2 = sp.dsolve(sp.Eq(x(tau).diff(tau), eps * x(tau)), x(tau),
                   ics={x(0): 1}).rhs
    return s1, s2


def solve_heavy_ball():
    """x_1, x_2 of (2) from sympy.dsolve."""
    x = sp.Function("x")
    s1 = sp.dsolve(sp.Eq(x(tau).diff(tau, 2) + x(tau), 0), x(tau),
                   ics={x(0): delta, x(tau).diff(tau).subs(tau, 0): -delta}).rhs
    s2 = sp.dsolve(sp.Eq(x(tau).diff(tau, 2) - eps * x(tau), 0), x(tau),
                   ics={x(0): 1, x(tau).diff(tau).subs(tau, 0): eps}).rhs
    return s1, s2


def f(x1, x2):
    return (x1 ** 2 - eps * x2 ** 2) / 2


def tau_1():
    """tau_1^eps of (133)."""
    return sp.log(delta0 / eps) / (2 * eps)


def tau_2():
    """tau_2^eps of (135)."""
    return sp.log(4 * delta0 / eps) / (2 * sp.sqrt(eps))


def printed():
    r = sp.sqrt(eps)
    x2_hb = (1 + r) / 2 * sp.exp(r * tau) + (1 - r) / 2 * sp.exp(-r * tau)
    return {
        "gd_x1": delta * sp.exp(-tau), "gd_x2": sp.exp(eps * tau),
        "l1": (delta ** 2 * sp.exp(-2 * tau) - eps * sp.exp(2 * eps * tau)) / 2,
        "hb_x1": delta * (sp.cos(tau) - sp.sin(tau)), "hb_x2": x2_hb,
        "l2": (delta ** 2 * (sp.cos(tau) - sp.sin(tau)) ** 2
               - eps * x2_hb ** 2) / 2,
        "l1_at_tau1": -delta0 / 2,      # "O(eps^2) - delta_0/2"
        "l2_at_tau2": -delta0,          # "O(eps) - delta_0"
    }


def limit_at(expr, when):
    """lim_{eps -> 0+} of expr(tau = when) with delta = eps (delta = O(eps)).

    The expression is expanded first: the heavy ball's oscillating terms
    then carry the factor delta^2 = eps^2 and SymPy's limit drops them;
    the exponentials at tau_i become powers of delta_0/eps.
    """
    e = sp.expand(expr.subs(tau, when).subs(delta, eps))
    return sp.limit(e, eps, 0, "+")


def expansion_at(expr, when):
    """expr(tau = when), delta = eps, without its terms of order eps^2."""
    e = sp.expand(expr.subs(tau, when).subs(delta, eps))
    keep = [t for t in e.as_ordered_terms() if not t.has(sp.sin, sp.cos)]
    return sp.Add(*[t for t in keep if sp.limit(t / eps ** 2, eps, 0, "+")
                    in (sp.oo, -sp.oo)])


@functools.lru_cache(maxsize=None)
def derive(overrides: tuple = ()) -> Derivation:
    """The derivation; ``overrides`` replaces printed formulas (for tests)."""
    paper = printed()
    paper.update(dict(overrides))
    d = Derivation("appendix-b", "Momentum helps escape a flat saddle",
                   "Appendix B, eqs. (133)-(135)")
    g1, g2 = solve_gradient_flow()
    d.add(Step("Appendix B (1), x_1(tau)", sp.Symbol("x_1"), g1,
               "dsolve x_1' = -x_1, x_1(0) = delta", printed=paper["gd_x1"]))
    d.add(Step("Appendix B (1), x_2(tau)", sp.Symbol("x_2"), g2,
               "dsolve x_2' = eps x_2, x_2(0) = 1", printed=paper["gd_x2"]))
    l1 = sp.expand(f(g1, g2))
    d.add(Step("Appendix B (1), l_1(tau)", sp.Symbol("l_1"), l1,
               "f(x(tau))", printed=paper["l1"]))
    h1, h2 = solve_heavy_ball()
    d.add(Step("Appendix B (2), x_1(tau)", sp.Symbol("x_1"), h1,
               "dsolve x_1'' + x_1 = 0, x_1(0) = delta, x_1'(0) = -delta",
               printed=paper["hb_x1"]))
    d.add(Step("Appendix B (2), x_2(tau)", sp.Symbol("x_2"), h2,
               "dsolve x_2'' - eps x_2 = 0, x_2(0) = 1, x_2'(0) = eps",
               printed=paper["hb_x2"]))
    l2 = f(h1, h2)
    d.add(Step("Appendix B (2), l_2(tau)", sp.Symbol("l_2"), l2,
               "f(x(tau))", printed=paper["l2"]))
    d.add(Step("Appendix B, l_1(tau_1^eps) as eps -> 0, eq. (133)",
               sp.Symbol("lim l_1(tau_1)"), limit_at(l1, tau_1()),
               "substitute tau_1 = ln(delta_0/eps)/(2 eps), delta = eps",
               printed=paper["l1_at_tau1"]))
    d.add(Step("Appendix B, l_2(tau_2^eps) as eps -> 0, eq. (135)",
               sp.Symbol("lim l_2(tau_2)"), limit_at(l2, tau_2()),
               "substitute tau_2 = ln(4 delta_0/eps)/(2 sqrt(eps)), delta = eps",
               printed=paper["l2_at_tau2"],
               note=f"l_2(tau_2) = {sp.sstr(expansion_at(l2, tau_2()))} + "
                    "O(eps^2) with delta = eps; "
                    "eps ((1 + sqrt(eps))/2)^2 e^{2 sqrt(eps) tau_2}/2 = "
                    "delta_0 (1 + sqrt(eps))^2/2 -> delta_0/2, so l_2(tau_2) = "
                    "-delta_0/2 + O(sqrt(eps)), not O(eps) - delta_0; hence "
                    "l_2 < -delta_0/4 (not < -delta_0/2) for tau >= tau_2, "
                    "the same level as gradient descent; the timescales "
                    "are unchanged"))
    return d
