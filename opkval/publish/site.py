"""The pages across kommuner: ``reports/index.html`` and the national overview (landsoversigt).

The index is plain HTML with a few lines of inline JavaScript (sort by column, filter by text);
it has no external resources, so it works opened straight from the file system.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opkval import PROJECT_ROOT
from opkval.base import fmt
from opkval.base.domain import STATUS_RANK
from opkval.sections.present import _span, esc, generated_line, status_badge

if TYPE_CHECKING:
    from opkval.assembly.national_types import NationalContext

OVERVIEW_NOTEBOOK = PROJECT_ROOT / "notebooks" / "landsoversigt.py"
#: The 98 as data (opkval.publish.export), linked from the index: file name and link text.
DATA_FILES = (("landsoversigt.xlsx", "Alle kommuner som regneark (Excel)"),
              ("landsoversigt.csv", "Alle kommuner som CSV (til programmer)"))


def load_national_context(report_year: int = 0, context_path: str = "") -> NationalContext:
    """The overview notebook's entry point: a precomputed context, or build one here."""
    if context_path:
        return json.loads(Path(context_path).read_text(encoding="utf-8"))
    from opkval.assembly.national import national_context
    from opkval.inputs.data import load_all

    return national_context(load_all(), PROJECT_ROOT / "reports",
                            report_year or dt.date.today().year)


def _cell(text: str, sort: object = None, cls: str = "") -> str:
    attrs = f' data-sort="{esc(sort)}"' if sort is not None else ""
    attrs += f' class="{cls}"' if cls else ""
    return f"<td{attrs}>{text}</td>"


def note_cell(row: Mapping[str, Any], links: list[str]) -> str:
    """Links to the note, or why there is none (a failed rebuild keeps the older note)."""
    if row.get("fejl"):
        older = f' <span class="small">ældre: {" · ".join(links)}</span>' if links else ""
        return (f'<span class="status status-brud">Fejl ({esc(row["fejl"])})</span>{older}')
    return " · ".join(links) or '<span class="small">ikke bygget</span>'


def note_sort_key(row: Mapping[str, Any], links: list[str]) -> str:
    """The Notat column's sort key: failed notes first, then built, then not built; within
    each, Danish order of the kommune's name (as the Kommune column), not the links' text."""
    group = "0" if row.get("fejl") else ("1" if links else "2")
    return f"{group} {fmt.sort_key(row['navn'])}"


def _spellings() -> dict[int, list[str]]:
    """kommunekode → every spelling `opkval report --kommune` accepts (its comparison keys)."""
    from opkval import default_raw_dir
    from opkval.inputs.kommune import KommuneIndex

    index = KommuneIndex.from_csv(default_raw_dir() / "municipalities.csv")
    return {k.kode: [*index.spellings(k.kode), str(k.kode), k.kode_str, f"{k.kode:04d}"]
            for k in index}


def _round_cell(g: Mapping[str, Any]) -> str:
    """A round's amount and what it rests on (tilsagn, fremskrevet, skøn)."""
    basis = f' <span class="small">{esc("/".join(g["grundlag"]))}</span>'
    return _cell(esc(fmt.kr(g["beloeb_kr"])) + basis, g["beloeb_kr"], "num")


def _lift_note(nctx: NationalContext) -> str:
    """'; 2026–2030 uden engangsløftet' for the round that holds the unknown one-off lift."""
    e = nctx["pulje"]["engangsloeft"]
    rounds = [r for r in nctx["runder"] if e["aar"] in r["aar"]]
    if e["beloeb_kr"] is not None or not rounds:
        return ""
    return f"; {_span(rounds[0]['aar'])} uden engangsløftet"


def _data_note(out_dir: Path) -> str:
    """Which of the data files to open where (only when they exist)."""
    if not all((out_dir / name).exists() for name, _ in DATA_FILES):
        return ""
    return (" Regnearket åbnes i Excel eller LibreOffice; CSV-filen er til programmer (komma "
            "som skilletegn og punktum som decimaltegn, så dansk Excel læser den forkert).")


def index_html(nctx: NationalContext, out_dir: Path, formats: tuple[str, ...]) -> str:
    spellings = _spellings()
    rows = []
    for r in sorted(nctx["kommuner"], key=lambda r: fmt.sort_key(r["navn"])):
        slug = r["slug"]
        # The bilag, the analysis (<slug>-analyse.*) and the agenda item, each in its formats.
        files = {"html": f"{slug}.html", "pdf": f"{slug}.pdf", "docx": f"{slug}.docx",
                 "analyse.html": f"{slug}-analyse.html", "analyse.pdf": f"{slug}-analyse.pdf",
                 "analyse.docx": f"{slug}-analyse.docx",
                 "dagsordenspunkt": f"{slug}-dagsordenspunkt.docx"}
        exists = {ext: (out_dir / name).exists() for ext, name in files.items()}
        shown = {"html": "HTML", "pdf": "PDF", "docx": "Word", "analyse.html": "Analyse (HTML)",
                 "analyse.pdf": "Analyse (PDF)", "analyse.docx": "Analyse (Word)",
                 "dagsordenspunkt": "Dagsordenspunkt"}
        fmt_of = {"dagsordenspunkt": "docx"}
        links = [f'<a href="{esc(files[ext])}">{shown[ext]}<span class="visually-hidden">'
                 f' ({esc(r["navn"])})</span></a>' for ext in files
                 if fmt_of.get(ext, ext.removeprefix("analyse.")) in formats and exists[ext]]
        name = (f'<a href="{esc(slug)}.html">{esc(r["navn"])}</a>'
                if exists["html"] else esc(r["navn"]))
        status = r.get("regelstatus")
        status_html = status_badge(status) if status else "–"
        if status == "brud" and r.get("brud_usikre") and set(r["brud"]) <= set(r["brud_usikre"]):
            status_html += ' <span class="small">(hviler på en usikker klassifikation)</span>'
        if r.get("afhaenger"):  # issue 19: counted apart, beside the worst status
            status_html += (f' <span class="small">({fmt.number(len(r["afhaenger"]))} '
                            "afhænger af klassifikationen)</span>")
        region = r["region"].replace("Region ", "")
        search = " ".join(spellings.get(int(r["kode"]), []))
        rows.append(
            f'<tr data-search="{esc(search)}">'
            + _cell(name, fmt.sort_key(r["navn"])) + _cell(esc(region), fmt.sort_key(region))
            + _cell(esc(r["kommunegruppe"]), fmt.sort_key(r["kommunegruppe"]))
            + "".join(_round_cell(g) for g in r["runder"])
            + _cell("ja" if r.get("har_plan") else "nej", int(bool(r.get("har_plan"))))
            + _cell(status_html, STATUS_RANK.get(status or "", 0))
            + _cell(esc(fmt.pct_value(r["pct_paedagoger"])), r["pct_paedagoger"], "num")
            + _cell(note_cell(r, links), note_sort_key(r, links))
            + "</tr>")
    # The columns: header, numeric (right-aligned, sorted as numbers).
    columns = [("Kommune", False), ("Region", False), ("Kommunegruppe", False),
               *((f"Tilskud {_span(r['aar'])}", True) for r in nctx["runder"]),
               ("Lokal plan", False), ("Regelstatus", False), ("Pædagoger 2024", True),
               ("Notat", False)]
    num_cls, sorted_asc = ' class="num"', ' aria-sort="ascending"'
    head = "".join(
        f'<th scope="col"{num_cls if num else ""}{sorted_asc if i == 0 else ""}>'
        f'<button type="button">{esc(h)}</button></th>'
        for i, (h, num) in enumerate(columns))
    overview = " · ".join(
        [f'<a href="landsoversigt.{ext}">Landsoversigt ({ext.upper()})</a>'
         for ext in ("html", "pdf") if ext in formats]
        + [f'<a href="{name}">{label}</a>' for name, label in DATA_FILES
           if (out_dir / name).exists()])
    from opkval.publish.render import TEMPLATE_DIR, stylesheet

    css = stylesheet()
    script = (TEMPLATE_DIR / "opkval" / "index.js").read_text("utf-8")
    n = len(rows)
    return f"""<!DOCTYPE html>
<html lang="da">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Opkvalificeringspuljen – alle kommuner</title>
<style>
{css}
main.note {{ max-width: 72rem; }}
#filter {{ font: inherit; padding: 0.3rem 0.5rem; width: 20rem; max-width: 100%;
  box-sizing: border-box; }}
</style>
</head>
<body>
<main class="note">
<header class="title">
<p class="kicker">Oversigt · rapportår {nctx["report_year"]}</p>
<h1>Opkvalificeringspuljen – alle {fmt.number(n)} kommuner</h1>
<p class="meta">{overview}</p>
{generated_line(nctx)}
</header>
<p><label for="filter">Søg (kommune, region, gruppe, status):</label><br>
<input id="filter" type="search" placeholder="fx Ishøj eller brud" autocomplete="off"
 aria-describedby="count"></p>
<p id="count" class="small" role="status">{fmt.number(n)} af {fmt.number(n)} kommuner vises.</p>
<p class="small">Vælg en kolonneoverskrift (klik, eller Tab og Enter) for at sortere; vælg den
igen for at vende rækkefølgen. Tilskud: tilsagn, fremskrevet eller skøn som i kommunens
notat{_lift_note(nctx)}.{_data_note(out_dir)}</p>
<div class="table-scroll tall" role="region" aria-labelledby="kommuner-caption" tabindex="0">
<table id="kommuner" class="sortable">
<caption id="kommuner-caption">Alle kommuner: tilskud, lokal plan og pædagogandel</caption>
<thead><tr>{head}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</div>
</main>
<script>
{script}</script>
</body>
</html>
"""


def render_overview(nctx: dict, out_dir: Path, formats: tuple[str, ...], renderer):
    """The landsoversigt notebook → HTML, PDF, JSON (with the caller's warm renderer), then
    the 98 as data (xlsx and csv) from the same context: written only when the overview was,
    so the files change together (``reports/manifest.json`` records all of them)."""
    from opkval.publish.export import write_exports
    from opkval.publish.render import ensure_notebook

    files = renderer.render_notebook(nctx, out_dir, formats, slug="landsoversigt",
                                     title="Opkvalificeringspuljen – landsoversigt",
                                     parameters={"report_year": int(nctx["report_year"])},
                                     notebook=ensure_notebook(OVERVIEW_NOTEBOOK))
    write_exports(nctx, out_dir)
    return files


def write_index(nctx: NationalContext, out_dir: Path, formats: tuple[str, ...]) -> None:
    from opkval.base.fileio import atomic_write_bytes

    atomic_write_bytes(out_dir / "index.html",
                        index_html(nctx, out_dir, formats).encode("utf-8"))
