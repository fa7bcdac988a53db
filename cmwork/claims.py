"""The claims registry and the three-valued verdict.

A claim is one statement of the paper, checked numerically or symbolically.
It declares its parameters (name, meaning, domain, default, quick and full
values) and its check is a pure function of the parameters, the precision
and the seed, so that any verdict can be recomputed from its evidence.

Verdicts (DESIGN, "Verdicts"):

* ``holds``: the evidence decides it (a sign read from a number larger than
  its error, two precisions agreeing on every digit used, an exact symbolic
  identity);
* ``fails``: with the counterexample in the evidence;
* ``inconclusive``: says why, and what would decide it.
"""
from __future__ import annotations

import importlib
import json
import pkgutil
import time
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import mpmath

HOLDS, FAILS, INCONCLUSIVE = "holds", "fails", "inconclusive"
STATUSES = (HOLDS, FAILS, INCONCLUSIVE)

#: Seed used when none is given (the seed is printed with every verdict).
DEFAULT_SEED = 0


class UsageError(ValueError):
    """A bad argument from the command line or the registry API."""


@dataclass
class Param:
    """A claim parameter: ``parse`` turns a string into a value or raises."""

    name: str
    help: str
    domain: str
    default: Any
    quick: Any = None
    full: Any = None
    parse: Callable[[str], Any] = None

    def value(self, preset: str) -> Any:
        if preset == "quick" and self.quick is not None:
            return self.quick
        if preset == "full" and self.full is not None:
            return self.full
        return self.default


@dataclass
class Verdict:
    claim: str
    status: str
    summary: str
    evidence: Dict[str, Any] = field(default_factory=dict)
    params: Dict[str, Any] = field(default_factory=dict)
    dps: Optional[int] = None
    seed: int = DEFAULT_SEED
    seconds: float = 0.0
    notes: List[str] = field(default_factory=list)
    certified: bool = False

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status={self.status!r}: expected one of "
                             f"{', '.join(STATUSES)}")

    def to_json(self) -> Dict[str, Any]:
        return jsonable(asdict(self))


@dataclass
class Claim:
    id: str
    title: str
    where: str
    statement: str
    params: Sequence[Param]
    check: Callable[..., Verdict]
    kind: str = "numeric"          # or "symbolic"
    #: whether ``check`` accepts ``certified=True`` (ball arithmetic)
    certifiable: bool = False

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise UsageError(f"{self.id}: unknown parameter {name!r}; "
                         f"known: {', '.join(p.name for p in self.params)}")

    def resolve(self, preset: str = "quick",
                overrides: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
        if preset not in ("quick", "default", "full"):
            raise UsageError(f"preset={preset!r}: expected quick, default or "
                             "full")
        values = {p.name: p.value(preset) for p in self.params}
        for name, text in (overrides or {}).items():
            p = self.param(name)
            try:
                values[name] = p.parse(text) if p.parse else text
            except (ValueError, TypeError) as exc:
                raise UsageError(f"{self.id}: {name}={text!r}: {exc}; allowed: "
                                 f"{p.domain}") from None
        return values

    def run(self, preset: str = "quick", *, dps: Optional[int] = None,
            seed: int = DEFAULT_SEED, overrides=None, certified: bool = False,
            **statement) -> Verdict:
        """Run the check; times it and fills in parameters, seed and dps.

        ``certified=True`` runs the ball-arithmetic tier (python-flint); a
        claim without one raises :class:`UsageError`.
        """
        params = self.resolve(preset, overrides)
        if certified:
            if not self.certifiable:
                raise UsageError(
                    f"{self.id} has no certified check; certified claims: "
                    f"{', '.join(c.id for c in _REGISTRY.values() if c.certifiable)}")
            from . import certified as _cert
            _cert._flint()                 # MissingExtra if not installed
            statement = dict(statement, certified=True)
        start = time.perf_counter()
        verdict = self.check(params, dps=dps, seed=seed, **statement)
        verdict.seconds = round(time.perf_counter() - start, 3)
        verdict.params = jsonable(params)
        verdict.seed = seed
        verdict.claim = self.id
        return verdict


_REGISTRY: Dict[str, Claim] = {}


def register(claim: Claim) -> Claim:
    if claim.id in _REGISTRY and _REGISTRY[claim.id] is not claim:
        raise ValueError(f"claim {claim.id!r} registered twice")
    _REGISTRY[claim.id] = claim
    return claim


def load_all() -> Dict[str, Claim]:
    """Import every module of the ``checks`` package; return the registry."""
    import checks
    for info in pkgutil.iter_modules(checks.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"checks.{info.name}")
    return dict(sorted(_REGISTRY.items(), key=lambda kv: _paper_order(kv[0])))


def get(claim_id: str) -> Claim:
    claims = load_all()
    if claim_id not in claims:
        raise UsageError(f"unknown claim {claim_id!r}; known: "
                         f"{', '.join(claims)}")
    return claims[claim_id]


_ORDER = ["prop-3.1", "lemma-3.1", "lemma-3.2", "thm-3.1", "thm-3.3", "eq-72",
          "lemma-4.1", "eq-92-99", "prop-4.1", "prop-4.2", "prop-4.3",
          "prop-4.4", "remark-4.6", "thm-4.1", "remark-4.7",
          "lemma-a.1", "thm-a.1", "thm-a.2", "lemma-a.2", "thm-a.3", "thm-a.4",
          "thm-a.5", "thm-a.6", "thm-a.7", "prop-a.1", "appendix-b",
          "fig-1", "fig-4"]


def _paper_order(cid: str):
    return (_ORDER.index(cid), cid) if cid in _ORDER else (len(_ORDER), cid)


# ---------------------------------------------------------------------------
# parsing and serialising

def parse_number(text: str) -> Fraction:
    """An exact number from '0.05', '1/20' or '3'."""
    try:
        return Fraction(str(text).strip())
    except (ValueError, ZeroDivisionError):
        raise ValueError("expected a number such as 3, 0.05 or 1/20") from None


def parse_list(item: Callable[[str], Any]) -> Callable[[str], Tuple]:
    def parse(text: str) -> Tuple:
        parts = [x for x in str(text).split(",") if x.strip()]
        if not parts:
            raise ValueError("expected a comma-separated list")
        return tuple(item(x) for x in parts)
    return parse


def parse_int(text: str) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise ValueError("expected an integer") from None


def jsonable(x):
    """Evidence made JSON-safe: mpf as strings with all their digits."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, mpmath.mpf):
        return mpmath.nstr(x, max(17, mpmath.mp.dps), min_fixed=-4,
                           max_fixed=6) if mpmath.isfinite(x) else str(x)
    if isinstance(x, Fraction):
        return str(x)
    if isinstance(x, (bool, int, str)) or x is None:
        return x
    if isinstance(x, float):
        return x
    try:                                    # numpy scalars
        return x.item()
    except AttributeError:
        return str(x)


def dumps(verdicts: Sequence[Verdict]) -> str:
    return json.dumps([v.to_json() for v in verdicts], indent=2)
