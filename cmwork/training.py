"""Discrete RNNs trained by gradient descent and Adam (Sections 4.1, 4.2.3).

The continuous-time RNN of eq. (9),

    d/dt h_t = sigma(W h_t + U x_t),    y_hat_t = c^T h_t,    h_0 = 0,

discretised by the Euler method with step dt (a residual RNN, Section 4.1):

    h_{k+1} = h_k + dt sigma(W h_k + U x_k),    y_hat_k = c^T h_k,

for k = 0 .. N-1, N = T/dt, input dimension d = 1 and hidden width m.
Three variants of Section 4.2.3 (2): ``structure="diagonal"`` with
W = -diag(w) (Simplification 3 of Section 4.2; the sign of w is not
constrained during training), ``structure="full"`` (W any real m x m
matrix), and ``activation="tanh"`` or ``"linear"``.

Losses (decided here, after eq. (73)):

* ``loss="final"``: the mean over input samples of (y_hat_N - y)^2, the
  squared error at the final time T of eq. (73) with the expectation
  replaced by the sample mean (no factor 1/2);
* ``loss="sequence"``: the mean over samples and over k = 1 .. N of
  (y_hat_k - y_k)^2, the sequence-to-sequence error of the Lorenz-96
  example (x_{0:T} -> y_{0:T}, Section 4.1).

Gradients are exact: backpropagation through time written with numpy
(:func:`loss_and_gradient`); the tests compare it with central finite
differences.  Every array carries a leading axis of independent runs R
(initialisations), so that R runs of the same architecture train in one
pass over the sequence; runs never interact.  Shapes: c, U: (R, m);
W: (R, m, m) or w: (R, m); inputs x: (n, N); targets (n,) or (n, N).

Optimisers: full-batch gradient descent theta <- theta - lr g and Adam
(Kingma and Ba; beta1 = 0.9, beta2 = 0.999, eps = 1e-8, the usual
values; the paper names the method only).  A run whose loss or gradient
is not finite is frozen and its status set to ``"diverged"``.

Plateaus (:func:`find_plateau`) are measured on the loss curves; the
definition is stated there.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

import numpy as np

ACTIVATIONS = ("linear", "tanh")
STRUCTURES = ("diagonal", "full")
LOSSES = ("final", "sequence")
OPTIMIZERS = ("gd", "adam")

#: Adam's moment decay rates and denominator guard (Kingma and Ba's
#: defaults; chosen here, the paper states only the learning rate).
ADAM_BETA1 = 0.9
ADAM_BETA2 = 0.999
ADAM_EPS = 1e-8

#: Relative tolerance for "T is a multiple of dt" (float64 rounding of the
#: quotient; chosen here).
STEP_RTOL = 1e-9

#: A run whose loss exceeds this multiple of its initial loss is counted as
#: diverged (chosen here; finite overflow-free blow-ups stay finite for a
#: while before they reach inf).
DIVERGENCE_FACTOR = 1e6

#: Plateau definition (chosen here; see :func:`find_plateau`): window as a
#: fraction of the iterations, the largest relative fall over the window,
#: and how far above the reference loss the loss must stay, as a share of
#: the run's whole descent L_0 - L_ref.  A share rather than a ratio to
#: L_ref: the ratio 1.5 used before missed the plateau of full-W Adam on
#: target (85) (level 1.30, final 1.129, start 2.73: share 0.107, left by
#: a drop of 13% in ~20 iterations after 300-900 flat ones), and a ratio
#: low enough to see it (1.11) also called the noisy tail of the
#: Lorenz-96 runs a plateau, measured on loss - floor ~ 0.008 (share
#: ~0.002).
PLATEAU_WINDOW = 0.1
PLATEAU_FALL = 0.1
PLATEAU_SHARE = 0.05

#: Departure from a plateau: the first iteration after its start at which
#: the loss is this fraction below the plateau's level (chosen here; a
#: finer reading than the plateau's own end, reported beside it).
DEPARTURE_DROP = 0.01


# ---------------------------------------------------------------------------
# validation

def steps(horizon: float, dt: float) -> int:
    """N = T/dt, or ValueError naming the bad argument.

    >>> steps(6.4, 0.1)
    64
    """
    if not (isinstance(dt, (int, float)) and math.isfinite(dt) and dt > 0):
        raise ValueError(f"dt={dt!r}: expected a step > 0")
    if not (isinstance(horizon, (int, float)) and math.isfinite(horizon)
            and horizon > 0):
        raise ValueError(f"horizon={horizon!r}: expected a time T > 0")
    q = horizon / dt
    n = int(round(q))
    if n < 1 or abs(q - n) > STEP_RTOL * max(1.0, q):
        raise ValueError(f"horizon={horizon!r} is not a multiple of "
                         f"dt={dt!r} (T/dt = {q!r}): choose T = N dt with N "
                         "an integer >= 1")
    return n


def _check_width(width) -> int:
    if isinstance(width, bool) or not isinstance(width, (int, np.integer)) \
            or width < 1:
        raise ValueError(f"width={width!r}: expected an integer >= 1")
    return int(width)


def _check_choice(name, value, allowed) -> str:
    if value not in allowed:
        raise ValueError(f"{name}={value!r}: expected one of "
                         f"{', '.join(allowed)}")
    return value


def _check_positive(name, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name}={value!r}: expected a number > 0")
    return float(value)


# ---------------------------------------------------------------------------
# the model

@dataclass(frozen=True)
class Architecture:
    """Width m, activation sigma, structure of W and step dt of the Euler
    RNN; validated on construction.

    >>> Architecture(width=16, activation="tanh", structure="full", dt=0.1)
    Architecture(width=16, activation='tanh', structure='full', dt=0.1)
    """

    width: int
    activation: str = "linear"
    structure: str = "full"
    dt: float = 0.1

    def __post_init__(self):
        _check_width(self.width)
        _check_choice("activation", self.activation, ACTIVATIONS)
        _check_choice("structure", self.structure, STRUCTURES)
        _check_positive("dt", self.dt)


def initialise(arch: Architecture, runs: int, rng: np.random.Generator, *,
               w_low: float, w_high: float, off_diagonal: float,
               scale_c: float, scale_u: float) -> Dict[str, np.ndarray]:
    """R independent initial points, drawn from ``rng``.

    w_i uniform on [w_low, w_high] (W = -diag(w)); for ``structure="full"``
    W = -diag(w) + off_diagonal Z / sqrt(m), Z standard normal with zero
    diagonal; c_i ~ N(0, scale_c^2 / m), U_i ~ N(0, scale_u^2).
    """
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise ValueError(f"runs={runs!r}: expected an integer >= 1")
    if not (0 <= w_low <= w_high):
        raise ValueError(f"w_low={w_low!r}, w_high={w_high!r}: expected "
                         "0 <= w_low <= w_high")
    m = arch.width
    w = rng.uniform(w_low, w_high, size=(runs, m))
    c = rng.standard_normal((runs, m)) * scale_c / math.sqrt(m)
    u = rng.standard_normal((runs, m)) * scale_u
    if arch.structure == "diagonal":
        return {"c": c, "U": u, "w": w}
    z = rng.standard_normal((runs, m, m)) * off_diagonal / math.sqrt(m)
    z[:, np.arange(m), np.arange(m)] = 0.0
    return {"c": c, "U": u, "W": z - w[:, :, None] * np.eye(m)}


def _sigma(arch, pre):
    return pre if arch.activation == "linear" else np.tanh(pre)


def forward(arch: Architecture, params: Dict[str, np.ndarray],
            x: np.ndarray) -> np.ndarray:
    """Hidden states h_0 .. h_N, shape (N + 1, R, n, m)."""
    x = np.asarray(x, float)
    c = params["c"]
    runs, m = c.shape
    n, N = x.shape
    h = np.zeros((N + 1, runs, n, m))
    U = params["U"][:, None, :]
    for k in range(N):
        if arch.structure == "diagonal":
            lin = -h[k] * params["w"][:, None, :]
        else:
            lin = np.matmul(h[k], np.swapaxes(params["W"], 1, 2))
        h[k + 1] = h[k] + arch.dt * _sigma(arch, lin + x[:, k, None] * U)
    return h


def outputs(arch: Architecture, params: Dict[str, np.ndarray],
            x: np.ndarray) -> np.ndarray:
    """y_hat_k = c^T h_k for k = 1 .. N, shape (R, n, N)."""
    h = forward(arch, params, x)
    return np.einsum("krnm,rm->rnk", h[1:], params["c"])


def loss_and_gradient(arch: Architecture, params: Dict[str, np.ndarray],
                      x: np.ndarray, y: np.ndarray, *, loss: str = "final",
                      gradient: bool = True, method: str = "auto"):
    """The loss of each run (shape (R,)) and its exact gradient by
    backpropagation through time (a dict shaped like ``params``).

    Backward recursion, with g_k = dL/dh_k and a_k = W h_k + U x_k:

        q_k = dt g_{k+1} * sigma'(a_k),
        dL/dW += q_k h_k^T,   dL/dU += q_k x_k,   g_k = g_{k+1} + W^T q_k
        (+ the output term 2 r_k c / (n N) for ``loss="sequence"``),

    with g_N = 2 r_N c / n (``"final"``), r the residual y_hat - y; for
    W = -diag(w), dL/dw = -sum q_k * h_k and W^T q_k = -w * q_k.

    ``method="auto"`` takes :func:`_kernel_loss_and_gradient` for a linear
    model with the final-time loss (the same numbers, from the kernel
    instead of the hidden states of every sample) and backpropagation
    through time otherwise; ``"bptt"`` forces the latter.
    """
    _check_choice("loss", loss, LOSSES)
    _check_choice("method", method, ("auto", "bptt"))
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    n, N = x.shape
    want = (n,) if loss == "final" else (n, N)
    if y.shape != want:
        raise ValueError(f"y has shape {y.shape}: expected {want} for "
                         f"loss={loss!r} and x of shape {x.shape}")
    if method == "auto" and loss == "final" and arch.activation == "linear":
        return _kernel_loss_and_gradient(arch, params, x, y, gradient)
    h = forward(arch, params, x)
    c = params["c"]
    if loss == "final":
        r = np.einsum("rnm,rm->rn", h[N], c) - y
        value = np.mean(r ** 2, axis=1)
    else:
        r = np.einsum("krnm,rm->rnk", h[1:], c) - y
        value = np.mean(r ** 2, axis=(1, 2))
    if not gradient:
        return value, None

    diag = arch.structure == "diagonal"
    grad = {k: np.zeros_like(v) for k, v in params.items()}
    U = params["U"][:, None, :]
    if loss == "final":
        g = 2.0 / n * r[:, :, None] * c[:, None, :]
        grad["c"] = 2.0 / n * np.einsum("rn,rnm->rm", r, h[N])
    else:
        scale = 2.0 / (n * N)
        grad["c"] = scale * np.einsum("rnk,krnm->rm", r, h[1:])
        g = scale * r[:, :, N - 1, None] * c[:, None, :]
    for k in range(N - 1, -1, -1):
        if diag:
            lin = -h[k] * params["w"][:, None, :]
        else:
            lin = np.matmul(h[k], np.swapaxes(params["W"], 1, 2))
        q = arch.dt * g
        if arch.activation == "tanh":
            q = q * (1.0 - np.tanh(lin + x[:, k, None] * U) ** 2)
        grad["U"] += np.einsum("rnm,n->rm", q, x[:, k])
        if diag:
            grad["w"] -= np.einsum("rnm,rnm->rm", q, h[k])
            g = g - q * params["w"][:, None, :]
        else:
            grad["W"] += np.matmul(np.swapaxes(q, 1, 2), h[k])
            g = g + np.matmul(q, params["W"])
        if loss == "sequence" and k >= 1:
            g = g + scale * r[:, :, k - 1, None] * c[:, None, :]
    return value, grad


def _kernel_loss_and_gradient(arch, params, x, y, gradient):
    """Final-time loss of a linear Euler RNN and its gradient through the
    kernel.

    With A = I + dt W, h_N = dt sum_k A^(N-1-k) U x_k, so y_hat =
    dt sum_j K_j x_(N-1-j) with K_j = c^T A^j U = c^T v_j, v_j = A^j U.
    With g_j = dL/dK_j and u_p = (A^T)^p c:

        dL/dc = sum_j g_j v_j,    dL/dU = sum_j g_j u_j,
        dL/dA = sum_p u_p S_p^T,  S_p = sum_q g_(p+q+1) v_q,

    (d(c^T A^j U)/dA = sum_(p+q=j-1) u_p v_q^T), dL/dW = dt dL/dA and,
    for W = -diag(w), dL/dw = -dt diag(dL/dA).  The cost is that of the
    kernel (N products with an m x m matrix per run), not of the hidden
    states of every sample; the tests compare it with backpropagation
    through time.
    """
    c, U = params["c"], params["U"]
    runs, m = c.shape
    n, N = x.shape
    dt = arch.dt
    j = np.arange(N)
    if arch.structure == "diagonal":
        a = 1.0 - dt * params["w"]                            # (R, m)
        powers = a[:, None, :] ** j[None, :, None]            # (R, N, m)
        V, Uc = powers * U[:, None, :], powers * c[:, None, :]
    else:
        A = np.eye(m) + dt * params["W"]
        V, Uc = np.empty((runs, N, m)), np.empty((runs, N, m))
        V[:, 0], Uc[:, 0] = U, c
        At = np.swapaxes(A, 1, 2)
        for k in range(1, N):
            V[:, k] = np.einsum("rij,rj->ri", A, V[:, k - 1])
            Uc[:, k] = np.einsum("rij,rj->ri", At, Uc[:, k - 1])
    K = np.einsum("rm,rjm->rj", c, V)                         # (R, N)
    xr = x[:, ::-1]                                           # x_(N-1-j)
    r = dt * K @ xr.T - y                                     # (R, n)
    value = np.mean(r ** 2, axis=1)
    if not gradient:
        return value, None
    g = 2.0 * dt / n * r @ xr                                 # (R, N)
    # Hankel H[p, q] = g_(p+q+1), zero where p + q + 1 >= N
    idx = j[:, None] + j[None, :] + 1
    G = np.concatenate([g, np.zeros((runs, 1))], axis=1)
    H = G[:, np.minimum(idx, N)]                              # (R, N, N)
    S = H @ V                                                 # (R, N, m)
    grad = {"c": np.einsum("rj,rjm->rm", g, V),
            "U": np.einsum("rj,rjm->rm", g, Uc)}
    if arch.structure == "diagonal":
        grad["w"] = -dt * np.einsum("rpm,rpm->rm", Uc, S)
    else:
        grad["W"] = dt * np.einsum("rpi,rpk->rik", Uc, S)
    return value, grad


# ---------------------------------------------------------------------------
# training

@dataclass
class TrainResult:
    """Loss curves (R, iterations + 1), the final parameters, per-run
    status (``"ok"`` or ``"diverged"`` with the iteration), the time."""

    losses: np.ndarray
    params: Dict[str, np.ndarray]
    status: List[str]
    seconds: float
    settings: Dict[str, object] = field(default_factory=dict)


def train(arch: Architecture, params: Dict[str, np.ndarray], x: np.ndarray,
          y: np.ndarray, *, optimizer: str, lr: float, iterations: int,
          loss: str = "final",
          progress: Optional[Callable[[int, int, float, float], None]] = None,
          gradient_fn: Optional[Callable] = None) -> TrainResult:
    """Full-batch training of R runs at once.

    ``progress(done, total, mean_loss, elapsed)`` is called every few
    iterations.  ``gradient_fn`` replaces :func:`loss_and_gradient` (the
    tests pass a deliberately wrong gradient through it).
    """
    _check_choice("optimizer", optimizer, OPTIMIZERS)
    lr = _check_positive("lr", lr)
    if isinstance(iterations, bool) or not isinstance(iterations, int) or \
            iterations < 1:
        raise ValueError(f"iterations={iterations!r}: expected an integer "
                         ">= 1")
    fn = gradient_fn or loss_and_gradient
    p = {k: np.array(v, float) for k, v in params.items()}
    runs = p["c"].shape[0]
    losses = np.full((runs, iterations + 1), np.nan)
    alive = np.ones(runs, bool)
    status = ["ok"] * runs
    m1 = {k: np.zeros_like(v) for k, v in p.items()}
    m2 = {k: np.zeros_like(v) for k, v in p.items()}
    every = max(1, iterations // 200)
    start = time.perf_counter()
    for it in range(iterations + 1):
        # a diverging run overflows; that is its status, not a warning
        with np.errstate(over="ignore", invalid="ignore"):
            value, grad = fn(arch, p, x, y, loss=loss,
                             gradient=it < iterations)
        finite = np.isfinite(value)
        if it > 0:
            finite &= ~(value > DIVERGENCE_FACTOR * losses[:, 0])
        if grad is not None:
            for g in grad.values():
                finite &= np.isfinite(g.reshape(runs, -1)).all(axis=1)
        for r in np.flatnonzero(alive & ~finite):
            status[r] = f"diverged at iteration {it}"
        alive &= finite
        losses[alive, it] = value[alive]
        if grad is None:
            break
        mask = alive
        for k in p:
            g = np.where(_expand(mask, grad[k]), grad[k], 0.0)
            if optimizer == "gd":
                step = lr * g
            else:
                m1[k] = ADAM_BETA1 * m1[k] + (1 - ADAM_BETA1) * g
                m2[k] = ADAM_BETA2 * m2[k] + (1 - ADAM_BETA2) * g * g
                mh = m1[k] / (1 - ADAM_BETA1 ** (it + 1))
                vh = m2[k] / (1 - ADAM_BETA2 ** (it + 1))
                step = lr * mh / (np.sqrt(vh) + ADAM_EPS)
            p[k] = p[k] - np.where(_expand(mask, step), step, 0.0)
        if progress is not None and (it % every == 0 or it == iterations - 1):
            ok = losses[alive, it]
            progress(it + 1, iterations, float(np.mean(ok)) if ok.size
                     else float("nan"), time.perf_counter() - start)
    return TrainResult(losses, p, status, time.perf_counter() - start,
                       {"optimizer": optimizer, "lr": lr,
                        "iterations": iterations, "loss": loss,
                        "width": arch.width, "activation": arch.activation,
                        "structure": arch.structure, "dt": arch.dt})


def _expand(mask, like):
    return mask.reshape(mask.shape + (1,) * (like.ndim - 1))


# ---------------------------------------------------------------------------
# plateaus

@dataclass
class Plateau:
    """The first plateau of one loss curve (iterations), or none, and the
    number of plateaus the curve has (``count``).

    ``censored``: the plateau lasts to the last finite iteration (the run
    is still trapped, or diverged from the plateau: its length is a lower
    bound on the time to leave it by descent); ``diverged``: the curve
    was cut at a non-finite value (the run diverged at iteration
    ``len(finite part)``); ``short``: the finite part is shorter than one
    window, so nothing was judged."""

    found: bool
    start: Optional[int]
    end: Optional[int]
    length: int
    level: Optional[float]
    reference: float
    censored: bool = False
    diverged: bool = False
    short: bool = False
    count: int = 0


def find_plateau(curve: np.ndarray, *, reference: Optional[float] = None,
                 window: float = PLATEAU_WINDOW, fall: float = PLATEAU_FALL,
                 share: float = PLATEAU_SHARE,
                 iterations: Optional[int] = None) -> Plateau:
    """The first plateau of a loss curve L_0 .. L_I.

    Definition (chosen here), applied to the lowest loss reached so far,
    L_k = min(loss_0 .. loss_k) (so that the period-2 oscillation of GD at
    the edge of stability does not hide a plateau): with the window
    w = ceil(window I) and the reference level L_ref = min(L_I, reference)
    (the final loss, or a loss the model is known to reach if that is
    lower), an iteration
    k <= I - w is *flat* when over the next w iterations the loss falls by
    less than the fraction ``fall`` and stays above L_ref by at least the
    ``share`` of the run's descent L_0 - L_ref:

        min(L_k .. L_{k+w}) >= (1 - fall) L_k   and
        min(L_k .. L_{k+w}) > L_ref + share (L_0 - L_ref).

    A plateau is a maximal block of consecutive flat iterations k0 .. k1;
    it covers iterations k0 .. k1 + w, so its length is k1 + w - k0 (at
    least one window).  The first one is returned, with the number of
    them; it is ``censored`` when it reaches iteration I (the run ends on
    it).  The first, not the longest: a run that descends a staircase
    (full-W Adam on target (85): flat at 1.30, then at 1.13 for
    thousands of iterations, then lower) would otherwise report a later
    plateau the longer it is run.

    A curve of a run that diverged (a non-finite value, as
    :func:`train` records after divergence) is judged on its finite part
    L_0 .. L_I, I the last finite iteration, with the window still taken
    from ``iterations`` (the run's planned iterations; default: the
    curve's), so that a run cut short is held to the same window; a
    plateau reaching I is censored and ``diverged``: the run left it by
    blowing up, not by descent.

    >>> t = np.arange(201.0)
    >>> p = find_plateau(np.where(t < 120, 1.0, 1e-3))
    >>> p.found, p.start, p.end, p.censored
    (True, 0, 119, False)
    >>> find_plateau(np.exp(-t / 20)).found
    False
    >>> find_plateau(np.ones(201)).found
    False
    >>> find_plateau(np.ones(201), reference=0.1).censored
    True
    """
    L = np.asarray(curve, float)
    if L.ndim != 1 or L.size < 3:
        raise ValueError(f"curve has shape {L.shape}: expected a 1-d loss "
                         "curve with at least 3 values")
    if not (0 < window < 1):
        raise ValueError(f"window={window!r}: expected 0 < window < 1")
    if not (0 < fall < 1):
        raise ValueError(f"fall={fall!r}: expected 0 < fall < 1")
    if not (0 < share < 1):
        raise ValueError(f"share={share!r}: expected 0 < share < 1")
    if reference is not None and not reference >= 0:
        raise ValueError(f"reference={reference!r}: expected a loss >= 0")
    planned = L.size - 1 if iterations is None else iterations
    if isinstance(planned, bool) or not isinstance(planned, int) or \
            planned < L.size - 1:
        raise ValueError(f"iterations={iterations!r}: expected an integer "
                         f">= {L.size - 1} (the curve's length - 1)")
    bad = np.flatnonzero(~np.isfinite(L))
    diverged = bad.size > 0
    L = np.minimum.accumulate(L[:bad[0]] if diverged else L)
    iters = L.size - 1
    w = max(1, math.ceil(window * planned))
    if iters < w:
        # diverged (or too short) before one window: nothing to judge
        return Plateau(False, None, None, 0, None, float("nan"),
                       diverged=diverged, short=True)
    ref = float(L[-1]) if reference is None else min(float(L[-1]),
                                                     float(reference))
    lows = _window_min(L, w)
    high = ref + share * max(float(L[0]) - ref, 0.0)
    flat = (lows >= (1 - fall) * L[:iters - w + 1]) & (lows > high)
    blocks, k = [], 0
    while k < flat.size:
        if flat[k]:
            j = k
            while j + 1 < flat.size and flat[j + 1]:
                j += 1
            blocks.append((k, j + w))
            k = j + 1
        else:
            k += 1
    if not blocks:
        return Plateau(False, None, None, 0, None, ref, diverged=diverged)
    k0, k1 = blocks[0]
    return Plateau(True, k0, k1, k1 - k0, float(np.median(L[k0:k1 + 1])),
                   ref, censored=k1 == iters, diverged=diverged,
                   count=len(blocks))


def departure(curve: np.ndarray, plateau: Plateau, *,
              drop: float = DEPARTURE_DROP) -> Optional[int]:
    """The first iteration k > plateau.start with L_k < (1 - drop) level
    (L the lowest loss so far, as in :func:`find_plateau`), or None (the
    loss has not left the plateau's level by ``drop``)."""
    if not plateau.found:
        return None
    L = np.minimum.accumulate(np.asarray(curve, float))
    below = np.flatnonzero(L[plateau.start:] < (1 - drop) * plateau.level)
    return int(plateau.start + below[0]) if below.size else None


def _window_min(L, w):
    from numpy.lib.stride_tricks import sliding_window_view
    return sliding_window_view(L, w + 1).min(axis=1)


# ---------------------------------------------------------------------------
# a loss the model is known to reach

def reference_loss(x: np.ndarray, y: np.ndarray, dt: float, *,
                   poles: np.ndarray) -> float:
    """The least empirical final-time loss over kernels
    K_j = sum_i a_i Re(z_i^j) (+ b_i Im(z_i^j) for complex z_i), with the
    poles z fixed and the coefficients fitted by linear least squares.

    An Euler RNN of width m = (number of real poles) + 2 (number of complex
    poles) with linear activation represents every such kernel exactly
    (W = (A - I)/dt with A block diagonal: z for a real pole, the 2 x 2
    rotation-scaling block of z for a complex one; c and U give the
    coefficients), so this loss is reached by the model: an upper bound on
    its infimum, used as the reference of :func:`find_plateau`.  Real poles
    only (1 - dt w_i) give the diagonal model W = -diag(w).
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    n, N = x.shape
    j = np.arange(N)
    cols = []
    for z in np.atleast_1d(np.asarray(poles, complex)):
        zj = z ** j
        cols.append(zj.real)
        if abs(z.imag) > 0:
            cols.append(zj.imag)
    basis = np.array(cols).T                      # (N, features)
    F = dt * x[:, ::-1] @ basis                   # (n, features)
    coef, *_ = np.linalg.lstsq(F, y, rcond=None)
    return float(np.mean((F @ coef - y) ** 2))
