"""All 98 kommuner as data: ``reports/landsoversigt.xlsx`` and ``reports/landsoversigt.csv``.

One row per kommune, from the landsoversigt's context
(:func:`opkval.assembly.national.national_context`), so the files hold the same figures as the
overview and the index.

* The **xlsx** is for people (Excel, LibreOffice): Danish headers, every number stored as a
  number with a Danish number format (``1.304.000 kr.``, ``43,5 %`` shown in Danish Excel; a
  percentage is stored as the fraction, 0,435, as Excel stores a "43,5 %" cell), a frozen
  header row with filters, and a second sheet that explains every column with its source and
  data vintage.
* The **csv** is for programs: RFC 4180 (comma separator, CRLF line ends), UTF-8 without BOM,
  decimal point, ASCII column names (the second sheet lists them), percentages in percent as
  in ``data/raw`` (43.5), booleans ``true``/``false``, an empty field where there is no value.
  Danish Excel reads a comma-separated file with decimal points wrongly (one column, or
  ``43.5`` as a date), so Excel users open the xlsx; the README says so.

:data:`COLUMNS` is the one list of columns both files and the explanation sheet are made from.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from opkval.base import fmt
from opkval.base.domain import STATUS_DA
from opkval.base.fileio import atomic_write_bytes

XLSX, CSV = "landsoversigt.xlsx", "landsoversigt.csv"

#: Danish number formats by kind of column (Excel format codes are written in the file's
#: neutral notation; Danish Excel and LibreOffice show "." for thousands and "," for decimals).
FORMATS = {"code": "0", "int": "#,##0", "kr": '#,##0 "kr."', "pct": "0.0 %", "pp": "0.0",
           "persons": "#,##0", "per1000": "0.0", "text": "@", "bool": "@"}
WIDTHS = {"code": 12, "int": 11, "kr": 15, "pct": 11, "pp": 11, "persons": 11, "per1000": 11,
          "text": 16, "bool": 10}


@dataclass(frozen=True)
class Column:
    header: str  # the xlsx header (Danish)
    name: str  # the csv header (ASCII)
    kind: str  # a key of FORMATS
    get: Callable[[dict], object]
    what: str  # what the column holds
    source: str
    vintage: str


SRC_KOMMUNER = "Danmarks Statistik (kommunekoder, regioner, kommunegrupper), municipalities.csv"
SRC_BOERN1 = "Danmarks Statistik, BOERN1 (stillingskategori), dagtilbud_kommune_stats.csv"
SRC_STAFF = ("Beregnet af opkval: indskrevne børn (DST BOERN2) ÷ normering (Børne- og "
             "Undervisningsministeriet) pr. pasningstilbud")
SRC_GRANT = ("Kommunens notat: kommunens tilsagnsbrev, et offentliggjort tilsagn, fremskrivning "
             "eller skøn efter fordelingsnøglen (opkval/config/pulje.yaml, known_allocations.csv)")
SRC_PLAN = "Kommunens lokale plan i opkval (data/plans) og opkvals regeltjek"


def _round(rid: int, key: str) -> Callable[[dict], object]:
    def get(row: dict) -> object:
        g = next((x for x in row.get("runder", []) if x["id"] == rid), None)
        if g is None:
            return None
        if key == "grundlag":
            return "/".join(g["grundlag"])
        if key in ("lav", "hoej"):
            # The note's range (issue 19's skoen_interval_kr); else its two estimates (the
            # key and the kommune's earlier share), as the note shows them today.
            iv = g.get("skoen_interval_kr") or (
                sorted([g["beloeb_kr"], g["alternativ_kr"]])
                if g.get("alternativ_kr") is not None and g["grundlag"] != ["tilsagn"] else None)
            return int(iv[0 if key == "lav" else 1]) if iv else None
        return int(g["beloeb_kr"])
    return get


def _rule(rid: str) -> Callable[[dict], object]:
    def get(row: dict) -> object:
        s = (row.get("regler_status") or {}).get(rid)
        return STATUS_DA.get(s) if s else None
    return get


def _covers(rid: int) -> Callable[[dict], object]:
    def get(row: dict) -> object:
        return (rid in row.get("plan_runder", [])) if row.get("har_plan") else None
    return get


def _risk(i: int) -> Callable[[dict], object]:
    def get(row: dict) -> object:
        if not row.get("har_plan"):
            return None
        iv = row.get("risiko_interval_kr") or [row.get("tilbagebetalingsrisiko_kr", 0)] * 2
        return int(sorted(iv)[i])
    return get


def columns(nctx: dict) -> list[Column]:
    """The columns, in order, for this overview's rounds, rules and targets."""
    vintage_boern = "2024 (hentet 1. april 2026)"
    norm_year = nctx["normering_aar"]
    cols = [
        Column("Kommunekode", "kommunekode", "code", lambda r: int(r["kode"]),
               "Kommunens kode", SRC_KOMMUNER, "klassifikation 2018"),
        Column("Kommune", "kommune", "text", lambda r: r["navn"], "Kommunens navn",
               SRC_KOMMUNER, "klassifikation 2018"),
        Column("Region", "region", "text", lambda r: r["region"], "Regionen", SRC_KOMMUNER,
               "klassifikation 2018"),
        Column("Kommunegruppe", "kommunegruppe", "text", lambda r: r["kommunegruppe"],
               "Danmarks Statistiks kommunegruppe", SRC_KOMMUNER, "klassifikation 2018"),
    ]
    for rnd in nctx["runder"]:
        span, rid = _span(rnd["aar"]), rnd["id"]
        cols += [
            Column(f"Tilskud {span} (kr.)", f"runde{rid}_tilskud_kr", "kr", _round(rid, "beloeb"),
                   f"{rnd['navn']}: kommunens tilskud for {span} i alt, som i kommunens notat"
                   + _lift(nctx, rnd), SRC_GRANT, f"puljen {span}; nøgle: 0-5-årige 2021"),
            Column(f"Grundlag {span}", f"runde{rid}_grundlag", "text", _round(rid, "grundlag"),
                   "Hvad beløbet hviler på: tilsagn, fremskrevet eller skøn (flere: skråstreg)",
                   SRC_GRANT, f"puljen {span}"),
            Column(f"Skøn lav {span} (kr.)", f"runde{rid}_skoen_lav_kr", "kr",
                   _round(rid, "lav"),
                   "Skønnets nedre ende, hvor kommunens notat giver et spænd (ellers de to skøn, "
                   "notatet viser: nøglen og kommunens tidligere andel; tomt: tilsagn, eller "
                   "intet spænd)", SRC_GRANT, f"puljen {span}"),
            Column(f"Skøn høj {span} (kr.)", f"runde{rid}_skoen_hoej_kr", "kr",
                   _round(rid, "hoej"), "Skønnets øvre ende (som ovenfor)", SRC_GRANT,
                   f"puljen {span}"),
        ]
    plan_round = next(r for r in nctx["runder"] if "lokal_plan" in r["roller"])
    cols += [
        Column("Lokal plan registreret", "har_plan", "bool", lambda r: bool(r.get("har_plan")),
               "Om kommunens lokale plan er registreret i opkval", SRC_PLAN,
               "planens egen dato"),
        Column(f"Plan for {plan_round['kort'].lower()}", f"plan_runde{plan_round['id']}",
               "bool", _covers(plan_round["id"]),
               f"Om den registrerede plan er skrevet til {plan_round['kort'].lower()} (betingelsen "
               "for udbetalingen); en plan fra før rundens vilkår dækker den ikke (tomt: ingen "
               "plan)", SRC_PLAN, "planens egen dato"),
        Column("Samlet regelstatus", "regelstatus", "text",
               lambda r: STATUS_DA.get(r["regelstatus"]) if r.get("regelstatus") else None,
               "Planens værste status over puljens regler (tomt: ingen plan)", SRC_PLAN,
               "opkvals regler (opkval/config/regler.yaml)"),
    ]
    cols += [Column(f"Regel: {x['navn']}", f"regel_{x['id']}", "text", _rule(x["id"]),
                    f"Status for reglen »{x['navn']}« (tomt: ingen plan)", SRC_PLAN,
                    "opkvals regler (opkval/config/regler.yaml)") for x in nctx["regler"]]
    cols += [
        Column("Risiko for tilbagebetaling, lav (kr.)", "risiko_lav_kr", "kr", _risk(0),
               "Midler, planen ikke bruger inden fristen, ved det laveste skøn (tomt: ingen "
               "plan)", SRC_PLAN, "planens egen dato"),
        Column("Risiko for tilbagebetaling, høj (kr.)", "risiko_hoej_kr", "kr", _risk(1),
               "Som ovenfor, ved det højeste skøn", SRC_PLAN, "planens egen dato"),
        Column("Børn 0-5 år", "boern_0_5", "int", lambda r: int(r["boern_0_5"]),
               "Børn i alderen 0-5 år (fordelingsnøglen)",
               "Danmarks Statistik, FOLK1A, population_0_5_2021.csv", "1. januar 2021"),
        Column("Indskrevne børn i dagtilbud", "boern_indskrevet", "int",
               lambda r: int(r["boern_indskrevet"]),
               "Indskrevne børn 0-5 år i kommunal dagpleje og daginstitution",
               "Danmarks Statistik, BOERN2, dagtilbud_kommune_stats.csv", vintage_boern),
        Column("Pædagogisk personale (skøn)", "personale_skoen", "persons",
               lambda r: r["personale"],
               "Skønnet pædagogisk personale i personer: indskrevne børn ÷ normeringen "
               "pr. pasningstilbud (et skøn)", SRC_STAFF, f"børn 2024, normering {norm_year}"),
        Column("Andel ansat som pædagog", "pct_paedagoger", "pct",
               lambda r: r["pct_paedagoger"],
               "Andel af det pædagogiske personale (dagplejere medregnet) ansat som pædagog",
               SRC_BOERN1, vintage_boern),
        Column("Andel med pædagoguddannelse", "pct_paedagoguddannede", "pct",
               lambda r: r["pct_paedagoguddannede"],
               "Andel af det pædagogiske personale med en pædagoguddannelse (uanset stilling)",
               "Danmarks Statistik, dagtilbud_kommune_stats.csv", vintage_boern),
        Column("Andel ansat som pædagogmedhjælper", "pct_paedagogmedhjaelpere", "pct",
               lambda r: r["pct_paedagogmedhjaelpere"],
               "Andel af det pædagogiske personale ansat som pædagogmedhjælper", SRC_BOERN1,
               vintage_boern),
        Column("Pædagoger (skøn)", "paedagoger_skoen", "persons",
               lambda r: r["personale"] * r["pct_paedagoger"] / 100,
               "Skønnet antal ansat som pædagog: personale × andel ansat som pædagog",
               SRC_STAFF, f"børn 2024, normering {norm_year}"),
    ]
    for tid in ("to_tredjedele", "bupl_80"):
        t = nctx["maal"].get(tid)
        if not t:
            continue
        goal = fmt.pct_value(t["andel_paedagoger_pct"]).replace(fmt.NBSP, " ")
        cols += [
            Column(f"Afstand til {goal} (procentpoint)", f"afstand_pp_{tid}", "pp",
                   lambda r, tid=tid: r[f"gap_pp_{tid}"],
                   f"Mål ({t['navn']}) minus andelen ansat som pædagog; negativ: over målet",
                   "Beregnet af opkval (opkval/config/maal.yaml, med målets kilde)",
                   vintage_boern),
            Column(f"Afstand til {goal} (personer)", f"afstand_personer_{tid}", "persons",
                   lambda r, tid=tid: r[f"gap_personer_{tid}"],
                   "Flere ansat som pædagog, der skal til ved uændret personale (et skøn)",
                   SRC_STAFF, f"børn 2024, normering {norm_year}"),
            Column(f"Afstand til {goal} pr. 1.000 børn", f"afstand_pr_1000_boern_{tid}",
                   "per1000", lambda r, tid=tid: r.get(f"gap_pr_1000_boern_{tid}"),
                   "Afstanden i personer pr. 1.000 indskrevne børn (sammenlignelig på tværs af "
                   "kommunestørrelse)", SRC_STAFF, f"børn 2024, normering {norm_year}"),
        ]
    return cols


def _span(years) -> str:
    years = sorted(int(y) for y in years)
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}-{years[-1]}"


def _lift(nctx: dict, rnd: dict) -> str:
    e = nctx["pulje"]["engangsloeft"]
    if e["beloeb_kr"] is None and e["aar"] in rnd["aar"]:
        return f", uden engangsløftet i {e['aar']} (størrelsen er ukendt)"
    return ""


def _rows(nctx: dict) -> list[dict]:
    return sorted(nctx["kommuner"], key=lambda r: int(r["kode"]))


def _xlsx_value(kind: str, v: object) -> object:
    if v is None:
        return None
    if kind == "pct":
        return float(fmt.exact(v) / 100)  # 43.5 → 0.435, as Excel stores "43,5 %"
    if kind == "bool":
        return "ja" if v else "nej"
    return v


def _csv_value(kind: str, v: object) -> str:
    if v is None:
        return ""
    if kind == "bool":
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(round(v, 6))
    return str(v)


def xlsx_bytes(nctx: dict) -> bytes:
    """The workbook: sheet "Kommuner" (one row per kommune) and "Kolonner" (each column)."""
    import datetime as dt

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    cols = columns(nctx)
    rows = _rows(nctx)
    wb = Workbook()
    ws = wb.active
    ws.title = "Kommuner"
    ws.append([c.header for c in cols])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r in rows:
        ws.append([_xlsx_value(c.kind, c.get(r)) for c in cols])
    for j, c in enumerate(cols, start=1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = WIDTHS[c.kind] if c.kind != "text" else max(
            12, min(28, max(len(str(c.get(r) or "")) for r in rows) + 2))
        for i in range(2, len(rows) + 2):
            ws.cell(row=i, column=j).number_format = FORMATS[c.kind]
    ws.row_dimensions[1].height = 45
    ws.freeze_panes = "C2"  # the header row and the kommune's code and name stay in view
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(rows) + 1}"

    about = wb.create_sheet("Kolonner")
    about.append(["Kolonne", "Navn i CSV-filen", "Forklaring", "Kilde", "Datagrundlag"])
    for cell in about[1]:
        cell.font = Font(bold=True)
    for c in cols:
        about.append([c.header, c.name, c.what, c.source, c.vintage])
    about.append([])
    m = nctx["manifest"]
    about.append(["Dannet", fmt.datetime(nctx["generated_at"])])
    about.append(["Rapportår", nctx["report_year"]])
    about.append(["opkval", f"{m['opkval']}, commit {m['git']['commit'][:12]}"])
    about.append(["Inputfiler (SHA-256)", "; ".join(f"{p.split('/')[-1]} {h[:12]}"
                                                    for p, h in m["inputs"].items())])
    about.append(["Bemærk", "Personale, pædagoger og afstande i personer er skøn. Tilskud "
                  "mærket skøn er opkvals skøn, ikke kommunens tilsagn. Samme rækker findes i "
                  "landsoversigt.csv til programmer."])
    for letter, width in zip("ABCDE", (34, 30, 70, 60, 28), strict=True):
        about.column_dimensions[letter].width = width
    for row in about.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    about.freeze_panes = "A2"

    from openpyxl.writer.excel import ExcelWriter

    from opkval.assembly.context import made_at
    from opkval.base.fileio import DatedZipFile

    when = made_at(nctx["generated_at"]) or dt.datetime.now(dt.UTC)
    wb.properties.title = "Opkvalificeringspuljen – alle kommuner"
    wb.properties.creator = "opkval"
    wb.properties.language = "da-DK"
    # openpyxl writes these as UTC ("Z") and takes them naive.
    wb.properties.created = wb.properties.modified = when.astimezone(dt.UTC).replace(
        tzinfo=None)
    # openpyxl's own save stamps the file with the time of saving (its properties and every
    # entry): its writer into a dated zip instead, so one build gives the same bytes twice.

    buf = io.BytesIO()
    ExcelWriter(wb, DatedZipFile(buf, when)).save()  # save() closes the zip
    return buf.getvalue()


def csv_bytes(nctx: dict) -> bytes:
    """The same rows for programs: RFC 4180, UTF-8 without BOM, decimal point."""
    cols = columns(nctx)
    buf = io.StringIO(newline="")
    w = csv.writer(buf)  # comma, minimal quoting, CRLF
    w.writerow([c.name for c in cols])
    for r in _rows(nctx):
        w.writerow([_csv_value(c.kind, c.get(r)) for c in cols])
    return buf.getvalue().encode("utf-8")


def write_exports(nctx: dict, out_dir: Path) -> list[Path]:
    """Write both files atomically (each is either the old or the new file, never half)."""
    out = []
    for name, data in ((XLSX, xlsx_bytes(nctx)), (CSV, csv_bytes(nctx))):
        atomic_write_bytes(Path(out_dir) / name, data)
        out.append(Path(out_dir) / name)
    return out
