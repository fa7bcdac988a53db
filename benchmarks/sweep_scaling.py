"""Sweep speed-up: one grid of escape times with 1, 2 and 4 local worker
processes and on a Dask LocalCluster, in one run.

Each task is ``remark-4.7`` at one memory 1/omega (Section 4.2.2 (4)):
the gradient flow (101) from a point of M*_P integrated until it escapes
the plateau, in extended precision where float64 cannot resolve the
gradient.  Every configuration starts from an empty store, so every task
is computed.  Printed per configuration: wall time, the sum of the tasks'
own times, the speed-up against one worker, and the overhead per task,

    overhead = (wall x workers - sum of task times) / tasks,

the time a task costs beyond its own computation (start-up of the worker
processes, imports, transfer, the store's writes), spread over the tasks.
The machine has 2 cores: 4 workers cannot beat 2, and the table shows it.

Run ``python benchmarks/sweep_scaling.py [--quick]``.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

from cmwork import sweep
from cmwork.store import Store

#: The claim swept and its grid (chosen here: 8 memories, a few seconds
#: each at the quick preset).
CLAIM = "remark-4.7"
GRID = ["inv_omegas=6,8,10,12,14,16,18,20"]
QUICK_GRID = ["inv_omegas=6,8,10,12"]
#: Worker counts of the local pool.
WORKERS = (1, 2, 4)


def one(tasks, *, workers=1, scheduler=None):
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(os.path.join(tmp, "s.sqlite"))
        t0 = time.perf_counter()
        res = sweep.run_sweep(tasks, store, workers=workers,
                              scheduler=scheduler)
        wall = time.perf_counter() - t0
        busy = sum(r.seconds for r in store.rows())
    if res.errors or res.computed != len(tasks):
        raise RuntimeError(f"sweep incomplete: {res}")
    return wall, busy


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    grid = QUICK_GRID if args.quick else GRID
    tasks = sweep.tasks_for(CLAIM, sweep.parse_grid(CLAIM, grid),
                            preset="quick", seeds=1, dps=None, certified=False)
    print(f"{CLAIM} over {grid[0]}: {len(tasks)} tasks, {os.cpu_count()} cores")
    print(f"{'engine':<24} {'wall s':>8} {'tasks s':>8} {'speed-up':>8} "
          f"{'overhead/task s':>16}")
    base = None
    for w in WORKERS:
        wall, busy = one(tasks, workers=w)
        base = base or wall
        print(f"{f'{w} local process(es)':<24} {wall:>8.2f} {busy:>8.2f} "
              f"{base / wall:>8.2f} {(wall * w - busy) / len(tasks):>16.3f}",
              flush=True)
    try:
        from distributed import LocalCluster
    except ImportError:
        print("dask.distributed not installed: LocalCluster row skipped")
        return 0
    t0 = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        start = time.perf_counter() - t0
        wall, busy = one(tasks, scheduler=cluster.scheduler_address)
    print(f"{'LocalCluster, 2 workers':<24} {wall:>8.2f} {busy:>8.2f} "
          f"{base / wall:>8.2f} {(wall * 2 - busy) / len(tasks):>16.3f}")
    print(f"(LocalCluster start-up {start:.2f} s, not counted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
