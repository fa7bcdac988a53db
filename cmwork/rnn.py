"""Linear RNN functionals (c, W, U), Section 3 of the paper, eqs. (17)-(20).

The linear RNN dh/dt = W h + U x, y = c^T h started at h_{-oo} = 0 (eq. (17))
defines the functionals

    H_t(x) = int_0^oo c^T e^{W s} U x_{t-s} ds             (eq. (18))

for W in W_m (every eigenvalue has negative real part, eq. (19)).  The
kernel is rho(s) = U^T e^{W^T s} c in R^d (eq. (41)), so that
H_t(x) = int_0^oo x_{t-s}^T rho(s) ds.

Two routes to H_t are provided and agree with each other in the tests:

* :meth:`LinearRNN.response` on a continuous path: quadrature of (18).
  For a :class:`BumpPath` (compactly supported, exact breakpoints) it is
  composite Gauss-Legendre on each piece, with the error estimated by
  doubling the nodes; for any other callable path, scipy's ``quad_vec``
  on [0, oo) with its own error estimate;
* :meth:`LinearRNN.response_sampled` on a sampled path held constant
  between samples: the exact solution of (17) step by step,
  h_{k+1} = e^{W h} h_k + W^{-1}(e^{W h} - I) U x_k.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence, Tuple

import numpy as np
import scipy.integrate
import scipy.linalg

#: Gauss-Legendre nodes per piece of a bump path; the error estimate is the
#: change when the nodes are doubled (chosen here: the integrand is a
#: polynomial of degree 4 times exponentials, so 24 nodes resolve a piece
#: of length up to ~5/|Re lambda| to rounding).
GL_NODES = 24

#: Largest piece length, in units of the slowest decay 1/|Re lambda|_min.
PIECE_DECAYS = 2.0


def _as_matrix(name, value, shape_hint: str) -> np.ndarray:
    a = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name}={value!r}: expected finite entries "
                         f"({shape_hint})")
    return a


class LinearRNN:
    """The functional family {H_t} of eq. (20) from parameters (c, W, U).

    ``c`` has length m, ``W`` is m x m in W_m, ``U`` is m x d (a vector of
    length m is read as d = 1).

    >>> rnn = LinearRNN(c=[1, 1], W=[[-1, 0], [0, -2]], U=[1, -2])
    >>> [float(round(v, 12)) for v in rnn.kernel(0.0)]   # 1 - 2
    [-1.0]
    """

    def __init__(self, *, c, W, U):
        W = _as_matrix("W", W, "an m x m matrix")
        if W.ndim != 2 or W.shape[0] != W.shape[1] or W.shape[0] < 1:
            raise ValueError(f"W has shape {W.shape}: expected a square "
                             "m x m matrix, m >= 1")
        m = W.shape[0]
        c = _as_matrix("c", c, "a vector of length m")
        if c.shape != (m,):
            raise ValueError(f"c has shape {c.shape}: expected ({m},) to "
                             f"match W ({m} x {m})")
        U = _as_matrix("U", U, "an m x d matrix")
        if U.ndim == 1:
            U = U.reshape(-1, 1)
        if U.ndim != 2 or U.shape[0] != m or U.shape[1] < 1:
            raise ValueError(f"U has shape {U.shape}: expected ({m}, d) to "
                             f"match W ({m} x {m}), d >= 1")
        lam = np.linalg.eigvals(W)
        bad = lam[lam.real >= 0]
        if bad.size:
            worst = bad[np.argmax(bad.real)]
            raise ValueError(
                f"W has eigenvalue {worst:.6g} with real part >= 0: W must "
                "lie in W_m (every eigenvalue with negative real part, "
                "eq. (19))")
        self.c, self.W, self.U = c, W, U
        self.m, self.d = m, U.shape[1]
        self.eigenvalues = lam
        #: slowest decay rate min |Re lambda|
        self.decay = float(np.min(-lam.real))
        self._eig = None

    def __repr__(self):
        return f"LinearRNN(m={self.m}, d={self.d})"

    def kernel(self, s) -> np.ndarray:
        """rho(s) = U^T e^{W^T s} c; shape (d,) for scalar s, (n, d) for
        an array of n times."""
        s_arr = np.atleast_1d(np.asarray(s, dtype=float))
        if np.any(s_arr < 0):
            raise ValueError("s: expected times s >= 0 (the kernel of a "
                             "causal functional lives on [0, oo))")
        out = np.array([self.U.T @ (scipy.linalg.expm(self.W.T * si) @ self.c)
                        for si in s_arr])
        return out[0] if np.ndim(s) == 0 else out

    def kernel_fast(self, s: np.ndarray) -> np.ndarray:
        """The kernel through the eigendecomposition of W (for diagonalisable
        W with well-conditioned eigenvectors); falls back to :meth:`kernel`."""
        if self._eig is None:
            lam, V = np.linalg.eig(self.W)
            self._eig = (lam, V, np.linalg.cond(V))
        lam, V, cond = self._eig
        if cond > 1e8:
            return self.kernel(s)
        left = self.c @ V                     # c^T V
        right = np.linalg.solve(V, self.U.astype(complex))   # V^{-1} U
        s = np.atleast_1d(np.asarray(s, dtype=float))
        E = np.exp(np.outer(s, lam)) * left   # (n, m)
        return (E @ right).real

    # -- H_t on continuous paths -------------------------------------------

    def response(self, path, t: float, *, s_max: float = np.inf,
                 points: Sequence[float] = ()) -> Tuple[float, float]:
        """(H_t(x), error estimate) for a continuous path x: R -> R^d.

        A :class:`BumpPath` is integrated piece by piece (exact supports);
        any other callable returning shape (d,) by ``quad_vec`` on
        [0, s_max] (give ``s_max`` when x_{t-s} = 0 beyond it), with the
        kernel from the matrix exponential.  Adaptive quadrature on [0, oo)
        can step over a narrow feature of x and report 0 with error 0:
        give its location in s as ``points``.
        """
        if isinstance(path, BumpPath):
            if path.d != self.d:
                raise ValueError(f"path has dimension d={path.d}: expected "
                                 f"d={self.d} (the columns of U)")
            return self._response_bumps(path, float(t))
        if not callable(path):
            raise ValueError(f"path={path!r}: expected a BumpPath or a "
                             "callable t -> R^d")
        f = lambda s: self.kernel(s) * np.asarray(path(t - s), dtype=float)
        pts = sorted(p for p in points if 0 < p < s_max)
        if pts:
            val, err = 0.0, 0.0
            for a, b in zip([0.0] + pts, pts + [s_max]):
                v, e = scipy.integrate.quad_vec(f, a, b, epsabs=1e-13,
                                                epsrel=1e-11)
                val, err = val + v, err + e
        else:
            val, err = scipy.integrate.quad_vec(f, 0, s_max, epsabs=1e-13,
                                                epsrel=1e-11)
        return float(np.sum(val)), float(err)

    def _response_bumps(self, path, t):
        pieces = path.pieces_in_s(t, self.decay)
        total, err = 0.0, 0.0
        for a, b in pieces:
            v1 = self._gl(path, t, a, b, GL_NODES)
            v2 = self._gl(path, t, a, b, 2 * GL_NODES)
            total += v2
            err += abs(v2 - v1)
        return total, err + 4 * np.finfo(float).eps * (abs(total) + 1e-300)

    def response_on_pieces(self, values: Callable[[np.ndarray], np.ndarray],
                           t: float, edges: Sequence[float]
                           ) -> Tuple[float, float]:
        """(H_t(x), error) for a vectorised path ``values(times) -> (n, d)``
        that is smooth between consecutive ``edges`` (in s = t - time) and
        zero beyond the last; Gauss-Legendre on each piece, error by
        doubling the nodes."""
        class _P:
            pass
        p = _P()
        p.values = values
        edges = np.unique(np.asarray(edges, dtype=float))
        total, err = 0.0, 0.0
        for a, b in zip(edges[:-1], edges[1:]):
            v1 = self._gl(p, t, a, b, GL_NODES)
            v2 = self._gl(p, t, a, b, 2 * GL_NODES)
            total += v2
            err += abs(v2 - v1)
        return total, err + 4 * np.finfo(float).eps * abs(total)

    def _gl(self, path, t, a, b, n):
        x, w = np.polynomial.legendre.leggauss(n)
        s = 0.5 * (b - a) * x + 0.5 * (b + a)
        K = self.kernel_fast(s)                       # (n, d)
        X = path.values(t - s)                        # (n, d)
        return 0.5 * (b - a) * float(np.sum(w[:, None] * K * X))

    # -- H_t on sampled paths ----------------------------------------------

    def response_sampled(self, samples, step: float) -> np.ndarray:
        """y_k = H_{t_k}(x) for x held at ``samples[k]`` on [t_k, t_{k+1}),
        t_k = k * step, x = 0 before t_0: the exact solution of (17).

        ``samples`` has shape (n, d) (or (n,) for d = 1); returns shape (n,).
        """
        X = np.asarray(samples, dtype=float)
        if X.ndim == 1:
            X = X.reshape(-1, 1)
        if X.ndim != 2 or X.shape[1] != self.d:
            raise ValueError(f"samples have shape {np.shape(samples)}: "
                             f"expected (n, {self.d})")
        if not step > 0:
            raise ValueError(f"step={step!r}: expected a time step > 0")
        A = scipy.linalg.expm(self.W * step)
        B = np.linalg.solve(self.W, (A - np.eye(self.m)) @ self.U)
        h = np.zeros(self.m)
        out = np.empty(len(X))
        for k, xk in enumerate(X):
            out[k] = self.c @ h
            h = A @ h + B @ xk
        return out

    def l1_norm(self) -> Tuple[float, float]:
        """(||rho||_{L^1}, error estimate): sum_i int_0^oo |rho_i(s)| ds."""
        from .approximation import l1_norm_of
        return l1_norm_of(lambda s: self.kernel_fast(s), self.d,
                          decay=self.decay)


# ---------------------------------------------------------------------------
# continuous input paths

def bump(r):
    """(1 - r^2)^2 on |r| < 1, else 0: C^1, compactly supported."""
    r = np.asarray(r, dtype=float)
    return np.where(np.abs(r) < 1, (1 - r ** 2) ** 2, 0.0)


#: int_{-1}^{1} (1 - r^2)^2 dr
BUMP_INTEGRAL = 16 / 15


@dataclass
class BumpPath:
    """x_t = sum_j a_j bump((t - centre_j) / width_j), a_j in R^d.

    A path in C_0(R, R^d) (eq. (3)) with compact support and known
    breakpoints, so that (18) integrates it to rounding.
    """

    centres: Sequence[float]
    widths: Sequence[float]
    amplitudes: Sequence[Sequence[float]]     # (k, d)

    def __post_init__(self):
        self.centres = np.asarray(self.centres, dtype=float).reshape(-1)
        self.widths = np.asarray(self.widths, dtype=float).reshape(-1)
        A = np.asarray(self.amplitudes, dtype=float)
        if A.ndim == 1:
            A = A.reshape(-1, 1)
        if not (len(self.centres) == len(self.widths) == A.shape[0]):
            raise ValueError("centres, widths and amplitudes: expected one "
                             f"of each per bump, got {len(self.centres)}, "
                             f"{len(self.widths)}, {A.shape[0]}")
        if np.any(self.widths <= 0):
            raise ValueError(f"widths={self.widths.tolist()}: expected > 0")
        self.amplitudes = A
        self.d = A.shape[1]

    def __call__(self, t) -> np.ndarray:
        return self.values(np.atleast_1d(t))[0] if np.ndim(t) == 0 \
            else self.values(t)

    def values(self, t) -> np.ndarray:
        t = np.asarray(t, dtype=float).reshape(-1)
        B = bump((t[:, None] - self.centres[None, :]) / self.widths[None, :])
        return B @ self.amplitudes                    # (n, d)

    @property
    def sup_norm(self) -> float:
        """||x||_X of eq. (4), on a fine grid of each support (a bound from
        below; exact when the bumps do not overlap)."""
        ts = np.concatenate([np.linspace(c - w, c + w, 401) for c, w
                             in zip(self.centres, self.widths)])
        return float(np.max(np.abs(self.values(ts))))

    def shifted(self, tau: float) -> "BumpPath":
        """x^(tau) of eq. (16): x^(tau)_s = x_{s - tau}."""
        return BumpPath(self.centres + tau, self.widths, self.amplitudes)

    def scaled(self, lam: float) -> "BumpPath":
        return BumpPath(self.centres, self.widths, lam * self.amplitudes)

    def plus(self, other: "BumpPath") -> "BumpPath":
        return BumpPath(np.concatenate([self.centres, other.centres]),
                        np.concatenate([self.widths, other.widths]),
                        np.vstack([self.amplitudes, other.amplitudes]))

    def pieces_in_s(self, t: float, decay: float):
        """Intervals in s >= 0 where x_{t-s} may be nonzero, split at every
        breakpoint and into lengths of at most PIECE_DECAYS / decay."""
        edges = {0.0}
        lo_all, hi_all = np.inf, 0.0
        for c, w in zip(self.centres, self.widths):
            for e in (t - (c + w), t - c, t - (c - w)):
                if e > 0:
                    edges.add(float(e))
            a, b = max(t - (c + w), 0.0), t - (c - w)
            if b > 0:
                lo_all, hi_all = min(lo_all, a), max(hi_all, b)
        if hi_all <= 0:
            return []
        edges = sorted(e for e in edges if lo_all <= e <= hi_all)
        out, longest = [], PIECE_DECAYS / decay
        for a, b in zip(edges[:-1], edges[1:]):
            if not self._active(t, a, b):
                continue
            n = max(1, int(np.ceil((b - a) / longest)))
            grid = np.linspace(a, b, n + 1)
            out += list(zip(grid[:-1], grid[1:]))
        return out

    def _active(self, t, a, b) -> bool:
        mid = t - 0.5 * (a + b)
        return bool(np.any(np.abs(mid - self.centres) < self.widths))
