"""SymPy derivations, one module per result of the paper.

Each module has ``derive() -> cmwork.derivation.Derivation``; steps that
compare with the paper's printed formulas feed ``cmwork errata``.
"""
import importlib
import pkgutil


def all_derivations():
    """Every module's derivation, in module order."""
    out = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            out.append(importlib.import_module(f"proofs.{info.name}").derive())
    return out
