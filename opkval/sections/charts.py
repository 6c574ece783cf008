"""Charts for the note: matplotlib → SVG, Danish labels and number formats.

Each chart is a :class:`opkval.base.doc.Figure` with its text alternative and caption, carrying
the picture once, as SVG: the HTML and the Typst PDF take the vectors (sharp at any zoom), and
the Word writer rasterises the same SVG (:func:`opkval.publish.word.svg_png`). The SVG is
byte-stable between runs (fixed ids and no date in its metadata).

Drawn once: matplotlib's Python-side drawing (ticks, text layout) is most of a chart's cost and
is paid per output format, so a second drawing with Agg for a PNG cost the kernel about 0,08 s of
CPU a chart (a third of its chart time); Typst rasterises the SVG for Word in about 0,02 s.
"""

from __future__ import annotations

import io
import threading
from functools import cache
from types import SimpleNamespace
from typing import Any, cast

from opkval.base import doc, fmt
from opkval.base.domain import PASNING, PASNING_NAVN
from opkval.sections.present import _kommune

# The object API (Figure + the SVG canvas on save), not pyplot: no figure manager or GUI
# backend, and a lighter import for every kernel that renders a note.

DPI = 150
#: Titles at a fixed height: matplotlib's automatic title placement measures every tick label
#: on each draw (a tenth of a second per note).
TITLE_Y = 1.03
COLORS = {"tilsagn": "#1f4e79", "fremskrevet": "#5b9bd5", "skøn": "#bfbfbf"}
LABELS_DA = {"tilsagn": "Tilsagn", "fremskrevet": "Fremskrevet efter kommunens andel",
             "skøn": "Skøn efter fordelingsnøglen"}
#: matplotlib's settings for every chart (applied on first use, by :func:`_mpl`).
RC = {
    # Text as text, in DejaVu Sans (the fonts the PDF and Word's pictures are drawn with).
    # A reader's browser without DejaVu Sans falls back along matplotlib's sans-serif list
    # (Verdana and Lucida Grande are as wide). Drawing each glyph as a path instead was a
    # quarter of every chart's time. The one family "sans-serif", DejaVu Sans first in its
    # list: the SVG names the same fonts in the same order as ["DejaVu Sans", "sans-serif"]
    # did, and matplotlib looks each text's font up once instead of once a family.
    "font.family": ["sans-serif"],
    "font.sans-serif": ["DejaVu Sans", "Bitstream Vera Sans", "Computer Modern Sans Serif",
                        "Lucida Grande", "Verdana", "Geneva", "Lucid", "Arial", "Helvetica",
                        "Avant Garde", "sans-serif"],
    "svg.fonttype": "none",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "svg.hashsalt": "opkval",
}
#: A chart's width on the A4 page (the figures are 7,2 inches wide: 18,3 cm, scaled to fit).
WIDTH_CM = 16.0


@cache
def _mpl() -> SimpleNamespace:
    """matplotlib, imported and set up on the first chart. Importing it costs about half a
    second of CPU, which only the kernel that draws should pay: the agenda item and the parent
    process use this module's titles and texts, never its drawing."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    matplotlib.rcParams.update(cast(Any, RC))  # the stubs know each key's type, not RC's
    return SimpleNamespace(Figure=Figure, Line2D=Line2D, Patch=Patch,
                           FuncFormatter=FuncFormatter, MaxNLocator=MaxNLocator)


#: Each thread's figures, kept for the next chart of the same kind (:func:`_canvas`).
_KEPT = threading.local()


def _canvas(kind: str, figsize: tuple[float, float], ncols: int = 1) -> tuple[Any, Any]:
    """A figure of `figsize` inches with `ncols` axes in a row (one axes, or a list), empty,
    for the chart `kind`.

    The figure is kept and emptied for the next chart of the same kind, not built anew:
    matplotlib's axes and their tick objects, made on the first drawing, were a third of a
    chart's time (a warm kernel draws three or four charts a note). Emptied: every line, bar,
    text and legend a chart added is removed, and the axes' limits, autoscaling and colour
    cycle are reset. What else a chart sets (ticks, tick labels, formatters, labels, titles,
    grid, margins) it sets the same way on every call, and a figure serves one kind of chart
    in one thread only. So a chart's SVG is the same, byte for byte, whatever was drawn before
    it (tests/test_present_gaps.py draws the 98 kommuners' charts in three orders).
    """
    kept = getattr(_KEPT, "figures", None)
    if kept is None:
        kept = _KEPT.figures = {}
    key = (kind, figsize, ncols)
    if key not in kept:
        fig = _mpl().Figure(figsize=figsize)
        kept[key] = (fig, fig.subplots(1, ncols) if ncols > 1 else fig.subplots())
        return kept[key]
    fig, axes = kept[key]
    for legend in list(fig.legends):
        legend.remove()
    for ax in (axes if ncols > 1 else [axes]):
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        for container in list(ax.containers):
            container.remove()
        for artist in [*ax.lines, *ax.patches, *ax.collections, *ax.texts, *ax.images]:
            artist.remove()
        ax.set_prop_cycle(None)
        ax.set_xlim(0, 1, auto=True)
        ax.set_ylim(0, 1, auto=True)
        ax.relim()
    return fig, axes


def _forget_figures() -> None:
    """Drop this thread's kept figures (the next charts start from new ones)."""
    _KEPT.figures = {}


def chart_figure(svg: str, alt: str, caption: str = "") -> doc.Figure:
    """A chart as a document figure: ``svg`` from :func:`_render`.

    ``alt`` is the text alternative: what the chart shows, every series with its values (an
    empty series is said to be empty); the image's ``alt`` in the HTML, its description in
    Word and its /Alt in the PDF. ``caption`` is the visible caption under it.
    """
    return doc.Figure(alt=alt, svg=svg, caption=caption, role="chart", width_cm=WIDTH_CM)


def _end(text: str) -> str:
    """A sentence's full stop, unless it already ends in one (``kr.``)."""
    return text if text.endswith(".") else text + "."


def _series(values_by_year) -> str:
    """``[(2017, '3,1'), ...]`` → ``'2017: 3,1, 2018: 3,2'`` (years without a value left out)."""
    return ", ".join(f"{y}: {v}" for y, v in values_by_year if v is not None)


def _render(fig, *, left: float = 0.1, right: float = 0.98, top: float = 0.88,
            bottom: float = 0.22, wspace: float | None = None) -> str:
    """The SVG of a figure laid out with fixed margins (figure fractions).

    Fixed margins, not ``bbox_inches="tight"``: tight layout draws every figure twice, which
    was a third of a note's chart time; legends sit in the bottom margin (``_legend_below``).
    """
    fig.subplots_adjust(left=left, right=right, top=top, bottom=bottom, wspace=wspace)
    fig.set_dpi(DPI)
    return _to_svg(fig)


def _to_svg(fig) -> str:
    """The figure as SVG text: no date in its metadata and ids from a fixed salt
    (``svg.hashsalt``), so the same chart gives the same bytes in every build. Text stays
    text (``svg.fonttype`` "none", see :data:`RC`)."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buf = io.StringIO()
    FigureCanvasSVG(fig).print_svg(buf, metadata={"Date": None})
    return buf.getvalue()


def _legend_below(fig, handles, ncol: int = 2, fontsize: float = 8, **kw) -> None:
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=ncol,
               frameon=False, fontsize=fontsize, **kw)


def _kr_axis(ax) -> None:
    ax.yaxis.set_major_formatter(_mpl().FuncFormatter(lambda v, _: fmt.number(v)))
    ax.set_ylabel("kr.")
    ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
    ax.set_axisbelow(True)


def grants_by_year(ctx: dict) -> doc.Figure:
    """Bars: the kommune's grant per year, coloured by origin; dots: the key estimate."""
    grants = ctx["grants"]
    years = [g["aar"] for g in grants]
    fig, ax = _canvas("grants", (7.2, 3.1))
    bars = ax.bar(years, [g["beloeb_kr"] for g in grants],
                  color=[COLORS[g["label"]] for g in grants], width=0.65)
    for bar, g in zip(bars, grants, strict=True):
        if g["label"] != "tilsagn":
            bar.set_hatch("///")
            bar.set_edgecolor("white")
        ax.annotate(fmt.number(g["beloeb_kr"]), (bar.get_x() + bar.get_width() / 2,
                                                 bar.get_height()),
                    ha="center", va="bottom", fontsize=7.5, xytext=(0, 2),
                    textcoords="offset points")
    differs = any(g["skoen_kr"] != g["beloeb_kr"] for g in grants)
    handles = [_mpl().Patch(facecolor=COLORS[k], label=LABELS_DA[k], hatch=None if k == "tilsagn"
                     else "///", edgecolor="white")
               for k in COLORS if any(g["label"] == k for g in grants)]
    if differs:
        (dots,) = ax.plot(years, [g["skoen_kr"] for g in grants], "o", color="#c55a11",
                          markersize=5, label=f"Skøn efter nøglen ({ctx['noegle']['navn']})")
        handles.append(dots)
    ax.set_xticks(years, [str(y) for y in years])
    _kr_axis(ax)
    top = max(max(g["beloeb_kr"], g["skoen_kr"]) for g in grants)
    ax.set_ylim(0, top * 1.18)
    ax.set_title(f"Tilskud til {_kommune(ctx)} pr. år", y=TITLE_Y)
    _legend_below(fig, handles)
    alt = (f"Søjlediagram over tilskuddet til {_kommune(ctx)} pr. år, farvet efter grundlag: "
           + "; ".join(f"{g['aar']}: {fmt.kr(g['beloeb_kr'])} ({g['label']})" for g in grants)
           + ".")
    caption = f"Tilskud til {_kommune(ctx)} pr. år efter grundlag (tilsagn, fremskrevet, skøn)"
    if differs:
        alt += _end(f" Prikker: skøn efter nøglen ({ctx['noegle']['navn']}): " + "; ".join(
            f"{g['aar']}: {fmt.kr(g['skoen_kr'])}" for g in grants))
        caption += f"; prikkerne er skønnet efter {ctx['noegle']['navn']}"
    return chart_figure(_render(fig, left=0.13, bottom=0.26), alt, caption + ".")


# --------------------------------------------------------------------------- competence gaps

GAP_COLORS = {"kommune": "#c55a11", "gruppe": "#1f4e79", "oevrige": "#c9d3de",
              "land": "#7f7f7f"}


def _pct_axis(ax, axis: str = "y", decimals: int = 0) -> None:
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(_mpl().FuncFormatter(lambda v, _: fmt.pct_value(v, decimals)))
    ax.grid(axis=axis, color="#e0e0e0", linewidth=0.6)
    ax.set_axisbelow(True)


def staff_ranking(ctx: dict) -> doc.Figure:
    """All 98 kommuner ranked by share employed as pædagog; the kommune and its group marked."""
    g = ctx["gaps"]
    k = ctx["kommune"]
    rows = g["rangering"]
    x = list(range(1, len(rows) + 1))
    colors = [GAP_COLORS["kommune"] if r["kode"] == k["kode"]
              else GAP_COLORS["gruppe"] if r["kommunegruppe"] == k["kommunegruppe"]
              else GAP_COLORS["oevrige"] for r in rows]
    fig, ax = _canvas("ranking", (7.2, 3.2))
    # The bars as thick lines, one path a colour (98 bar patches, or a collection of 98
    # lines, drew far slower and gave the SVG 98 elements to parse; same picture).
    bar_pt = 0.8 * 0.86 * 7.2 * 72 / (len(rows) + 1)  # 80 % of a slot, in points
    nan = float("nan")
    for colour in dict.fromkeys(colors):
        xs: list[float] = []
        ys: list[float] = []
        for xi, r, c in zip(x, rows, colors, strict=True):
            if c == colour:
                xs += [xi, xi, nan]
                ys += [0, r["pct"], nan]
        ax.plot(xs, ys, color=colour, linewidth=bar_pt, solid_capstyle="butt")
    land = g["peers"]["land"]["pct_paedagoger_2024"]["median"]
    grp = g["peers"]["kommunegruppe"]["pct_paedagoger_2024"]["median"]
    ax.axhline(land, color=GAP_COLORS["land"], linestyle="--", linewidth=1)
    ax.axhline(grp, color=GAP_COLORS["gruppe"], linestyle=":", linewidth=1.2)
    own = next(i for i, r in enumerate(rows) if r["kode"] == k["kode"])
    place = fmt.rank(g["rang"], g.get("rang_delt", False))
    ax.annotate(f"{k['navn']}: {fmt.pct_value(rows[own]['pct'], 1)} ({place})",
                (own + 1, rows[own]["pct"]), xytext=(0, 14), textcoords="offset points",
                ha="center", fontsize=8, color=GAP_COLORS["kommune"], fontweight="bold",
                arrowprops={"arrowstyle": "-", "color": GAP_COLORS["kommune"], "lw": 0.8})
    ax.set_xlim(0, len(rows) + 1)
    ax.set_xticks([1, 25, 50, 75, len(rows)])
    ax.set_xlabel("Kommuner rangeret efter andel (nr. 1 = højest)", fontsize=8)
    ax.set_ylim(0, max(r["pct"] for r in rows) * 1.15)
    _pct_axis(ax)
    ax.set_ylabel("Andel ansat som pædagog", fontsize=8)
    ax.set_title("Andel ansat som pædagog i dagtilbud, 2024 – alle 98 kommuner", y=TITLE_Y)
    handles = [_mpl().Patch(facecolor=GAP_COLORS["kommune"], label=_kommune(ctx)),
               _mpl().Patch(facecolor=GAP_COLORS["gruppe"], label=k["kommunegruppe"]),
               _mpl().Patch(facecolor=GAP_COLORS["oevrige"], label="Øvrige kommuner"),
               _mpl().Line2D([], [], color=GAP_COLORS["gruppe"], linestyle=":",
                          label=f"Median, {k['kommunegruppe'].lower()}: {fmt.pct_value(grp, 1)}"),
               _mpl().Line2D([], [], color=GAP_COLORS["land"], linestyle="--",
                          label=f"Median, hele landet: {fmt.pct_value(land, 1)}")]
    _legend_below(fig, handles, ncol=3, fontsize=7.5)
    alt = (f"Søjlediagram over andelen ansat som pædagog i alle {fmt.number(len(rows))} "
           f"kommuner. {k['navn']} er {place} med "
           f"{fmt.pct_value(rows[own]['pct'], 1)}; median "
           f"{fmt.pct_value(grp, 1)} i {k['kommunegruppe'].lower()} (prikket linje) og "
           f"{fmt.pct_value(land, 1)} på landsplan (stiplet linje). Højeste andel: "
           f"{rows[0]['navn']} med {fmt.pct_value(rows[0]['pct'], 1)}; laveste: "
           f"{rows[-1]['navn']} med {fmt.pct_value(rows[-1]['pct'], 1)}. Kommunegruppen "
           f"({k['kommunegruppe'].lower()}) er fremhævet.")
    caption = (f"Andel ansat som pædagog i dagtilbud i 2024 i alle {fmt.number(len(rows))} "
               f"kommuner, højeste først; {k['navn']} og {k['kommunegruppe'].lower()} er "
               "fremhævet, medianerne er vandrette linjer.")
    return chart_figure(_render(fig, left=0.1, bottom=0.3), alt, caption)


def normering_trend(ctx: dict) -> doc.Figure:
    """Normering 2017–2023 per pasningstilbud: the kommune against the median of kommuner."""
    n = ctx["gaps"]["normering"]
    k = ctx["kommune"]
    years = n["aar"]
    tilbud = [t for t in PASNING if t in n["kommune"]]
    fig, axes = _canvas("normering", (7.2, 2.7), len(tilbud))
    for ax, t in zip(axes, tilbud, strict=True):
        own = [v if v is not None else float("nan") for v in n["kommune"][t]]
        med = [v if v is not None else float("nan") for v in n["land_median"][t]]
        ax.plot(years, med, color=GAP_COLORS["land"], linestyle="--", marker="o",
                markersize=3, linewidth=1, label="Median af kommunerne")
        ax.plot(years, own, color=GAP_COLORS["kommune"], marker="o", markersize=3.5,
                linewidth=1.6, label=f"{k['navn']}")
        for b in n["metodeskift_aar"]:
            ax.axvline(b - 0.5, color="#333333", linewidth=0.8, linestyle=":")
            ax.annotate("Ny metode", (b - 0.6, 0.02), xycoords=("data", "axes fraction"),
                        fontsize=7, va="bottom", ha="right", color="#333333")
        ax.set_title(PASNING_NAVN[t], fontsize=9, y=TITLE_Y)
        ax.set_xticks(years[::2], [str(y) for y in years[::2]], fontsize=7.5)
        # Steps of 0,1, 0,2 or 0,5 (not matplotlib's 0,25): every tick is what its label
        # with one decimal says (2,75 would be labelled "2,8").
        ax.yaxis.set_major_locator(_mpl().MaxNLocator(nbins="auto", steps=[1, 2, 5, 10]))
        ax.yaxis.set_major_formatter(_mpl().FuncFormatter(lambda v, _: fmt.number(v, 1)))
        ax.tick_params(axis="y", labelsize=7.5)
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
        lo = min(v for v in own + med if v == v)
        hi = max(v for v in own + med if v == v)
        ax.set_ylim(lo * 0.85, hi * 1.12)
    axes[0].set_ylabel("Børn pr. voksen", fontsize=8)
    handles, labels = axes[0].get_legend_handles_labels()
    _legend_below(fig, handles, labels=labels)
    fig.suptitle(f"Normering 2017–2023: {k['navn']} og medianen af kommunerne",
                 fontsize=10, fontweight="bold")
    span = f"{years[0]}–{years[-1]}"
    panels = []
    for t in tilbud:
        series = []
        for who, values in ((k["navn"], n["kommune"][t]), ("medianen af kommunerne",
                                                           n["land_median"][t])):
            shown = _series((y, None if v is None else fmt.number(v, 1))
                            for y, v in zip(years, values, strict=True))
            series.append(f"{who} {shown}" if shown else f"{who}: ingen tal (serien er tom)")
        panels.append(f"{PASNING_NAVN[t]}: " + "; ".join(series) + ".")
    alt = (f"Linjediagram over normeringen (børn pr. voksen) {span}, ét panel pr. "
           f"pasningstilbud, {k['navn']} (fuld linje) mod medianen af kommunerne (stiplet). "
           + " ".join(panels) + (
               f" Opgørelsesmetoden skiftede i {fmt.and_list(n['metodeskift_aar'])}."
               if n["metodeskift_aar"] else ""))
    caption = (f"Normering (børn pr. voksen) {span} pr. pasningstilbud: {k['navn']} mod "
               "medianen af kommunerne" + (
                   "; den lodrette linje markerer ny opgørelsesmetode."
                   if n["metodeskift_aar"] else "."))
    return chart_figure(_render(fig, left=0.08, top=0.8, bottom=0.24, wspace=0.3), alt, caption)


def plan_cumulative(ctx: dict) -> doc.Figure | None:
    """Lines: cumulative grant paid vs cumulative pool spending of the plan (None: no plan)."""
    plan = ctx.get("plan")
    if not plan:
        return None
    rows = plan["ledger"]["aar"]
    years = [r["aar"] for r in rows]
    paid = [r["kumuleret_udbetalt_kr"] for r in rows]
    spent = [r["kumuleret_forbrug_kr"] for r in rows]
    fig, ax = _canvas("plan", (7.2, 3.1))
    ax.plot(years, paid, "s-", color=COLORS["tilsagn"], linewidth=2, markersize=4,
            label="Tilskud i alt (modtaget eller ventet), ultimo året")
    ax.plot(years, spent, "o--", color="#c55a11", linewidth=2, markersize=4,
            label="Planens forbrug af puljen i alt, ultimo året")
    for y, v in ((years[-1], paid[-1]), (years[-1], spent[-1])):
        ax.annotate(fmt.number(v), (y, v), ha="right", va="bottom", fontsize=7.5,
                    xytext=(0, 3), textcoords="offset points")
    ax.set_xticks(years, [str(y) for y in years])
    _kr_axis(ax)
    ax.set_ylim(0, max(max(paid), max(spent)) * 1.15)
    ax.set_title(f"Tilskud og forbrug, akkumuleret – {_kommune(ctx)}", y=TITLE_Y)
    _legend_below(fig, ax.get_legend_handles_labels()[0])
    alt = _end("Kurver over tilskud i alt, modtaget eller ventet (fuld linje), og planens "
               "forbrug af puljen i alt (stiplet), ultimo hvert år: " + "; ".join(
                   f"{r['aar']}: tilskud {fmt.kr(r['kumuleret_udbetalt_kr'])}, forbrug "
                   f"{fmt.kr(r['kumuleret_forbrug_kr'])}" for r in rows))
    caption = (f"Tilskud (modtaget eller ventet) og planens forbrug af puljen, akkumuleret år "
               f"for år – {_kommune(ctx)}.")
    return chart_figure(_render(fig, left=0.13, bottom=0.24), alt, caption)


# ------------------------------------------------------------------------ national overview

def national_staff_distribution(nctx: dict) -> doc.Figure:
    """Histogram: share employed as pædagog (2024) across the 98 kommuner, median marked."""
    values = [r["pct_paedagoger"] for r in nctx["kommuner"]]
    d = nctx["fordeling_pct_paedagoger"]
    fig, ax = _canvas("national", (7.2, 2.8))
    lo, hi = int(min(values)) - 1, int(max(values)) + 2
    ax.hist(values, bins=range(lo, hi, 2), color="#5b9bd5", edgecolor="white")
    ax.axvline(d["median"], color="#c55a11", linewidth=2,
               label=f"Median {fmt.pct_value(d['median'])}")
    ax.xaxis.set_major_formatter(_mpl().FuncFormatter(lambda v, _: fmt.pct_value(v, 0)))
    ax.set_xlabel("Andel ansat som pædagog i dagtilbud, 2024")
    ax.set_ylabel("Antal kommuner")
    ax.yaxis.set_major_locator(_mpl().MaxNLocator(integer=True))
    ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(frameon=False, fontsize=8)
    ax.set_title("Pædagogandelen i de 98 kommuner", y=TITLE_Y)
    counts: dict[int, int] = {}
    for v in values:
        b = lo + int((v - lo) // 2) * 2
        counts[b] = counts.get(b, 0) + 1
    bins = "; ".join(f"{fmt.pct_value(b, 0)}–{fmt.pct_value(b + 2, 0)}: {fmt.number(c)}"
                     for b, c in sorted(counts.items()))
    alt = (f"Histogram over pædagogandelen i {fmt.number(d['n'])} kommuner: fra "
           f"{fmt.pct_value(d['min'])} til {fmt.pct_value(d['max'])}, median "
           f"{fmt.pct_value(d['median'])} (lodret linje). Antal kommuner pr. interval på 2 "
           f"procentpoint: {bins}.")
    caption = ("Fordelingen af andelen ansat som pædagog i dagtilbud (2024) i de "
               f"{fmt.number(d['n'])} kommuner; den lodrette linje er medianen.")
    return chart_figure(_render(fig, left=0.09, bottom=0.17), alt, caption)
