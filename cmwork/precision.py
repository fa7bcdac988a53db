"""Working precision: budgets and scoped mpmath contexts.

mpmath keeps its precision in global state.  Every function of cmwork that
takes ``dps=`` works inside :func:`workdps` and leaves the global precision
as it found it.

The budget rule (DESIGN, "Precision"): to resolve a quantity of size
``e^{-x}`` that is obtained next to O(1) terms (the bracketed sums of
eqs. (92)-(99) cancel to it), one needs about ``x log10(e)`` digits to reach
its leading digit, then the digits wanted, then a margin for rounding in the
O(1) terms.  :func:`digits_for` computes that budget instead of guessing it.
"""
from __future__ import annotations

import contextlib
import math
from typing import Iterator

import mpmath

#: Digits used when a caller gives no precision: enough for every quantity
#: of size e^{-x} with x <= 50 at 15 significant digits.
DEFAULT_DPS = 50

#: Guard digits added on top of a budget for rounding in O(1) terms; chosen
#: here, generous against the ~2 log10(m) digits lost in a sum of m^2 terms.
MARGIN_DIGITS = 10

#: Upper limit accepted for a requested precision (cost grows like dps^1.6).
MAX_DPS = 20000


def check_dps(dps: int, name: str = "dps") -> int:
    """Return ``dps`` as an int after checking it is a usable precision."""
    if isinstance(dps, bool) or not isinstance(dps, (int,)) and not (
        isinstance(dps, float) and dps.is_integer()
    ):
        raise ValueError(f"{name}={dps!r}: expected an integer number of digits")
    dps = int(dps)
    if not 5 <= dps <= MAX_DPS:
        raise ValueError(f"{name}={dps}: allowed are 5 <= {name} <= {MAX_DPS}")
    return dps


def digits_for(exponent: float, *, digits: int = 15,
               margin: int = MARGIN_DIGITS) -> int:
    """Decimal digits needed to resolve ``e^{-exponent}`` beside O(1) terms.

    ``exponent`` is x in e^{-x} (x >= 0); ``digits`` is how many significant
    digits of the small quantity are wanted.

    >>> digits_for(0)
    25
    >>> digits_for(200, digits=15)      # 200 * log10(e) = 86.9 -> 87 digits
    112
    """
    x = float(exponent)
    if not math.isfinite(x) or x < 0:
        raise ValueError(f"exponent={exponent!r}: expected a finite number >= 0")
    if digits < 1:
        raise ValueError(f"digits={digits!r}: expected at least 1")
    return int(math.ceil(x * math.log10(math.e))) + int(digits) + int(margin)


@contextlib.contextmanager
def workdps(dps: int) -> Iterator[None]:
    """Run a block at ``dps`` decimal digits, restoring the previous setting."""
    dps = check_dps(dps)
    with mpmath.workdps(dps):
        yield


def eps(dps: int) -> mpmath.mpf:
    """Unit roundoff 10^{-dps} as an mpf (the relative error of one rounding)."""
    return mpmath.mpf(10) ** (-int(dps))


def rounded(x, dps: int):
    """``x`` rounded to ``dps`` digits (inside the context, not after it)."""
    with mpmath.workdps(dps):
        return +x
