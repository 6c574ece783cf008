"""The note's sections as HTML fragments, in Danish, from a context dict.

Every function takes the context (``opkval.context``) and returns :class:`Html`, which Jupyter
displays as HTML. All text from data or plans is escaped; all numbers go through ``opkval.fmt``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from opkval import fmt, wording
from opkval.domain import ROLE_AKTIVITETSVINDUE, ROLE_LOKAL_PLAN, STATUS_DA

LABEL_DA = {"tilsagn": "Tilsagn", "fremskrevet": "Fremskrevet", "skøn": "Skøn"}
LABEL_BREV_DA = "Tilsagn (kommunens tilsagnsbrev)"
#: The order in which a year's amount is chosen (opkval.allocation), stated in every note.
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


class Html(str):
    """A string that Jupyter renders as HTML."""

    def _repr_html_(self) -> str:
        return str(self)


def show(*parts: object) -> None:
    """Display each part of a section in order (in Jupyter), skipping absent ones (None).

    One notebook cell per section of the note: each cell is a round trip to the kernel, and a
    cell per table or chart cost about a quarter of a second per note.
    """
    from IPython.display import display

    for part in parts:
        if part is not None:
            display(part)


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


KEEP_ROWS = 10


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], *,
          numeric: Iterable[int] = (), caption: str = "", css: str = "",
          foot: Sequence[Sequence[object]] = ()) -> str:
    """An HTML table. Cells are escaped unless given as :class:`Html`.

    Compact and short tables (at most ``KEEP_ROWS`` rows) are kept on one page with their
    caption (and a heading just before them).
    """
    num = set(numeric)
    rows = list(rows)

    def cell(tag: str, i: int, v: object) -> str:
        text = str(v) if isinstance(v, Html) else esc(v)
        classes = (["num"] if i in num else []) + (["longword"] if has_long_word(text) else [])
        cls = f' class="{" ".join(classes)}"' if classes else ""
        return f"<{tag}{cls}>{text}</{tag}>"

    out = [f'<table class="{esc(css)}">' if css else "<table>"]
    if caption:
        out.append(f"<caption>{esc(caption)}</caption>")
    out.append("<thead><tr>" + "".join(cell("th", i, h) for i, h in enumerate(headers))
               + "</tr></thead><tbody>")
    for r in rows:
        out.append("<tr>" + "".join(cell("td", i, v) for i, v in enumerate(r)) + "</tr>")
    out.append("</tbody>")
    if foot:
        out.append("<tfoot>" + "".join(
            "<tr>" + "".join(cell("td", i, v) for i, v in enumerate(r)) + "</tr>" for r in foot)
            + "</tfoot>")
    out.append("</table>")
    # On a narrow screen a wide table scrolls in its own box (reachable by keyboard); the page
    # does not (style.css: .table-scroll; no effect in the PDF).
    label = caption or "Tabel: " + ", ".join(str(h) for h in headers)
    out = [f'<div class="table-scroll" role="region" tabindex="0" aria-label="{esc(label)}">',
           *out, "</div>"]
    if "compact" in css.split() or len(rows) + len(foot) <= KEEP_ROWS:
        # WeasyPrint may break between a caption and the rows even when the table itself
        # avoids breaks; the wrapper keeps caption, rows and a heading before them together.
        return '<div class="keep">' + "".join(out) + "</div>"
    return "".join(out)


#: A word longer than this (a plan allows 30 characters without a space) may break anywhere
#: in its table cell (class ``longword``), so one long name cannot push the columns after it
#: off the A4 page; cells with only shorter words ("Meritpædagoguddannelse", 22) keep them
#: whole, as before.
LONG_WORD = 24
_TAG = re.compile(r"<[^>]*>")


def has_long_word(html_text: str) -> bool:
    """Whether a cell's text (tags and entities aside) holds a word over LONG_WORD."""
    plain = html.unescape(_TAG.sub(" ", html_text))
    return any(len(w.strip(".,;:()»«\"'")) > LONG_WORD for w in fmt.line_words(plain))


def _kommune(ctx: dict) -> str:
    from opkval.kommune import official_name

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
    b = (ctx.get("notat") or {}).get("bilag_nr")
    return f"Bilag {b}" if b else ""


def header(ctx: dict) -> str:
    """The logo and the header fields for the title block ('' when the plan gives none)."""
    n = ctx.get("notat") or {}
    parts = []
    logo = n.get("logo")
    if logo:
        parts.append(f'<img class="logo" src="data:{esc(logo["mime"])};base64,{logo["data"]}" '
                     f'alt="Logo: {esc(_kommune(ctx))}">')
    fields = header_fields(ctx)
    if fields:
        parts.append('<dl class="notat-meta">' + "".join(
            f"<div><dt>{esc(label)}</dt><dd>{esc(value)}</dd></div>" for label, value in fields)
            + "</dl>")
    return "".join(parts)


def title(ctx: dict) -> Html:
    k = ctx["kommune"]
    kicker = " · ".join(x for x in (bilag_label(ctx), "Scenarie" if ctx.get("scenarie") else "",
                                    f"Orientering · rapportår {ctx['report_year']}") if x)
    scenario = ""
    if ctx.get("scenarie"):
        scenario = ('<p class="scenario">Scenarie – ikke kommunens plan, som den står: '
                    f"{esc('; '.join(ctx['scenarie']))}.</p>")
    return Html(
        '<header class="title">' + header(ctx)
        + f'<p class="kicker">{esc(kicker)}</p>'
        f"<h1>Orientering om opkvalificeringspuljen – {esc(_kommune(ctx))}</h1>"
        f'<p class="meta">{esc(k["region"])} · {esc(k["kommunegruppe"])} · kommunekode '
        f'{k["kode"]:03d}</p>\n' + scenario
        # The only line that differs between two builds of the same inputs.
        + f"{generated_line(ctx)}\n</header>"
    )


def status_badge(status: str) -> Html:
    """A rule status (``ok``/``advarsel``/``brud``) as the coloured Danish word."""
    return Html(f'<span class="status status-{esc(status)}">{esc(STATUS_DA[status])}</span>')


def generated_line(ctx: dict) -> str:
    return f'<p class="generated">Dannet {esc(fmt.datetime(ctx["generated_at"]))}</p>'


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
        return esc(fmt.kr(r["beloeb_kr"]))
    if r.get("skoen_interval_kr"):  # issue 19: the key's record beside every estimate
        return esc(wording.interval_text(r["skoen_interval_kr"]))
    if r.get("alternativ_kr") is not None:
        lo, hi = sorted((r["beloeb_kr"], r["alternativ_kr"]))
        return esc(fmt.approx_kr_range(lo, hi))
    return esc(fmt.approx_kr(r["beloeb_kr"]))


def payment_sentence(r: dict) -> str:
    """How a round is paid, as config words it (with "antaget" where no source gives it)."""
    # issue 19: a round paid in one sum "udmøntes" (seed 002); "udbetales" for yearly payments
    verb = "udmøntes" if r["udbetaling"] == "samlet" else "udbetales"
    text = esc(r.get("udbetaling_tekst") or f"{verb} {_paid(r)}")
    if r.get("udbetaling_antaget") and "antaget" not in text:
        text += " (antaget)"
    return text


def _without_lift(ctx: dict, years) -> str:
    """' (uden engangsløftet i 2026, ...)' when the unknown one-off lift falls in ``years``."""
    e = ctx["pulje"]["engangsloeft"]
    if e["beloeb_kr"] is not None or e["aar"] not in years:
        return ""
    return f" (uden engangsløftet i {e['aar']}, hvis størrelse ikke er kendt)"


def _round_sentence(ctx: dict, r: dict) -> str:
    """One round's grant in a sentence of Kort fortalt, by how the amount is known.

    A published tilsagn is exact; an estimate says it is one, is rounded in prose, names its
    basis (key, data date, the ministry's key), and shows the second estimate where there
    is one (round 1's share carried forward).
    """
    k, y = _kommune(ctx), _span(r["aar"])
    lift = _without_lift(ctx, r["aar"])
    lift += "." if lift else ""  # the amount ends in "kr.": no second full stop
    if r["labels"] == ["tilsagn"]:
        return (f"{k} har fået tilsagn om i alt <b>{esc(fmt.kr(r['beloeb_kr']))}</b> for {y} "
                f"({esc(r['navn'].lower())}). Udbetaling: {payment_sentence(r)}.")
    basis = (f"Skønnet er efter {esc(ctx['noegle']['navn'])} pr. "
             f"{esc(fmt.date(ctx['noegle']['vintage']))}, de nyeste kommunetal i opkvals data; "
             "ministeriet fordeler efter "
             + esc(r.get("noegle_tekst") or "det forventede antal 0-5-årige") + ".")
    if "fremskrevet" in r["labels"]:
        # The share comes from a tilsagn: a published one or the kommune's own letter.
        basis = ("Skønnet fører kommunens andel af puljen efter dens seneste tilsagn videre; "
                 "ministeriet kan fordele anderledes.")
    if r["udbetaling"] == "samlet":
        cond = f" på betingelse af en {esc(r['betingelse'])}" if r["betingelse"] else ""
        text = (f"Midlerne for {y} udmøntes {_paid(r)}{cond}; det svarer til et skøn på "
                f"<b>{esc(fmt.approx_kr(r['beloeb_kr']))}</b>{lift} {basis}")
    elif "tilsagn" in r["labels"]:  # some years known (e.g. the kommune's letter), some not
        known = _span(g["aar"] for g in ctx["grants"]
                      if g["runde"] == r["id"] and g["label"] == "tilsagn")
        text = (f"{k} kan for {y} ({esc(r['navn'].lower())}) forvente "
                f"<b>{esc(fmt.approx_kr(r['beloeb_kr']))}</b>{lift} Beløbet bygger på "
                f"kommunens tilsagn for {known}; resten er et skøn. {basis}")
    else:
        text = (f"{k} kan for {y} ({esc(r['navn'].lower())}) forvente "
                f"<b>{esc(fmt.approx_kr(r['beloeb_kr']))}</b>{lift} Beløbet er et skøn, fordi "
                f"opkval ikke kender kommunens tilsagn. {basis}")
    if r.get("alternativ_kr") is not None:
        first = round_with_role(ctx, ROLE_AKTIVITETSVINDUE)["kort"].lower()
        text += (f" Fører man i stedet kommunens andel fra {esc(first)} videre, bliver det "
                 f"{esc(fmt.approx_kr(r['alternativ_kr']))}; notatet regner med begge.")
    if r.get("skoen_interval_kr"):
        text += " " + esc(wording.range_sentence(r))
    return text


def summary(ctx: dict) -> Html:
    """The grant in two or three sentences, with the key check when it disagrees."""
    parts = [_round_sentence(ctx, r) for r in ctx["runder"]]
    for e in ctx["backtest"].get("evidens") or []:
        if e["kommunekode"] == ctx["kommune"]["kode"]:
            parts.append(
                f"{_kommune(ctx)} har oplyst at have modtaget "
                f"<b>{esc(fmt.kr(e['offentliggjort_kr']))}</b> i {e['aar']} "
                f"({esc(e['kilde'])}); nøglen giver {esc(fmt.kr(e['skoen_kr']))} for "
                f"{esc(e['periode'].replace('-', '–'))} tilsammen "
                f"({esc(fmt.pct_value(e['forskel_pct']))} forskel)"
                + (", inden for kontrollens tolerance." if e["inden_for_tolerance"] else
                   "; skønnet afviger mere end kontrollens tolerance."))
    kc = ctx.get("key_check")
    if kc and not kc["forklarer"]:
        parts.append(
            f"Fordelingsnøglen ({esc(ctx['noegle']['navn'])}) forklarer ikke det "
            f"offentliggjorte beløb: tilsagnet er {esc(fmt.pct(kc['forhold'], 0))} af nøglens "
            f"skøn ({esc(fmt.kr(kc['offentliggjort_kr']))} mod "
            f"{esc(fmt.kr(kc['skoen_kr']))} for {_span(kc['aar'])}). Notatet "
            "viser begge tal.")
    return Html('<section class="summary"><h2>Kort fortalt</h2>'
                + "".join(f"<p>{p}</p>" for p in parts) + "</section>")


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


def _round_rules_sentence(r: dict) -> str:
    """'<b>Første tildelingsrunde</b> (2023–2025) udbetales år for år og kan bruges ...'."""
    clauses = [payment_sentence(r) + (f" ({esc(r['udbetaling_kilde'])})"
                                      if r.get("udbetaling_kilde") and r["udbetaling"] != "samlet"
                                      else "")]
    if r["aktivitet_start_fra"] and r["aktivitet_start_til"]:
        clauses.append(
            "kan bruges til aktiviteter, der sættes i gang i perioden "
            f"{esc(fmt.date(r['aktivitet_start_fra']))} til "
            f"{esc(fmt.date(r['aktivitet_start_til']))}; længere uddannelsesforløb skal være "
            f"afsluttet senest {esc(fmt.date(r['afsluttet_senest']))}")
    if r["betingelse"]:
        clauses.append(f"forudsætter en {esc(r['betingelse'])}")
    text = f"<b>{esc(r['navn'])}</b> ({_span(r['aar'])}): " + " og ".join(clauses) + "."
    if r.get("frist_antaget"):
        text += (f" Ingen kilde giver en frist for at bruge {esc(r['kort'].lower())}s midler; "
                 f"notatet antager {esc(fmt.date(r['afsluttet_senest']))} (puljens sidste "
                 "dag).")
    return text


def background(ctx: dict) -> Html:
    regler = ctx["regler"]
    return Html(
        "<section><h2>Baggrund</h2>"
        f"<p>{esc(ctx['pulje']['navn'])} blev afsat med Aftale om minimumsnormeringer af "
        "5. december 2020 og fastholdt med finansloven for 2023. Der er "
        f"afsat {esc(pool_amounts_text(ctx['pulje']['beloeb_kr']))}. Midlerne fordeles som "
        "direkte statslig tildeling efter kommunens andel af de forventede 0-5-årige børn, "
        "uden ansøgning.</p>"
        f"<p>Mindst {esc(fmt.pct(regler['min_formel_andel'], 0))} af midlerne skal gå til "
        "formel uddannelse (pædagogisk assistent (PAU), meritpædagog, moduler på akademi- og "
        f"diplomniveau); højst {esc(fmt.pct(regler['max_uformel_andel'], 0))} kan bruges mere "
        "frit inden for formålet. Midler, der ikke bruges, betales tilbage til statskassen.</p>"
        "<p>" + " ".join(_round_rules_sentence(r) for r in ctx["runder"]) + "</p></section>"
    )


def grant_table(ctx: dict) -> Html:
    rows, foot = [], []
    for g in ctx["grants"]:
        rows.append([
            g["aar"], fmt.mio_kr(g["pulje_kr"]), fmt.kr(g["beloeb_kr"]), fmt.pct(g["andel"], 2),
            f"{g['udbetalingsaar']}" + (" (antaget)" if g.get("udbetaling_antaget") else ""),
            Html(f'<span class="label label-{esc(g["label"])}">'
                 f'{esc(grant_label(g))}</span>'),
        ])
    for r in ctx["runder"]:
        foot.append([f"{r['navn']} i alt", fmt.mio_kr(r["pulje_kr"]), fmt.kr(r["beloeb_kr"]),
                     "", r["udbetalingsaar"] if r["udbetaling"] == "samlet" else fmt.and_list(
                         sorted({str(g["udbetalingsaar"]) for g in ctx["grants"]
                                 if g["runde"] == r["id"]})), ""])
    span = _span(ctx["pulje"]["beloeb_kr"])
    foot.append([f"{span} i alt", fmt.mio_kr(sum(r["pulje_kr"] for r in ctx["runder"])),
                 fmt.kr(ctx["grants_total_kr"]), "", "", ""])
    head = ["År", "Puljen i alt", _kommune(ctx), "Andel", "Udbetales", "Grundlag"]
    notes = "".join(f"<li>{esc(text)} ({_span(years)})</li>" for text, years in _years_by_text(
        (grant_note(g), g["aar"]) for g in ctx["grants"]))
    notes += f"<li>Hvert års beløb er det første, der findes af: {esc(PRECEDENCE_DA)}.</li>"
    notes += "".join(f"<li><b>Advarsel:</b> {esc(w)}</li>"  # issue 19: implausible letters
                     for w in dict.fromkeys(g["advarsel"] for g in ctx["grants"]
                                            if g.get("advarsel")))
    notes += "".join(
        f"<li>Alternativt skøn: {esc(text)} ({_span(years)})</li>"
        for text, years in _years_by_text(
            (f"{fmt.kr(g['alternativ_kr'])} pr. år, {g['alternativ_forklaring']}", g["aar"])
            for g in ctx["grants"] if g.get("alternativ_kr") is not None))
    for r in ctx["runder"]:
        if r.get("udbetaling_kilde") and r["udbetaling"] != "samlet":
            notes += (f"<li>Udbetaling, {esc(r['navn'].lower())}: {payment_sentence(r)}. "
                      f"Grundlag: {esc(r['udbetaling_kilde'])}.</li>")
    return Html(f"<section><h2>Tilskud {span}</h2>"
                + table(head, rows, numeric=(1, 2, 3, 4), foot=foot, css="grants",
                        caption=f"Tilskud til {_kommune(ctx)} fra opkvalificeringspuljen")
                + f"<ul class='small'>{notes}{_lift_note(ctx)}</ul></section>")


def _lift_note(ctx: dict) -> str:
    e = ctx["pulje"]["engangsloeft"]
    return ("" if e["beloeb_kr"] is not None
            else f"<li>Beløbene for {e['aar']} er uden engangsløftet.</li>")


def key_check(ctx: dict) -> Html:
    """The backtest: this kommune's published amounts against the key, and the 2020 pool."""
    bt = ctx["backtest"]
    parts = ["<section><h2>Kontrol af fordelingsnøglen</h2>"]
    own = bt["kommune"]
    if own:
        rows = [[b["pulje"], (b.get("periode") or str(b["aar"])).replace("-", "–"),
                 fmt.kr(b["skoen_kr"]), fmt.kr(b["offentliggjort_kr"]),
                 fmt.signed_kr(b["forskel_kr"]), fmt.pct_value(b["forskel_pct"], 1)]
                for b in own]
        parts.append(table(["Pulje", "År", "Skøn efter nøglen", "Offentliggjort", "Forskel",
                            "Forskel i %"], rows, numeric=(1, 2, 3, 4, 5),
                           caption=f"{_kommune(ctx)}: nøglens skøn mod offentliggjorte beløb"))
        kc = ctx.get("key_check")
        if kc and not kc["forklarer"]:
            parts.append(
                f"<p>For {esc(_kommune(ctx))} forklarer nøglen ikke det offentliggjorte tilsagn: "
                f"tilsagnet er {esc(fmt.pct(kc['forhold'], 0))} af skønnet. Ingen af de kilder, "
                "opkval bygger på, forklarer forskellen. Tilsagnet lægges til grund i notatet; "
                "skønnet vises til sammenligning.</p>")
    else:
        parts.append(f"<p>{esc(wording.no_published_text(ctx, _kommune(ctx)))}</p>")
    ref = bt["reference"]
    parts.append(f"<p>{backtest_sentence(bt)}</p>")
    for e in bt.get("evidens") or []:
        parts.append(f"<p>{esc(wording.evidence_text(e, ctx))}</p>")
    rows = [[b["kommune"], fmt.kr(b["skoen_kr"]), fmt.kr(b["offentliggjort_kr"]),
             fmt.signed_kr(b["forskel_kr"]), fmt.pct_value(b["forskel_pct"], 1)] for b in ref]
    parts.append(table(["Kommune", "Skøn", "Offentliggjort", "Forskel", "Forskel i %"], rows,
                       numeric=(1, 2, 3, 4), css="compact",
                       caption=f"Kontrol: {bt['reference_pulje']}"))
    parts.append("</section>")
    return Html("".join(parts))


def backtest_sentence(bt: dict) -> str:
    """What the backtest measured: error spread and the largest errors, in kroner and %."""
    f = bt["fejl"]
    if not f.get("n"):
        return "opkval kender ingen offentliggjorte beløb at kontrollere nøglen mod."
    big = f["stoerste"][0]
    rel = max(f["stoerste"], key=lambda b: abs(b["forskel_pct"]))
    text = (f"Samme nøgle anvendt på {esc(bt['reference_pulje'])} "
            f"({esc(fmt.mio_kr(bt['reference_beloeb_kr']))}, fordelt efter andel af 0-5-årige) "
            f"mod de {fmt.number(f['n'])} offentliggjorte kommunebeløb: den typiske fejl "
            f"(medianen af de absolutte fejl) er {esc(fmt.kr(f['median_abs_kr']))} "
            f"({esc(fmt.pct_value(f['median_abs_pct']))}); den største i kroner er "
            f"{esc(big['kommune'])} med {esc(fmt.signed_kr(big['forskel_kr']))} "
            f"({esc(fmt.pct_value(big['forskel_pct']))})")
    if rel["kommune"] != big["kommune"]:
        text += (f", den største i procent {esc(rel['kommune'])} med "
                 f"{esc(fmt.pct_value(rel['forskel_pct']))} "
                 f"({esc(fmt.signed_kr(rel['forskel_kr']))})")
    text += (f". {fmt.number(f['inden_for_afrunding'])} af {fmt.number(f['n'])} ligger inden for "
             f"kildernes afrunding (±{esc(fmt.kr(f['afrunding_kr']))}; beløbene er opgivet i "
             f"hele 0,1 mio. kr.), {fmt.number(f['inden_for_tolerance'])} inden for "
             f"{esc(fmt.kr(bt['tolerance_abs_kr']))} + {esc(fmt.pct(bt['tolerance_rel'], 0))} af "
             "skønnet.")
    outside = wording.backtest_outside_text(bt)
    return text + (f" {esc(outside)}" if outside else "")


def assumptions(ctx: dict) -> Html:
    n = ctx["noegle"]
    e = ctx["pulje"]["engangsloeft"]
    plan_round = round_with_role(ctx, ROLE_LOKAL_PLAN)
    tilsagn = _years_by_text((g["kilde"], g["aar"]) for g in ctx["grants"]
                             if g["label"] == "tilsagn")
    items = [
        f"<b>Fordelingsnøgle:</b> {esc(n['navn'])} ({esc(n['kilde'])}). {esc(n['forbehold'])}",
        "<b>Tilsagn:</b> " + (esc("; ".join(f"{_span(years)}: {kilde}" for kilde, years in tilsagn))
                              or "ingen tilsagnsbreve i planen og ingen offentliggjorte tilsagn "
                                 "for kommunen i opkvals data."),
        f"<b>Rækkefølge:</b> hvert års beløb er det første, der findes af: {esc(PRECEDENCE_DA)}. "
        "Kommunens tilsagnsbrev går forud for alle andre tal for de år, det dækker.",
        f"<b>{esc(plan_round['kort'])}:</b> ministeriet fordeler {_span(plan_round['aar'])} "
        f"efter andelen af forventede 0-5-årige i {plan_round['udbetalingsaar']} (Vejledning "
        "til lokal plan); opkval skønner med nøglen og de nyeste kommunetal, det har. Hvor "
        "kommunen har et tilsagn fra en tidligere runde, vises også kommunens andel fra den "
        "ført videre, og risikoen som spændet mellem de to.",
        "<b>Frister:</b> " + "; ".join(
            f"{esc(r['navn'])}: {esc(fmt.date(r['afsluttet_senest']))}"
            + (" (antaget; ingen kilde)" if r.get("frist_antaget") else "")
            for r in ctx["runder"]) + ".",
        f"<b>Spænd ved skøn:</b> {esc(wording.method_range_text(ctx))}",
        f"<b>Engangsløft {e['aar']}:</b> {esc(e['tekst'])} ({esc(e['kilde'])})",
        f"<b>Finanslovsforbehold:</b> {esc(ctx['pulje']['forbehold'])} "
        f"({esc(ctx['pulje']['forbehold_kilde'])})",
    ]
    return Html("<section><h2>Datagrundlag og forbehold</h2><ul>"
                + "".join(f"<li>{i}</li>" for i in items) + "</ul></section>")


def manifest_lines(m: dict) -> str:
    """The run manifest for a footer: opkval version, git commit, input file hashes."""
    git = m["git"]
    commit = git["commit"][:12] + (" (med lokale ændringer)" if git.get("dirty") else "")
    files = ", ".join(f"{esc(p.split('/')[-1])} <code>{esc(h[:12])}</code>"
                      for p, h in m["inputs"].items())
    return (f'<p>Dannet med opkval {esc(m["opkval"])}, commit <code>{esc(commit)}</code>.</p>'
            f"<p>Inputfiler (SHA-256, første 12 tegn): {files}.</p>")


def footer(ctx: dict, formats: str = "html,pdf") -> Html:
    slug = ctx.get("filnavn") or ctx["kommune"]["slug"]
    names = [f"{slug}.{f.strip()}" for f in formats.split(",")
             if f.strip() in ("html", "pdf", "docx")]
    companions = " og ".join(names) or f"{slug}.html"
    return Html(
        '<footer class="manifest">' + manifest_lines(ctx["manifest"])
        + f"<p>Notatet findes som {esc(companions)}; alle tal findes også i maskinlæsbar form i "
        f"<code>{esc(slug)}.json</code>.</p></footer>"
    )
