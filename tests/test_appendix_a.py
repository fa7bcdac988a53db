"""Appendix A: the power-law target's moments, best approximations, lifted
critical affine spaces and their count, every Appendix A claim at its quick
size and on a deliberately wrong variant, certified tiers, bad input."""
import itertools
import math
import random
from fractions import Fraction

import mpmath
import pytest
from hypothesis import example, given, strategies as st

from cmwork import claims
from cmwork.best_approx import (best_approximation, cauchy_determinant,
                                completely_monotone, gram_determinant,
                                one_exponential)
from cmwork.landscape import (Partition, count_affine_spaces,
                              count_surjections, partitions, point_on_lift)
from cmwork.loss import Loss
from cmwork.targets import ExponentialSum, GaussianTemplate, MemoryTarget, PowerLaw

APPENDIX = ["lemma-a.1", "thm-a.1", "thm-a.2", "lemma-a.2", "thm-a.3",
            "thm-a.4", "thm-a.5", "thm-a.6", "thm-a.7", "prop-a.1"]


@pytest.fixture(scope="module")
def registry():
    return claims.load_all()


# -- the power law ---------------------------------------------------------------

@pytest.mark.parametrize("alpha", [Fraction(3, 4), 1, 2, Fraction(7, 2)])
@pytest.mark.parametrize("n", [0, 1, 2])
@pytest.mark.parametrize("s", ["0.01", "0.7", "30"])
def test_power_law_moments_agree_with_quadrature_and_tricomi_u(alpha, n, s):
    rho = PowerLaw(alpha=alpha)
    m = rho.moment(n, s, dps=40)
    with mpmath.workdps(60):
        al = mpmath.mpf(Fraction(alpha).numerator) / Fraction(alpha).denominator
        u = mpmath.factorial(n) * mpmath.hyperu(n + 1, n + 2 - al, mpmath.mpf(s))
        assert abs(m / rho.moment_quadrature(n, s, dps=40) - 1) < 1e-35
        assert abs(m / u - 1) < 1e-35


def test_power_law_norm_is_the_integral_of_its_square():
    rho = PowerLaw(alpha=Fraction(3, 2))
    with mpmath.workdps(40):
        q = mpmath.quad(lambda t: rho(t) ** 2, [0, 1, mpmath.inf])
    assert abs(rho.norm2(dps=40) - q) < 1e-35       # 1/(2 alpha - 1) = 1/2


# -- bad input ------------------------------------------------------------------

def test_power_law_outside_l2_is_refused():
    with pytest.raises(ValueError, match=r"alpha=.*alpha > 1/2"):
        PowerLaw(alpha=Fraction(1, 2))


def test_a_target_that_is_not_completely_monotone_is_refused():
    rho = ExponentialSum(a=[1, -2], w=[1, 3])
    assert completely_monotone(rho) is False
    with pytest.raises(ValueError, match="completely monotone"):
        best_approximation(rho, 1)
    mem = MemoryTarget(a_star=[1], w_star=[1], omega=Fraction(1, 10),
                       template=GaussianTemplate(c0=1, sigma=1))
    with pytest.raises(ValueError, match="cannot tell"):
        best_approximation(mem, 1)


@pytest.mark.parametrize("d", [0, -1, 1.5, True])
def test_widths_below_one_are_refused(d):
    with pytest.raises(ValueError, match=r"^d="):
        best_approximation(PowerLaw(alpha=2), d)


def test_more_blocks_than_indices_is_refused():
    with pytest.raises(ValueError, match=r"m=2: expected m >= m_star = 3"):
        count_surjections(2, 3)
    with pytest.raises(ValueError, match="m=2"):
        list(partitions(2, 3))


def test_a_lift_with_the_wrong_number_of_blocks_is_refused():
    part = Partition.from_blocks([[1, 2], [3]])
    with pytest.raises(ValueError, match="expected d blocks"):
        point_on_lift([1], [1], part, random.Random(0))


def test_claim_parameters_are_checked(registry):
    with pytest.raises(claims.UsageError, match="targets"):
        registry["lemma-a.1"].resolve("quick", {"targets": "power:1/4"})
    with pytest.raises(ValueError, match="a\\* > 0"):
        registry["thm-a.7"].run("quick", overrides={"target": "exp:1@1,-1@2"})


# -- properties -----------------------------------------------------------------

@given(m=st.integers(1, 7), d=st.integers(1, 4))
@example(m=4, d=2)
def test_count_is_d_factorial_stirling_by_enumeration(m, d):
    if d > m:
        return
    labels = [p for p in itertools.product(range(d), repeat=m)
              if len(set(p)) == d]
    assert len(labels) == count_affine_spaces(m, d) == count_surjections(m, d)
    assert sum(1 for _ in partitions(m, d)) == len(labels)


@given(seed=st.integers(0, 10 ** 6), m=st.integers(2, 4))
def test_gradient_is_equal_on_coinciding_coordinates(seed, m):
    # Theorem A.1's proof: a_i = a_j, w_i = w_j gives equal partial
    # derivatives, at any point (not only critical ones)
    rng = random.Random(seed)
    a = [Fraction(rng.randint(-40, 40), 8) for _ in range(m)]
    w = [Fraction(rng.randint(1, 40), 8) for _ in range(m)]
    a[1], w[1] = a[0], w[0]
    J = Loss(PowerLaw(alpha=Fraction(3, 2)), m=m)
    g = J.gradient(a, w, dps=30)
    assert abs(g[0] - g[1]) < 1e-25 * (1 + abs(g[0]))
    assert abs(g[m] - g[m + 1]) < 1e-25 * (1 + abs(g[m]))


def test_gradient_symmetry_fails_when_the_exponents_differ():
    # the property above can fail: with w_1 != w_2 the derivatives differ
    J = Loss(PowerLaw(alpha=Fraction(3, 2)), m=2)
    g = J.gradient([1, 1], [1, Fraction(5, 4)], dps=30)
    assert abs(g[0] - g[1]) > 1e-3


# -- best approximations and Lemma A.1 --------------------------------------------

def test_one_exponential_of_one_exponential_is_itself():
    r = one_exponential(ExponentialSum(a=[3], w=[2]), dps=30)
    assert abs(r.w_hat - 2) < 1e-25 and abs(r.a_hat - 3) < 1e-25
    assert abs(r.h) < 1e-25


def test_best_approximation_of_two_exponentials_by_two_is_exact():
    rho = ExponentialSum(a=[1, 2], w=[1, 4])
    r = best_approximation(rho, 2, dps=30)
    assert [mpmath.nstr(x, 12) for x in r.v] == ["1.0", "4.0"]
    assert abs(r.value) < 1e-25


def test_gram_determinant_matches_cauchy_for_close_exponents():
    with mpmath.workdps(120):
        v = [mpmath.mpf(1), 1 + mpmath.mpf(10) ** -30, mpmath.mpf(2)]
        det = gram_determinant(v, dps=120)
        assert abs(det / cauchy_determinant(v, dps=120) - 1) < 1e-40


# -- the claims -------------------------------------------------------------------

@pytest.mark.parametrize("cid", APPENDIX)
def test_appendix_claim_holds_at_quick_size(registry, cid):
    v = registry[cid].run("quick", seed=0)
    assert v.status == claims.HOLDS, v.summary
    assert v.evidence and v.dps


@pytest.mark.parametrize("cid, statement, words", [
    ("lemma-a.1", {"a_factor": 1}, "reduction does not hold"),
    ("thm-a.1", {"perturb": 1e-3}, "grad J_m"),
    ("thm-a.1", {"sum_offset": 1e-3}, "grad J_m"),
    ("thm-a.1", {"count_offset": 1}, "claimed d! S(m, d)"),
    ("thm-a.2", {"bound_factor": 2}, "< bound"),
    ("thm-a.2", {"m_min": 3}, "= bound"),
    ("thm-a.7", {"d0_offset": 1}, "rho is in V_3"),
    ("thm-a.3", {"rank_offset": -1}, "rank"),
    ("thm-a.4", {"perturb": 1e-6}, "Aigrain-Williams"),
    ("thm-a.5", {"perturb": 1e-6}, "Aigrain-Williams"),
    ("thm-a.6", {"count_offset": 1}, "the claim says"),
    ("prop-a.1", {"swap_cases": True}, "the proposition says"),
    ("prop-a.1", {"endpoints": "printed"}, "a_1 = 0 a_hat"),
    ("lemma-a.2", {"repeat": True}, "det = 0 exactly"),
])
def test_appendix_claim_fails_on_a_wrong_variant(registry, cid, statement,
                                                 words):
    v = registry[cid].run("quick", **statement)
    assert v.status == claims.FAILS, v.summary
    assert words in v.summary


def test_lemma_a_2_needs_the_digits_lost_to_cancellation(registry):
    v = registry["lemma-a.2"].run("quick", dps=30)
    assert v.status == claims.INCONCLUSIVE and "lost to cancellation" in v.summary


def test_prop_a_1_reports_the_condition_as_not_needed(registry):
    v = registry["prop-a.1"].run("quick", overrides={"scan": "0"})
    assert any("2 + sqrt 3 is not needed" in n for n in v.notes)
    assert any("factor 16" in n for n in v.notes)


def test_thm_a_3_sees_rank_m_plus_d_and_the_drop_at_a_zero_coefficient(registry):
    v = registry["thm-a.3"].run("quick")
    rows = v.evidence["rows"]
    assert all(r["rank"] == r["m"] + r["d"] for r in rows if not r["a_k_zero"])
    assert all(r["rank"] < r["m"] + r["d"] for r in rows if r["a_k_zero"])


# -- certified tier ------------------------------------------------------------------

flint = pytest.importorskip("flint")


@pytest.mark.parametrize("cid", ["prop-a.1", "lemma-a.2"])
def test_certified_tier_holds_and_is_certified(registry, cid):
    assert registry[cid].certifiable
    v = registry[cid].run("quick", certified=True,
                          overrides={"scan": "0"} if cid == "prop-a.1" else None)
    assert v.status == claims.HOLDS and v.certified, v.summary


@pytest.mark.parametrize("cid, statement", [
    ("prop-a.1", {"swap_cases": True}),
    ("lemma-a.2", {"repeat": True}),
])
def test_certified_tier_fails_on_a_wrong_variant(registry, cid, statement):
    v = registry[cid].run("quick", certified=True, **statement)
    assert v.status == claims.FAILS, v.summary


def test_certified_minimizer_of_j1_agrees_with_mpmath():
    from cmwork import certified as C
    rho = ExponentialSum(a=[1, -2], w=[1, 3])
    enc = C.one_exponential_ball(rho, prec=256)
    est = one_exponential(rho, dps=60)
    assert enc.certified and enc.w_hat.rad() < 1e-60
    with mpmath.workdps(80):
        mid = mpmath.mpf(enc.w_hat.mid().str(75, radius=False))
        assert abs(mid - est.w_hat) < 1e-55


def test_exact_gram_determinant_is_cauchys():
    from cmwork import certified as C
    v = [Fraction(1, 2), Fraction(1), Fraction(3)]
    num = math.prod((v[i] - v[j]) ** 2 for i in range(3) for j in range(i + 1, 3))
    den = math.prod(v[i] + v[j] for i in range(3) for j in range(3))
    assert C.gram_determinant_exact(v) == num / den
