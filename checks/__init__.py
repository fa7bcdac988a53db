"""Numeric and symbolic checks, one module per result of the paper.

Importing a module registers its claim in :mod:`cmwork.claims`.
"""
