"""Figure 4: plateaus on the memory target (85) for diagonal and full
linear RNNs, a tanh RNN and Adam; Adam's plateau shorter than GD's.

Paper: Section 4.2.3 (2), Figure 4 (target (85) with 1/omega = 20, T = 32,
128 Wiener input samples, learning rates 1.0 for GD and 0.001 for Adam,
10 initialisations).  The four experiments of
:mod:`cmwork.figures_training` ("diag-gd", "full-gd", "tanh-gd", "adam")
are trained on one data set and each converged run's loss curve is
searched for a plateau (:func:`cmwork.training.find_plateau`) against the
reference loss: a least-squares fit of the target by ``width`` fixed real
exponential modes, which the diagonal linear model represents exactly (so
every variant can reach it; tanh near its linear regime).  A variant
*shows* a plateau when more than half of its judged runs have one.  Adam
trains the full linear model (the same starts as "full-gd"; the paper
does not say which model its Adam panel uses).

"Adam's plateau shorter than GD's on average": the median length of
Adam's plateaus against the median over the three GD variants' plateaus
pooled, with censoring kept as bounds.  A plateau that lasts to the
last finite iteration (the run is still on it, or diverged from it) is
censored: its length is a lower bound and its upper bound is infinite.
The comparison is decided for Adam when the median of Adam's upper
bounds is below the median of GD's lower bounds, against Adam when the
median of Adam's lower bounds is at least the median of GD's upper
bounds, and is undecided otherwise (more iterations would decide).  The
median rather than the mean: a mean of lengths with censored members
has no finite upper bound.

Runs that diverge are judged on their finite part when it spans at
least one plateau window (:func:`cmwork.figures_training.summary`): at
GD's stated rate 1.0 the full-W and tanh runs blow up when they start
to leave the plateau, after sitting on it, and that plateau counts
(censored).

Verdict: ``fails`` if a variant has a plateau in none of its judged
runs, or if the comparison is decided against Adam; ``inconclusive`` if
more than half of a variant's runs diverged before one window, a variant
has plateaus in at most half of its judged runs, or the comparison is
undecided; ``holds`` otherwise.
"""
from __future__ import annotations

import math

import numpy as np

from cmwork import figures_training as ft
from cmwork.claims import (FAILS, HOLDS, INCONCLUSIVE, Claim, Param, Verdict,
                           register)

from ._common import make_target, parse_positive, parse_width, target_params
from .fig_1 import parse_iterations, parse_step

GD = ("diag-gd", "full-gd", "tanh-gd")
NAMES = GD + ("adam",)


def figure_settings(params) -> dict:
    return {"width": params["width"], "dt": float(params["dt"]),
            "horizon": float(params["horizon"]), "samples": params["samples"],
            "runs": params["runs"], "lr_gd": float(params["lr_gd"]),
            "lr_adam": float(params["lr_adam"]),
            "inv_omega": params["inv_omega"],
            "target": make_target(params, params["inv_omega"])}


def _median_bounds(lengths, censored):
    """Medians of the lower and upper bounds of censored lengths."""
    lo = [float(x) for x in lengths]
    hi = [math.inf if c else float(x) for x, c in zip(lengths, censored)]
    return float(np.median(lo)), float(np.median(hi))


def judge(summaries):
    """(status, reasons, comparison) from the plateau summaries."""
    by = {s["experiment"]: s for s in summaries}
    fails, undecided = [], []
    for name in NAMES:
        s = by[name]
        ok, k = s["judged_runs"], s["plateaus_found"]
        if ok * 2 <= s["runs"]:
            undecided.append(f"{name}: {s['runs'] - ok} of {s['runs']} runs "
                             "diverged before one plateau window")
        elif k == 0:
            fails.append(f"{name}: no plateau in any of {ok} runs")
        elif k * 2 <= ok:
            undecided.append(f"{name}: plateau in only {k}/{ok} runs")
    gd = [x for n in GD for x in by[n]["lengths"]]
    gd_cens = [c for n in GD for c in by[n]["censored_flags"]]
    adam, adam_cens = by["adam"]["lengths"], by["adam"]["censored_flags"]
    cmp = {"gd_mean": float(np.mean(gd)) if gd else None,
           "adam_mean": float(np.mean(adam)) if adam else None,
           "gd_censored": sum(gd_cens), "adam_censored": sum(adam_cens),
           "adam_departures": by["adam"]["departures"],
           "gd_departures": [d for n in GD for d in by[n]["departures"]]}
    if gd and adam:
        a_lo, a_hi = _median_bounds(adam, adam_cens)
        g_lo, g_hi = _median_bounds(gd, gd_cens)
        cmp.update(adam_median=[a_lo, a_hi], gd_median=[g_lo, g_hi])
        if a_hi < g_lo:
            cmp["adam_shorter"] = True
        elif a_lo >= g_hi:
            cmp["adam_shorter"] = False
            fails.append(f"Adam's median plateau {_bounds(a_lo, a_hi)} it "
                         f"is not shorter than GD's {_bounds(g_lo, g_hi)} it")
        else:
            cmp["adam_shorter"] = None
            undecided.append(
                f"Adam shorter than GD not decided: median plateau Adam "
                f"{_bounds(a_lo, a_hi)} it, GD {_bounds(g_lo, g_hi)} it "
                f"({sum(adam_cens)}/{len(adam)} Adam and {sum(gd_cens)}/"
                f"{len(gd)} GD plateaus censored); more iterations would "
                "decide")
    if fails:
        return FAILS, fails, cmp
    if undecided:
        return INCONCLUSIVE, undecided, cmp
    return HOLDS, [], cmp


def _bounds(lo, hi) -> str:
    if lo == hi:
        return f"{lo:.0f}"
    return f">= {lo:.0f}" if math.isinf(hi) else f"{lo:.0f}..{hi:.0f}"


def _line(s) -> str:
    if not s["lengths"]:
        return f"{s['experiment']}: no plateau"
    cens = f" ({s['censored']} censored" if s["censored"] else ""
    if s["plateaus_then_diverged"]:
        cens += f", {s['plateaus_then_diverged']} of them by divergence"
    cens += ")" if cens else ""
    med = float(np.median(s["lengths"]))
    return (f"{s['experiment']} {s['plateaus_found']}/{s['judged_runs']}"
            f" median {med:.0f} it{cens}")


def _departures(cmp) -> str:
    def mean(v):
        v = [x for x in v if x is not None]
        return f"{np.mean(v):.0f} it ({len(v)} runs)" if v else "none"
    return (f"first 1% drop below the plateau level: Adam "
            f"{mean(cmp['adam_departures'])}, GD "
            f"{mean(cmp['gd_departures'])}")


def check(params, *, dps=None, seed=0, gradient_fn=None, results=None):
    """``gradient_fn`` trains with another gradient and ``results`` judges
    given experiment results (both for deliberately wrong variants)."""
    if results is None:
        fs = figure_settings(params)
        data = ft.dataset("diag-gd", fs, seed)
        results = [ft.experiment(n, iterations=params["iterations"],
                                 seed=seed, figure_settings=fs, data=data,
                                 gradient_fn=gradient_fn) for n in NAMES]
    summaries = [ft.summary(r) for r in results]
    status, reasons, cmp = judge(summaries)
    evidence = {"experiments": summaries, "comparison": cmp,
                "plateau_definition": {
                    "window": ft.tr.PLATEAU_WINDOW,
                    "fall": ft.tr.PLATEAU_FALL, "share": ft.tr.PLATEAU_SHARE,
                    "departure_drop": ft.tr.DEPARTURE_DROP},
                "constants": ft._constants()}
    text = "; ".join(_line(s) for s in summaries) + "; " + _departures(cmp)
    if status == HOLDS:
        text = "plateau in every variant, Adam's shorter: " + text
    else:
        text = "; ".join(reasons) + " | " + text
    return Verdict("fig-4", status, text, evidence)


CLAIM = register(Claim(
    id="fig-4",
    title="Plateaus on target (85) for every variant; Adam shortens them",
    where="Section 4.2.3 (2), Figure 4",
    statement=("On target (85) with 1/omega = 20, T = 32 and 128 input "
               "samples, GD (lr 1.0) on diagonal and full linear RNNs and "
               "on a tanh RNN, and Adam (lr 0.001, full W), all plateau; "
               "Adam's plateau is shorter on average."),
    params=target_params() + [
        Param("inv_omega", "memory 1/omega", "number > 0",
              ft.FIG4_INV_OMEGA, parse=parse_positive),
        Param("iterations", "training iterations per run", "integer >= 10",
              3000, quick=ft.FIG4_ITERATIONS_QUICK, full=ft.FIG4_ITERATIONS,
              parse=parse_iterations),
        Param("runs", "random initialisations", "integer >= 1",
              ft.FIG4_RUNS, parse=parse_width),
        Param("samples", "input samples", "integer >= 1", ft.FIG4_SAMPLES,
              parse=parse_width),
        Param("width", "hidden width m", "integer >= 1", ft.FIG4_WIDTH,
              parse=parse_width),
        Param("dt", "Euler step", "number > 0", ft.FIG4_DT,
              parse=parse_step),
        Param("horizon", "time horizon T (a multiple of dt)", "number > 0",
              ft.FIG4_HORIZON, parse=parse_step),
        Param("lr_gd", "GD learning rate", "number > 0", ft.FIG4_GD_LR,
              parse=parse_step),
        Param("lr_adam", "Adam learning rate", "number > 0",
              ft.FIG4_ADAM_LR, parse=parse_step),
    ],
    check=check,
))
