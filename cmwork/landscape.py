"""Partitions and the affine spaces M*_P (Definition 4.1, Remark 4.4).

A partition P of {1..m} into m* blocks I_1..I_{m*} is labelled: block I_j
is attached to the exponent w*_j.  On

    M*_P = {(a_hat, w_hat): w_hat_i = w*_j for i in I_j,
                            sum_{i in I_j} a_hat_i = a*_j}

the model equals rho_bar.  There are m*! S(m, m*) such partitions (S the
Stirling number of the second kind), and each M*_P has dimension m - m*.
Indices are 0-based in code and 1-based in printed output.
"""
from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from typing import Iterator, List, Sequence, Tuple

import mpmath
from mpmath import mpf

from .targets import MemoryTarget

#: Grid of the random free coordinates of a point on M*_P: multiples of
#: 2^-_POINT_BITS, so that points are exact binary numbers (chosen here).
_POINT_BITS = 20


def stirling2(m: int, k: int) -> int:
    """Stirling number of the second kind S(m, k), exact.

    >>> [stirling2(5, k) for k in range(6)]
    [0, 1, 15, 25, 10, 1]
    """
    if m < 0 or k < 0:
        raise ValueError(f"stirling2({m}, {k}): expected m, k >= 0")
    row = [1] + [0] * k          # S(0, j)
    for n in range(1, m + 1):
        new = [0] * (k + 1)
        for j in range(1, k + 1):
            new[j] = j * row[j] + row[j - 1]
        row = new
    return row[k] if m > 0 or k == 0 else int(k == 0)


def count_affine_spaces(m: int, m_star: int) -> int:
    """m*! S(m, m*), the number of affine spaces M*_P (Remark 4.4)."""
    _check_sizes(m, m_star)
    return math.factorial(m_star) * stirling2(m, m_star)


def _check_sizes(m, m_star):
    for name, v in (("m", m), ("m_star", m_star)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{name}={v!r}: expected an integer >= 1")
    if m < m_star:
        raise ValueError(f"m={m}: expected m >= m_star = {m_star}")


@dataclass(frozen=True)
class Partition:
    """Labelled partition: ``blocks[j]`` is I_{j+1}, 0-based indices."""

    blocks: Tuple[Tuple[int, ...], ...]

    def __post_init__(self):
        blocks = self.blocks
        if not isinstance(blocks, tuple) or not blocks:
            raise ValueError(f"partition={blocks!r}: expected non-empty blocks")
        seen = []
        for j, b in enumerate(blocks):
            if not b:
                raise ValueError(f"partition={self.pretty()}: block {j + 1} "
                                 "is empty; every block needs an index")
            seen.extend(b)
        m = len(seen)
        if sorted(seen) != list(range(m)):
            raise ValueError(f"partition={self.pretty()}: expected every index "
                             f"1..{m} exactly once")

    @classmethod
    def from_blocks(cls, blocks: Sequence[Sequence[int]], *, base: int = 1):
        """From blocks of indices (1-based by default, as in the paper)."""
        try:
            bl = tuple(tuple(sorted(int(i) - base for i in b)) for b in blocks)
        except (TypeError, ValueError):
            raise ValueError(f"partition={blocks!r}: expected blocks of "
                             "integer indices") from None
        return cls(bl)

    @classmethod
    def from_labels(cls, labels: Sequence[int], m_star: int):
        """From labels[i] = j (0-based) meaning index i is in block I_{j+1}."""
        blocks = [[] for _ in range(m_star)]
        for i, j in enumerate(labels):
            if not 0 <= j < m_star:
                raise ValueError(f"labels[{i}]={j}: expected 0 <= label < "
                                 f"{m_star}")
            blocks[j].append(i)
        return cls(tuple(tuple(b) for b in blocks))

    @property
    def m(self) -> int:
        return sum(len(b) for b in self.blocks)

    @property
    def m_star(self) -> int:
        return len(self.blocks)

    def labels(self) -> List[int]:
        out = [0] * self.m
        for j, b in enumerate(self.blocks):
            for i in b:
                out[i] = j
        return out

    def pretty(self) -> str:
        return "{" + ", ".join("{" + ",".join(str(i + 1) for i in b) + "}"
                               for b in self.blocks) + "}"


def partitions(m: int, m_star: int) -> Iterator[Partition]:
    """Every labelled partition of {1..m} into m* non-empty blocks.

    >>> sum(1 for _ in partitions(4, 2)) == count_affine_spaces(4, 2)
    True
    """
    _check_sizes(m, m_star)
    for labels in itertools.product(range(m_star), repeat=m):
        if len(set(labels)) == m_star:
            yield Partition.from_labels(labels, m_star)


def random_partition(m: int, m_star: int, rng: random.Random) -> Partition:
    """A labelled partition with every block non-empty."""
    _check_sizes(m, m_star)
    order = list(range(m))
    rng.shuffle(order)
    labels = [0] * m
    for j, i in enumerate(order):
        labels[i] = j if j < m_star else rng.randrange(m_star)
    return Partition.from_labels(labels, m_star)


def point_on(target: MemoryTarget, partition: Partition, rng: random.Random,
             *, spread: float = 1.0) -> Tuple[List[mpf], List[mpf]]:
    """A random point (a_hat, w_hat) exactly on M*_P.

    The free coordinates are multiples of 2^-20 within +-spread of a*_j/|I_j|
    and the last one of each block is a*_j minus the others, summed exactly;
    w_hat_i = w*_j.  Returns (a_hat, w_hat) as lists of mpf.
    """
    check_partition(partition, target)
    a_hat = [mpf(0)] * partition.m
    w_hat = [mpf(0)] * partition.m
    with mpmath.workprec(4096):      # exact sums of the binary numbers below
        for j, block in enumerate(partition.blocks):
            share = target.a_star[j] / len(block)
            free = []
            for _ in block[:-1]:
                u = rng.uniform(-spread, spread)
                free.append(mpf(round(u * 2 ** _POINT_BITS)) / 2 ** _POINT_BITS)
            base = mpf(round(float(share) * 2 ** _POINT_BITS)) / 2 ** _POINT_BITS
            vals = [base + u for u in free]
            vals.append(target.a_star[j] - mpmath.fsum(vals))
            for i, v in zip(block, vals):
                a_hat[i] = v
                w_hat[i] = target.w_star[j]
    return a_hat, w_hat


def check_partition(partition: Partition, target: MemoryTarget) -> None:
    if not isinstance(partition, Partition):
        raise ValueError(f"partition={partition!r}: expected a Partition")
    if partition.m_star != target.m_star:
        raise ValueError(f"partition={partition.pretty()} has "
                         f"{partition.m_star} blocks: expected m* = "
                         f"{target.m_star}")


def on_affine_space(a, w, target: MemoryTarget, partition: Partition,
                    *, tol=0) -> bool:
    """Whether (a, w) lies on M*_P (to within ``tol`` in the block sums)."""
    check_partition(partition, target)
    for j, block in enumerate(partition.blocks):
        if any(w[i] != target.w_star[j] for i in block):
            return False
        if abs(mpmath.fsum(a[i] for i in block) - target.a_star[j]) > tol:
            return False
    return True


# ---------------------------------------------------------------------------
# Appendix A: coincided critical affine spaces M_{P,(b,v),(m,d)}

def count_surjections(m: int, d: int) -> int:
    """sum_k (-1)^k C(d, k) (d - k)^m: maps of {1..m} onto {1..d}.

    Inclusion-exclusion, a route to d! S(m, d) that does not use the
    recurrence of :func:`stirling2`.

    >>> count_surjections(4, 2), count_affine_spaces(4, 2)
    (14, 14)
    """
    _check_sizes(m, d)
    return sum((-1) ** k * math.comb(d, k) * (d - k) ** m for k in range(d + 1))


def point_on_lift(b: Sequence, v: Sequence, partition: Partition,
                  rng: random.Random, *, spread: float = 1.0
                  ) -> Tuple[List[mpf], List[mpf]]:
    """A random point of M_{P,(b,v),(m,d)} (proof of Theorem A.1).

    w_i = v_j for i in I_j, and the a_i of block I_j sum to b_j exactly:
    the free ones are multiples of 2^-20 within +-spread of b_j/|I_j|, the
    last is b_j minus the others.  ``partition`` has d = len(b) blocks.
    """
    if not isinstance(partition, Partition):
        raise ValueError(f"partition={partition!r}: expected a Partition")
    if len(b) != len(v) or partition.m_star != len(b):
        raise ValueError(f"partition={partition.pretty()} has "
                         f"{partition.m_star} blocks, b has {len(b)} entries "
                         f"and v {len(v)}: expected d blocks for d = len(b) "
                         "= len(v)")
    a_hat = [mpf(0)] * partition.m
    w_hat = [mpf(0)] * partition.m
    with mpmath.workprec(max(4096, mpmath.mp.prec * 2)):
        for j, block in enumerate(partition.blocks):
            share = mpmath.mpf(b[j]) / len(block)
            base = mpf(round(float(share) * 2 ** _POINT_BITS)) / 2 ** _POINT_BITS
            vals = [base + mpf(round(rng.uniform(-spread, spread)
                                     * 2 ** _POINT_BITS)) / 2 ** _POINT_BITS
                    for _ in block[:-1]]
            vals.append(mpmath.mpf(b[j]) - mpmath.fsum(vals))
            for i, x in zip(block, vals):
                a_hat[i] = x
                w_hat[i] = mpmath.mpf(v[j])
    return a_hat, w_hat
