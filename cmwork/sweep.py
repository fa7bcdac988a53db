"""Sweeps: a claim over a grid of parameters, each point one task.

A task is a pure function of (claim id, preset, parameter overrides, seed,
precision, certified) -- the rule of DESIGN ("A claim declares its
parameters ... its check is a pure function") that lets tasks go to worker
processes on this machine or to a Dask distributed cluster and lets the
results store skip what it already has.

Grids: ``--grid NAME=V1,V2,...`` or ``--grid NAME=START:STOP:STEP`` (STOP
included when it falls on the grid; exact rational arithmetic, so
``0.1:0.5:0.1`` has five points).  A name is a parameter of the claim
(``cmwork list --params ID``) or one of its aliases; a list-valued parameter
given one grid value becomes a one-element list.  Several ``--grid`` take
the Cartesian product; ``--seeds N`` repeats every point with seeds
0..N-1.

Execution (decided here): the parent process computes which tasks the
store lacks, hands them out (a process pool of ``--workers``, or
``distributed.Client(ADDRESS).map``), and writes each verdict to the store
the moment it returns, in its own transaction.  Workers never touch the
store, so a worker killed with its task loses that task only.
"""
from __future__ import annotations

import itertools
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from .claims import UsageError, get, jsonable
from .store import Store, make_key

#: Other spellings accepted for a parameter in a grid (name -> alias list).
ALIASES = {"inv_omegas": ("omega_inv", "inv_omega")}

#: Most points one sweep may have (a typo such as 1:100000:1 is refused).
MAX_POINTS = 100_000


@dataclass(frozen=True)
class Task:
    """One grid point: everything its verdict depends on."""

    claim: str
    preset: str
    overrides: Tuple[Tuple[str, str], ...]
    seed: int
    dps: Optional[int]
    certified: bool

    def key(self) -> str:
        params = jsonable(get(self.claim).resolve(self.preset,
                                                  dict(self.overrides)))
        return make_key(self.claim, params, self.seed, self.dps,
                        self.certified)


def run_task(task: Task) -> Dict[str, Any]:
    """Run one task; returns the verdict's JSON (a worker-side function)."""
    v = get(task.claim).run(task.preset, dps=task.dps, seed=task.seed,
                            overrides=dict(task.overrides),
                            certified=task.certified)
    return v.to_json()


# ---------------------------------------------------------------------------
# grids

def parse_grid(claim_id: str, specs: Sequence[str]) -> List[Dict[str, str]]:
    """The points of ``--grid`` specs as override dicts (strings)."""
    claim = get(claim_id)
    names = {p.name for p in claim.params}
    axes: List[Tuple[str, List[str]]] = []
    for spec in specs:
        if "=" not in spec:
            raise UsageError(f"--grid {spec!r}: expected NAME=V1,V2,... or "
                             "NAME=START:STOP:STEP")
        name, values = (x.strip() for x in spec.split("=", 1))
        name = _canonical_name(name, names, claim_id, spec)
        if any(name == n for n, _ in axes):
            raise UsageError(f"--grid {spec!r}: {name} is given twice")
        points = _values(values, spec)
        for v in points:                      # domain check, one clear line
            claim.resolve("quick", {name: v})
        axes.append((name, points))
    total = 1
    for _, pts in axes:
        total *= len(pts)
    if total > MAX_POINTS:
        raise UsageError(f"--grid: {total} points; at most {MAX_POINTS}")
    return [dict(zip([n for n, _ in axes], combo))
            for combo in itertools.product(*[p for _, p in axes])]


def _canonical_name(name, names, claim_id, spec) -> str:
    if name in names:
        return name
    for real, aliases in ALIASES.items():
        if name in aliases and real in names:
            return real
    raise UsageError(f"--grid {spec!r}: {claim_id} has no parameter {name!r}; "
                     f"known: {', '.join(sorted(names))}")


def _values(text: str, spec: str) -> List[str]:
    if not text:
        raise UsageError(f"--grid {spec!r}: no values after '='")
    if ":" in text and "," not in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise UsageError(f"--grid {spec!r}: a range is START:STOP:STEP")
        try:
            start, stop, step = (Fraction(p.strip()) for p in parts)
        except (ValueError, ZeroDivisionError):
            raise UsageError(f"--grid {spec!r}: START, STOP and STEP must be "
                             "numbers") from None
        if step <= 0:
            raise UsageError(f"--grid {spec!r}: STEP must be > 0")
        if stop < start:
            raise UsageError(f"--grid {spec!r}: STOP {stop} is below START "
                             f"{start}; expected START <= STOP")
        n = int((stop - start) / step) + 1
        if n > MAX_POINTS:
            raise UsageError(f"--grid {spec!r}: {n} points; at most "
                             f"{MAX_POINTS}")
        return [_fmt(start + k * step) for k in range(n)]
    vals = [v.strip() for v in text.split(",")]
    if any(not v for v in vals):
        raise UsageError(f"--grid {spec!r}: an empty value in the list")
    return vals


def _fmt(q: Fraction) -> str:
    return str(q.numerator) if q.denominator == 1 else str(q)


def tasks_for(claim_id: str, points: Sequence[Dict[str, str]], *, preset: str,
              seeds: int, dps: Optional[int], certified: bool,
              fixed: Optional[Dict[str, str]] = None) -> List[Task]:
    """Every (point, seed) as a task; ``fixed`` overrides apply to all."""
    out = []
    for point in points:
        over = dict(fixed or {})
        over.update(point)
        for seed in range(seeds):
            out.append(Task(claim_id, preset, tuple(sorted(over.items())),
                            seed, dps, certified))
    return out


# ---------------------------------------------------------------------------
# running

@dataclass
class SweepResult:
    """What a sweep did: tasks in all, skipped (stored before), computed."""

    total: int
    skipped: int
    computed: int = 0
    failed: int = 0
    errors: List[str] = field(default_factory=list)
    seconds: float = 0.0
    engine: str = "local"


def run_sweep(tasks: Sequence[Task], store: Store, *, workers: int = 1,
              scheduler: Optional[str] = None,
              progress: Optional[Callable[[int, int, int, float], None]] = None,
              ) -> SweepResult:
    """Run the tasks the store lacks; store each verdict as it arrives."""
    start = time.perf_counter()
    have = store.keys(tasks[0].claim) if tasks else set()
    keyed = [(t.key(), t) for t in tasks]
    todo = []
    seen = set()
    for k, t in keyed:
        if k not in have and k not in seen:
            todo.append((k, t))
            seen.add(k)
    res = SweepResult(total=len(tasks), skipped=len(tasks) - len(todo))
    if not todo:
        res.engine = "nothing to run"
        res.seconds = time.perf_counter() - start
        return res

    def record(key, task, data):
        store.add(key, claim=data["claim"], params=data["params"],
                  seed=data["seed"], dps=data["dps"],
                  certified=data.get("certified", False),
                  status=data["status"], summary=data["summary"],
                  evidence={"evidence": data["evidence"],
                            "notes": data["notes"]},
                  seconds=data["seconds"],
                  source="sweep" if scheduler is None else f"sweep {scheduler}")
        res.computed += 1
        res.failed += data["status"] == "fails"
        if progress:
            progress(res.computed, len(todo), res.failed,
                     time.perf_counter() - start)

    if scheduler:
        res.engine = f"dask {scheduler}"
        _run_dask(todo, scheduler, record, res)
    elif workers <= 1:
        res.engine = "in process"
        for key, task in todo:
            try:
                data = run_task(task)
            except Exception as exc:       # a task's own failure, reported
                res.errors.append(_error(task, exc))
                continue
            record(key, task, data)
    else:
        res.engine = f"{workers} processes"
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(run_task, t): (k, t) for k, t in todo}
            for f in as_completed(futures):
                k, t = futures[f]
                try:
                    data = f.result()
                except Exception as exc:   # a task's own failure, reported
                    res.errors.append(_error(t, exc))
                    continue
                record(k, t, data)
    res.seconds = time.perf_counter() - start
    return res


def _run_dask(todo, address, record, res):
    try:
        from distributed import Client, as_completed as dask_completed
    except ImportError:
        raise UsageError("--scheduler needs dask.distributed, which is not "
                         "installed: pip install 'cmwork[dist]'") from None
    try:
        client = Client(address, timeout=10)
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"--scheduler {address!r}: no Dask scheduler answers "
                         f"there ({exc})") from None
    try:
        futures = client.map(run_task, [t for _, t in todo], pure=False)
        index = {f.key: kt for f, kt in zip(futures, todo)}
        for f in dask_completed(futures):
            k, t = index[f.key]
            try:
                data = f.result()
            except Exception as exc:
                res.errors.append(_error(t, exc))
                continue
            record(k, t, data)
    finally:
        client.close()


def _error(task: Task, exc: Exception) -> str:
    return (f"{dict(task.overrides)} seed {task.seed}: {type(exc).__name__}: "
            f"{exc}")


def default_workers() -> int:
    """The core count of this machine."""
    return max(1, os.cpu_count() or 1)
