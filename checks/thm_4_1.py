"""Theorem 4.1: started on M*_P, the gradient flow (101) is trapped for a
time that grows like e^{c/omega} (the theorem: O(e^{c/omega} omega^2
ln(1/omega))).

Paper: Section 4.2.2 (4), eqs. (101)-(106); Section 4.2.3 (1), Figure 3.
For each memory 1/omega of the grid the flow is run on the mpmath path of
:mod:`cmwork.flow` from one point of M*_P (a_hat = a_hat0, w_hat = w*),
and two times are measured: the plateau time (J_m <= fraction J_m(0)) and
the separation time tau_0 of (103).  log tau is fitted against 1/omega
over the upper half of the grid: the slope is c, with its standard error;
the local slopes between neighbours show whether the fit is past its
crossovers.  Also reported: the linearisation estimate of Remark 4.7,
(1/|lambda|) ln(delta |lambda| / |g~|), and tau against the theorem's
e^{c/omega} omega^2 ln(1/omega) with c = min w_hat (Lemma 4.1's rate).

Verdict: ``fails`` if J_m ever increases along a run, if a time does not
grow (c <= 0 beyond its error) or, with ``claimed_rate``, if tau /
(e^{claimed/omega} omega^2 ln(1/omega)) is unbounded; ``inconclusive`` if a
run did not escape, or if the local slopes over the upper half still change
by more than SLOPE_TOL (the grid has not reached the e^{c/omega} regime);
``holds`` otherwise.
"""
from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np

from cmwork.claims import (FAILS, HOLDS, INCONCLUSIVE, Claim, Param, Verdict,
                           parse_list, register)
from cmwork.flow import (DEFAULT_DELTA, DEFAULT_FRACTION, gradient_flow,
                         linearisation_estimate)
from cmwork.loss import Loss

from ._common import (bound_judgement, inv_omega_param, make_target, mpf_of,
                      parse_number, parse_positive, target_params, width_param)

#: Time limit of each run, as a multiple of e^{3 max(w)/omega} (chosen here:
#: the measured times stay below e^{2.3/omega}).
T_MAX_RATE = 3

#: Largest change of the local slope d log(tau)/d(1/omega) over the upper
#: half of the grid for the growth to count as e^{c/omega} up to
#: polynomial factors (chosen here: a factor omega^-p changes the slope by
#: p omega, < 0.1 for p <= 2 at 1/omega >= 20).
SLOPE_TOL = 0.1

#: J_m may rise by this much (relative) between recorded steps before the
#: run counts as increasing J: the solver's tolerance, never more.
RISE_TOL_FACTOR = 10


def run_grid(params, grid, *, sign=-1, progress=None):
    """One flow per memory; rows with both times and the estimate."""
    rows = []
    a_hat = [mpf_of(x) for x in params["a_hat"]]
    m = len(a_hat)
    for inv in grid:
        rho = make_target(params, inv)
        J = Loss(rho, m=m)
        w_hat = [rho.w_star[0]] * m
        t_max = float(mpmath.exp(T_MAX_RATE * max(w_hat) * inv)) * 10
        r = gradient_flow(J, a_hat, w_hat, t_max=t_max, path="mpmath",
                          rtol=float(params["rtol"]),
                          fraction=float(params["fraction"]),
                          delta=float(params["delta"]), stop="both",
                          sign=sign, progress=progress)
        lin = linearisation_estimate(J, a_hat, w_hat,
                                     delta=float(params["delta"]))
        rise = float(np.max(np.diff(r.loss) / r.loss0)) if len(r.loss) > 1 \
            else 0.0
        rows.append({"inv_omega": inv, "status": r.status,
                     "message": r.message, "plateau_time": r.plateau_time,
                     "separation_time": r.separation_time, "path": r.path,
                     "dps": r.dps, "steps": r.nsteps, "seconds": r.seconds,
                     "max_relative_rise_of_J": rise,
                     "lambda_min": lin["lambda_min"],
                     "g_tilde": lin.get("g_tilde"),
                     "grad_norm": lin["grad_norm"],
                     "linearisation_tau": lin.get("tau")})
    return rows


def fit_growth(grid, times):
    """Slope c of log tau against 1/omega (upper half), its standard
    error, and the local slopes between neighbours."""
    x = np.array([float(v) for v in grid])
    y = np.log(np.array(times, dtype=float))
    half = max(3, (len(x) + 1) // 2)
    xs, ys = x[-half:], y[-half:]
    A = np.stack([np.ones_like(xs), xs], axis=1)
    coef, *_ = np.linalg.lstsq(A, ys, rcond=None)
    resid = ys - A @ coef
    se = float(np.sqrt(np.sum(resid ** 2) / max(1, len(xs) - 2)
                       / np.sum((xs - xs.mean()) ** 2)))
    local = list(np.diff(y) / np.diff(x))
    return {"c": float(coef[1]), "c_se": se, "b": float(coef[0]),
            "local_slopes": [float(s) for s in local],
            "upper_local_slopes": [float(s) for s in local[-(half - 1):]]}


def check(params, *, dps=None, seed=0, sign=-1, claimed_rate=None,
          progress=None):
    """``sign=+1`` runs an ascent flow (wrong variant); ``claimed_rate``
    claims tau = O(e^{rate/omega} omega^2 ln(1/omega)) for that rate."""
    grid = list(params["inv_omegas"])
    rows = run_grid(params, grid, sign=sign, progress=progress)
    rtol = float(params["rtol"])
    fails, undecided, fits, notes = [], [], {}, []
    for r in rows:
        if r["max_relative_rise_of_J"] > RISE_TOL_FACTOR * rtol:
            fails.append(f"J_m increased along the flow by "
                         f"{r['max_relative_rise_of_J']:.3g} (relative) at "
                         f"1/omega = {r['inv_omega']}")
        elif r["status"] != "escaped":
            undecided.append(f"1/omega = {r['inv_omega']}: {r['status']} "
                             f"({r['message']})")
    min_w = float(min(params["w_star"]))
    if not fails and not undecided:
        for name in ("plateau_time", "separation_time"):
            times = [r[name] for r in rows]
            fit = fit_growth(grid, times)
            x = np.array([float(v) for v in grid])
            theorem = np.exp(min_w * x) / x ** 2 * np.log(x)
            fit["ratio_to_theorem_with_min_w"] = [float(t / s) for t, s in
                                                  zip(times, theorem)]
            fits[name] = fit
            if fit["c"] <= 2 * fit["c_se"]:
                fails.append(f"{name} does not grow exponentially: c = "
                             f"{fit['c']:.3f} +- {fit['c_se']:.2g}")
            if claimed_rate is not None:
                # tau / ln(1/omega) = O(omega^2 e^{c/omega}), in the form
                # bound_judgement reads: |v| = O(omega^-p e^{-rate/omega})
                vals = [mpmath.mpf(t) / mpmath.log(v) for t, v in
                        zip(times, grid)]
                ok, why, _ = bound_judgement(grid, vals, -float(claimed_rate),
                                             -2)
                if not ok:
                    fails.append(f"{name}: {why} (claimed c = "
                                 f"{float(claimed_rate):g} with omega^2 "
                                 "ln(1/omega))")
            up = fit["upper_local_slopes"]
            if max(up) - min(up) > SLOPE_TOL:
                undecided.append(
                    f"{name}: local slopes d ln(tau)/d(1/omega) over the "
                    f"upper half still change, {', '.join(f'{s:.2f}' for s in up)}"
                    f" (> {SLOPE_TOL}): not yet e^(c/omega); extend the grid")
        p, s = fits["plateau_time"], fits["separation_time"]
        notes.append(
            f"measured c = {p['c']:.2f} (plateau), {s['c']:.2f} (separation) "
            f"against min w_hat = {min_w:g} suggested by Lemma 4.1: the "
            f"ratio tau / (e^(min w/omega) omega^2 ln(1/omega)) goes from "
            f"{p['ratio_to_theorem_with_min_w'][0]:.3g} to "
            f"{p['ratio_to_theorem_with_min_w'][-1]:.3g} (plateau)")
        lin = [(r["inv_omega"], r["linearisation_tau"], r["separation_time"])
               for r in rows if r["linearisation_tau"] is not None]
        if lin:
            i, e, t = lin[-1]
            notes.append(
                f"at 1/omega = {i}: the linearisation estimate of Remark 4.7 "
                f"gives {float(e):.3g}, the flow separates at {t:.3g}: the "
                "unstable direction saturates at |theta - theta(0)| ~ "
                "e^(-w*/(2 omega)) and the rest is a drift along M*_P")
    evidence = {"rows": rows, "fits": fits,
                "statement": {"sign": sign, "claimed_rate": claimed_rate}}
    top = max(r["dps"] for r in rows)
    if fails:
        return Verdict("thm-4.1", FAILS, fails[0], evidence, dps=top,
                       notes=notes)
    if undecided:
        return Verdict("thm-4.1", INCONCLUSIVE, undecided[0], evidence,
                       dps=top, notes=notes)
    p, s = fits["plateau_time"], fits["separation_time"]
    return Verdict(
        "thm-4.1", HOLDS,
        f"plateau time ~ e^(c/omega) with c = {p['c']:.3f} +- {p['c_se']:.2g}, "
        f"separation time c = {s['c']:.3f} +- {s['c_se']:.2g}, 1/omega up to "
        f"{grid[-1]}", evidence, dps=top, notes=notes)


def flow_params(quick, default, full):
    return [
        Param("a_hat", "start a_hat on M*_P (sum = a*), w_hat = w*",
              "numbers summing to a*", (Fraction(3, 10), Fraction(7, 10)),
              parse=parse_list(parse_number)),
        inv_omega_param(quick=quick, default=default, full=full),
        Param("fraction", "plateau ends when J <= fraction J(0)", "0 < x < 1",
              Fraction(DEFAULT_FRACTION).limit_denominator(1000),
              parse=parse_positive),
        Param("delta", "separation gap delta of eq. (103)", "number > 0",
              Fraction(DEFAULT_DELTA).limit_denominator(1000),
              parse=parse_positive),
        Param("rtol", "relative tolerance of the flow", "0 < rtol < 0.1",
              Fraction(1, 1000), parse=parse_positive),
    ]


CLAIM = register(Claim(
    id="thm-4.1",
    title="Plateau and separation times grow like e^(c/omega)",
    where="Section 4.2.2 (4), Theorem 4.1, eqs. (101)-(106); Figure 3",
    statement=("Started on M*_P, the gradient flow (101) stays on the "
               "plateau for a time O(e^(c/omega) omega^2 ln(1/omega)), "
               "c = c_w* > 0."),
    params=target_params() + flow_params(
        quick=(6, 8, 10, 12, 14), default=(6, 8, 10, 12, 14, 16, 18, 20),
        full=(6, 8, 10, 12, 14, 16, 18, 20, 22, 25)),
    check=check,
))
