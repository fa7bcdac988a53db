"""Verdicts for people (a terminal table) and for programs (JSON)."""
from __future__ import annotations

import shutil
import textwrap
from typing import List, Sequence

from .claims import Verdict

_MARK = {"holds": "holds", "fails": "FAILS", "inconclusive": "inconclusive"}
_CERT = {"holds": "holds*", "fails": "FAILS*", "inconclusive": "inconclusive"}

#: Printed under a table that has certified verdicts.
CERTIFIED_LEGEND = ("* certified: every number the verdict rests on is a "
                    "rigorous ball-arithmetic enclosure")


def table_header() -> str:
    return f"{'claim':<11} {'verdict':<12} {'time':>7} {'digits':>6}  summary"


def table_row(v: Verdict, width: int = None) -> str:
    width = width or shutil.get_terminal_size((100, 20)).columns
    mark = (_CERT if v.certified else _MARK)[v.status]
    head = (f"{v.claim:<11} {mark:<12} {v.seconds:>6.1f}s "
            f"{v.dps if v.dps is not None else '-':>6}  ")
    body = textwrap.wrap(v.summary, max(30, width - len(head))) or [""]
    lines = [head + body[0]] + [" " * len(head) + b for b in body[1:]]
    for note in v.notes:
        for i, part in enumerate(textwrap.wrap("note: " + note,
                                               max(30, width - len(head)))):
            lines.append(" " * len(head) + part)
    return "\n".join(lines)


def table(verdicts: Sequence[Verdict]) -> str:
    return "\n".join([table_header()] + [table_row(v) for v in verdicts])


def tally(verdicts: List[Verdict]) -> str:
    counts = {s: sum(v.status == s for v in verdicts)
              for s in ("holds", "fails", "inconclusive")}
    return (f"{counts['holds']} holds, {counts['fails']} fails, "
            f"{counts['inconclusive']} inconclusive")
