"""Gradient flow (81)/(101) and the heavy-ball flow of Appendix B.

Section 4.2.2 (4) of the paper studies the gradient flow

    theta'(tau) = -grad J_m(theta(tau)),   theta(0) = (a_hat, w_hat),   (101)

started on (or near) an affine space M*_P, and two times:

* the **plateau time**: the first tau with J_m(theta(tau)) <= fraction *
  J_m(theta(0)) (the loss has left its plateau; ``fraction`` is stated by
  the caller, :data:`DEFAULT_FRACTION` otherwise);
* the **separation time** tau_0 of eq. (103): the first tau with
  ||theta(tau) - theta(0)||_2 > delta (:data:`DEFAULT_DELTA` otherwise).

Both are returned in a :class:`FlowResult` (scipy ``OdeResult`` style) with
the status of the run: ``escaped`` (the stopping time was reached),
``trapped`` (the time limit came first) or ``failed`` (the solver gave up;
``message`` says why).

Three paths, and every result says which one it took (``result.path``;
the third, ``reduced``, is described in :mod:`cmwork.reduced_flow`: the
mpmath path below until the split of the rates has saturated, the drift
along M*_P on its slow manifold, BDF2 in mpmath (:func:`_flow_bdf`) to the
end):

``float64``
    scipy's ``solve_ivp`` (BDF) on theta in float64, with the float64
    gradient and :meth:`cmwork.Loss.hessian_float64` as Jacobian.  On M*_P
    the bracketed sums of (92)-(93) cancel, and the rounding of that
    cancellation (~1e-16) is larger than the true gradient, of size
    e^{-w/omega}, once w/omega passes ~35; the forces that end the plateau
    are smaller still (see below).  Kept for speed at short memories and
    for ``benchmarks/escape_time.py``, which shows where it is wrong.
``mpmath``
    theta(0) is kept exact and the displacement u = theta - theta(0) is
    integrated in mpmath at ``dps`` digits by the exponential Rosenbrock
    method exprb32 (order 3, embedded order 2; Hochbruck, Ostermann and
    Schweitzer, SIAM J. Numer. Anal. 47 (2009)), whose phi-functions of the
    exact Hessian come from its mpmath eigendecomposition.  The method is
    exact for a quadratic loss, so the linear phase of the plateau costs a
    few steps however long it lasts.  Nothing is rounded to float64.

Why not scipy with an mpmath right-hand side: the Hessian on M*_P has O(1)
eigenvalues beside eigenvalues of size omega^{-2} e^{-w/omega}; rounded to
float64 entry by entry, the small ones are lost (errors ~1e-16), and a
stiff solver whose Newton matrix is that wrong cannot take the steps of
size e^{w/omega} the plateau needs.  Rotating into the eigenframe of
Hess J_m(theta(0)) helps only while theta stays close to theta(0): on the
2-core development machine BDF in that frame failed ("step size less than
spacing") from 1/omega = 25 on.

What the flow does (measured, not assumed): the gradient on M*_P is
orthogonal to the kernel of Hess J~_m, so its component along the unstable
eigenvector is O(e^{-2w/omega}), not O(e^{-w/omega}); the unstable
direction saturates at |theta - theta(0)| ~ e^{-w/(2 omega)} against the
quartic growth of J~_m off M*_P, and the rest of the plateau is a drift
along M*_P driven by forces of size e^{-2w/omega}.  The precision budget
of the mpmath path (:func:`flow_budget`) therefore resolves
e^{-2 max(w)/omega}, not e^{-max(w)/omega}.

Appendix B: :func:`quadratic_flows` integrates the gradient flow and the
heavy-ball flow rho x'' + (1 - rho)/sqrt(eta) x' + grad f(x) = 0 of
f(x) = (x_1^2 - eps x_2^2)/2 with scipy, in float64 (no cancellation there).

Progress of long runs goes to the ``progress`` callable (None: silent).
"""
from __future__ import annotations

import math
import time
from typing import Callable, List, Optional, Sequence

import mpmath
import numpy as np
from mpmath import mpf
from scipy.integrate import solve_ivp
from scipy.optimize import OptimizeResult

from . import fastla, symbolic
from .loss import Loss
from .precision import DEFAULT_DPS, check_dps, digits_for, workdps
from .targets import MemoryTarget, as_vector

#: Plateau time: the loss has fallen below this fraction of J_m(theta(0))
#: (chosen here: the loss drop at the end of the plateau is O(omega) of
#: J_m for m = 2, about 7% at 1/omega = 60, so 1% marks the drop).
DEFAULT_FRACTION = 0.99

#: Separation time tau_0 of eq. (103) for this delta (chosen here).
DEFAULT_DELTA = 0.1

#: Relative tolerance of the adaptive solvers (chosen here; checks run two
#: tolerances or two precisions and report the difference as the error).
DEFAULT_RTOL = 1e-5

#: Significant digits wanted of the smallest force the flow feels,
#: e^{-2 max(w)/omega} (chosen here).
FLOW_DIGITS = 10

#: The float64 path is chosen by ``path="auto"`` while e^{-2 max(w)/omega}
#: still has this many digits above float64's rounding (chosen here).
AUTO_FLOAT64_DIGITS = 4

#: Steps allowed in one run of the mpmath path (chosen here; a run that
#: needs more ends with status "failed" and says so).
MAX_STEPS = 20000

#: Step-size controller: safety factor, bounds of the step ratio, and the
#: exponent 1/(p+1) for the embedded order p = 2 (chosen here).
_SAFETY, _GROW, _SHRINK, _ORDER = 0.9, 10.0, 0.2, mpf(1) / 3

#: exprb32's error norm measures each component against at least this
#: fraction of the largest displacement so far (chosen here, as BDF2's
#: _BDF_SCALE_FLOOR).  Without it, at m = 10 and 1/omega = 40, the split of
#: the rates (displacements ~1e-8) was held to steps of ~1e-4 of t by the
#: a_k, displaced ~1e-15 (the stiff sum slaved to the split, the drift
#: driven by its square), each integrated to rtol of its own size: 1950
#: steps across t = 2.3e15..3.7e15.
_EXPRB_SCALE_FLOOR = mpf("1e-4")

#: A step may let the fastest unstable mode of the linearisation grow by at
#: most e^{_MAX_GROWTH}: the error estimate of an exponential integrator
#: does not see errors that the growth amplifies (chosen here).
_MAX_GROWTH = 1

#: Iterations that locate an event inside a step (chosen here).
_EVENT_ITER = 40

#: The mpmath path tries its ``switch`` every this many accepted steps.
_SWITCH_EVERY = 5

#: The heavy ball that carries the reduced path's end phase when
#: ``end_phase="heavy_ball"``: rho theta'' + theta' + grad J_m = 0, i.e.
#: friction (1 - rho)/sqrt(eta) = 1 (chosen here).  On a trajectory whose
#: rates are small against 1/rho it is theta' = -(I + rho Hess J_m)
#: grad J_m + O(rho^2): the gradient flow with the stiff directions'
#: rates changed by O(rho), the slow ones (|lambda| << 1) unchanged.
END_PHASE_RHO = mpf("0.01")

END_PHASES = ("gradient", "heavy_ball")

STATUSES = ("escaped", "trapped", "failed")
PATHS = ("auto", "float64", "mpmath", "reduced", "bdf2")
STOPS = ("plateau", "separation", "both", "none")


class FlowResult(OptimizeResult):
    """Result of a flow, in scipy's OdeResult style (a dict with attributes).

    Attributes: ``t`` (accepted times), ``y`` (theta at those times,
    float64, 2m x len(t)), ``displacement`` (||theta - theta(0)|| at those
    times, float64), ``loss`` (J_m at those times, float64), ``status``
    (escaped | trapped | failed), ``message``, ``plateau_time``,
    ``separation_time`` (None where not reached), ``fraction``, ``delta``,
    ``path`` (float64 | mpmath | reduced | bdf2), ``dps`` (None on
    float64), ``linalg`` (the linear algebra of the mpmath paths, "flint"
    or "mpmath", see :mod:`cmwork.fastla`; None on float64), ``rtol``,
    ``nfev``, ``njev``, ``nsteps``, ``seconds``, ``loss0`` (J_m(theta(0))).
    """


# ---------------------------------------------------------------------------
# inputs

def _check_time(name, value) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r}: expected a number > 0") from None
    if not math.isfinite(x) or x <= 0:
        raise ValueError(f"{name}={value!r}: expected a finite time span > 0")
    return x


def _check_fraction(fraction) -> float:
    x = float(fraction)
    if not 0 < x < 1:
        raise ValueError(f"fraction={fraction!r}: expected 0 < fraction < 1 "
                         "(the plateau ends when J falls below fraction * J(0))")
    return x


def _check_delta(delta) -> float:
    x = float(delta)
    if not (math.isfinite(x) and x > 0):
        raise ValueError(f"delta={delta!r}: expected a number > 0 (the "
                         "separation ||theta - theta(0)|| of eq. (103))")
    return x


def _check_choice(name, value, allowed):
    if value not in allowed:
        raise ValueError(f"{name}={value!r}: expected one of "
                         f"{', '.join(allowed)}")
    return value


def _check_flow(loss, t_max, fraction, delta, stop, sign, rtol):
    """The arguments every flow of J_m shares; returns t_max, fraction,
    delta as floats."""
    if not isinstance(loss, Loss):
        raise ValueError(f"loss={loss!r}: expected a cmwork.Loss")
    t_max = _check_time("t_max", t_max)
    fraction = _check_fraction(fraction)
    delta = _check_delta(delta)
    _check_choice("stop", stop, STOPS)
    if sign not in (-1, 1):
        raise ValueError(f"sign={sign!r}: expected -1 (descent) or +1")
    if not (0 < float(rtol) < 0.1):
        raise ValueError(f"rtol={rtol!r}: expected 0 < rtol < 0.1")
    return t_max, fraction, delta


def _check_momentum(rho, eta) -> None:
    """The heavy ball's rho and eta (Appendix B)."""
    if not (0 < float(rho) <= 1):
        raise ValueError(f"rho={rho!r}: expected 0 < rho <= 1")
    if not (float(eta) > 0):
        raise ValueError(f"eta={eta!r}: expected eta > 0")


def flow_budget(loss: Loss, a, w, *, digits: int = FLOW_DIGITS) -> int:
    """Digits for the mpmath path: resolve e^{-2 max(w)/omega} beside O(1).

    The drift that ends the plateau is driven by forces of that size (see
    the module docstring); for a target without memory, ``digits`` plus the
    margin.
    """
    x = 0.0
    if isinstance(loss.target, MemoryTarget):
        with workdps(DEFAULT_DPS):
            w_ = as_vector("w", w, positive=True)
            x = float(2 * max(w_) / loss.target.omega)
    return digits_for(x, digits=digits)


def choose_path(loss: Loss, a, w) -> str:
    """``float64`` while e^{-2 max(w)/omega} keeps AUTO_FLOAT64_DIGITS
    digits above float64's rounding (~1e-16 beside O(1)), else ``mpmath``.

    With the defaults this is 1/omega <= 13.76 for max(w) = 1.
    """
    x = 0.0
    if isinstance(loss.target, MemoryTarget):
        with workdps(DEFAULT_DPS):
            x = float(2 * max(as_vector("w", w, positive=True))
                      / loss.target.omega)
    ok = x * math.log10(math.e) + AUTO_FLOAT64_DIGITS <= _FLOAT64_DIGITS
    return "float64" if ok else "mpmath"


#: Decimal digits of float64 (53 bits).
_FLOAT64_DIGITS = 53 * math.log10(2)


# ---------------------------------------------------------------------------
# the gradient flow of J_m

def gradient_flow(loss: Loss, a0, w0, *, t_max, path: str = "auto",
                  dps: Optional[int] = None, rtol: float = DEFAULT_RTOL,
                  fraction: float = DEFAULT_FRACTION,
                  delta: float = DEFAULT_DELTA, stop: str = "both",
                  max_steps: int = MAX_STEPS, sign: int = -1,
                  max_seconds: Optional[float] = None,
                  end_phase: str = "gradient",
                  progress: Optional[Callable[[str], None]] = None
                  ) -> FlowResult:
    """Integrate theta' = -grad J_m(theta) from theta(0) = (a0, w0).

    ``t_max`` is the time limit (> 0); ``stop`` says which time ends the
    run: ``plateau``, ``separation``, ``both`` (the later of the two) or
    ``none`` (run to ``t_max``, e.g. for a loss curve).  ``path`` is
    ``float64``, ``mpmath``, ``reduced`` (the mpmath path with the drift
    along M*_P on its slow manifold, :mod:`cmwork.reduced_flow`; the result
    lists its ``phases`` and ``kappa_max``), ``bdf2`` (variable-step BDF2
    in mpmath from theta(0) to the end, :func:`_flow_bdf`; a cross-check
    up to 1/omega ~ 25: at 30 it ends ``failed`` in the double well of the
    split, README) or ``auto``
    (:func:`choose_path`: float64 or mpmath); ``dps`` overrides
    :func:`flow_budget` on the mpmath and reduced paths.  ``sign=+1`` flips the
    sign of the gradient (an ascent flow: a deliberately wrong variant for
    the tests).  ``max_seconds`` caps the wall-clock time of the run: a run
    that reaches it ends with status ``failed`` and a message saying so
    and how far it got (``t[-1]``).

    ``end_phase`` (reduced path only) says what carries the run from the
    end of the reduction to the stopping time: ``gradient``, this flow on
    BDF2, or ``heavy_ball``, the overdamped heavy ball of
    :data:`END_PHASE_RHO` on BDF2 started with theta' = -grad J_m.  The
    end phase is where one rate w_k leaves its group: its a_k first falls
    towards 0 (to 7e-9 at m = 2, 1/omega = 36) while w_k slides off, then
    grows as w_k reaches the memory; there the gradient flow's BDF2 fails
    Newton's method at every step past 1/omega ~ 32 and stalls, while the
    heavy ball's passes.  With ``heavy_ball`` a drift whose predictor
    test refused a step near its end is first continued with the branch
    known by signs, and the escape of w_k is reduced (w_k slow, a_k
    solved for) wherever that applies, between heavy-ball stretches
    (:func:`_end_on_heavy_ball`).  The end phase is short: at m = 2 it
    lasts 4e-5 of the plateau time at 1/omega = 30, 8e-8 at 40, 3e-12 at
    60.  With ``heavy_ball`` the result's ``end_share`` is that fraction
    (the end phase's length over the stopping time reached; None before
    the end phase), the bound on what the substitution can move the times
    by.

    >>> from fractions import Fraction
    >>> import cmwork
    >>> rho = cmwork.MemoryTarget(a_star=[1], w_star=[1], omega=Fraction(1, 8),
    ...           template=cmwork.GaussianTemplate(c0=1, sigma=1))
    >>> r = gradient_flow(cmwork.Loss(rho, m=2), [0.3, 0.7], [1, 1],
    ...                   t_max=1e4, path="mpmath")
    >>> r.status, r.path, round(r.separation_time, 2), round(r.plateau_time, 1)
    ('escaped', 'mpmath', 9.76, 30.2)

    Paper: Section 4.2.2 (4), eqs. (101), (103); Section 4.2.3 (1).
    """
    t_max, fraction, delta = _check_flow(loss, t_max, fraction, delta, stop,
                                         sign, rtol)
    _check_choice("path", path, PATHS)
    _check_choice("end_phase", end_phase, END_PHASES)
    cap = None if max_seconds is None else _check_time("max_seconds",
                                                       max_seconds)
    with workdps(DEFAULT_DPS):
        a_, w_ = loss._params(a0, w0)      # ValueError for w <= 0, wrong m
    if path == "auto":
        path = choose_path(loss, a_, w_)
    start = time.perf_counter()
    deadline = None if cap is None else start + cap
    if path == "float64":
        res = _flow_float64(loss, a_, w_, t_max, rtol, fraction, delta, stop,
                            sign, deadline)
    elif path == "mpmath":
        d = check_dps(dps) if dps is not None else flow_budget(loss, a_, w_)
        res = _flow_mpmath(loss, a_, w_, t_max, d, rtol, fraction, delta,
                           stop, max_steps, sign, progress, deadline)
    elif path == "bdf2":
        d = check_dps(dps) if dps is not None else flow_budget(loss, a_, w_)
        with workdps(d):
            J0 = loss.value(a_, w_, dps=d)
            res = _flow_bdf(loss, a_, w_, t_max, d, rtol, fraction, delta,
                            stop, max_steps, sign, progress, deadline,
                            start=([mpf(0)] * (2 * loss.m), 0, J0, None,
                                   None))
        res.update(path="bdf2")
    else:
        d = check_dps(dps) if dps is not None else flow_budget(loss, a_, w_)
        res = _flow_reduced(loss, a_, w_, t_max, d, rtol, fraction, delta,
                            stop, max_steps, sign, progress, deadline,
                            end_phase=end_phase)
    res.seconds = round(time.perf_counter() - start, 3)
    # the linear algebra of the mpmath paths (cmwork.fastla); None on float64
    res.linalg = None if res.path == "float64" else fastla.backend()
    return res


def _stopped(stop, plateau, separation) -> bool:
    if stop == "plateau":
        return plateau is not None
    if stop == "separation":
        return separation is not None
    if stop == "both":
        return plateau is not None and separation is not None
    return False


def _finish(res: FlowResult, stop: str, reached_end: bool) -> FlowResult:
    if res.get("status") == "failed":
        return res
    if _stopped(stop, res.plateau_time, res.separation_time):
        res.status = "escaped"
        res.message = "the stopping time was reached"
    elif reached_end:
        res.status = "trapped" if stop != "none" else "escaped" if (
            res.plateau_time is not None) else "trapped"
        res.message = (f"time limit t_max = {res.t[-1]:.6g} reached"
                       + ("" if res.plateau_time is not None else
                          "; the loss is still on its plateau"))
    else:
        res.status = "failed"
        res.message = (f"the solver stopped at t = {res.t[-1]:.6g} before "
                       "the stopping time")
    return res


# -- mpmath path --------------------------------------------------------------

class _MpSystem:
    """u' = sign * grad J_m(theta0 + u) in mpmath; counts evaluations."""

    def __init__(self, loss, a0, w0, dps, sign):
        self.loss, self.m, self.dps, self.sign = loss, loss.m, dps, sign
        self.theta0 = list(a0) + list(w0)
        self.nfev = self.njev = 0

    def theta(self, u):
        return [x + y for x, y in zip(self.theta0, u)]

    def f(self, u):
        self.nfev += 1
        th = self.theta(u)
        g = self.loss.gradient(th[:self.m], th[self.m:], dps=self.dps)
        return [self.sign * g[i] for i in range(2 * self.m)]

    def hessian(self, u):
        self.njev += 1
        th = self.theta(u)
        return self.loss.hessian(th[:self.m], th[self.m:], dps=self.dps)

    def value(self, u):
        th = self.theta(u)
        return self.loss.value(th[:self.m], th[self.m:], dps=self.dps)

    def displacement(self, u):
        """|theta - theta(0)|."""
        return mpmath.sqrt(mpmath.fsum(x ** 2 for x in u))

    def jacobian(self, u):
        """The Jacobian of :meth:`f`: sign * Hess J_m."""
        return self.sign * self.hessian(u)

    def initial_step(self, u):
        """1 / (the largest |eigenvalue| of Hess J_m at u)."""
        return 1 / max(abs(x) for x in fastla.eigvalsh(self.hessian(u)))

    def growth_rate(self, u):
        """The fastest growth rate of the linearisation at u (0 if no mode
        grows): the largest eigenvalue of sign * Hess J_m."""
        lam = fastla.eigvalsh(self.hessian(u))
        return max(mpf(0), self.sign * lam[0], self.sign * lam[-1])


class _HeavyBallSystem(_MpSystem):
    """The heavy ball of Appendix B on J_m as a first-order system in
    mpmath: z = (u, v), u = theta - theta(0), v = theta',

        u' = v,    v' = -(friction v + g(theta)) / rho,

    g = -sign * grad J_m (sign = -1: the gradient itself), with Jacobian
    [[0, I], [sign Hess J_m / rho, -(friction / rho) I]].  theta, the
    loss and the Hessian are those of the u part (:class:`_MpSystem`
    reads theta through :meth:`theta`)."""

    def __init__(self, loss, a0, w0, dps, sign, rho, friction):
        super().__init__(loss, a0, w0, dps, sign)
        self.rho, self.friction = mpf(rho), mpf(friction)

    def theta(self, z):
        return super().theta(z[:2 * self.m])

    def f(self, z):
        n = 2 * self.m
        g = super().f(z[:n])                      # sign * grad J_m
        v = z[n:]
        return list(v) + [(g[i] - self.friction * v[i]) / self.rho
                          for i in range(n)]

    def jacobian(self, z):
        n = 2 * self.m
        H = self.hessian(z)
        J = mpmath.zeros(2 * n, 2 * n)
        for i in range(n):
            J[i, n + i] = 1
            J[n + i, n + i] = -self.friction / self.rho
            for j in range(n):
                J[n + i, j] = self.sign * H[i, j] / self.rho
        return J

    def displacement(self, z):
        return super().displacement(z[:2 * self.m])

    def growth_rate(self, z):
        """The fastest growth rate of the linearisation at z: for an
        eigenvalue lam > 0 of sign * Hess J_m, the root mu > 0 of
        rho mu^2 + friction mu = lam."""
        lam = _MpSystem.growth_rate(self, z)
        if lam == 0:
            return lam
        f, r = self.friction, self.rho
        return 2 * lam / (f + mpmath.sqrt(f * f + 4 * r * lam))

    def initial_step(self, z):
        """1 / (a bound on the spectral radius of the Jacobian)."""
        J = self.jacobian(z)
        return 1 / max(mpmath.fsum(abs(J[i, j]) for j in range(J.cols))
                       for i in range(J.rows))


def _phi(k, z):
    """phi_k(z) = (e^z - sum_{j<k} z^j/j!) / z^k, by its series near 0."""
    if abs(z) < mpf("0.5"):
        term = mpf(1) / mpmath.factorial(k)
        total, j = term, 0
        while abs(term) > mpmath.eps * abs(total):
            j += 1
            term = term * z / (k + j)
            total += term
        return total
    head = mpmath.fsum(z ** j / mpmath.factorial(j) for j in range(k))
    return (mpmath.exp(z) - head) / z ** k


class _Linearisation:
    """Hess J_m at u_n, diagonalised: H = R diag(lam) L with L = R^{-1}
    (:func:`cmwork.fastla.eigh`: python-flint's QR, or mpmath.eigsy with
    L = R^T).  ``backend`` records which one was used."""

    def __init__(self, H, backend=None):
        self.n = H.rows
        self.lam, self.R, self.L, self.backend = fastla.eigh(H, backend)

    def growth_cap(self, sign):
        """Largest step over which the fastest growing mode of the
        linearisation grows by at most e^{_MAX_GROWTH}."""
        rate = max(sign * x for x in self.lam)
        return mpf(_MAX_GROWTH) / rate if rate > 0 else mpmath.inf

    def apply(self, k, h, sign, v):
        """phi_k(h J) v with J = sign H: R diag(phi_k(h sign lam)) L v."""
        n, R, L = self.n, self.R, self.L
        c = [mpmath.fdot(L[i], v) for i in range(n)]
        c = [_phi(k, h * sign * self.lam[i]) * c[i] for i in range(n)]
        return [mpmath.fdot(R[r], c) for r in range(n)]


def _exprb32_step(sys_, u, f0, h, lin, H):
    """One exprb32 step (Hochbruck, Ostermann, Schweitzer 2009) of size h.

    U = u + h phi_1(hJ) F(u)                      (order 2, the estimate)
    u_new = U + 2h phi_3(hJ) D,  D = F(U) - F(u) - J (U - u)     (order 3)

    exact when J_m is quadratic, so the plateau's linear phase costs a few
    steps however long it lasts.  Returns (u_new, error vector).
    """
    n, sign = len(u), sys_.sign
    du = [h * x for x in lin.apply(1, h, sign, f0)]
    U = [u[i] + du[i] for i in range(n)]
    fU = sys_.f(U)
    Jdu = [sign * mpmath.fsum(H[i, j] * du[j] for j in range(n))
           for i in range(n)]
    D = [fU[i] - f0[i] - Jdu[i] for i in range(n)]
    corr = [2 * h * x for x in lin.apply(3, h, sign, D)]
    return [U[i] + corr[i] for i in range(n)], corr


def _err_norm(err, peak, new, rtol, atol):
    """max_i |err_i| / (atol + rtol max(peak_i, |new_i|)).

    peak_i is the largest |u_i| so far: a component is controlled relative
    to its own size (the unstable one starts e^{-w/omega} below the others)
    but not relative to zero where it changes sign.
    """
    return max(abs(e) / (atol + rtol * max(p, abs(y)))
               for e, p, y in zip(err, peak, new))


class _Trace:
    """The accepted steps of an mpmath integrator (float64 copies) and its
    progress line."""

    def __init__(self, sys_, t, u, J, r, progress, J0, tag="flow"):
        self.sys_, self.progress, self.J0, self.tag = sys_, progress, J0, tag
        self.ts, self.ys, self.losses, self.disp = [], [], [], []
        self.add(t, u, J, r)

    def add(self, t, u, J, r, steps=None):
        self.ts.append(float(t))
        self.ys.append([float(x) for x in self.sys_.theta(u)])
        self.losses.append(float(J))
        self.disp.append(float(r))
        if self.progress is not None and steps and steps % 50 == 0:
            self.progress(f"{self.tag}: step {steps}, t = {float(t):.4g}, "
                          f"J/J0 = {float(J / self.J0):.6f}, "
                          f"|theta - theta0| = {float(r):.3g}")

    def into(self, res, steps):
        res.update(t=np.array(self.ts), y=np.array(self.ys).T,
                   loss=np.array(self.losses),
                   displacement=np.array(self.disp), nfev=self.sys_.nfev,
                   njev=self.sys_.njev, nsteps=steps)


def _note_events(res, sys_, level, delta, J_new, r_new, locate):
    """Record the plateau and separation times crossed by a step;
    ``locate(g)`` finds where g turns <= 0 inside it."""
    if res.plateau_time is None and J_new <= level:
        res.plateau_time = float(locate(lambda v: sys_.value(v) - level))
    if res.separation_time is None and r_new > delta:
        res.separation_time = float(locate(
            lambda v: delta - sys_.displacement(v)))


def _flow_mpmath(loss, a0, w0, t_max, d, rtol, fraction, delta, stop,
                 max_steps, sign, progress, deadline=None, *, start=None,
                 switch=None) -> FlowResult:
    """The mpmath path.  ``start`` = (u, t, J0, plateau_time,
    separation_time) continues a run at displacement u from theta(0) =
    (a0, w0) at time t; ``switch(theta)`` (tried every SWITCH_EVERY steps)
    returning the name of a phase ends the run with status ``switch``,
    that name in ``switch_to`` and the exact displacement in ``u_end``."""
    n = 2 * loss.m
    with workdps(d):
        sys_ = _MpSystem(loss, [+x for x in a0], [+x for x in w0], d, sign)
        atol = mpf(10) ** (-(d - 5))          # the resolution of theta
        rtol_ = mpf(rtol)
        u = [mpf(0)] * n
        t = mpf(0)
        J0 = sys_.value(u)
        found = (None, None)
        if start is not None:
            u, t, J0, *found = start
            u, t = [+x for x in u], mpf(t)
        peak = [abs(x) for x in u]
        level = fraction * J0
        J_start = J0 if start is None else sys_.value(u)
        r_start = mpmath.sqrt(mpmath.fsum(x ** 2 for x in u))
        trace = _Trace(sys_, t, u, J_start, r_start, progress, J0)
        res = FlowResult(path="mpmath", dps=d, rtol=rtol, fraction=fraction,
                         delta=delta, plateau_time=found[0],
                         separation_time=found[1],
                         loss0=float(J0), status=None, message="")
        steps = 0
        H = sys_.hessian(u)
        lin = _Linearisation(H)
        f0 = sys_.f(u)
        h = 1 / max(abs(x) for x in lin.lam)
        reached_end = False
        while True:
            why = _out_of_budget(t, steps, max_steps, deadline)
            if why:
                res.status, res.message = "failed", why
                break
            h = min(h, mpf(t_max) - t, lin.growth_cap(sys_.sign))
            try:
                new, err = _exprb32_step(sys_, u, f0, h, lin, H)
                floor = _EXPRB_SCALE_FLOOR * max(peak)
                en = _err_norm(err, [max(p, floor) for p in peak], new,
                               rtol_, atol)
                J_new = sys_.value(new) if en <= 1 else None
            except (ValueError, ZeroDivisionError):
                en = mpf(100)               # the step left w > 0: retry smaller
            if en > 1:
                h *= max(_SHRINK, _SAFETY * en ** (-_ORDER))
                if h < t * mpf(10) ** (-(d - 5)) or h == 0:
                    res.status, res.message = "failed", (
                        f"step size {float(h):.3g} below the resolution of "
                        f"t = {float(t):.6g}")
                    break
                continue
            t_new = t + h
            r_new = mpmath.sqrt(mpmath.fsum(x ** 2 for x in new))
            _note_events(res, sys_, level, delta, J_new, r_new,
                         lambda g: _locate(sys_, u, f0, t, h, lin, H, g))
            u, t = new, t_new
            peak = [max(p, abs(x)) for p, x in zip(peak, u)]
            steps += 1
            trace.add(t, u, J_new, r_new, steps)
            if _stopped(stop, res.plateau_time, res.separation_time):
                break
            if t >= t_max:
                reached_end = True
                break
            to = (switch(sys_.theta(u)) if switch is not None
                  and steps % _SWITCH_EVERY == 0 else None)
            if to:
                res.status, res.message = "switch", (
                    f"switch to {to} at t = {float(t):.6g}")
                res.u_end, res.t_end, res.switch_to = u, t, to
                break
            h *= min(_GROW, _SAFETY * max(en, mpf(10) ** -10) ** (-_ORDER))
            H = sys_.hessian(u)
            lin = _Linearisation(H)
            f0 = sys_.f(u)
    trace.into(res, steps)
    if res.status == "switch":
        return res
    return _finish(res, stop, reached_end)


def _flow_reduced(loss, a0, w0, t_max, d, rtol, fraction, delta, stop,
                  max_steps, sign, progress, deadline=None, *,
                  end_phase="gradient") -> FlowResult:
    """mpmath path (exprb32) until the slow manifold, the reduction (R) of
    :mod:`cmwork.reduced_flow` along it, BDF2 in mpmath (:func:`_flow_bdf`)
    from the end of the reduction to the stopping time.  Where the split
    has saturated but the reduction's kappa is still above rtol/10, or y
    still lags behind y*(x), BDF2 takes over from exprb32 until the
    reduction applies (or to the end):
    at m = 10, 1/omega = 24 (Figure 3's seeded start) exprb32 alone took
    2347 steps, 435 s, this 280 exprb32 + 275 BDF2 steps, 113 s."""
    from .reduced_flow import (SlowManifold, phase_summary, run_reduced,
                               try_switch_in)
    man = SlowManifold(loss, d, sign)
    with workdps(d):
        theta0 = [+x for x in a0] + [+x for x in w0]
        J0 = man.loss.value(a0, w0, dps=d)

    def switch(theta):
        why = try_switch_in(man, theta, theta0, rtol)
        if why is None:
            return "reduced"
        # the split has saturated but the reduction's error kappa is still
        # above rtol/10 (exprb32 there took 2347 steps, 435 s, at m = 10 and
        # 1/omega = 24; BDF2 82 s), or y still lags behind y*(x) (exprb32
        # held h ~ 1e13 against t ~ 1e18 at 1/omega = 40): BDF2 until the
        # reduction applies
        return ("bdf2" if why.startswith(("kappa", "y is not yet"))
                else None)

    # the slow manifold is a set of minima in y: an ascent flow (sign = +1,
    # a wrong variant) stays on the mpmath path
    first = _flow_mpmath(loss, a0, w0, t_max, d, rtol, fraction, delta, stop,
                         max_steps, sign, progress, deadline,
                         switch=switch if sign == -1 else None)
    phases = [phase_summary("mpmath", 0.0, first.t[-1], first.nsteps,
                            first.status)]
    first.update(path="reduced", phases=phases, end_share=None)
    if first.status != "switch":
        return first
    if first.switch_to == "bdf2":
        t = float(first.t_end)
        if progress is not None:
            progress(f"flow: the split saturated at t = {t:.4g}; BDF2 until "
                     "the reduction applies")
        mid = _flow_bdf(loss, a0, w0, t_max, d, rtol, fraction, delta, stop,
                        max_steps, sign, progress, deadline,
                        start=(first.u_end, first.t_end, J0,
                               first.plateau_time, first.separation_time),
                        switch=lambda th: try_switch_in(man, th, theta0,
                                                        rtol) is None)
        phases.append(phase_summary("bdf2", t, mid.t[-1], mid.nsteps,
                                    mid.status))
        _append(first, mid.t[1:], mid.y.T[1:], mid.loss[1:],
                mid.displacement[1:], mid.nsteps)
        first.update(plateau_time=mid.plateau_time,
                     separation_time=mid.separation_time,
                     status=mid.status, message=mid.message,
                     nfev=first.nfev + mid.nfev, njev=first.njev + mid.njev)
        if mid.status != "switch":
            return first
        first.u_end, first.t_end = mid.u_end, mid.t_end
    res = first
    with workdps(d):
        theta = [x + y for x, y in zip(theta0, first.u_end)]
    t = float(first.t_end)
    if progress is not None:
        progress(f"flow: slow manifold reached at t = {t:.4g}; reduced phase")
    red = run_reduced(man, theta, t, t_max, rtol=rtol, theta0=theta0,
                      level=fraction * J0, delta=delta,
                      found=(res.plateau_time, res.separation_time),
                      stopped=lambda p, q: _stopped(stop, p, q),
                      deadline=deadline, clock=time.perf_counter)
    phases.append(phase_summary("reduced", t, red["t_end"], red["steps"],
                                red["end"]))
    res.update(plateau_time=red["plateau_time"],
               separation_time=red["separation_time"],
               kappa_max=red["kappa_max"],
               nfev=res.nfev + man.nfev, njev=res.njev + man.njev)
    _append(res, red["t"], red["theta"], red["loss"], red["disp"],
            red["steps"])
    if red["end"] == "stopped":
        return _finish(res, stop, reached_end=False)
    if red["end"] == "t_max":
        return _finish(res, stop, reached_end=True)
    if red["end"] in ("cap", "steps"):
        res.status, res.message = "failed", (
            _cap_message(red["t_end"], res.nsteps) if red["end"] == "cap"
            else f"{red['steps']} steps of the reduced phase at t = "
            f"{red['t_end']:.6g}")
        return res
    # the split is no longer fast (one rate leaves the group): the end of
    # the plateau
    t = float(red["t_end"])
    if end_phase == "heavy_ball":
        return _end_on_heavy_ball(loss, a0, w0, t_max, d, rtol, fraction,
                                  delta, stop, max_steps, sign, progress,
                                  deadline, man, red, J0, theta0, res)
    if progress is not None:
        progress(f"flow: reduction ended at t = {t:.4g} ({red['end']}); "
                 "BDF2 to the end")
    with workdps(d):
        u = [x - y for x, y in zip(red["theta_end"], theta0)]
    last = _flow_bdf(loss, a0, w0, t_max, d, rtol, fraction, delta, stop,
                     max_steps, sign, progress, deadline,
                     start=(u, t, J0, res.plateau_time, res.separation_time))
    phases.append(phase_summary("bdf2", t, last.t[-1], last.nsteps,
                                last.status))
    _append(res, last.t[1:], last.y.T[1:], last.loss[1:],
            last.displacement[1:], last.nsteps)
    res.update(plateau_time=last.plateau_time,
               separation_time=last.separation_time, status=last.status,
               message=last.message, nfev=res.nfev + last.nfev,
               njev=res.njev + last.njev)
    return res


#: The escape's reduction is tried at most this many times in one end
#: phase, and after it was lost, again only once the heavy ball has made
#: _ESCAPE_WAIT * _SWITCH_EVERY more steps (chosen here: near w_k = w_j the
#: mirror root of y*(x) is close, and the reduction can be lost within a
#: step of its start).
_ESCAPE_TRIES = 10
_ESCAPE_WAIT = 20

#: A drift lost to its predictor test near its end is continued with the
#: branch known by signs (False: straight to the heavy ball; for tests).
_CONTINUE_BY_SIGNS = True


def _end_on_heavy_ball(loss, a0, w0, t_max, d, rtol, fraction, delta, stop,
                       max_steps, sign, progress, deadline, man, red, J0,
                       theta0, res) -> FlowResult:
    """The reduced path's end phase with ``end_phase="heavy_ball"``: the
    heavy ball of END_PHASE_RHO on BDF2 (own-size error scales) from the
    end of the drift, handing over to the escape's reduction (the rate w_k
    that leaves its group as the one slow coordinate,
    :func:`cmwork.reduced_flow.escape_frame`) as soon as that applies, and
    back to the heavy ball where it ends.  ``res.end_share`` is the part
    of the stopping time spent after the drift."""
    from .reduced_flow import (SlowManifold, escape_branch_test,
                               escape_frame, escaping_rate, phase_summary,
                               run_reduced, try_switch_in)
    phases = res.phases
    t_drift = t = float(red["t_end"])
    theta_now = red["theta_end"]
    man2, k = None, None
    if sign == -1:
        try:
            k = escaping_rate(man, theta_now)
            man2 = SlowManifold(loss, d, sign,
                                frame=escape_frame(loss.m, k, d))
        except (ValueError, ZeroDivisionError):
            man2 = None
    if man2 is not None and _CONTINUE_BY_SIGNS and \
            red.get("predictor_refused"):
        # the drift's end: y*(x) is far from linear there (the curvature of
        # the escaping w_k falls with a_k^2), and the predictor test refuses
        # good steps; the branch is known by signs instead
        if progress is not None:
            progress(f"flow: reduction lost at t = {t:.4g} ({red['end']}); "
                     f"again with the branch of w_{k + 1} known by signs")
        man.branch_test = escape_branch_test(loss.m, k)
        calls = man.nfev, man.njev
        red = run_reduced(man, theta_now, t, t_max, rtol=rtol, theta0=theta0,
                          level=fraction * J0, delta=delta,
                          found=(res.plateau_time, res.separation_time),
                          stopped=lambda p, q: _stopped(stop, p, q),
                          deadline=deadline, clock=time.perf_counter)
        phases.append(phase_summary("reduced, branch by signs", t,
                                    red["t_end"], red["steps"], red["end"]))
        res.update(plateau_time=red["plateau_time"],
                   separation_time=red["separation_time"],
                   kappa_max=max(res.get("kappa_max") or 0.0,
                                 red["kappa_max"]),
                   nfev=res.nfev + man.nfev - calls[0],
                   njev=res.njev + man.njev - calls[1])
        _append(res, red["t"], red["theta"], red["loss"], red["disp"],
                red["steps"])
        # the continuation is the drift's reduction still: the end phase
        # (an approximation of the gradient flow) starts where it ends
        t_drift = t = float(red["t_end"])
        theta_now = red["theta_end"]
        if red["end"] in ("stopped", "t_max"):
            res = _finish(res, stop, reached_end=red["end"] == "t_max")
            res.end_share = 0.0
            return res
    if progress is not None:
        progress(f"flow: reduction ended at t = {t:.4g} ({red['end']}); "
                 "the heavy ball to the end"
                 + (f" (the escape of w_{k + 1} reduced where it applies)"
                    if man2 is not None else ""))
    tries = 0
    while True:
        with workdps(d):
            u = [x - y for x, y in zip(theta_now, theta0)]
            system = _HeavyBallSystem(loss, [+x for x in a0],
                                      [+x for x in w0], d, sign,
                                      END_PHASE_RHO, 1)
            z = u + _MpSystem.f(system, u)   # theta' = sign grad J_m
        switch = None
        if man2 is not None and tries < _ESCAPE_TRIES:
            calls = [0]
            wait = 0 if tries == 0 else _ESCAPE_WAIT

            def switch(th):
                calls[0] += 1
                return calls[0] > wait and try_switch_in(
                    man2, th, theta0, rtol) is None
        last = _flow_bdf(loss, a0, w0, t_max, d, rtol, fraction, delta, stop,
                         max_steps, sign, progress, deadline, system=system,
                         own_scale=True, switch=switch,
                         start=(z, t, J0, res.plateau_time,
                                res.separation_time))
        phases.append(phase_summary("heavy_ball", t, last.t[-1],
                                    last.nsteps, last.status))
        _append(res, last.t[1:], last.y.T[1:], last.loss[1:],
                last.displacement[1:], last.nsteps)
        res.update(plateau_time=last.plateau_time,
                   separation_time=last.separation_time, status=last.status,
                   message=last.message, nfev=res.nfev + last.nfev,
                   njev=res.njev + last.njev)
        if last.status != "switch":
            break
        tries += 1
        theta_now, t = system.theta(last.u_end), float(last.t_end)
        man2 = SlowManifold(loss, d, sign, frame=escape_frame(
            loss.m, k, d, ref=theta_now))
        man2.branch_test = escape_branch_test(loss.m, k)
        if progress is not None:
            progress(f"flow: the escape of w_{k + 1} reduced from t = "
                     f"{t:.4g}")
        red2 = run_reduced(man2, theta_now, t, t_max, rtol=rtol,
                           theta0=theta0, level=fraction * J0, delta=delta,
                           found=(res.plateau_time, res.separation_time),
                           stopped=lambda p, q: _stopped(stop, p, q),
                           deadline=deadline, clock=time.perf_counter)
        phases.append(phase_summary(f"escape of w_{k + 1}", t,
                                    red2["t_end"], red2["steps"],
                                    red2["end"]))
        res.update(plateau_time=red2["plateau_time"],
                   separation_time=red2["separation_time"],
                   nfev=res.nfev + man2.nfev, njev=res.njev + man2.njev)
        _append(res, red2["t"], red2["theta"], red2["loss"], red2["disp"],
                red2["steps"])
        if red2["end"] in ("stopped", "t_max"):
            res = _finish(res, stop, reached_end=red2["end"] == "t_max")
            break
        if red2["end"] in ("cap", "steps"):
            res.status, res.message = "failed", (
                _cap_message(red2["t_end"], res.nsteps)
                if red2["end"] == "cap" else f"{red2['steps']} steps of "
                f"the escape's reduction at t = {red2['t_end']:.6g}")
            break
        theta_now, t = red2["theta_end"], float(red2["t_end"])
    if res.t[-1] > 0:
        res.end_share = float((res.t[-1] - t_drift) / res.t[-1])
    return res


def _append(res, t, theta, loss, disp, steps) -> None:
    if not len(t):
        return
    res.t = np.concatenate([res.t, np.asarray(t, float)])
    res.y = np.concatenate([res.y, np.asarray(theta, float).T], axis=1)
    res.loss = np.concatenate([res.loss, np.asarray(loss, float)])
    res.displacement = np.concatenate([res.displacement,
                                       np.asarray(disp, float)])
    res.nsteps += int(steps)


def _out_of_budget(t, steps, max_steps, deadline) -> str:
    """Why a stepping loop must end before its next step ('' to go on)."""
    if steps >= max_steps:
        return (f"{max_steps} steps reached at t = {float(t):.6g} "
                "(raise max_steps)")
    if deadline is not None and time.perf_counter() > deadline:
        return _cap_message(t, steps)
    return ""


def _cap_message(t, steps) -> str:
    return (f"wall-clock cap (max_seconds) reached at t = {float(t):.6g} "
            f"after {steps} steps")


def _locate(sys_, u, f0, t, h, lin, H, g):
    """The time in (t, t + h] where g turns from > 0 (not yet) to <= 0,
    by bisection on the step.

    Each trial integrates one exprb32 step of size s from u, so the time is
    located to the solver's accuracy, not by interpolation.
    """
    lo, hi = mpf(0), h
    for _ in range(_EVENT_ITER):
        mid = (lo + hi) / 2
        v, _ = _exprb32_step(sys_, u, f0, mid, lin, H)
        if g(v) > 0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= h * mpf(10) ** -9:
            break
    return t + (lo + hi) / 2


# -- the end of the plateau: variable-step BDF2 in mpmath ---------------------

#: Newton iterations allowed per BDF2 step before the step is retried at a
#: quarter of its size, and the size of the last Newton correction, in
#: units of the error tolerance, at which it has converged (chosen here).
_BDF_NEWTON_ITER = 12
_BDF_NEWTON_TOL = mpf("1e-3")

#: Largest ratio of consecutive BDF2 steps: variable-step BDF2 is zero-
#: stable only for ratios below 1 + sqrt 2 (Grigorieff 1983); chosen here.
_BDF_GROW = mpf(2)

#: BDF2's error norm measures each component against at least this
#: fraction of the largest displacement at its start (chosen here): the end
#: phase starts at an O(1) displacement of the a_k, and a rate of the group
#: that does not escape sits displaced by 1e-9 or less; measured against
#: its own size it held the steps at h/t ~ 1e-15 at 1/omega = 40.
_BDF_SCALE_FLOOR = mpf("1e-4")


#: A BDF2 step whose Newton solution lies farther from the last point than
#: 1 + this multiple of the predicted change (max norm), and farther from
#: the predictor than the error tolerance, is retried at a quarter of its
#: size (chosen here).  The implicit equation has other roots: from
#: theta(0) on M*_P at 1/omega = 25 (a_hat = (3/10, 7/10), rtol 1e-3) a
#: step near t = 3e15 landed back on M*_P at w_1 = w_2 with the a_i swapped,
#: and the plateau time came out 3.72e17 against 3.215e15.  The filtered
#: error estimate cannot see such a jump: it lies in stiff directions,
#: where (I - h beta J)^-1 divides it by h |lambda|.
_BDF_BRANCH = mpf(1)


def _hermite(u0, f0, u1, f1, h, s):
    """The cubic Hermite interpolant of a step at fraction s of it."""
    s2, s3 = s * s, s * s * s
    c00, c10 = 2 * s3 - 3 * s2 + 1, s3 - 2 * s2 + s
    c01, c11 = -2 * s3 + 3 * s2, s3 - s2
    return [c00 * a + c10 * h * b + c01 * c + c11 * h * d
            for a, b, c, d in zip(u0, f0, u1, f1)]


def _locate_hermite(u0, f0, u1, f1, t, h, g):
    """The time in (t, t + h] where g turns from > 0 to <= 0, by bisection
    on the step's cubic Hermite interpolant (an error of order h^4, below
    the BDF2 step's own h^3)."""
    lo, hi = mpf(0), mpf(1)
    for _ in range(_EVENT_ITER):
        mid = (lo + hi) / 2
        if g(_hermite(u0, f0, u1, f1, h, mid)) > 0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= mpf(10) ** -9:
            break
    return t + h * (lo + hi) / 2


def _own_norm(err, peak, new, rtol, atol, sys_):
    """:func:`_err_norm` with each parameter theta_i measured against the
    smaller of max(peak_i, |new_i|) and |theta_i| at ``new``; the other
    components (the heavy ball's theta') as in :func:`_err_norm`."""
    th = sys_.theta(new)
    sc = [max(p, abs(y)) for p, y in zip(peak, new)]
    sc = [min(x, abs(th[i])) if i < len(th) else x for i, x in enumerate(sc)]
    return max(abs(e) / (atol + rtol * x) for e, x in zip(err, sc))


def _growth_cap(sys_, u):
    """Largest BDF2 step over which the fastest growing mode at u grows by
    at most e^{_MAX_GROWTH}.  An implicit step damps a growing mode with
    h mu >> 1 instead of following it, and the filtered error estimate
    divides its error by |1 - h beta mu|: at m = 2, 1/omega = 40 (rtol
    1e-4) the end phase without this cap stepped 6e28 across an escape
    that takes ~1e19 and landed on the mirror branch (a_2 < 0, w_1 = w_2)."""
    rate = sys_.growth_rate(u)
    return mpf(_MAX_GROWTH) / rate if rate > 0 else mpmath.inf


def _flow_bdf(loss, a0, w0, t_max, d, rtol, fraction, delta, stop,
              max_steps, sign, progress, deadline, *, start,
              switch=None, system=None, own_scale=False) -> FlowResult:
    """The end of the plateau on variable-step BDF2 in mpmath, continuing a
    run at ``start`` = (u, t, J0, plateau_time, separation_time);
    ``switch(theta)`` (tried every SWITCH_EVERY steps) returning True ends
    the run with status ``switch`` and the exact displacement in ``u_end``.

    Near the end of the plateau the split rate of the escaping w_k falls
    towards the drift's rate and no reduction applies, while exprb32's
    stages still leave the slow manifold by the curvature of the step (its
    steps there grew like e^{0.47/omega}: 1.1e3 at 1/omega = 22, 4.5e3 at
    25).  BDF2 evaluates the field only at the new point, solved by
    Newton's method with the exact Hessian at every iterate (the LU
    factors of the last iteration matrix serve the error filter), so the
    stiff and split
    directions sit on their quasi-static values at every step and the step
    is set by the smooth trajectory.  Step (Hairer-Wanner, variable step):

        u_{n+1} - (1+r)^2/(1+2r) u_n + r^2/(1+2r) u_{n-1}
            = h (1+r)/(1+2r) F(u_{n+1}),   r = h_n / h_{n-1},

    the first step implicit Euler; error estimate (2/5)(u_{n+1} - p) with p
    the quadratic through u_{n-1}, u_n with slope F(u_n) (error constants
    -2/9 and 1/3 at constant step), filtered by (I - h beta J)^-1 as in
    Shampine's stiff codes; step ratios at most _BDF_GROW; events on the
    cubic Hermite interpolant of each step.

    ``system`` replaces the gradient flow by another first-order system
    with the interface of :class:`_MpSystem` (the heavy ball,
    :class:`_HeavyBallSystem`); ``start`` then holds its state.

    ``own_scale``: the error of each parameter theta_i is measured against
    the smaller of its displacement scale and |theta_i| itself (not below
    the resolution atol).  In the end phase the escaping a_k falls to
    1e-10 and below while w_k - w_j is 1e-6: the model feels their
    product, and against displacement scales of O(1) (a_k) the error
    control cannot see it; at m = 2, 1/omega = 50 the heavy ball's steps
    then jumped between a_2 = +-1e-4 and w_2 on either side of w_1.
    """
    with workdps(d):
        sys_ = system or _MpSystem(loss, [+x for x in a0], [+x for x in w0],
                                   d, sign)
        n = len(start[0])
        atol = mpf(10) ** (-(d - 5))
        rtol_ = mpf(rtol)
        u, t, J0, *found = start
        u, t = [+x for x in u], mpf(t)
        floor = _BDF_SCALE_FLOOR * max(abs(x) for x in u)
        peak = [max(abs(x), floor) for x in u]
        norm = ((lambda e, x: _own_norm(e, peak, x, rtol_, atol, sys_))
                if own_scale else
                (lambda e, x: _err_norm(e, peak, x, rtol_, atol)))
        level = fraction * J0
        J_start = sys_.value(u)
        r_start = sys_.displacement(u)
        trace = _Trace(sys_, t, u, J_start, r_start, progress, J0,
                       tag="flow (BDF2)")
        res = FlowResult(path="mpmath", dps=d, rtol=rtol, fraction=fraction,
                         delta=delta, plateau_time=found[0],
                         separation_time=found[1], loss0=float(J0),
                         status=None, message="")
        F = sys_.f(u)
        h = sys_.initial_step(u)
        cap = _growth_cap(sys_, u)
        prev = None                              # (t_{n-1}, u_{n-1})
        steps = 0
        branch_retries = 0
        reached_end = False
        while True:
            why = _out_of_budget(t, steps, max_steps, deadline)
            if why:
                res.status, res.message = "failed", why
                break
            h = min(h, mpf(t_max) - t, cap)
            if h <= t * mpf(10) ** (-(d - 5)):
                res.status, res.message = "failed", (
                    f"step size {float(h):.3g} below the resolution of "
                    f"t = {float(t):.6g}" + (
                        f" (a mode grows at rate {float(1 / cap):.3g})"
                        if h == cap else ""))
                break
            if prev is None:
                c1, c2, beta = mpf(1), mpf(0), mpf(1)
                p = [u[i] + h * F[i] for i in range(n)]
            else:
                hp = t - prev[0]
                r = h / hp
                c1 = (1 + r) ** 2 / (1 + 2 * r)
                c2 = -r ** 2 / (1 + 2 * r)
                beta = (1 + r) / (1 + 2 * r)
                p = [u[i] + F[i] * h + (prev[1][i] - u[i] + F[i] * hp)
                     * (h / hp) ** 2 for i in range(n)]
            rhs = [c1 * u[i] + (c2 * prev[1][i] if prev else 0)
                   for i in range(n)]
            v, converged, lu = list(p), False, None
            for _ in range(_BDF_NEWTON_ITER):
                try:
                    Fv, Jv = sys_.f(v), sys_.jacobian(v)
                except (ValueError, ZeroDivisionError):
                    break                        # an iterate left w > 0
                try:
                    lu = fastla.Factored(mpmath.eye(n)
                                         - (h * beta) * Jv)
                except ZeroDivisionError:
                    break
                dv = lu.solve([v[i] - rhs[i] - h * beta * Fv[i]
                               for i in range(n)])
                v = [v[i] - dv[i] for i in range(n)]
                if norm(dv, v) < _BDF_NEWTON_TOL:
                    converged = True
                    break
            if converged and (max(abs(x - y) for x, y in zip(v, u))
                              > (1 + _BDF_BRANCH) * max(abs(x - y)
                                                        for x, y in zip(p, u))) \
                    and norm([x - y for x, y in zip(v, p)], v) > 1:
                # off the branch: the new point lies far from the last one
                # (a jump to another root is of the size of the split), by
                # more than the tolerance.  A solution that stays put where
                # the predictor moved is no jump, nor a correction below
                # the tolerance: at m = 10, 1/omega = 60 a test on
                # |v - p| > |p - u| alone refused 409 of 890 steps, where
                # components displaced ~1e-16 stayed while their predictor
                # moved, and error estimates were 1e-24 of the tolerance
                converged = False
                branch_retries += 1
            en = mpf(100)
            if converged:
                # the estimate filtered by (I - h beta J)^-1 (Shampine):
                # the predictor's error in a stiff direction is damped by
                # the step and is not the step's error
                err = lu.solve([(x - y) * (mpf(2) / 5 if prev
                                           else mpf(1) / 2)
                                for x, y in zip(v, p)])
                en = norm(err, v)
                try:
                    J_new = sys_.value(v) if en <= 1 else None
                except (ValueError, ZeroDivisionError):
                    en = mpf(100)
            if en > 1:
                h *= max(_SHRINK, _SAFETY * en ** (-_ORDER)) if converged \
                    else mpf(1) / 4
                if h < t * mpf(10) ** (-(d - 5)) or h == 0:
                    res.status, res.message = "failed", (
                        f"step size {float(h):.3g} below the resolution of "
                        f"t = {float(t):.6g}")
                    break
                continue
            F_new = sys_.f(v)
            r_new = sys_.displacement(v)
            _note_events(res, sys_, level, delta, J_new, r_new,
                         lambda g: _locate_hermite(u, F, v, F_new, t, h, g))
            prev = (t, u)
            u, t, F = v, t + h, F_new
            peak = [max(q, abs(x)) for q, x in zip(peak, u)]
            steps += 1
            trace.add(t, u, J_new, r_new, steps)
            if _stopped(stop, res.plateau_time, res.separation_time):
                break
            if t >= t_max:
                reached_end = True
                break
            if switch is not None and steps % _SWITCH_EVERY == 0 \
                    and switch(sys_.theta(u)):
                res.status, res.message = "switch", (
                    f"switch to reduced at t = {float(t):.6g}")
                res.u_end, res.t_end = u, t
                break
            h *= min(_BDF_GROW,
                     _SAFETY * max(en, mpf(10) ** -10) ** (-_ORDER))
            cap = _growth_cap(sys_, u)
    trace.into(res, steps)
    res.branch_retries = branch_retries
    if res.status == "switch":
        return res
    return _finish(res, stop, reached_end)


# -- float64 path -------------------------------------------------------------

class Float64Loss:
    """J_m, its gradient and Hessian evaluated in float64 arithmetic.

    The target moments M_n(w_k) are computed in mpmath and rounded to
    float64 (right to one ulp); the sums S_n and the entries of
    :mod:`cmwork.symbolic` are float64, so the cancellation of (92)-(94) on
    M*_P is rounded.  This is the float64 path; no verdict rests on it.
    """

    def __init__(self, loss: Loss, *, moments_dps: int = 30):
        self.loss, self.m, self.dps = loss, loss.m, moments_dps
        self._F = symbolic.lambdified("math")
        with workdps(moments_dps):
            self._norm2 = float(loss.target.norm2(dps=moments_dps))

    def _numbers(self, theta):
        m = self.m
        a, w = np.asarray(theta[:m], float), np.asarray(theta[m:], float)
        if np.any(~np.isfinite(theta)) or np.any(w <= 0):
            raise ValueError(f"w={w!r}: expected finite positive rates")
        with workdps(self.dps):
            Mo = [[float(self.loss.target.moment(k, mpf(float(wk)),
                                                 dps=self.dps))
                   for k in range(symbolic.MAX_ORDER + 1)] for wk in w]
        S = [[float(np.sum(a / (wk + w) ** (k + 1)))
              for k in range(symbolic.MAX_ORDER + 1)] for wk in w]
        return a, w, S, Mo

    def value(self, theta) -> float:
        a, w, S, Mo = self._numbers(theta)
        f = self._F["value"]
        return float(sum(f(*Loss._args(k, k, a, w, S, Mo))
                         for k in range(self.m)) + self._norm2)

    def gradient(self, theta) -> np.ndarray:
        a, w, S, Mo = self._numbers(theta)
        g = np.zeros(2 * self.m)
        for k in range(self.m):
            x = Loss._args(k, k, a, w, S, Mo)
            g[k] = self._F["grad_a"](*x)
            g[self.m + k] = self._F["grad_w"](*x)
        return g

    def hessian(self, theta) -> np.ndarray:
        m = self.m
        return self.loss.hessian_float64(list(theta[:m]), list(theta[m:]),
                                          moments_dps=self.dps)


class _OutOfTime(Exception):
    pass


def _flow_float64(loss, a0, w0, t_max, rtol, fraction, delta, stop,
                  sign, deadline=None) -> FlowResult:
    F = Float64Loss(loss)
    th0 = np.array([float(x) for x in list(a0) + list(w0)])
    J0 = F.value(th0)
    level = fraction * J0
    count = {"nfev": 0, "njev": 0}

    reached = [0.0]

    def rhs(t, y):
        count["nfev"] += 1
        if deadline is not None and time.perf_counter() > deadline:
            raise _OutOfTime
        reached[0] = max(reached[0], t)
        return sign * F.gradient(y)

    def jac(t, y):
        count["njev"] += 1
        return sign * F.hessian(y)

    def ev_plateau(t, y):
        return F.value(y) - level

    def ev_separation(t, y):
        return float(np.linalg.norm(y - th0)) - delta

    def ev_both(t, y):                    # <= 0 once both times are past
        return max(ev_plateau(t, y), -ev_separation(t, y))

    events = [ev_plateau, ev_separation, ev_both]
    for e in events:
        e.terminal = False
    if stop == "plateau":
        ev_plateau.terminal = True
    elif stop == "separation":
        ev_separation.terminal = True
    elif stop == "both":
        ev_both.terminal, ev_both.direction = True, -1
    res = FlowResult(path="float64", dps=None, rtol=rtol, fraction=fraction,
                     delta=delta, plateau_time=None, separation_time=None,
                     loss0=J0, status=None, message="")
    try:
        sol = solve_ivp(rhs, (0.0, t_max), th0, method="BDF", jac=jac,
                        events=events, rtol=rtol, atol=1e-14 * max(1.0, np.max(
                            np.abs(th0))))
    except (ValueError, _OutOfTime) as exc:   # a step left w > 0, or the cap
        why = (_cap_message(reached[0], count["nfev"]).replace(
            "steps", "gradient evaluations") if isinstance(exc, _OutOfTime)
            else f"solver stopped: {exc}")
        res.update(status="failed", message=why,
                   t=np.array([0.0]), y=th0[:, None], loss=np.array([J0]),
                   displacement=np.array([0.0]), nsteps=0, **count)
        return res
    if len(sol.t_events[0]):
        res.plateau_time = float(sol.t_events[0][0])
    if len(sol.t_events[1]):
        res.separation_time = float(sol.t_events[1][0])
    if len(sol.t_events[2]) and stop == "both":
        # the later of the two crossings ends the run; solve_ivp may not
        # record it separately when it is the terminal root itself
        t_both = float(sol.t_events[2][0])
        if res.plateau_time is None:
            res.plateau_time = t_both
        if res.separation_time is None:
            res.separation_time = t_both
    res.update(t=sol.t, y=sol.y, nsteps=len(sol.t) - 1, **count,
               loss=np.array([F.value(y) for y in sol.y.T]),
               displacement=np.linalg.norm(sol.y - th0[:, None], axis=0))
    if sol.status == -1:
        res.status, res.message = "failed", f"solve_ivp: {sol.message}"
        return res
    return _finish(res, stop, reached_end=sol.status == 0)


# ---------------------------------------------------------------------------
# the heavy-ball flow of J_m (Appendix B's momentum, applied to J_m)

#: Heavy-ball parameters for J_m (chosen here): rho = 0.9 leaves the
#: friction (1 - rho)/sqrt(eta) = 0.1, underdamped on the O(1) Hessian
#: eigenvalues and weak against the small ones, which is where momentum
#: is to help (Appendix B); eta = 1 as the gradient flow's time unit.
HEAVY_BALL_RHO = 0.9
HEAVY_BALL_ETA = 1.0


def heavy_ball_flow(loss: Loss, a0, w0, *, t_max, rho: float = HEAVY_BALL_RHO,
                    eta: float = HEAVY_BALL_ETA, rtol: float = DEFAULT_RTOL,
                    fraction: float = DEFAULT_FRACTION,
                    delta: float = DEFAULT_DELTA, stop: str = "both",
                    sign: int = -1, path: str = "auto",
                    dps: Optional[int] = None, max_steps: int = MAX_STEPS,
                    max_seconds: Optional[float] = None,
                    progress: Optional[Callable[[str], None]] = None
                    ) -> FlowResult:
    """rho theta'' + (1 - rho)/sqrt(eta) theta' + grad J_m(theta) = 0 from
    theta(0) = (a0, w0), theta'(0) = -sqrt(eta) grad J_m(theta(0)).

    The continuous heavy ball of Appendix B (the display before (134)),
    applied to J_m; plateau and separation times as for
    :func:`gradient_flow` (the loss need not fall monotonically here).
    ``path``: ``float64`` (scipy DOP853 on (theta, theta')), ``mpmath``
    (variable-step BDF2 in mpmath on (theta - theta(0), theta') with the
    exact Jacobian, :func:`_flow_bdf` with :class:`_HeavyBallSystem`, at
    :func:`flow_budget`'s precision or ``dps``) or ``auto``
    (:func:`choose_path`).  The mpmath path runs from theta(0) to the end,
    like the gradient flow's ``bdf2`` path, without the slow-manifold
    reduction: measured to 1/omega = 20 (README).  ``sign=+1`` flips the
    gradient (a wrong variant for the tests); ``max_seconds`` caps the
    wall-clock time of the mpmath path (status ``failed``).

    Paper: Appendix B, eqs. (134)-(135); Section 4.2.3 (2) (Adam).
    """
    t_max, fraction, delta = _check_flow(loss, t_max, fraction, delta, stop,
                                         sign, rtol)
    _check_momentum(rho, eta)
    _check_choice("path", path, ("auto", "float64", "mpmath"))
    cap = None if max_seconds is None else _check_time("max_seconds",
                                                       max_seconds)
    with workdps(DEFAULT_DPS):
        a_, w_ = loss._params(a0, w0)
    if path == "auto":
        path = choose_path(loss, a_, w_)
    if path == "mpmath":
        return _heavy_ball_mpmath(loss, a_, w_, t_max, rho, eta, rtol,
                                  fraction, delta, stop, sign, dps,
                                  max_steps, cap, progress)
    return _heavy_ball_float64(loss, a_, w_, t_max, rho, eta, rtol,
                               fraction, delta, stop, sign)


def _heavy_ball_mpmath(loss, a_, w_, t_max, rho, eta, rtol, fraction,
                       delta, stop, sign, dps, max_steps, cap, progress):
    """The heavy ball on BDF2 in mpmath from theta(0) (:func:`_flow_bdf`)."""
    start = time.perf_counter()
    deadline = None if cap is None else start + cap
    d = check_dps(dps) if dps is not None else flow_budget(loss, a_, w_)
    n = 2 * loss.m
    with workdps(d):
        rho_, eta_ = mpf(rho), mpf(eta)
        friction = (1 - rho_) / mpmath.sqrt(eta_)
        hb = _HeavyBallSystem(loss, [+x for x in a_], [+x for x in w_], d,
                              sign, rho_, friction)
        g0 = loss.gradient(a_, w_, dps=d)
        z0 = [mpf(0)] * n + [mpmath.sqrt(eta_) * sign * g0[i]
                             for i in range(n)]
        J0 = hb.value(z0)
        res = _flow_bdf(loss, a_, w_, t_max, d, rtol, fraction, delta, stop,
                        max_steps, sign, progress, deadline,
                        start=(z0, 0, J0, None, None), system=hb)
    res.update(path="mpmath", rho=float(rho), eta=float(eta),
               integrator="bdf2", linalg=fastla.backend(),
               seconds=round(time.perf_counter() - start, 3))
    return res


def _heavy_ball_float64(loss, a_, w_, t_max, rho, eta, rtol, fraction,
                        delta, stop, sign):
    """The heavy ball in float64: scipy DOP853 on (theta, theta')."""
    start = time.perf_counter()
    F = Float64Loss(loss)
    m = loss.m
    th0 = np.array([float(x) for x in list(a_) + list(w_)])
    J0 = F.value(th0)
    level = fraction * J0
    rho, eta = float(rho), float(eta)
    friction = (1 - rho) / math.sqrt(eta)

    def rhs(t, z):
        th, v = z[:2 * m], z[2 * m:]
        g = -sign * F.gradient(th)        # sign = -1: the gradient itself
        return np.concatenate([v, -(friction * v + g) / rho])

    def ev_plateau(t, z):
        return F.value(z[:2 * m]) - level

    def ev_separation(t, z):
        return float(np.linalg.norm(z[:2 * m] - th0)) - delta

    def ev_both(t, z):
        return max(ev_plateau(t, z), -ev_separation(t, z))

    events = [ev_plateau, ev_separation, ev_both]
    for e in events:
        e.terminal = False
    if stop != "none":
        {"plateau": ev_plateau, "separation": ev_separation,
         "both": ev_both}[stop].terminal = True
    z0 = np.concatenate([th0, math.sqrt(eta) * sign * F.gradient(th0)])
    res = FlowResult(path="float64", dps=None, rtol=rtol, fraction=fraction,
                     delta=delta, plateau_time=None, separation_time=None,
                     loss0=J0, status=None, message="", rho=rho, eta=eta)
    try:
        sol = solve_ivp(rhs, (0.0, t_max), z0, method="DOP853", events=events,
                        rtol=rtol, atol=1e-14)
    except ValueError as exc:             # a step left w > 0
        res.update(status="failed", message=f"solver stopped: {exc}",
                   t=np.array([0.0]), y=th0[:, None], loss=np.array([J0]),
                   displacement=np.array([0.0]), nsteps=0, nfev=0, njev=0,
                   seconds=round(time.perf_counter() - start, 3))
        return res
    for k, name in ((0, "plateau_time"), (1, "separation_time")):
        if len(sol.t_events[k]):
            res[name] = float(sol.t_events[k][0])
    if stop == "both" and len(sol.t_events[2]):
        t_both = float(sol.t_events[2][0])
        res.plateau_time = res.plateau_time or t_both
        res.separation_time = res.separation_time or t_both
    ys = sol.y[:2 * m]
    res.update(t=sol.t, y=ys, nsteps=len(sol.t) - 1, nfev=int(sol.nfev),
               njev=0, loss=np.array([F.value(y) for y in ys.T]),
               displacement=np.linalg.norm(ys - th0[:, None], axis=0),
               seconds=round(time.perf_counter() - start, 3))
    if sol.status == -1:
        res.status, res.message = "failed", f"solve_ivp: {sol.message}"
        return res
    return _finish(res, stop, reached_end=sol.status == 0)


# ---------------------------------------------------------------------------
# Remark 4.7 / eq. (106): the local-linearisation estimate

def linearisation_estimate(loss: Loss, a0, w0, *, delta: float = DEFAULT_DELTA,
                           dps: Optional[int] = None) -> dict:
    """tau ~ (1/|lambda_j|) ln(delta |lambda_j| / |g~_j|) from Remark 4.7.

    H_0 = P^T Lambda P and g~ = P g_0 at theta(0), computed in mpmath (at
    :func:`flow_budget` digits unless ``dps``); over the negative
    eigenvalues lambda_j with g~_j != 0 the smallest estimate is returned
    with lambda_j, g~_j and ||g_0||.  Also the bound of (106) with
    ||g_0|| in place of |g~_j| (the proof of Theorem 4.1), which is smaller.
    """
    with workdps(DEFAULT_DPS):
        a_, w_ = loss._params(a0, w0)
    d = check_dps(dps) if dps is not None else flow_budget(loss, a_, w_)
    with workdps(d):
        H = loss.hessian(a_, w_, dps=d)
        g = loss.gradient(a_, w_, dps=d)
        E, P = mpmath.eigsy(H)
        gt = P.T * g
        gnorm = mpmath.norm(g)
        best = None
        for j in range(H.rows):
            lam = E[j]
            if lam < 0 and gt[j] != 0:
                tau = mpmath.log(delta * abs(lam) / abs(gt[j])) / abs(lam)
                if best is None or tau < best["tau"]:
                    best = {"tau": tau, "lambda": lam, "g_tilde": gt[j],
                            "index": j}
        lam_min = min(E[j] for j in range(H.rows))
        out = {"grad_norm": gnorm, "lambda_min": lam_min, "dps": d}
        if lam_min < 0:
            out["tau_bound_106"] = mpmath.log(delta * abs(lam_min) / gnorm) \
                / abs(lam_min) if delta * abs(lam_min) > gnorm else mpf(0)
        if best:
            out.update(best)
        return out


# ---------------------------------------------------------------------------
# Appendix B: f(x) = (x_1^2 - eps x_2^2) / 2

def quadratic_flows(eps: float, *, delta_x: Optional[float] = None,
                    level: float, rho: float = 1.0, eta: float = 1.0,
                    rtol: float = 1e-10) -> dict:
    """Escape times of gradient flow and heavy ball for Appendix B's f.

    f(x) = (x_1^2 - eps x_2^2)/2, x(0) = (delta_x, 1) (delta_x defaults to
    eps, "delta = O(eps)"); gradient flow x' = -grad f(x); heavy ball
    rho x'' + (1 - rho)/sqrt(eta) x' + grad f(x) = 0 with
    x'(0) = -sqrt(eta) grad f(x(0)).  The escape time is the first tau with
    f(x(tau)) <= level (level < 0).  Returns the two times and the solver
    statistics.  Gradient flow uses Radau (x_1 decays like e^{-tau} over
    times ~ 1/eps), heavy ball DOP853.

    Paper: Appendix B, eqs. (133)-(135).
    """
    eps = float(eps)
    if not (math.isfinite(eps) and 0 < eps < 1):
        raise ValueError(f"eps={eps!r}: expected 0 < eps < 1")
    if not (float(level) < 0):
        raise ValueError(f"level={level!r}: expected a negative loss level")
    _check_momentum(rho, eta)
    dx = eps if delta_x is None else float(delta_x)
    x0 = np.array([dx, 1.0])

    def grad(x):
        return np.array([x[0], -eps * x[1]])

    def f(x):
        return (x[0] ** 2 - eps * x[1] ** 2) / 2

    # generous limits: e-folding of x_2 at rate eps (GD) or sqrt(eps) (HB)
    span = 50.0 * (1 + abs(math.log(abs(level) / eps)))

    def ev_gd(t, x):
        return f(x) - level
    ev_gd.terminal = True
    gd = solve_ivp(lambda t, x: -grad(x), (0, span / eps), x0, method="Radau",
                   jac=lambda t, x: np.diag([-1.0, eps]), events=ev_gd,
                   rtol=rtol, atol=1e-14)

    def hb(t, z):
        x, v = z[:2], z[2:]
        return np.concatenate([v, -((1 - rho) / math.sqrt(eta) * v + grad(x))
                               / rho])

    def ev_hb(t, z):
        return f(z[:2]) - level
    ev_hb.terminal = True
    z0 = np.concatenate([x0, -math.sqrt(eta) * grad(x0)])
    mo = solve_ivp(hb, (0, span / math.sqrt(eps)), z0, method="DOP853",
                   events=ev_hb, rtol=rtol, atol=1e-14)
    out = {}
    for name, sol in (("gradient_flow", gd), ("heavy_ball", mo)):
        hit = sol.t_events[0]
        out[name] = {"tau": float(hit[0]) if len(hit) else None,
                     "status": "escaped" if len(hit) else (
                         "failed" if sol.status == -1 else "trapped"),
                     "nfev": int(sol.nfev), "message": sol.message}
    return out
