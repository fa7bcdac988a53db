"""Figures 2 and 3 (cmwork.figures_dynamics) at their --quick sizes.

Expected values come from other routes: the loss on M*_P is ||rho_0||^2 in
closed form (erf), the list of named constants is read from the module's
source, the float64/mpmath boundary from the digit count of
e^{-2 w*/omega}, the fit from exact exponential data.
"""
import json
import math
import re
from fractions import Fraction

import numpy as np
import pytest

from cmwork import figures
from cmwork import figures_dynamics as fd


@pytest.fixture(scope="module")
def built2():
    return fd.build_figure_2(quick=True, seed=0, quiet=True)


@pytest.fixture(scope="module")
def built3():
    return fd.build_figure_3(quick=True, seed=3, quiet=True)


def _module_constants():
    src = open(fd.__file__).read()
    return set(re.findall(r"^([A-Z][A-Z0-9_]+) = ", src, re.M))


def _saved_json(fig, meta, path):
    figures.save(fig, meta, str(path))
    assert path.exists() and path.stat().st_size > 10_000
    with open(str(path) + ".json") as fh:
        return json.load(fh)


def test_figure_2_file_and_metadata_carry_every_constant_and_seed(
        built2, tmp_path):
    fig, meta = built2
    out = tmp_path / "f2.png"
    saved = _saved_json(fig, meta, out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert set(saved["constants"]) == _module_constants()
    assert saved["seed"] == 0 and saved["m"] == 2


def test_figure_3_pdf_and_metadata_carry_every_constant_and_seed(
        built3, tmp_path):
    fig, meta = built3
    out = tmp_path / "f3.pdf"
    saved = _saved_json(fig, meta, out)
    assert out.read_bytes()[:5] == b"%PDF-"
    assert set(saved["constants"]) == _module_constants()
    assert saved["seed"] == 3 and saved["m"] == 10
    assert len(saved["a_hat"]) == 10 and saved["stopped"]


def test_figure_2_plateau_sits_at_the_norm_of_the_memory_part(built2):
    # on M*_P rho_hat = rho_bar exactly, so J = ||rho_0,omega||^2 =
    # c0^2 sigma sqrt(pi)/2 (1 + erf(1/(omega sigma)))
    _, meta = built2
    c0, s = float(fd.C0), float(fd.SIGMA)
    for row in meta["rows"]:
        inv = row["inv_omega"]
        exact = c0 ** 2 * s * math.sqrt(math.pi) / 2 * (
            1 + math.erf(inv / s))
        assert abs(row["loss0"] / exact - 1) < 1e-12, inv


def test_figure_2_plateaus_lengthen_with_memory(built2):
    _, meta = built2
    times = [r["plateau_time"] for r in meta["rows"]]
    assert all(r["status"] == "escaped" for r in meta["rows"])
    assert all(b > 2 * a for a, b in zip(times, times[1:])), times


def test_figure_3_times_grow_and_reach_the_quick_grid(built3):
    _, meta = built3
    assert meta["inv_omegas_reached"] == list(fd.FIG3_INV_OMEGAS_QUICK)
    for name in ("plateau_time", "separation_time"):
        t = [r[name] for r in meta["rows"]]
        assert all(b > a for a, b in zip(t, t[1:])), (name, t)
        assert meta["fits"][name]["c"] > 0


def test_start_point_lies_on_the_affine_space_and_follows_the_seed():
    a = fd.start_point(5)
    assert sum(a) == fd.A_STAR and all(x > 0 for x in a)
    assert all(isinstance(x, Fraction) for x in a)
    assert a == fd.start_point(5) and a != fd.start_point(6)


def test_start_point_has_no_equal_pair():
    # an equal pair keeps w_i = w_j and its split is seeded by rounding
    # alone (the times then depend on the arithmetic); seed 0 drew one
    # before start_point redrew u
    for seed in range(100):
        a = fd.start_point(seed)
        assert len(set(a)) == len(a), (seed, a)


def test_extended_precision_marker_follows_the_float64_digit_count():
    # float64 keeps 4 digits of e^{-2 w*/omega} while
    # (2/omega) log10(e) + 4 <= 53 log10(2), i.e. 1/omega <= 13.76
    bound = (53 * math.log10(2) - 4) / (2 * math.log10(math.e))
    assert 13 < bound < 14
    assert not fd._extended_needed(13, 10) and fd._extended_needed(14, 10)


def test_fit_recovers_the_rate_of_exact_exponential_data():
    x = np.arange(4, 16, 2.0)
    fit = fd.fit_exponential(x, 3 * np.exp(1.7 * x))
    assert abs(fit["c"] - 1.7) < 1e-12 and fit["c_se"] < 1e-10
    assert "consistent with e^(c/omega)" in fd._judge("t", fit)
    # a rate that still rises is reported, not fitted away
    rising = fd.fit_exponential(x, np.exp(0.1 * x ** 2))
    assert "not yet e^(c/omega)" in fd._judge("t", rising)


@pytest.mark.parametrize("kwargs, word", [
    ({"seed": -1}, "seed"), ({"seed": 1.5}, "seed"),
    ({"quick": "yes"}, "quick"),
])
def test_bad_builder_arguments_raise_one_clear_error(kwargs, word):
    args = {"quick": True, "seed": 0, "quiet": True, **kwargs}
    for build in (fd.build_figure_2, fd.build_figure_3):
        with pytest.raises(ValueError, match=word):
            build(**args)


def test_unknown_figure_and_wrong_extension_are_refused(built2, tmp_path,
                                                        capsys):
    from cmwork.cli import main
    assert {"2", "3"} <= set(figures.load_all())
    assert main(["figure", "no-such-figure"]) == 2
    assert "no figure 'no-such-figure'" in capsys.readouterr().err
    assert main(["figure", "2", "--quick", "--out",
                 str(tmp_path / "f.svg")]) == 2
    assert ".png or .pdf" in capsys.readouterr().err
    with pytest.raises(ValueError, match=r"\.png or \.pdf"):
        figures.save(built2[0], built2[1], str(tmp_path / "f.txt"))


def test_a_builder_refusing_its_arguments_is_one_clear_error(monkeypatch,
                                                             tmp_path,
                                                             capsys):
    # a ValueError from a builder reaches the command line as a usage
    # error (exit 2, one line), not as "internal error" with exit 3
    from cmwork.cli import main
    known = figures.load_all()

    def refuse(**kwargs):
        raise ValueError("seed=7: expected a seed this figure supports")

    monkeypatch.setattr(known["2"], "build", refuse)
    assert main(["figure", "2", "--out", str(tmp_path / "f.png")]) == 2
    err = capsys.readouterr().err
    assert "figure 2: seed=7: expected a seed" in err
    assert "Traceback" not in err
