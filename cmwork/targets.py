"""Targets rho on [0, oo) and their Laplace moments (Section 4.2.2).

Notation as in the paper: the memory target of eq. (86) is

    rho(t) = sum_j a*_j e^{-w*_j t} + rho_{0,omega}(t),
    rho_{0,omega}(t) = rho0(t - 1/omega),

and its moments split as M_n(s) = sum_j n! a*_j / (s + w*_j)^{n+1}
+ Delta_{n,omega}(s), with Delta of eq. (88).

Every template knows Delta by quadrature with breakpoints at its own
characteristic points (``Template.delta_quadrature``); where a closed form
exists (:class:`GaussianTemplate` through erfc, :class:`BumpTemplate`
through a SymPy antiderivative) ``Template.delta`` uses it.  Without the
breakpoints mpmath's quad can return wrong values with no warning: the
spike sits near t = 1/omega, far from where the tanh-sinh nodes cluster.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Callable, Optional, Sequence, Tuple

import mpmath
from mpmath import mpf

from . import symbolic
from .precision import DEFAULT_DPS, check_dps, rounded, workdps

#: Guard digits for quadrature beyond the requested precision (chosen here).
QUAD_GUARD = 10

#: Offsets, in units of the template's scale, at which quadrature splits
#: around a template's centre (chosen here; covers the Gaussian to e^{-288}).
_SCALE_OFFSETS = (-24, -16, -12, -8, -6, -4, -3, -2, -1, 0,
                  1, 2, 3, 4, 6, 8, 12, 16, 24)


# ---------------------------------------------------------------------------
# argument checking

def as_real(name: str, value, *, positive: bool = False,
            nonzero: bool = False) -> mpf:
    """``value`` as an mpf at the current precision, or a ValueError naming it."""
    try:
        if isinstance(value, Fraction):
            x = mpf(value.numerator) / value.denominator
        else:
            x = mpmath.mpmathify(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r}: expected a real number") from None
    if isinstance(x, mpmath.mpc):
        if x.imag != 0:
            raise ValueError(f"{name}={value!r}: expected a real number")
        x = x.real
    if not mpmath.isfinite(x):
        raise ValueError(f"{name}={value!r}: expected a finite real number")
    if positive and not x > 0:
        raise ValueError(f"{name}={value!r}: expected a number > 0")
    if nonzero and x == 0:
        raise ValueError(f"{name}={value!r}: expected a nonzero number")
    return x


def as_vector(name: str, values, *, positive: bool = False,
              nonzero: bool = False) -> Tuple[mpf, ...]:
    """A non-empty sequence of reals, each checked as by :func:`as_real`."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise ValueError(f"{name}={values!r}: expected a sequence of numbers")
    out = tuple(as_real(f"{name}[{i}]", v, positive=positive, nonzero=nonzero)
                for i, v in enumerate(values))
    if not out:
        raise ValueError(f"{name}=(): expected at least one number")
    return out


def _order(n) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n={n!r}: expected an integer >= 0")
    return n


def _omega(omega) -> mpf:
    return as_real("omega", omega, positive=True)


def _w_mu(w, omega, dps: int) -> Tuple[mpf, mpf]:
    """w and mu = 1/omega, exact enough that e^{-w mu} keeps ``dps`` digits.

    A relative error 10^-d in w mu is a relative error w mu 10^-d in
    e^{-w mu}: log10(w mu) digits are added on top of the guard.
    """
    with workdps(dps):
        w_ = as_real("w", w, positive=True)
        mu = 1 / _omega(omega)
        extra = QUAD_GUARD + max(0, int(mpmath.log10(w_ * mu)) + 1)
    with workdps(dps + extra):
        return as_real("w", w, positive=True), 1 / _omega(omega)


# ---------------------------------------------------------------------------
# templates rho0

class Template:
    """A fixed template rho0 on R (Section 4.2.2, Assumptions (i)-(iv)).

    Subclasses give the values, the support and the points where quadrature
    must split; closed forms are optional.
    """

    #: (lo, hi): rho0 vanishes outside; infinite ends are allowed.
    support: Tuple[mpf, mpf] = (mpmath.ninf, mpmath.inf)
    #: a length scale, used to place quadrature breakpoints.
    scale: mpf = mpf(1)
    has_closed_form = False

    def __call__(self, s):
        raise NotImplementedError

    def breakpoints(self, w) -> Tuple[mpf, ...]:
        """Points in s where the integrand of (88) should be split."""
        pts = [k * self.scale for k in _SCALE_OFFSETS]
        pts += [x for x in self.support if mpmath.isfinite(x)]
        lo, hi = self.support
        return tuple(sorted({p for p in pts if lo <= p <= hi}))

    # -- Delta_{n,omega}(w), eq. (88) ---------------------------------------
    def delta(self, n: int, w, omega, *, dps: int = DEFAULT_DPS) -> mpf:
        """Delta_{n,omega}(w) = int_0^oo t^n e^{-w t} rho0(t - 1/omega) dt."""
        value, _ = self.delta_quadrature(n, w, omega, dps=dps)
        return value

    def delta_quadrature(self, n: int, w, omega, *, dps: int = DEFAULT_DPS,
                         breakpoints: bool = True) -> Tuple[mpf, mpf]:
        """Delta by tanh-sinh quadrature, with mpmath's error estimate.

        With ``breakpoints=False`` the interval [0, oo) is handed to quad
        whole; that is how quad goes silently wrong, and it is kept only to
        show it.
        """
        n = _order(n)
        dps = check_dps(dps)
        with workdps(dps + QUAD_GUARD):
            w_ = as_real("w", w, positive=True)
            mu = 1 / _omega(omega)
            lo, hi = self.support
            # t = s + mu; the factor mu^n e^{-w mu} is taken out so that the
            # integrand is O(1): quad's error control is absolute.
            scale = max(mu, mpf(1))
            factor = scale ** n * mpmath.exp(-w_ * mu)
            f = lambda s: ((s + mu) / scale) ** n * mpmath.exp(-w_ * s) \
                * self(s)  # noqa: E731
            start = max(-mu, lo)
            if not start < hi:
                return mpf(0), mpf(0)
            if breakpoints:
                inner = [b for b in self.breakpoints(w_) if start < b < hi]
                pts = [start] + inner + [hi]
            else:
                pts = [-mu, mpmath.inf]
            value, err = mpmath.quad(f, pts, error=True)
            value, err = value * factor, err * factor
        return rounded(value, dps), rounded(err, dps)

    # -- norms ----------------------------------------------------------------
    def shifted_norm2(self, omega, *, dps: int = DEFAULT_DPS) -> mpf:
        """||rho_{0,omega}||^2 on [0, oo) = int_{-1/omega}^oo rho0(s)^2 ds."""
        with workdps(check_dps(dps)):
            mu = 1 / _omega(omega)
        return self._square_integral(-mu, dps)

    def half_norm2(self, *, dps: int = DEFAULT_DPS) -> mpf:
        """||rho0||^2 on [0, oo), the bound of Proposition 4.1."""
        return self._square_integral(mpf(0), dps)

    def _square_integral(self, lower, dps) -> mpf:
        with workdps(check_dps(dps) + QUAD_GUARD):
            lo, hi = self.support
            start = max(mpf(lower), lo)
            if not start < hi:
                return mpf(0)
            inner = [b for b in self.breakpoints(0) if start < b < hi]
            value = mpmath.quad(lambda s: self(s) ** 2, [start] + inner + [hi])
        return rounded(value, dps)

    def bilateral_laplace(self, w, *, dps: int = DEFAULT_DPS) -> mpf:
        """int_R e^{-w s} rho0(s) ds: the limit of Delta / (omega^-n e^{-w/omega}).

        For the constant of Lemma 4.1: with t = s + 1/omega in (88),
        Delta_{n,omega}(w) omega^n e^{w/omega} = int (1 + omega s)^n
        e^{-w s} rho0(s) ds over s > -1/omega, which tends to this integral.
        """
        with workdps(check_dps(dps) + QUAD_GUARD):
            w_ = as_real("w", w, positive=True)
            lo, hi = self.support
            pts = [lo] + [b for b in self.breakpoints(w_) if lo < b < hi] + [hi]
            value = mpmath.quad(lambda s: mpmath.exp(-w_ * s) * self(s), pts)
        return rounded(value, dps)

    def check_finite(self, name: str = "template") -> None:
        """ValueError unless rho0 is finite and real at sample points."""
        lo, hi = self.support
        with workdps(30):
            pts = [b for b in self.breakpoints(1)] + [mpf("0.37") * self.scale]
            for s in pts:
                if not lo <= s <= hi:
                    continue
                try:
                    v = mpmath.mpmathify(self(s))
                except _NotFiniteError:
                    raise
                except Exception as exc:  # any failure of user code
                    raise ValueError(
                        f"{name}: evaluating rho0({mpmath.nstr(s, 6)}) raised "
                        f"{type(exc).__name__}: {exc}") from None
                _check_value(name, s, v)


class _NotFiniteError(ValueError):
    """A template value that is not a finite real number."""


def _check_value(name: str, s, v):
    """``v`` = rho0(s) as a real mpf, or a ValueError naming ``name``."""
    if isinstance(v, mpmath.mpc) and v.imag != 0 or not mpmath.isfinite(v):
        raise _NotFiniteError(
            f"{name}: rho0({mpmath.nstr(s, 6)}) = {v}; a template "
            "must be finite and real (Assumption (iii))")
    return v.real if isinstance(v, mpmath.mpc) else v


class GaussianTemplate(Template):
    """rho0(s) = c0 exp(-s^2 / (2 sigma^2)), the template of eq. (85).

    Closed form of (88): completing the square in the exponent,

        Delta_{n,omega}(w) = c0 e^{-w mu + w^2 sigma^2 / 2} I_n(nu),
        nu = mu - w sigma^2,  mu = 1/omega,
        I_n(nu) = int_0^oo t^n e^{-(t - nu)^2 / (2 sigma^2)} dt,

    with I_0 = sigma sqrt(pi/2) erfc(-nu / (sigma sqrt 2)),
    I_1 = nu I_0 + sigma^2 e^{-nu^2/(2 sigma^2)} and, by parts,
    I_n = nu I_{n-1} + (n-1) sigma^2 I_{n-2}.  proofs/lemma_4_1.py checks
    this against SymPy's own integral and its w-derivatives.

    >>> g = GaussianTemplate(c0=1, sigma=1)
    >>> mpmath.nstr(g.delta(0, 1, omega=mpf(1)/10, dps=30), 15)
    '0.00018762571320438'
    """

    has_closed_form = True

    def __init__(self, *, c0=1, sigma=1):
        with workdps(DEFAULT_DPS):
            self.c0 = as_real("c0", c0, nonzero=True)
            self.sigma = as_real("sigma", sigma, positive=True)
        self.scale = self.sigma

    def __repr__(self):
        return (f"GaussianTemplate(c0={mpmath.nstr(self.c0, 17)}, "
                f"sigma={mpmath.nstr(self.sigma, 17)})")

    def __call__(self, s):
        return self.c0 * mpmath.exp(-s ** 2 / (2 * self.sigma ** 2))

    def breakpoints(self, w):
        # the integrand of (88) peaks at s = -w sigma^2, not at s = 0
        base = super().breakpoints(w)
        tilt = -mpmath.mpf(w) * self.sigma ** 2
        return tuple(sorted(set(base) | {tilt + k * self.sigma
                                         for k in _SCALE_OFFSETS}))

    def delta(self, n, w, omega, *, dps=DEFAULT_DPS):
        n = _order(n)
        dps = check_dps(dps)
        w_, mu = _w_mu(w, omega, dps)
        with workdps(dps):
            nu = mu - w_ * self.sigma ** 2
        # for nu < 0 the recurrence cancels ~ log10(nu^2/sigma^2) digits/step
        ratio = float(nu / self.sigma) ** 2 if nu < 0 else 0.0
        guard = QUAD_GUARD + int(n * math.log10(1 + ratio)) + 1
        with workdps(dps + guard):
            sig = self.sigma
            nu = mu - w_ * sig ** 2
            i_prev = sig * mpmath.sqrt(mpmath.pi / 2) * mpmath.erfc(
                -nu / (sig * mpmath.sqrt(2)))
            i_cur = nu * i_prev + sig ** 2 * mpmath.exp(-nu ** 2 / (2 * sig ** 2))
            if n == 0:
                i_cur = i_prev
            for k in range(2, n + 1):
                i_prev, i_cur = i_cur, nu * i_cur + (k - 1) * sig ** 2 * i_prev
            value = self.c0 * mpmath.exp(-w_ * mu + w_ ** 2 * sig ** 2 / 2) * i_cur
        return rounded(value, dps)

    def _square_integral(self, lower, dps):
        # int_lower^oo c0^2 e^{-s^2/sigma^2} ds
        with workdps(check_dps(dps) + QUAD_GUARD):
            v = self.c0 ** 2 * self.sigma * mpmath.sqrt(mpmath.pi) / 2 * \
                mpmath.erfc(mpf(lower) / self.sigma)
        return rounded(v, dps)

    def bilateral_laplace(self, w, *, dps=DEFAULT_DPS):
        """c0 sigma sqrt(2 pi) e^{w^2 sigma^2 / 2}."""
        with workdps(check_dps(dps)):
            w_ = as_real("w", w, positive=True)
            return self.c0 * self.sigma * mpmath.sqrt(2 * mpmath.pi) * \
                mpmath.exp(w_ ** 2 * self.sigma ** 2 / 2)


class BumpTemplate(Template):
    """rho0(s) = c0 (1 - (s/h)^2)^3 for |s| < h, else 0: compact support, C^2.

    Its second derivative is continuous and vanishes at s = +-h, its third
    jumps there, so rho0 is in C^2 and not C^3 (Assumption (i)).
    Closed form of (88) through the SymPy antiderivative
    :func:`cmwork.symbolic.bump_moment_antiderivative`, evaluated with guard
    digits against the cancellation between the two ends when w h is small.
    """

    has_closed_form = True

    def __init__(self, *, c0=1, half_width=1):
        with workdps(DEFAULT_DPS):
            self.c0 = as_real("c0", c0, nonzero=True)
            self.half_width = as_real("half_width", half_width, positive=True)
        self.support = (-self.half_width, self.half_width)
        self.scale = self.half_width

    def __repr__(self):
        return (f"BumpTemplate(c0={mpmath.nstr(self.c0, 17)}, "
                f"half_width={mpmath.nstr(self.half_width, 17)})")

    def __call__(self, s):
        x = s / self.half_width
        if abs(x) >= 1:
            return mpf(0) * x
        return self.c0 * (1 - x ** 2) ** 3

    def breakpoints(self, w):
        h = self.half_width
        return (-h, mpf(0), h)

    def _guard(self, n, wh) -> int:
        deg = n + 7
        small = max(1.0, 1.0 / max(float(wh), 1e-300))
        return (QUAD_GUARD + int(deg * math.log10(small)
                + math.lgamma(deg + 1) / math.log(10) + float(wh) * 0.4343) + 1)

    def delta(self, n, w, omega, *, dps=DEFAULT_DPS):
        n = _order(n)
        dps = check_dps(dps)
        w_, mu = _w_mu(w, omega, dps)
        h = self.half_width
        guard = self._guard(n, w_ * h)
        _, F = symbolic.bump_moment_antiderivative(n)
        with workdps(dps + guard):
            lower = max(-h, -mu)
            value = mpmath.exp(-w_ * mu) * (F(h, mu, w_, self.c0, h)
                                            - F(lower, mu, w_, self.c0, h))
        return rounded(value, dps)

    def _square_integral(self, lower, dps):
        h = self.half_width
        _, F = symbolic.bump_square_antiderivative()
        with workdps(check_dps(dps) + QUAD_GUARD):
            start = max(mpf(lower), -h)
            if not start < h:
                return mpf(0)
            v = F(h, self.c0, h) - F(start, self.c0, h)
        return rounded(v, dps)

    def bilateral_laplace(self, w, *, dps=DEFAULT_DPS):
        _, F = symbolic.bump_laplace_bilateral()
        dps = check_dps(dps)
        with workdps(dps):
            w_ = as_real("w", w, positive=True)
        with workdps(dps + self._guard(0, w_ * self.half_width)):
            v = F(w_, self.c0, self.half_width)
        return rounded(v, dps)


class CallableTemplate(Template):
    """Any user function as template; moments by quadrature only.

    ``func`` takes an mpmath number and returns a real number.  ``support``
    is where it may be nonzero, ``breakpoints`` the points (in s) where it or
    its low derivatives change character, ``scale`` its width.

    >>> t = CallableTemplate(lambda s: mpmath.exp(-s**2 / 2), scale=1)
    >>> g = GaussianTemplate(c0=1, sigma=1)
    >>> abs(t.delta(1, 2, omega=0.05, dps=30) / g.delta(1, 2, 0.05, dps=30) - 1) < 1e-25
    True
    """

    def __init__(self, func: Callable, *, support: Sequence = None,
                 breakpoints: Sequence = (), scale=1, name: str = None):
        if not callable(func):
            raise ValueError(f"func={func!r}: expected a callable rho0(s)")
        self.func = func
        self.name = name or getattr(func, "__name__", "rho0")
        with workdps(DEFAULT_DPS):
            self.scale = as_real("scale", scale, positive=True)
            if support is None:
                support = (mpmath.ninf, mpmath.inf)
            if len(support) != 2:
                raise ValueError(f"support={support!r}: expected (lo, hi)")
            lo, hi = (mpmath.mpmathify(x) for x in support)
            if not lo < hi:
                raise ValueError(f"support={support!r}: expected lo < hi")
            self.support = (lo, hi)
            self._extra = tuple(as_real("breakpoints", b) for b in breakpoints)
        self.check_finite("func")

    def __repr__(self):
        return f"CallableTemplate({self.name})"

    def __call__(self, s):
        lo, hi = self.support
        if not lo <= s <= hi:
            return mpf(0)
        return _check_value("func", s, mpmath.mpmathify(self.func(s)))

    def breakpoints(self, w):
        lo, hi = self.support
        return tuple(sorted(set(super().breakpoints(w)) |
                            {b for b in self._extra if lo <= b <= hi}))


def delta(n: int, w, *, omega, template: Template,
          dps: int = DEFAULT_DPS) -> mpf:
    """Delta_{n,omega}(w) of eq. (88) for ``template``, at ``dps`` digits.

    >>> g = GaussianTemplate(c0=1, sigma=1)
    >>> x = delta(2, 1, omega=mpf(1)/200, template=g, dps=40)
    >>> mpmath.nstr(x, 10)
    '2.264946322e-82'
    """
    if not isinstance(template, Template):
        raise ValueError(f"template={template!r}: expected a cmwork Template "
                         "(GaussianTemplate, BumpTemplate, CallableTemplate)")
    return template.delta(n, w, omega, dps=dps)


# ---------------------------------------------------------------------------
# targets rho

class Target:
    """A density rho on [0, oo) known through its Laplace moments."""

    def moment(self, n: int, s, *, dps: int = DEFAULT_DPS) -> mpf:
        """M_n(s) = int_0^oo t^n e^{-s t} rho(t) dt."""
        raise NotImplementedError

    def norm2(self, *, dps: int = DEFAULT_DPS) -> mpf:
        """||rho||^2 in L^2[0, oo)."""
        raise NotImplementedError

    def __call__(self, t):
        raise NotImplementedError


class ExponentialSum(Target):
    """rho(t) = sum_j a_j e^{-w_j t}, w_j > 0, with exact moments."""

    def __init__(self, *, a, w):
        with workdps(DEFAULT_DPS):
            self.a = as_vector("a", a)
            self.w = as_vector("w", w, positive=True)
        if len(self.a) != len(self.w):
            raise ValueError(f"a has {len(self.a)} entries and w has "
                             f"{len(self.w)}: expected the same number")

    def __repr__(self):
        return f"ExponentialSum(a={_short(self.a)}, w={_short(self.w)})"

    def __call__(self, t):
        return mpmath.fsum(a * mpmath.exp(-w * t) for a, w in zip(self.a, self.w))

    def moment(self, n, s, *, dps=DEFAULT_DPS):
        n = _order(n)
        with workdps(check_dps(dps)):
            s_ = as_real("s", s, positive=True)
            v = mpmath.factorial(n) * mpmath.fsum(
                a / (s_ + w) ** (n + 1) for a, w in zip(self.a, self.w))
        return rounded(v, dps)

    def norm2(self, *, dps=DEFAULT_DPS):
        with workdps(check_dps(dps)):
            v = mpmath.fsum(ai * aj / (wi + wj)
                            for ai, wi in zip(self.a, self.w)
                            for aj, wj in zip(self.a, self.w))
        return rounded(v, dps)


class MemoryTarget(Target):
    """The memory target of eq. (86): rho_bar + rho0(. - 1/omega).

    ``a_star`` nonzero, ``w_star`` positive and distinct (eq. (86)),
    ``template`` a :class:`Template`, ``omega`` > 0 (memory 1/omega).

    >>> rho = MemoryTarget(a_star=[1], w_star=[1],
    ...                    template=GaussianTemplate(c0=1, sigma=1), omega=0.1)
    >>> rho.m_star
    1
    """

    def __init__(self, *, a_star, w_star, template: Template, omega):
        with workdps(DEFAULT_DPS):
            self.a_star = as_vector("a_star", a_star, nonzero=True)
            self.w_star = as_vector("w_star", w_star, positive=True)
            _omega(omega)
        # kept as given (a Fraction or string stays exact) and converted at
        # the working precision of each use: 1/omega multiplies w in e^{-w/omega}
        self._omega = omega
        if len(self.a_star) != len(self.w_star):
            raise ValueError(f"a_star has {len(self.a_star)} entries and "
                             f"w_star has {len(self.w_star)}: expected the "
                             "same number")
        if len(set(self.w_star)) != len(self.w_star):
            raise ValueError(f"w_star={_short(self.w_star)}: expected distinct "
                             "values (eq. (86) requires w*_i != w*_j)")
        if not isinstance(template, Template):
            raise ValueError(f"template={template!r}: expected a cmwork "
                             "Template (GaussianTemplate, BumpTemplate, "
                             "CallableTemplate)")
        self.template = template
        self.exponential_part = ExponentialSum(a=self.a_star, w=self.w_star)

    def __repr__(self):
        return (f"MemoryTarget(a_star={_short(self.a_star)}, "
                f"w_star={_short(self.w_star)}, template={self.template!r}, "
                f"omega={mpmath.nstr(self.omega, 17)})")

    @property
    def omega(self) -> mpf:
        """omega at the current working precision."""
        return _omega(self._omega)

    @property
    def inv_omega(self) -> mpf:
        """The memory 1/omega at the current working precision."""
        return 1 / self.omega

    @property
    def m_star(self) -> int:
        return len(self.a_star)

    def with_omega(self, omega) -> "MemoryTarget":
        """The same target at another memory 1/omega."""
        return MemoryTarget(a_star=self.a_star, w_star=self.w_star,
                            template=self.template, omega=omega)


    def __call__(self, t):
        return self.exponential_part(t) + self.template(t - 1 / self.omega)

    def delta(self, n, s, *, dps=DEFAULT_DPS):
        """Delta_{n,omega}(s) of eq. (88) at this target's omega."""
        return self.template.delta(n, s, self._omega, dps=dps)

    def moment(self, n, s, *, dps=DEFAULT_DPS):
        dps = check_dps(dps)
        with workdps(dps + 5):
            v = self.exponential_part.moment(n, s, dps=dps + 5) + \
                self.delta(n, s, dps=dps + 5)
        return rounded(v, dps)

    def norm2(self, *, dps=DEFAULT_DPS):
        dps = check_dps(dps)
        with workdps(dps + 5):
            cross = mpmath.fsum(a * self.delta(0, w, dps=dps + 5)
                                for a, w in zip(self.a_star, self.w_star))
            v = self.exponential_part.norm2(dps=dps + 5) + 2 * cross + \
                self.template.shifted_norm2(self._omega, dps=dps + 5)
        return rounded(v, dps)


def _short(values) -> str:
    return "[" + ", ".join(mpmath.nstr(v, 8) for v in values) + "]"


class PowerLaw(Target):
    """rho(t) = c (1 + t)^(-alpha), alpha > 1/2 (so that rho is in L^2).

    Completely monotone for c > 0 (Appendix A, Remark A.6).  Moments by the
    substitution u = 1 + t and the binomial theorem,

        M_n(s) = c e^s sum_{k=0}^n C(n, k) (-1)^(n-k) s^(alpha-k-1)
                 Gamma(k + 1 - alpha, s),

    with the upper incomplete gamma function; ||rho||^2 = c^2 / (2 alpha - 1).
    The alternating sum cancels about n log10(1 + 1/s) digits, which are
    added as guard digits.  (The tests compare it with quadrature and with
    n! U(n+1, n+2-alpha, s), Tricomi's confluent hypergeometric function.)

    >>> rho = PowerLaw(alpha=2)
    >>> mpmath.nstr(rho.moment(0, 1, dps=30), 15)     # e Gamma(-1, 1)
    '0.403652637676806'
    """

    def __init__(self, *, alpha, c=1):
        with workdps(DEFAULT_DPS):
            self.alpha = as_real("alpha", alpha)
            self.c = as_real("c", c, nonzero=True)
        if not self.alpha > mpf(1) / 2:
            raise ValueError(f"alpha={alpha!r}: expected alpha > 1/2 (for "
                             "alpha <= 1/2, (1+t)^(-alpha) is not in L^2)")
        self._alpha_given = alpha

    def __repr__(self):
        return (f"PowerLaw(alpha={mpmath.nstr(self.alpha, 17)}, "
                f"c={mpmath.nstr(self.c, 17)})")

    @property
    def completely_monotone(self) -> bool:
        return bool(self.c > 0)

    def __call__(self, t):
        return self.c * (1 + t) ** (-self.alpha)

    def _alpha_at(self):
        """alpha at the current precision (exact if it was given exactly)."""
        a = self._alpha_given
        if isinstance(a, Fraction):
            return mpf(a.numerator) / a.denominator
        return mpmath.mpmathify(a) if not isinstance(a, str) else mpf(a)

    def moment(self, n, s, *, dps=DEFAULT_DPS):
        n = _order(n)
        dps = check_dps(dps)
        with workdps(dps):
            s_ = as_real("s", s, positive=True)
        guard = QUAD_GUARD + int(n * math.log10(1 + 1 / float(s_))) + 1
        with workdps(dps + guard):
            s_ = as_real("s", s, positive=True)
            al = self._alpha_at()
            v = mpmath.fsum(mpmath.binomial(n, k) * (-1) ** (n - k)
                            * s_ ** (al - k - 1)
                            * mpmath.gammainc(k + 1 - al, s_)
                            for k in range(n + 1))
            v = self.c * mpmath.exp(s_) * v
        return rounded(v, dps)

    def moment_quadrature(self, n, s, *, dps=DEFAULT_DPS):
        """M_n(s) by tanh-sinh quadrature (an independent route)."""
        n = _order(n)
        with workdps(check_dps(dps) + QUAD_GUARD):
            s_ = as_real("s", s, positive=True)
            al = self._alpha_at()
            v = mpmath.quad(lambda t: t ** n * mpmath.exp(-s_ * t)
                            * (1 + t) ** (-al), [0, 1, 1 / s_, mpmath.inf])
            v = self.c * v
        return rounded(v, dps)

    def norm2(self, *, dps=DEFAULT_DPS):
        with workdps(check_dps(dps)):
            v = self.c ** 2 / (2 * self._alpha_at() - 1)
        return rounded(v, dps)
