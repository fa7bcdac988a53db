"""The certified tier: arb enclosures contain the exact values, the inertia
is proven or reported undecided, and the certified claims fail on wrong
input.  Expected values come from mpmath at twice the precision (another
route), from matrices with an exactly known spectrum, and from the
statements of the paper."""
import random
from fractions import Fraction

import mpmath
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from mpmath import mpf

import cmwork
from cmwork import certified as C
from cmwork.claims import FAILS, HOLDS, load_all
from cmwork.cli import main

pytest.importorskip("flint")
from flint import arb, ctx, fmpq  # noqa: E402

BITS = 200                       # ball precision of the tests
DPS_CHECK = 2 * 60 + 20          # mpmath at more than twice BITS ~ 60 digits


def _within(b, x, dps) -> bool:
    """The ball ``b`` contains the mpmath value ``x`` known to ``dps`` digits:
    x's own error (10^-dps |x|) is added to the ball's radius."""
    with mpmath.workdps(dps):
        slack = abs(x) * mpf(10) ** (-dps + 2)
        xb = arb(x, C.upper(arb(slack))) if slack else arb(x)
    return b.overlaps(xb)


templates = st.sampled_from([
    cmwork.GaussianTemplate(c0=1, sigma=1),
    cmwork.GaussianTemplate(c0=Fraction(-3, 2), sigma=Fraction(1, 4)),
    cmwork.BumpTemplate(c0=1, half_width=1),
    cmwork.BumpTemplate(c0=2, half_width=Fraction(1, 2)),
])


@given(templates, st.integers(0, 2), st.fractions(Fraction(1, 4), 4),
       st.sampled_from([Fraction(1), Fraction(1, 10), Fraction(1, 80),
                        Fraction(1, 300)]))
@example(cmwork.GaussianTemplate(c0=1, sigma=1), 2, Fraction(1), Fraction(1, 300))
def test_delta_ball_contains_the_mpmath_value_at_twice_the_precision(
        tmpl, n, w, omega):
    b = C.delta_ball(tmpl, n, w, omega, prec=BITS + int(3.4 / omega))
    x = tmpl.delta(n, w, omega, dps=DPS_CHECK)
    assert _within(b, x, DPS_CHECK)
    assert b.rad() < abs(b.mid()) * mpf(2) ** (-BITS // 2)   # and is tight


def test_delta_ball_fails_to_contain_a_wrong_value():
    # the containment test above can fail: a 1e-30 relative error is caught
    g = cmwork.GaussianTemplate(c0=1, sigma=1)
    b = C.delta_ball(g, 1, 1, Fraction(1, 50), prec=BITS)
    x = g.delta(1, 1, Fraction(1, 50), dps=DPS_CHECK)
    with mpmath.workdps(DPS_CHECK):
        assert not _within(b, x * (1 + mpf(10) ** -30), DPS_CHECK)


def _instance(seed, m, m_star, inv):
    rng = random.Random(seed)
    w_star = rng.sample([Fraction(1), Fraction(3, 2), Fraction(2)], m_star)
    a_star = [Fraction(rng.choice([-2, -1, 1, 3]), 2) for _ in range(m_star)]
    rho = cmwork.MemoryTarget(a_star=a_star, w_star=w_star,
                              template=cmwork.GaussianTemplate(c0=1, sigma=1),
                              omega=Fraction(1, inv))
    part = cmwork.random_partition(m, m_star, rng)
    a_hat, w_hat = cmwork.point_on(rho, part, rng)
    return rho, part, a_hat, w_hat


@given(st.integers(0, 10 ** 6), st.integers(1, 2), st.integers(0, 3),
       st.sampled_from([5, 30, 120]))
def test_hessian_balls_contain_the_mpmath_hessian(seed, m_star, extra, inv):
    rho, part, a_hat, w_hat = _instance(seed, m_star + extra, m_star, inv)
    J = cmwork.Loss(rho, m=part.m)
    d = J.budget(a_hat, w_hat)
    bits = C.bits_for_digits(d)
    Hb = C.hessian_ball(J, a_hat, w_hat, prec=bits)
    H = J.hessian(a_hat, w_hat, dps=2 * d)
    for i in range(2 * part.m):
        for j in range(2 * part.m):
            assert _within(Hb[i][j], H[i, j], 2 * d - 5), (i, j)
    g, gb = J.gradient(a_hat, w_hat, dps=2 * d), C.gradient_ball(J, a_hat, w_hat,
                                                                 prec=bits)
    assert all(_within(gb[i], g[i], 2 * d - 5) for i in range(2 * part.m))
    assert _within(C.value_ball(J, a_hat, w_hat, prec=bits),
                   J.value(a_hat, w_hat, dps=2 * d), 2 * d - 5)


def _householder(v):
    """Q = I - 2 v v^T / v^T v, exactly rational and orthogonal."""
    vv = sum(Fraction(x) ** 2 for x in v)
    n = len(v)
    return [[Fraction(int(i == j)) - 2 * Fraction(v[i]) * v[j] / vv
             for j in range(n)] for i in range(n)]


def _with_spectrum(lams, v=(1, 2, -1, 3, 1)):
    """Q diag(lams) Q^T in exact rationals, as fmpq-exact nested lists."""
    n = len(lams)
    Q = _householder(v[:n])
    return [[sum(Q[i][k] * lams[k] * Q[j][k] for k in range(n))
             for j in range(n)] for i in range(n)]


def test_an_eigenvalue_of_minus_1e_300_is_certified_negative():
    tiny = -Fraction(1, 10 ** 300)
    A = _with_spectrum([tiny, Fraction(1), Fraction(2), Fraction(3)])
    res = C.inertia(A, prec=128, max_prec=4096)
    assert (res.negative, res.positive, res.undecided) == (1, 3, 0)
    assert res.certified and res.prec >= 1024       # 1e-300 needs ~1000 bits
    # with +1e-300 instead it is certified positive: the sign is read, not assumed
    B = _with_spectrum([-tiny, Fraction(1), Fraction(2), Fraction(3)])
    assert C.inertia(B, prec=128, max_prec=4096).negative == 0


def test_an_exact_zero_eigenvalue_is_undecided_never_signed():
    A = _with_spectrum([Fraction(0), Fraction(1), Fraction(-2)])
    res = C.inertia(A, prec=64, max_prec=2048)
    assert (res.negative, res.positive, res.undecided) == (1, 1, 1)
    assert res.prec == 2048            # it tried up to the cap before giving up


def test_zero_diagonal_needs_and_gets_a_two_by_two_pivot():
    # [[0, b], [b, 0]] has no usable 1x1 pivot; eigenvalues +-b
    b = Fraction(1, 10 ** 40)
    res = C.inertia([[0, b, 0], [b, 0, 0], [0, 0, 5]], prec=64)
    assert (res.negative, res.positive, res.undecided) == (1, 2, 0)


def test_enclosure_of_the_smallest_eigenvalue_and_a_wrong_interval():
    lam = -Fraction(3, 10 ** 50)
    A = _with_spectrum([lam, Fraction(1, 2), Fraction(7)])
    with mpmath.workdps(80):
        x = mpf(lam.numerator) / lam.denominator
        good = C.enclose_eigenvalue(A, 0, x * (1 + mpf(10) ** -20),
                                    x * (1 - mpf(10) ** -20), prec=256)
        above = C.enclose_eigenvalue(A, 0, x / 2, x / 4, prec=256)
        below = C.enclose_eigenvalue(A, 0, 2 * x, 3 * x / 2, prec=256)
    assert good.certified
    assert not above.certified and "proven above lo" in above.why
    assert not below.certified and "proven below hi" in below.why


def test_non_symmetric_and_bad_matrices_are_refused():
    with pytest.raises(ValueError, match="not symmetric"):
        C.inertia([[1, 2], [3, 1]])
    with pytest.raises(ValueError, match="square"):
        C.inertia([[1, 2, 3], [2, 1, 3]])
    with pytest.raises(ValueError, match=r"matrix\[0,1\]"):
        C.inertia([[1, float("nan")], [float("nan"), 1]])
    with pytest.raises(ValueError, match="prec"):
        C.inertia([[1]], prec=8)


def test_callable_templates_have_no_certified_moments():
    t = cmwork.CallableTemplate(lambda s: mpmath.exp(-s ** 2), scale=1)
    with pytest.raises(NotImplementedError, match="quadrature"):
        C.delta_ball(t, 0, 1, Fraction(1, 10), prec=BITS)


def test_ball_precision_is_restored():
    before = ctx.prec
    C.delta_ball(cmwork.GaussianTemplate(), 1, 1, Fraction(1, 20), prec=999)
    with pytest.raises(ValueError):
        C.delta_ball(cmwork.GaussianTemplate(), 1, -1, Fraction(1, 20), prec=999)
    assert ctx.prec == before


def test_estimated_inertia_is_marked_uncertified():
    res = C.inertia([[2, 0], [0, -1]], certified=False)
    assert (res.negative, res.positive) == (1, 1) and not res.certified


# -- the certified claims --------------------------------------------------------

@pytest.fixture(scope="module")
def registry():
    return load_all()


@pytest.mark.parametrize("cid", ["prop-4.3", "prop-4.4", "remark-4.6"])
def test_certified_claims_hold_with_certified_true(registry, cid):
    v = registry[cid].run("quick", certified=True)
    assert v.status == HOLDS and v.certified, v.summary
    assert v.to_json()["certified"] is True


@pytest.mark.parametrize("cid", ["prop-4.4", "remark-4.6"])
def test_certified_negative_eigenvalue_fails_when_positive_is_claimed(
        registry, cid):
    v = registry[cid].run("quick", certified=True, expected_sign=+1,
                          overrides={"inv_omegas": "20,200"})
    assert v.status == FAILS and "sign -1" in v.summary


def test_a_flipped_sign_in_one_hessian_entry_makes_the_certified_claim_fail(
        registry, monkeypatch):
    honest = C.hessian_ball

    def flipped(loss, a, w, *, prec):
        H = honest(loss, a, w, prec=prec)
        H[0][0] = -H[0][0]              # d^2 J / da_1^2 = 1/w_1 with its sign flipped
        return H

    monkeypatch.setattr(C, "hessian_ball", flipped)
    v = registry["prop-4.3"].run("quick", certified=True)
    assert v.status == FAILS and "below -G" in v.summary


def test_certified_prop_4_3_fails_on_a_wrong_count(registry):
    v = registry["prop-4.3"].run("quick", certified=True, count_offset=-1)
    assert v.status == FAILS


def test_cli_certified_marks_the_table(capsys):
    assert main(["check", "prop-4.4", "--certified"]) == 0
    out = capsys.readouterr().out
    assert "holds*" in out and "certified" in out and "bits" in out


def test_cli_certified_refuses_a_claim_without_a_certified_check(capsys):
    assert main(["check", "prop-4.1", "--certified"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no certified check" in err[0]


def test_cli_certified_without_python_flint_exits_2_naming_the_extra(
        capsys, monkeypatch):
    monkeypatch.setattr(C, "available", lambda: False)
    assert main(["check", "prop-4.4", "--certified"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cmwork[cert]" in err[0]
