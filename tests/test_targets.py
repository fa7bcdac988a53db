"""Templates rho0, Delta_{n,omega} of eq. (88) and the memory target of eq. (86).

Expected values come from closed forms derived here (the erfc form of
Delta_0 for the Gaussian, its w-derivatives, the tilted Gaussian moments,
c0 sigma sqrt(2 pi) e^{w^2 sigma^2/2}), from the statement of Lemma 4.1, or
from quadratures written in this file; none is a number printed by cmwork.
"""
from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st
from mpmath import mpf

import cmwork
from cmwork import (BumpTemplate, CallableTemplate, GaussianTemplate,
                    MemoryTarget, delta)

#: Working precision of the route comparisons ("dps around 50").
DPS = 50

#: Digits to which the closed form and the quadrature must agree (README,
#: "Decisions written down").  Each route keeps about DPS digits; the ten
#: spare digits absorb the few lost to rounding in either route.
ROUTE_DIGITS = 40

#: Memories 1/omega of the README claim "from 1 to 1000".
INV_OMEGAS = (1, 2, 10, 100, 1000)

#: Decay rates w at which Delta_{n,omega}(w) is compared.
RATES = (Fraction(1, 2), Fraction(1), Fraction(3))

GAUSSIANS = [GaussianTemplate(c0=1, sigma=1),
             GaussianTemplate(c0=-2, sigma=Fraction(1, 4)),
             GaussianTemplate(c0=3, sigma=3)]
BUMPS = [BumpTemplate(c0=1, half_width=1),
         BumpTemplate(c0=-2, half_width=Fraction(1, 4)),
         BumpTemplate(c0=3, half_width=3)]


@pytest.fixture(autouse=True)
def _global_precision_is_left_alone():
    before = mpmath.mp.prec
    yield
    assert mpmath.mp.prec == before


def _mp(x):
    """A Fraction, int or mpf as an mpf at the current precision."""
    if isinstance(x, mpf):
        return +x
    x = Fraction(x)
    return mpf(x.numerator) / x.denominator


def _rel(x, ref):
    """Relative difference; the references below are never 0."""
    return abs(x - ref) / abs(ref)


def _gaussian(c0, sigma):
    """rho0(s) = c0 exp(-s^2/(2 sigma^2)), eq. (85), written out here."""
    return lambda s: _mp(c0) * mpmath.exp(-s ** 2 / (2 * _mp(sigma) ** 2))


def _bump(c0, h):
    """rho0(s) = c0 (1 - (s/h)^2)^3 on |s| < h, else 0, written out here."""
    return lambda s: (_mp(c0) * (1 - (s / _mp(h)) ** 2) ** 3
                      if abs(s) < _mp(h) else mpf(0))


def _erfc_delta0(c0, sigma, w, inv):
    """Delta_0 of the Gaussian template by completing the square in (88).

    -(t - mu)^2/(2 sigma^2) - w t = -(t - nu)^2/(2 sigma^2) - w mu
    + w^2 sigma^2/2 with nu = mu - w sigma^2, and int_0^oo of the Gaussian
    centred at nu is sigma sqrt(pi/2) erfc(-nu/(sigma sqrt 2)).
    """
    c0, sigma, w, mu = _mp(c0), _mp(sigma), _mp(w), _mp(inv)
    nu = mu - w * sigma ** 2
    return (c0 * mpmath.exp(-w * mu + w ** 2 * sigma ** 2 / 2) * sigma
            * mpmath.sqrt(mpmath.pi / 2) * mpmath.erfc(-nu / (sigma * mpmath.sqrt(2))))


# ---------------------------------------------------------------------------
# closed form against quadrature


@pytest.mark.parametrize("inv", INV_OMEGAS)
@pytest.mark.parametrize("template", GAUSSIANS + BUMPS, ids=repr)
def test_closed_form_and_quadrature_agree_to_40_digits(template, inv):
    # values reach e^{-3000}: agreement is relative, the honest meaning of
    # "40 digits" for numbers that small
    omega = Fraction(1, inv)
    for n in (0, 1, 2):
        for w in RATES:
            closed = template.delta(n, w, omega, dps=DPS)
            quad, err = template.delta_quadrature(n, w, omega, dps=DPS)
            with mpmath.workdps(DPS):
                assert closed != 0
                assert _rel(quad, closed) < mpf(10) ** -ROUTE_DIGITS, (n, w)
                # quad's own estimate is consistent with the agreement
                assert err < abs(closed) * mpf(10) ** -ROUTE_DIGITS, (n, w)


@st.composite
def _gaussian_instances(draw):
    n = draw(st.integers(0, 2))
    w = draw(st.fractions(Fraction(1, 4), 4, max_denominator=8))
    inv = draw(st.integers(1, 300))
    sigma = draw(st.fractions(Fraction(1, 8), 4, max_denominator=8))
    c0 = draw(st.fractions(-3, 3, max_denominator=4).filter(lambda x: x != 0))
    return n, w, inv, sigma, c0


# pinned: nu = mu - w sigma^2 = -63, where the recurrence for I_n cancels
# 3.6 digits a step; and a narrow Gaussian at the longest memory drawn
@given(_gaussian_instances())
@example((2, Fraction(4), 1, Fraction(4), Fraction(1)))
@example((0, Fraction(1, 4), 300, Fraction(1, 8), Fraction(-3)))
def test_gaussian_closed_form_matches_quadrature_on_random_instances(inst):
    n, w, inv, sigma, c0 = inst
    g = GaussianTemplate(c0=c0, sigma=sigma)
    closed = g.delta(n, w, Fraction(1, inv), dps=DPS)
    quad, _ = g.delta_quadrature(n, w, Fraction(1, inv), dps=DPS)
    with mpmath.workdps(DPS):
        assert _rel(quad, closed) < mpf(10) ** -ROUTE_DIGITS


@given(st.integers(0, 2), st.fractions(Fraction(1, 4), 4, max_denominator=8),
       st.integers(1, 1000), st.fractions(Fraction(1, 8), 4, max_denominator=8))
def test_bump_closed_form_matches_quadrature_on_random_instances(n, w, inv, h):
    b = BumpTemplate(c0=1, half_width=h)
    closed = b.delta(n, w, Fraction(1, inv), dps=DPS)
    quad, _ = b.delta_quadrature(n, w, Fraction(1, inv), dps=DPS)
    with mpmath.workdps(DPS):
        assert _rel(quad, closed) < mpf(10) ** -ROUTE_DIGITS


@pytest.mark.parametrize("dps", [20, 50])
@pytest.mark.parametrize("inv", [1000, 10 ** 6])
@pytest.mark.parametrize("template", [GAUSSIANS[0], BUMPS[0]], ids=repr)
def test_closed_form_keeps_requested_digits_when_w_over_omega_is_large(
        template, inv, dps):
    # e^{-w/omega} turns a relative error 10^-dps in 1/omega into one of
    # (w/omega) 10^-dps: 1/omega must be formed with log10(w/omega) more
    # digits.  Reference: the quadrature route at dps + 20.  The result is
    # rounded to dps digits, so one spare digit is allowed.
    omega = Fraction(1, inv)
    for n, w in ((0, 3), (2, 1)):
        value = template.delta(n, w, omega, dps=dps)
        ref, _ = template.delta_quadrature(n, w, omega, dps=dps + 20)
        with mpmath.workdps(dps + 20):
            assert _rel(value, ref) < mpf(10) ** (1 - dps), (n, w)


# ---------------------------------------------------------------------------
# the Gaussian closed form by another route


@pytest.mark.parametrize("c0, sigma", [(1, 1), (-2, Fraction(1, 4)), (3, 3)])
@pytest.mark.parametrize("inv", [1, 10, 1000])
def test_gaussian_delta0_equals_erfc_formula(c0, sigma, inv):
    g = GaussianTemplate(c0=c0, sigma=sigma)
    for w in RATES:
        value = g.delta(0, w, Fraction(1, inv), dps=DPS)
        with mpmath.workdps(DPS + 20):
            ref = _erfc_delta0(c0, sigma, w, inv)
            # delta is rounded to DPS digits; two digits spare
            assert _rel(value, ref) < mpf(10) ** (2 - DPS), w


def test_erfc_check_rejects_a_flipped_erfc_argument():
    # the comparison above is not vacuous: erfc(+nu/...) in place of
    # erfc(-nu/...) is off in the leading digit
    g = GaussianTemplate(c0=1, sigma=1)
    value = g.delta(0, 1, Fraction(1, 10), dps=DPS)
    with mpmath.workdps(DPS + 20):
        mu, sigma = mpf(10), mpf(1)
        nu = mu - sigma ** 2
        wrong = (mpmath.exp(-mu + sigma ** 2 / 2) * sigma
                 * mpmath.sqrt(mpmath.pi / 2)
                 * mpmath.erfc(nu / (sigma * mpmath.sqrt(2))))
        assert _rel(value, wrong) > mpf(1) / 2


@pytest.mark.parametrize("inv", [1, 10, 100])
def test_gaussian_higher_orders_are_w_derivatives_of_the_erfc_formula(inv):
    # Delta_n(w) = int t^n e^{-wt} ... = (-d/dw)^n Delta_0(w), eq. (88)
    c0, sigma = -2, Fraction(1, 2)
    g = GaussianTemplate(c0=c0, sigma=sigma)
    for n in (1, 2):
        for w in RATES:
            value = g.delta(n, w, Fraction(1, inv), dps=DPS)
            with mpmath.workdps(DPS + 30):
                ref = (-1) ** n * mpmath.diff(
                    lambda x: _erfc_delta0(c0, sigma, x, inv), _mp(w), n)
            with mpmath.workdps(DPS):
                # numerical differentiation at DPS + 30 keeps more than
                # ROUTE_DIGITS digits
                assert _rel(value, ref) < mpf(10) ** -ROUTE_DIGITS, (n, w)


@pytest.mark.parametrize("inv", [1, 10, 1000])
def test_callable_gaussian_matches_gaussian_template(inv):
    c0, sigma = 3, Fraction(1, 2)
    f = _gaussian(c0, sigma)
    t = CallableTemplate(f, scale=sigma)
    g = GaussianTemplate(c0=c0, sigma=sigma)
    omega = Fraction(1, inv)
    for w in (Fraction(1, 2), Fraction(3)):
        with mpmath.workdps(DPS + 20):
            ref0 = _erfc_delta0(c0, sigma, w, inv)
        with mpmath.workdps(DPS):
            assert _rel(t.delta(0, w, omega, dps=DPS), ref0) \
                < mpf(10) ** -ROUTE_DIGITS
            for n in (1, 2):
                assert _rel(t.delta(n, w, omega, dps=DPS),
                            g.delta(n, w, omega, dps=DPS)) \
                    < mpf(10) ** -ROUTE_DIGITS


# ---------------------------------------------------------------------------
# quadrature without breakpoints


def test_quadrature_without_breakpoints_misses_a_bump_and_reports_no_error():
    # the bump sits on [999, 1001]; quad over [0, oo) whole never samples it
    # and returns 0 with error estimate 0: silently wrong
    b = BumpTemplate(c0=1, half_width=1)
    omega = Fraction(1, 1000)
    value, err = b.delta_quadrature(0, 1, omega, dps=DPS, breakpoints=False)
    assert value == 0 and err == 0
    good, good_err = b.delta_quadrature(0, 1, omega, dps=DPS)
    with mpmath.workdps(DPS):
        # Delta > 0: the integrand t^0 e^{-t} rho0(t - 1000) is >= 0, not = 0.
        # With t = s + 1000 the integral is e^{-1000} int e^{-s} rho0(s) ds;
        # the factor is taken out because quad's error control is absolute
        f = _bump(1, 1)
        ref = mpmath.exp(-1000) * mpmath.quad(
            lambda s: mpmath.exp(-s) * f(s), [-1, 0, 1])
        assert ref > 0
        assert _rel(good, ref) < mpf(10) ** -ROUTE_DIGITS
        assert good_err < ref * mpf(10) ** -ROUTE_DIGITS


@pytest.mark.parametrize("sigma, inv", [(1, 1000), (Fraction(1, 10), 100)])
def test_quadrature_without_breakpoints_is_wrong_beyond_its_absolute_error(
        sigma, inv):
    # a Gaussian far from the origin: quad samples only its far tail and
    # returns a value hundreds of orders of magnitude too small.  Its error
    # estimate equals that value: in absolute terms (quad's own error
    # control) it claims an error ~10^-100 times smaller than the true one;
    # only a relative reading (err ~ |value|) shows that no digit is known.
    g = GaussianTemplate(c0=1, sigma=sigma)
    omega = Fraction(1, inv)
    with mpmath.workdps(DPS + 20):
        ref = _erfc_delta0(1, sigma, 1, inv)
    value, err = g.delta_quadrature(0, 1, omega, dps=DPS, breakpoints=False)
    with mpmath.workdps(DPS):
        assert 0 < value < ref * mpf(10) ** -100
        assert err < abs(value - ref) * mpf(10) ** -100
        assert err >= abs(value) / 2
        good, good_err = g.delta_quadrature(0, 1, omega, dps=DPS)
        assert _rel(good, ref) < mpf(10) ** -ROUTE_DIGITS
        assert good_err < ref * mpf(10) ** -ROUTE_DIGITS


# ---------------------------------------------------------------------------
# smoothness of the bump (Assumption (i))


@pytest.mark.parametrize("c0, h", [(1, 1), (-2, Fraction(1, 4)), (3, 3)])
def test_bump_is_c2_but_not_c3_at_the_ends_of_its_support(c0, h):
    s, c, hh = sp.symbols("s c h", real=True)
    third = sp.diff(c * (1 - (s / hh) ** 2) ** 3, s, 3)
    b = BumpTemplate(c0=c0, half_width=h)
    h = Fraction(h)
    with mpmath.workdps(DPS):
        scale = abs(_mp(c0)) / _mp(h) ** 3
        # one-sided differences at DPS keep more than ROUTE_DIGITS digits
        tol = scale * mpf(10) ** -ROUTE_DIGITS
        for end_exact in (h, -h):
            end = _mp(end_exact)
            inside = -1 if end > 0 else 1
            for k in range(3):
                left = mpmath.diff(b, end, k, direction=-1)
                right = mpmath.diff(b, end, k, direction=1)
                assert abs(left - right) < tol * _mp(h) ** (3 - k), (end, k)
            jump_in = mpmath.diff(b, end, 3, direction=inside)
            jump_out = mpmath.diff(b, end, 3, direction=-inside)
            q = sp.Rational(third.subs({s: sp.Rational(end_exact), c: c0,
                                        hh: sp.Rational(h)}))
            assert abs(Fraction(q.p, q.q)) == 48 * abs(Fraction(c0)) / h ** 3
            expected = mpf(q.p) / q.q
            assert abs(jump_in - expected) < tol
            assert abs(jump_out) < tol
        # control: inside the support the third derivative does not jump
        mid = _mp(h) / 2
        assert abs(mpmath.diff(b, mid, 3, direction=-1)
                   - mpmath.diff(b, mid, 3, direction=1)) < tol


# ---------------------------------------------------------------------------
# Lemma 4.1: Delta_{n,omega}(w) omega^n e^{w/omega} -> int e^{-ws} rho0(s) ds


def _laplace_reference(template, c0, width, w):
    """int_R e^{-ws} rho0(s) ds, by formula (Gaussian) or by quadrature."""
    c0, width, w = _mp(c0), _mp(width), _mp(w)
    if isinstance(template, GaussianTemplate):
        return c0 * width * mpmath.sqrt(2 * mpmath.pi) * mpmath.exp(
            w ** 2 * width ** 2 / 2)
    f = _bump(c0, width)
    return mpmath.quad(lambda s: mpmath.exp(-w * s) * f(s), [-width, 0, width])


TEMPLATES_WITH_PARAMS = [
    (GaussianTemplate(c0=1, sigma=1), 1, 1),
    (GaussianTemplate(c0=-2, sigma=Fraction(1, 4)), -2, Fraction(1, 4)),
    (BumpTemplate(c0=1, half_width=1), 1, 1),
    (BumpTemplate(c0=3, half_width=3), 3, 3),
]


@pytest.mark.parametrize("template, c0, width", TEMPLATES_WITH_PARAMS,
                         ids=[repr(t[0]) for t in TEMPLATES_WITH_PARAMS])
def test_bilateral_laplace_equals_its_closed_form(template, c0, width):
    for w in RATES:
        value = template.bilateral_laplace(w, dps=DPS)
        with mpmath.workdps(DPS):
            ref = _laplace_reference(template, c0, width, w)
            assert _rel(value, ref) < mpf(10) ** -ROUTE_DIGITS, w


@pytest.mark.parametrize("template, c0, width", TEMPLATES_WITH_PARAMS,
                         ids=[repr(t[0]) for t in TEMPLATES_WITH_PARAMS])
def test_delta_ratio_tends_to_bilateral_laplace(template, c0, width):
    # the ratio is int (1 + omega s)^n e^{-ws} rho0(s) ds over s > -1/omega:
    # for n = 0 it is the limit itself (the tail below -1/omega is
    # e^{-10^12}-small), for n >= 1 it is off by O(n omega w width^2)
    # ~ 10^-5 at 1/omega = 10^6, and by much more at 1/omega = 10
    dps = 30
    for w in RATES:
        with mpmath.workdps(dps):
            limit = _laplace_reference(template, c0, width, w)
        assert _rel(template.bilateral_laplace(w, dps=dps), limit) \
            < mpf(10) ** (3 - dps)
        for n in (0, 1, 2):
            tol = mpf(10) ** (3 - dps) if n == 0 else mpf(10) ** -5
            ratios = {}
            for inv in (10, 10 ** 6):
                d = template.delta(n, w, Fraction(1, inv), dps=dps)
                with mpmath.workdps(dps):
                    ratios[inv] = d * mpf(inv) ** -n * mpmath.exp(w * mpf(inv))
            with mpmath.workdps(dps):
                assert _rel(ratios[10 ** 6], limit) < tol, (n, w)
                if n:      # the limit is not an identity at short memory
                    assert _rel(ratios[10], limit) > tol, (n, w)


@pytest.mark.parametrize("n", [1, 2])
def test_gaussian_ratio_is_a_tilted_gaussian_moment(n):
    # e^{-ws} rho0(s) = L N(s; -w sigma^2, sigma^2): the ratio of Lemma 4.1
    # is L E[(1 + omega S)^n], S ~ N(-w sigma^2, sigma^2), up to the tail
    # below -1/omega (e^{-4000} at 1/omega = 100): exact to working precision
    c0, sigma, inv = 3, Fraction(1, 2), 100
    g = GaussianTemplate(c0=c0, sigma=sigma)
    for w in RATES:
        d = g.delta(n, w, Fraction(1, inv), dps=DPS)
        with mpmath.workdps(DPS):
            L = _laplace_reference(g, c0, sigma, w)
            om, m1, var = 1 / mpf(inv), -_mp(w) * _mp(sigma) ** 2, _mp(sigma) ** 2
            moment = 1 + om * m1 if n == 1 else (1 + om * m1) ** 2 + om ** 2 * var
            ratio = d * mpf(inv) ** -n * mpmath.exp(_mp(w) * inv)
            assert _rel(ratio, L * moment) < mpf(10) ** -ROUTE_DIGITS, w


# ---------------------------------------------------------------------------
# L^2 norms (Proposition 4.1)


NORM_CASES = [
    (GaussianTemplate(c0=1, sigma=1), _gaussian(1, 1)),
    (GaussianTemplate(c0=-2, sigma=Fraction(1, 4)), _gaussian(-2, Fraction(1, 4))),
    (BumpTemplate(c0=1, half_width=1), _bump(1, 1)),
    (BumpTemplate(c0=-2, half_width=Fraction(1, 4)), _bump(-2, Fraction(1, 4))),
    (BumpTemplate(c0=3, half_width=3), _bump(3, 3)),
]


def _square_quad(f, lower):
    pts = sorted({lower} | {x for x in (-3, -1, Fraction(-1, 4), 0,
                                        Fraction(1, 4), 1, 3) if x > lower})
    return mpmath.quad(lambda s: f(s) ** 2, [_mp(p) for p in pts] + [mpmath.inf])


@pytest.mark.parametrize("template, f", NORM_CASES,
                         ids=[repr(t[0]) for t in NORM_CASES])
def test_norms_equal_quadrature_of_rho0_squared(template, f):
    for mu in (Fraction(1, 8), Fraction(1, 2), 2, 10):
        value = template.shifted_norm2(1 / Fraction(mu), dps=DPS)
        with mpmath.workdps(DPS):
            ref = _square_quad(f, -Fraction(mu))
            assert _rel(value, ref) < mpf(10) ** -ROUTE_DIGITS, mu
    half = template.half_norm2(dps=DPS)
    with mpmath.workdps(DPS):
        ref = _square_quad(f, Fraction(0))
        assert _rel(half, ref) < mpf(10) ** -ROUTE_DIGITS
        # control: the half-line norm is not the full-line one
        assert _rel(half, _square_quad(f, Fraction(-20))) > mpf(1) / 3


# ---------------------------------------------------------------------------
# moments of the memory target, eq. (86)-(88)


A_STAR = (Fraction(1), Fraction(-3, 2))
W_STAR = (Fraction(1, 2), Fraction(2))


def _moment_quad(f, a_star, w_star, mu, width, n, s):
    """int_0^oo t^n e^{-st} rho(t) dt with rho of eq. (86), by quadrature.

    Split at 1/omega +- a few widths, where rho0(t - 1/omega) lives.
    """
    a_star = [_mp(a) for a in a_star]
    w_star = [_mp(w) for w in w_star]
    mu, width, s = _mp(mu), _mp(width), _mp(s)

    def rho(t):
        return mpmath.fsum(a * mpmath.exp(-w * t) for a, w in zip(a_star, w_star)) \
            + f(t - mu)

    pts = sorted({mpf(0)} | {mu + k * width for k in range(-8, 9)
                             if mu + k * width > 0})
    return mpmath.quad(lambda t: t ** n * mpmath.exp(-s * t) * rho(t),
                       pts + [mpmath.inf])


@pytest.mark.parametrize("template, f, width", [
    (GaussianTemplate(c0=1, sigma=Fraction(1, 2)), _gaussian(1, Fraction(1, 2)),
     Fraction(1, 2)),
    (BumpTemplate(c0=-2, half_width=1), _bump(-2, 1), 1),
], ids=["gaussian", "bump"])
def test_memory_target_moment_is_exponential_part_plus_delta(template, f, width):
    inv = 5
    rho = MemoryTarget(a_star=A_STAR, w_star=W_STAR, template=template,
                       omega=Fraction(1, inv))
    for n in (0, 1, 2):
        for s in (Fraction(1, 2), Fraction(2)):
            value = rho.moment(n, s, dps=DPS)
            d = rho.delta(n, s, dps=DPS)
            with mpmath.workdps(DPS):
                expo = mpmath.factorial(n) * mpmath.fsum(
                    _mp(a) / (_mp(s) + _mp(w)) ** (n + 1)
                    for a, w in zip(A_STAR, W_STAR))
                ref = _moment_quad(f, A_STAR, W_STAR, inv, width, n, s)
                tol = mpf(10) ** -ROUTE_DIGITS
                assert _rel(value, expo + d) < tol, (n, s)
                assert _rel(value, ref) < tol, (n, s)
                # control: Delta is visible, the exponential part alone fails
                assert _rel(expo, ref) > 10 ** 6 * tol, (n, s)


# ---------------------------------------------------------------------------
# bad inputs


def _nan_far_out(s):
    # finite at every sample point of check_finite, nan beyond s = 30
    return mpmath.nan if s > 30 else mpmath.exp(-s ** 2 / 2)


G = GaussianTemplate(c0=1, sigma=1)

BAD_INPUTS = [
    ("omega=0", lambda: delta(0, 1, omega=0, template=G), ["omega=0"]),
    ("omega<0", lambda: delta(0, 1, omega=-1, template=BUMPS[0]), ["omega=-1"]),
    ("omega=nan", lambda: delta(0, 1, omega=float("nan"), template=G),
     ["omega=nan"]),
    ("omega=inf", lambda: delta(0, 1, omega=float("inf"), template=G),
     ["omega=inf"]),
    ("omega=0 quad", lambda: G.delta_quadrature(0, 1, 0), ["omega=0"]),
    ("omega=0 target", lambda: MemoryTarget(a_star=[1], w_star=[1], template=G,
                                            omega=0), ["omega=0"]),
    ("w=0", lambda: delta(0, 0, omega=1, template=G), ["w=0"]),
    ("w<0", lambda: delta(0, -1, omega=1, template=BUMPS[0]), ["w=-1"]),
    ("w<0 quad", lambda: BUMPS[0].delta_quadrature(0, -2, 1), ["w=-2"]),
    ("n<0", lambda: delta(-1, 1, omega=1, template=G), ["n=-1"]),
    ("n=1.5", lambda: delta(1.5, 1, omega=1, template=G), ["n=1.5"]),
    ("n=2.0", lambda: delta(2.0, 1, omega=1, template=BUMPS[0]), ["n=2.0"]),
    ("n<0 moment", lambda: MemoryTarget(a_star=[1], w_star=[1], template=G,
                                        omega=1).moment(-1, 1), ["n=-1"]),
    ("sigma=0", lambda: GaussianTemplate(sigma=0), ["sigma=0"]),
    ("sigma<0", lambda: GaussianTemplate(sigma=-1), ["sigma=-1"]),
    ("c0=0 gauss", lambda: GaussianTemplate(c0=0), ["c0=0"]),
    ("c0=0 bump", lambda: BumpTemplate(c0=0), ["c0=0"]),
    ("half_width=0", lambda: BumpTemplate(half_width=0), ["half_width=0"]),
    ("half_width<0", lambda: BumpTemplate(half_width=-2), ["half_width=-2"]),
    ("func nan", lambda: CallableTemplate(lambda s: mpmath.nan), ["func", "nan"]),
    ("func inf", lambda: CallableTemplate(lambda s: float("inf")),
     ["func", "inf"]),
    ("func complex", lambda: CallableTemplate(lambda s: 1 + 1j),
     ["func", "1.0j"]),
    ("func nan far out",
     lambda: CallableTemplate(_nan_far_out).delta(0, 1, Fraction(1, 10)),
     ["func", "nan"]),
    ("support lo=hi", lambda: CallableTemplate(lambda s: 1, support=(1, 1)),
     ["support=(1, 1)"]),
    ("support lo>hi", lambda: CallableTemplate(lambda s: 1, support=(2, 1)),
     ["support=(2, 1)"]),
    ("w_star repeated", lambda: MemoryTarget(a_star=[1, 2], w_star=[1, 1],
                                             template=G, omega=1),
     ["w_star=", "1.0, 1.0"]),
    ("lengths", lambda: MemoryTarget(a_star=[1, 2], w_star=[1], template=G,
                                     omega=1),
     ["a_star has 2", "w_star has 1"]),
    ("template target", lambda: MemoryTarget(a_star=[1], w_star=[1],
                                             template="gaussian", omega=1),
     ["template='gaussian'"]),
    ("template delta", lambda: delta(0, 1, omega=1, template=_gaussian(1, 1)),
     ["template=<function"]),
]


@pytest.mark.parametrize("call, names", [c[1:] for c in BAD_INPUTS],
                         ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_raises_value_error_naming_argument_and_value(call, names):
    dps = mpmath.mp.dps
    with pytest.raises(ValueError) as info:
        call()
    for name in names:
        assert name in str(info.value)
    assert mpmath.mp.dps == dps


# ---------------------------------------------------------------------------
# global precision


def test_no_function_leaves_global_precision_changed():
    rho = MemoryTarget(a_star=A_STAR, w_star=W_STAR, template=BUMPS[1],
                       omega="0.05")
    t = CallableTemplate(_gaussian(1, 1))
    calls = [
        lambda: G.delta(2, 1, Fraction(1, 100), dps=80),
        lambda: BUMPS[0].delta(1, 3, Fraction(1, 100), dps=15),
        lambda: G.delta_quadrature(1, 1, Fraction(1, 10), dps=60),
        lambda: t.delta(0, 1, Fraction(1, 10), dps=30),
        lambda: G.shifted_norm2(Fraction(1, 10), dps=70),
        lambda: BUMPS[2].half_norm2(dps=70),
        lambda: BUMPS[1].bilateral_laplace(2, dps=70),
        lambda: G.bilateral_laplace(2, dps=70),
        lambda: rho.moment(2, 1, dps=70),
        lambda: rho.norm2(dps=70),
        lambda: delta(0, 1, omega=1, template=G, dps=100),
        lambda: GaussianTemplate(c0=2, sigma=3),
        lambda: G.delta(0, 1, 0, dps=90),                  # raises
        lambda: BUMPS[0].delta(-1, 1, 1, dps=90),          # raises
        lambda: G.delta_quadrature(0, 1, -1, dps=90),      # raises
        lambda: CallableTemplate(lambda s: mpmath.nan),    # raises
        lambda: CallableTemplate(_nan_far_out).delta(0, 1, Fraction(1, 10),
                                                     dps=90),  # raises
    ]
    with mpmath.workdps(23):
        prec = mpmath.mp.prec
        for call in calls:
            try:
                call()
            except ValueError:
                pass
            assert mpmath.mp.dps == 23 and mpmath.mp.prec == prec


def test_delta_value_does_not_depend_on_global_precision():
    # the result is computed at dps=, whatever the caller's setting
    values = []
    for outer in (15, 200):
        with mpmath.workdps(outer):
            values.append(G.delta(1, 1, Fraction(1, 100), dps=DPS))
    with mpmath.workdps(DPS):
        assert _rel(values[0], values[1]) < mpf(10) ** (1 - DPS)


def test_public_delta_dispatches_to_the_template():
    # cmwork.delta and Template.delta are the same Delta_{n,omega}(w)
    assert cmwork.delta(1, 2, omega=Fraction(1, 3), template=BUMPS[0], dps=DPS) \
        == BUMPS[0].delta(1, 2, Fraction(1, 3), dps=DPS)
