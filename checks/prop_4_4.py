"""Proposition 4.4: for m > 2m* the Hessian on M*_P has a negative eigenvalue.

Paper: Section 4.2.2 (3).  The smallest eigenvalue of Hess J_m(a_hat, w_hat)
is of size e^{-c/omega}; it is computed at the precision budget and again
with more digits, and its sign is read only when it exceeds twice its error.
The hypothesis Delta_{1,omega}(w*_j) != 0 is reported.

Also measured: the mechanism.  For i, j in one block, v = e_{a_i} - e_{a_j}
has v^T H v = 0 while H v = 2 Delta_1(w*_p)(e_{w_i} - e_{w_j}) != 0, so H is
indefinite as soon as one block has two indices: m > 2m* is sufficient,
not necessary (the paper's footnote 3 and Remark 4.6 say so for m = 2).
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
from mpmath import mpf

from cmwork.claims import (FAILS, HOLDS, INCONCLUSIVE, Claim, Param, Verdict,
                           register)
from cmwork.loss import Loss

from ._common import (configurations, fit_rate, hessian_spectrum,
                      inv_omega_param, make_target, parse_flag, points_param, short,
                      target_params, width_param)

DIGITS = 6


def smallest_eigenvalue_rows(params, configs, grid, dps, expected_sign,
                             claim_id, certified=False):
    """Shared with remark-4.6: sign of lambda_min over points and memories.

    With ``certified`` the sign is read from the certified inertia of the
    Hessian (ball arithmetic), lambda_min gets a certified enclosure around
    the mpmath estimate, and Delta_1(w*_j) != 0 is proven; the mpmath
    result stays in the evidence as a cross-check.
    """
    rows, fails, undecided, used = [], [], [], set()
    for part, a_hat, w_hat in configs:
        lams = []
        for inv in grid:
            rho = make_target(params, inv)
            J = Loss(rho, m=len(a_hat))
            d = dps or J.budget(a_hat, w_hat, digits=DIGITS)
            used.add(d)
            spec = hessian_spectrum(J, a_hat, w_hat, d)
            lam, err = spec.values[0], spec.errors[0]
            sign = spec.sign(0)
            with mpmath.workdps(d):
                delta1 = [rho.delta(1, w, dps=d) for w in rho.w_star]
            row = {"partition": part.pretty(), "inv_omega": inv, "dps": d,
                   "dps_check": spec.dps_high, "lambda_min": lam, "error": err,
                   "sign": sign, "Delta_1_at_w_star": delta1,
                   "dim_M_P": part.m - part.m_star}
            if certified:
                sign = _certify(row, J, rho, a_hat, w_hat, d, sign, fails)
            mech = _mechanism(J, part, a_hat, w_hat, d)
            if mech:
                row.update(mech)
            rows.append(row)
            lams.append(lam)
            where = f"1/omega = {inv}, m = {len(a_hat)}, P = {part.pretty()}"
            if sign == 0 and certified:
                c = row["certified"]
                undecided.append(f"ball arithmetic could not sign lambda_min at "
                                 f"{c['prec_bits']} bits ({c['undecided']} "
                                 f"eigenvalue(s) undecided) at {where}")
            elif sign == 0:
                undecided.append(f"lambda_min = {short(lam, 3)} within its error "
                                 f"{short(err, 2)} at {where}")
            elif sign != expected_sign:
                fails.append(f"lambda_min = {short(lam, 6)} (error "
                             f"{short(err, 2)}, {spec.dps_high} digits) has "
                             f"sign {sign:+d}, not {expected_sign:+d}, at {where}")
        if len(grid) >= 3 and all(x != 0 for x in lams):
            rows[-1]["fit_lambda_min"] = fit_rate(grid, lams)
    return rows, fails, undecided, used


def _certify(row, J, rho, a_hat, w_hat, d, sign_mp, fails):
    """Certified inertia, lambda_min enclosure, Delta_1 != 0; returns the sign."""
    from cmwork import certified as C
    bits = C.bits_for_digits(d)
    build = lambda b: C.hessian_ball(J, a_hat, w_hat, prec=b)  # noqa: E731
    inert = C.inertia(build, prec=bits)
    n = 2 * J.m
    d1 = [C.delta_ball(rho.template, 1, w, rho._omega, prec=bits)
          for w in rho.w_star]
    row["certified"] = {"negative": inert.negative, "positive": inert.positive,
                        "undecided": inert.undecided, "prec_bits": inert.prec,
                        "Delta_1_at_w_star": [C.ball_str(x, 8) for x in d1],
                        "Delta_1_nonzero": all(not x.contains(0) for x in d1)}
    sign = -1 if inert.negative >= 1 else (+1 if inert.positive == n else 0)
    if sign == -1:
        enc = C.enclose_near(build, 0, row["lambda_min"], row["error"],
                             prec=inert.prec)
        row["certified"].update(lambda_min_lo=enc.lo, lambda_min_hi=enc.hi,
                                enclosure_certified=enc.certified,
                                enclosure_prec_bits=enc.prec)
        if not enc.certified:
            row["certified"]["enclosure_why"] = enc.why
    if sign and sign_mp and sign != sign_mp:
        fails.append(f"certified inertia ({inert}) contradicts the mpmath sign "
                     f"{sign_mp:+d} of lambda_min = {short(row['lambda_min'], 6)}"
                     f" at 1/omega = {row['inv_omega']}")
    row["sign"] = sign
    return sign


def _mechanism(J, part, a_hat, w_hat, dps):
    """v = e_{a_i} - e_{a_j} in a block with two indices: v^T H v and |H v|."""
    block = next((b for b in part.blocks if len(b) > 1), None)
    if block is None:
        return None
    i, j = block[:2]
    H = J.hessian(a_hat, w_hat, dps=dps)
    with mpmath.workdps(dps):
        quad = H[i, i] - 2 * H[i, j] + H[j, j]
        Hv = [H[r, i] - H[r, j] for r in range(H.rows)]
        return {"vHv": quad, "norm_Hv": mpmath.sqrt(mpmath.fsum(x ** 2
                                                                for x in Hv))}


def check(params, *, dps=None, seed=0, expected_sign=-1, certified=False):
    """``expected_sign=+1`` claims a positive smallest eigenvalue (wrong).

    ``certified``: signs from the certified inertia (ball arithmetic), and
    lambda_min enclosed; the verdict is certified when every sign is.
    """
    m = params["m"]
    m_star = len(params["a_star"])
    configs = configurations(params, seed, "prop-4.4")
    grid = list(params["inv_omegas"])
    rows, fails, undecided, used = smallest_eigenvalue_rows(
        params, configs, grid, dps, expected_sign, "prop-4.4", certified)
    notes = []
    if m <= 2 * m_star:
        notes.append(f"m = {m} <= 2m* = {2 * m_star}: outside the hypothesis "
                     "of Proposition 4.4 (footnote 3 says it is not needed)")
    # beyond the proposition: the smallest width with a shared block
    extra_rows = []
    if params["explore"] and m_star + 1 <= 2 * m_star and m > 2 * m_star:
        cfg = configurations(params, seed, "prop-4.4-explore", m=m_star + 1)
        extra_rows, f2, u2, used2 = smallest_eigenvalue_rows(
            params, cfg, grid[-1:], dps, expected_sign, "prop-4.4", certified)
        used |= used2
        if not f2 and not u2:
            notes.append(f"also negative at m = m* + 1 = {m_star + 1} <= 2m*: "
                         "m > 2m* is sufficient, not necessary")
    if certified:
        notes += certified_notes(rows + extra_rows)
    last = [r for r in rows if r["inv_omega"] == grid[-1]]
    evidence = {"rows": rows, "beyond_hypothesis": extra_rows,
                "dps_used": sorted(used)}
    top = max(used)
    if fails:
        return Verdict("prop-4.4", FAILS, fails[0], evidence, dps=top,
                       notes=notes, certified=certified)
    if undecided:
        return Verdict("prop-4.4", INCONCLUSIVE, undecided[0] + "; raise --dps",
                       evidence, dps=top, notes=notes)
    r = max(last, key=lambda r: r["lambda_min"])
    head = (f"lambda_min < 0 at all {len(rows)} points, m = {m}, m* = "
            f"{m_star}; at 1/omega = {grid[-1]}: ")
    if certified:
        return Verdict("prop-4.4", HOLDS, head + certified_summary(r),
                       evidence, dps=top, notes=notes,
                       certified=all_enclosed(rows + extra_rows))
    return Verdict(
        "prop-4.4", HOLDS, head +
        f"lambda_min = {short(r['lambda_min'], 6)} +- "
        f"{short(r['error'], 2)} ({r['dps']} digits, checked at "
        f"{r['dps_check']})", evidence, dps=top, notes=notes)


def certified_summary(row) -> str:
    """'lambda_min in [lo, hi] (certified, N bits)' for one row."""
    c = row["certified"]
    if not c.get("enclosure_certified"):
        return (f"lambda_min < 0 certified by inertia ({c['negative']} "
                f"negative, {c['prec_bits']} bits); its enclosure was not: "
                f"{c.get('enclosure_why', '')}")
    lo, hi = c["lambda_min_lo"], c["lambda_min_hi"]
    with mpmath.workprec(c["enclosure_prec_bits"] + 16):
        mid, rad = (lo + hi) / 2, (hi - lo) / 2
    return (f"lambda_min = {short(mid, 8)} +- {short(rad, 2)}, certified "
            f"({c['enclosure_prec_bits']} bits)")


def all_enclosed(rows) -> bool:
    """Every sign certified and Delta_1(w*) != 0 proven at every row."""
    return all(r.get("certified", {}).get("Delta_1_nonzero") and r["sign"] != 0
               for r in rows)


def certified_notes(rows):
    """What the certified inertia shows beyond the claim."""
    rows = [r for r in rows if "certified" in r]
    if rows and all(r["certified"]["negative"] == r["dim_M_P"]
                    and r["certified"]["undecided"] == 0 for r in rows):
        return ["certified inertia: at every point the number of negative "
                "eigenvalues equals dim M*_P = m - m*, not just one"]
    return []


CLAIM = register(Claim(
    id="prop-4.4",
    title="m > 2m*: the Hessian on M*_P has a negative eigenvalue",
    where="Section 4.2.2 (3), Proposition 4.4",
    statement=("If m > 2m* and Delta_{1,omega}(w*_j) != 0, then Hess "
               "J_m(a_hat, w_hat) has negative eigenvalues on M*_P."),
    params=target_params() + [
        width_param(3, full=10),
        points_param(2, full=3),
        inv_omega_param(quick=(20, 60, 120, 200), default=(20, 60, 120, 200),
                        full=(20, 60, 100, 150, 200)),
        Param("explore", "also test m = m* + 1 (outside the hypothesis)",
              "0 | 1", 1, parse=parse_flag),
    ],
    check=check,
    certifiable=True,
))
