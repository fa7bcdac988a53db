"""Spectra and bounds (Propositions 4.3-4.4), precision budgets, and the
affine spaces M*_P of Definition 4.1 and Remark 4.4.

Matrices are built with a known exact spectrum, Q diag(lambda) Q^T with Q a
rational Householder reflection; Gershgorin discs and Weyl intervals are
worked out by hand; counts of partitions come from brute-force enumeration
and the inclusion-exclusion formula for Stirling numbers.  None of the
expected values is a number printed by cmwork.
"""
import itertools
import math
import random
from fractions import Fraction

import mpmath
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from mpmath import mpf
from mpmath.libmp import to_rational

import cmwork
from cmwork import (MemoryTarget, Partition, count_affine_spaces, digits_for,
                    eigenvalues, gershgorin_bound, gershgorin_discs,
                    partitions, point_on, random_partition,
                    resolve_eigenvalues, stirling2, weyl_interval)
from cmwork.precision import check_dps, workdps

#: Precision at which an eigenvalue of size 1e-80 beside O(1) ones must be
#: resolved (80 digits to reach it, 40 more for its own digits).
DPS_HIGH = 120

#: Precision at which it must not be: 30 digits stop 50 orders above it.
DPS_LOW = 30

#: The tiny eigenvalue, exact.
TINY = Fraction(1, 10 ** 80)

#: Householder vector of the rational orthogonal Q (chosen here).
V = (1, 2, -3, 4)

#: Slack, in digits, between the rounding bound n ||A|| 10^-dps of an
#: eigenvalue computed at dps digits and what the tests demand.
SLACK = 5

#: Seeds of the random points and partitions (chosen here).
SEEDS = range(20)


@pytest.fixture(autouse=True)
def _global_precision_is_left_alone():
    before = mpmath.mp.prec
    yield
    assert mpmath.mp.prec == before


def _householder(v):
    """Q = I - 2 v v^T / (v^T v): exactly orthogonal and rational."""
    n, vv = len(v), sum(x * x for x in v)
    return [[Fraction(int(i == j)) - Fraction(2 * v[i] * v[j], vv)
             for j in range(n)] for i in range(n)]


def _with_spectrum(lam, v=V):
    """Q diag(lam) Q^T in exact rationals: a symmetric matrix with spectrum lam."""
    Q = _householder(v)
    n = len(lam)
    return [[sum(Q[i][k] * Fraction(lam[k]) * Q[j][k] for k in range(n))
             for j in range(n)] for i in range(n)]


def _mp(x):
    x = Fraction(x)
    return mpf(x.numerator) / x.denominator


def _exact(x):
    """An mpf as the Fraction it is (mpf values are binary), not rounded."""
    if not isinstance(x, mpf):
        raise TypeError(f"expected an mpf, got {x!r}")
    return Fraction(*to_rational(x._mpf_))


def _build(A):
    """The matrix A rounded to d digits, as resolve_eigenvalues wants it."""
    def build(d):
        with mpmath.workdps(d):
            return mpmath.matrix([[_mp(x) for x in row] for row in A])
    return build


def _rounding_bound(A, dps):
    """n ||A||_max 10^{SLACK - dps}: entries rounded to dps digits move the
    eigenvalues by at most the 2-norm of the rounding (Weyl), <= n max|err|;
    SLACK more digits cover the eigensolver's own rounding."""
    n = len(A)
    big = max(abs(x) for row in A for x in row)
    return n * _mp(big) * mpf(10) ** (SLACK - dps)


# ---------------------------------------------------------------------------
# eigenvalues at a requested precision


LAMBDAS = (3, -2, TINY, 1)     # unsorted on purpose


def test_eigenvalues_are_ascending_and_exact_on_a_known_spectrum():
    A = _with_spectrum(LAMBDAS)
    ev = eigenvalues(A, dps=DPS_HIGH)
    exact = sorted(LAMBDAS)
    with mpmath.workdps(DPS_HIGH):
        tol = _rounding_bound(A, DPS_HIGH)
        assert all(x < y for x, y in zip(ev, ev[1:]))
        assert all(abs(x - _mp(e)) < tol for x, e in zip(ev, exact))
        # the tiny one to 120 - 80 - SLACK digits of its own
        assert abs(ev[1] - _mp(TINY)) < _mp(TINY) * mpf(10) ** (
            SLACK + 80 - DPS_HIGH)
        # control: the unsorted spectrum is not what comes back
        assert not all(abs(x - _mp(e)) < tol for x, e in zip(ev, LAMBDAS))


def test_tiny_eigenvalue_is_not_resolved_at_30_digits():
    # at 30 digits the entries carry errors ~1e-30: the eigenvalue 1e-80 is
    # buried 50 orders of magnitude below them, so what comes back is noise
    # of the rounding size, not 1e-80
    A = _with_spectrum(LAMBDAS)
    ev = eigenvalues(A, dps=DPS_LOW)
    with mpmath.workdps(DPS_LOW):
        assert abs(ev[1] - _mp(TINY)) < _rounding_bound(A, DPS_LOW)
        assert abs(ev[1] - _mp(TINY)) > 10 ** 10 * _mp(TINY)


@pytest.mark.parametrize("sign", [1, -1])
def test_resolved_sign_is_decided_only_above_the_error(sign):
    lam = (3, -2, sign * TINY, 1)
    A = _with_spectrum(lam)
    exact = sorted(lam)
    i_tiny = exact.index(sign * TINY)
    for dps, tiny_sign in ((DPS_HIGH, sign), (DPS_LOW, 0)):
        spec = resolve_eigenvalues(_build(A), dps)
        with mpmath.workdps(spec.dps_high):
            for i, e in enumerate(exact):
                # the error estimate is honest: it covers the true error
                assert abs(spec.values[i] - _mp(e)) <= spec.errors[i]
            signs = [spec.sign(i) for i in range(len(exact))]
        assert signs[i_tiny] == tiny_sign
        assert [s for i, s in enumerate(signs) if i != i_tiny] == [
            (e > 0) - (e < 0) for i, e in enumerate(exact) if i != i_tiny]
        assert spec.resolved(i_tiny, digits=20) == (dps == DPS_HIGH)


def test_raw_sign_at_30_digits_cannot_tell_plus_from_minus_tiny():
    # the wrong variant of sign(): reading the value without its error.  At
    # 30 digits A(+1e-80) and A(-1e-80) round to the same matrix, so the raw
    # smallest-in-modulus eigenvalues agree and one of the two signs is wrong
    raw = [eigenvalues(_with_spectrum((3, -2, s * TINY, 1)), dps=DPS_LOW)
           for s in (1, -1)]
    small = [min(ev, key=abs) for ev in raw]
    assert small[0] == small[1]


# ---------------------------------------------------------------------------
# Gershgorin and Weyl


HALF = Fraction(1, 2)


def _exact_pairs(pairs):
    return [tuple(_exact(x) for x in p) for p in pairs]


def test_gershgorin_discs_by_hand():
    # every number here is binary, so the comparisons are exact
    A = [[4, -1, 2], [-1, 3, HALF], [2, HALF, -5]]
    # rows: 4 +- (1 + 2), 3 +- (1 + 1/2), -5 +- (2 + 1/2)
    assert _exact_pairs(gershgorin_discs(A)) == [
        (4, 3), (3, Fraction(3, 2)), (-5, Fraction(5, 2))]
    # max(|4| + 3, |3| + 3/2, |-5| + 5/2)
    assert _exact(gershgorin_bound(A)) == Fraction(15, 2)
    # rows of a non-symmetric matrix: Gershgorin holds for any square one
    assert _exact_pairs(gershgorin_discs([[1, 2], [0, 3]])) == [(1, 2), (3, 0)]


def test_weyl_intervals_by_hand():
    assert _exact_pairs(weyl_interval([1, 2], HALF)) == [
        (HALF, Fraction(3, 2)), (Fraction(3, 2), Fraction(5, 2))]
    assert _exact_pairs(weyl_interval([-1], 0)) == [(-1, -1)]


def _in_discs(x, discs, tol):
    return any(abs(x - c) <= r + tol for c, r in discs)


def test_halved_gershgorin_radii_are_rejected():
    # eigenvalues +-1 of [[0, 1], [1, 0]] lie on the boundary of the disc
    # |z| <= 1; with the radius halved the check must fail
    A = [[0, 1], [1, 0]]
    discs = gershgorin_discs(A)
    ev = eigenvalues(A, dps=DPS_LOW)
    tol = mpf(10) ** (SLACK - DPS_LOW)
    assert all(_in_discs(x, discs, tol) for x in ev)
    halved = [(c, r / 2) for c, r in discs]
    assert not any(_in_discs(x, halved, tol) for x in ev)


@st.composite
def symmetric_matrices(draw, max_n=5, bound=9):
    n = draw(st.integers(1, max_n))
    upper = draw(st.lists(st.integers(-bound, bound),
                          min_size=n * (n + 1) // 2, max_size=n * (n + 1) // 2))
    A = [[0] * n for _ in range(n)]
    it = iter(upper)
    for i in range(n):
        for j in range(i, n):
            A[i][j] = A[j][i] = next(it)
    return A


@given(symmetric_matrices())
@example([[0, 1], [1, 0]])
def test_every_eigenvalue_lies_in_the_union_of_gershgorin_discs(A):
    ev = eigenvalues(A, dps=DPS_LOW)
    discs = gershgorin_discs(A, dps=DPS_LOW)
    with mpmath.workdps(DPS_LOW):
        tol = _rounding_bound(A, DPS_LOW) + mpf(10) ** (SLACK - DPS_LOW)
        assert all(_in_discs(x, discs, tol) for x in ev)
        assert max(abs(x) for x in ev) <= gershgorin_bound(A) + tol


@given(symmetric_matrices(max_n=4),
       st.lists(st.integers(-5, 5), min_size=4, max_size=4).filter(any),
       st.lists(st.fractions(-3, 3, max_denominator=8), min_size=4, max_size=4))
def test_weyl_intervals_contain_the_perturbed_eigenvalues(A, v, mu):
    # E = Q diag(mu) Q^T with Q the Householder reflection of v: exactly
    # symmetric, ||E||_2 = max |mu|
    n = len(A)
    v, mu = v[:n], mu[:n]
    if not any(v):
        v = [1] + v[1:]
    E = _with_spectrum(mu, v)
    norm = max(abs(x) for x in mu)
    base = eigenvalues(A, dps=DPS_LOW)
    AE = [[A[i][j] + E[i][j] for j in range(n)] for i in range(n)]
    perturbed = eigenvalues(AE, dps=DPS_LOW)
    with mpmath.workdps(DPS_LOW):
        tol = _rounding_bound(AE, DPS_LOW) + mpf(10) ** (SLACK - DPS_LOW)
        for x, (lo, hi) in zip(perturbed, weyl_interval(base, _mp(norm))):
            assert lo - tol <= x <= hi + tol


def test_weyl_interval_holds_for_a_norm_below_the_callers_precision():
    # Proposition 4.3's setting: O(1) eigenvalues, a perturbation e^{-c/omega}
    # far below the caller's (default, 15-digit) precision.  A = Q diag Q^T,
    # E = 10^-82 I: lambda(A + E) = lambda(A) + 10^-82, ||E||_2 = 10^-82
    lam = (3, -2, 1, 2)
    e = Fraction(1, 10 ** 82)
    A = _with_spectrum(lam)
    AE = [[x + (e if i == j else 0) for j, x in enumerate(row)]
          for i, row in enumerate(A)]
    base = eigenvalues(A, dps=DPS_HIGH)
    perturbed = eigenvalues(AE, dps=DPS_HIGH)
    with mpmath.workdps(DPS_HIGH):
        assert all(y > x for x, y in zip(base, perturbed))
    intervals = weyl_interval(base, _mp(e))
    assert all(lo <= y <= hi for y, (lo, hi) in zip(perturbed, intervals))


def test_weyl_interval_with_half_the_norm_is_rejected():
    # A = diag(0, 10), E = diag(1, 0): lambda(A + E) = (1, 10), ||E|| = 1;
    # 1 sits on the edge of [0 - 1, 0 + 1] and outside [-1/2, 1/2]
    A, AE = [[0, 0], [0, 10]], [[1, 0], [0, 10]]
    base, perturbed = eigenvalues(A, dps=DPS_LOW), eigenvalues(AE, dps=DPS_LOW)
    inside = lambda e: all(lo <= x <= hi for x, (lo, hi)  # noqa: E731
                           in zip(perturbed, weyl_interval(base, e)))
    assert inside(1)
    assert not inside(HALF)


# ---------------------------------------------------------------------------
# precision budget


@pytest.mark.parametrize("x", [0, 1, 50, 200, 1000, 5000])
@pytest.mark.parametrize("digits", [15, 30])
def test_digits_for_resolves_exp_minus_x_beside_one(x, digits):
    d = digits_for(x, digits=digits)
    with mpmath.workdps(d + 20):
        ref = mpmath.exp(-x)
    with mpmath.workdps(d):
        y = (1 + mpmath.exp(-x)) - 1
    with mpmath.workdps(d + 20):
        assert abs(y - ref) <= ref * mpf(10) ** -digits


@pytest.mark.parametrize("x", [50, 200, 1000, 5000])
def test_budget_without_the_exponent_digits_fails_to_resolve(x):
    # the wrong variant: drop the x log10(e) digits that reach e^{-x}
    d = digits_for(x, digits=15) - math.ceil(x * math.log10(math.e))
    with mpmath.workdps(d + 20):
        ref = mpmath.exp(-x)
    with mpmath.workdps(d):
        y = (1 + mpmath.exp(-x)) - 1
    with mpmath.workdps(d + 20):
        assert abs(y - ref) > ref * mpf(10) ** -15


def test_digits_for_grows_like_x_log10_e():
    # DESIGN, "Precision": about x log10(e) + digits wanted + margin; the
    # exponent part is ceil(x log10 e), so 1000 more in x is 435 more digits
    assert digits_for(2000) - digits_for(1000) in (434, 435)
    assert digits_for(100, digits=40) - digits_for(100, digits=15) == 25


# ---------------------------------------------------------------------------
# counting the affine spaces M*_P (Remark 4.4)


def _brute_force_count(m, m_star):
    """Labelled partitions of {1..m} into m* non-empty blocks: surjections."""
    return sum(1 for labels in itertools.product(range(m_star), repeat=m)
               if len(set(labels)) == m_star)


def _stirling_inclusion_exclusion(m, k):
    """S(m, k) = (1/k!) sum_j (-1)^j C(k, j) (k - j)^m."""
    total = sum((-1) ** j * math.comb(k, j) * (k - j) ** m for j in range(k + 1))
    assert total % math.factorial(k) == 0
    return total // math.factorial(k)


@pytest.mark.parametrize("m", range(1, 8))
def test_count_affine_spaces_is_the_number_of_labelled_partitions(m):
    for m_star in range(1, m + 1):
        brute = _brute_force_count(m, m_star)
        listed = list(partitions(m, m_star))
        assert count_affine_spaces(m, m_star) == brute == len(listed)
        assert len({p.blocks for p in listed}) == len(listed)
        assert all(p.m == m and p.m_star == m_star and all(p.blocks)
                   for p in listed)
        if m_star >= 2:   # the wrong variant: unlabelled partitions
            assert stirling2(m, m_star) != brute


def test_stirling2_matches_inclusion_exclusion():
    for m in range(0, 31):
        for k in range(0, m + 3):
            assert stirling2(m, k) == _stirling_inclusion_exclusion(m, k), (m, k)
    assert stirling2(60, 5) == _stirling_inclusion_exclusion(60, 5)
    assert count_affine_spaces(60, 5) == sum(
        (-1) ** j * math.comb(5, j) * (5 - j) ** 60 for j in range(6))
    # control: a neighbouring value is not accepted
    assert stirling2(60, 5) != _stirling_inclusion_exclusion(60, 4)


# ---------------------------------------------------------------------------
# points on M*_P


A_STAR = (Fraction(1), Fraction(-3, 2), Fraction(5, 8))
W_STAR = (Fraction(1, 2), Fraction(1), Fraction(3))


def _target(a_star=A_STAR, w_star=W_STAR):
    return MemoryTarget(a_star=a_star, w_star=w_star,
                        template=cmwork.GaussianTemplate(c0=1, sigma=1),
                        omega=Fraction(1, 10))


def _on_m_star_p(a_hat, w_hat, a_star, w_star, partition):
    """Definition 4.1, exactly: w_hat_i = w*_j and block sums = a*_j."""
    for j, block in enumerate(partition.blocks):
        if any(_exact(w_hat[i]) != w_star[j] for i in block):
            return False
        if sum(_exact(a_hat[i]) for i in block) != a_star[j]:
            return False
    return True


@pytest.mark.parametrize("m", [3, 4, 7])
def test_point_on_lands_exactly_on_m_star_p(m):
    rho = _target()
    points = set()
    for seed in SEEDS:
        rng = random.Random(seed)
        part = random_partition(m, 3, rng)
        a_hat, w_hat = point_on(rho, part, rng)
        assert len(a_hat) == len(w_hat) == m
        assert _on_m_star_p(a_hat, w_hat, A_STAR, W_STAR, part)
        points.add(tuple(_exact(a) for a in a_hat))
        # control: the exact check sees a change of 2^-40 in one coordinate
        nudged = list(a_hat)
        nudged[0] += mpf(2) ** -40
        assert not _on_m_star_p(nudged, w_hat, A_STAR, W_STAR, part)
    if m > 3:       # free coordinates exist and are random
        assert len(points) == len(SEEDS)


def test_point_on_sums_to_the_stored_a_star_when_it_is_not_binary():
    # a*_j = 1/3 is stored as an mpf; the block sums equal that mpf exactly
    a_star = (Fraction(1, 3), Fraction(-2, 7))
    rho = _target(a_star, W_STAR[:2])
    part = Partition.from_blocks([[1, 3, 4], [2, 5]])
    a_hat, w_hat = point_on(rho, part, random.Random(1))
    stored = [_exact(a) for a in rho.a_star]
    assert _on_m_star_p(a_hat, w_hat, stored, W_STAR[:2], part)
    for s, a in zip(stored, a_star):
        assert abs(s - a) < Fraction(1, 10 ** 49)   # stored at 50 digits


#: Draws per case: enough to meet each of the (at most 150) labelled
#: partitions of the cases below (chosen here).
DRAWS = 3000


@pytest.mark.parametrize("m, m_star", [(1, 1), (4, 2), (3, 3), (5, 3)])
def test_random_partition_is_a_surjective_labelled_partition(m, m_star):
    seen = set()
    for seed in range(DRAWS):
        p = random_partition(m, m_star, random.Random(seed))
        assert p.m == m and p.m_star == m_star
        assert all(p.blocks)
        assert sorted(i for b in p.blocks for i in b) == list(range(m))
        seen.add(p.blocks)
    # every labelled partition is reachable (14 for m = 4, m* = 2)
    assert seen == {p.blocks for p in partitions(m, m_star)}


# ---------------------------------------------------------------------------
# bad inputs


NAN = float("nan")
RHO2 = _target(A_STAR[:2], W_STAR[:2])

BAD_INPUTS = [
    ("non-symmetric", lambda: eigenvalues([[1, 2], [3, 4]]), ["matrix", "3.0"]),
    ("non-square", lambda: eigenvalues([[1, 2, 3], [4, 5, 6]]),
     ["matrix is 2x3"]),
    ("ragged", lambda: eigenvalues([[1, 0], [0]]), ["matrix", "[2, 1]"]),
    ("empty", lambda: eigenvalues([]), ["matrix"]),
    ("nan entry", lambda: eigenvalues([[NAN, 0], [0, 1]]),
     ["matrix[0,0]=nan"]),
    ("inf entry", lambda: eigenvalues([[1, 0], [0, float("inf")]]),
     ["matrix[1,1]=+inf"]),
    ("complex entry", lambda: eigenvalues([[1, 1j], [1j, 1]]), ["matrix[0,1]"]),
    ("discs non-square", lambda: gershgorin_discs([[1, 2, 3], [4, 5, 6]]),
     ["matrix is 2x3"]),
    ("discs ragged", lambda: gershgorin_discs([[1, 0], [0]]), ["matrix"]),
    ("discs nan", lambda: gershgorin_discs([[NAN, 0], [0, 1]]),
     ["matrix[0,0]=nan"]),
    ("bound nan", lambda: gershgorin_bound([[1, 0], [0, NAN]]),
     ["matrix[1,1]=nan"]),
    ("weyl negative", lambda: weyl_interval([1], -HALF),
     ["perturbation_norm=Fraction(-1, 2)"]),
    ("weyl nan", lambda: weyl_interval([1], NAN), ["perturbation_norm=nan"]),
    ("overlapping", lambda: Partition.from_blocks([[1, 2], [2, 3]]),
     ["partition={{1,2}, {2,3}}"]),
    ("missing index", lambda: Partition.from_blocks([[1], [3]]),
     ["partition={{1}, {3}}"]),
    ("empty block", lambda: Partition.from_blocks([[1, 2], []]),
     ["partition=", "block 2 is empty"]),
    ("no blocks", lambda: Partition(()), ["partition=()"]),
    ("wrong m*", lambda: point_on(RHO2, Partition.from_blocks([[1, 2, 3]]),
                                  random.Random(0)),
     ["partition={{1,2,3}}", "m* = 2"]),
    ("not a partition", lambda: point_on(RHO2, ((0,), (1,)), random.Random(0)),
     ["partition=((0,), (1,))"]),
    ("m < m_star count", lambda: count_affine_spaces(2, 3), ["m=2", "m_star = 3"]),
    ("m < m_star list", lambda: list(partitions(1, 2)), ["m=1", "m_star = 2"]),
    ("m < m_star random", lambda: random_partition(2, 3, random.Random(0)),
     ["m=2"]),
    ("m = 0", lambda: count_affine_spaces(0, 1), ["m=0"]),
    ("m = 0 list", lambda: list(partitions(0, 1)), ["m=0"]),
    ("m_star = 0", lambda: count_affine_spaces(3, 0), ["m_star=0"]),
    ("m float", lambda: count_affine_spaces(2.0, 1), ["m=2.0"]),
    ("exponent < 0", lambda: digits_for(-1), ["exponent=-1"]),
    ("exponent nan", lambda: digits_for(NAN), ["exponent=nan"]),
    ("digits 0", lambda: digits_for(1, digits=0), ["digits=0"]),
    ("dps too small", lambda: eigenvalues([[1]], dps=3), ["dps=3"]),
    ("dps not integer", lambda: check_dps(2.5), ["dps=2.5"]),
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


def test_no_function_leaves_global_precision_changed():
    A = _with_spectrum(LAMBDAS)
    calls = [
        lambda: eigenvalues(A, dps=DPS_HIGH),
        lambda: resolve_eigenvalues(_build(A), 40),
        lambda: gershgorin_discs(A, dps=60),
        lambda: gershgorin_bound(A, dps=60),
        lambda: point_on(RHO2, random_partition(5, 2, random.Random(0)),
                         random.Random(0)),
        lambda: eigenvalues([[1, 2], [3, 4]], dps=70),          # raises
        lambda: gershgorin_discs([[NAN]], dps=70),              # raises
        lambda: point_on(RHO2, Partition.from_blocks([[1]]),
                         random.Random(0)),                     # raises
    ]
    with mpmath.workdps(23):
        prec = mpmath.mp.prec
        for call in calls:
            try:
                call()
            except ValueError:
                pass
            assert mpmath.mp.dps == 23 and mpmath.mp.prec == prec


def test_workdps_restores_precision_after_an_exception():
    with mpmath.workdps(17):
        with pytest.raises(ZeroDivisionError):
            with workdps(300):
                assert mpmath.mp.dps == 300
                raise ZeroDivisionError
        assert mpmath.mp.dps == 17
