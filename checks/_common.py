"""What the checks of Section 4.2.2 share: targets from parameters, fits."""
from __future__ import annotations

import math
import random
from fractions import Fraction
from typing import Dict, List, Optional, Sequence, Tuple

import mpmath
import numpy as np
from mpmath import mpf

from cmwork.claims import Param, parse_int, parse_list, parse_number
from cmwork.targets import BumpTemplate, GaussianTemplate, MemoryTarget, Template

TEMPLATES = ("gaussian", "bump")


def parse_template(text: str) -> str:
    t = str(text).strip().lower()
    if t not in TEMPLATES:
        raise ValueError(f"expected one of {', '.join(TEMPLATES)}")
    return t


def parse_positive(text: str) -> Fraction:
    x = parse_number(text)
    if x <= 0:
        raise ValueError("expected a number > 0")
    return x


def parse_nonzero(text: str) -> Fraction:
    x = parse_number(text)
    if x == 0:
        raise ValueError("expected a nonzero number")
    return x


def parse_flag(text: str) -> int:
    if str(text).strip() not in ("0", "1"):
        raise ValueError("expected 0 or 1")
    return int(text)


def parse_width(text: str) -> int:
    m = parse_int(text)
    if m < 1:
        raise ValueError("expected an integer >= 1")
    return m


def target_params(*, a_star=(Fraction(1),), w_star=(Fraction(1),)):
    """The parameters that define a memory target (eq. (86))."""
    return [
        Param("template", "template rho0 of eq. (86)", "gaussian | bump",
              "gaussian", parse=parse_template),
        Param("c0", "template height c0", "nonzero number", Fraction(1),
              parse=parse_nonzero),
        Param("sigma", "Gaussian sigma, or the bump's half width",
              "number > 0", Fraction(1), parse=parse_positive),
        Param("a_star", "coefficients a*_j of rho_bar", "nonzero numbers",
              tuple(a_star), parse=parse_list(parse_nonzero)),
        Param("w_star", "exponents w*_j of rho_bar", "distinct numbers > 0",
              tuple(w_star), parse=parse_list(parse_positive)),
    ]


def inv_omega_param(quick, default, full):
    return Param("inv_omegas", "grid of memories 1/omega", "numbers > 0",
                 tuple(default), quick=tuple(quick), full=tuple(full),
                 parse=parse_list(parse_positive))


def mpf_of(x) -> mpf:
    """An exact Fraction (or int) as an mpf at the current precision."""
    x = Fraction(x)
    return mpf(x.numerator) / x.denominator


def make_template(params) -> Template:
    with mpmath.workdps(60):
        c0, sigma = mpf_of(params["c0"]), mpf_of(params["sigma"])
        if params["template"] == "gaussian":
            return GaussianTemplate(c0=c0, sigma=sigma)
        return BumpTemplate(c0=c0, half_width=sigma)


def make_target(params, inv_omega) -> MemoryTarget:
    with mpmath.workdps(60):
        return MemoryTarget(a_star=[mpf_of(x) for x in params["a_star"]],
                            w_star=[mpf_of(x) for x in params["w_star"]],
                            template=make_template(params),
                            omega=1 / Fraction(inv_omega))


def rng_for(seed: int, *salt) -> random.Random:
    """A generator for one (seed, salt) pair, independent of call order."""
    return random.Random(f"{seed}:" + ":".join(str(s) for s in salt))


def fit_rate(inv_omegas: Sequence, values: Sequence,
             power: Optional[float] = None) -> Dict[str, float]:
    """Fit log|v| = b + p log(1/omega) - c/omega by least squares.

    The checks fit the upper half of their grid, past the crossovers between
    the exponentials of different blocks.

    With ``power`` given, p is fixed.  Returns c, p, b, the largest residual
    and ``c_spread``: the change in c when the fit drops the first point (a
    measure of how far the grid is from the asymptotic regime).
    """
    x = np.array([float(v) for v in inv_omegas])
    y = np.array([float(mpmath.log(abs(v))) for v in values])

    def solve(xs, ys):
        cols = [np.ones_like(xs), -xs]
        if power is None:
            cols.append(np.log(xs))
            A = np.stack(cols, axis=1)
            coef, *_ = np.linalg.lstsq(A, ys, rcond=None)
            b, c, p = coef
        else:
            A = np.stack(cols, axis=1)
            coef, *_ = np.linalg.lstsq(A, ys - power * np.log(xs), rcond=None)
            (b, c), p = coef, power
        return float(b), float(c), float(p)

    b, c, p = solve(x, y)
    resid = y - (b - c * x + p * np.log(x))
    need = 3 if power is None else 2
    spread = 0.0
    if len(x) > need:
        spread = abs(solve(x[1:], y[1:])[1] - c)
    return {"c": c, "p": p, "b": b, "max_residual": float(np.max(np.abs(resid))),
            "c_spread": spread}


#: Largest growth exponent allowed for a ratio that the claim says is
#: bounded: v omega^p e^{c/omega} may grow at most like (1/omega)^GROWTH_TOL
#: over the upper half of the grid (chosen here: O(omega) corrections give
#: |gamma| < 0.15 on the grids used; a power of 1/omega too few, or a rate
#: too fast, gives gamma >= 1).
GROWTH_TOL = 0.35


def bound_judgement(inv_omegas, values, claimed_rate,
                    claimed_power) -> Tuple[bool, str, float]:
    """Is |v| = O(omega^{-p} e^{-c/omega}) for the claimed (c, p)?

    The ratio r = |v| omega^p e^{c/omega} must stay bounded: its growth
    exponent gamma (slope of log r against log(1/omega) over the upper half
    of the grid) must not exceed :data:`GROWTH_TOL`.  Judging the ratio,
    rather than a free fit of (c, p), is robust where two exponentials cross
    over inside the grid.
    """
    x = np.array([float(v) for v in inv_omegas])
    logr = np.array([float(mpmath.log(abs(v))) for v in values]) \
        - claimed_power * np.log(x) + claimed_rate * x
    half = max(3, (len(x) + 1) // 2)
    xs, ys = np.log(x[-half:]), logr[-half:]
    gamma = float(np.polyfit(xs, ys, 1)[0]) if len(xs) >= 2 else 0.0
    claim = f"omega^-{claimed_power:g} e^(-{claimed_rate:.4g}/omega)"
    if gamma > GROWTH_TOL:
        return False, (f"|v| / ({claim}) grows like (1/omega)^{gamma:.2f} "
                       f"over 1/omega in [{x[-half]:g}, {x[-1]:g}]: not "
                       "bounded"), gamma
    return True, (f"|v| / ({claim}) bounded (growth exponent {gamma:.2f})"
                  ), gamma


def short(x, n=8) -> str:
    return mpmath.nstr(x, n)


def configurations(params, seed, claim_id, m=None):
    """Random (partition, point) pairs on M*_P for the claim's target.

    Points do not depend on omega: the same (a_hat, w_hat) is followed along
    the grid of memories.  Returns a list of (partition, a_hat, w_hat).
    """
    from cmwork.landscape import point_on, random_partition
    m = params["m"] if m is None else m
    target = make_target(params, params["inv_omegas"][0])
    out = []
    for i in range(params["points"]):
        rng = rng_for(seed, claim_id, m, i)
        part = random_partition(m, target.m_star, rng)
        a_hat, w_hat = point_on(target, part, rng)
        out.append((part, a_hat, w_hat))
    return out


def width_param(default, quick=None, full=None):
    return Param("m", "width m of the model", "integer >= m*", default,
                 quick=quick, full=full, parse=parse_width)


def points_param(default, quick=None, full=None):
    return Param("points", "random points on affine spaces M*_P",
                 "integer >= 1", default, quick=quick, full=full,
                 parse=parse_width)


def hessian_spectrum(J, a_hat, w_hat, dps):
    """Eigenvalues of Hess J_m at two precisions (see resolve_eigenvalues)."""
    from cmwork.spectrum import resolve_eigenvalues
    return resolve_eigenvalues(lambda d: J.hessian(a_hat, w_hat, dps=d), dps)


def perturbation_bound(rho, a_hat, w_hat, dps):
    """Gershgorin bound of 2 E_omega (eq. (100)): 2 max_k(|a_k Delta_2| + |Delta_1|)."""
    with mpmath.workdps(dps):
        return 2 * max(abs(a * rho.delta(2, w, dps=dps))
                       + abs(rho.delta(1, w, dps=dps))
                       for a, w in zip(a_hat, w_hat))
