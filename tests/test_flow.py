"""Gradient flow of J_m, the Appendix B flows, and the claims thm-4.1,
remark-4.7, appendix-b.  Expected values come from another route: scipy's
BDF in float64 where float64 suffices, the closed forms of Appendix B, the
statement that a gradient flow never increases J."""
import math
from fractions import Fraction

import numpy as np
import pytest

import cmwork
from cmwork import claims
from cmwork.flow import (choose_path, gradient_flow, linearisation_estimate,
                         quadratic_flows)


def loss(inv, m=2):
    rho = cmwork.MemoryTarget(a_star=[1], w_star=[1], omega=Fraction(1, inv),
                              template=cmwork.GaussianTemplate(c0=1, sigma=1))
    return cmwork.Loss(rho, m=m)


@pytest.fixture(scope="module")
def registry():
    return claims.load_all()


def test_flow_never_increases_the_loss():
    r = gradient_flow(loss(10), [0.3, 0.7], [1, 1], t_max=2e3, path="mpmath",
                      stop="none")
    assert r.status == "escaped" and r.plateau_time is not None
    rises = np.diff(r.loss) / r.loss0
    assert np.all(rises <= 1e-12), rises.max()
    assert r.loss[-1] < 0.9 * r.loss0


def test_started_on_affine_space_with_negligible_delta_it_stays_put():
    # 1/omega = 200: Delta ~ e^-200 ~ 1e-87, far below 40 digits; on M*_P
    # the gradient is then zero to the working precision
    r = gradient_flow(loss(200), [Fraction(1, 4), Fraction(3, 4)], [1, 1],
                      t_max=1e12, path="mpmath", dps=40)
    assert r.status == "trapped" and r.plateau_time is None
    assert np.max(r.displacement) < 1e-25
    assert np.allclose(r.loss, r.loss0, rtol=0, atol=1e-30)


def test_mpmath_path_agrees_with_scipy_bdf_where_float64_suffices():
    J = loss(8)
    ref = gradient_flow(J, [0.3, 0.7], [1, 1], t_max=1e3, path="float64",
                        rtol=1e-10)
    hp = gradient_flow(J, [0.3, 0.7], [1, 1], t_max=1e3, path="mpmath",
                       rtol=1e-4)
    assert (ref.path, hp.path) == ("float64", "mpmath")
    assert ref.status == hp.status == "escaped"
    assert abs(hp.separation_time / ref.separation_time - 1) < 1e-5
    assert abs(hp.plateau_time / ref.plateau_time - 1) < 1e-3


def test_auto_path_says_which_arithmetic_it_used():
    assert choose_path(loss(8), [0.3, 0.7], [1, 1]) == "float64"
    assert choose_path(loss(30), [0.3, 0.7], [1, 1]) == "mpmath"


def test_gradient_along_the_unstable_eigenvector_is_far_below_its_norm():
    # g_0 is orthogonal to the kernel of Hess J~: |g~_j| << |g_0|
    est = linearisation_estimate(loss(14), [0.3, 0.7], [1, 1])
    assert est["lambda_min"] < 0
    assert abs(est["g_tilde"]) < 1e-2 * est["grad_norm"]


@pytest.mark.parametrize("kwargs, word", [
    ({"t_max": -1}, "t_max"), ({"t_max": 0}, "t_max"),
    ({"t_max": 10, "fraction": 1.5}, "fraction"),
    ({"t_max": 10, "delta": 0}, "delta"),
    ({"t_max": 10, "path": "gpu"}, "path"),
])
def test_bad_flow_arguments_raise_one_clear_error(kwargs, word):
    with pytest.raises(ValueError, match=word):
        gradient_flow(loss(8), [0.3, 0.7], [1, 1], **kwargs)


def test_non_positive_rate_or_memory_is_refused():
    with pytest.raises(ValueError, match=r"w\[1\]"):
        gradient_flow(loss(8), [0.3, 0.7], [1, 0], t_max=10)
    with pytest.raises(ValueError, match="omega"):
        cmwork.MemoryTarget(a_star=[1], w_star=[1], omega=0,
                            template=cmwork.GaussianTemplate())
    with pytest.raises(ValueError, match="eps"):
        quadratic_flows(-0.1, level=-0.25)


def test_appendix_b_flows_hit_the_closed_form_times():
    # l_1(tau) = -delta_0/2 at tau_1 = ln(delta_0/eps)/(2 eps) up to e^-2tau
    eps, d0 = 1e-3, 0.5
    out = quadratic_flows(eps, level=-d0 / 2)
    assert abs(out["gradient_flow"]["tau"] / (math.log(d0 / eps) / (2 * eps))
               - 1) < 1e-8
    # heavy ball: -delta_0/2 at tau_2 - ln(1 + sqrt(eps))/sqrt(eps)
    t2 = math.log(4 * d0 / eps) / (2 * math.sqrt(eps))
    expect = t2 - math.log(1 + math.sqrt(eps)) / math.sqrt(eps)
    assert abs(out["heavy_ball"]["tau"] - expect) < 0.05


def test_appendix_b_holds_and_reports_the_erratum(registry):
    v = registry["appendix-b"].run("quick")
    assert v.status == claims.HOLDS, v.summary
    assert any("-delta_0/2" in n and "printed -delta_0" in n for n in v.notes)


@pytest.mark.parametrize("statement", [{"claimed_gd": -0.5},
                                       {"claimed_hb": -1.0},
                                       {"claimed_hb": -1 / 3}])
def test_appendix_b_fails_on_a_wrong_exponent(registry, statement):
    v = registry["appendix-b"].run("quick", **statement)
    assert v.status == claims.FAILS, v.summary


def test_appendix_b_fails_on_a_misprinted_solution(registry):
    import sympy as sp
    from proofs.appendix_b import delta, tau
    v = registry["appendix-b"].run("quick", printed_overrides=(
        ("gd_x1", delta * sp.exp(-2 * tau)),))
    assert v.status == claims.FAILS and "x_1" in v.summary


def test_errata_lists_appendix_b(capsys):
    from cmwork.cli import main
    assert main(["errata"]) == 0
    assert "l_2(tau_2^eps)" in capsys.readouterr().out


def test_remark_4_7_holds_at_quick_size(registry):
    v = registry["remark-4.7"].run("quick")
    assert v.status == claims.HOLDS, v.summary


def test_ascent_flow_makes_remark_4_7_and_thm_4_1_fail(registry):
    few = {"inv_omegas": "6,8"}
    for cid in ("remark-4.7", "thm-4.1"):
        v = registry[cid].run("quick", sign=+1, overrides=few)
        assert v.status == claims.FAILS and "increased" in v.summary, cid


def test_thm_4_1_fails_when_polynomial_growth_is_claimed(registry):
    v = registry["thm-4.1"].run("quick", claimed_rate=0)
    assert v.status == claims.FAILS, v.summary


def test_thm_4_1_lower_bound_holds_and_the_rate_is_left_open(registry):
    # the proof's lower bound with c = min w_hat = 1: the times outgrow
    # e^(1/omega) omega^2 ln(1/omega); the measured rate is reported, with
    # the plateau's local slopes still rising (1.15, 1.66 at 1/omega 10..14)
    v = registry["thm-4.1"].run("quick")
    assert v.status == claims.HOLDS, v.summary
    assert "lower bound" in v.summary and "not settled" in v.summary
    fit = v.evidence["fits"]["plateau_time"]
    assert fit["c"] - 2 * fit["c_se"] > 1
    assert any("faster than Lemma 4.1" in n for n in v.notes)
    assert any("still changing" in n for n in v.notes)
    err = v.evidence["relative_error_of_tau"]
    assert 1e-3 <= err < 0.05


def test_thm_4_1_fails_when_the_lower_bound_claims_too_fast_a_rate(
        registry):
    # e^(3/omega) is faster than anything measured (slopes <= 2.2)
    v = registry["thm-4.1"].run("quick", lower_rate=3)
    assert v.status == claims.FAILS and "lower bound" in v.summary, \
        v.summary


@pytest.mark.parametrize("path", ["float64", "mpmath"])
def test_wall_clock_cap_ends_the_run_as_failed_and_says_so(path):
    # 1/omega = 30 escapes only after ~1e18: far beyond 0.5 s of either path
    r = gradient_flow(loss(30), [0.3, 0.7], [1, 1], t_max=1e30, path=path,
                      max_seconds=0.5)
    assert r.status == "failed" and "max_seconds" in r.message
    assert r.plateau_time is None


def test_bad_wall_clock_cap_is_refused():
    with pytest.raises(ValueError, match="max_seconds"):
        gradient_flow(loss(8), [0.3, 0.7], [1, 1], t_max=10, max_seconds=0)


# -- the reduced path (cmwork.reduced_flow) -----------------------------------

def test_helmert_basis_is_orthonormal_and_orthogonal_to_ones():
    from mpmath import mpf, fsum
    from cmwork.reduced_flow import helmert_basis
    B = helmert_basis(5)
    for i, b in enumerate(B):
        assert abs(fsum(b)) < mpf(10) ** -14
        for j, c in enumerate(B):
            dot = fsum(x * y for x, y in zip(b, c))
            assert abs(dot - (i == j)) < mpf(10) ** -14


@pytest.fixture(scope="module")
def both_paths_at_18():
    # the mpmath path at rtol 1e-4 (it moves 0.25% between 1e-3 and 1e-4)
    # against the reduced path at 1e-3
    J = loss(18)
    return J, [gradient_flow(J, [0.3, 0.7], [1, 1], t_max=1e20, path=p,
                             rtol=r)
               for p, r in (("mpmath", 1e-4), ("reduced", 1e-3))]


def test_reduced_path_agrees_with_the_mpmath_path_where_both_run(
        both_paths_at_18):
    # 1/omega = 18: the mpmath path follows the whole drift (~830 steps);
    # the reduced one replaces the drift by the slow-manifold field (R)
    # and the end of the plateau by BDF2.  After the switch the two
    # integrations share nothing.
    _, (full, red) = both_paths_at_18
    assert full.status == red.status == "escaped"
    kinds = [p["phase"] for p in red.phases]
    # BDF2 may carry the flow from where the split saturates until y sits
    # on y*(x) (or kappa is small enough) and the reduction applies
    assert kinds in (["mpmath", "reduced", "bdf2"],
                     ["mpmath", "bdf2", "reduced", "bdf2"]), red.phases
    reduced = red.phases[kinds.index("reduced")]
    assert reduced["steps"] < full.nsteps / 10
    assert red.kappa_max <= 1e-3 / 10
    for name in ("plateau_time", "separation_time"):
        assert abs(red[name] / full[name] - 1) < 5e-3, name


def test_bdf2_from_theta0_agrees_with_the_float64_path():
    # BDF2 (mpmath) from theta(0) against scipy's DOP853 in float64 at
    # 1/omega = 8, inside float64's reach: two integrators, two arithmetics
    J = loss(8)
    ref = gradient_flow(J, [0.3, 0.7], [1, 1], t_max=1e4, path="float64",
                        rtol=1e-10)
    res = gradient_flow(J, [0.3, 0.7], [1, 1], t_max=1e4, path="bdf2",
                        rtol=1e-5, dps=40)
    assert res.path == "bdf2" and res.dps == 40
    assert res.status == ref.status == "escaped"
    for name in ("plateau_time", "separation_time"):
        assert abs(res[name] / ref[name] - 1) < 1e-3, name
    assert np.all(np.diff(res.loss) <= 1e-12 * res.loss[0])


def test_bdf2_with_a_flipped_gradient_never_leaves_the_plateau():
    from mpmath import mpf, workdps
    from cmwork.flow import _flow_bdf
    J = loss(8)
    with workdps(40):
        a, w = J._params([0.3, 0.7], [1, 1])
        J0 = J.value(a, w, dps=40)
        res = _flow_bdf(J, a, w, 1e3, 40, 1e-4, 0.99, 0.1, "plateau", 2000,
                        +1, None, None,
                        start=([mpf(0)] * 4, 0, J0, None, None))
    assert res.plateau_time is None
    assert res.loss[-1] >= res.loss[0]


def test_bdf2_from_exactly_on_the_affine_space_stays_on_its_branch(
        monkeypatch):
    # 1/omega = 25, a_hat = (3/10, 7/10) exactly, w = (1, 1): the reduced
    # path (exprb32, the drift on its slow manifold, BDF2 from t = 3.2e15)
    # puts the plateau time at 3.2150e15 (rtol 1e-3, README); BDF2 alone
    # from theta(0) must land within 1% of it.
    from mpmath import mpf
    from cmwork import fastla, flow
    J = loss(25)
    a0 = [Fraction(3, 10), Fraction(7, 10)]
    for backend in ("auto", "mpmath"):
        with fastla.using(backend):
            res = gradient_flow(J, a0, [1, 1], t_max=2e16, path="bdf2",
                                rtol=1e-3)
        assert res.status == "escaped", res.message
        assert abs(res.plateau_time / 3.2150e15 - 1) < 0.01
    assert res.branch_retries > 0
    # without the branch test a step near t = 3e15 lands back on M*_P
    # (w_1 = w_2, the a_i swapped) and the plateau ends far too late (at
    # 5.63e15, with the growth cap on the steps) or not by 2e16 (without
    # it).  Which root Newton finds is decided by rounding: in mpmath's
    # linear algebra this start jumps, in python-flint's (cmwork.fastla)
    # it happens not to, so the wrong variant runs on mpmath's.
    monkeypatch.setattr(flow, "_BDF_BRANCH", mpf(10) ** 100)
    with fastla.using("mpmath"):
        bad = gradient_flow(J, a0, [1, 1], t_max=2e16, path="bdf2",
                            rtol=1e-3)
    assert bad.branch_retries == 0
    assert bad.plateau_time is None or bad.plateau_time / 3.2150e15 > 1.1


def test_hermite_interpolant_is_exact_for_cubics():
    from mpmath import mpf
    from cmwork.flow import _hermite
    p = lambda t: 2 * t ** 3 - t ** 2 + 3 * t - 1
    dp = lambda t: 6 * t ** 2 - 2 * t + 3
    t0, h = mpf("0.5"), mpf(2)
    for s in (mpf("0.1"), mpf("0.5"), mpf("0.9")):
        v = _hermite([p(t0)], [dp(t0)], [p(t0 + h)], [dp(t0 + h)], h, s)
        assert abs(v[0] - p(t0 + s * h)) < mpf(10) ** -12


def test_branch_check_refuses_a_wrong_predictor(both_paths_at_18):
    # y*(x) through a deliberately wrong anchor (its y shifted far off the
    # branch, tangent zero): Newton's correction exceeds BRANCH_RATIO times
    # the predicted change, so the step is refused rather than followed
    import mpmath
    from cmwork.reduced_flow import ReductionLost, SlowManifold
    J, (_, red) = both_paths_at_18
    t0, t1 = red.phases[1]["t_start"], red.phases[1]["t_end"]
    i = int(np.searchsorted(red.t, (t0 + t1) / 2))
    with mpmath.workdps(40):
        theta = [mpmath.mpf(float(v)) for v in red.y[:, i]]
        man = SlowManifold(J, 40)
        x, y = man.to_xy(theta)
        ys, _, H = man.solve_y(x, y)
        man.set_anchor(x, ys, H)
        man.on_branch(x)                          # the right anchor: fine
        man.anchor = (x, [v + mpmath.mpf("1e-3") for v in ys],
                      mpmath.zeros(len(ys), len(x)))
        with pytest.raises(ReductionLost, match="left its branch"):
            man.on_branch(x)


def test_switch_pretest_refuses_cheaply_and_never_in_place_of_the_full_test(
        both_paths_at_18, monkeypatch):
    # on M*_P at w_1 = w_2 the split has not saturated (Hess J_m has a
    # negative eigenvalue there, Prop. 4.3): the Cholesky pre-test refuses
    # without Newton's solve for y*(x); with the pre-test switched off the
    # full test refuses there too, and in the middle of the reduced phase
    # the pre-test lets the point through
    import mpmath
    from cmwork import reduced_flow as rf
    J, (_, red) = both_paths_at_18
    calls = []
    with mpmath.workdps(40):
        man = rf.SlowManifold(J, 40)
        orig = man.solve_y
        monkeypatch.setattr(man, "solve_y",
                            lambda *a: calls.append(1) or orig(*a))
        theta0 = [mpmath.mpf(v) for v in (0.3, 0.7, 1, 1)]
        why = rf.try_switch_in(man, theta0, theta0, 1e-3)
        assert "not positive definite at theta" in why and not calls
        t0, t1 = red.phases[1]["t_start"], red.phases[1]["t_end"]
        i = int(np.searchsorted(red.t, (t0 + t1) / 2))
        mid = [mpmath.mpf(float(v)) for v in red.y[:, i]]
        why = rf.try_switch_in(man, mid, theta0, 1e-3)
        assert why is None or "at theta" not in why
        assert calls
        calls.clear()
        monkeypatch.setattr(rf, "_positive_definite", lambda A: True)
        why = rf.try_switch_in(man, theta0, theta0, 1e-3)
        assert why is not None and calls


def test_reduced_path_runs_bdf2_while_kappa_is_too_large():
    # m = 3, Figure 3's seeded start, 1/omega = 16: the split saturates but
    # the reduction's kappa stays above rtol/10, so the reduced path hands
    # the plateau to BDF2; against exprb32 alone at rtol 1e-4 (another
    # integrator, ten times tighter) both times agree within 1%
    from cmwork.figures_dynamics import start_point
    J, a0 = loss(16, m=3), start_point(0, 3)
    red = gradient_flow(J, a0, [1] * 3, t_max=1e12, path="reduced",
                        rtol=1e-3)
    ref = gradient_flow(J, a0, [1] * 3, t_max=1e12, path="mpmath",
                        rtol=1e-4)
    assert [p["phase"] for p in red.phases] == ["mpmath", "bdf2"]
    assert red.status == ref.status == "escaped"
    for name in ("plateau_time", "separation_time"):
        assert abs(red[name] / ref[name] - 1) < 1e-2, name


def test_reduced_path_separation_time_is_stable_under_the_tolerance():
    # 1/omega = 26, past float64: two tolerances (which also move the
    # switching bound kappa <= rtol/10) against each other
    J = loss(26)
    t = [gradient_flow(J, [0.3, 0.7], [1, 1], t_max=1e40, path="reduced",
                       rtol=rtol, stop="separation")
         for rtol in (1e-3, 1e-4)]
    assert all(r.status == "escaped" for r in t)
    assert any(p["phase"] == "reduced" for p in t[0].phases)
    assert abs(t[0].separation_time / t[1].separation_time - 1) < 1e-3


def test_reduced_field_with_a_flipped_sign_is_the_ascent_field(
        both_paths_at_18):
    import mpmath
    from cmwork.reduced_flow import SlowManifold
    J, (_, red) = both_paths_at_18
    t0, t1 = red.phases[1]["t_start"], red.phases[1]["t_end"]
    i = int(np.searchsorted(red.t, (t0 + t1) / 2))
    with mpmath.workdps(40):
        theta = [mpmath.mpf(float(v)) for v in red.y[:, i]]
        down, up = SlowManifold(J, 40, -1), SlowManifold(J, 40, +1)
        x, y = down.to_xy(theta)
        down.y_last = up.y_last = y
        fd = down.field([float(v) for v in x])
        fu = up.field([float(v) for v in x])
    assert np.all(fd == -fu) and np.all(fd != 0)
    # descent along the drift: the coefficient of the larger a grows
    # (a_1 - a_2 < 0 here, x = (a_1 - a_2)/sqrt 2 falls)
    assert red.y[0, -1] > red.y[0, 0]


# -- the heavy-ball flow of J_m ------------------------------------------------

def test_heavy_ball_times_are_stable_under_the_tolerance():
    J = loss(10)
    a, b = (cmwork.flow.heavy_ball_flow(J, [0.3, 0.7], [1, 1], t_max=1e5,
                                        rtol=r) for r in (1e-6, 1e-9))
    assert a.status == b.status == "escaped"
    for name in ("plateau_time", "separation_time"):
        assert abs(a[name] / b[name] - 1) < 1e-6, name


def test_momentum_escapes_the_plateau_sooner_than_the_gradient_flow():
    # Appendix B's conclusion, on J_m: the heavy ball leaves the flat saddle
    # sooner, and its advantage grows with the memory at 1/omega = 8, 10
    # (it saturates at 1/friction = 10 from 1/omega ~ 14 on, tested below)
    ratios = []
    for inv in (8, 10):
        J = loss(inv)
        hb = cmwork.flow.heavy_ball_flow(J, [0.3, 0.7], [1, 1], t_max=1e5)
        gd = gradient_flow(J, [0.3, 0.7], [1, 1], t_max=1e5, path="mpmath",
                           rtol=1e-4)
        assert hb.status == gd.status == "escaped"
        ratios.append(gd.plateau_time / hb.plateau_time)
    assert 1 < ratios[0] < ratios[1], ratios


def test_heavy_ball_with_a_flipped_gradient_never_reaches_the_plateau_end():
    r = cmwork.flow.heavy_ball_flow(loss(8), [0.3, 0.7], [1, 1], t_max=50,
                                    sign=+1, stop="none")
    # it climbs until a rate leaves w > 0 (status failed) or the time ends
    assert r.plateau_time is None
    assert r.status == "failed" and "positive rates" in r.message \
        or r.loss[-1] > r.loss0


@pytest.mark.parametrize("kwargs, word", [
    ({"rho": 0}, "rho="), ({"rho": 1.5}, "rho="), ({"eta": -1}, "eta="),
    ({"t_max": -1}, "t_max=")])
def test_heavy_ball_bad_arguments_raise_one_clear_error(kwargs, word):
    args = dict(t_max=10.0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=word):
        cmwork.flow.heavy_ball_flow(loss(8), [0.3, 0.7], [1, 1], **args)


def test_heavy_ball_mpmath_path_agrees_with_float64():
    # two integrators, two arithmetics: BDF2 in mpmath at rtol 1e-4 against
    # DOP853 in float64 at rtol 1e-6, where float64 resolves the plateau
    J = loss(8)
    f = cmwork.flow.heavy_ball_flow(J, [0.3, 0.7], [1, 1], t_max=1e5,
                                    rtol=1e-6, path="float64")
    m = cmwork.flow.heavy_ball_flow(J, [0.3, 0.7], [1, 1], t_max=1e5,
                                    rtol=1e-4, path="mpmath")
    assert (f.path, m.path) == ("float64", "mpmath")
    for name in ("plateau_time", "separation_time"):
        assert abs(m[name] / f[name] - 1) < 1e-3, name


#: Past float64, deep in the plateau, the heavy ball is overdamped on the
#: small eigenvalues: rho theta'' is negligible beside the friction, so
#: friction * theta' = -grad J_m, the gradient flow slowed down by
#: friction = (1 - rho)/sqrt(eta) = 0.1, and tau_HB -> friction * tau_GD
#: (measured: 0.1001 at 1/omega = 16, 20 and 0.0994 at 30).  1% covers
#: both flows' rtol 1e-4 and the O(friction^-2 |lambda_min|) correction.
OVERDAMPED_TOL = 0.01


def test_heavy_ball_past_float64_is_the_gradient_flow_slowed_by_friction():
    J = loss(16)
    assert cmwork.flow.choose_path(J, [0.3, 0.7], [1, 1]) == "mpmath"
    hb = cmwork.flow.heavy_ball_flow(J, [0.3, 0.7], [1, 1], t_max=1e12,
                                     rtol=1e-4)
    gd = gradient_flow(J, [Fraction(3, 10), Fraction(7, 10)], [1, 1],
                       t_max=1e12, path="reduced", rtol=1e-4)
    assert hb.path == "mpmath" and hb.status == gd.status == "escaped"
    friction = (1 - cmwork.flow.HEAVY_BALL_RHO) / math.sqrt(
        cmwork.flow.HEAVY_BALL_ETA)
    for name in ("plateau_time", "separation_time"):
        ratio = hb[name] / gd[name]
        assert abs(ratio / friction - 1) < OVERDAMPED_TOL, (name, ratio)


def test_heavy_ball_mpmath_with_a_flipped_gradient_does_not_escape():
    r = cmwork.flow.heavy_ball_flow(loss(16), [0.3, 0.7], [1, 1], t_max=50,
                                    sign=+1, stop="none", path="mpmath")
    assert r.plateau_time is None
    assert r.status == "failed" or r.loss[-1] > r.loss0


# -- the exprb32 linearisation: python-flint's QR against mpmath.eigsy -------

def _symmetric_with_spectrum(lam, seed, dps):
    """Q diag(lam) Q^T with Q orthogonal from a seeded Gaussian (mpmath QR)."""
    import mpmath
    rng = np.random.default_rng(seed)
    n = len(lam)
    with mpmath.workdps(dps):
        Q, _ = mpmath.qr(mpmath.matrix(rng.standard_normal((n, n)).tolist()))
        return Q * mpmath.diag([mpmath.mpf(x) for x in lam]) * Q.T


@pytest.mark.parametrize("lam", [
    # a cluster of rates e^-30 apart below O(1) ones (the plateau's Hessian)
    [2.0, 1.5, -1.0, 3e-13, 2e-13, -1e-13, -1.5e-13],
    # exactly repeated eigenvalues and an exact zero
    [1.0, 1.0, 1.0, 0.0, 0.0, -2.0],
])
def test_flint_linearisation_gives_eigsy_phi_products(lam):
    pytest.importorskip("flint")
    import mpmath
    from cmwork import flow
    dps = 47
    H = _symmetric_with_spectrum(lam, 3, dps)
    rng = np.random.default_rng(4)
    v = [mpmath.mpf(x) for x in rng.standard_normal(len(lam))]
    with mpmath.workdps(dps):
        fl = flow._Linearisation(H, backend="flint")
        mp = flow._Linearisation(H, backend="mpmath")
        assert (fl.backend, mp.backend) == ("flint", "mpmath")
        assert sorted(fl.lam) == pytest.approx(sorted(lam), abs=1e-40)
        for k in (1, 3):
            for h in (mpmath.mpf("0.5"), mpmath.mpf("1e12")):
                a = fl.apply(k, h, -1, v)
                b = mp.apply(k, h, -1, v)
                scale = max(abs(x) for x in b)
                err = max(abs(x - y) for x, y in zip(a, b))
                # eigenvectors in a cluster are determined to eps/gap ~
                # 1e-47 / 1e-13: the products agree to well below that
                assert err <= mpmath.mpf("1e-30") * scale, (k, h, err)


def test_flint_decomposition_is_refused_when_it_does_not_reproduce_h():
    # the residual test behind EIG_BACKEND="auto": an eigenvalue moved by
    # 1e-35 (far above 47 digits, far below float64) must be refused
    flint = pytest.importorskip("flint")
    import mpmath
    from cmwork import fastla
    H = _symmetric_with_spectrum([2.0, 1.0, 3e-13, -1e-13], 5, 47)
    with mpmath.workdps(47):
        lam, R, L = fastla._eig_flint(H)
        old = flint.ctx.prec
        flint.ctx.prec = mpmath.mp.prec + 20
        try:
            A = flint.arb_mat([[flint.arb(H[i, j]) for j in range(4)]
                               for i in range(4)])
            Rr = flint.arb_mat([[flint.arb(x) for x in row] for row in R])
            Lr = flint.arb_mat([[flint.arb(x) for x in row] for row in L])
            good = [flint.arb(x) for x in lam]
            bad = list(good)
            bad[0] += flint.arb("1e-35")
            assert fastla.reproduces(flint, A, good, Rr, Lr)
            assert not fastla.reproduces(flint, A, bad, Rr, Lr)
        finally:
            flint.ctx.prec = old


def test_flow_is_the_same_on_either_eigensolver(monkeypatch):
    pytest.importorskip("flint")
    from cmwork import fastla
    J = loss(10)
    out = {}
    for backend in ("flint", "mpmath"):
        monkeypatch.setattr(fastla, "BACKEND", backend)
        out[backend] = gradient_flow(J, [0.3, 0.7], [1, 1], t_max=1e5,
                                     path="mpmath", stop="both")
    a, b = out["flint"], out["mpmath"]
    assert (a.linalg, b.linalg) == ("flint", "mpmath")
    assert a.status == b.status == "escaped"
    for name in ("plateau_time", "separation_time"):
        assert abs(a[name] / b[name] - 1) < 1e-9, name


def test_heavy_ball_jacobian_matches_differences_of_its_field():
    # central differences of the first-order field at 40 digits, step
    # 1e-12: truncation ~1e-24, rounding ~1e-28, against O(1) entries
    from mpmath import mpf, workdps
    from cmwork.flow import _HeavyBallSystem
    with workdps(40):
        hb = _HeavyBallSystem(loss(6), [mpf("0.3"), mpf("0.7")],
                              [mpf(1), mpf("1.2")], 40, -1, mpf("0.9"),
                              mpf("0.1"))
        z = [mpf(x) / 7 for x in (1, -2, 3, 1, 2, -1, 1, 3)]
        J, eps = hb.jacobian(z), mpf(10) ** -12
        worst = 0
        for j in range(len(z)):
            up = [x + (eps if k == j else 0) for k, x in enumerate(z)]
            dn = [x - (eps if k == j else 0) for k, x in enumerate(z)]
            col = [(a - b) / (2 * eps) for a, b in zip(hb.f(up), hb.f(dn))]
            worst = max(worst, max(abs(col[i] - J[i, j])
                                   for i in range(len(z))))
    assert worst < mpf(10) ** -20


# -- BDF2 across a growing mode: the growth cap and the own-size error scale --

class _Saddle:
    """x' = mu x from 1e-12 (one growing mode), y' = -y from 1 (a decaying
    one that lets BDF2's step grow); 'loss' 1 / (1 + x^2).  The loss halves
    when x = 1, at t = ln(1e12) / mu exactly."""

    sign = -1

    def __init__(self, mu):
        import mpmath
        self.mu, self.nfev, self.njev = mpmath.mpf(mu), 0, 0

    def theta(self, u):
        return list(u)

    def f(self, u):
        return [self.mu * u[0], -u[1]]

    def jacobian(self, u):
        import mpmath
        return mpmath.matrix([[self.mu, 0], [0, -1]])

    def value(self, u):
        return 1 / (1 + u[0] ** 2)

    def displacement(self, u):
        return abs(u[0])

    def initial_step(self, u):
        return 1

    def growth_rate(self, u):
        return self.mu


def _saddle_time(own_scale):
    import mpmath
    from cmwork.flow import _flow_bdf
    with mpmath.workdps(30):
        r = _flow_bdf(None, None, None, 1e9, 30, 1e-4, 0.5, 100.0, "plateau",
                      10 ** 4, -1, None, None, system=_Saddle("1e-3"),
                      own_scale=own_scale,
                      start=([mpmath.mpf("1e-12"), mpmath.mpf(1)], 0,
                             mpmath.mpf(1), None, None))
    return r


def test_bdf2_follows_a_growing_mode_from_far_below_the_others():
    r = _saddle_time(own_scale=True)
    assert r.status == "escaped"
    assert abs(r.plateau_time / (math.log(1e12) * 1e3) - 1) < 2e-3


def test_bdf2_growing_mode_against_the_displacement_scale_is_late():
    # the wrong variant: the growing x measured against the O(1) scale of
    # y: its relative error is not controlled and the time comes out 8% off
    r = _saddle_time(own_scale=False)
    assert abs(r.plateau_time / (math.log(1e12) * 1e3) - 1) > 0.05


def test_bdf2_without_the_growth_cap_damps_the_growing_mode(monkeypatch):
    # the wrong variant: steps far beyond 1/mu (set by the decaying y); the
    # implicit step damps x instead of following it, and the error estimate
    # does not see it
    import mpmath
    monkeypatch.setattr(cmwork.flow, "_growth_cap", lambda s, u: mpmath.inf)
    r = _saddle_time(own_scale=False)
    assert r.plateau_time is None and r.status == "trapped"


@pytest.mark.parametrize("rho, friction", [("0.01", 1), ("0.9", "0.1")])
def test_heavy_ball_growth_rate_is_the_jacobians_largest_eigenvalue(
        rho, friction):
    # on M*_P the split direction is unstable; the growth rate from the
    # Hessian's eigenvalue (the root of rho mu^2 + friction mu = lam)
    # against the largest real eigenvalue of the 2n x 2n Jacobian
    import mpmath
    from cmwork.flow import _HeavyBallSystem
    J = loss(8)
    with mpmath.workdps(40):
        hb = _HeavyBallSystem(J, [mpmath.mpf("0.3"), mpmath.mpf("0.7")],
                              [1, 1], 40, -1, mpmath.mpf(rho),
                              mpmath.mpf(friction))
        z = [mpmath.mpf(0)] * 8
        mu = hb.growth_rate(z)
        ev = mpmath.eig(hb.jacobian(z), left=False, right=False)
        top = max(mpmath.re(e) for e in ev)
        assert mu > 0
        assert abs(mu / top - 1) < mpmath.mpf(10) ** -20


# -- the reduced path's end phase on the heavy ball ----------------------------

def _end_phase_runs(inv=25):
    J = loss(inv)
    return [gradient_flow(J, [Fraction(3, 10), Fraction(7, 10)], [1, 1],
                          t_max=1e40, path="reduced", rtol=1e-4,
                          end_phase=e) for e in ("gradient", "heavy_ball")]


def _end_start(res):
    """Where the end phase starts: the end of the drift's reduction."""
    names = [p["phase"] for p in res.phases]
    return res.phases[names.index("reduced")]["t_end"]


def _end_phase_gap(gd, hb):
    """|tau_HB - tau_GD| over the length of the heavy ball's end phase."""
    start = _end_start(hb)
    return abs(hb.plateau_time - gd.plateau_time) / (hb.plateau_time - start)


def test_heavy_ball_end_phase_reproduces_the_gradient_flows():
    # 1/omega = 25, where the gradient flow's own BDF2 still crosses the
    # end phase: the two end phases start at the same point and must take
    # the same time (measured: they differ by 0.08% of the end phase's
    # length, which is 0.43% of the plateau time)
    gd, hb = _end_phase_runs()
    assert gd.status == hb.status == "escaped"
    assert [p["phase"] for p in gd.phases][-1] == "bdf2"
    # the heavy ball's end phase may hand the escape of w_2 to its own
    # reduction between two heavy-ball stretches
    assert [p["phase"] for p in hb.phases][-1] == "heavy_ball"
    assert set(p["phase"] for p in hb.phases[3:]) <= {"heavy_ball",
                                                      "escape of w_2"}
    assert _end_start(hb) == _end_start(gd) == gd.phases[-1]["t_start"]
    assert gd.end_share is None and 0 < hb.end_share < 1e-2
    assert _end_phase_gap(gd, hb) < 0.05
    assert hb.separation_time == gd.separation_time


def test_end_phase_with_double_friction_is_caught(monkeypatch):
    # the wrong variant: friction 2 runs the heavy ball at half speed, and
    # the end phase's length doubles against the gradient flow's: the gap
    # goes to 1/2 (measured 0.499; the right friction: 8e-4)
    from cmwork.flow import _HeavyBallSystem
    init = _HeavyBallSystem.__init__

    def doubled(self, loss, a0, w0, dps, sign, rho, friction):
        init(self, loss, a0, w0, dps, sign, rho, 2 * friction)
    monkeypatch.setattr(_HeavyBallSystem, "__init__", doubled)
    gd, hb = _end_phase_runs()
    assert _end_phase_gap(gd, hb) > 0.3


def test_bad_end_phase_is_refused():
    with pytest.raises(ValueError, match="end_phase"):
        gradient_flow(loss(8), [0.3, 0.7], [1, 1], t_max=10, path="reduced",
                      end_phase="momentum")


# -- the drift's end with the branch known by signs ------------------------------

def _run_50(rtol=1e-3):
    # thm-4.1's run at 1/omega = 50 (t_max as the check's: 10 e^{3/omega})
    return gradient_flow(loss(50), [Fraction(3, 10), Fraction(7, 10)], [1, 1],
                         t_max=10 * math.exp(150), path="reduced", rtol=rtol,
                         end_phase="heavy_ball")


def test_drift_continued_by_signs_agrees_with_the_heavy_ball(monkeypatch):
    # at 1/omega = 50 the drift's reduction is refused by its predictor
    # test near its end and continues with the branch known by signs (the
    # gradient flow itself); without the continuation the heavy ball takes
    # that stretch.  The two routes must give the same end of the plateau,
    # to a small part of the time after the drift (measured: 7.4e27
    # against 2.7e31, plateau time 5.27594e40)
    import cmwork.flow as flow
    on = _run_50()
    names = [p["phase"] for p in on.phases]
    assert on.status == "escaped" and "reduced, branch by signs" in names
    monkeypatch.setattr(flow, "_CONTINUE_BY_SIGNS", False)
    off = _run_50()
    assert off.status == "escaped"
    assert "reduced, branch by signs" not in [p["phase"] for p in off.phases]
    end = off.phases[[p["phase"] for p in off.phases].index("reduced")]
    assert abs(on.plateau_time - off.plateau_time) < \
        0.05 * (off.plateau_time - end["t_end"])
    assert on.separation_time == off.separation_time


def test_drift_continued_without_its_branch_test_is_caught(monkeypatch):
    # the wrong variant: a continuation that accepts every root of
    # dJ/dy = 0 steps into the mirror well (a_2 and w_2 - w_1 with other
    # signs) and reports the plateau as never ending (measured: trapped at
    # t_max = 1.4e66) where the flow escapes at 5.3e40
    import cmwork.reduced_flow as rf
    monkeypatch.setattr(rf, "escape_branch_test",
                        lambda m, k: (lambda before, after: True))
    res = _run_50()
    assert res.plateau_time is None or res.plateau_time > 6e40


# -- the escape's frame when a group stays behind (m > 2) -------------------------

def _drift_end_m10(inv=45, full=False):
    """The end of the drift's reduction at m = 10, 1/omega = 45 or 60
    (Figure 3's seed-0 start), recorded from a run: w_9 escapes."""
    import json
    import os
    import mpmath
    from cmwork.figures_dynamics import _loss
    with open(os.path.join(os.path.dirname(__file__), "data",
                           f"m10_{inv}_drift_end.json")) as f:
        d = json.load(f)
    with mpmath.workdps(d["dps"]):
        theta = [mpmath.mpf(v) for v in d["theta"]]
        theta0 = [mpmath.mpf(v) for v in d["theta0"]]
    out = _loss(d["inv_omega"], 10), d["dps"], theta, theta0
    return out + (d,) if full else out


def test_escape_frame_is_orthonormal_with_the_staying_group_slow():
    import mpmath
    from cmwork.reduced_flow import escape_frame
    with mpmath.workdps(40):
        T, n_slow, ref = escape_frame(10, 8, 40)
        assert n_slow == 9 and ref == [0] * 20
        E = T.T * T - mpmath.eye(20)
        assert max(abs(E[i, j]) for i in range(20) for j in range(20)) \
            < mpmath.mpf(10) ** -35
        # slow: w_9 and the a_j (j != 9) at fixed sum; fast: a_9 itself
        assert T[18, 0] == 1
        for col in range(1, 9):
            assert T[8, col] == 0
            assert abs(mpmath.fsum(T[i, col] for i in range(10))) < 1e-35
        assert T[8, 9] == 1


def test_escape_frame_applies_where_the_group_that_stays_drifts():
    # at the end of the m = 10 drift the a_j of the nine rates that stay
    # can be redistributed at curvatures of the drift's size (negative,
    # ~1e-61): the escape's frame keeps them slow and its reduction
    # applies; the wrong variant, those directions among the fast ones
    # (the frame of m = 2: w_k alone slow), has H_yy not positive definite
    import mpmath
    from cmwork.reduced_flow import (SlowManifold, escape_frame,
                                     escaping_rate, helmert_basis,
                                     try_switch_in)
    J, dps, theta, theta0 = _drift_end_m10()
    # the recorded state: a_9 = 1.2e-5, w_9 - 1 = -1.7e-5, the other w_j
    # within 3e-10 of 1
    k = escaping_rate(SlowManifold(J, dps, -1), theta)
    assert k == 8
    man = SlowManifold(J, dps, -1, frame=escape_frame(10, k, dps, ref=theta))
    assert try_switch_in(man, theta, theta0, 1e-3) is None
    with mpmath.workdps(dps):
        T = mpmath.zeros(20, 20)
        T[10 + k, 0] = 1
        col = 1
        for b in helmert_basis(10):
            for i in range(10):
                T[i, col] = b[i]
            col += 1
        for i in range(10):
            T[i, col] = 1 / mpmath.sqrt(10)
        col += 1
        for j in range(10):
            if j != k:
                T[10 + j, col] = 1
                col += 1
    wrong = SlowManifold(J, dps, -1, frame=(T, 1, theta))
    why = try_switch_in(wrong, theta, theta0, 1e-3)
    assert why is not None and "positive definite" in why


def test_escaping_rate_and_the_drift_continued_by_signs_at_m10(monkeypatch):
    # m = 10, 1/omega = 60: the drift's predictor test refused a step with
    # a_9 = 3e-6 and w_9 off the group by 2.5e-8 (the other w_j within
    # 8e-14 of each other).  The escaping rate is w_9, and the drift
    # continued with its branch known by signs accepts its steps; the
    # wrong variant, the rate the softest eigenvector of H_yy points to
    # (the split of the nine that stay: w_3), has its signs change at once
    import mpmath
    import cmwork.reduced_flow as rf
    J, dps, theta, theta0, d = _drift_end_m10(60, full=True)
    man = rf.SlowManifold(J, dps, -1)
    assert rf.escaping_rate(man, theta) == 8
    with mpmath.workdps(dps):
        x, y = man.to_xy(theta)
        _, H = man.derivatives(x, y)
        _, Q = mpmath.eigsy(H[9:, 9:])
        softest = max(range(10), key=lambda j: abs(Q[1 + j, 0]))
    assert softest != 8
    monkeypatch.setattr(rf, "MAX_REDUCED_STEPS", 3)
    with mpmath.workdps(dps):
        J0 = J.value(theta0[:10], theta0[10:], dps=dps)

    def continued(k):
        m = rf.SlowManifold(J, dps, -1)
        m.branch_test = rf.escape_branch_test(10, k)
        return rf.run_reduced(m, theta, d["t"], 1e80, rtol=1e-3,
                              theta0=theta0, level=0.99 * J0, delta=0.1,
                              found=(None, d["separation_time"]),
                              stopped=lambda p, q: False)
    right = continued(8)
    # three accepted steps, a_9 on its way down (the first steps are
    # below float64's resolution of t ~ 2e49)
    assert right["end"] == "steps" and right["steps"] == 3
    assert 0 < right["theta_end"][8] < theta[8]
    wrong = continued(softest)
    assert wrong["end"].startswith("lost") and "signs" in wrong["end"]
