"""LaTeX export: every derivation compiles with pdflatex, the full document
has its verdict table and errata with resolved references, and its first
page is not blank.  The compile check itself is shown to catch an error
and an undefined reference."""
import json
import os
import pathlib
import shutil
import struct
import subprocess
import zlib

import pytest
import sympy as sp

from cmwork import latex
from cmwork.cli import main
from cmwork.derivation import Derivation, Step
from proofs import all_derivations

HAVE_TEX = shutil.which("pdflatex") is not None
if not HAVE_TEX and os.environ.get("CI"):
    raise RuntimeError("pdflatex is missing on CI: .ci/run installs it")
needs_tex = pytest.mark.skipif(not HAVE_TEX, reason="pdflatex not installed "
                               "(Debian: texlive-latex-base, "
                               "texlive-latex-recommended)")

#: Log lines that fail a compile: errors, undefined references or
#: citations, and references that a second pass did not settle.
_BAD = ("! ", "undefined", "Label(s) may have changed", "Rerun to get")


def compile_tex(path: pathlib.Path) -> str:
    """Run pdflatex twice; return the problems found in the final log."""
    for _ in range(2):
        proc = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
             path.name], cwd=path.parent, capture_output=True, text=True,
            timeout=120)
    log = path.with_suffix(".log").read_text(errors="replace")
    problems = [line for line in log.splitlines()
                if any(b in line for b in _BAD)]
    if proc.returncode != 0 and not problems:
        problems.append(f"pdflatex exited {proc.returncode}")
    return "\n".join(problems)


@needs_tex
@pytest.mark.parametrize("did", [d.id for d in all_derivations()])
def test_every_derivation_exports_and_compiles(tmp_path, did, capsys):
    out = tmp_path / f"{did}.tex"
    assert main(["derive", did, "--latex", str(out)]) == 0
    assert compile_tex(out) == ""
    assert out.with_suffix(".pdf").stat().st_size > 10_000


@pytest.fixture(scope="module")
def full_document(tmp_path_factory):
    """The whole-paper document, with verdicts from a check --json file."""
    folder = tmp_path_factory.mktemp("paper")
    verdicts = folder / "verdicts.json"
    assert main(["check", "prop-4.1", "remark-4.6", "--json",
                 str(verdicts)]) == 0
    tex = folder / "paper.tex"
    assert main(["derive", "--all", "--latex", str(tex), "--verdicts",
                 str(verdicts)]) == 0
    return tex


def test_full_document_has_sections_verdicts_and_errata(full_document):
    text = full_document.read_text()
    for d in all_derivations():
        assert f"\\label{{sec:{d.id}}}" in text
    assert "\\section{Verdicts}" in text and "remark-4.6" in text
    errata = text[text.index("\\section{Errata}"):]
    # the one known misprint, Remark 4.6 entry (3,3), refers back to its step
    found = sum(len(d.errata) for d in all_derivations())
    assert f"{found} place(s)" in errata and "\\eqref{eq:remark-4.6:" in errata
    assert "\\Delta_{2,\\omega}(w^*)^2" in errata     # printed, with Delta_2
    # the paper's equation numbers tag the displays that reproduce them
    for n in ("82", "92", "97", "99", "100", "88", "89"):
        assert f"\\tag{{{n}}}" in text


@needs_tex
def test_full_document_compiles_and_its_first_page_is_not_blank(full_document):
    assert compile_tex(full_document) == ""
    pdf = full_document.with_suffix(".pdf")
    png = full_document.parent / "page1"
    subprocess.run(["pdftoppm", "-png", "-gray", "-r", "50", "-f", "1", "-l",
                    "1", "-singlefile", str(pdf), str(png)], check=True)
    width, height, pixels = _read_gray_png(png.with_suffix(".png"))
    dark = sum(1 for p in pixels if p < 128)
    assert width > 300 and height > 400
    # text covers a few percent of a page; a blank page has no dark pixel
    assert 0.005 < dark / len(pixels) < 0.5


def _read_gray_png(path):
    """(width, height, gray pixels) of an 8-bit gray or RGB PNG, decoded here
    (zlib and the five PNG row filters; RGB is averaged to gray)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and color in (0, 2), (depth, color)
            bpp = 1 if color == 0 else 3
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw, stride = zlib.decompress(idat), width * bpp
    pixels, prev = [], bytearray(stride)
    for r in range(height):
        start = r * (stride + 1)
        f, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        pixels += [sum(line[i:i + bpp]) // bpp for i in range(0, stride, bpp)]
        prev = line
    return width, height, pixels


def test_png_reader_sees_a_blank_page_as_blank(tmp_path):
    # the blankness check above can fail: an all-white page has no dark pixel
    f = tmp_path / "blank.tex"
    f.write_text(_tiny("\\thispagestyle{empty}\\mbox{}"))
    if not HAVE_TEX:
        pytest.skip("pdflatex not installed")
    assert compile_tex(f) == ""
    subprocess.run(["pdftoppm", "-png", "-gray", "-r", "50", "-singlefile",
                    str(f.with_suffix(".pdf")), str(tmp_path / "b")], check=True)
    _, _, pixels = _read_gray_png(tmp_path / "b.png")
    assert sum(1 for p in pixels if p < 128) == 0


# -- the compile check can fail --------------------------------------------------

def _tiny(body: str) -> str:
    return latex.PREAMBLE + "\\begin{document}\n" + body + "\n\\end{document}\n"


@needs_tex
def test_compile_check_catches_an_undefined_reference(tmp_path):
    f = tmp_path / "bad.tex"
    f.write_text(_tiny("See \\eqref{eq:nowhere}."))
    assert "undefined" in compile_tex(f)


@needs_tex
def test_compile_check_catches_a_latex_error(tmp_path):
    f = tmp_path / "bad.tex"
    f.write_text(_tiny("$\\frac{1}{$"))
    assert compile_tex(f) != ""


# -- the pieces --------------------------------------------------------------------

def test_paper_symbols_are_printed_in_the_paper_notation():
    D1k, S2k, ah, ws = sp.symbols("Delta_1k S_2k ahat_1 w*")
    tex = latex.expr_tex(2 * D1k - ah / ws ** 2 + S2k)
    assert "\\Delta_{1,\\omega}(w_{k})" in tex and "S_{2}(w_{k})" in tex
    assert "\\hat{a}_{1}" in tex and "w^*" in tex


@pytest.mark.parametrize("text", [
    "det leading term -4 Delta_1^2 a*^2/(4 w*^3) derived; 1 printed entry",
    "generic entries (92)-(99) at w_hat = (w*, w*), a_hat_2 = a* - a_hat_1",
    "lambda_min < 0 at all 8 points, m = 3, m* = 1; 100% & #_ {x}",
    "the (2 t0 + O(omega)) of the proof",
])
def test_plain_text_is_translated_to_balanced_latex(text):
    tex = latex.text_tex(text)
    assert tex.count("$") % 2 == 0
    outside = "".join(tex.split("$")[0::2])
    for escaped in ("\\_", "\\%", "\\&", "\\#", "\\{", "\\}",
                    "\\textasciicircum{}", "\\textbackslash{}"):
        outside = outside.replace(escaped, "")
    assert not any(c in outside for c in "_^&%#{}"), tex
    for math in tex.split("$")[1::2]:
        assert latex._balanced(math), math


def test_the_text_check_rejects_unescaped_text():
    # the assertion above can fail: raw specials outside math are caught
    outside = "".join("a_b & 50% $x$".split("$")[0::2])
    assert any(c in outside for c in "_^&%#{}")


def test_long_sums_are_broken_over_aligned_lines():
    x = sp.symbols("x_1:30")
    body = latex._display("J", sum(xi ** 2 for xi in x), "1", "eq:t")
    assert body.count("\\\\") >= 2 and body.count("\\notag") >= 2
    assert body.count("\\tag{1}") == 1


def test_a_step_that_differs_shows_both_forms():
    a = sp.Symbol("a")
    d = Derivation("t", "T", "here")
    d.add(Step("eq. (7)", a, a + 1, "because", printed=a + 2))
    text = latex.section(d)
    assert "Differs from the paper" in text and "a + 2" in text
    assert "a + 1" in text and len(d.errata) == 1


def test_derive_usage_errors_exit_2(tmp_path, capsys):
    bad = tmp_path / "v.json"
    bad.write_text(json.dumps({"not": "a list"}))
    for argv in (["derive"], ["derive", "eq-92-99", "--all"],
                 ["derive", "eq-92-99", "--verdicts", str(bad)],
                 ["derive", "--all", "--latex", str(tmp_path / "p.tex"),
                  "--verdicts", str(bad)],
                 ["derive", "nope", "--latex", str(tmp_path / "x.tex")],
                 ["derive", "eq-92-99", "--latex", "/nonexistent/x.tex"]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("cmwork: error:"), argv
