"""Proposition 3.1: linear RNN functionals are continuous, linear, causal,
regular and time-homogeneous.

Paper: Section 3.1, Proposition 3.1, with Definitions 2.1-2.4
(eqs. (11)-(16)) and the functionals (18)-(20).  On random stable
(c, W, U) (W = -D + S, D diagonal > 0, S skew, so every eigenvalue has
real part <= -min D) and random compactly supported continuous inputs
(sums of C^1 bumps, :class:`cmwork.rnn.BumpPath`), H_t(x) of eq. (18) is
integrated piece by piece with its own error estimate, and each property
is tested against that error:

* linearity (12): |H(l x + l' x') - l H(x) - l' H(x')| within the error;
* boundedness (13): |H(x)| <= ||rho||_1 ||x||_X;
* causality (11): adding a bump supported after t changes nothing;
* regularity (15): spikes of width w0/n at a fixed point tend to 0 a.e.;
  |H_t(x^(n))| must stay below sup|rho| * (16/15) w0/n and fall by the
  factor 2^-K over K halvings (the slope is reported);
* time-homogeneity (16): H_t(x) = H_{t+tau}(x^(tau)).

Wrong variants (``variant=``) must fail the property they break:
``non-causal`` (a kernel reflected into the future), ``nonlinear``
(H + H^2/10), ``non-regular`` (plus a point evaluation x_{t-1}, continuous,
linear, causal, homogeneous, but not regular) and ``time-varying``
(H (1 + sin(t)/2)).
"""
from __future__ import annotations

import numpy as np

from cmwork.claims import FAILS, HOLDS, Claim, Param, Verdict, register
from cmwork.rnn import BUMP_INTEGRAL, BumpPath, LinearRNN

from ._common import parse_width

VARIANTS = ("rnn", "non-causal", "nonlinear", "non-regular", "time-varying")

#: Tolerance in units of the quadrature's own error estimate, plus rounding
#: relative to the size of the terms (chosen here: the estimate is the
#: change under doubling the nodes, itself an overestimate).
ERROR_FACTOR = 10
ROUNDING = 1e-13

#: Spike widths w0 / 2^k, k = 0..SPIKE_HALVINGS (chosen here).
SPIKE_HALVINGS = 8
SPIKE_WIDTH = 0.5
SPIKE_LAG = 1.0          # spike at t - SPIKE_LAG


def random_rnn(rng: np.random.Generator, m: int, d: int) -> LinearRNN:
    """W = -D + S with D = diag in [0.3, 2], S skew with entries in
    [-1, 1]; c, U with entries in [-1, 1]."""
    D = np.diag(rng.uniform(0.3, 2.0, m))
    S = rng.uniform(-1, 1, (m, m))
    return LinearRNN(c=rng.uniform(-1, 1, m), W=-D + (S - S.T) / 2,
                     U=rng.uniform(-1, 1, (m, d)))


def random_path(rng: np.random.Generator, d: int, bumps: int = 3,
                lo: float = -6.0, hi: float = 2.0) -> BumpPath:
    return BumpPath(rng.uniform(lo, hi, bumps), rng.uniform(0.3, 2.0, bumps),
                    rng.uniform(-1, 1, (bumps, d)))


class Functional:
    """H_t of an RNN, or one of the wrong variants; call -> (value, error)."""

    def __init__(self, rnn: LinearRNN, variant: str = "rnn"):
        if variant not in VARIANTS:
            raise ValueError(f"variant={variant!r}: expected one of "
                             f"{', '.join(VARIANTS)}")
        self.rnn, self.variant = rnn, variant

    def __call__(self, x: BumpPath, t: float):
        v, e = self.rnn.response(x, t)
        if self.variant == "non-causal":          # + int k(s) x_{t+s} ds
            mirrored = BumpPath(2 * t - x.centres, x.widths, x.amplitudes)
            v2, e2 = self.rnn.response(mirrored, t)
            return v + v2, e + e2
        if self.variant == "nonlinear":
            return v + v * v / 10, e * (1 + abs(v))
        if self.variant == "non-regular":
            return v + float(x.values([t - SPIKE_LAG])[0, 0]), e
        if self.variant == "time-varying":
            return v * (1 + np.sin(t) / 2), e * 1.5
        return v, e


def _close(a, b, err, scale) -> bool:
    return abs(a - b) <= ERROR_FACTOR * err + ROUNDING * (1 + scale)


def check(params, *, dps=None, seed=0, variant="rnn"):
    m, d, n = params["m"], params["d"], params["instances"]
    rng = np.random.default_rng([seed, 31])
    rows, fails = [], []
    slopes = []
    for i in range(n):
        rnn = random_rnn(rng, m, d)
        H = Functional(rnn, variant)
        x, y = random_path(rng, d), random_path(rng, d)
        t = float(rng.uniform(0, 3))
        lam, lam2 = rng.uniform(-2, 2, 2)
        norm, norm_err = rnn.l1_norm()
        hx, ex = H(x, t)
        hy, ey = H(y, t)
        hz, ez = H(x.scaled(lam).plus(y.scaled(lam2)), t)
        lin = hz - lam * hx - lam2 * hy
        err_lin = ez + abs(lam) * ex + abs(lam2) * ey
        if not _close(hz, lam * hx + lam2 * hy, err_lin, abs(hz)):
            fails.append(f"not linear at instance {i}: H(l x + l' y) - "
                         f"l H(x) - l' H(y) = {lin:.3e} (error {err_lin:.1e})")
        if abs(hx) > (norm + norm_err) * x.sup_norm + ERROR_FACTOR * ex:
            fails.append(f"not bounded at instance {i}: |H(x)| = {abs(hx):.6g}"
                         f" > ||rho||_1 ||x|| = {norm * x.sup_norm:.6g}")
        # causality: a bump supported in (t, oo)
        after = BumpPath([t + 1.2], [1.0], [rng.uniform(-1, 1, d)])
        hc, ec = H(x.plus(after), t)
        if not _close(hc, hx, ec + ex, abs(hx)):
            fails.append(f"not causal at instance {i}: changing x after "
                         f"t = {t:.3f} changed H_t by {hc - hx:.3e}")
        # time-homogeneity (16)
        tau = float(rng.uniform(-5, 5))
        hs, es = H(x.shifted(tau), t + tau)
        if not _close(hs, hx, es + ex, abs(hx)):
            fails.append(f"not time-homogeneous at instance {i}: H_t(x) - "
                         f"H_(t+tau)(x^(tau)) = {hx - hs:.3e}, tau = {tau:.3f}")
        # regularity (15)
        a = np.zeros(d)
        a[0] = 1.0
        sup_k = float(np.max(np.abs(rnn.kernel_fast(
            np.linspace(0, SPIKE_LAG + SPIKE_WIDTH, 2001))[:, 0])))
        spikes = []
        for k in range(SPIKE_HALVINGS + 1):
            w = SPIKE_WIDTH / 2 ** k
            v, e = H(BumpPath([t - SPIKE_LAG], [w], [a]), t)
            spikes.append((w, v, e))
            bound = sup_k * BUMP_INTEGRAL * w
            if abs(v) > bound + ERROR_FACTOR * e + ROUNDING:
                fails.append(f"not regular at instance {i}: spike of width "
                             f"{w:.3g} gives |H| = {abs(v):.4g} > "
                             f"{bound:.4g}, which tends to 0")
                break
        ws = np.array([s[0] for s in spikes])
        vs = np.abs([s[1] for s in spikes])
        ok = vs > 0
        if ok.sum() >= 2:
            slopes.append(float(np.polyfit(np.log(ws[ok]), np.log(vs[ok]),
                                           1)[0]))
        rows.append({"instance": i, "t": t, "eigenvalues": [
            f"{z.real:.4f}{z.imag:+.4f}j" for z in rnn.eigenvalues],
            "l1_norm": norm, "H_x": hx, "error": ex, "linearity_residual":
            lin, "causality_change": hc - hx, "homogeneity_change": hs - hx,
            "spike_values": vs.tolist()})
    evidence = {"variant": variant, "rows": rows,
                "spike_slopes": slopes}
    if fails:
        return Verdict("prop-3.1", FAILS, fails[0], evidence)
    worst = max(max(abs(r["linearity_residual"]), abs(r["causality_change"]),
                    abs(r["homogeneity_change"])) for r in rows)
    return Verdict(
        "prop-3.1", HOLDS,
        f"{n} random stable RNNs (m = {m}, d = {d}): linear, bounded by "
        f"||rho||_1, causal and time-homogeneous to {worst:.1e}; spike "
        f"responses fall like width^{np.mean(slopes):.3f} (regular)",
        evidence)


CLAIM = register(Claim(
    id="prop-3.1",
    title="Linear RNN functionals are continuous, linear, causal, regular, "
          "time-homogeneous",
    where="Section 3.1, Proposition 3.1 (Definitions 2.1-2.4)",
    statement=("For any {H_t} in H_hat (eq. (20)), each H_t is a continuous "
               "linear, causal, regular functional and {H_t} is "
               "time-homogeneous."),
    params=[
        Param("m", "hidden width", "integer >= 1", 3, parse=parse_width),
        Param("d", "input dimension", "integer >= 1", 2, parse=parse_width),
        Param("instances", "random (c, W, U) and inputs", "integer >= 1", 6,
              quick=3, full=20, parse=parse_width),
    ],
    check=check,
))
