"""Remark 4.7: the plateau does not last forever; the flow escapes in
finite time for every omega > 0.

Paper: Section 4.2.2 (4), Remark 4.7.  For each memory 1/omega of the grid
the gradient flow is run on the reduced path (mpmath throughout, see
:mod:`cmwork.reduced_flow`) from a point of M*_P until both
the plateau time and the separation time tau_0 of (103) are reached, with
a time limit of e^{3 max(w)/omega} (ten times); the remark's hypotheses are
reported: lambda_min < 0 and g~_j = (P g_0)_j != 0 for its eigenvector.

Verdict: ``fails`` if J_m increases along a run (the flow is not a descent
flow) or a run ends with the loss back above its start; ``inconclusive`` if
a run is still trapped at the time limit or the solver failed (a finite
escape time exists but was not found); ``holds`` when every run escaped.
"""
from __future__ import annotations

from cmwork.claims import FAILS, HOLDS, INCONCLUSIVE, Claim, Verdict, register

from ._common import target_params
from .thm_4_1 import flow_failures, flow_params, run_grid


def check(params, *, dps=None, seed=0, sign=-1, progress=None):
    """``sign=+1`` runs an ascent flow (a deliberately wrong variant)."""
    grid = list(params["inv_omegas"])
    rows = run_grid(params, grid, sign=sign, progress=progress,
                    plateau_max=float("inf"))
    rtol = float(params["rtol"])
    fails, undecided = flow_failures(rows, rtol)
    for r in rows:
        if not (r["lambda_min"] < 0 and r["g_tilde"]):
            undecided.append(f"1/omega = {r['inv_omega']}: the hypotheses of "
                             "Remark 4.7 (lambda_min < 0, g~_j != 0) not met")
    evidence = {"rows": rows, "statement": {"sign": sign}}
    top = max(r["dps"] for r in rows)
    if fails:
        return Verdict("remark-4.7", FAILS, fails[0], evidence, dps=top)
    if undecided:
        return Verdict("remark-4.7", INCONCLUSIVE, undecided[0], evidence,
                       dps=top)
    last = rows[-1]
    return Verdict(
        "remark-4.7", HOLDS,
        f"escaped at all {len(rows)} memories 1/omega = "
        f"{', '.join(str(g) for g in grid)}; at 1/omega = {grid[-1]}: plateau "
        f"time {last['plateau_time']:.4g}, tau_0 = "
        f"{last['separation_time']:.4g}, lambda_min = "
        f"{float(last['lambda_min']):.3g}, |g~_j| = "
        f"{abs(float(last['g_tilde'])):.3g} (|g_0| = "
        f"{float(last['grad_norm']):.3g})", evidence, dps=top)


CLAIM = register(Claim(
    id="remark-4.7",
    title="The flow escapes the plateau in finite time",
    where="Section 4.2.2 (4), Remark 4.7",
    statement=("For every omega > 0 the gradient flow started on M*_P leaves "
               "the plateau (and separates by delta) in finite time."),
    params=target_params() + flow_params(
        quick=(6, 10, 14), default=(6, 8, 10, 12, 14, 16, 20, 25, 30),
        full=(6, 10, 14, 18, 22, 25, 28, 30, 32)),
    check=check,
))
