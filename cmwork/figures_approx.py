"""Figure "approx": the curse of memory in approximation (Section 3.3).

L^1 error E(m) of the best width-m RNN of Theorem 3.3's form (alpha = 1:
W = diag(-r, ..., -m r), c = 1, U and r optimised; see
:class:`checks.eq_72.WidthSearch`) for rho(t) = omega (1+t)^-(1+omega),
against m for several omega, with the scaling predicted by eq. (72),
m ~ omega eps^-1/omega, i.e. E ~ (omega/m)^omega, drawn beside each curve
(anchored at the smallest width), and the fitted slope in the legend.
The paper has no such figure; every parameter here is chosen here.
"""
from __future__ import annotations

import numpy as np

from .figures import matplotlib_pyplot, register

#: Decay exponents omega drawn (chosen here).
OMEGAS = (0.5, 1.0, 2.0)
OMEGAS_QUICK = (1.0, 2.0)
#: Widths m (chosen here).
WIDTHS = (2, 4, 6, 8, 12, 16, 24, 32)
WIDTHS_QUICK = (2, 4, 8, 16)


@register("approx", "L1 error against width m for power-law memory, with "
          "the scaling of eq. (72)", "Section 3.3, eqs. (66)-(72)")
def build(*, quick: bool = False, seed: int = 0, quiet: bool = True):
    from checks.eq_72 import RATE_EVALUATIONS, RATE_RANGE, WidthSearch
    from .approximation import fit_power
    plt = matplotlib_pyplot()
    omegas = OMEGAS_QUICK if quick else OMEGAS
    widths = WIDTHS_QUICK if quick else WIDTHS
    fig, ax = plt.subplots(figsize=(6.0, 4.2))
    meta = {"figure": "approx", "omegas": list(omegas),
            "widths": list(widths), "seed": seed, "quick": quick,
            "rate_range": list(RATE_RANGE),
            "rate_evaluations": RATE_EVALUATIONS,
            "target": "omega (1+t)^-(1+omega)", "errors": {}, "fits": {}}
    for k, om in enumerate(omegas):
        ws = WidthSearch(om)
        errs = [ws.error(m) for m in widths]
        half = widths[len(widths) // 2 - 1:]
        fit = fit_power(half, errs[len(widths) // 2 - 1:])
        color = f"C{k}"
        ax.loglog(widths, errs, "o-", color=color,
                  label=f"omega = {om:g} (measured ~ m^-{fit['p']:.2f})")
        ms = np.array(widths, float)
        pred = errs[0] * (ms[0] / ms) ** om
        ax.loglog(ms, pred, "--", color=color, alpha=0.7,
                  label=f"(72): (omega/m)^omega, slope -{om:g}")
        meta["errors"][str(om)] = errs
        meta["fits"][str(om)] = fit
        meta.setdefault("notes", []).append(
            f"omega = {om:g}: L1 errors {', '.join(f'{e:.3g}' for e in errs)} "
            f"at m = {', '.join(map(str, widths))}")
    ax.set_xticks(list(widths))
    ax.set_xticklabels([str(m) for m in widths])
    ax.minorticks_off()
    ax.set_xlabel("width m")
    ax.set_ylabel("L1 error of the best width-m RNN")
    ax.set_title("Curse of memory: rho(t) = omega (1+t)^-(1+omega)")
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    return fig, meta
