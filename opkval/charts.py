"""Charts for the note: matplotlib → PNG bytes, Danish labels and number formats.

PNG (not SVG) so the same image embeds in the HTML and the PDF and is byte-stable between
runs. Each chart returns a :class:`Chart`, which Jupyter displays as an image.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from opkval import fmt  # noqa: E402

DPI = 150
COLORS = {"tilsagn": "#1f4e79", "fremskrevet": "#5b9bd5", "skøn": "#bfbfbf"}
LABELS_DA = {"tilsagn": "Tilsagn", "fremskrevet": "Fremskrevet efter kommunens andel",
             "skøn": "Skøn efter fordelingsnøglen"}
plt.rcParams.update({
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "svg.hashsalt": "opkval",
})


@dataclass(frozen=True)
class Chart:
    png: bytes
    alt: str  # text alternative, shown to screen readers and in the JSON

    def _repr_png_(self) -> bytes:
        return self.png

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"image/png": self.png, "text/plain": self.alt}


def _to_png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight",
                metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _kr_axis(ax) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.number(v)))
    ax.set_ylabel("kr.")
    ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
    ax.set_axisbelow(True)


def grants_by_year(ctx: dict) -> Chart:
    """Bars: the kommune's grant per year, coloured by origin; dots: the key estimate."""
    grants = ctx["grants"]
    years = [g["aar"] for g in grants]
    fig, ax = plt.subplots(figsize=(7.2, 3.1))
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
    handles = [Patch(facecolor=COLORS[k], label=LABELS_DA[k], hatch=None if k == "tilsagn"
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
    ax.set_title(f"Tilskud til {ctx['kommune']['navn']} Kommune pr. år")
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2,
              frameon=False, fontsize=8)
    alt = "Søjlediagram over tilskud pr. år: " + "; ".join(
        f"{g['aar']}: {fmt.kr(g['beloeb_kr'])} ({g['label']})" for g in grants)
    return Chart(_to_png(fig), alt)


def plan_cumulative(ctx: dict) -> Chart | None:
    """Lines: cumulative grant paid vs cumulative pool spending of the plan (None: no plan)."""
    plan = ctx.get("plan")
    if not plan:
        return None
    rows = plan["ledger"]["aar"]
    years = [r["aar"] for r in rows]
    paid = [r["kumuleret_udbetalt_kr"] for r in rows]
    spent = [r["kumuleret_forbrug_kr"] for r in rows]
    fig, ax = plt.subplots(figsize=(7.2, 3.1))
    ax.plot(years, paid, "s-", color=COLORS["tilsagn"], linewidth=2, markersize=4,
            label="Udbetalt tilskud i alt, ultimo året")
    ax.plot(years, spent, "o--", color="#c55a11", linewidth=2, markersize=4,
            label="Planens forbrug af puljen i alt, ultimo året")
    for y, v in ((years[-1], paid[-1]), (years[-1], spent[-1])):
        ax.annotate(fmt.number(v), (y, v), ha="right", va="bottom", fontsize=7.5,
                    xytext=(0, 3), textcoords="offset points")
    ax.set_xticks(years, [str(y) for y in years])
    _kr_axis(ax)
    ax.set_ylim(0, max(max(paid), max(spent)) * 1.15)
    ax.set_title(f"Tilskud og forbrug, akkumuleret – {ctx['kommune']['navn']} Kommune")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, frameon=False,
              fontsize=8)
    alt = ("Kurve over akkumuleret tilskud og forbrug: " + "; ".join(
        f"{r['aar']}: tilskud {fmt.kr(r['kumuleret_udbetalt_kr'])}, forbrug "
        f"{fmt.kr(r['kumuleret_forbrug_kr'])}" for r in rows))
    return Chart(_to_png(fig), alt)
