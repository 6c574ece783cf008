"""The note's sections as document blocks (:mod:`opkval.base.doc`), in Danish, from a context dict.

Every section function takes the context (``opkval.assembly.context``) and returns a
:class:`opkval.base.doc.Section` (a heading first), which Jupyter displays as HTML plus the block's
JSON; the renderer writes HTML, Word and PDF from those blocks. Text is plain text (each writer
escapes it for its format); all numbers go through ``opkval.base.fmt``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from opkval.base import doc, fmt, html_writer
from opkval.base.doc import Run, b
from opkval.base.domain import ROLE_AKTIVITETSVINDUE, ROLE_LOKAL_PLAN, STATUS_DA
from opkval.engine import wording

LABEL_DA = {"tilsagn": "Tilsagn", "fremskrevet": "Fremskrevet", "skøn": "Skøn"}
LABEL_BREV_DA = "Tilsagn (kommunens tilsagnsbrev)"
#: The order in which a year's amount is chosen (opkval.engine.allocation), stated in every note.
PRECEDENCE_DA = ("kommunens eget tilsagnsbrev (angivet i planen), et offentliggjort tilsagn i "
                 "opkvals data, fremskrivning efter kommunens seneste kendte andel af puljen, "
                 "skøn efter fordelingsnøglen")


def grant_label(g: dict) -> str:
    """A grant row's origin in Danish: 'Tilsagn (kommunens tilsagnsbrev)', 'Tilsagn', ..."""
    return LABEL_BREV_DA if g.get("grundlag") == "tilsagnsbrev" else LABEL_DA[g["label"]]


def grant_note(g: dict) -> str:
    """A grant row's origin spelled out, for the notes under the grant table."""
    if g.get("grundlag") == "tilsagnsbrev":
        return g["forklaring"]
    return f"{LABEL_DA[g['label']]}: {g['forklaring']}"


def show(*parts: object) -> None:
    """Display the parts of a document in order (in Jupyter), its blocks as one output,
    skipping absent ones (None); a list or tuple shows each of its parts.

    One notebook cell per document, one output per cell (:class:`opkval.base.doc.Shown`):
    each cell is a round trip to the kernel and each output a message, and a cell per table or
    chart cost about a quarter of a second per note.
    """
    from IPython.display import display

    shown: list = []
    for part in doc.sequence(*parts):
        if isinstance(part, doc.BLOCK_CLASSES):
            shown.append(part)
            continue
        # Not a document block (a table of data, an HTML string): shown on its own, as
        # Jupyter shows it; the renderer refuses a note with such output (its PDF and Word
        # would miss it) instead of losing the blocks around it.
        if shown:
            display(doc.Shown(shown))
            shown = []
        display(part)
    if shown:
        display(doc.Shown(shown))


def section(heading: str, *children: object, role: str = "", level: int = 2) -> doc.Section:
    """A section: its heading, then its blocks (None left out, lists flattened)."""
    return doc.Section([doc.Heading(level, heading), *doc.sequence(*children)], role=role)


def _kommune(ctx: dict) -> str:
    from opkval.inputs.kommune import official_name

    return ctx["kommune"].get("officielt_navn") or official_name(ctx["kommune"]["navn"])


#: Header fields in the order a Danish bilag shows them, with their Danish labels.
HEADER_FIELDS = (("udvalg", "Udvalg"), ("moede", "Møde"), ("sagsnr", "Sagsnr."),
                 ("afsender", "Afsender"), ("kontakt", "Kontakt"))


def header_fields(ctx: dict) -> list[tuple[str, str]]:
    """The header fields the plan gives, as (label, text); absent fields are left out."""
    n = ctx.get("notat") or {}
    out = []
    for key, label in HEADER_FIELDS:
        value = n.get(key)
        if value:
            out.append((label, fmt.date(value) if key == "moede" else str(value)))
    return out


def bilag_label(ctx: dict) -> str:
    """'Bilag 2' when the plan gives a bilag number, else ''."""
    b_nr = (ctx.get("notat") or {}).get("bilag_nr")
    return f"Bilag {b_nr}" if b_nr else ""


#: Width in pixels an SVG logo is drawn at where a writer needs pixels (Word): 3 cm at 300 dpi.
SVG_LOGO_PX = 354
LOGO_WIDTH_CM = 3.0


def logo_png(logo: dict) -> bytes:
    """The kommune's logo as PNG: a PNG as it is, an SVG drawn by resvg (a wheel from PyPI, no
    system libraries); b"" for an SVG that cannot be drawn."""
    import base64

    data = base64.b64decode(logo["data"])
    if logo["mime"] == "image/png":
        return data
    import resvg_py

    try:
        return bytes(resvg_py.svg_to_bytes(svg_string=data.decode("utf-8"), width=SVG_LOGO_PX))
    except (ValueError, UnicodeDecodeError):
        return b""


def logo_figure(ctx: dict) -> doc.Figure | None:
    """The kommune's logo (role "logo"): its SVG where it is one, and PNG for every writer."""
    import base64

    logo = (ctx.get("notat") or {}).get("logo")
    if not logo:
        return None
    svg = ""
    if logo["mime"] != "image/png":
        try:
            svg = base64.b64decode(logo["data"]).decode("utf-8")
        except UnicodeDecodeError:
            svg = ""
    return doc.Figure(alt=f"Logo: {_kommune(ctx)}", png=logo_png(logo), svg=svg, role="logo",
                      width_cm=LOGO_WIDTH_CM)


def header(ctx: dict) -> list:
    """The logo and the header fields for the title block (empty when the plan gives none)."""
    fields = header_fields(ctx)
    return doc.sequence(logo_figure(ctx), doc.KeyValue(fields) if fields else None)


def kicker(ctx: dict) -> str:
    """'Bilag 2 · Scenarie · Orientering · rapportår 2026' (the parts that apply)."""
    return " · ".join(x for x in (bilag_label(ctx), "Scenarie" if ctx.get("scenarie") else "",
                                  f"Orientering · rapportår {ctx['report_year']}") if x)


def document_title(ctx: dict, kind: str = "bilag") -> str:
    """The title of a kommune's bilag (its heading 1), or of its analysis (``kind``
    "analyse"), as the files' metadata and the browser's tab give it."""
    # The analysis carries the name the bilag and the agenda item give it under Bilag.
    if kind == "analyse":
        return f"Analyse af opkvalificeringspuljen – {_kommune(ctx)}"
    return f"Orientering om opkvalificeringspuljen – {_kommune(ctx)}"


def document_header(ctx: dict, kind: str = "bilag") -> tuple[str, ...]:
    """The running header of a kommune's document: the kommune with the bilag label (or
    "Analyse") and "Scenarie". The plan's header fields (udvalg, møde, sagsnr. …) stand once,
    in the title block, where a notat has them and a screen reader reads them (a running
    header is page furniture): not again in the running header."""
    first = [_kommune(ctx), bilag_label(ctx) if kind != "analyse" else "Analyse",
             "Scenarie" if ctx.get("scenarie") else ""]
    return (" · ".join(x for x in first if x),)


def title(ctx: dict, kind: str = "bilag") -> doc.Section:
    """The title block; ``kind`` "analyse" gives the analysis's own title and kicker."""
    k = ctx["kommune"]
    scenario = None
    if ctx.get("scenarie"):
        scenario = doc.Paragraph("Scenarie – ikke kommunens plan, som den står: "
                                 f"{'; '.join(ctx['scenarie'])}.", role="scenario")
    if kind == "analyse":
        # The analysis is its own document, not the bilag: no bilag number in its kicker, and
        # as in the bilag, the logo beside kicker and title, the header fields under them.
        fields = header_fields(ctx)
        return doc.Section(doc.sequence(
            logo_figure(ctx),
            doc.Paragraph(" · ".join(x for x in (
                "Scenarie" if ctx.get("scenarie") else "",
                f"Analyse · rapportår {ctx['report_year']}") if x), role="kicker"),
            doc.Heading(1, document_title(ctx, kind)),
            doc.KeyValue(fields) if fields else None,
            doc.Paragraph(f"{k['region']} · {k['kommunegruppe']} · kommunekode {k['kode']:03d}",
                          role="meta"),
            scenario,
            doc.Paragraph(generated_text(ctx), role="generated")), role="title")
    return doc.Section([
        *header(ctx),
        doc.Paragraph(kicker(ctx), role="kicker"),
        doc.Heading(1, document_title(ctx, kind)),
        doc.Paragraph(f"{k['region']} · {k['kommunegruppe']} · kommunekode {k['kode']:03d}",
                      role="meta"),
        scenario,
        # The only line that differs between two builds of the same inputs (unless
        # SOURCE_DATE_EPOCH fixes generated_at).
        doc.Paragraph(generated_text(ctx), role="generated"),
    ], role="title")


def status_run(status: str) -> Run:
    """A rule status (``ok``/``advarsel``/``brud``/...) as the coloured Danish word."""
    return Run(STATUS_DA[status], status=status)


def grant_run(g: dict) -> Run:
    """A grant row's origin as its label chip ('Tilsagn', 'Fremskrevet', 'Skøn', ...)."""
    return Run(grant_label(g), label=g["label"])


def generated_text(ctx: Mapping[str, Any]) -> str:
    return f"Dannet {fmt.datetime(ctx['generated_at'])}"


def _span(years) -> str:
    """``[2023, ..., 2030]`` → ``'2023–2030'``; one year → ``'2023'``; none → ``''``."""
    years = sorted(int(y) for y in years)
    if not years:
        return ""
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"


def _years_by_text(pairs) -> list[tuple[str, list[int]]]:
    """(text, year) pairs → each distinct text with its years, in first-seen order."""
    grouped: dict[str, list[int]] = {}
    for text, year in pairs:
        grouped.setdefault(text, []).append(year)
    return list(grouped.items())


def round_with_role(ctx: dict, role: str) -> dict:
    """The round of ``ctx["runder"]`` that pulje.yaml gives ``role`` (never by position)."""
    return next(r for r in ctx["runder"] if role in r["roller"])


def _paid(r: dict) -> str:
    """How a round is paid: 'år for år' or 'samlet i 2026'."""
    return "år for år" if r["udbetaling"] == "aarlig" else f"samlet i {r['udbetalingsaar']}"


def round_estimate(r: dict) -> str:
    """A round's amount in prose: exact when published, else rounded, with the range."""
    if r["labels"] == ["tilsagn"]:
        return fmt.kr(r["beloeb_kr"])
    if r.get("skoen_interval_kr"):  # issue 19: the key's record beside every estimate
        return wording.interval_text(r["skoen_interval_kr"])
    if r.get("alternativ_kr") is not None:
        lo, hi = sorted((r["beloeb_kr"], r["alternativ_kr"]))
        return fmt.approx_kr_range(lo, hi)
    return fmt.approx_kr(r["beloeb_kr"])


def payment_sentence(r: dict) -> str:
    """How a round is paid, as config words it (with "antaget" where no source gives it)."""
    # issue 19: a round paid in one sum "udmøntes" (seed 002); "udbetales" for yearly payments
    verb = "udmøntes" if r["udbetaling"] == "samlet" else "udbetales"
    text = r.get("udbetaling_tekst") or f"{verb} {_paid(r)}"
    if r.get("udbetaling_antaget") and "antaget" not in text:
        text += " (antaget)"
    return text


def _without_lift(ctx: dict, years) -> str:
    """' (uden engangsløftet i 2026, ...)' when the unknown one-off lift falls in ``years``."""
    e = ctx["pulje"]["engangsloeft"]
    if e["beloeb_kr"] is not None or e["aar"] not in years:
        return ""
    return f" (uden engangsløftet i {e['aar']}, hvis størrelse ikke er kendt)"


def _round_sentence(ctx: dict, r: dict) -> tuple[Run, ...]:
    """One round's grant in a sentence of Kort fortalt, by how the amount is known.

    A published tilsagn is exact; an estimate says it is one, is rounded in prose, names its
    basis (key, data date, the ministry's key), and shows the second estimate where there
    is one (round 1's share carried forward).
    """
    k, y = _kommune(ctx), _span(r["aar"])
    lift = _without_lift(ctx, r["aar"])
    lift += "." if lift else ""  # the amount ends in "kr.": no second full stop
    if r["labels"] == ["tilsagn"]:
        return doc.runs(f"{k} har fået tilsagn om i alt ", b(fmt.kr(r["beloeb_kr"])),
                        f" for {y} ({r['navn'].lower()}). Udbetaling: {payment_sentence(r)}.")
    basis = (f"Skønnet er efter {ctx['noegle']['navn']} pr. "
             f"{fmt.date(ctx['noegle']['vintage'])}, de nyeste kommunetal i opkvals data; "
             "ministeriet fordeler efter "
             + (r.get("noegle_tekst") or "det forventede antal 0-5-årige") + ".")
    if "fremskrevet" in r["labels"]:
        # The share comes from a tilsagn: a published one or the kommune's own letter.
        basis = ("Skønnet fører kommunens andel af puljen efter dens seneste tilsagn videre; "
                 "ministeriet kan fordele anderledes.")
    amount = b(fmt.approx_kr(r["beloeb_kr"]))
    if r["udbetaling"] == "samlet":
        cond = f" på betingelse af en {r['betingelse']}" if r["betingelse"] else ""
        text = doc.runs(f"Midlerne for {y} udmøntes {_paid(r)}{cond}; det svarer til et skøn "
                        "på ", amount, f"{lift} {basis}")
    elif "tilsagn" in r["labels"]:  # some years known (e.g. the kommune's letter), some not
        known = _span(g["aar"] for g in ctx["grants"]
                      if g["runde"] == r["id"] and g["label"] == "tilsagn")
        text = doc.runs(f"{k} kan for {y} ({r['navn'].lower()}) forvente ", amount,
                        f"{lift} Beløbet bygger på kommunens tilsagn for {known}; resten er et "
                        f"skøn. {basis}")
    else:
        text = doc.runs(f"{k} kan for {y} ({r['navn'].lower()}) forvente ", amount,
                        f"{lift} Beløbet er et skøn, fordi opkval ikke kender kommunens "
                        f"tilsagn. {basis}")
    if r.get("alternativ_kr") is not None:
        first = round_with_role(ctx, ROLE_AKTIVITETSVINDUE)["kort"].lower()
        text += doc.runs(f" Fører man i stedet kommunens andel fra {first} videre, bliver det "
                         f"{fmt.approx_kr(r['alternativ_kr'])}; notatet regner med begge.")
    if r.get("skoen_interval_kr"):
        text += doc.runs(" " + wording.range_sentence(r))
    return text


def summary(ctx: dict) -> doc.Section:
    """The grant in two or three sentences, with the key check when it disagrees."""
    parts = [doc.Paragraph(_round_sentence(ctx, r)) for r in ctx["runder"]]
    for e in ctx["backtest"].get("evidens") or []:
        if e["kommunekode"] == ctx["kommune"]["kode"]:
            parts.append(doc.Paragraph(
                f"{_kommune(ctx)} har oplyst at have modtaget ",
                b(fmt.kr(e["offentliggjort_kr"])),
                f" i {e['aar']} ({e['kilde']}); nøglen giver {fmt.kr(e['skoen_kr'])} for "
                f"{e['periode'].replace('-', '–')} tilsammen "
                f"({fmt.pct_value(e['forskel_pct'])} forskel)"
                + (", inden for kontrollens tolerance." if e["inden_for_tolerance"] else
                   "; skønnet afviger mere end kontrollens tolerance.")))
    kc = ctx.get("key_check")
    if kc and not kc["forklarer"]:
        parts.append(doc.Paragraph(
            f"Fordelingsnøglen ({ctx['noegle']['navn']}) forklarer ikke det "
            f"offentliggjorte beløb: tilsagnet er {fmt.pct(kc['forhold'], 0)} af nøglens "
            f"skøn ({fmt.kr(kc['offentliggjort_kr'])} mod "
            f"{fmt.kr(kc['skoen_kr'])} for {_span(kc['aar'])}). Notatet viser begge tal."))
    return section("Kort fortalt", parts, role="summary")


def pool_amounts_text(beloeb_kr: dict) -> str:
    """The pool per year in words: '107,0 mio. kr. i 2023 og 195,9 mio. kr. årligt i 2024–2030'.

    Consecutive years with the same amount are one run ("årligt i" a span of years).
    """
    runs: list[list] = []  # [amount, [years]]
    for year, amount in sorted((int(y), a) for y, a in beloeb_kr.items()):
        if runs and runs[-1][0] == amount and runs[-1][1][-1] == year - 1:
            runs[-1][1].append(year)
        else:
            runs.append([amount, [year]])
    return fmt.and_list([f"{fmt.mio_kr(a)} {'årligt ' if len(ys) > 1 else ''}i {_span(ys)}"
                         for a, ys in runs])


def _round_rules_sentence(r: dict) -> tuple[Run, ...]:
    """'**Første tildelingsrunde** (2023–2025): udbetales år for år og kan bruges ...'."""
    clauses = [payment_sentence(r) + (f" ({r['udbetaling_kilde']})"
                                      if r.get("udbetaling_kilde") and r["udbetaling"] != "samlet"
                                      else "")]
    if r["aktivitet_start_fra"] and r["aktivitet_start_til"]:
        clauses.append(
            "kan bruges til aktiviteter, der sættes i gang i perioden "
            f"{fmt.date(r['aktivitet_start_fra'])} til "
            f"{fmt.date(r['aktivitet_start_til'])}; længere uddannelsesforløb skal være "
            f"afsluttet senest {fmt.date(r['afsluttet_senest'])}")
    if r["betingelse"]:
        clauses.append(f"forudsætter en {r['betingelse']}")
    text = f" ({_span(r['aar'])}): " + " og ".join(clauses) + "."
    if r.get("frist_antaget"):
        text += (f" Ingen kilde giver en frist for at bruge {r['kort'].lower()}s midler; "
                 f"notatet antager {fmt.date(r['afsluttet_senest'])} (puljens sidste dag).")
    return doc.runs(b(r["navn"]), text)


def background(ctx: dict) -> doc.Section:
    regler = ctx["regler"]
    rounds: list[Run] = []
    for n, r in enumerate(ctx["runder"]):
        rounds.extend(doc.runs(" " if n else None, _round_rules_sentence(r)))
    return section(
        "Baggrund",
        doc.Paragraph(
            f"{ctx['pulje']['navn']} blev afsat med Aftale om minimumsnormeringer af "
            "5. december 2020 og fastholdt med finansloven for 2023. Der er "
            f"afsat {pool_amounts_text(ctx['pulje']['beloeb_kr'])}. Midlerne fordeles som "
            "direkte statslig tildeling efter kommunens andel af de forventede 0-5-årige børn, "
            "uden ansøgning."),
        doc.Paragraph(
            f"Mindst {fmt.pct(regler['min_formel_andel'], 0)} af midlerne skal gå til "
            "formel uddannelse (pædagogisk assistent (PAU), meritpædagog, moduler på akademi- og "
            f"diplomniveau); højst {fmt.pct(regler['max_uformel_andel'], 0)} kan bruges mere "
            "frit inden for formålet. Midler, der ikke bruges, betales tilbage til statskassen."),
        doc.Paragraph(rounds))


def grant_table(ctx: dict) -> doc.Section:
    rows, foot = [], []
    for g in ctx["grants"]:
        rows.append([
            str(g["aar"]), fmt.mio_kr(g["pulje_kr"]), fmt.kr(g["beloeb_kr"]),
            fmt.pct(g["andel"], 2),
            f"{g['udbetalingsaar']}" + (" (antaget)" if g.get("udbetaling_antaget") else ""),
            grant_run(g),
        ])
    for r in ctx["runder"]:
        foot.append([f"{r['navn']} i alt", fmt.mio_kr(r["pulje_kr"]), fmt.kr(r["beloeb_kr"]),
                     "", str(r["udbetalingsaar"]) if r["udbetaling"] == "samlet" else fmt.and_list(
                         sorted({str(g["udbetalingsaar"]) for g in ctx["grants"]
                                 if g["runde"] == r["id"]})), ""])
    span = _span(ctx["pulje"]["beloeb_kr"])
    foot.append([f"{span} i alt", fmt.mio_kr(sum(r["pulje_kr"] for r in ctx["runder"])),
                 fmt.kr(ctx["grants_total_kr"]), "", "", ""])
    head = ["År", "Puljen i alt", _kommune(ctx), "Andel", "Udbetales", "Grundlag"]
    notes = [f"{text} ({_span(years)})" for text, years in _years_by_text(
        (grant_note(g), g["aar"]) for g in ctx["grants"])]
    notes.append(f"Hvert års beløb er det første, der findes af: {PRECEDENCE_DA}.")
    notes += [[b("Advarsel:"), f" {w}"]  # issue 19: implausible letters
              for w in dict.fromkeys(g["advarsel"] for g in ctx["grants"] if g.get("advarsel"))]
    notes += [f"Alternativt skøn: {text} ({_span(years)})"
              for text, years in _years_by_text(
                  (f"{fmt.kr(g['alternativ_kr'])} pr. år, {g['alternativ_forklaring']}", g["aar"])
                  for g in ctx["grants"] if g.get("alternativ_kr") is not None)]
    for r in ctx["runder"]:
        if r.get("udbetaling_kilde") and r["udbetaling"] != "samlet":
            notes.append(f"Udbetaling, {r['navn'].lower()}: {payment_sentence(r)}. "
                         f"Grundlag: {r['udbetaling_kilde']}.")
    e = ctx["pulje"]["engangsloeft"]
    if e["beloeb_kr"] is None:
        notes.append(f"Beløbene for {e['aar']} er uden engangsløftet.")
    return section(
        f"Tilskud {span}",
        doc.Table(head, rows, numeric=(1, 2, 3, 4), foot=foot, role="grants",
                  caption=f"Tilskud til {_kommune(ctx)} fra opkvalificeringspuljen"),
        doc.BulletList(notes, role="small"))


def key_check(ctx: dict) -> doc.Section:
    """The backtest: this kommune's published amounts against the key, and the 2020 pool."""
    bt = ctx["backtest"]
    parts: list = []
    own = bt["kommune"]
    if own:
        rows = [[b_["pulje"], (b_.get("periode") or str(b_["aar"])).replace("-", "–"),
                 fmt.kr(b_["skoen_kr"]), fmt.kr(b_["offentliggjort_kr"]),
                 fmt.signed_kr(b_["forskel_kr"]), fmt.pct_value(b_["forskel_pct"], 1)]
                for b_ in own]
        parts.append(doc.Table(["Pulje", "År", "Skøn efter nøglen", "Offentliggjort", "Forskel",
                                "Forskel i %"], rows, numeric=(1, 2, 3, 4, 5),
                               caption=f"{_kommune(ctx)}: nøglens skøn mod offentliggjorte "
                                       "beløb"))
        kc = ctx.get("key_check")
        if kc and not kc["forklarer"]:
            parts.append(doc.Paragraph(
                f"For {_kommune(ctx)} forklarer nøglen ikke det offentliggjorte tilsagn: "
                f"tilsagnet er {fmt.pct(kc['forhold'], 0)} af skønnet. Ingen af de kilder, "
                "opkval bygger på, forklarer forskellen. Tilsagnet lægges til grund i notatet; "
                "skønnet vises til sammenligning."))
    else:
        parts.append(doc.Paragraph(wording.no_published_text(ctx, _kommune(ctx))))
    parts.append(doc.Paragraph(backtest_sentence(bt)))
    for e in bt.get("evidens") or []:
        parts.append(doc.Paragraph(wording.evidence_text(e, ctx)))
    rows = [[b_["kommune"], fmt.kr(b_["skoen_kr"]), fmt.kr(b_["offentliggjort_kr"]),
             fmt.signed_kr(b_["forskel_kr"]), fmt.pct_value(b_["forskel_pct"], 1)]
            for b_ in bt["reference"]]
    parts.append(doc.Table(["Kommune", "Skøn", "Offentliggjort", "Forskel", "Forskel i %"], rows,
                           numeric=(1, 2, 3, 4), role="compact",
                           caption=f"Kontrol: {bt['reference_pulje']}"))
    return section("Kontrol af fordelingsnøglen", parts)


def backtest_sentence(bt: dict) -> str:
    """What the backtest measured: error spread and the largest errors, in kroner and %."""
    f = bt["fejl"]
    if not f.get("n"):
        return "opkval kender ingen offentliggjorte beløb at kontrollere nøglen mod."
    big = f["stoerste"][0]
    rel = max(f["stoerste"], key=lambda x: abs(x["forskel_pct"]))
    text = (f"Samme nøgle anvendt på {bt['reference_pulje']} "
            f"({fmt.mio_kr(bt['reference_beloeb_kr'])}, fordelt efter andel af 0-5-årige) "
            f"mod de {fmt.number(f['n'])} offentliggjorte kommunebeløb: den typiske fejl "
            f"(medianen af de absolutte fejl) er {fmt.kr(f['median_abs_kr'])} "
            f"({fmt.pct_value(f['median_abs_pct'])}); den største i kroner er "
            f"{big['kommune']} med {fmt.signed_kr(big['forskel_kr'])} "
            f"({fmt.pct_value(big['forskel_pct'])})")
    if rel["kommune"] != big["kommune"]:
        text += (f", den største i procent {rel['kommune']} med "
                 f"{fmt.pct_value(rel['forskel_pct'])} ({fmt.signed_kr(rel['forskel_kr'])})")
    text += (f". {fmt.number(f['inden_for_afrunding'])} af {fmt.number(f['n'])} ligger inden for "
             f"kildernes afrunding (±{fmt.kr(f['afrunding_kr'])}; beløbene er opgivet i "
             f"hele 0,1 mio. kr.), {fmt.number(f['inden_for_tolerance'])} inden for "
             f"{fmt.kr(bt['tolerance_abs_kr'])} + {fmt.pct(bt['tolerance_rel'], 0)} af "
             "skønnet.")
    outside = wording.backtest_outside_text(bt)
    return text + (f" {outside}" if outside else "")


def assumptions(ctx: dict) -> doc.Section:
    n = ctx["noegle"]
    e = ctx["pulje"]["engangsloeft"]
    plan_round = round_with_role(ctx, ROLE_LOKAL_PLAN)
    tilsagn = _years_by_text((g["kilde"], g["aar"]) for g in ctx["grants"]
                             if g["label"] == "tilsagn")
    items = [
        [b("Fordelingsnøgle:"), f" {n['navn']} ({n['kilde']}). {n['forbehold']}"],
        [b("Tilsagn:"), " " + ("; ".join(f"{_span(years)}: {kilde}" for kilde, years in tilsagn)
                               or "ingen tilsagnsbreve i planen og ingen offentliggjorte "
                                  "tilsagn for kommunen i opkvals data.")],
        [b("Rækkefølge:"), f" hvert års beløb er det første, der findes af: {PRECEDENCE_DA}. "
         "Kommunens tilsagnsbrev går forud for alle andre tal for de år, det dækker."],
        [b(f"{plan_round['kort']}:"),
         f" ministeriet fordeler {_span(plan_round['aar'])} efter andelen af forventede "
         f"0-5-årige i {plan_round['udbetalingsaar']} (Vejledning til lokal plan); opkval "
         "skønner med nøglen og de nyeste kommunetal, det har. Hvor kommunen har et tilsagn fra "
         "en tidligere runde, vises også kommunens andel fra den ført videre, og risikoen som "
         "spændet mellem de to."],
        [b("Frister:"), " " + "; ".join(
            f"{r['navn']}: {fmt.date(r['afsluttet_senest'])}"
            + (" (antaget; ingen kilde)" if r.get("frist_antaget") else "")
            for r in ctx["runder"]) + "."],
        [b("Spænd ved skøn:"), f" {wording.method_range_text(ctx)}"],
        [b(f"Engangsløft {e['aar']}:"), f" {e['tekst']} ({e['kilde']})"],
        [b("Finanslovsforbehold:"),
         f" {ctx['pulje']['forbehold']} ({ctx['pulje']['forbehold_kilde']})"],
    ]
    return section("Datagrundlag og forbehold", doc.BulletList(items))


def manifest_blocks(m: dict) -> list[doc.Paragraph]:
    """The run manifest for a footer: opkval version, git commit, input file hashes."""
    git = m["git"]
    commit = git["commit"][:12] + (" (med lokale ændringer)" if git.get("dirty") else "")
    files: list = []
    for n, (p, h) in enumerate(m["inputs"].items()):
        files.extend(doc.runs(", " if n else None, p.split("/")[-1] + " ",
                              Run(h[:12], code=True)))
    return [doc.Paragraph(f"Dannet med opkval {m['opkval']}, commit ", Run(commit, code=True),
                          "."),
            doc.Paragraph("Inputfiler (SHA-256, første 12 tegn): ", files, ".")]


def companion_names(slug: str, formats: str, suffix: str = "") -> list[str]:
    """The document's files in the formats rendered: ['ishoej.html', 'ishoej.pdf', ...]."""
    return [f"{slug}{suffix}.{f.strip()}" for f in formats.split(",")
            if f.strip() in ("html", "pdf", "docx")]


def footer(ctx: dict, formats: str = "html,pdf") -> doc.Section:
    """The run manifest and the note's files: the bilag's, the analysis's and the JSON."""
    slug = ctx.get("filnavn") or ctx["kommune"]["slug"]
    bilag = " og ".join(companion_names(slug, formats)) or f"{slug}.html"
    analyse = " og ".join(companion_names(slug, formats, "-analyse")) or f"{slug}-analyse.html"
    return doc.Section([
        *manifest_blocks(ctx["manifest"]),
        doc.Paragraph(f"Bilaget findes som {bilag}, analysen som {analyse}; alle tal findes "
                      "også i maskinlæsbar form i ", Run(f"{slug}.json", code=True), "."),
    ], role="manifest")


# ----------------------------------------------------------------------------- the index page
# The index (opkval.publish.site) is a hand-written HTML page with its own script, not a document
# of blocks: these are the pieces of HTML it takes from here.


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def status_badge(status: str) -> str:
    """A rule status as the coloured Danish word, in HTML (as the document model writes it)."""
    return str(html_writer.run_html(status_run(status)))


def generated_line(ctx: Mapping[str, Any]) -> str:
    return f'<p class="generated">{esc(generated_text(ctx))}</p>'
