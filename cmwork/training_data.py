"""Targets and inputs of the training experiments (Sections 4.1, 4.2.3).

Linear functionals (eq. (73)): y = H_T(x) = int_0^T rho(t) x_{T-t} dt,
input dimension d = 1, for

* (a) the exponential sum of Section 4.1, rho(t) = c*^T e^{W* t} b*, with
  c*, b* standard normal in m* dimensions and W* = -I - Z^T Z, Z Gaussian
  with entry variance 1/m* (:func:`exponential_sum`; W* is symmetric, so
  rho is evaluated through its eigendecomposition);
* (b) the Airy target rho(t) = Ai(s0 (t - t0)) of eq. (74) (:func:`airy`);
* (c) the memory target of eqs. (85)-(86), rho_bar + rho0(t - 1/omega),
  evaluated by :class:`cmwork.targets.MemoryTarget` (:func:`memory`).

Target outputs are the discretised convolution at the model's own step,

    y = dt sum_{j=0}^{N-1} rho(j dt) x_{N-1-j}          (:func:`convolve`),

the Euler RNN's own quadrature: with linear activation it computes
dt sum_j c^T (I + dt W)^j U x_{N-1-j}, so an exponential sum is matched
exactly by W = (e^{W* dt} - I)/dt and the data carry no discretisation
error that the model cannot fit (decided here; an accurate quadrature of
the continuous functional would differ from this by O(dt), an error no
discrete model is asked to learn).

Inputs (x_k for k = 0 .. N-1, held over [k dt, (k+1) dt)):

* :func:`white_noise`: x_k = xi_k / sqrt(dt), xi standard normal, so that
  x dt is a Wiener increment, the white noise of eq. (76) (Simplification
  1); with it the expected loss of a linear model is the Riemann sum of
  eq. (77);
* :func:`wiener_paths`: x_k = B_{k dt}, sample paths of a standard Wiener
  process, B_0 = 0, increments sqrt(dt) xi.

(d) Lorenz-96 with a resolved variable, eq. (75):

    y' = -y + x + sum_k z_k / K,
    z_k' = 2 [z_{k+1} (z_{k-1} - z_{k+2}) - z_k + y],  k = 1 .. K (cyclic),

driven by the input x (held over each step), y(0) = 0 and a fixed z(0),
integrated by the classical Runge-Kutta method with ``substeps`` steps per
dt (:func:`lorenz96`); :func:`lorenz96_refinement` halves the substep and
reports the largest change, and the figures refuse data whose refinement
change exceeds their tolerance.
"""
from __future__ import annotations

import math
from typing import Callable, Dict, Tuple

import mpmath
import numpy as np

from .targets import MemoryTarget
from .training import steps


def _check_int(name, value, low) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
            or value < low:
        raise ValueError(f"{name}={value!r}: expected an integer >= {low}")
    return int(value)


def grid(horizon: float, dt: float) -> np.ndarray:
    """t_j = j dt, j = 0 .. N-1 (the lags of :func:`convolve`)."""
    return np.arange(steps(horizon, dt)) * dt


# ---------------------------------------------------------------------------
# targets rho

def exponential_sum(m_star: int, rng: np.random.Generator
                    ) -> Tuple[Callable[[np.ndarray], np.ndarray], Dict]:
    """rho(t) = c*^T e^{W* t} b* of Section 4.1, drawn from ``rng``.

    Returns rho (vectorised over t) and its parameters (c*, b*, W*).
    W* = -I - Z^T Z is symmetric negative definite, W* = V diag(lam) V^T,
    so rho(t) = sum_i (V^T c*)_i (V^T b*)_i e^{lam_i t}.

    >>> rho, p = exponential_sum(8, np.random.default_rng(0))
    >>> bool(np.all(np.linalg.eigvalsh(p["W_star"]) <= -1))
    True
    """
    m_star = _check_int("m_star", m_star, 1)
    c = rng.standard_normal(m_star)
    b = rng.standard_normal(m_star)
    Z = rng.standard_normal((m_star, m_star)) / math.sqrt(m_star)
    W = -np.eye(m_star) - Z.T @ Z
    lam, V = np.linalg.eigh(W)
    coef = (V.T @ c) * (V.T @ b)

    def rho(t):
        t = np.asarray(t, float)
        return np.exp(np.multiply.outer(t, lam)) @ coef

    return rho, {"c_star": c, "b_star": b, "W_star": W, "eigenvalues": lam}


def airy(s0: float, t0: float) -> Callable[[np.ndarray], np.ndarray]:
    """rho(t) = Ai(s0 (t - t0)), eq. (74) (scipy.special.airy)."""
    from scipy.special import airy as _airy
    for name, v in (("s0", s0), ("t0", t0)):
        if not (isinstance(v, (int, float)) and math.isfinite(v)):
            raise ValueError(f"{name}={v!r}: expected a finite number")
    if s0 <= 0:
        raise ValueError(f"s0={s0!r}: expected a number > 0")

    def rho(t):
        return _airy(s0 * (np.asarray(t, float) - t0))[0]

    return rho


def memory(target: MemoryTarget) -> Callable[[np.ndarray], np.ndarray]:
    """rho of eq. (86) on an array of times, by the target's own
    evaluation (at 30 digits, then rounded to float64)."""
    if not isinstance(target, MemoryTarget):
        raise ValueError(f"target={target!r}: expected a MemoryTarget")

    def rho(t):
        with mpmath.workdps(30):
            return np.array([float(target(mpmath.mpf(float(s))))
                             for s in np.ravel(t)]).reshape(np.shape(t))

    return rho


def convolve(kernel: np.ndarray, x: np.ndarray, dt: float) -> np.ndarray:
    """y_i = dt sum_j kernel_j x_{i, N-1-j}: the target outputs at T."""
    kernel = np.asarray(kernel, float)
    x = np.asarray(x, float)
    if x.ndim != 2 or kernel.shape != (x.shape[1],):
        raise ValueError(f"kernel has shape {kernel.shape} and x "
                         f"{x.shape}: expected (N,) and (n, N)")
    return dt * x[:, ::-1] @ kernel


# ---------------------------------------------------------------------------
# inputs

def white_noise(samples: int, horizon: float, dt: float,
                rng: np.random.Generator) -> np.ndarray:
    """x_k = xi_k / sqrt(dt): x dt is a Wiener increment (eq. (76))."""
    samples = _check_int("samples", samples, 1)
    N = steps(horizon, dt)
    return rng.standard_normal((samples, N)) / math.sqrt(dt)


def wiener_paths(samples: int, horizon: float, dt: float,
                 rng: np.random.Generator) -> np.ndarray:
    """x_k = B_{k dt}, k = 0 .. N-1, B a standard Wiener process."""
    samples = _check_int("samples", samples, 1)
    N = steps(horizon, dt)
    inc = rng.standard_normal((samples, N - 1)) * math.sqrt(dt)
    return np.concatenate([np.zeros((samples, 1)), np.cumsum(inc, axis=1)],
                          axis=1)


# ---------------------------------------------------------------------------
# Lorenz-96, eq. (75)

def _l96_rhs(s, x, K):
    y, z = s[:, 0], s[:, 1:]
    dy = -y + x + z.sum(axis=1) / K
    dz = 2.0 * (np.roll(z, -1, axis=1) * (np.roll(z, 1, axis=1)
                                          - np.roll(z, -2, axis=1))
                - z + y[:, None])
    return np.concatenate([dy[:, None], dz], axis=1)


def lorenz96(x: np.ndarray, dt: float, *, z0: np.ndarray,
             substeps: int) -> np.ndarray:
    """y(k dt), k = 1 .. N, of eq. (75) driven by x (held over each step),
    y(0) = 0, z(0) = z0 (K = len(z0)), by RK4 with ``substeps`` per dt.
    Shape (n, N)."""
    x = np.asarray(x, float)
    if x.ndim != 2:
        raise ValueError(f"x has shape {x.shape}: expected (samples, N)")
    _check_positive_step(dt)
    substeps = _check_int("substeps", substeps, 1)
    z0 = np.asarray(z0, float)
    if z0.ndim != 1 or z0.size < 4:
        raise ValueError(f"z0 has shape {z0.shape}: expected K >= 4 values "
                         "(the cyclic indices k-1, k+1, k+2 must differ)")
    K = z0.size
    n, N = x.shape
    s = np.concatenate([np.zeros((n, 1)), np.tile(z0, (n, 1))], axis=1)
    h = dt / substeps
    y = np.empty((n, N))
    for k in range(N):
        xk = x[:, k]
        for _ in range(substeps):
            k1 = _l96_rhs(s, xk, K)
            k2 = _l96_rhs(s + h / 2 * k1, xk, K)
            k3 = _l96_rhs(s + h / 2 * k2, xk, K)
            k4 = _l96_rhs(s + h * k3, xk, K)
            s = s + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        y[:, k] = s[:, 0]
    if not np.all(np.isfinite(y)):
        raise ValueError(f"Lorenz-96 integration blew up with {substeps} "
                         f"substeps per dt={dt}: raise substeps")
    return y


def lorenz96_refinement(x: np.ndarray, dt: float, *, z0: np.ndarray,
                        substeps: int) -> Tuple[np.ndarray, float]:
    """y with ``substeps`` and the largest change max |y_s - y_{2s}| when
    the substep is halved, relative to max |y_{2s}|."""
    y1 = lorenz96(x, dt, z0=z0, substeps=substeps)
    y2 = lorenz96(x, dt, z0=z0, substeps=2 * substeps)
    scale = max(float(np.max(np.abs(y2))), np.finfo(float).tiny)
    return y1, float(np.max(np.abs(y1 - y2))) / scale


def _check_positive_step(dt):
    if not (isinstance(dt, (int, float)) and math.isfinite(dt) and dt > 0):
        raise ValueError(f"dt={dt!r}: expected a step > 0")
