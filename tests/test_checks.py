"""Every claim holds at its quick size, and fails on a deliberately wrong
statement: a flipped sign, a wrong exponent, a wrong count, a misprinted
formula.  A check that cannot fail would pass these only by accident."""
from fractions import Fraction

import pytest
import sympy as sp

from cmwork import claims

ALL = ["lemma-4.1", "eq-92-99", "prop-4.1", "prop-4.2", "prop-4.3",
       "prop-4.4", "remark-4.6"]


@pytest.fixture(scope="module")
def registry():
    return claims.load_all()


def test_registry_has_the_seven_claims_of_section_4_2_2(registry):
    assert set(ALL) <= set(registry)


@pytest.mark.parametrize("cid", ALL)
def test_claim_holds_at_quick_size(registry, cid):
    v = registry[cid].run("quick", seed=0)
    assert v.status == claims.HOLDS, v.summary
    assert v.evidence and v.dps


# -- wrong variants ------------------------------------------------------------

SMALL = {"inv_omegas": "10,20,30,40"}


@pytest.mark.parametrize("statement", [
    {"power_shift": -1},            # omega^-(n-1): wrong exponent
    {"rate_factor": 2},             # e^{-2w/omega}: wrong rate
])
def test_lemma_4_1_fails_on_wrong_bound(registry, statement):
    v = registry["lemma-4.1"].run("quick", **statement)
    assert v.status == claims.FAILS
    assert "unbounded" in v.summary


def test_eq_92_99_fails_on_a_misprinted_formula(registry):
    from proofs.eq_92_99 import D_k, P_k, S
    S0, S1, S2 = S.S_k
    wrong_97 = -2 * (S1 - P_k[1]) + S.a_k / (2 * S.w_k ** 2) + 2 * D_k[1]
    v = registry["eq-92-99"].run("quick", printed_overrides=(("97", wrong_97),))
    assert v.status == claims.FAILS
    assert "(97)" in v.summary


def test_eq_92_99_fails_on_a_wrong_power(registry):
    from proofs.eq_92_99 import S
    wrong_98 = 4 * S.a_k * S.a_l / (S.w_k + S.w_l) ** 2
    v = registry["eq-92-99"].run("quick", printed_overrides=(("98", wrong_98),))
    assert v.status == claims.FAILS


def test_prop_4_1_fails_with_the_full_line_norm(registry):
    # ||rho_{0,omega}||^2 on [0, oo) < ||rho0||^2 on R at finite omega
    v = registry["prop-4.1"].run("quick", bound="full-line")
    assert v.status == claims.FAILS


@pytest.mark.parametrize("statement", [
    {"sign_a": 2},                  # flipped sign of -2 Delta_0
    {"sign_w": -2},                 # flipped sign of 2 a Delta_1
    {"rate_factor": 2},             # e^{-2c/omega}
    {"power": 0},                   # no omega^-1 prefactor
])
def test_prop_4_2_fails_on_wrong_statement(registry, statement):
    v = registry["prop-4.2"].run("quick", overrides=SMALL, **statement)
    assert v.status == claims.FAILS, v.summary


@pytest.mark.parametrize("statement", [
    {"count_offset": -1},           # at most 2m* - 1 O(1) eigenvalues
    {"rate_factor": 2},
])
def test_prop_4_3_fails_on_wrong_statement(registry, statement):
    v = registry["prop-4.3"].run("quick", overrides=SMALL, **statement)
    assert v.status == claims.FAILS, v.summary


@pytest.mark.parametrize("cid", ["prop-4.4", "remark-4.6"])
def test_negative_eigenvalue_claims_fail_when_positive_is_claimed(registry, cid):
    v = registry[cid].run("quick", overrides={"inv_omegas": "20,40"},
                          expected_sign=+1)
    assert v.status == claims.FAILS
    assert "sign -1" in v.summary


def test_too_few_digits_give_inconclusive_not_holds(registry):
    # at 1/omega = 200 the smallest eigenvalue is ~1e-82: 20 digits cannot
    # resolve it, and the verdict must say so
    v = registry["prop-4.4"].run("quick", dps=20,
                                 overrides={"inv_omegas": "200", "explore": "0"})
    assert v.status == claims.INCONCLUSIVE
    assert "raise --dps" in v.summary


def test_remark_4_6_reports_the_misprinted_entry(registry):
    v = registry["remark-4.6"].run("quick", overrides={"inv_omegas": "20"})
    assert any("(3,3)" in n and "Delta_2**2" in n for n in v.notes)


def test_verdicts_are_reproducible_from_seed(registry):
    a = registry["prop-4.2"].run("quick", seed=7, overrides=SMALL)
    b = registry["prop-4.2"].run("quick", seed=7, overrides=SMALL)
    assert a.to_json()["evidence"] == b.to_json()["evidence"]
