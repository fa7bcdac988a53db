"""The ``sweep``, ``results`` and ``report`` subcommands of ``cmwork``.

    cmwork sweep ID --grid NAME=V1,V2,... | NAME=START:STOP:STEP [--grid ...]
          [--seeds N] [--workers N] [--scheduler tcp://HOST:PORT]
          [--quick|--default|--full] [--dps N] [--certified] [--set NAME=VALUE]
          [--store PATH] [--quiet]
    cmwork results ID [--csv FILE|-] [--store PATH]
    cmwork report --out DIR [--store PATH]

Errors in what was typed end in one line and exit status 2 (the rest of
the command line lives in :mod:`cmwork.cli`).
"""
from __future__ import annotations

import os
import sys
from typing import Optional

from .claims import UsageError, get, load_all
from .progress import Progress
from .store import Store, to_csv


def add_parsers(sub, positive_int) -> None:
    """Register the three subcommands on the main parser's subparsers."""
    s = sub.add_parser("sweep", help="a claim over a grid; results stored")
    s.add_argument("id", metavar="ID")
    s.add_argument("--grid", action="append", default=[], metavar="SPEC",
                   help="NAME=V1,V2,... or NAME=START:STOP:STEP (repeatable)")
    s.add_argument("--seeds", type=positive_int, default=1, metavar="N",
                   help="seeds 0..N-1 at every point (default 1)")
    s.add_argument("--workers", type=positive_int, default=None, metavar="N",
                   help="processes on this machine (default: the core count)")
    s.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on a Dask cluster, e.g. tcp://127.0.0.1:8786")
    size = s.add_mutually_exclusive_group()
    for name in ("quick", "default", "full"):
        size.add_argument(f"--{name}", dest="preset", action="store_const",
                          const=name)
    s.add_argument("--dps", type=positive_int, default=None)
    s.add_argument("--certified", action="store_true")
    s.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter fixed at every point")
    s.add_argument("--store", metavar="PATH", help="results database")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(handler=_sweep)

    r = sub.add_parser("results", help="what the store holds for a claim")
    r.add_argument("id", metavar="ID", nargs="?")
    r.add_argument("--csv", metavar="FILE", help="export as CSV ('-': stdout)")
    r.add_argument("--store", metavar="PATH")
    r.set_defaults(handler=_results)

    f = sub.add_parser("figure", help="reproduce a figure of the paper")
    f.add_argument("name", metavar="NAME", nargs="?",
                   help="figure name (omit to list them)")
    f.add_argument("--out", metavar="FILE",
                   help="PNG or PDF to write (default: figure-NAME.png)")
    f.add_argument("--quick", action="store_true",
                   help="a small size that runs in under a minute")
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--quiet", action="store_true")
    f.set_defaults(handler=_figure)

    p = sub.add_parser("report", help="one offline HTML page of every verdict")
    p.add_argument("--out", metavar="DIR", required=True)
    p.add_argument("--store", metavar="PATH")
    p.add_argument("--no-pdf", action="store_true",
                   help="do not compile the derivations' LaTeX")
    p.set_defaults(handler=_report)


def open_store(path: Optional[str]) -> Store:
    try:
        return Store(path)
    except ValueError as exc:
        raise UsageError(f"--store: {exc}") from None


def parse_sets(items):
    """``--set NAME=VALUE`` options as a dict of strings."""
    out = {}
    for item in items:
        if "=" not in item:
            raise UsageError(f"--set {item!r}: expected NAME=VALUE")
        name, value = item.split("=", 1)
        out[name.strip()] = value.strip()
    return out


def _sweep(args) -> int:
    from . import sweep
    claims = load_all()
    get(args.id)
    if not args.grid:
        raise UsageError("sweep: give at least one --grid NAME=VALUES")
    if args.certified:
        from . import certified
        if not claims[args.id].certifiable:
            raise UsageError(f"--certified: {args.id} has no certified check")
        if not certified.available():
            raise UsageError("--certified needs python-flint, which is not "
                             f"installed: {certified.INSTALL_HINT}")
    fixed = parse_sets(args.set)
    preset = args.preset or "quick"
    claims[args.id].resolve(preset, fixed)
    points = sweep.parse_grid(args.id, args.grid)
    clash = set(fixed) & {k for p in points[:1] for k in p}
    if clash:
        raise UsageError(f"--set and --grid both give {', '.join(sorted(clash))}")
    tasks = sweep.tasks_for(args.id, points, preset=preset, seeds=args.seeds,
                            dps=args.dps, certified=args.certified,
                            fixed=fixed)
    store = open_store(args.store)
    workers = args.workers or sweep.default_workers()
    bar = Progress(f"sweep {args.id}", quiet=args.quiet)
    try:
        res = sweep.run_sweep(tasks, store, workers=workers,
                              scheduler=args.scheduler, progress=bar.update)
    finally:
        bar.close()
    print(f"sweep {args.id}: {res.total} task(s), {res.skipped} already "
          f"stored, {res.computed} computed ({res.failed} fails) on "
          f"{res.engine} in {res.seconds:.1f}s; store {store.path}")
    for e in res.errors:
        print(f"  error: {e}", file=sys.stderr)
    return 1 if res.failed or res.errors else 0


def _results(args) -> int:
    store = open_store(args.store)
    if args.id:
        get(args.id)
    rows = store.rows(args.id)
    if args.csv:
        text = to_csv(rows)
        if args.csv == "-":
            sys.stdout.write(text)
        else:
            try:
                with open(args.csv, "w", newline="") as fh:
                    fh.write(text)
            except OSError as exc:
                raise UsageError(f"--csv {args.csv!r}: {exc.strerror}") from None
            print(f"wrote {len(rows)} row(s) to {args.csv}")
        return 0
    if not rows:
        print(f"no stored results{' for ' + args.id if args.id else ''} in "
              f"{store.path}")
        return 0
    print(f"{len(rows)} stored result(s) in {store.path}")
    print(f"{'claim':<11} {'verdict':<12} {'seed':>4} {'digits':>6} "
          f"{'time':>7}  {'source':<8} parameters / summary")
    for r in rows:
        changed = _varying(rows, r)
        print(f"{r.claim:<11} {r.status + ('*' if r.certified else ''):<12} "
              f"{r.seed:>4} {r.dps if r.dps is not None else '-':>6} "
              f"{r.seconds:>6.1f}s  {r.source.split()[0]:<8} {changed}")
        print(f"{'':<54}{r.summary[:100]}")
    return 0


def _varying(rows, r) -> str:
    """The parameters that differ across the rows of one claim."""
    same = [x for x in rows if x.claim == r.claim]
    keys = sorted({k for x in same for k in x.params
                   if any(y.params.get(k) != x.params.get(k) for y in same)})
    return ", ".join(f"{k}={_short(r.params.get(k))}" for k in keys) or "-"


def _short(v) -> str:
    if isinstance(v, list):
        return ",".join(str(x) for x in v)
    return str(v)


def _figure(args) -> int:
    from . import figures
    known = figures.load_all()
    if not args.name:
        if not known:
            print("no figure is implemented yet")
        for f in known.values():
            print(f"{f.name:<8} {f.where:<12} {f.title}")
        return 0
    if args.name not in known:
        raise UsageError(f"no figure {args.name!r}; known: "
                         f"{', '.join(known) or 'none yet'}")
    out = args.out or f"figure-{args.name}.png"
    if os.path.splitext(out)[1].lower() not in (".png", ".pdf"):
        raise UsageError(f"--out {out!r}: expected a .png or .pdf file")
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        raise UsageError(f"--out {out!r}: folder {folder!r} does not exist")
    if args.seed < 0:
        raise UsageError(f"--seed {args.seed}: expected >= 0")
    try:
        fig, meta = known[args.name].build(quick=args.quick, seed=args.seed,
                                           quiet=args.quiet)
    except ValueError as exc:              # arguments the builder refused
        raise UsageError(f"figure {args.name}: {exc}") from None
    meta = dict(meta, figure=args.name, seed=args.seed, quick=args.quick)
    figures.save(fig, meta, out)
    print(f"wrote {out} (metadata in {out}.json)")
    for note in meta.get("notes", []):
        print(f"  note: {note}")
    return 0


def _report(args) -> int:
    from .html_report import write_report
    store = open_store(args.store)
    out = args.out
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"--out {out!r}: exists and is not a folder")
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {out!r}: {exc.strerror}") from None
    path, info = write_report(out, store, compile_pdf=not args.no_pdf)
    print(f"wrote {path}: {info}")
    return 0
