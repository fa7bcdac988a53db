"""One self-contained HTML page of every verdict (``cmwork report``).

The page works offline and makes no request: the style is inline, every
image is embedded as a ``data:`` URI, and the only links are relative, to
the PDFs of the derivations written beside it.  It holds

* the newest stored verdict of every claim of the paper (or "not run" /
  "not implemented"), with its parameters, precision, seed, time and the
  full evidence (folded);
* for every claim swept over a grid, a plot of each swept parameter
  against the time taken, coloured by verdict (matplotlib, extra ``plot``);
* the figures found in ``DIR/figures/*.png`` (``cmwork figure N --out
  DIR/figures/...``);
* the errata table and each derivation's LaTeX source beside a link to its
  compiled PDF (pdflatex, when installed).
"""
from __future__ import annotations

import base64
import contextlib
import datetime
import html
import io
import json
import os
import platform
import shutil
import subprocess
from typing import Dict, List, Optional, Tuple

from . import __version__
from .store import Row, Store

#: Evidence longer than this (characters of JSON) is cut in the page; the
#: store and ``cmwork results --csv`` keep it whole.
EVIDENCE_CHARS = 60_000

_CSS = """
body{font-family:Georgia,serif;max-width:72rem;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{border-bottom:1px solid #bbb;margin-top:2.2rem}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;
vertical-align:top}
th{background:#f3f3f3}
.holds{color:#176117;font-weight:bold}.fails{color:#a11;font-weight:bold}
.inconclusive{color:#8a6500;font-weight:bold}.none{color:#777}
pre{background:#f7f7f7;padding:.6rem;overflow:auto;max-height:28rem;
font-size:.8rem}
details{margin:.3rem 0}code{font-size:.85rem}
img{max-width:100%;border:1px solid #ddd;margin:.5rem 0}
.small{font-size:.85rem;color:#555}
"""


def write_report(out_dir: str, store: Store, *,
                 compile_pdf: bool = True) -> Tuple[str, str]:
    """Write ``out_dir/index.html`` (and the PDFs); returns (path, summary)."""
    from .claims import load_all
    from .cli import PAPER_CLAIMS
    claims = load_all()
    latest = store.latest()
    rows_by_claim: Dict[str, List[Row]] = {}
    for r in store.rows():
        rows_by_claim.setdefault(r.claim, []).append(r)

    parts = [_head(store)]
    parts.append(_verdict_table(PAPER_CLAIMS, claims, latest))
    parts.append(_evidence(claims, latest))
    plots = _sweep_plots(rows_by_claim)
    figures = _figures(out_dir)
    parts.append(_section("Sweeps", plots or "<p class='none'>No claim has "
                          "been swept over a grid yet (<code>cmwork sweep ID "
                          "--grid NAME=...</code>).</p>"))
    parts.append(_section("Figures", figures or "<p class='none'>No figure "
                          "in <code>figures/</code> beside this page "
                          "(<code>cmwork figure N --out DIR/figures/"
                          "figN.png</code>).</p>"))
    errata_html, n_errata, deriv_html, n_pdf = _derivations(out_dir,
                                                           compile_pdf)
    parts.append(_section("Errata", errata_html))
    parts.append(_section("Derivations", deriv_html))
    parts.append("</body></html>\n")
    path = os.path.join(out_dir, "index.html")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(parts))
    ran = sum(1 for c in claims if c in latest)
    return path, (f"{ran} of {len(claims)} implemented claims with stored "
                  f"verdicts, {plots.count('<img')} sweep plot(s), "
                  f"{figures.count('<img')} figure(s), {n_errata} "
                  f"erratum/errata, {n_pdf} PDF(s)")


def _head(store: Store) -> str:
    now = datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>cmwork report</title><style>" + _CSS + "</style></head><body>"
        "<h1>cmwork report: <i>On the Curse of Memory in Recurrent Neural "
        "Networks</i> (Li, Han, E, Li)</h1>"
        f"<p class='small'>cmwork {html.escape(__version__)}, written {now} on "
        f"{html.escape(platform.platform())}, Python "
        f"{platform.python_version()}; results from "
        f"<code>{html.escape(store.path)}</code>.  Every verdict below can be "
        "recomputed with <code>cmwork check ID --seed N</code> and the "
        "parameters shown (<code>--set NAME=VALUE</code>).</p>")


def _section(title: str, body: str) -> str:
    anchor = title.lower().replace(" ", "-")
    return f"<h2 id='{anchor}'>{html.escape(title)}</h2>\n{body}"


def _status_cell(row: Optional[Row], implemented: bool) -> str:
    if row is None:
        label = "not run" if implemented else "not implemented"
        return f"<td class='none'>{label}</td>"
    mark = row.status + ("*" if row.certified else "")
    return f"<td class='{row.status}'>{html.escape(mark)}</td>"


def _verdict_table(paper_claims, claims, latest) -> str:
    out = ["<h2 id='verdicts'>Verdicts</h2>",
           "<p class='small'>The newest stored verdict of each claim; "
           "* marks a certified verdict (every number it rests on a "
           "ball-arithmetic enclosure).</p>",
           "<table><tr><th>claim</th><th>paper</th><th>verdict</th>"
           "<th>digits</th><th>seed</th><th>time</th><th>summary</th></tr>"]
    for cid, where in paper_claims:
        c = claims.get(cid)
        row = latest.get(cid)
        where = c.where if c else where
        link = (f"<a href='#ev-{cid}'>{cid}</a>" if row else cid)
        out.append(
            f"<tr><td><code>{link}</code></td><td>{html.escape(where)}</td>"
            + _status_cell(row, c is not None)
            + (f"<td>{row.dps if row.dps is not None else '-'}</td>"
               f"<td>{row.seed}</td><td>{row.seconds:.1f}s</td>"
               f"<td>{html.escape(row.summary)}</td>" if row else
               "<td></td><td></td><td></td><td></td>") + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _evidence(claims, latest) -> str:
    out = ["<h2 id='evidence'>Evidence</h2>"]
    for cid, c in claims.items():
        row = latest.get(cid)
        if row is None:
            continue
        notes = row.evidence.get("notes", [])
        ev = json.dumps(row.evidence.get("evidence", {}), indent=1,
                        default=str)
        cut = ""
        if len(ev) > EVIDENCE_CHARS:
            ev, cut = ev[:EVIDENCE_CHARS], (
                f" (cut at {EVIDENCE_CHARS} characters; <code>cmwork results "
                f"{cid} --csv -</code> has it whole)")
        params = ", ".join(f"{k} = {_short(v)}" for k, v in row.params.items())
        out.append(
            f"<h3 id='ev-{cid}'><code>{cid}</code>: {html.escape(c.title)}</h3>"
            f"<p><span class='{row.status}'>{row.status}"
            f"{'*' if row.certified else ''}</span> &mdash; "
            f"{html.escape(row.summary)}</p>"
            + "".join(f"<p class='small'>note: {html.escape(n)}</p>"
                      for n in notes)
            + f"<p class='small'>statement: {html.escape(c.statement)}<br>"
            f"parameters: {html.escape(params)}<br>digits {row.dps}, seed "
            f"{row.seed}, {row.seconds:.2f} s, cmwork {row.version}, from "
            f"{html.escape(row.source)}</p>"
            f"<details><summary>evidence (JSON){cut}</summary><pre>"
            f"{html.escape(ev)}</pre></details>")
    if len(out) == 1:
        out.append("<p class='none'>Nothing stored yet: run <code>cmwork "
                   "check</code> first.</p>")
    return "\n".join(out)


def _short(v) -> str:
    if isinstance(v, list):
        return ",".join(str(x) for x in v)
    return str(v)


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode()


def _sweep_plots(rows_by_claim) -> str:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return ("<p class='none'>matplotlib is not installed (extra "
                "<code>plot</code>): sweep plots omitted.</p>")
    colours = {"holds": "#176117", "fails": "#a11", "inconclusive": "#c90"}
    out = []
    for cid, rows in rows_by_claim.items():
        swept = [r for r in rows if r.source.startswith("sweep")]
        if len(swept) < 2:
            continue
        for name in sorted({k for r in swept for k in r.params}):
            vals = [_number(r.params.get(name)) for r in swept]
            if any(v is None for v in vals) or len(set(vals)) < 2:
                continue
            fig, ax = plt.subplots(figsize=(6, 3.2))
            for status, col in colours.items():
                pts = [(v, r.seconds) for v, r in zip(vals, swept)
                       if r.status == status]
                if pts:
                    ax.scatter(*zip(*pts), c=col, label=status, s=22)
            ax.set_xlabel(name)
            ax.set_ylabel("time per point (s)")
            ax.set_title(f"{cid}: {len(swept)} swept points")
            ax.legend(fontsize=8)
            out.append(f"<p><code>{cid}</code> over <code>{name}</code></p>"
                       f"<img alt='{cid} sweep over {name}' "
                       f"src='data:image/png;base64,{_png(fig)}'>")
            plt.close(fig)
    return "\n".join(out)


def _number(v) -> Optional[float]:
    if isinstance(v, list) and len(v) == 1:
        v = v[0]
    try:
        from fractions import Fraction
        return float(Fraction(str(v)))
    except (ValueError, ZeroDivisionError, TypeError):
        return None


def _figures(out_dir: str) -> str:
    folder = os.path.join(out_dir, "figures")
    if not os.path.isdir(folder):
        return ""
    out = []
    for name in sorted(os.listdir(folder)):
        if name.lower().endswith(".png"):
            with open(os.path.join(folder, name), "rb") as fh:
                data = base64.b64encode(fh.read()).decode()
            out.append(f"<p>{html.escape(name)}</p><img alt='{html.escape(name)}'"
                       f" src='data:image/png;base64,{data}'>")
    return "\n".join(out)


def _derivations(out_dir: str, compile_pdf: bool):
    import sympy as sp
    from proofs import all_derivations
    from . import latex
    derivs = all_derivations()
    rows = []
    for d in derivs:
        for s in d.errata:
            rows.append(f"<tr><td><code>{d.id}</code></td><td>"
                        f"{html.escape(s.where)}</td><td><code>"
                        f"{html.escape(sp.sstr(s.printed))}</code></td><td><code>"
                        f"{html.escape(sp.sstr(s.derived))}</code></td><td>"
                        f"{html.escape(s.note)}</td></tr>")
    errata = ("<table><tr><th>derivation</th><th>where</th><th>printed</th>"
              "<th>derived</th><th>note</th></tr>" + "".join(rows) + "</table>"
              if rows else "<p>No difference found.</p>")
    folder = os.path.join(out_dir, "derivations")
    os.makedirs(folder, exist_ok=True)
    have_tex = compile_pdf and shutil.which("pdflatex") is not None
    out, n_pdf = [], 0
    for d in derivs:
        tex = latex.document([d], title=f"{d.title} ({d.where})")
        name = f"{d.id}.tex"
        with open(os.path.join(folder, name), "w") as fh:
            fh.write(tex)
        pdf = _compile(folder, name) if have_tex else None
        n_pdf += pdf is not None
        link = (f"<a href='derivations/{html.escape(pdf)}'>PDF</a>" if pdf
                else "<span class='none'>no PDF (pdflatex not installed or "
                     "not asked for)</span>")
        out.append(f"<h3><code>{d.id}</code>: {html.escape(d.title)}</h3>"
                   f"<p class='small'>{html.escape(d.where)}; {len(d.steps)} "
                   f"steps, {len(d.errata)} erratum/errata; {link}; source "
                   f"<a href='derivations/{name}'>{name}</a></p>"
                   f"<details><summary>LaTeX source</summary><pre>"
                   f"{html.escape(tex)}</pre></details>")
    return errata, len(rows), "\n".join(out), n_pdf


def _compile(folder: str, name: str) -> Optional[str]:
    for _ in range(2):
        proc = subprocess.run(["pdflatex", "-interaction=nonstopmode",
                               "-halt-on-error", name], cwd=folder,
                              capture_output=True, text=True, timeout=180)
        if proc.returncode != 0:
            return None
    for ext in (".aux", ".log", ".out"):
        with contextlib.suppress(OSError):
            os.remove(os.path.join(folder, name[:-4] + ext))
    return name[:-4] + ".pdf"
