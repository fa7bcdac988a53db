"""The inertia of Hess J_m on M*_P by float64, mpmath and ball arithmetic.

Section 4.2.2 of the paper (Li, Han, E, Li): at a point of an affine space
M*_P the Hessian of J_m has O(1) eigenvalues and eigenvalues of size
e^{-c/omega} (Propositions 4.3, 4.4).  Its inertia (how many eigenvalues
are negative) is what Proposition 4.4 is about.  For each width m and
memory 1/omega this script computes it three ways, in one run:

* float64: ``Loss.hessian_float64`` and ``numpy.linalg.eigvalsh``;
* mpmath: ``Loss.hessian`` and ``cmwork.eigenvalues`` at the budget
  ``Loss.budget`` (one precision; cmwork's verdicts also recompute at a
  second precision, which roughly doubles this time);
* arb: ``cmwork.certified.inertia`` on ``hessian_ball`` (block LDL^T in
  ball arithmetic), a proof when nothing is undecided.

The certified count is the reference.  The table gives time, digits (bits
for arb), the negative count of each route and whether float64 and mpmath
get the sign of lambda_min and the count right.

Run ``python benchmarks/inertia.py --help`` for the options.
"""
from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from fractions import Fraction

import mpmath
import numpy as np

import cmwork
from cmwork import certified

#: Widths and memories of the issue's grid (chosen there).
WIDTHS = (2, 4, 8, 16, 24, 32, 40)
MEMORIES = (20, 100, 300, 1000)
QUICK_WIDTHS = (2, 8, 40)
QUICK_MEMORIES = (20, 300)

#: The target of eq. (85): a* = w* = 1, Gaussian template c0 = sigma = 1.
A_STAR, W_STAR = (1,), (1,)

#: Random point on M*_P (seeded per width).
DEFAULT_SEED = 0

#: Digits of lambda_min wanted beyond its leading one (mpmath budget).
DIGITS = 6


def _setting(m, memory, seed):
    rho = cmwork.MemoryTarget(a_star=list(A_STAR), w_star=list(W_STAR),
                              template=cmwork.GaussianTemplate(c0=1, sigma=1),
                              omega=Fraction(1, memory))
    rng = random.Random(f"{seed}:{m}")
    part = cmwork.random_partition(m, len(A_STAR), rng)
    a_hat, w_hat = cmwork.point_on(rho, part, rng)
    return cmwork.Loss(rho, m=m), a_hat, w_hat


def measure(m, memory, seed):
    J, a, w = _setting(m, memory, seed)
    n = 2 * m

    J.hessian_float64(a, w)                             # warm the caches
    t0 = time.perf_counter()
    ev64 = np.linalg.eigvalsh(J.hessian_float64(a, w))
    t64 = time.perf_counter() - t0
    neg64 = int(np.sum(ev64 < 0))
    # control: Hess J~_m (omega -> 0), PSD with 2(m - m*) zero eigenvalues,
    # so every negative eigenvalue float64 reports there is rounding noise
    Jt = cmwork.Loss(cmwork.ExponentialSum(a=list(A_STAR), w=list(W_STAR)),
                     m=m)
    neg64_control = int(np.sum(np.linalg.eigvalsh(Jt.hessian_float64(a, w))
                               < 0))

    d = J.budget(a, w, digits=DIGITS)
    t0 = time.perf_counter()
    ev = cmwork.eigenvalues(J.hessian(a, w, dps=d), dps=d)
    tmp = time.perf_counter() - t0
    with mpmath.workdps(d):
        tol = n * max(abs(x) for x in ev) * mpmath.mpf(10) ** (-d)
        neg_mp = sum(1 for x in ev if x < -tol)
        und_mp = sum(1 for x in ev if abs(x) <= tol)

    bits = certified.bits_for_digits(d)
    certified.hessian_ball(J, a, w, prec=bits)          # warm the caches
    t0 = time.perf_counter()
    res = certified.inertia(
        lambda b: certified.hessian_ball(J, a, w, prec=b), prec=bits)
    tarb = time.perf_counter() - t0
    H = certified.hessian_ball(J, a, w, prec=res.prec)
    t0 = time.perf_counter()
    certified.inertia(H, prec=res.prec)
    tldl = time.perf_counter() - t0

    ref_sign = -1 if res.negative else (1 if res.positive == n else 0)
    return {
        "m": m, "memory": memory, "dps": d, "bits": res.prec,
        "lambda_min_mp": mpmath.nstr(ev[0], 4),
        "neg_f64": neg64, "neg_f64_control": neg64_control,
        "sign_f64_ok": bool((ev64[0] < 0) == (ref_sign < 0)),
        "neg_mp": neg_mp, "undecided_mp": und_mp,
        "neg_arb": res.negative, "undecided_arb": res.undecided,
        "t_f64": t64, "t_mp": tmp, "t_arb": tarb, "t_arb_ldl": tldl,
    }


LEGEND = """
neg: negative eigenvalues counted by each route (arb: proven; '?' one
undecided each); f64 w=0: float64's negative count for the omega -> 0
Hessian, whose exact count is 0.  arb ms: certified inertia including the
Hessian's balls; ldl ms: the LDL^T alone.  The certified count is
m - m* = dim M*_P at every point; float64 counts noise."""


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="a small grid")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--json", metavar="FILE", help="also write the raw rows")
    args = p.parse_args(argv)
    if not certified.available():
        print(f"needs python-flint: {certified.INSTALL_HINT}", file=sys.stderr)
        return 2
    widths = QUICK_WIDTHS if args.quick else WIDTHS
    memories = QUICK_MEMORIES if args.quick else MEMORIES
    rows = []
    head = (f"{'m':>3} {'1/omega':>7} {'dps':>4} {'bits':>5} {'lam_min':>11} "
            f"{'neg f64':>7} {'f64 w=0':>7} {'f64 sign':>8} {'neg mp':>6} "
            f"{'neg arb':>7} "
            f"{'f64 ms':>7} {'mp ms':>8} {'arb ms':>7} {'ldl ms':>7} "
            f"{'mp/arb':>6}")
    print(head)
    for m in widths:
        for memory in memories:
            r = measure(m, memory, args.seed)
            rows.append(r)
            print(f"{r['m']:>3} {r['memory']:>7} {r['dps']:>4} {r['bits']:>5} "
                  f"{r['lambda_min_mp']:>11} {r['neg_f64']:>7} "
                  f"{r['neg_f64_control']:>7} "
                  f"{'ok' if r['sign_f64_ok'] else 'WRONG':>8} "
                  f"{r['neg_mp']:>6} "
                  f"{r['neg_arb']:>4}{'?' * r['undecided_arb']:<3} "
                  f"{1e3 * r['t_f64']:>7.2f} {1e3 * r['t_mp']:>8.1f} "
                  f"{1e3 * r['t_arb']:>7.1f} {1e3 * r['t_arb_ldl']:>7.1f} "
                  f"{r['t_mp'] / r['t_arb']:>6.0f}", flush=True)
    print(LEGEND)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"machine": platform.platform(),
                       "python": platform.python_version(), "rows": rows},
                      fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
