"""Figures of the paper, reproduced: a registry and the ``cmwork figure``
command.

A figure is registered with :func:`register` under the name the command
line uses (``"2"``, ``"3"``, ``"approx"``, ...).  Its builder takes
``quick`` (a size that runs in under a minute) and ``seed`` and returns a
matplotlib figure and a metadata dict: every parameter it used, those the
paper states and those it does not (named module-level constants in the
builder's module, each with a comment saying it is chosen here), and the
seed.  :func:`save` writes PNG or PDF (by the file's extension) with the
metadata embedded (PNG text chunks; the PDF's Subject and Keywords) and
beside it as ``FILE.json``, so that the figure can be reproduced from what
was printed.

Builder modules are listed in :data:`MODULES` and imported on demand; a
module that is not there yet is skipped, so ``cmwork figure`` lists only
what exists.
"""
from __future__ import annotations

import importlib
import json
import os
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Dict, Tuple

#: Modules that register figures (imported by :func:`load_all`).
MODULES = ("cmwork.figures_dynamics", "cmwork.figures_approx",
           "cmwork.figures_training")

#: Resolution of PNG output (chosen here).
DPI = 150


@dataclass
class Figure:
    name: str
    title: str
    where: str
    build: Callable[..., Tuple[Any, Dict[str, Any]]]


_REGISTRY: Dict[str, Figure] = {}


def register(name: str, title: str, where: str):
    """Decorator: ``@register("3", "Timescales of plateau", "Figure 3")``."""
    def wrap(build):
        if name in _REGISTRY and _REGISTRY[name].build is not build:
            raise ValueError(f"figure {name!r} registered twice")
        _REGISTRY[name] = Figure(name, title, where, build)
        return build
    return wrap


def load_all() -> Dict[str, Figure]:
    for mod in MODULES:
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:
                raise
    return dict(sorted(_REGISTRY.items()))


def save(fig, metadata: Dict[str, Any], path: str) -> str:
    """Write the figure (PNG or PDF by extension) and ``path + '.json'``."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in (".png", ".pdf"):
        raise ValueError(f"--out {path!r}: expected a .png or .pdf file")
    text = json.dumps(metadata, sort_keys=True, default=str)
    if ext == ".png":
        fig.savefig(path, dpi=DPI, bbox_inches="tight",
                    metadata={"Software": "cmwork", "Description": text})
    else:
        fig.savefig(path, bbox_inches="tight",
                    metadata={"Creator": "cmwork", "Subject": text[:4000],
                              "Keywords": "cmwork; curse of memory"})
    with open(path + ".json", "w") as fh:
        json.dump(metadata, fh, indent=1, sort_keys=True, default=str)
    return path


def plain(v):
    """A constant as JSON-ready metadata: Fractions as strings, tuples as
    lists, dicts entry by entry."""
    if isinstance(v, Fraction):
        return str(v)
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, tuple):
        return [plain(x) for x in v]
    return v


def check_build_args(quick, seed, quiet) -> None:
    """The three arguments every builder takes, checked."""
    if not isinstance(quick, bool):
        raise ValueError(f"quick={quick!r}: expected True or False")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed={seed!r}: expected an integer >= 0")
    if not isinstance(quiet, bool):
        raise ValueError(f"quiet={quiet!r}: expected True or False")


def matplotlib_pyplot():
    """pyplot on the Agg backend, or a clear error naming the extra."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("figures need matplotlib, which is not installed: "
                          "pip install 'cmwork[plot]'") from None
    return plt
