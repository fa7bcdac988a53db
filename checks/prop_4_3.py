"""Proposition 4.3: on M*_P at most 2m* Hessian eigenvalues stay O(1) and
positive; the others are O(omega^-2 e^{-c/omega}).

Paper: Section 4.2.2 (3), eqs. (95)-(100).  The proof splits
Hess J_m = Hess J~_m + 2 E_omega (100).  The check computes, at each point
and memory:

* the spectrum of Hess J~_m (omega-free: J~ is J_m for the target rho_bar);
  its rank m' must not exceed 2m* and it must be positive semi-definite;
* the spectrum of Hess J_m at two precisions;
* the Gershgorin bound G of 2 E_omega; by Weyl, the top m' eigenvalues are
  within G of those of Hess J~, the others within G of zero;
* a fit of the largest small |eigenvalue| against 1/omega, compared with
  the claimed omega^-2 e^{-c/omega}, c = min w_hat (Lemma 4.1).
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
from mpmath import mpf

from cmwork.claims import FAILS, HOLDS, INCONCLUSIVE, Claim, Verdict, register
from cmwork.loss import Loss
from cmwork.spectrum import eigenvalues
from cmwork.targets import ExponentialSum

from ._common import (configurations, fit_rate, hessian_spectrum,
                      inv_omega_param, make_target, perturbation_bound,
                      points_param, bound_judgement, short, target_params,
                      width_param)

DIGITS = 6


def check(params, *, dps=None, seed=0, count_offset=0, rate_factor=1, power=2,
          certified=False):
    """Statement knobs: at most 2m* + count_offset O(1) eigenvalues, the
    others O(omega^-power e^(-rate_factor min(w_hat)/omega)).

    ``certified``: at each point and memory, with G a proven upper bound of
    the Gershgorin bound of 2 E_omega, the inertia of Hess J - G I proves
    how many eigenvalues exceed G (the O(1) ones: at most the claimed
    count) and that of Hess J + G I proves that none lies below -G; the
    largest small |eigenvalue| is enclosed, and the rate is fitted to the
    enclosures.
    """
    configs = configurations(params, seed, "prop-4.3")
    grid = list(params["inv_omegas"])
    rows, fits, fails, undecided, used = [], [], [], [], set()
    m = params["m"]
    for part, a_hat, w_hat in configs:
        rho0 = make_target(params, grid[0])
        claimed_count = 2 * rho0.m_star + count_offset
        tilde = Loss(ExponentialSum(a=rho0.a_star, w=rho0.w_star), m=m)
        d0 = dps or 40
        ev_t = eigenvalues(tilde.hessian(a_hat, w_hat, dps=d0), dps=d0)
        zero_tol = mpf(10) ** (-(d0 // 2))
        rank = sum(1 for x in ev_t if abs(x) > zero_tol)
        if min(ev_t) < -zero_tol:
            fails.append(f"Hess J~ not positive semi-definite at P = "
                         f"{part.pretty()}: {short(min(ev_t), 3)}")
        if rank > claimed_count:
            fails.append(f"Hess J~ has {rank} nonzero eigenvalues > "
                         f"{claimed_count} at P = {part.pretty()}")
        small = []
        for inv in grid:
            rho = make_target(params, inv)
            J = Loss(rho, m=m)
            d = dps or J.budget(a_hat, w_hat, digits=DIGITS)
            used.add(d)
            spec = hessian_spectrum(J, a_hat, w_hat, d)
            G = perturbation_bound(rho, a_hat, w_hat, d)
            vals, errs = spec.values, spec.errors
            n = len(vals)
            big = list(range(n - rank, n))            # ascending order
            rest = list(range(n - rank))
            with mpmath.workdps(spec.dps_high):
                weyl_ok = all(abs(vals[i] - ev_t[i]) <= G + errs[i] + zero_tol
                              for i in big)
                positive = all(vals[i] > errs[i] for i in big)
                bounded = all(abs(vals[i]) <= G + errs[i] for i in rest)
                s_idx = max(rest, key=lambda i: abs(vals[i])) if rest else None
            row = {"partition": part.pretty(), "inv_omega": inv, "dps": d,
                   "rank_tilde": rank, "gershgorin_2E": G,
                   "large": [vals[i] for i in big],
                   "smallest_large": min(vals[i] for i in big) if big else None,
                   "largest_small_abs": abs(vals[s_idx]) if rest else None,
                   "error": max(errs)}
            if certified and rest:
                ok, cert_msg = _certify(row, J, rho, a_hat, w_hat, d, s_idx,
                                        vals, errs, claimed_count)
                if cert_msg:
                    (fails if not ok else undecided).append(
                        f"{cert_msg} at 1/omega = {inv}, P = {part.pretty()}")
            rows.append(row)
            if not (weyl_ok and positive):
                fails.append(f"the top {rank} eigenvalues are not O(1) and "
                             f"positive at 1/omega = {inv}, P = {part.pretty()}")
            if not bounded:
                fails.append(f"a small eigenvalue exceeds the bound "
                             f"{short(G, 3)} at 1/omega = {inv}")
            if rest:
                if not spec.resolved(s_idx, digits=3):
                    undecided.append(f"small eigenvalue not resolved at "
                                     f"1/omega = {inv}")
                small.append(abs(row["certified"]["small_mid"]) if certified
                             and "small_mid" in row.get("certified", {})
                             else abs(vals[s_idx]))
        if len(small) == len(grid) and len(grid) >= 3:
            upper = len(grid) // 2 - 1
            fit = fit_rate(grid[upper:], small[upper:])
            ok, why, growth = bound_judgement(
                grid, small, rate_factor * float(min(w_hat)), power)
            shared = [w_hat[b[0]] for b in part.blocks if len(b) > 1]
            fits.append({"partition": part.pretty(), **fit, "judgement": why,
                         "growth": growth,
                         "c_expected_from_blocks": min(shared) if shared
                         else None})
            if not ok:
                fails.append(f"P = {part.pretty()}: {why}")
    evidence = {"rows": rows, "fits": fits, "dps_used": sorted(used),
                "claimed_max_O1": f"2m* + {count_offset}"}
    top = max(used)
    if fails:
        return Verdict("prop-4.3", FAILS, fails[0], evidence, dps=top,
                       certified=certified)
    if undecided:
        return Verdict("prop-4.3", INCONCLUSIVE, undecided[0] + "; raise --dps",
                       evidence, dps=top)
    ranks = sorted({r["rank_tilde"] for r in rows})
    cs = ", ".join(f"{f['c']:.4f}" for f in fits)
    ps = ", ".join(f"{f['p']:.2f}" for f in fits)
    if certified:
        above = sorted({r["certified"]["above_G"] for r in rows})
        bits = max(r["certified"]["prec_bits"] for r in rows)
        return Verdict(
            "prop-4.3", HOLDS,
            f"certified at {len(rows)} points ({bits} bits): "
            f"{'/'.join(map(str, above))} eigenvalues above the bound G of "
            f"2E (2m* = {2 * len(params['a_star'])}), none below -G; "
            f"|small| ~ omega^-p e^(-c/omega) fitted to enclosures, c = {cs}, "
            f"p = {ps}", evidence, dps=top, certified=True,
            notes=["the counts and bounds are proven at each grid point; "
                   "the rate c is a least-squares fit to certified "
                   "enclosures, a measurement, not a proof of the O(.)"])
    return Verdict(
        "prop-4.3", HOLDS,
        f"{'/'.join(map(str, ranks))} O(1) positive eigenvalues (2m* = "
        f"{2 * len(params['a_star'])}); the other {2 * m - ranks[0]} within the "
        f"Gershgorin bound of 2E; |small| ~ omega^-p e^(-c/omega), c = {cs}, "
        f"p = {ps}", evidence, dps=top)


def _certify(row, J, rho, a_hat, w_hat, d, s_idx, vals, errs, claimed):
    """Certified counts against the bound G of 2 E_omega; (ok, message)."""
    from cmwork import certified as C
    bits = C.bits_for_digits(d)
    G = 2 * max(abs(C.ball(a_) * C.delta_ball(rho.template, 2, w_, rho._omega,
                                      prec=bits))
                + abs(C.delta_ball(rho.template, 1, w_, rho._omega, prec=bits))
                for a_, w_ in zip(a_hat, w_hat))
    G_up = C.upper(G)
    build = lambda b: C.hessian_ball(J, a_hat, w_hat, prec=b)  # noqa: E731
    above = C.inertia(build, prec=bits, shift=G_up)
    below = C.inertia(build, prec=bits, shift=-G_up)
    enc = C.enclose_near(build, s_idx, vals[s_idx], errs[s_idx], prec=bits)
    with mpmath.workprec(enc.prec + 16):
        mid = (enc.lo + enc.hi) / 2
    row["certified"] = {"G_upper": G_up, "above_G": above.positive,
                        "undecided_above": above.undecided,
                        "below_minus_G": below.negative,
                        "undecided_below": below.undecided,
                        "prec_bits": max(above.prec, below.prec, enc.prec),
                        "small_index": s_idx, "small_lo": enc.lo,
                        "small_hi": enc.hi, "small_mid": mid,
                        "small_certified": enc.certified}
    if above.undecided or below.undecided:
        return True, (f"ball arithmetic left {above.undecided + below.undecided}"
                      f" eigenvalue(s) undecided against +-G at {above.prec} "
                      "bits")
    if above.positive > claimed:
        return False, (f"certified: {above.positive} eigenvalues exceed the "
                       f"bound G = {short(G_up, 3)} of 2E, more than {claimed}")
    if below.negative:
        return False, (f"certified: {below.negative} eigenvalue(s) below -G = "
                       f"{short(-G_up, 3)}")
    if not enc.certified:
        return True, f"the small eigenvalue was not enclosed: {enc.why}"
    return True, ""


CLAIM = register(Claim(
    id="prop-4.3",
    title=("At most 2m* O(1) positive Hessian eigenvalues; others "
           "O(omega^-2 e^(-c/omega))"),
    where="Section 4.2.2 (3), Proposition 4.3, eqs. (95)-(100)",
    statement=("On M*_P, lambda_1..lambda_m' > 0 with m' <= 2m*, and "
               "lambda_{m'+1..2m} = O(omega^-2 e^(-c/omega))."),
    params=target_params(a_star=(Fraction(1), Fraction(-1, 2)),
                         w_star=(Fraction(1), Fraction(3, 2))) + [
        width_param(4, full=6),
        points_param(2, full=3),
        inv_omega_param(quick=(10, 20, 30, 40, 60),
                        default=(10, 20, 30, 40, 60),
                        full=(10, 20, 40, 60, 80, 120, 160, 200)),
    ],
    check=check,
    certifiable=True,
))
