"""Eq. (72), the curse of memory in approximation: for rho(t) ~
t^-(1+omega) the width needed for L^1 error eps is m = O(omega eps^-1/omega).

Paper: Section 3.3, eqs. (66)-(72).  The target is rho(t) = omega
(1 + t)^-(1+omega) (||rho||_1 = 1, tail (1+T)^-omega as in (68), the factor
omega that (69) carries).  The RNNs are those of Theorem 3.3 with alpha = 1
(eqs. (60)-(62)): W = diag(-r, -2r, ..., -m r), r = beta / 2, c = 1, U free.
For each width m the error

    E(m) = min_r min_U ||rho - c^T e^{W.} U||_{L^1}

is computed (a linear programme for U, golden section in log r), so that E
is nonincreasing in m.  The smallest width m*(eps) with E(m*) <= eps is
found by bisection over the integers for each eps of the grid, and the
exponent kappa(omega) of m* ~ eps^-kappa is fitted.  The grid is
eps = q^omega for a grid of q, so that (72) predicts m* ~ omega / q at
every omega and the widths stay comparable across omega.

(72) predicts kappa <= 1/omega (an O-bound).  The check requires, for each
omega, kappa <= 1/omega + KAPPA_TOL; it reports kappa * omega (constant in
omega if m* grows like eps^(-const/omega), the curse of memory) and the
constant C of m* <= C omega eps^-1/omega.  ``exponent_factor=f`` claims
m* = O(eps^-1/(f omega)) instead (a wrong rate; f = 3 must fail).
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from cmwork import approximation as A
from cmwork.claims import FAILS, HOLDS, INCONCLUSIVE, Claim, Param, Verdict, \
    parse_list, register

from ._common import parse_positive

#: Allowed excess of the fitted exponent over the claimed one (chosen here:
#: the fit of m* over the eps grid moves by up to ~0.1 when one point is
#: dropped, as the evidence's kappa_spread shows).
KAPPA_TOL = 0.15

#: Range of the basis rate r = beta/2 searched, and LPs per width
#: (chosen here: the optimal r is ~ 1/m at the widths used).
RATE_RANGE = (1e-3, 4.0)
RATE_EVALUATIONS = 10

#: Largest width tried before giving up on an eps (chosen here).
M_MAX = 64

#: Widths below this are left out of the fit: m* is an integer and at
#: m* < 4 its rounding dominates the slope (chosen here).
M_MIN = 4


class WidthSearch:
    """E(m) with a cache; m*(eps) by doubling then bisection."""

    def __init__(self, omega: float):
        self.rho = A.power_law(omega)
        self.cache = {}

    def error(self, m: int) -> float:
        if m not in self.cache:
            res, r = A.best_over_rate(self.rho, m, lo=RATE_RANGE[0],
                                      hi=RATE_RANGE[1],
                                      evaluations=RATE_EVALUATIONS)
            self.cache[m] = (res.error, r, res.error_uncertainty)
        return self.cache[m][0]

    def width_for(self, eps: float):
        """Smallest m with E(m) <= eps, or None past M_MAX."""
        lo, hi = 0, 1
        while self.error(hi) > eps:
            lo, hi = hi, 2 * hi
            if hi > M_MAX:
                return None
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.error(mid) <= eps:
                hi = mid
            else:
                lo = mid
        return hi


def sweep(omegas, epsilons):
    """{omega: {"m_star": [...], "errors": {m: (E, r, unc)}}}."""
    out = {}
    for om in omegas:
        ws = WidthSearch(float(om))
        ms = [ws.width_for(float(e)) for e in epsilons]
        out[float(om)] = {"m_star": ms, "errors": dict(sorted(ws.cache.items()))}
    return out


def check(params, *, dps=None, seed=0, exponent_factor=1):
    omegas = [float(w) for w in params["omegas"]]
    qs = [float(q) for q in params["scales"]]
    data = {om: sweep([om], [q ** om for q in qs])[om] for om in omegas}
    rows, fails, undecided = [], [], []
    for om in omegas:
        eps = [q ** om for q in qs]
        ms = data[om]["m_star"]
        pts = [(e, m) for e, m in zip(eps, ms)
               if m is not None and m >= M_MIN]
        if len(pts) < 3:
            undecided.append(f"omega = {om:g}: only {len(pts)} eps reached "
                             f"with m <= {M_MAX}")
            continue
        x = np.log([1 / e for e, _ in pts])
        y = np.log([m for _, m in pts])
        kappa = float(np.polyfit(x, y, 1)[0])
        spread = abs(float(np.polyfit(x[1:], y[1:], 1)[0]) - kappa) \
            if len(pts) > 3 else 0.0
        claimed = 1 / (exponent_factor * om)
        C = max(m / (om * e ** (-1 / om)) for e, m in pts)
        rows.append({"omega": om, "epsilons": [e for e, _ in pts],
                     "m_star": [m for _, m in pts], "kappa": kappa,
                     "kappa_spread": spread, "kappa_times_omega": kappa * om,
                     "claimed_kappa": claimed, "C": C,
                     "best_rate_r": {m: v[1] for m, v in
                                     data[om]["errors"].items()}})
        if kappa > claimed + KAPPA_TOL:
            fails.append(f"omega = {om:g}: m* grows like eps^-{kappa:.3f}, "
                         f"faster than the claimed eps^-{claimed:.3f}")
        elif kappa > claimed - spread and spread > KAPPA_TOL:
            undecided.append(f"omega = {om:g}: fit too noisy (spread "
                             f"{spread:.2f})")
    evidence = {"exponent_factor": exponent_factor, "rows": rows,
                "sweep": {str(k): {"m_star": v["m_star"],
                                   "E": {m: e[0] for m, e in
                                         v["errors"].items()}}
                          for k, v in data.items()}}
    if fails:
        return Verdict("eq-72", FAILS, fails[0], evidence)
    if undecided or not rows:
        return Verdict("eq-72", INCONCLUSIVE, (undecided or ["no rows"])[0]
                       + "; widen the eps grid or raise M_MAX", evidence)
    kw = [r["kappa_times_omega"] for r in rows]
    return Verdict(
        "eq-72", HOLDS,
        "m*(eps) ~ eps^-kappa with kappa = "
        + ", ".join(f"{r['kappa']:.2f} (omega = {r['omega']:g})" for r in rows)
        + f": kappa * omega in [{min(kw):.2f}, {max(kw):.2f}], so m* grows "
        "like eps^(-c/omega) (the curse of memory) within the bound "
        f"(72); m* <= C omega eps^-1/omega with C <= "
        f"{max(r['C'] for r in rows):.2f}; (72)'s exponent 1/omega is not "
        "sharp for this construction", evidence)


def _scales(text):
    xs = parse_list(parse_positive)(text)
    if any(x >= 1 for x in xs):
        raise ValueError("expected numbers 0 < q < 1 (eps = q^omega < 1 = "
                         "||rho||_1)")
    return xs


def _omegas(text):
    return parse_list(parse_positive)(text)


CLAIM = register(Claim(
    id="eq-72",
    title="Curse of memory: width m = O(omega eps^-1/omega) for "
          "rho ~ t^-(1+omega)",
    where="Section 3.3, eqs. (66)-(72)",
    statement=("For rho(t) ~ t^-(1+omega), an RNN of Theorem 3.3's form "
               "reaches sup_t ||H_t - H_hat_t|| <= eps with "
               "m = O(omega eps^-1/omega)."),
    params=[
        Param("omegas", "decay exponents omega", "numbers > 0",
              (Fraction(1, 2), Fraction(1), Fraction(2)),
              quick=(Fraction(1), Fraction(2)),
              full=(Fraction(1, 2), Fraction(3, 4), Fraction(1), Fraction(3, 2),
                    Fraction(2)), parse=_omegas),
        Param("scales", "q of the error grid eps = q^omega",
              "numbers in (0, 1)",
              (Fraction(1, 16), Fraction(1, 32), Fraction(1, 64),
               Fraction(1, 128)),
              quick=(Fraction(1, 8), Fraction(1, 16), Fraction(1, 32)),
              full=(Fraction(1, 16), Fraction(1, 32), Fraction(1, 64),
                    Fraction(1, 128), Fraction(1, 256)), parse=_scales),
    ],
    check=check,
))
