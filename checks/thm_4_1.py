"""Theorem 4.1: started on M*_P, the gradient flow (101) is trapped for a
time of order e^{c/omega} omega^2 ln(1/omega).

Paper: Section 4.2.2 (4), eqs. (101)-(106); Section 4.2.3 (1), Figure 3.
For each memory 1/omega of the grid the flow is run on the ``reduced``
path of :mod:`cmwork.flow` (mpmath throughout; the drift along M*_P on its
slow manifold, :mod:`cmwork.reduced_flow`) from one point of M*_P (a_hat =
a_hat0, w_hat = w*), and two times are measured: the plateau time (J_m <=
fraction J_m(0), up to 1/omega = PLATEAU_MAX) and the separation time tau_0
of (103).

What is decided, and why.  The proof of Theorem 4.1 ends with
"tau >= O(e^{c/omega} omega^2 ln(delta/omega))": a lower bound, with c the
rate of ||g_0|| and lambda_min (Props. 4.2-4.3), i.e. c = min w_hat by
Lemma 4.1.  That is the statement judged.  A lower bound is confirmed by
times that are at least that long: the ratio

    r(omega) = tau / (e^{c/omega} omega^2 ln(1/omega)),   c = lower_rate
    (default min w_hat),

must not fall.  Over the upper half of the grid the local slopes
d ln r / d(1/omega) are compared with their error, which comes from a
second run at rtol/10 at the largest memory (the relative change of tau,
at least rtol, counted twice per slope): ``holds`` when every slope is
above its error (r grows), ``fails`` when every slope is below minus its
error (r decays like e^{-s/omega}: the claimed rate is too large),
``inconclusive`` otherwise.

What is not decided: the value of the rate itself.  The measured growth is
faster than Lemma 4.1 suggests: log tau against 1/omega has local slopes
that still rise over the reachable grid (m = 2: plateau time 2.17 ... 2.39
and tau_0 2.11 ... 2.39 over 1/omega = 20..60), past 2 w*: the
forces of the drift along M*_P are e^{-2w*/omega} (see :mod:`cmwork.flow`).
The runs take the ``reduced`` path of :mod:`cmwork.reduced_flow` (the
drift on its slow manifold, the end of the plateau on the heavy ball of
END_PHASE with the escape reduced); the plateau time is measured up to
PLATEAU_MAX (the whole default grid).
The fitted c with its standard error and the local slopes are reported in
the notes and the evidence, and whether they have settled (within
SLOPE_TOL) is said there.  With ``claimed_rate`` the check also judges the upper
bound tau = O(e^{rate/omega} omega^2 ln(1/omega)) (a wrong variant:
rate 0, polynomial growth, fails).

Verdict: ``fails`` if J_m ever increases along a run, if a time does not
grow (c <= 0 beyond its error), if the lower bound fails as above, or
with ``claimed_rate`` if the ratio to that bound is unbounded;
``inconclusive`` if a run or the error run did not escape or the lower
bound's slopes are mixed; ``holds`` otherwise.
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

#: The plateau time is measured up to this memory 1/omega; beyond it only
#: the separation time tau_0 of (103) (chosen here: the whole default
#: grid.  Measured at m = 2, a_hat = (0.3, 0.7), rtol 1e-3 / 1e-4: 1/omega
#: = 40 in 26 s, plateau 3.00003e30; 50 in 39 s, 5.275943e40 / 5.275950e40;
#: 60 in 50 s, 1.2141395e51 / 1.2141402e51.  The end of the drift there
#: is continued with the branch known by signs and the escape of w_2
#: reduced, see cmwork.flow._end_on_heavy_ball and the README).
PLATEAU_MAX = 60

#: What carries the flow from the end of the reduction to the end of the
#: plateau (cmwork.flow.gradient_flow's ``end_phase``; chosen here: the
#: gradient flow's own BDF2 stalls there past 1/omega ~ 32).  The end
#: phase's share of the plateau time (``end_share``, 4e-5 at 1/omega = 30,
#: 7e-7 at 36, 5e-10 at 50, 3e-12 at 60) counts in full as an error of the
#: times.
END_PHASE = "heavy_ball"

#: Up to this memory the end of the plateau runs on the gradient flow's
#: own BDF2 instead (``end_phase="gradient"``, the flow (101) itself; it
#: escapes there in 5-10 s), so that no approximation enters the times
#: where the end phase is a large part of them (the heavy ball's share is
#: 0.27 at 1/omega = 18, 0.07 at 20, 8e-4 at 25, 2e-5 at 30; chosen here).
#: Not 30: there the gradient flow's BDF2 escapes from this check's start
#: (2.63654e20 in 14 s) but stalls from the same point given as integers
#: and fractions (benchmarks/escape_time.py: t = 2.6413e20 after 90 s,
#: 7839 steps), which Newton's roots of the implicit step tell apart.
GRADIENT_END_MAX = 25

#: Time limit of each run, as a multiple of e^{3 max(w)/omega} (chosen here:
#: the measured times stay below e^{2.3/omega}).
T_MAX_RATE = 3

#: Largest change of the local slope d log(tau)/d(1/omega) over the upper
#: half of the grid for the growth to count as e^{c/omega} up to
#: polynomial factors (chosen here: a factor omega^-p changes the slope by
#: p omega, < 0.1 for p <= 2 at 1/omega >= 20).
SLOPE_TOL = 0.1

#: The error of a time is estimated by rerunning the largest memory at
#: rtol / ERROR_RTOL_FACTOR (chosen here).
ERROR_RTOL_FACTOR = 10

#: J_m may rise by this much (relative) between recorded steps before the
#: run counts as increasing J: the solver's tolerance, never more.
RISE_TOL_FACTOR = 10


def flow_failures(rows, rtol):
    """(fails, undecided) of a grid of runs: J_m rising along the flow beyond
    its tolerance is a failure; a run that did not escape is undecided."""
    fails, undecided = [], []
    for r in rows:
        if r["max_relative_rise_of_J"] > RISE_TOL_FACTOR * rtol:
            fails.append(f"J_m increased along the flow by "
                         f"{r['max_relative_rise_of_J']:.3g} (relative) at "
                         f"1/omega = {r['inv_omega']}")
        elif r["status"] != "escaped":
            undecided.append(f"1/omega = {r['inv_omega']}: {r['status']} "
                             f"({r['message']})")
    return fails, undecided


def run_grid(params, grid, *, sign=-1, progress=None,
             plateau_max=PLATEAU_MAX):
    """One flow per memory; rows with both times (the plateau time only up
    to PLATEAU_MAX) and the estimate."""
    rows = []
    a_hat = [mpf_of(x) for x in params["a_hat"]]
    m = len(a_hat)
    for inv in grid:
        rho = make_target(params, inv)
        J = Loss(rho, m=m)
        w_hat = [rho.w_star[0]] * m
        t_max = float(mpmath.exp(T_MAX_RATE * max(w_hat) * inv)) * 10
        stop = "both" if inv <= plateau_max else "separation"
        r = gradient_flow(J, a_hat, w_hat, t_max=t_max, path="reduced",
                          rtol=float(params["rtol"]),
                          fraction=float(params["fraction"]),
                          delta=float(params["delta"]), stop=stop,
                          sign=sign, progress=progress,
                          end_phase=("gradient" if inv <= GRADIENT_END_MAX
                                     else END_PHASE))
        lin = linearisation_estimate(J, a_hat, w_hat,
                                     delta=float(params["delta"]))
        rise = float(np.max(np.diff(r.loss) / r.loss0)) if len(r.loss) > 1 \
            else 0.0
        rows.append({"inv_omega": inv, "status": r.status,
                     "message": r.message, "plateau_time": r.plateau_time,
                     "separation_time": r.separation_time, "path": r.path,
                     "phases": [(p["phase"], p["steps"]) for p in
                                r.get("phases") or []],
                     "end_share": r.get("end_share"),
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


def lower_bound_slopes(grid, times, rate, rel_err):
    """Local slopes of ln(tau / (e^{rate/omega} omega^2 ln(1/omega))) over
    the upper half of the grid, each with its error 2 (2 rel_err) / step."""
    x = np.array([float(v) for v in grid])
    logr = np.log(np.array(times, float)) - rate * x + 2 * np.log(x) \
        - np.log(np.log(x))
    half = max(3, (len(x) + 1) // 2)
    xs, ys = x[-half:], logr[-half:]
    slopes = np.diff(ys) / np.diff(xs)
    errs = 4 * rel_err / np.diff(xs)
    return {"rate": float(rate), "inv_omegas": [float(v) for v in xs],
            "log_ratio": [float(v) for v in ys],
            "slopes": [float(v) for v in slopes],
            "slope_errors": [float(v) for v in errs],
            "relative_error_of_tau": float(rel_err)}


def _time_error(params, grid, rows, rtol):
    """Relative change of the times when the largest memory (and the
    largest with a plateau time) is rerun at rtol / ERROR_RTOL_FACTOR (at
    least rtol), or None if a rerun did not escape."""
    fine = dict(params, rtol=Fraction(params["rtol"]) / ERROR_RTOL_FACTOR)
    err = 0.0
    tops = sorted({grid[-1], max(r["inv_omega"] for r in rows
                                 if r["plateau_time"] is not None)})
    for inv in tops:
        r = run_grid(fine, [inv])[0]
        if r["status"] != "escaped":
            return None, r
        mine = next(x for x in rows if x["inv_omega"] == inv)
        err = max([err] + [abs(mine[k] / r[k] - 1) for k in
                           ("plateau_time", "separation_time")
                           if r[k] is not None and mine[k] is not None])
    # the end phase runs on the heavy ball (END_PHASE): its whole length
    # counts as a possible error of the plateau time
    shares = [x["end_share"] for x in rows if x.get("end_share")]
    return max([err, rtol] + shares), r


def check(params, *, dps=None, seed=0, sign=-1, claimed_rate=None,
          lower_rate=None, progress=None):
    """``sign=+1`` runs an ascent flow (wrong variant); ``claimed_rate``
    claims tau = O(e^{rate/omega} omega^2 ln(1/omega)) for that rate;
    ``lower_rate`` replaces min w_hat in the lower bound (a rate above the
    measured growth is a wrong variant)."""
    grid = list(params["inv_omegas"])
    rows = run_grid(params, grid, sign=sign, progress=progress)
    rtol = float(params["rtol"])
    fits, notes = {}, []
    fails, undecided = flow_failures(rows, rtol)
    min_w = float(min(params["w_star"]))
    rate = min_w if lower_rate is None else float(lower_rate)
    err, err_row = None, None
    if not fails and not undecided:
        err, err_row = _time_error(params, grid, rows, rtol)
        if err is None:
            undecided.append(f"the error run at rtol/{ERROR_RTOL_FACTOR} at "
                             f"1/omega = {grid[-1]} did not escape: "
                             f"{err_row['status']} ({err_row['message']})")
    if not fails and not undecided:
        for name in ("plateau_time", "separation_time"):
            sub = [r for r in rows if r[name] is not None]
            _judge_time(name, [r["inv_omega"] for r in sub],
                        [r[name] for r in sub], rate, min_w,
                        err, claimed_rate, fits, fails, undecided, notes)
        p, s = fits["plateau_time"], fits["separation_time"]
        fits["plateau_time"]["inv_omegas"] = [
            r["inv_omega"] for r in rows if r["plateau_time"] is not None]
        fits["separation_time"]["inv_omegas"] = [r["inv_omega"] for r in rows]
        faster = p["c"] - 2 * p["c_se"] > min_w
        notes.append(
            f"not decided: the rate itself.  measured c = {p['c']:.2f} +- "
            f"{p['c_se']:.2g} (plateau), {s['c']:.2f} +- {s['c_se']:.2g} "
            f"(separation) over the upper half of the grid, against min "
            f"w_hat = {min_w:g} suggested by Lemma 4.1: the plateau grows "
            + ("faster than Lemma 4.1 suggests" if faster else
               "at a rate not distinguished from Lemma 4.1's")
            + f"; the ratio tau / (e^(min w/omega) omega^2 ln(1/omega)) goes "
            f"from {p['ratio_to_theorem_with_min_w'][0]:.3g} to "
            f"{p['ratio_to_theorem_with_min_w'][-1]:.3g} (plateau)"
            + (", so the theorem's timescale is a lower bound that is not "
               "sharp here" if faster else ""))
        notes.append(f"error of the times: {err:.2g} (relative), from a "
                     f"rerun at rtol/{ERROR_RTOL_FACTOR} at 1/omega = "
                     f"{grid[-1]} (at least rtol)")
        lin = [(r["inv_omega"], r["linearisation_tau"], r["separation_time"])
               for r in rows if r["linearisation_tau"] is not None]
        if lin:
            i, e, t = lin[-1]
            notes.append(
                f"at 1/omega = {i}: the linearisation estimate of Remark 4.7 "
                f"gives {float(e):.3g}, the flow separates at {t:.3g}: the "
                "unstable direction saturates at |theta - theta(0)| ~ "
                "e^(-w*/(2 omega)) and the rest is a drift along M*_P")
    evidence = {"rows": rows, "fits": fits, "error_run": err_row,
                "relative_error_of_tau": err,
                "statement": {"sign": sign, "claimed_rate": claimed_rate,
                              "lower_rate": rate}}
    top = max(r["dps"] for r in rows)
    if fails:
        return Verdict("thm-4.1", FAILS, fails[0], evidence, dps=top,
                       notes=notes)
    if undecided:
        return Verdict("thm-4.1", INCONCLUSIVE, undecided[0], evidence,
                       dps=top, notes=notes)
    lb = fits["plateau_time"]["lower_bound"]
    lb0 = fits["separation_time"]["lower_bound"]
    return Verdict(
        "thm-4.1", HOLDS,
        f"lower bound tau >= C e^(c/omega) omega^2 ln(1/omega) with c = "
        f"{rate:g}: the ratio grows, local slopes of its log "
        f"{_list(lb['slopes'])} (plateau time, 1/omega = "
        f"{lb['inv_omegas'][0]:g}..{lb['inv_omegas'][-1]:g}), "
        f"{_list(lb0['slopes'])} (separation time tau_0, 1/omega = "
        f"{lb0['inv_omegas'][0]:g}..{lb0['inv_omegas'][-1]:g}), errors <= "
        f"{max(lb['slope_errors'] + lb0['slope_errors']):.2g}; fitted rate "
        f"c = {fits['separation_time']['c']:.2f} +- "
        f"{fits['separation_time']['c_se']:.2g} (tau_0), not settled "
        f"(notes)", evidence, dps=top, notes=notes)


def _list(values) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def _judge_time(name, grid, times, rate, min_w, err, claimed_rate, fits,
                fails, undecided, notes):
    """Fit, lower bound and (with claimed_rate) upper bound for one time."""
    fit = fit_growth(grid, times)
    x = np.array([float(v) for v in grid])
    theorem = np.exp(min_w * x) / x ** 2 * np.log(x)
    fit["ratio_to_theorem_with_min_w"] = [float(t / s) for t, s in
                                          zip(times, theorem)]
    lb = fit["lower_bound"] = lower_bound_slopes(grid, times, rate, err)
    fits[name] = fit
    if fit["c"] <= 2 * fit["c_se"]:
        fails.append(f"{name} does not grow exponentially: c = "
                     f"{fit['c']:.3f} +- {fit['c_se']:.2g}")
    up, down = ([s > e for s, e in zip(lb["slopes"], lb["slope_errors"])],
                [s < -e for s, e in zip(lb["slopes"], lb["slope_errors"])])
    if all(down):
        fails.append(f"{name}: tau / (e^({rate:g}/omega) omega^2 "
                     f"ln(1/omega)) falls at every step of 1/omega = "
                     f"{lb['inv_omegas'][0]:g}..{lb['inv_omegas'][-1]:g} "
                     f"(local slopes of its log {_list(lb['slopes'])}): "
                     f"the lower bound with c = {rate:g} fails")
    elif not all(up):
        undecided.append(f"{name}: the local slopes of ln(tau / bound), "
                         f"{_list(lb['slopes'])}, are not all above their "
                         f"errors {_list(lb['slope_errors'])}: extend the "
                         "grid or lower rtol")
    if claimed_rate is not None:
        # tau / ln(1/omega) = O(omega^2 e^{c/omega}), in the form
        # bound_judgement reads: |v| = O(omega^-p e^{-rate/omega})
        vals = [mpmath.mpf(t) / mpmath.log(v) for t, v in zip(times, grid)]
        ok, why, _ = bound_judgement(grid, vals, -float(claimed_rate), -2)
        if not ok:
            fails.append(f"{name}: {why} (claimed c = "
                         f"{float(claimed_rate):g} with omega^2 ln(1/omega))")
    up_slopes = fit["upper_local_slopes"]
    settled = max(up_slopes) - min(up_slopes) <= SLOPE_TOL
    notes.append(f"{name}: local slopes d ln(tau)/d(1/omega) over the upper "
                 f"half {_list(up_slopes)}: "
                 + (f"within {SLOPE_TOL} of each other on this grid" if settled else
                    f"still changing (> {SLOPE_TOL}), not yet e^(c/omega); "
                    "the rate is not decided on this grid"))


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
    title="Plateau and separation times are at least e^(c/omega) omega^2 "
          "ln(1/omega)",
    where="Section 4.2.2 (4), Theorem 4.1, eqs. (101)-(106); Figure 3",
    statement=("Started on M*_P, the gradient flow (101) stays on the "
               "plateau (and within delta of its start) for a time at least "
               "C e^(c/omega) omega^2 ln(1/omega) with c = min w_hat, the "
               "lower bound of the proof; the growth rate itself is "
               "measured and reported, not judged."),
    params=target_params() + flow_params(
        quick=(6, 8, 10, 12, 14),
        default=(6, 8, 10, 12, 14, 16, 18, 20, 25, 30, 40, 50, 60),
        full=(6, 8, 10, 12, 14, 16, 18, 20, 22, 25, 30, 35, 40, 45, 50, 55,
              60)),
    check=check,
))
