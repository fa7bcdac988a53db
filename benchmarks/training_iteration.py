"""Time per training iteration of the Euler RNN (cmwork.training) against
the hidden width m and the sequence length N = T/dt.

One iteration is one loss and gradient evaluation and the parameter
update, for R = 10 runs trained together on n = 128 samples (the sizes
of Figures 1 and 4).  The gradient is backpropagation through time
("bptt") for every model and, for the linear ones with the final-time
loss, also the kernel form that training uses for them ("kernel",
cmwork.training._kernel_loss_and_gradient), timed in the same run so
that the ratio is read off one table.  Printed per configuration:
activation, structure, method, m, N and the milliseconds per iteration
(all R runs) and per run; the median of REPEATS timings of ITERATIONS
iterations each.

Run ``python benchmarks/training_iteration.py [--quick] [--json FILE]``;
the output of the last run is in ``results/training_iteration.txt``.
"""
from __future__ import annotations

import argparse
import functools
import json
import statistics
import time

import numpy as np

from cmwork import training as tr

#: Grid (chosen here): widths at N = 160 (Figure 4's length) and lengths
#: at m = 16 (Figure 1's width).
WIDTHS = (2, 4, 8, 16, 32, 64)
LENGTHS = (32, 64, 160, 320, 640)
WIDTHS_QUICK = (4, 16, 64)
LENGTHS_QUICK = (64, 320)
VARIANTS = (("linear", "diagonal"), ("linear", "full"), ("tanh", "full"))
RUNS = 10
SAMPLES = 128
ITERATIONS = 20
REPEATS = 3
SEED = 0


def time_one(activation, structure, m, N, method, iterations=ITERATIONS):
    rng = np.random.default_rng(SEED)
    arch = tr.Architecture(width=m, activation=activation,
                           structure=structure, dt=0.1)
    p = tr.initialise(arch, RUNS, rng, w_low=0.5, w_high=1.5,
                      off_diagonal=0.1, scale_c=0.3, scale_u=0.3)
    x = rng.standard_normal((SAMPLES, N))
    y = rng.standard_normal(SAMPLES)
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        tr.train(arch, p, x, y, optimizer="gd", lr=1e-3,
                 iterations=iterations,
                 gradient_fn=functools.partial(tr.loss_and_gradient,
                                               method=method))
        times.append((time.perf_counter() - t0) / iterations)
    return statistics.median(times) * 1e3


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    widths = WIDTHS_QUICK if args.quick else WIDTHS
    lengths = LENGTHS_QUICK if args.quick else LENGTHS
    rows = []
    print(f"R = {RUNS} runs, n = {SAMPLES} samples, median of {REPEATS} x "
          f"{ITERATIONS} iterations (GD, final-time loss)")
    print(f"{'activation':<10} {'W':<9} {'method':<7} {'m':>4} {'N':>5} "
          f"{'ms/it':>9} {'ms/it/run':>10} {'bptt/kernel':>11}")
    grid = [(m, 160) for m in widths] + [(16, N) for N in lengths if N != 160]
    for act, st in VARIANTS:
        methods = ("bptt", "auto") if act == "linear" else ("bptt",)
        for m, N in grid:
            bptt = None
            for method in methods:
                ms = time_one(act, st, m, N, method)
                name = "kernel" if method == "auto" else method
                bptt = ms if method == "bptt" else bptt
                ratio = f"{bptt / ms:>11.1f}" if method == "auto" else ""
                rows.append({"activation": act, "structure": st,
                             "method": name, "m": m, "N": N,
                             "ms_per_iteration": ms,
                             "ms_per_run_iteration": ms / RUNS})
                print(f"{act:<10} {st:<9} {name:<7} {m:>4} {N:>5} "
                      f"{ms:>9.2f} {ms / RUNS:>10.3f} {ratio}", flush=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
