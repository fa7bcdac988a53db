"""Derivations as LaTeX documents that compile with pdflatex.

A :class:`~cmwork.derivation.Derivation` becomes a section: its
introduction, then one numbered display per step (aligned over several
lines when long) with its justification, how it was verified, and, where
the step reproduces a formula of the paper, whether it agrees with the
printed one.  Where a step reproduces a numbered equation of the paper the
display carries the paper's number as its tag ((92), (95a), ...); other
steps are numbered within their section.  The whole-paper document adds a
table of verdicts and an errata section whose entries refer back to the
steps by ``\\eqref``.

Notation follows the paper: J_m, Delta_{n,omega}, M*_P, hats for points on
M*_P.  Two shorthands of cmwork's derivation are defined in each document:
S_n(w_k) = sum_i a_i/(w_k + w_i)^{n+1} and P_n(w_k) = sum_j a*_j/(w_k +
w*_j)^{n+1}.

Only the standard packages of a basic TeX installation are used (amsmath,
amssymb, geometry, graphicx, booktabs, longtable, hyperref).
"""
from __future__ import annotations

import re
from typing import Dict, Iterable, List, Optional, Sequence

import sympy as sp

from .derivation import Derivation, Step

#: Longest LaTeX source of one display line before an Add is broken over
#: several aligned lines (chosen here: about a text width at 11pt).
LINE_CHARS = 90

#: A matrix whose source is longer than this is scaled to the text width.
WIDE_MATRIX_CHARS = 260

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[margin=2.3cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{graphicx}
\usepackage{booktabs,longtable}
\usepackage[hidelinks]{hyperref}
\numberwithin{equation}{section}
\allowdisplaybreaks
\newcommand{\Hess}{\nabla^2}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5\baselineskip}
"""

NOTATION = r"""\paragraph{Notation.}
As in the paper, $J_m(a,w)=\int_0^\infty\bigl(\sum_{i=1}^m a_i e^{-w_i t}
-\rho(t)\bigr)^2\,dt$ (eq.~(80)) with parameters ordered
$(a_1,\dots,a_m,w_1,\dots,w_m)$; the target is
$\rho(t)=\sum_{j=1}^{m^*}a_j^*e^{-w_j^*t}+\rho_{0,\omega}(t)$ with
$\rho_{0,\omega}(t)=\rho_0(t-1/\omega)$ (eq.~(86)), and
$\Delta_{n,\omega}(w)=\int_0^\infty t^n e^{-wt}\rho_{0,\omega}(t)\,dt$
(eq.~(88)).  Points of an affine space $\mathcal{M}^*_{\mathcal{P}}$
(Definition~4.1) carry hats, $(\hat a,\hat w)$, and $\tilde J_m$ is $J_m$
for the target $\sum_j a_j^*e^{-w_j^*t}$ alone.  Two shorthands:
\[
S_n(w_k)=\sum_{i=1}^m\frac{a_i}{(w_k+w_i)^{n+1}},\qquad
P_n(w_k)=\sum_{j=1}^{m^*}\frac{a_j^*}{(w_k+w_j^*)^{n+1}},
\]
so that the moments of the target are
$M_n(s)=\int_0^\infty t^ne^{-st}\rho(t)\,dt=n!\,P_n(s)+\Delta_{n,\omega}(s)$.
Every display below was produced by SymPy; ``verified symbolically'' means
that the difference with the compared expression simplifies to zero,
``verified numerically'' that it vanishes at random points to 50 digits
where simplification does not close.
"""

# ---------------------------------------------------------------------------
# symbols and plain text

_SYMBOL_RULES = [
    (r"^Delta_(\d)([kl])$", r"\\Delta_{\1,\\omega}(w_{\2})"),
    (r"^Delta_(\d)$", r"\\Delta_{\1,\\omega}(w^*)"),
    (r"^([SPM])_(\d)([kl])$", r"\1_{\2}(w_{\3})"),
    (r"^ahat_(\d)$", r"\\hat{a}_{\1}"),
    (r"^what_(\d)$", r"\\hat{w}_{\1}"),
    (r"^([aw])\*_(\d)$", r"\1^*_{\2}"),
    (r"^([aw])\*$", r"\1^*"),
    (r"^([a-zA-Z])_(\w+)$", r"\1_{\2}"),
]


def symbol_tex(name: str) -> Optional[str]:
    """LaTeX for one of the derivations' symbol names, None for SymPy's own."""
    for pattern, repl in _SYMBOL_RULES:
        if re.match(pattern, name):
            return re.sub(pattern, repl, name)
    return None


def expr_tex(expr) -> str:
    """SymPy's LaTeX with the paper's notation for the symbols."""
    expr = sp.sympify(expr)
    names = {}
    for x in expr.free_symbols:
        tex = symbol_tex(str(x))
        if tex is not None:
            names[x] = tex
    return sp.latex(expr, symbol_names=names, mul_symbol=None)


_GREEK = ("alpha beta gamma delta epsilon zeta eta theta lambda mu nu xi "
          "rho sigma tau phi chi psi omega Delta Gamma Lambda Omega").split()

_TEXT_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%",
                 "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
                 "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                 "<": r"\textless{}", ">": r"\textgreater{}",
                 "|": r"\textbar{}"}

_MATHY = re.compile(r"[_^*=<>]|->|\d/|[A-Za-z]~|rho0|\b(?:%s)\b|\b(?:e|d|oo|sqrt)\b"
                    % "|".join(_GREEK))


def escape(text: str) -> str:
    """Plain text made safe for LaTeX."""
    return "".join(_TEXT_SPECIAL.get(c, c) for c in text)


_GREEK_RE = r"(?<![A-Za-z\\])(%s)(?![A-Za-z])" % "|".join(_GREEK)


def _word_tex(word: str) -> str:
    w = word
    w = w.replace("->", r"\to ").replace("<=", r"\le ").replace(">=", r"\ge ")
    w = w.replace("!=", r"\ne ")
    w = re.sub(r"(?<![A-Za-z])oo(?![A-Za-z])", r"\\infty ", w)
    w = re.sub(r"(?<![A-Za-z])(ahat|a_hat)", r"\\hat{a}", w)
    w = re.sub(r"(?<![A-Za-z])(what|w_hat)", r"\\hat{w}", w)
    w = re.sub(r"M\*_P", r"\\mathcal{M}^*_{\\mathcal{P}}", w)
    w = re.sub(r"(?<![A-Za-z])rho0", r"\\rho_0", w)
    w = re.sub(_GREEK_RE, r"\\\1 ", w)
    w = re.sub(r"(?<![A-Za-z\\])sqrt(?![A-Za-z])", r"\\sqrt", w)
    w = re.sub(r"(?<![A-Za-z])([A-Za-z])~", r"\\tilde{\1}", w)
    w = re.sub(r"\*\^(\{[^}]*\}|\w+)",
               lambda m: "^{*" + m.group(1).strip("{}") + "}", w)
    w = re.sub(r"(?<![{^])\*(?!\})", "^*", w)
    w = re.sub(r"_(\w+)", r"_{\1}", w)
    w = w.replace("#", r"\#").replace("%", r"\%").replace("&", r"\&")
    return w


def text_tex(text: str) -> str:
    """Translate cmwork's plain-text conventions into LaTeX.

    Words that look like mathematics (subscripts, superscripts, w*, Greek
    names, relations), and the short words and numbers beside them, are set
    in math mode; the rest is escaped text.  Used for steps that carry no
    LaTeX of their own.
    """
    words = text.split()
    cores, tails = [], []
    for word in words:
        core = word.rstrip(".,;:")
        cores.append(core)
        tails.append(word[len(core):])
    mathy = [bool(c) and bool(_MATHY.search(c)) for c in cores]
    short = re.compile(r"[A-Za-z]|-?[\d.]+|[-+/()]|\d/\d+")
    for _ in range(2):
        grown = list(mathy)
        for i, c in enumerate(cores):
            if not mathy[i] and short.fullmatch(c or "-"):
                left = i > 0 and mathy[i - 1] and not tails[i - 1]
                right = i + 1 < len(cores) and mathy[i + 1] and not tails[i]
                grown[i] = left or right
        mathy = grown
    out, run = [], []

    def flush():
        if run:
            body = " ".join(run)
            out.append("$" + body + "$" if _balanced(body) else escape(body))
            run.clear()

    for core, tail, is_math in zip(cores, tails, mathy):
        if is_math and core:
            run.append(_word_tex(core))
            if tail and _balanced(" ".join(run)):
                flush()
                out[-1] += escape(tail)
            elif tail:
                run[-1] += tail
        else:
            flush()
            out.append(escape(core + tail))
    flush()
    return " ".join(out)


def _balanced(s: str) -> bool:
    depth = 0
    for c in s.replace(r"\{", "").replace(r"\}", ""):
        depth += (c == "{") - (c == "}")
        if depth < 0:
            return False
    return depth == 0 and s.count("(") == s.count(")")


# ---------------------------------------------------------------------------
# displays

def _lines(expr) -> List[str]:
    """The expression's LaTeX, broken at its top-level terms when long."""
    expr = sp.sympify(expr)
    whole = expr_tex(expr)
    if len(whole) <= LINE_CHARS or not isinstance(expr, sp.Add):
        return [whole]
    terms = sp.Add.make_args(expr)
    lines, cur = [], ""
    for i, term in enumerate(terms):
        tex = expr_tex(term)
        if i and not tex.startswith("-"):
            tex = "+ " + tex
        if cur and len(cur) + len(tex) > LINE_CHARS:
            lines.append(cur)
            cur = tex
        else:
            cur = f"{cur} {tex}".strip()
    lines.append(cur)
    return lines


def _display(lhs: str, expr, tag: Optional[str], label: Optional[str]) -> str:
    """An align environment: lhs &= ... over one or more lines."""
    if isinstance(expr, str):                 # a step's own display_tex
        rows = [f"{lhs} &= {expr}"]
        expr = None
    else:
        expr = sp.sympify(expr)
    if expr is None:
        pass
    elif isinstance(expr, sp.MatrixBase):
        body = expr_tex(expr)
        if len(body) > WIDE_MATRIX_CHARS:
            body = (r"\resizebox{0.9\linewidth}{!}{$\displaystyle " + body
                    + "$}")
        rows = [f"{lhs} &= {body}"]
    else:
        parts = [_fit(p) for p in _lines(expr)]
        rows = [f"{lhs} &= {parts[0]}"] + [r"&\quad " + p for p in parts[1:]]
    mark = ""
    if tag:
        mark += r" \tag{" + tag + "}"
    if label:
        mark += r" \label{" + label + "}"
    no_number = [r" \notag" for _ in rows[:-1]]
    body = " \\\\\n".join(r + n for r, n in zip(rows, no_number + [mark]))
    return "\\begin{align}\n" + body + "\n\\end{align}\n"


def _fit(line: str) -> str:
    """A display line too long to break is scaled to the text width."""
    if len(line) <= 2 * LINE_CHARS:
        return line
    return r"\resizebox{0.85\linewidth}{!}{$\displaystyle " + line + "$}"


def shown(step: Step):
    """What a step displays: the derived expression, or, when it was
    verified equal to the printed one, whichever of the two is shorter."""
    if step.matches is True and step.printed is not None:
        a, b = expr_tex(step.derived), expr_tex(step.printed)
        return step.printed if len(b) < len(a) else step.derived
    return step.derived


def _paper_number(where: str) -> Optional[str]:
    m = re.match(r"\s*eq\. \((\d+)\)", where)
    return m.group(1) if m else None


def _verification(step: Step) -> str:
    how = {"symbolic": "verified symbolically",
           "numeric": "verified numerically at random points to 50 digits "
                      "(simplification did not close)",
           "derived": "derived", "": "derived"}
    if step.matches is True:
        return (f"Agrees with {escape(step.versus)} "
                f"({how.get(step.verified, step.verified)}).")
    if step.matches is False:
        if step.versus != "the paper":
            return (r"\textbf{Differs from " + escape(step.versus)
                    + "}, which reads:")
        return r"\textbf{Differs from the paper}; printed there:"
    return how.get(step.verified, escape(step.verified)).capitalize() + "."


def section(d: Derivation, *, level: str = "section") -> str:
    """One derivation as a LaTeX section (labels prefixed by its id)."""
    tags: Dict[str, int] = {}
    title = (r"\texorpdfstring{" + d.title_tex + "}{" + escape(d.title) + "}"
             if d.title_tex else escape(d.title))
    out = [f"\\{level}{{{title}}}\\label{{sec:{d.id}}}\n",
           r"\emph{Paper: " + escape(d.where) + ".}" + "\n"]
    if d.intro_tex:
        out.append(d.intro_tex.strip() + "\n")
    for i, step in enumerate(d.steps, 1):
        number = _paper_number(step.where)
        tag = None
        if number:
            k = tags.get(number, 0)
            tags[number] = k + 1
            tag = number + ("" if k == 0 else chr(ord("a") + k - 1))
        lhs = step.lhs_tex or expr_tex(step.lhs)
        why = step.justification_tex or text_tex(step.justification)
        out.append(r"\paragraph{" + text_tex(step.where) + ".} " + why + ". "
                   + _verification(step) + "\n")
        if step.matches is False:
            out.append(_display(lhs, step.printed, None, None).replace(
                "\\begin{align}", "\\begin{align*}").replace(
                "\\end{align}", "\\end{align*}"))
            out.append("whereas the derivation gives\n")
        out.append(_display(lhs, step.display_tex or shown(step), tag,
                            step_label(d, i)))
        note = (step.note_tex or (text_tex(step.note) if step.note else "")
                ).strip()
        if note:
            out.append(r"\emph{Note:} " + note + "\n")
    return "\n".join(out)


def step_label(d: Derivation, i: int) -> str:
    return f"eq:{d.id}:{i}"


def document(derivations: Sequence[Derivation], *, title: str,
             verdicts: Optional[Sequence] = None) -> str:
    """A standalone document: notation, sections, verdicts, errata."""
    parts = [PREAMBLE, r"\title{" + escape(title) + "}",
             r"\author{cmwork}", r"\date{}", r"\begin{document}",
             r"\maketitle", NOTATION]
    for d in derivations:
        parts.append(section(d))
    if verdicts is not None:
        parts.append(verdict_table(verdicts))
    parts.append(errata_section(derivations))
    parts.append(r"\end{document}")
    return "\n".join(parts) + "\n"


def verdict_table(verdicts: Iterable) -> str:
    """The verdicts of ``cmwork check`` as a longtable."""
    rows = []
    for v in verdicts:
        mark = v.status + (r"$^\dagger$" if getattr(v, "certified", False)
                           else "")
        rows.append(f"\\texttt{{{escape(v.claim)}}} & {mark} & "
                    f"{v.dps if v.dps is not None else '--'} & "
                    f"{escape(v.summary)} \\\\")
    return "\n".join([
        r"\section{Verdicts}\label{sec:verdicts}",
        "The claims as checked by \\texttt{cmwork check} (seed and "
        "parameters in its JSON output); $^\\dagger$ marks a verdict "
        "certified in ball arithmetic.  The summaries are cmwork's own, in "
        "its plain-text notation (\\texttt{omega} for $\\omega$, "
        "\\texttt{w*} for $w^*$).",
        r"\begin{longtable}{@{}l l r p{0.62\linewidth}@{}}",
        r"\toprule claim & verdict & digits & summary \\ \midrule \endhead",
        *rows, r"\bottomrule", r"\end{longtable}", ""])


def errata_section(derivations: Sequence[Derivation]) -> str:
    """Where the printed paper differs from the derivations."""
    items = []
    for d in derivations:
        for i, s in enumerate(d.steps, 1):
            if s.matches is False:
                lhs = s.lhs_tex or expr_tex(s.lhs)
                items.append(
                    r"\item " + text_tex(s.where) + r" (derived in "
                    r"\eqref{" + step_label(d, i) + "}).  Printed:"
                    + _display(lhs, s.printed, None, None).replace(
                        "align}", "align*}")
                    + "derived:" + _display(lhs, s.derived, None, None).replace(
                        "align}", "align*}")
                    + ((s.note_tex or text_tex(s.note)) if s.note else ""))
    head = r"\section{Errata}\label{sec:errata}" + "\n"
    if not items:
        return head + "No difference between the printed paper and the " \
                      "derivations was found.\n"
    return (head + f"{len(items)} place(s) where the printed paper differs "
            "from the derivation.\n\\begin{enumerate}\n" + "\n".join(items)
            + "\n\\end{enumerate}\n")
