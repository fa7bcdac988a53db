"""Discrete RNNs, their data and the claims fig-1 and fig-4 (Sections 4.1,
4.2.3).

Expected values come from other routes: central finite differences
against backpropagation through time, scipy quadrature of the continuous
functional c^T e^{Wt} U against the Euler RNN, two RK4 substeps against
each other, the exact Euler representation W = (e^{W* dt} - I)/dt of an
exponential sum, and loss curves built by hand.
"""
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.linalg import expm

from cmwork import figures_training as ft
from cmwork import training as tr
from cmwork import training_data as td
from cmwork.claims import FAILS, HOLDS, INCONCLUSIVE, STATUSES, get

#: Central differences with step 1e-6 on O(1) losses: truncation ~1e-12,
#: rounding ~1e-16/1e-6 = 1e-10 (relative); 1e-6 leaves a wide margin and
#: is far below the size of any dropped or flipped term.
FD_STEP = 1e-6
FD_TOL = 1e-6


def _setup(activation, structure, loss, seed, runs=2, m=3, n=4, N=6):
    rng = np.random.default_rng(seed)
    arch = tr.Architecture(width=m, activation=activation,
                           structure=structure, dt=0.1)
    p = tr.initialise(arch, runs, rng, w_low=0.3, w_high=1.5,
                      off_diagonal=0.7, scale_c=1.0, scale_u=1.0)
    x = rng.standard_normal((n, N))
    y = rng.standard_normal((n,) if loss == "final" else (n, N))
    return arch, p, x, y


def _fd_error(arch, p, x, y, loss, grad):
    worst = 0.0
    for k, v in p.items():
        for idx in np.ndindex(v.shape):
            q = {kk: vv.copy() for kk, vv in p.items()}
            q[k][idx] += FD_STEP
            up, _ = tr.loss_and_gradient(arch, q, x, y, loss=loss,
                                         gradient=False)
            q[k][idx] -= 2 * FD_STEP
            dn, _ = tr.loss_and_gradient(arch, q, x, y, loss=loss,
                                         gradient=False)
            fd = (up[idx[0]] - dn[idx[0]]) / (2 * FD_STEP)
            worst = max(worst, abs(fd - grad[k][idx]) / max(1.0, abs(fd)))
    return worst


@given(activation=st.sampled_from(tr.ACTIVATIONS),
       structure=st.sampled_from(tr.STRUCTURES),
       loss=st.sampled_from(tr.LOSSES), seed=st.integers(0, 2 ** 32 - 1),
       method=st.sampled_from(("auto", "bptt")))
def test_backpropagation_matches_finite_differences(activation, structure,
                                                    loss, seed, method):
    # "auto" is the kernel form for linear models with the final loss
    arch, p, x, y = _setup(activation, structure, loss, seed)
    _, g = tr.loss_and_gradient(arch, p, x, y, loss=loss, method=method)
    assert _fd_error(arch, p, x, y, loss, g) < FD_TOL


#: Kernel form against backpropagation through time: the same sums in
#: another order, O(N) roundings of O(1) terms at N = 40.
KERNEL_TOL = 1e-11


@given(structure=st.sampled_from(tr.STRUCTURES),
       seed=st.integers(0, 2 ** 32 - 1))
def test_kernel_gradient_equals_backpropagation_through_time(structure,
                                                             seed):
    arch, p, x, y = _setup("linear", structure, "final", seed, runs=3, m=4,
                           n=9, N=40)
    v1, g1 = tr.loss_and_gradient(arch, p, x, y)
    v2, g2 = tr.loss_and_gradient(arch, p, x, y, method="bptt")
    assert np.allclose(v1, v2, rtol=KERNEL_TOL, atol=0)
    for k in g2:
        scale = np.max(np.abs(g2[k]))
        assert np.max(np.abs(g1[k] - g2[k])) <= KERNEL_TOL * scale, k


def _flipped(arch, p, x, y, *, loss="final", gradient=True,
             method="auto"):
    """A wrong gradient: the term dL/dW (dL/dw for diagonal W) enters with
    the wrong sign."""
    value, g = tr.loss_and_gradient(arch, p, x, y, loss=loss,
                                    gradient=gradient, method=method)
    if g is not None:
        key = "W" if "W" in g else "w"
        g = dict(g, **{key: -g[key]})
    return value, g


@pytest.mark.parametrize("method", ("auto", "bptt"))
@pytest.mark.parametrize("structure", tr.STRUCTURES)
def test_a_gradient_with_a_flipped_term_fails_the_comparison(structure,
                                                             method):
    arch, p, x, y = _setup("linear", structure, "final", 5)
    _, g = _flipped(arch, p, x, y, method=method)
    assert _fd_error(arch, p, x, y, "final", g) > 1e-3


def test_euler_rnn_converges_to_the_continuous_functional():
    c = np.array([1.0, -0.5])
    W = np.array([[-1.0, 0.8], [-0.6, -0.7]])
    U = np.array([0.4, 1.1])
    T = 3.0

    def x(t):
        return np.sin(2 * t) + 0.5 * np.cos(t)

    exact = quad(lambda s: c @ expm(W * s) @ U * x(T - s), 0, T,
                 epsabs=1e-12, epsrel=1e-12, limit=200)[0]
    errs = []
    for N in (60, 120, 240, 480):
        dt = T / N
        arch = tr.Architecture(width=2, activation="linear",
                               structure="full", dt=dt)
        p = {"c": c[None], "U": U[None], "W": W[None]}
        xs = x(np.arange(N) * dt)[None]
        errs.append(abs(tr.outputs(arch, p, xs)[0, 0, -1] - exact))
    ratios = [a / b for a, b in zip(errs, errs[1:])]
    assert all(1.7 < r < 2.3 for r in ratios), ratios     # first order
    assert errs[-1] < 5e-3


def test_euler_rnn_represents_an_exponential_sum_exactly():
    rng = np.random.default_rng(3)
    rho, p = td.exponential_sum(4, rng)
    dt, T = 0.1, 2.0
    x = td.white_noise(6, T, dt, rng)
    y = td.convolve(rho(td.grid(T, dt)), x, dt)
    A = expm(p["W_star"] * dt)
    arch = tr.Architecture(width=4, activation="linear", structure="full",
                           dt=dt)
    q = {"c": p["c_star"][None], "U": p["b_star"][None],
         "W": ((A - np.eye(4)) / dt)[None]}
    loss, _ = tr.loss_and_gradient(arch, q, x, y, gradient=False)
    assert loss[0] < 1e-20
    assert tr.reference_loss(x, y, dt, poles=np.exp(p["eigenvalues"] * dt)) \
        < 1e-20


def test_white_noise_loss_is_the_riemann_sum_of_eq_77():
    # E|dt sum rho_j x_j|^2 = dt sum rho_j^2 for x = xi / sqrt(dt)
    rng = np.random.default_rng(0)
    dt, T = 0.1, 3.0
    kernel = np.exp(-td.grid(T, dt))
    y = td.convolve(kernel, td.white_noise(40000, T, dt, rng), dt)
    expected = dt * np.sum(kernel ** 2)
    assert abs(np.mean(y ** 2) / expected - 1) < 4 * math.sqrt(2 / 40000)


def test_wiener_paths_have_variance_t():
    x = td.wiener_paths(20000, 2.0, 0.5, np.random.default_rng(1))
    assert np.all(x[:, 0] == 0)
    np.testing.assert_allclose(x.var(axis=0), [0, 0.5, 1.0, 1.5],
                               atol=4 * 1.5 * math.sqrt(2 / 20000))


def test_lorenz96_does_not_depend_on_the_substep():
    rng = np.random.default_rng(2)
    x = td.white_noise(8, 2.0, 0.1, rng)
    z0 = rng.standard_normal(ft.LORENZ_K)
    _, change = td.lorenz96_refinement(x, 0.1, z0=z0,
                                       substeps=ft.LORENZ_SUBSTEPS)
    assert change < ft.LORENZ_REFINE_TOL
    # fourth order: halving the substep divides the change by about 16
    _, coarse = td.lorenz96_refinement(x, 0.1, z0=z0, substeps=2)
    _, fine = td.lorenz96_refinement(x, 0.1, z0=z0, substeps=4)
    assert 8 < coarse / fine < 32


def test_lorenz96_with_symmetric_start_keeps_z_symmetric():
    # z_k all equal stays so: the mean obeys z' = 2 (y - z) exactly, so
    # y solves a linear system; compare with its matrix exponential
    dt, N = 0.05, 40
    x = np.full((1, N), 0.7)
    y = td.lorenz96(x, dt, z0=np.zeros(5), substeps=10)
    # s' = A s + b, s(0) = 0: s(t) is the last column of expm(M t),
    # M = [[A, b], [0, 0]] (A is singular, so no A^-1)
    M = np.array([[-1.0, 1.0, 0.7], [2.0, -2.0, 0.0], [0.0, 0.0, 0.0]])
    exact = expm(M * dt * N)[0, 2]
    assert abs(y[0, -1] - exact) < 1e-9


def test_plateau_found_on_a_step_and_not_on_a_decay():
    t = np.arange(1001.0)
    step = np.where(t < 600, 1.0, 1e-2) + 1e-3 * np.exp(-t / 50)
    p = tr.find_plateau(step)
    assert p.found and not p.censored and 500 <= p.length <= 600
    assert not tr.find_plateau(np.exp(-t / 100)).found
    # period-2 oscillation about a plateau is still a plateau
    osc = step * (1 + 0.1 * (t % 2))
    assert tr.find_plateau(osc).found
    trapped = tr.find_plateau(np.ones(1001), reference=0.1)
    assert trapped.found and trapped.censored and trapped.length == 1000


def test_a_staircase_reports_its_first_plateau_and_counts_them():
    # 1.0 on 0..199, 0.5 on 200..799, 0.1 after: the first plateau is the
    # short one (length 199), though the second is longer; there are two
    t = np.arange(1001.0)
    stairs = np.where(t < 200, 1.0, np.where(t < 800, 0.5, 0.1))
    p = tr.find_plateau(stairs)
    assert (p.found, p.start, p.end, p.count) == (True, 0, 199, 2)
    # extending the run with the last level does not move the first one
    longer = np.concatenate([stairs, np.full(1000, 0.1)])
    q = tr.find_plateau(longer, window=100 / 2000)
    assert (q.start, q.end) == (0, 199)


def test_a_diverged_run_is_judged_on_its_finite_part():
    t = np.arange(1001.0)
    # on its plateau, then blown up at iteration 700: a censored plateau
    cut = np.where(t < 700, 1.0, np.nan)
    p = tr.find_plateau(cut, reference=0.1)
    assert p.found and p.censored and p.diverged and p.length == 699
    # the window is the planned run's (100), not 10% of what was left
    early = np.where(t < 60, 1.0, np.nan)
    q = tr.find_plateau(early, reference=0.1)
    assert q.short and not q.found
    # descended from its plateau before it blew up: not censored
    left = np.where(t < 300, 1.0, 0.05)
    left[800:] = np.nan
    r = tr.find_plateau(left, reference=0.05)
    assert r.found and not r.censored and r.diverged and r.end == 299


def _fake(name, curves, reference=None, status=None):
    curves = np.asarray(curves, float)
    status = status or ["ok"] * len(curves)
    return {"name": name, "losses": curves, "status": status,
            "plateaus": [tr.find_plateau(c, reference=reference)
                         for c in curves],
            "ok": [st == "ok" for st in status], "floor": 0.0,
            "reference": reference, "seconds": 0.0, "settings": {},
            "data": {}}


T_AXIS = np.arange(401.0)
STEP = np.where(T_AXIS < 250, 1.0, 1e-3)
DECAY = np.exp(-T_AXIS / 30)


def test_fig_1_holds_on_curves_shaped_as_the_paper_says():
    res = [_fake("exp", [DECAY] * 3), _fake("airy", [STEP] * 3),
           _fake("lorenz", [STEP] * 3)]
    assert get("fig-1").check({}, results=res).status == HOLDS


def test_fig_1_fails_when_the_exponential_sum_plateaus():
    res = [_fake("exp", [STEP] * 3), _fake("airy", [STEP] * 3),
           _fake("lorenz", [STEP] * 3)]
    assert get("fig-1").check({}, results=res).status == FAILS


def test_fig_1_is_not_held_when_a_memory_target_has_no_plateau():
    res = [_fake("exp", [DECAY] * 3), _fake("airy", [DECAY] * 3),
           _fake("lorenz", [STEP] * 3)]
    assert get("fig-1").check({}, results=res).status == INCONCLUSIVE


def _fig4(adam_end):
    adam = np.where(T_AXIS < adam_end, 1.0, 1e-3)
    return [_fake(n, [STEP] * 3) for n in ("diag-gd", "full-gd", "tanh-gd")] \
        + [_fake("adam", [adam] * 3)]


def test_fig_4_holds_when_adam_leaves_the_plateau_earlier():
    assert get("fig-4").check({}, results=_fig4(120)).status == HOLDS


def test_fig_4_fails_when_adam_plateaus_longer():
    v = get("fig-4").check({}, results=_fig4(350))
    assert v.status == FAILS and "not shorter" in v.summary


def test_fig_4_fails_when_a_variant_has_no_plateau():
    res = _fig4(120)
    res[1] = _fake("full-gd", [DECAY] * 3)
    assert get("fig-4").check({}, results=res).status == FAILS


def test_fig_4_censored_comparison_is_inconclusive():
    # every run still on its plateau at the end: Adam's (reached later by
    # a slow descent) is shorter only as a lower bound, which decides
    # nothing
    gd = [_fake(n, [np.ones(401)] * 3, reference=0.1)
          for n in ("diag-gd", "full-gd", "tanh-gd")]
    adam = np.where(T_AXIS < 100, 2 - T_AXIS / 100, 1.0)
    res = gd + [_fake("adam", [adam] * 3, reference=0.1)]
    v = get("fig-4").check({}, results=res)
    assert v.status == INCONCLUSIVE and "not decided" in v.summary


def test_fig_4_counts_plateaus_that_end_in_divergence():
    # GD runs that sit on the plateau and then blow up (as full-W GD at
    # lr 1.0 does) show a plateau, censored; Adam leaves its plateau by
    # descent at 120 in 2 of 3 runs and is still on it in the third: the
    # median of Adam's upper bounds (120) is below GD's lower bounds
    blown = np.where(T_AXIS < 300, 1.0, np.nan)
    res = _fig4(120)
    res[1] = _fake("full-gd", [blown] * 3, reference=0.1,
                   status=["diverged at iteration 300"] * 3)
    res[3] = _fake("adam", [np.where(T_AXIS < 120, 1.0, 1e-3)] * 2
                   + [np.ones(401)], reference=1e-3)
    v = get("fig-4").check({}, results=res)
    assert v.status == HOLDS, v.summary
    s = {e["experiment"]: e for e in v.evidence["experiments"]}
    assert s["full-gd"]["plateaus_then_diverged"] == 3
    # iterations 0 .. 119 on the plateau: length 119, exact in 2 of 3
    assert v.evidence["comparison"]["adam_median"] == [119.0, 119.0]


def test_fig_4_runs_that_diverge_at_once_are_not_judged():
    res = _fig4(120)
    res[2] = _fake("tanh-gd", [np.where(T_AXIS < 20, 1.0, np.nan)] * 3,
                   status=["diverged at iteration 20"] * 3)
    v = get("fig-4").check({}, results=res)
    assert v.status == INCONCLUSIVE and "before one plateau window" in \
        v.summary


def test_fig_4_adam_censored_and_longer_than_ended_gd_fails():
    res = _fig4(120)
    res[3] = _fake("adam", [np.ones(401)] * 3, reference=0.1)
    assert get("fig-4").check({}, results=res).status == FAILS


SMALL = {"iterations": "30", "runs": "2", "samples": "8", "horizon": "4",
         "dt": "0.2", "width": "3"}


def test_fig_4_check_runs_end_to_end_at_a_small_size():
    v = get("fig-4").run("quick", seed=1, overrides=SMALL)
    assert v.status in STATUSES and v.seed == 1
    assert len(v.evidence["experiments"]) == 4
    assert all(len(s["status"]) == 2 for s in v.evidence["experiments"])


def test_training_with_a_flipped_gradient_does_not_hold():
    small = dict(SMALL, horizon="2", dt="0.1", width="4", iterations="60")
    claim = get("fig-1")
    good = claim.run("quick", overrides=small)
    params = claim.resolve("quick", small)
    bad = claim.check(params, seed=0, gradient_fn=_flipped)
    finals = [s["final_mean_loss"] for s in good.evidence["experiments"]]
    bad_finals = [s["final_mean_loss"] for s in bad.evidence["experiments"]]
    # the flipped gradient does not train the exponential sum
    assert bad_finals[0] is None or bad_finals[0] > 2 * finals[0]


def test_training_reports_progress_and_marks_divergence():
    arch, p, x, y = _setup("linear", "full", "final", 0, runs=3)
    seen = []
    res = tr.train(arch, p, x, 100 * y, optimizer="gd", lr=50.0,
                   iterations=20,
                   progress=lambda d, t, loss, e: seen.append((d, t)))
    assert seen and seen[-1] == (20, 20)
    assert any(s.startswith("diverged") for s in res.status)
    ok = tr.train(arch, p, x, y, optimizer="adam", lr=1e-2, iterations=50)
    assert ok.status == ["ok"] * 3
    assert np.all(ok.losses[:, -1] < ok.losses[:, 0])


@pytest.mark.parametrize("call, word", [
    (lambda: tr.steps(6.4, 0.0), "dt=0.0"),
    (lambda: tr.steps(6.4, -0.1), "dt=-0.1"),
    (lambda: tr.steps(6.45, 0.1), "not a multiple"),
    (lambda: tr.Architecture(width=0), "width=0"),
    (lambda: tr.Architecture(width=4, activation="relu"), "activation"),
    (lambda: td.white_noise(0, 1.0, 0.1, np.random.default_rng()),
     "samples=0"),
    (lambda: td.lorenz96(np.zeros((1, 3)), 0.1, z0=np.zeros(3), substeps=1),
     "K >= 4"),
    (lambda: tr.find_plateau([1.0, 1.0]), "at least 3"),
])
def test_bad_input_gets_one_clear_error(call, word):
    with pytest.raises(ValueError, match=word):
        call()


@pytest.mark.parametrize("args, word", [
    (["check", "fig-1", "--set", "width=0"], "width"),
    (["check", "fig-4", "--set", "dt=0"], "dt"),
    (["check", "fig-4", "--set", "horizon=32.1", "--no-store"],
     "not a multiple"),
    (["figure", "1", "--quick", "--out", "x.txt"], "x.txt"),
    (["check", "fig-1", "--set", "lorenz_k=3"], "lorenz_k='3'"),
    (["check", "fig-1", "--set", "lorenz_z0_scale=-1"], "lorenz_z0_scale"),
    # z(0) three times larger needs finer RK4 than the default 10 substeps
    (["check", "fig-1", "--no-store", "--set", "lorenz_z0_scale=3", "--set",
      "iterations=10", "--set", "runs=1"], "raise lorenz_substeps"),
])
def test_command_line_errors_are_one_line_and_exit_2(args, word, tmp_path):
    r = subprocess.run([sys.executable, "-m", "cmwork.cli"] + args,
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and word in lines[0]


def test_figure_metadata_names_every_module_constant():
    import re
    src = open(ft.__file__).read()
    named = set(re.findall(r"^([A-Z][A-Z0-9_]+) = ", src, re.M))
    named -= {"EXPERIMENTS", "TITLES", "MODELS"}
    assert set(ft._constants()) == named


def _odd_error_and_loss(x, y, floor, y_neg):
    """(mean squared error of a random tanh RNN on the odd part of y, its
    loss minus the floor) on inputs x."""
    arch = tr.Architecture(width=4, activation="tanh", structure="full",
                           dt=0.1)
    p = tr.initialise(arch, 3, np.random.default_rng(5), w_low=0.5,
                      w_high=1.5, off_diagonal=0.3, scale_c=2.0, scale_u=2.0)
    value, _ = tr.loss_and_gradient(arch, p, x, y, loss="sequence",
                                    gradient=False)
    y_odd = (y - y_neg) / 2
    odd = ((tr.outputs(arch, p, x) - y_odd) ** 2).mean(axis=(1, 2))
    return odd, value - floor


def test_lorenz96_pairs_make_the_floor_exact():
    # on the pairs (x, -x) the loss of an odd RNN is its error on the odd
    # part of y plus the floor, to rounding; the odd part comes from a
    # second integration driven by -x
    s = dict(ft.settings("1"), samples=16, horizon=1.0)
    d = ft.dataset("lorenz", s, 3)
    n = d["x"].shape[0]
    np.testing.assert_array_equal(d["x"][n // 2:], -d["x"][:n // 2])
    z0 = np.asarray(d["z0"])
    y_neg = td.lorenz96(-d["x"], 0.1, z0=z0, substeps=ft.LORENZ_SUBSTEPS)
    assert d["floor"] > 1e-4                  # the even part is not empty
    odd, excess = _odd_error_and_loss(d["x"], d["y"], d["floor"], y_neg)
    np.testing.assert_allclose(excess, odd, rtol=1e-10)
    # wrong variant: without the pairs the identity does not hold
    x = td.white_noise(16, 1.0, 0.1, np.random.default_rng(4))
    y = td.lorenz96(x, 0.1, z0=z0, substeps=ft.LORENZ_SUBSTEPS)
    yn = td.lorenz96(-x, 0.1, z0=z0, substeps=ft.LORENZ_SUBSTEPS)
    floor = float(np.mean(((y + yn) / 2) ** 2))
    odd, excess = _odd_error_and_loss(x, y, floor, yn)
    assert np.max(np.abs(excess - odd) / odd) > 1e-3


def test_lorenz96_samples_must_pair():
    s = dict(ft.settings("1"), samples=7, horizon=1.0)
    with pytest.raises(ValueError, match="samples=7"):
        ft.dataset("lorenz", s, 0)


def test_lorenz96_settings_reach_the_data():
    # the claim's lorenz_* parameters change the data: K sets the size of
    # z(0) in the evidence, the scale its spread, the substeps pass the
    # refinement check that the default refuses at scale 3
    s = dict(ft.settings("1"), samples=4, horizon=1.0, lorenz_k=5,
             lorenz_z0_scale=3.0, lorenz_substeps=40)
    d = ft.dataset("lorenz", s, 0)
    assert len(d["z0"]) == 5 and d["refinement_change"] <= 1e-6
    base = ft.dataset("lorenz", dict(s, lorenz_z0_scale=1.0), 0)
    assert np.std(d["z0"]) > 2 * np.std(base["z0"])

