"""Propositions 4.1-4.4 on random instances: random m*, m, partitions, a*,
w*, points on M*_P and memories 1/omega.  Expected values are the paper's
statements in closed form (Delta from the template, ||rho_0w||^2 from erfc),
never numbers produced by the code under test."""
import random
from fractions import Fraction

import mpmath
from hypothesis import example, given
from hypothesis import strategies as st
from mpmath import mpf

import cmwork
from cmwork.targets import ExponentialSum

DPS = 40


@st.composite
def instances(draw, min_extra=0, max_m=6):
    """(target, partition, a_hat, w_hat) with the point exactly on M*_P."""
    m_star = draw(st.integers(1, 2))
    m = draw(st.integers(m_star + min_extra, max(m_star + min_extra, max_m)))
    w_star = draw(st.lists(st.fractions(Fraction(1, 2), 3, max_denominator=8),
                           min_size=m_star, max_size=m_star, unique=True))
    a_star = draw(st.lists(st.fractions(-2, 2, max_denominator=8).filter(
        lambda x: x != 0), min_size=m_star, max_size=m_star))
    inv = draw(st.sampled_from([2, 5, 10, 20, 40]))
    kind = draw(st.sampled_from(["gaussian", "bump"]))
    tmpl = (cmwork.GaussianTemplate(c0=1, sigma=1) if kind == "gaussian"
            else cmwork.BumpTemplate(c0=1, half_width=1))
    rho = cmwork.MemoryTarget(a_star=a_star, w_star=w_star, template=tmpl,
                              omega=Fraction(1, inv))
    rng = random.Random(draw(st.integers(0, 10 ** 6)))
    part = cmwork.random_partition(m, m_star, rng)
    a_hat, w_hat = cmwork.point_on(rho, part, rng)
    return rho, part, a_hat, w_hat


@given(instances())
def test_loss_on_affine_space_is_norm_of_memory_part(inst):
    # Proposition 4.1: J_m = ||rho_{0,omega}||^2 >= ||rho0||^2_{L^2[0,oo)}
    rho, part, a_hat, w_hat = inst
    J = cmwork.Loss(rho, m=part.m).value(a_hat, w_hat, dps=DPS)
    with mpmath.workdps(DPS):
        norm = rho.template.shifted_norm2(rho._omega, dps=DPS)
        assert abs(J - norm) < mpf(10) ** (5 - DPS)
        assert J >= rho.template.half_norm2(dps=DPS) > 0


@given(instances())
def test_gradient_on_affine_space_is_minus_two_delta0_and_two_a_delta1(inst):
    # Proposition 4.2 with (94): the brackets cancel exactly on M*_P
    rho, part, a_hat, w_hat = inst
    J = cmwork.Loss(rho, m=part.m)
    d = J.budget(a_hat, w_hat)
    g = J.gradient(a_hat, w_hat, dps=d)
    with mpmath.workdps(d):
        for k, (a, w) in enumerate(zip(a_hat, w_hat)):
            d0, d1 = rho.delta(0, w, dps=d), rho.delta(1, w, dps=d)
            tol = mpf(10) ** (15 - d)           # budget keeps 15 digits
            assert abs(g[k] + 2 * d0) <= tol
            assert abs(g[part.m + k] - 2 * a * d1) <= tol


@given(instances())
def test_hessian_splits_into_tilde_part_and_two_E(inst):
    # eq. (100): Hess J = Hess J~ + 2 E_omega, E from Delta_1, Delta_2
    rho, part, a_hat, w_hat = inst
    m = part.m
    H = cmwork.Loss(rho, m=m).hessian(a_hat, w_hat, dps=DPS)
    Ht = cmwork.Loss(ExponentialSum(a=rho.a_star, w=rho.w_star),
                     m=m).hessian(a_hat, w_hat, dps=DPS)
    with mpmath.workdps(DPS):
        for i in range(2 * m):
            for j in range(2 * m):
                e = mpf(0)
                if j == i + m or i == j + m:
                    e = 2 * rho.delta(1, w_hat[min(i, j)], dps=DPS)
                elif i == j and i >= m:
                    e = -2 * a_hat[i - m] * rho.delta(2, w_hat[i - m], dps=DPS)
                assert abs(H[i, j] - Ht[i, j] - e) < mpf(10) ** (5 - DPS)


@given(instances())
def test_at_most_two_m_star_eigenvalues_stay_of_order_one(inst):
    # Proposition 4.3: rank Hess J~ <= 2 m*, and by Weyl + Gershgorin the
    # other eigenvalues of Hess J lie within the bound of 2 E_omega
    rho, part, a_hat, w_hat = inst
    m = part.m
    Jt = cmwork.Loss(ExponentialSum(a=rho.a_star, w=rho.w_star), m=m)
    ev_t = cmwork.eigenvalues(Jt.hessian(a_hat, w_hat, dps=DPS), dps=DPS)
    rank = sum(1 for x in ev_t if abs(x) > mpf(10) ** (-DPS // 2))
    assert rank <= 2 * rho.m_star
    J = cmwork.Loss(rho, m=m)
    d = J.budget(a_hat, w_hat)
    ev = cmwork.eigenvalues(J.hessian(a_hat, w_hat, dps=d), dps=d)
    with mpmath.workdps(d):
        G = 2 * max(abs(a * rho.delta(2, w, dps=d)) + abs(rho.delta(1, w, dps=d))
                    for a, w in zip(a_hat, w_hat))
        for x in ev[:2 * m - rank]:
            assert abs(x) <= G + mpf(10) ** (10 - d)


@given(instances(min_extra=1))
@example(None)
def test_a_block_with_two_indices_gives_a_negative_eigenvalue(inst):
    # Proposition 4.4 (m > 2m*) and beyond it: one shared block suffices
    if inst is None:     # Remark 4.6's own case: m = 2, m* = 1
        rho = cmwork.MemoryTarget(a_star=[1], w_star=[1], omega=Fraction(1, 30),
                                  template=cmwork.GaussianTemplate())
        part = cmwork.Partition.from_blocks([[1, 2]])
        a_hat, w_hat = [mpf("0.25"), mpf("0.75")], [mpf(1), mpf(1)]
    else:
        rho, part, a_hat, w_hat = inst
    if all(len(b) == 1 for b in part.blocks):
        return
    J = cmwork.Loss(rho, m=part.m)
    spec = cmwork.resolve_eigenvalues(
        lambda d: J.hessian(a_hat, w_hat, dps=d), J.budget(a_hat, w_hat))
    assert spec.sign(0) == -1
