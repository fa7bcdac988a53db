"""The ``cmwork`` command line.

    cmwork list [--params ID]          claims, their place in the paper, status
    cmwork check [ID ...]              run claims; a table; exit 1 if any fails
          --quick | --full | --default preset sizes (quick is the default)
          --json FILE, --dps N, --seed N, --set NAME=VALUE, --certified,
          --store PATH, --no-store     (verdicts are recorded in the store)
    cmwork sweep ID --grid ...         a claim over a grid (cmwork.cli_results)
    cmwork results ID [--csv FILE]     what the store holds
    cmwork report --out DIR            one offline HTML page
    cmwork errata                      where the printed paper differs from
                                       the derivations
    cmwork derive ID [--latex FILE]    print a derivation; or write it as a
                                       standalone LaTeX document
    cmwork derive --all [--latex FILE] [--verdicts JSON]
                                       every derivation; one document with a
                                       table of verdicts and the errata

Errors in what was typed end in one line on stderr and exit status 2.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from typing import List, Optional

from . import __version__
from .claims import (DEFAULT_SEED, FAILS, UsageError, dumps, get, load_all)
from .precision import MAX_DPS
from .report import CERTIFIED_LEGEND, table_header, table_row, tally

#: Every claim id of the paper (DESIGN, "Claim ids"), implemented or not.
PAPER_CLAIMS = [
    ("prop-3.1", "Section 3.1, Proposition 3.1"),
    ("lemma-3.1", "Section 3.1, Lemma 3.1"),
    ("lemma-3.2", "Section 3.1, Lemma 3.2"),
    ("thm-3.1", "Section 3.1, Theorem 3.1"),
    ("thm-3.3", "Section 3.2, Theorem 3.3"),
    ("eq-72", "Section 3.3, eq. (72)"),
    ("lemma-4.1", ""), ("eq-92-99", ""), ("prop-4.1", ""), ("prop-4.2", ""),
    ("prop-4.3", ""), ("prop-4.4", ""), ("remark-4.6", ""),
    ("thm-4.1", "Section 4.2.2 (4), Theorem 4.1"),
    ("remark-4.7", "Section 4.2.2 (4), Remark 4.7"),
    ("lemma-a.1", "Appendix A, Lemma A.1"), ("lemma-a.2", "Appendix A, Lemma A.2"),
    ("thm-a.1", "Appendix A, Theorem A.1"), ("thm-a.2", "Appendix A, Theorem A.2"),
    ("thm-a.3", "Appendix A, Theorem A.3"), ("thm-a.4", "Appendix A, Theorem A.4"),
    ("thm-a.5", "Appendix A, Theorem A.5"), ("thm-a.6", "Appendix A, Theorem A.6"),
    ("thm-a.7", "Appendix A, Theorem A.7"), ("prop-a.1", "Appendix A, Prop. A.1"),
    ("appendix-b", "Appendix B"),
    ("fig-1", "Figure 1"), ("fig-2", "Figure 2"), ("fig-3", "Figure 3"),
    ("fig-4", "Figure 4"),
]


class _Parser(argparse.ArgumentParser):
    def error(self, message):            # one line, exit 2
        raise UsageError(message)


def _build() -> argparse.ArgumentParser:
    p = _Parser(prog="cmwork", description="Checks of 'On the Curse of Memory "
                "in Recurrent Neural Networks' (Li, Han, E, Li).")
    p.add_argument("--version", action="version", version=f"cmwork {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    q = sub.add_parser("list", help="claims and their status")
    q.add_argument("--params", metavar="ID", help="parameters of one claim")

    c = sub.add_parser("check", help="run claims and print verdicts")
    c.add_argument("ids", nargs="*", metavar="ID")
    size = c.add_mutually_exclusive_group()
    size.add_argument("--quick", dest="preset", action="store_const",
                      const="quick", help="small sizes (the default)")
    size.add_argument("--default", dest="preset", action="store_const",
                      const="default", help="the claims' default sizes")
    size.add_argument("--full", dest="preset", action="store_const",
                      const="full", help="large sizes (minutes)")
    c.add_argument("--json", metavar="FILE", help="write verdicts as JSON")
    c.add_argument("--dps", type=_dps, help="base decimal digits (default: "
                   "each claim's own budget)")
    c.add_argument("--seed", type=_seed, default=DEFAULT_SEED)
    c.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="override a parameter (one claim only)")
    c.add_argument("--certified", action="store_true",
                   help="prove signs and counts in ball arithmetic "
                   "(python-flint, extra 'cert'); default: the certifiable "
                   "claims")

    c.add_argument("--store", metavar="PATH", help="results database "
                   "(default: $CMWORK_STORE or the user's cache folder)")
    c.add_argument("--no-store", action="store_true",
                   help="do not record the verdicts")
    c.add_argument("--quiet", action="store_true",
                   help="no progress bar on the terminal")

    sub.add_parser("errata", help="where the printed paper differs")

    from .cli_results import add_parsers
    add_parsers(sub, _positive)

    d = sub.add_parser("derive", help="print a derivation or export LaTeX")
    d.add_argument("id", metavar="ID", nargs="?")
    d.add_argument("--all", action="store_true",
                   help="every derivation (one document with --latex)")
    d.add_argument("--latex", metavar="FILE",
                   help="write a standalone LaTeX document")
    d.add_argument("--verdicts", metavar="JSON",
                   help="with --all: the verdict table from this "
                   "'cmwork check --json' file (default: run the quick checks)")
    return p


def _dps(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--dps {text!r}: expected an integer")
    if not 5 <= v <= MAX_DPS:
        raise argparse.ArgumentTypeError(
            f"--dps {v}: allowed are 5 <= dps <= {MAX_DPS}")
    return v


def _positive(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected an integer")
    if v < 1:
        raise argparse.ArgumentTypeError(f"{v}: expected an integer >= 1")
    return v


def _seed(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--seed {text!r}: expected an integer")
    if v < 0:
        raise argparse.ArgumentTypeError(f"--seed {v}: expected >= 0")
    return v


def main(argv: Optional[List[str]] = None) -> int:
    try:
        args = _build().parse_args(argv)
        if args.command is None:
            _build().print_help()
            return 2
        if getattr(args, "handler", None):
            return args.handler(args)
        return {"list": _list, "check": _check, "errata": _errata,
                "derive": _derive}[args.command](args)
    except UsageError as exc:
        print(f"cmwork: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cmwork: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:             # output piped into head, less, ...
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except ImportError as exc:          # an optional extra that is missing
        print(f"cmwork: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:            # a defect of cmwork, not of the input
        if os.environ.get("CMWORK_DEBUG"):
            raise
        print(f"cmwork: internal error: {type(exc).__name__}: {exc} (a defect "
              "of cmwork; CMWORK_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 3


def _list(args) -> int:
    claims = load_all()
    if args.params:
        claim = get(args.params)
        print(f"{claim.id}: {claim.title}\n  {claim.where}\n  {claim.statement}")
        k = max([12] + [len(p.name) for p in claim.params])
        print(f"\n  {'name':<{k}} {'default':<24} {'quick':<24} {'full':<24} "
              "domain")
        for p in claim.params:
            print(f"  {p.name:<{k}} {_fmt(p.default):<24} "
                  f"{_fmt(p.value('quick')):<24} {_fmt(p.value('full')):<24} "
                  f"{p.domain}")
        return 0
    for cid, where in PAPER_CLAIMS:
        if cid in claims:
            c = claims[cid]
            cert = "  [--certified]" if c.certifiable else ""
            print(f"{cid:<11} implemented      {c.where}{cert}\n"
                  f"{'':<29}{c.title}")
        else:
            print(f"{cid:<11} not implemented  {where}")
    return 0


def _fmt(v) -> str:
    if isinstance(v, (tuple, list)):
        return ",".join(str(x) for x in v)
    return str(v)


def _check(args) -> int:
    claims = load_all()
    ids = args.ids or [c for c in claims
                       if not args.certified or claims[c].certifiable]
    for cid in ids:
        get(cid)                                   # unknown id: exit 2
    if args.certified:
        from . import certified
        if not certified.available():
            raise UsageError("--certified needs python-flint, which is not "
                             f"installed: {certified.INSTALL_HINT}")
        for cid in ids:
            if not claims[cid].certifiable:
                raise UsageError(
                    f"--certified: {cid} has no certified check; certified "
                    "claims: " + ", ".join(c for c in claims
                                           if claims[c].certifiable))
    from .cli_results import parse_sets
    overrides = parse_sets(args.set)
    if overrides and len(ids) != 1:
        raise UsageError("--set needs exactly one claim ID")
    preset = args.preset or "quick"
    for cid in ids:                                 # validate before running
        claims[cid].resolve(preset, overrides)
    if args.json:
        _check_writable(args.json)
    print(f"cmwork {__version__}: {len(ids)} claim(s), preset {preset}, "
          f"seed {args.seed}" + (f", dps {args.dps}" if args.dps else "")
          + (", certified (ball arithmetic)" if args.certified else ""))
    print(table_header())
    store = None
    if not args.no_store:
        from .cli_results import open_store
        store = open_store(args.store)
    verdicts, start = [], time.perf_counter()
    from .progress import Progress
    bar = Progress("check", quiet=args.quiet)
    for i, cid in enumerate(ids):
        bar.label = f"check {cid}"
        bar.update(i, len(ids), sum(v.status == FAILS for v in verdicts),
                   time.perf_counter() - start)
        try:
            v = claims[cid].run(preset, dps=args.dps, seed=args.seed,
                                overrides=overrides, certified=args.certified)
        except ValueError as exc:          # parameters the library refused
            raise UsageError(f"{cid}: {exc}") from None
        bar.close()
        verdicts.append(v)
        if store is not None:
            store.add_verdict(v, dps=args.dps, source="check")
        print(table_row(v), flush=True)
    print(f"{tally(verdicts)} in {time.perf_counter() - start:.1f}s")
    if any(v.certified for v in verdicts):
        print(CERTIFIED_LEGEND)
    if args.json:
        try:
            with open(args.json, "w") as fh:
                fh.write(dumps(verdicts) + "\n")
        except OSError as exc:
            raise UsageError(f"--json {args.json!r}: {exc.strerror}") from None
    return 1 if any(v.status == FAILS for v in verdicts) else 0


def _check_writable(path: str, option: str = "--json") -> None:
    """Refuse an unwritable output FILE before a long run, not after it."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise UsageError(f"{option} {path!r}: is a folder, expected a file")
    if not os.path.isdir(folder):
        raise UsageError(f"{option} {path!r}: folder {folder!r} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"{option} {path!r}: folder {folder!r} is not "
                         "writable")


def _errata(args) -> int:
    import sympy as sp
    from proofs import all_derivations
    found = 0
    for d in all_derivations():
        for s in d.errata:
            found += 1
            print(f"[{found}] {s.where}  ({d.id})")
            print(f"    printed: {sp.sstr(s.printed)}")
            print(f"    derived: {sp.sstr(s.derived)}")
            if s.note:
                print(f"    note:    {s.note}")
    print(f"{found} difference(s) between the printed paper and the derivations")
    return 0


def _derive(args) -> int:
    from proofs import all_derivations
    derivations = all_derivations()
    known = {d.id: d for d in derivations}
    if args.all == bool(args.id):
        raise UsageError("derive: give one derivation ID or --all; known: "
                         f"{', '.join(sorted(known))}")
    if args.id and args.id not in known:
        raise UsageError(f"no derivation {args.id!r}; known: "
                         f"{', '.join(sorted(known))}")
    if args.verdicts and not args.all:
        raise UsageError("--verdicts goes with --all")
    chosen = derivations if args.all else [known[args.id]]
    if not args.latex:
        print("\n\n".join(d.text() for d in chosen))
        return 0
    _check_writable(args.latex, "--latex")
    from . import latex
    if args.all:
        verdicts = _verdicts_for_document(args.verdicts)
        tex = latex.document(chosen, title="Derivations checked by cmwork: "
                             "On the Curse of Memory in Recurrent Neural "
                             "Networks (Li, Han, E, Li)", verdicts=verdicts)
    else:
        tex = latex.document(chosen, title=f"{chosen[0].title} "
                             f"({chosen[0].where})")
    with open(args.latex, "w") as fh:
        fh.write(tex)
    print(f"wrote {args.latex}: {len(chosen)} derivation(s), "
          f"{sum(len(d.steps) for d in chosen)} steps, "
          f"{sum(len(d.errata) for d in chosen)} erratum/errata; "
          f"compile with: pdflatex {args.latex} (twice, for the references)")
    return 0


def _verdicts_for_document(path: Optional[str]):
    """Verdicts from a 'check --json' file, or the quick checks run now."""
    from .claims import Verdict
    if path:
        import json
        try:
            with open(path) as fh:
                data = json.load(fh)
            return [Verdict(claim=x["claim"], status=x["status"],
                            summary=x["summary"], dps=x.get("dps"),
                            seed=x.get("seed", 0),
                            certified=bool(x.get("certified")))
                    for x in data]
        except OSError as exc:
            raise UsageError(f"--verdicts {path!r}: {exc.strerror}") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise UsageError(f"--verdicts {path!r}: not a 'cmwork check "
                             f"--json' file ({exc})") from None
    claims = load_all()
    out = []
    for cid in claims:
        if sys.stderr.isatty():
            print(f"  checking {cid} for the verdict table ...", end="\r",
                  file=sys.stderr, flush=True)
        out.append(claims[cid].run("quick"))
    return out


if __name__ == "__main__":
    sys.exit(main())
