"""Cost and correctness of one escape-time measurement, float64 against mpmath.

The gradient flow (101) of J_m for target (85) (a* = w* = 1, Gaussian
template c0 = sigma = 1), started on M*_P at a_hat = (0.3, 0.7),
w_hat = (1, 1), m = 2, as in the thm-4.1 check, is run to both the plateau
time (J <= 0.99 J(0)) and the separation time tau_0 (delta = 0.1, eq. (103))
on each path of cmwork.flow:

* float64: scipy BDF on the float64 gradient and Hessian, at the check's
  rtol and at a tight one (which separates solver error from rounding);
* mpmath: exprb32 in mpmath at flow_budget digits (the reference: "true");
* reduced: the drift along M*_P on its slow manifold (cmwork.reduced_flow)
  and the end of the plateau on the gradient flow's BDF2, run to both
  times ("reduced") and to tau_0 only ("reduced:sep"); with the end of the
  plateau on the overdamped heavy ball and the escape reduced
  (end_phase="heavy_ball", "reduced:hb", as the thm-4.1 check past
  1/omega = 30), which reaches both times at 1/omega = 60; the reference
  where the mpmath path no longer escapes within CAP;
* bdf2: variable-step BDF2 in mpmath from theta(0) to the end (Newton
  with the exact Hessian at every iterate), a cross-check up to
  1/omega ~ 25 (at 30 it does not escape within CAP).

For 1/omega from 5 to 60, each path runs until it needs more than CAP
seconds for one point; after that its larger memories are not tried.  The
drift that ends the plateau is driven by forces of size e^{-2w*/omega}
(cmwork.flow's module docstring), which reach float64's rounding ~1e-16
relative to O(1) terms near 1/omega = 18: float64 is predicted to go wrong
there.  A second table runs Figure 3's width m = 10 at 1/omega = 6, 12,
16 and 20; a third tau_0 at m = 10 from Figure 3's seeded start on the
reduced path at 1/omega = 30, 40, 50, 60; the last one m = 10 point on
each linear-algebra backend of cmwork.fastla (python-flint, mpmath).

    python benchmarks/escape_time.py              # about 30 minutes
    python benchmarks/escape_time.py --quick      # under a minute
    python benchmarks/escape_time.py --json FILE  # the raw rows as well
    python benchmarks/escape_time.py --grid 60 --cap 240 --paths reduced:sep
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from fractions import Fraction

import cmwork
from cmwork import fastla
from cmwork.figures_dynamics import start_point
from cmwork.flow import gradient_flow

#: Memories 1/omega (chosen here), full and --quick.
GRID = (5, 8, 10, 12, 14, 16, 18, 20, 22, 25, 30, 35, 40, 45, 50, 60)
GRID_QUICK = (5, 10, 14)

#: Wall-clock cap per point and path, seconds (chosen here).
CAP = 90.0
CAP_QUICK = 15.0

#: Start on M*_P for m = 2 (the thm-4.1 check's), and for m = 10 (chosen
#: here: a_hat_i = i / 55).
A_HAT_2 = (Fraction(3, 10), Fraction(7, 10))
A_HAT_10 = tuple(Fraction(i, 55) for i in range(1, 11))
M10_GRID = (6, 12, 16, 20)

#: m = 10, Figure 3's seeded start (seed 0): tau_0 on the reduced path to
#: 1/omega = 60, with its own cap (chosen here).
M10_SEP_GRID = (30, 40, 50, 60)
M10_SEP_CAP = 420.0

#: m = 10, 1/omega = 24, reduced path to both times, once on each linear-
#: algebra backend of cmwork.fastla (python-flint's arb matrices against
#: mpmath's), same precision (chosen here).
BACKEND_POINT = 24

#: Time limit of a run: 10 e^{3/omega} (as thm-4.1).
T_MAX_RATE = 3

#: Relative tolerance on both paths (as the thm-4.1 check).
RTOL = 1e-3

#: float64 is also run at this tolerance, so that its solver error and its
#: rounding error can be told apart (chosen here).
RTOL_TIGHT = 1e-8


def loss(inv, m):
    rho = cmwork.MemoryTarget(a_star=[1], w_star=[1], omega=Fraction(1, inv),
                              template=cmwork.GaussianTemplate(c0=1, sigma=1))
    return cmwork.Loss(rho, m=m)


def run(inv, a_hat, path, cap, rtol=RTOL, stop="both", end="gradient"):
    m = len(a_hat)
    extra = {"end_phase": end} if path == "reduced" else {}
    r = gradient_flow(loss(inv, m), list(a_hat), [1] * m,
                      t_max=10 * math.exp(T_MAX_RATE * inv), path=path,
                      rtol=rtol, stop=stop, max_seconds=cap, **extra)
    label = path if stop == "both" else f"{path}:{stop[:3]}"
    if end == "heavy_ball":
        label = f"{path}:hb"
    return {"inv_omega": inv, "m": m, "path": label, "rtol": rtol,
            "status": r.status,
            "message": r.message, "plateau_time": r.plateau_time,
            "separation_time": r.separation_time, "steps": r.nsteps,
            "nfev": r.nfev, "seconds": r.seconds, "dps": r.dps}


RUNS = (("float64", RTOL, "both"), ("float64", RTOL_TIGHT, "both"),
        ("mpmath", RTOL, "both"), ("reduced", RTOL, "both"),
        ("reduced", RTOL, "separation"),
        ("reduced", RTOL, "both", "heavy_ball"), ("bdf2", RTOL, "both"))
HB = ("reduced", RTOL, "both", "heavy_ball")


def _label(key):
    if len(key) > 3:
        return f"{key[0]}:hb"
    return key[0] if key[2] == "both" else f"{key[0]}:{key[2][:3]}"


def table(grid, a_hat, cap, out, paths=None):
    runs = tuple(k for k in RUNS if paths is None or k[0] in paths
                 or _label(k) in paths)
    rows, alive = [], {k: True for k in runs}
    for inv in grid:
        pair = {}
        for key in runs:
            if not alive[key]:
                continue
            pair[key] = r = run(inv, a_hat, *key[:1], cap, *key[1:])
            rows.append(r)
            if "max_seconds" in r["message"]:
                alive[key] = False
        _print_pair(inv, pair, out)
        if not any(alive.values()):
            break
    return rows


def backends(a_hat, cap, out):
    rows = []
    for name in ("flint", "mpmath"):
        with fastla.using(name):
            r = run(BACKEND_POINT, a_hat, "reduced", cap)
        r["linalg"] = name
        rows.append(r)
        ratio = _ratio(r["plateau_time"], rows[0]["plateau_time"])
        print(f"{BACKEND_POINT:>5} {r['m']:>3} {name:<11} "
              f"{r['status']:<8} {_fmt(r['plateau_time']):>11} "
              f"{_fmt(r['separation_time']):>11} {ratio:>8} {r['steps']:>6} "
              f"{r['seconds']:>8.2f}  time / flint's "
              f"{r['seconds'] / rows[0]['seconds']:.2f}", file=out,
              flush=True)
    return rows


def _fmt(x):
    return "-" if x is None else f"{x:.4g}"


def _ratio(a, b):
    if a is None or b is None:
        return "-"
    return f"{a / b:.3f}"


def _print_pair(inv, pair, out):
    p = pair.get(("mpmath", RTOL, "both"))
    h = pair.get(HB)
    if p is not None and p["status"] != "escaped":
        p = None
    if h is not None and h["status"] != "escaped":
        h = None
    for key, r in pair.items():
        ref = None if key[0] == "mpmath" else p
        if ref is None and key != HB and key[0] != "mpmath":
            ref = h
        ref0 = ref
        rp = _ratio(r["plateau_time"], ref and ref["plateau_time"])
        rs = _ratio(r["separation_time"], ref0 and ref0["separation_time"])
        print(f"{inv:>5} {r['m']:>3} {r['path']:<11} {r['rtol']:<6.0e} "
              f"{r['status']:<8} "
              f"{_fmt(r['plateau_time']):>11} {_fmt(r['separation_time']):>11}"
              f" {rp:>8} {rs:>8} {r['steps']:>6} {r['seconds']:>8.2f}  "
              f"{'' if r['status'] == 'escaped' else r['message'][:60]}",
              file=out, flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--grid", metavar="LIST",
                    help="memories 1/omega, comma-separated (m = 2 only)")
    ap.add_argument("--cap", type=float, help="seconds per point and run")
    ap.add_argument("--paths", metavar="LIST",
                    help="float64,mpmath,reduced,reduced:sep,reduced:hb,bdf2 "
                    "(default: all; reduced selects the three reduced runs)")
    args = ap.parse_args(argv)
    cap = args.cap or (CAP_QUICK if args.quick else CAP)
    out = sys.stdout
    print(f"escape time of the gradient flow (101), target (85), m = 2 "
          f"(then m = 10), cap {cap:g} s per point and run", file=out)
    print("ratio: a path's time / mpmath time (mpmath is the reference; "
          "where it did not escape, reduced:hb)", file=out)
    print(f"{'1/w':>5} {'m':>3} {'path':<11} {'rtol':<6} {'status':<8} "
          f"{'plateau':>11} "
          f"{'tau_0':>11} {'ratio_p':>8} {'ratio_0':>8} {'steps':>6} "
          f"{'seconds':>8}  message", file=out)
    grid = GRID_QUICK if args.quick else GRID
    if args.grid:
        grid = tuple(int(v) for v in args.grid.split(","))
    paths = args.paths.split(",") if args.paths else None
    rows = table(grid, A_HAT_2, cap, out, paths)
    if not args.quick and not args.grid:
        print("\nFigure 3's width:", file=out)
        rows += table(M10_GRID, A_HAT_10, cap, out)
        a10 = start_point(0)
        print("\nFigure 3's width and seeded start (seed 0), tau_0 on the "
              f"reduced path, cap {M10_SEP_CAP:g} s:", file=out)
        rows += table(M10_SEP_GRID, a10, M10_SEP_CAP, out,
                      paths=["reduced:sep"])
        print("\nlinear algebra of the mpmath flows (cmwork.fastla), m = 10, "
              f"1/omega = {BACKEND_POINT}, seeded start, reduced path; "
              "ratio: plateau time / the flint run's", file=out)
        rows += backends(a10, M10_SEP_CAP, out)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
