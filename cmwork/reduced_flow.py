"""The drift along M*_P, integrated on its slow manifold (the ``reduced``
path of :func:`cmwork.flow.gradient_flow`).

Paper: Section 4.2.2 (4), eq. (101); what is used here is the structure of
the Hessian found in Props. 4.2-4.4 and measured in :mod:`cmwork.flow`.

Started on M*_P the flow has three time scales: the stiff directions
of Hess J~_m (rates O(1)); the split of the rates w_k inside a group
(curvature of size omega^-2 e^{-w/omega}, negative on M*_P, positive once
the split has saturated against the quartic growth of J~_m); and the drift
of the coefficients a_k along M*_P, driven by forces of size e^{-2w/omega}.
A general-purpose integrator must follow the middle scale for the whole
drift: its stages leave the slow manifold by the curvature of the step, the
split curvature divides that error, and the steps needed grew like
e^{0.4/omega} (9e2 steps at 1/omega = 20, 7e3 at 25).

The reduction.  In the orthonormal coordinates

    x = B^T a  (m - 1 numbers, B an orthonormal basis of 1^perp: the drift),
    y = (1^T a / sqrt(m), w_1, ..., w_m)   (the fast and split directions),

the gradient flow is x' = -dJ/dx, y' = -dJ/dy exactly (the change of
coordinates is a rotation).  While the y-block H_yy of the Hessian is
positive definite and its smallest eigenvalue is much larger than the
rate of the drift, y sits on its quasi-static value y*(x), the solution
of dJ/dy (x, y) = 0 near the current y, and

    x' = -dJ/dx (x, y*(x))                                   (R)

up to a relative error of the order of the ratio of rates

    kappa = ||S||_F / lambda_min(H_yy),   S = H_xx - H_xy H_yy^-1 H_yx

(S is the Hessian of x -> J(x, y*(x)); the lag of y behind y*(x) is
kappa times its motion).  y*(x) is found by Newton's method in mpmath at
the working precision, so the cancellation of (92)-(93) is resolved there,
and x, of size O(1), is carried in float64 by scipy's DOP853: the forces
of (R), of size e^{-2w/omega}, are far inside float64's exponent range and
need only its relative precision.

The path runs three phases: the mpmath path (exprb32) from theta(0) until
the split has saturated (every y-direction stable, kappa <= rtol /
KAPPA_FACTOR and y within rtol of y*(x) relative to its displacement);
(R) until kappa exceeds that bound, H_yy stops being positive definite or
Newton fails (the end of the plateau, where one rate w_k leaves the group);
then BDF2 in mpmath (cmwork.flow._flow_bdf, which evaluates the field only
at converged new points and so stays on the slow manifold where exprb32's
stages leave it) to the stopping time.  Between the first two, where the
split has saturated but kappa or the lag of y is still too large, BDF2
carries the flow until the reduction applies.  The linear algebra runs in
python-flint when it is installed (cmwork.fastla).  y*(x) is followed along one
branch (SlowManifold.on_branch).  Every result lists its
phases (``result.phases``).  The reduction error enters the times at
relative order kappa <= rtol / KAPPA_FACTOR; the checks compare the
reduced path with the mpmath path where both run (tests) and rerun at
rtol / 10 (which also tightens kappa) for the error of a time.
"""
from __future__ import annotations

import functools
from typing import List, Optional, Tuple

import mpmath
import numpy as np
from mpmath import mpf
from scipy.integrate import DOP853
from scipy.optimize import brentq

from . import fastla

#: The reduced phase is used while kappa <= rtol / KAPPA_FACTOR (chosen
#: here: the reduction's relative error stays a tenth of the tolerance).
KAPPA_FACTOR = 10

#: Newton iterations allowed for y*(x) (chosen here; quadratic convergence
#: from a warm start needs 2-4).
NEWTON_ITER = 30

#: The first phase tries to switch to the reduction every this many
#: accepted steps (chosen here: a try costs one Newton solve).
SWITCH_EVERY = 5

#: Absolute tolerance of x (relative to max(1, |x|)): near float64's
#: resolution, because the drift starts at |x - x(0)| ~ 1e-12 and below
#: at 1/omega >= 40 and must be followed from there (chosen here).
X_ATOL = 1e-15

#: Accepted steps allowed in the reduced phase (chosen here).
MAX_REDUCED_STEPS = 20000


#: Branch check of y*(x) (chosen here): Newton's correction of the tangent
#: predictor must stay below this fraction of the predicted change.
BRANCH_RATIO = 0.5

#: A step of the x integrator whose stages leave the branch is retried
#: from the last accepted point with a quarter of its size, at most this
#: many times in a row (chosen here).
MAX_RETRIES = 8


class ReductionLost(Exception):
    """y*(x) does not exist here (Newton failed or H_yy is not positive
    definite): the reduction does not apply."""


class PredictorRefused(ReductionLost):
    """The predictor test of :meth:`SlowManifold.on_branch` refused a
    point: Newton's correction of the tangent predictor was too large."""


def helmert_basis(m: int) -> List[List[mpf]]:
    """Orthonormal basis b_1..b_{m-1} of the vectors orthogonal to 1:
    b_k = (1, ..., 1, -k, 0, ..., 0) / sqrt(k (k + 1)) (k ones)."""
    out = []
    for k in range(1, m):
        s = mpmath.sqrt(k * (k + 1))
        out.append([mpf(1) / s] * k + [mpf(-k) / s] + [mpf(0)] * (m - k - 1))
    return out


def _at_working_precision(method):
    """Run a SlowManifold method at its ``dps`` (mpmath's precision is
    global; a caller outside workdps must not get 15-digit results)."""
    @functools.wraps(method)
    def wrapped(self, *args, **kwargs):
        with mpmath.workdps(self.dps):
            return method(self, *args, **kwargs)
    return wrapped


class SlowManifold:
    """The coordinates (x, y), y*(x) and the reduced field (R) of one loss.

    theta = theta_ref + T (x, y) with T orthogonal (2m x 2m, mpmath), its
    first ``n_slow`` columns spanning the slow directions x.  Without
    ``frame`` the frame is the one of the drift along M*_P: x = B^T a (B
    the Helmert basis of 1^perp), y = (1^T a / sqrt(m), w), theta_ref = 0.
    ``loss`` is a :class:`cmwork.Loss`, ``dps`` the working precision.
    """

    def __init__(self, loss, dps: int, sign: int = -1, frame=None):
        self.loss, self.m, self.dps, self.sign = loss, loss.m, dps, sign
        m = self.m
        with mpmath.workdps(dps):
            if frame is None:
                B, r = helmert_basis(m), 1 / mpmath.sqrt(m)
                T = mpmath.zeros(2 * m, 2 * m)
                for k in range(m - 1):
                    for i in range(m):
                        T[i, k] = B[k][i]
                for i in range(m):
                    T[i, m - 1] = r
                    T[m + i, m + i] = 1
                self.T, self.n_slow = T, m - 1
                self.theta_ref = [mpf(0)] * (2 * m)
            else:
                self.T, self.n_slow, ref = frame
                self.theta_ref = [+v for v in ref]
        self.y_last: Optional[List[mpf]] = None
        # (x_a, y_a, dy*/dx at x_a) at the last accepted point: the
        # predictor of y*(x) and the reference of the branch check
        self.anchor = None
        # branch_test(theta_anchor, theta) -> bool replaces the predictor
        # test of on_branch where the branch is known by signs
        self.branch_test = None
        self.nfev = self.njev = 0

    # -- coordinates ---------------------------------------------------------
    @_at_working_precision
    def to_xy(self, theta) -> Tuple[List[mpf], List[mpf]]:
        n, N = self.n_slow, 2 * self.m
        d = [a - b for a, b in zip(theta, self.theta_ref)]
        z = [mpmath.fsum(self.T[i, j] * d[i] for i in range(N))
             for j in range(N)]
        return z[:n], z[n:]

    @_at_working_precision
    def theta(self, x, y) -> List[mpf]:
        z, N = list(x) + list(y), 2 * self.m
        return [self.theta_ref[i] + mpmath.fsum(self.T[i, j] * z[j]
                                                 for j in range(N))
                for i in range(N)]

    @_at_working_precision
    def derivatives(self, x, y):
        """Gradient and Hessian in (x, y) order (x first, n_slow entries)."""
        th = self.theta(x, y)
        m = self.m
        if any(v <= 0 for v in th[m:]):
            raise ReductionLost("a rate w_k left w > 0")
        try:
            g = self.loss.gradient(th[:m], th[m:], dps=self.dps)
            H = self.loss.hessian(th[:m], th[m:], dps=self.dps)
        except (ValueError, ZeroDivisionError) as exc:
            raise ReductionLost(f"J_m not evaluable here: {exc}") from None
        self.nfev += 1
        self.njev += 1
        return fastla.matmul(self.T.T, g), fastla.matmul(self.T.T, H, self.T)

    # -- y*(x) ---------------------------------------------------------------
    @_at_working_precision
    def solve_y(self, x, y0) -> Tuple[List[mpf], mpmath.matrix, mpmath.matrix]:
        """Newton's method for dJ/dy (x, y) = 0 from y0; returns y*, the
        gradient and the Hessian there.  Raises ReductionLost."""
        n = self.n_slow
        y = list(y0)
        tol = mpf(10) ** (-(self.dps - 8))
        noise = mpf(10) ** (-(self.dps // 3))
        prev = mpmath.inf
        for _ in range(NEWTON_ITER):
            g, H = self.derivatives(x, y)
            gy = mpmath.matrix([g[n + i] for i in range(len(y))])
            Hyy = H[n:, n:]
            try:
                dy = fastla.solve(Hyy, gy)
            except ZeroDivisionError:
                raise ReductionLost("H_yy is singular") from None
            y = [y[i] - dy[i] for i in range(len(y))]
            size = mpmath.norm(dy)
            # converged, or stalled at the rounding level of an
            # ill-conditioned H_yy (the split curvature is e^{-w/omega})
            if size <= tol * (1 + mpmath.norm(mpmath.matrix(y))) or (
                    size <= noise and size > prev / 4):
                g, H = self.derivatives(x, y)
                return y, g, H
            prev = size
        raise ReductionLost(f"Newton did not converge in {NEWTON_ITER} "
                            "iterations")

    @_at_working_precision
    def rates(self, H) -> Tuple[mpf, mpf]:
        """(lambda_min(H_yy), kappa) at a point with Hessian H (x, y order),
        at the working precision (lambda_min is of size e^{-w/omega})."""
        n = self.n_slow
        Hyy, Hxy = H[n:, n:], H[:n, n:]
        lam = fastla.eigvalsh(Hyy)[0]
        if lam <= 0:
            return lam, mpmath.inf
        X = fastla.solve(Hyy, Hxy.T)      # H_yy^-1 H_yx
        S = H[:n, :n] - fastla.matmul(Hxy, X)
        return lam, mpmath.mnorm(S, "f") / lam

    # -- following one branch of y*(x) ------------------------------------------
    @_at_working_precision
    def set_anchor(self, x, y, H) -> None:
        """Make (x, y) with Hessian H the reference of :meth:`on_branch`:
        the tangent dy*/dx = -H_yy^-1 H_yx is stored with it."""
        n = self.n_slow
        Hyy, Hyx = H[n:, n:], H[n:, :n]
        D = -fastla.solve(Hyy, Hyx)
        self.anchor = ([+v for v in x], [+v for v in y], D)

    @_at_working_precision
    def on_branch(self, x):
        """y*(x) on the branch through the anchor: Newton from the tangent
        predictor y_a + dy*/dx (x - x_a).  The correction Newton makes must
        stay below BRANCH_RATIO times the predicted change: split
        curvatures of size e^{-w/omega} make dJ/dy = 0 a double well in the
        split directions, and a Newton start far from its own well (a wide
        trial step of the x integrator) can land in the mirror well.  Raises
        ReductionLost ("left its branch") instead."""
        if self.anchor is None:
            return self.solve_y(x, self.y_last)
        xa, ya, D = self.anchor
        dx = mpmath.matrix([a - b for a, b in zip(x, xa)])
        step = D * dx
        y0 = [ya[i] + step[i] for i in range(len(ya))]
        y, g, H = self.solve_y(x, y0)
        corr = mpmath.norm(mpmath.matrix([a - b for a, b in zip(y, y0)]))
        floor = mpf(10) ** (-(self.dps // 3)) * (1 + mpmath.norm(
            mpmath.matrix(y)))
        if self.branch_test is not None:
            if not self.branch_test(self.theta(xa, ya), self.theta(x, y)):
                raise ReductionLost("y*(x) left its branch (the signs "
                                    "that fix it changed)")
        elif corr > BRANCH_RATIO * mpmath.norm(step) + floor:
            raise PredictorRefused("y*(x) left its branch (Newton corrected "
                                f"the predictor by {mpmath.nstr(corr, 3)})")
        return y, g, H

    # -- the reduced field (R) -------------------------------------------------
    def field(self, x_float) -> np.ndarray:
        """x' = sign dJ/dx (x, y*(x)) as float64 (sign = -1: descent)."""
        with mpmath.workdps(self.dps):
            x = [mpf(float(v)) for v in x_float]
            y, g, _ = self.on_branch(x)
            self.y_last = y
            return np.array([float(self.sign * g[k])
                             for k in range(self.n_slow)])

    def point(self, x_float, *, accept: bool = False):
        """(theta, H) at (x, y*(x)), theta exact at the working precision;
        ``accept`` makes the point the new anchor of the branch."""
        with mpmath.workdps(self.dps):
            x = [mpf(float(v)) for v in x_float]
            y, _, H = self.on_branch(x)
            self.y_last = y
            if accept:
                self.set_anchor(x, y, H)
            return self.theta(x, y), H


def escaping_rate(man: SlowManifold, theta) -> int:
    """The index k of the rate w_k that leaves its group at theta, the end
    of the drift: the drift moves the mass of the coefficients until one
    a_k is near 0, and that w_k is then free; k is the smallest |a_k|.
    (The smallest eigenvalue of H_yy in the drift's frame, tried first,
    picks the wrong rate at m = 10, 1/omega = 60: there the split of the
    nine rates that stay is the softest, and its eigenvector's largest w
    component is w_3, while a_9 = 3e-6 and w_9 is off the group by 2.5e-8
    against 8e-14.)  ``man`` is the drift's :class:`SlowManifold`."""
    m = man.m
    return min(range(m), key=lambda j: abs(theta[j]))


def escape_frame(m: int, k: int, dps: int, ref=None):
    """The frame of the escape of w_k, for :class:`SlowManifold`: slow
    x = (w_k, C^T a_rest) with a_rest the a_j (j != k) and C the Helmert
    basis of 1^perp in m - 1 dimensions (the drift of the group that
    stays; none at m = 2), fast y = (a_k, 1^T a_rest / sqrt(m - 1), the
    other w_j), all measured from ``ref`` (a point theta; None: 0).  With
    ref the point where the reduction starts, x is the displacement of
    w_k, and the x integrator's tolerance (relative to |x|) is relative to
    the escape, not to w_k ~ 1: at m = 2, 1/omega = 50 the escape starts
    at w_k - w_j = 2e-6 and y*(x) is far from linear over steps of 1e-6.

    Past the end of the drift the escaping a_k is slaved to w_k: the
    curvature of its direction grows like (w_k - w_j)^2 while w_k slides
    off, and a_k follows a_k (w_k - w_j)^2 ~ const (measured at m = 2,
    1/omega = 50: 2.9e-17 at w_k - w_j = 1.8e-5 .. 1.25e-4, a_k 9e-8 ..
    1.9e-9).  Integrated as a coordinate of its own, a_k that small is
    lost in any error norm that also holds the O(1) a_j, and BDF2's Newton
    lands on the mirror root (a_k < 0, w_k on the other side of w_j); as
    part of y*(x) it is solved by Newton's method in mpmath.

    The group that stays (m > 2) still drifts: its a_j can be redistributed
    at curvatures of the drift's size (-1e-61 at m = 10, 1/omega = 45,
    against 5e-21 for the split of its rates), so those directions are
    slow too; with them in y, H_yy is not positive definite.  a_k is
    taken apart from them: the combination of a_k and w_k that escapes
    (eigenvalue -5.7e-25 there) is flat, a_k alone is not."""
    with mpmath.workdps(dps):
        rest = [j for j in range(m) if j != k]
        T = mpmath.zeros(2 * m, 2 * m)
        T[m + k, 0] = 1
        col = 1
        for b in (helmert_basis(m - 1) if m > 2 else []):
            for i, j in enumerate(rest):
                T[j, col] = b[i]
            col += 1
        n_slow = col
        T[k, col] = 1
        col += 1
        for j in rest:
            T[j, col] = 1 / mpmath.sqrt(m - 1)
        col += 1
        for j in rest:
            T[m + j, col] = 1
            col += 1
        return T, n_slow, ([mpf(0)] * (2 * m) if ref is None
                           else [+v for v in ref])


def escape_branch_test(m: int, k: int):
    """The branch of y*(x) in :func:`escape_frame`: a_k keeps its sign and
    w_k stays on its side of every other w_j.  y*(x) there is far from
    linear (a_k ~ 1/(w_k - w_j)^2), so the predictor test of
    :meth:`SlowManifold.on_branch` refuses good steps (at m = 2, 1/omega =
    50 a first step of 9e-7 in w_k from w_k - w_j = 2e-6); the mirror root
    it guards against swaps those signs."""
    def test(before, after):
        if (before[k] > 0) != (after[k] > 0):
            return False
        return all((before[m + k] > before[m + j]) ==
                   (after[m + k] > after[m + j])
                   for j in range(m) if j != k)
    return test


def _positive_definite(A) -> bool:
    """True when mpmath's Cholesky factorisation of A succeeds."""
    try:
        mpmath.cholesky(A)
    except ValueError:
        return False
    return True


def try_switch_in(man: SlowManifold, theta, theta0, rtol) -> Optional[str]:
    """None when the reduction may start at theta, else the reason not."""
    with mpmath.workdps(man.dps):
        x, y = man.to_xy(theta)
        _, y0 = man.to_xy(theta0)
        # first the cheap test where the flow is, one Hessian and a
        # Cholesky factorisation: while H_yy is not positive definite there
        # the split has not saturated.  It can only delay a switch (by
        # cmwork.flow._SWITCH_EVERY steps of the mpmath path), never allow
        # one: the full test below still runs at y*(x).
        try:
            _, H = man.derivatives(x, y)
        except ReductionLost as exc:
            return str(exc)
        n = man.n_slow
        if not _positive_definite(H[n:, n:]):
            return ("H_yy is not positive definite at theta (the split "
                    "has not saturated)")
        try:
            ys, _, H = man.solve_y(x, y)
        except ReductionLost as exc:
            return str(exc)
        lam, kappa = man.rates(H)
        if lam <= 0:
            return "H_yy is not positive definite (the split has not saturated)"
        if kappa > mpf(rtol) / KAPPA_FACTOR:
            return f"kappa = {mpmath.nstr(kappa, 3)} too large"
        lag = mpmath.norm(mpmath.matrix([a - b for a, b in zip(y, ys)]))
        moved = mpmath.norm(mpmath.matrix([a - b for a, b in zip(y, y0)]))
        if lag > mpf(rtol) * moved:
            return "y is not yet on y*(x)"
        man.y_last = ys
        return None


def run_reduced(man: SlowManifold, theta_start, t_start, t_max, *, rtol,
                theta0, level, delta, found, stopped, deadline=None,
                clock=None, first_step=None):
    """Integrate (R) from theta_start at t_start.

    ``found`` = (plateau_time, separation_time) so far (None: not yet);
    ``stopped(plateau_time, separation_time)`` says when the run is over.
    Returns a dict: ``t``, ``theta`` (float64 rows), ``loss``, ``disp``,
    ``plateau_time``/``separation_time`` (or None), ``end``
    (why the phase ended: kappa, lost, t_max, stopped, cap),
    ``predictor_refused`` (True when it was lost to the predictor test of
    :meth:`SlowManifold.on_branch`), ``theta_end``
    (exact, at the last accepted point), ``t_end``, ``steps``, ``kappa_max``
    (largest kappa accepted), ``h_last`` (the last accepted step, or
    None).  ``first_step`` is DOP853's first step (None: its own choice).
    """
    kmax = mpf(rtol) / KAPPA_FACTOR
    with mpmath.workdps(man.dps):
        x0, _ = man.to_xy(theta_start)
        th0 = [+v for v in theta0]
    if man.y_last is None:
        man.y_last = man.to_xy(theta_start)[1]
    xf = np.array([float(v) for v in x0])
    # x in float64: re-project the start so that theta_start lies on the
    # manifold through the rounded x
    out = {"t": [], "theta": [], "loss": [], "disp": [],
           "plateau_time": found[0], "separation_time": found[1],
           "end": None, "steps": 0, "kappa_max": 0.0, "h_last": None,
           "predictor_refused": False}
    man.anchor = None
    try:
        theta_now, _ = man.point(xf, accept=True)
    except ReductionLost as exc:
        out.update(end=f"lost: {exc}", theta_end=list(theta_start),
                   t_end=float(t_start))
        return out

    def loss_at(theta):
        m = man.m
        return man.loss.value(theta[:m], theta[m:], dps=man.dps)

    def disp_at(theta):
        with mpmath.workdps(man.dps):
            return mpmath.sqrt(mpmath.fsum((a - b) ** 2
                                           for a, b in zip(theta, th0)))

    scale = max(1.0, float(np.max(np.abs(xf))))

    # the solver's clock runs from the phase's start (s = t - origin): the
    # end of the drift and the escape move on time scales ~1e-12 of t
    # (m = 2, 1/omega = 60: e-folding times 3e39 at t = 1.2e51), which
    # float64 resolves beside s but not beside t
    origin = float(t_start)

    def start_solver(t0, x0_, first_step=None):
        return DOP853(lambda t, x: man.field(x), float(t0) - origin, x0_,
                      float(t_max) - origin, rtol=rtol, atol=X_ATOL * scale,
                      first_step=first_step)

    try:
        solver = start_solver(t_start, xf, first_step)
    except ReductionLost as exc:
        out.update(end=f"lost: {exc}", theta_end=theta_now,
                   t_end=float(t_start))
        return out
    t_last, x_last, theta_last = float(t_start), xf.copy(), theta_now
    retries = 0
    while True:
        if out["steps"] >= MAX_REDUCED_STEPS:
            out["end"] = "steps"
            break
        if deadline is not None and clock() > deadline:
            out["end"] = "cap"
            break
        saved = (man.y_last, man.anchor)
        try:
            solver.step()
            if solver.status == "failed":
                raise ReductionLost(f"DOP853: {solver.message}")
            theta_new, H = man.point(solver.y, accept=True)
            lam, kappa = man.rates(H)
            dense = solver.dense_output() if lam > 0 and kappa <= kmax \
                else None
        except ReductionLost as exc:
            man.y_last, man.anchor = saved
            # the step's stages (or its end) left the branch of y*(x):
            # again from the last accepted point, a quarter of the size
            h = float(getattr(solver, "h_abs", 0.0)) / 4
            if retries < MAX_RETRIES and h > 0 and \
                    h > 1e-12 * abs(t_last - origin):
                retries += 1
                try:
                    solver = start_solver(t_last, x_last.copy(), h)
                    continue
                except ReductionLost:
                    pass
            out["end"] = f"lost: {exc}"
            out["predictor_refused"] = isinstance(exc, PredictorRefused)
            break
        retries = 0
        if lam <= 0 or kappa > kmax:
            man.y_last, man.anchor = saved
            out["end"] = ("kappa" if lam > 0 else "split no longer stable")
            break
        t_new = origin + solver.t
        J_new = loss_at(theta_new)
        r_new = disp_at(theta_new)
        try:
            sep = out["separation_time"] is None and r_new > delta
            if sep:
                sep = origin + _root(
                    lambda s: float(disp_at(man.point(dense(s))[0]) - delta),
                    t_last - origin, solver.t)
            pla = out["plateau_time"] is None and J_new <= level
            if pla:
                pla = origin + _root(
                    lambda s: float(loss_at(man.point(dense(s))[0]) - level),
                    t_last - origin, solver.t)
        except ReductionLost as exc:      # the step is not used
            man.y_last, man.anchor = saved
            out["end"] = f"lost: {exc}"
            out["predictor_refused"] = isinstance(exc, PredictorRefused)
            break
        out["kappa_max"] = max(out["kappa_max"], float(kappa))
        if sep:
            out["separation_time"] = sep
        if pla:
            out["plateau_time"] = pla
        out["steps"] += 1
        out["h_last"] = t_new - t_last
        out["t"].append(t_new)
        out["theta"].append([float(v) for v in theta_new])
        out["loss"].append(float(J_new))
        out["disp"].append(float(r_new))
        t_last, x_last, theta_last = t_new, solver.y.copy(), theta_new
        if stopped(out["plateau_time"], out["separation_time"]):
            out["end"] = "stopped"
            break
        if solver.status == "finished":
            out["end"] = "t_max"
            break
    man.point(x_last)                      # leaves y_last at the end point
    out["theta_end"], out["t_end"] = theta_last, t_last
    return out


def _root(g, lo, hi) -> float:
    """The crossing of g in (lo, hi] (g(lo) > 0 >= g(hi))."""
    try:
        return float(brentq(g, lo, hi, xtol=1e-12 * abs(hi), rtol=1e-12,
                            maxiter=100))
    except ValueError:                     # no sign change seen: the end
        return float(hi)


def phase_summary(kind: str, t0: float, t1: float, steps: int,
                  why: str) -> dict:
    return {"phase": kind, "t_start": float(t0), "t_end": float(t1),
            "steps": int(steps), "ended": why}


__all__ = ["SlowManifold", "ReductionLost", "PredictorRefused",
           "helmert_basis", "run_reduced",
           "try_switch_in", "escaping_rate", "escape_frame",
           "escape_branch_test", "KAPPA_FACTOR"]

