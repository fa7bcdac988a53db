"""Derivations as lists of steps, and the errata they find.

A step is an equation built in SymPy with a one-line justification and a
record of how it was verified: ``symbolic`` (the difference simplified to
zero) or ``numeric`` (agreement at random points in high precision, said as
such, where simplification does not close).  A step that compares with the
paper carries the printed expression; when the two differ, the step is an
erratum: paper's expression, derived expression, where.

For the LaTeX export (:mod:`cmwork.latex`) a step may also carry its
left-hand side, justification and note in LaTeX (``lhs_tex``,
``justification_tex``, ``note_tex``) and a derivation its introduction
(``intro_tex``); where they are missing the plain-text fields are
translated.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import List, Optional

import mpmath
import sympy as sp

#: Random points and digits used when simplification does not close.
NUMERIC_POINTS = 5
NUMERIC_DPS = 50


@dataclass
class Step:
    where: str                      # "eq. (92)", "Remark 4.6, entry (3,3)"
    lhs: sp.Expr
    derived: sp.Expr
    justification: str
    printed: Optional[sp.Expr] = None
    verified: str = ""              # "symbolic", "numeric", "differs"
    matches: Optional[bool] = None
    note: str = ""
    #: what ``printed`` is, when it is not a formula of the paper
    versus: str = "the paper"
    lhs_tex: str = ""               # e.g. r"\frac{\partial J_m}{\partial a_k}"
    justification_tex: str = ""
    note_tex: str = ""
    #: the right-hand side as the document shows it, when SymPy's own
    #: printing of ``derived`` would be unreadable (it must state an
    #: expression that the step verified equal to ``derived``)
    display_tex: str = ""

    def compare(self) -> "Step":
        if self.printed is None:
            self.verified = self.verified or "derived"
            return self
        self.matches, self.verified = equal(self.printed, self.derived)
        return self


@dataclass
class Derivation:
    id: str
    title: str
    where: str
    steps: List[Step] = field(default_factory=list)
    title_tex: str = ""
    intro_tex: str = ""

    def add(self, step: Step) -> Step:
        self.steps.append(step.compare())
        return step

    @property
    def errata(self) -> List[Step]:
        """Steps whose derivation differs from the printed paper."""
        return [s for s in self.steps
                if s.matches is False and s.versus == "the paper"]

    @property
    def all_match(self) -> bool:
        return all(s.matches is not False for s in self.steps)

    def text(self) -> str:
        lines = [f"{self.id}: {self.title} ({self.where})"]
        for i, s in enumerate(self.steps, 1):
            mark = {True: f"matches {s.versus}",
                    False: f"DIFFERS from {s.versus}",
                    None: s.verified}[s.matches]
            lines.append(f"  ({i}) {s.where}: {sp.sstr(s.lhs)} = "
                         f"{sp.sstr(s.derived)}")
            lines.append(f"      {s.justification}; {mark}"
                         + (f" [{s.verified}]" if s.matches is not None else ""))
            if s.matches is False:
                lines.append(f"      printed: {sp.sstr(s.printed)}")
            if s.note:
                lines.append(f"      note: {s.note}")
        return "\n".join(lines)


def equal(a, b):
    """(True/False, how): symbolic simplification, else random points.

    Matrices are compared entry by entry.
    """
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
        a, b = sp.Matrix(a), sp.Matrix(b)
        if a.shape != b.shape:
            return False, "shape"
        hows = []
        for x, y in zip(a, b):
            ok, how = equal(x, y)
            if not ok:
                return False, how
            hows.append(how)
        return True, "numeric" if "numeric" in hows else "symbolic"
    diff = sp.simplify(sp.expand(a - b))
    if diff == 0:
        return True, "symbolic"
    free = sorted(diff.free_symbols, key=str)
    if not free:
        return False, "symbolic"
    f = sp.lambdify(free, diff, modules="mpmath")
    rng = random.Random(20200917)
    with mpmath.workdps(NUMERIC_DPS):
        for _ in range(NUMERIC_POINTS):
            vals = [mpmath.mpf(rng.uniform(0.3, 2.0)) for _ in free]
            scale = max(1, max(abs(v) for v in vals))
            if abs(f(*vals)) > mpmath.mpf(10) ** (-NUMERIC_DPS + 10) * scale:
                return False, "symbolic"
    return True, "numeric"
