"""Where float64 loses the smallest Hessian eigenvalue of J_m on M*_P.

Section 4.2.2 of the paper (Li, Han, E, Li).  The target is the memory
target of eq. (86), rho = a* e^{-w* t} + rho0(t - 1/omega), with m* = 1,
a* = w* = 1 and the Gaussian template rho0(s) = c0 e^{-s^2/(2 sigma^2)} of
eq. (85).  At a point (a_hat, w_hat) of an affine space M*_P (Definition
4.1) the Hessian splits as in eq. (100),

    Hess J_m = Hess J~_m + 2 E_omega,

where Hess J~_m is O(1), positive semi-definite and has at least 2(m - m*)
zero eigenvalues (Proposition 4.3), and E_omega is built from
Delta_{1,omega} and Delta_{2,omega} of eq. (88), of size
omega^{-n} e^{-w*/omega} (Lemma 4.1, eq. (89)).  Proposition 4.3 puts the
small eigenvalues at O(omega^{-2} e^{-c/omega}) and Proposition 4.4
(Remark 4.6 for m = 2) makes the smallest one negative.

The entries of the Hessian are O(1) sums that cancel to the small parts
(eq. (94)), so in float64 each entry carries an absolute rounding error
near 1e-16.  Once lambda_min falls below that, float64 returns noise.  For
each width m and memory 1/omega this script measures

* float64: ``Loss.hessian_float64`` and ``numpy.linalg.eigvalsh``;
* mpmath at the budget d = ``Loss.budget`` digits: ``Loss.hessian`` and
  ``cmwork.eigenvalues``, assembly and eigen-solve timed apart;
* a reference: ``cmwork.resolve_eigenvalues``, the same computation at d
  and at a higher precision, whose difference is the error estimate,

and prints where float64 first gets the sign of lambda_min wrong, where it
can no longer tell the sign at all (|lambda| below its own rounding level
n ||H|| 2^-53, the rule cmwork uses for mpmath), where its size is off by
more than 10%, and what mpmath costs beyond that point.

Ball arithmetic (python-flint) is not part of cmwork yet; the certified
column comes with the certified path.

Run ``python benchmarks/hessian_precision.py --help`` for the options.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import statistics
import sys
import time
from fractions import Fraction
from typing import Dict, List, Optional, Sequence

import mpmath
import numpy as np

import cmwork

# -- the setting (eq. (86) with the Gaussian template of eq. (85)) ----------
#: a*, w* of rho_bar (m* = 1); the paper's Figure 2 uses the same values.
A_STAR = (1,)
W_STAR = (1,)
#: Template rho0(s) = C0 e^{-s^2/(2 SIGMA^2)} (eq. (85)).
C0 = 1
SIGMA = 1

# -- the grids (chosen here) -------------------------------------------------
#: Widths m.  m = 2 is Remark 4.6; m > 2 = 2m* is Proposition 4.4.
WIDTHS = (2, 4, 8, 16, 24, 32, 40)
#: Memories 1/omega.  Dense between 30 and 50, where lambda_min crosses the
#: float64 rounding level (~1e-16 ||H||); 200 needs 112 digits.  The full
#: grid takes about 5 minutes on 2 cores (m = 40, 1/omega = 200 alone ~10 s).
MEMORIES = (10, 20, 30, 35, 40, 45, 50, 60, 80, 120, 200)
#: The --quick grid: under a minute, and it still brackets the crossover.
QUICK_WIDTHS = (2, 4, 8, 16)
QUICK_MEMORIES = (10, 30, 40, 45, 50, 80)

#: Largest memory accepted: the reference at 1/omega = 1000 works at
#: 459 and 688 digits, where one 80 x 80 eigen-solve takes minutes.
MAX_MEMORY = 1000

#: Seed of the random points on M*_P; each width gets its own stream
#: random.Random(f"{seed}:{m}"), so a point does not depend on the grid.
DEFAULT_SEED = 0
#: float64 timings are the best of this many runs (they take milliseconds);
#: the mpmath ones are single runs (they take up to seconds).
FLOAT64_REPEATS = 5
#: Relative error in |lambda_min| above which float64's size is "off".
SIZE_TOLERANCE = 0.10
#: Unit roundoff of float64.
FLOAT64_EPS = 2.0 ** -53
#: Significant digits kept for mpf numbers in the JSON output.
JSON_DIGITS = 20
#: Digits of the mpmath control at omega -> 0, where the exact lambda_min is 0:
#: enough to show the zero to 40+ places (chosen here).
CONTROL_DPS = 50


# -- measuring one case --------------------------------------------------------
def _point(m: int, seed: int):
    """A random partition P of {1..m} and a point (a_hat, w_hat) on M*_P."""
    target = _target(Fraction(1, 1))    # M*_P does not depend on omega
    rng = random.Random(f"{seed}:{m}")
    partition = cmwork.random_partition(m, len(A_STAR), rng)
    a_hat, w_hat = cmwork.point_on(target, partition, rng)
    return partition, a_hat, w_hat


def _target(memory: Fraction) -> cmwork.MemoryTarget:
    template = cmwork.GaussianTemplate(c0=C0, sigma=SIGMA)
    return cmwork.MemoryTarget(a_star=list(A_STAR), w_star=list(W_STAR),
                               template=template, omega=1 / memory)


def _best_time(f, repeats: int):
    """(result of the last call, best wall time of ``repeats`` calls)."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t0)
    return out, best


def measure(m: int, memory: Fraction, a_hat, w_hat, *, repeats: int) -> Dict:
    """lambda_min of Hess J_m at (a_hat, w_hat) by the three routes."""
    J = cmwork.Loss(_target(memory), m=m)

    H64, t64_asm = _best_time(lambda: J.hessian_float64(a_hat, w_hat), repeats)
    ev64, t64_eig = _best_time(lambda: np.linalg.eigvalsh(H64), repeats)
    lam64 = float(ev64[0])
    tol64 = 2 * m * float(np.max(np.abs(ev64))) * FLOAT64_EPS

    d = J.budget(a_hat, w_hat)
    t0 = time.perf_counter()
    H = J.hessian(a_hat, w_hat, dps=d)
    t1 = time.perf_counter()
    ev = cmwork.eigenvalues(H, dps=d)
    t2 = time.perf_counter()

    ref = cmwork.resolve_eigenvalues(lambda dd: J.hessian(a_hat, w_hat, dps=dd),
                                     d)
    t3 = time.perf_counter()

    lam_ref, err_ref = ref.values[0], ref.errors[0]
    with mpmath.workdps(ref.dps_high):
        rel64 = float(abs(lam64 - lam_ref) / abs(lam_ref)) if lam_ref else None
        mu = mpmath.mpf(memory.numerator) / memory.denominator    # 1/omega
        scaled = float(lam_ref * mpmath.exp(mu) / mu ** 2)
    sign_ref = ref.sign(0)
    sign64 = (lam64 > 0) - (lam64 < 0)
    return {
        "m": m, "memory": str(memory), "dps": d, "dps_high": ref.dps_high,
        "lambda_ref": lam_ref, "error_ref": err_ref, "sign_ref": sign_ref,
        "lambda_budget": ev[0],
        "scaled_ref": scaled,          # lambda_ref * e^{1/omega} * omega^2
        "lambda_f64": lam64, "tol_f64": tol64,
        "f64_sign": _sign_status(sign64, sign_ref, abs(lam64) > tol64),
        "rel_error_f64": rel64,
        "t_f64_assembly": t64_asm, "t_f64_eig": t64_eig,
        "t_mp_assembly": t1 - t0, "t_mp_eig": t2 - t1,
        "t_reference": t3 - t2,
        "cost_ratio": (t2 - t0) / (t64_asm + t64_eig),
    }


def _sign_status(sign64: int, sign_ref: int, decided: bool) -> str:
    """'ok'; 'unsure' (right, but |lambda| is below float64's error bound,
    so float64 alone cannot vouch for it); 'WRONG'; '?' (reference undecided).
    """
    if sign_ref == 0:
        return "?"
    if sign64 != sign_ref:
        return "WRONG"
    return "ok" if decided else "unsure"


def control(m: int, a_hat, w_hat) -> Dict:
    """lambda_min of Hess J~_m (eq. (100) without E_omega, the omega -> 0 limit).

    J~_m is J_m for the target rho_bar alone; at a point of M*_P its Hessian
    is positive semi-definite with at least 2(m - m*) zero eigenvalues
    (proof of Proposition 4.3), so the exact lambda_min is 0.  Whatever sign
    float64 gives here is rounding noise.
    """
    J = cmwork.Loss(cmwork.ExponentialSum(a=list(A_STAR), w=list(W_STAR)), m=m)
    ev64 = np.linalg.eigvalsh(J.hessian_float64(a_hat, w_hat))
    ev = cmwork.eigenvalues(J.hessian(a_hat, w_hat, dps=CONTROL_DPS),
                            dps=CONTROL_DPS)
    return {"lambda_f64": float(ev64[0]),
            "negative_f64": int(np.sum(ev64 < 0)),
            "lambda_mp": ev[0], "dps": CONTROL_DPS}


# -- summary -------------------------------------------------------------------
def summarize(rows: Sequence[Dict], controls: Dict[int, Dict]) -> List[Dict]:
    """Per width: where float64 fails first, the cost ratio past it, and the
    float64 lambda_min at omega -> 0 (``controls[m]``, from :func:`control`).
    """
    out = []
    for m in sorted({r["m"] for r in rows}):
        mine = sorted((r for r in rows if r["m"] == m),
                      key=lambda r: Fraction(r["memory"]))
        wrong = _first(mine, lambda r: r["f64_sign"] == "WRONG")
        undecided = _first(mine, lambda r: r["f64_sign"] in ("WRONG", "unsure"))
        size = _first(mine, lambda r: r["rel_error_f64"] is None
                      or r["rel_error_f64"] > SIZE_TOLERANCE)
        blind = _first(mine, lambda r: r["lambda_f64"]
                       == controls[m]["lambda_f64"])
        past = [r for r in mine if size is not None
                and Fraction(r["memory"]) >= Fraction(size)]
        ratios = [r["cost_ratio"] for r in past]
        out.append({
            "m": m, "first_wrong_sign": wrong,
            "wrong_signs": sum(r["f64_sign"] == "WRONG" for r in mine),
            "n_memories": len(mine), "first_sign_undecided": undecided,
            "first_size_off": size, "first_blind": blind,
            "ratio_min": min(ratios) if ratios else None,
            "ratio_median": statistics.median(ratios) if ratios else None,
            "ratio_max": max(ratios) if ratios else None,
            "control": controls[m],
        })
    return out


def _first(rows, failed) -> Optional[str]:
    return next((r["memory"] for r in rows if failed(r)), None)


# -- output --------------------------------------------------------------------
_ROW = ("{m:>3} {memory:>7} {dps:>4} {lam_ref:>11} {err_ref:>8} {lam64:>10} "
        "{sign:>6} {rel:>8} {scaled:>7} {t64:>7} {tasm:>7} {teig:>7} "
        "{ratio:>6}")
_HEADER = _ROW.format(m="m", memory="1/omega", dps="dps", lam_ref="lam_min ref",
                      err_ref="error", lam64="lam_min f64", sign="f64 sg",
                      rel="f64 rel", scaled="scaled", t64="f64 ms",
                      tasm="asm s", teig="eig s", ratio="ratio")


def _format_row(r: Dict) -> str:
    rel = r["rel_error_f64"]
    return _ROW.format(
        m=r["m"], memory=r["memory"], dps=r["dps"],
        lam_ref=mpmath.nstr(r["lambda_ref"], 4, min_fixed=0, max_fixed=0),
        err_ref=mpmath.nstr(r["error_ref"], 1, min_fixed=0, max_fixed=0),
        lam64=f"{r['lambda_f64']:.3e}", sign=r["f64_sign"],
        rel="-" if rel is None else f"{rel:.1e}", scaled=f"{r['scaled_ref']:.3g}",
        t64=f"{1e3 * (r['t_f64_assembly'] + r['t_f64_eig']):.2f}",
        tasm=f"{r['t_mp_assembly']:.3f}", teig=f"{r['t_mp_eig']:.3f}",
        ratio=f"{r['cost_ratio']:.0f}")


_SUMMARY_ROW = ("{m:>3} {wrong:>10} {undecided:>11} {size:>8} {blind:>7} "
                "{ratio:>14} {c64:>10} {neg:>5} {cmp:>8}")


def _print_summary(summary: Sequence[Dict]) -> None:
    print()
    print("Summary: first 1/omega on the grid where float64 gets the sign wrong,"
          " where |lambda_f64|\nfalls below float64's error bound, where its size"
          f" is off by >{SIZE_TOLERANCE:.0%}, where it equals its\nomega -> 0 value"
          " bit for bit (blind); cost ratio (mpmath at the budget / float64)\n"
          "from the size failure on; the control omega -> 0 (Hess J~, exact "
          "lambda_min = 0):\nfloat64's lambda_min, its number of negative "
          "eigenvalues, mpmath's lambda_min.")
    print(_SUMMARY_ROW.format(m="m", wrong="wrong sign", undecided="below bound",
                              size="size off", blind="blind",
                              ratio="ratio min/med/max",
                              c64="w=0 f64", neg="neg", cmp="w=0 mp"))
    for s in summary:
        c = s["control"]
        wrong = "never" if s["first_wrong_sign"] is None else (
            f"{s['first_wrong_sign']} ({s['wrong_signs']}/{s['n_memories']})")
        ratio = "-" if s["ratio_median"] is None else (
            f"{s['ratio_min']:.0f}/{s['ratio_median']:.0f}/{s['ratio_max']:.0f}")
        print(_SUMMARY_ROW.format(m=s["m"], wrong=wrong,
                                  undecided=s["first_sign_undecided"] or "never",
                                  size=s["first_size_off"] or "never",
                                  blind=s["first_blind"] or "never",
                                  ratio=ratio, c64=f"{c['lambda_f64']:.2e}",
                                  neg=f"{c['negative_f64']}/{2 * s['m']}",
                                  cmp=mpmath.nstr(c["lambda_mp"], 2, min_fixed=0,
                                                  max_fixed=0)), flush=True)


def _machine() -> Dict:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f
                          if line.startswith("model name")), model)
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count(), "python": platform.python_version(),
            "mpmath": mpmath.__version__, "numpy": np.__version__,
            "cmwork": cmwork.__version__}


def _jsonable(x):
    if isinstance(x, mpmath.mpf):
        return mpmath.nstr(x, JSON_DIGITS, min_fixed=0, max_fixed=0)
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    return x


# -- command line ----------------------------------------------------------------
def _positive_int_list(text: str) -> List[int]:
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected comma-separated integers, e.g. 2,4,8") from None
    bad = [v for v in values if v < 2]
    if bad:
        raise argparse.ArgumentTypeError(
            f"width {bad[0]}: expected m >= 2 (m = 2 is the smallest width "
            "with a negative eigenvalue, Remark 4.6)")
    return values


def _memory_list(text: str) -> List[Fraction]:
    try:
        values = [Fraction(v) for v in text.split(",")]
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected comma-separated numbers such as 30,35.5,"
            "81/2") from None
    bad = [v for v in values if not 0 < v <= MAX_MEMORY]
    if bad:
        raise argparse.ArgumentTypeError(
            f"memory {bad[0]}: expected 0 < 1/omega <= {MAX_MEMORY}")
    return values


def _parse_args(argv) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Smallest Hessian eigenvalue of J_m on M*_P (Section "
                    "4.2.2): float64 against mpmath at the precision budget.")
    p.add_argument("--quick", action="store_true",
                   help=f"widths {','.join(map(str, QUICK_WIDTHS))}, memories "
                        f"{','.join(map(str, QUICK_MEMORIES))} (under a minute)")
    p.add_argument("--widths", type=_positive_int_list, metavar="M,M,...",
                   help=f"widths m (default {','.join(map(str, WIDTHS))})")
    p.add_argument("--memories", type=_memory_list, metavar="X,X,...",
                   help="memories 1/omega, exact decimals or p/q (default "
                        f"{','.join(map(str, MEMORIES))})")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"seed of the points on M*_P (default {DEFAULT_SEED})")
    p.add_argument("--repeats", type=int, default=FLOAT64_REPEATS,
                   help="float64 timings: best of this many runs "
                        f"(default {FLOAT64_REPEATS})")
    p.add_argument("--json", metavar="FILE", help="also write the raw numbers")
    p.add_argument("--quiet", action="store_true",
                   help="no progress lines on stderr")
    args = p.parse_args(argv)
    if args.repeats < 1:
        p.error(f"--repeats {args.repeats}: expected at least 1")
    if args.json:
        folder = os.path.dirname(os.path.abspath(args.json))
        if not os.path.isdir(folder):
            p.error(f"--json {args.json}: folder {folder} does not exist")
    default_w, default_x = ((QUICK_WIDTHS, QUICK_MEMORIES) if args.quick
                            else (WIDTHS, MEMORIES))
    args.widths = sorted(set(args.widths or default_w))
    args.memories = sorted(set(Fraction(x) for x in (args.memories or default_x)))
    return args


def _warm_up() -> None:
    """Derive and lambdify the entries once, so no timing includes it."""
    J = cmwork.Loss(_target(Fraction(10)), m=2)
    _, a_hat, w_hat = _point(2, DEFAULT_SEED)
    J.hessian_float64(a_hat, w_hat)
    cmwork.eigenvalues(J.hessian(a_hat, w_hat, dps=30), dps=30)


def main(argv=None) -> int:
    args = _parse_args(argv)

    def progress(msg):
        if not args.quiet:
            print(msg, file=sys.stderr, flush=True)

    started = datetime.datetime.now().astimezone()
    machine = _machine()
    progress(f"# {started:%Y-%m-%d %H:%M %Z}, {machine['cpu']}, "
             f"{machine['cores']} cores; seed {args.seed}")
    progress("# deriving and lambdifying the Hessian entries (not timed)")
    _warm_up()

    print(_HEADER, flush=True)
    rows, points, controls = [], {}, {}
    total = len(args.widths) * len(args.memories)
    for m in args.widths:
        partition, a_hat, w_hat = _point(m, args.seed)
        points[m] = {"partition": partition.pretty(), "a_hat": a_hat,
                     "w_hat": w_hat}
        controls[m] = control(m, a_hat, w_hat)
        for memory in args.memories:
            progress(f"# [{len(rows) + 1}/{total}] m={m} 1/omega={memory}")
            r = measure(m, memory, a_hat, w_hat, repeats=args.repeats)
            rows.append(r)
            print(_format_row(r), flush=True)

    summary = summarize(rows, controls)
    _print_summary(summary)
    elapsed = (datetime.datetime.now().astimezone() - started).total_seconds()
    progress(f"# done in {elapsed:.0f} s")

    if args.json:
        record = {"started": started.isoformat(timespec="seconds"),
                  "elapsed_s": elapsed, "machine": machine, "seed": args.seed,
                  "setting": {"a_star": A_STAR, "w_star": W_STAR, "c0": C0,
                              "sigma": SIGMA, "float64_repeats": args.repeats,
                              "size_tolerance": SIZE_TOLERANCE},
                  "points": {str(m): p for m, p in points.items()},
                  "rows": rows, "summary": summary}
        with open(args.json, "w") as f:
            json.dump(_jsonable(record), f, indent=1)
        progress(f"# raw numbers written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
