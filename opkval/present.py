"""The note's sections as HTML fragments, in Danish, from a context dict.

Every function takes the context (``opkval.context``) and returns :class:`Html`, which Jupyter
displays as HTML. All text from data or plans is escaped; all numbers go through ``opkval.fmt``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from opkval import fmt
from opkval.domain import ROLE_LOKAL_PLAN, STATUS_DA

LABEL_DA = {"tilsagn": "Tilsagn", "fremskrevet": "Fremskrevet", "skøn": "Skøn"}


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
        cls = ' class="num"' if i in num else ""
        text = str(v) if isinstance(v, Html) else esc(v)
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
    if "compact" in css.split() or len(rows) + len(foot) <= KEEP_ROWS:
        # WeasyPrint may break between a caption and the rows even when the table itself
        # avoids breaks; the wrapper keeps caption, rows and a heading before them together.
        return '<div class="keep">' + "".join(out) + "</div>"
    return "".join(out)


def _kommune(ctx: dict) -> str:
    return f"{ctx['kommune']['navn']} Kommune"


def title(ctx: dict) -> Html:
    k = ctx["kommune"]
    return Html(
        '<header class="title">'
        f'<p class="kicker">Orientering · rapportår {ctx["report_year"]}</p>'
        f"<h1>Orientering om opkvalificeringspuljen – {esc(_kommune(ctx))}</h1>"
        f'<p class="meta">{esc(k["region"])} · {esc(k["kommunegruppe"])} · kommunekode '
        f'{k["kode"]:03d}</p>\n'
        # The only line that differs between two builds of the same inputs.
        f"{generated_line(ctx)}\n</header>"
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


def _without_lift(ctx: dict, years) -> str:
    """' (uden engangsløftet i 2026, ...)' when the unknown one-off lift falls in ``years``."""
    e = ctx["pulje"]["engangsloeft"]
    if e["beloeb_kr"] is not None or e["aar"] not in years:
        return ""
    return f" (uden engangsløftet i {e['aar']}, hvis størrelse ikke er kendt)"


def _round_sentence(ctx: dict, r: dict) -> str:
    """One round's grant in a sentence of Kort fortalt, by how the amount is known."""
    k, y, amount = _kommune(ctx), _span(r["aar"]), esc(fmt.kr(r["beloeb_kr"]))
    if r["labels"] == ["tilsagn"]:
        return (f"{k} har fået tilsagn om i alt <b>{amount}</b> for {y} "
                f"({esc(r['navn'].lower())}, udbetalt {_paid(r)}).")
    if r["udbetaling"] == "samlet":
        how = ("fremskrevet med kommunens egen andel af puljen" if "fremskrevet" in r["labels"]
               else f"skønnet efter {esc(ctx['noegle']['navn'])}")
        cond = f" på betingelse af en {esc(r['betingelse'])}" if r["betingelse"] else ""
        return (f"Midlerne for {y} udbetales {_paid(r)}{cond}; {how} svarer det til "
                f"<b>{amount}</b>{_without_lift(ctx, r['aar'])}.")
    return (f"{k} kan for {y} ({esc(r['navn'].lower())}) forvente ca. <b>{amount}</b>; "
            "beløbet er et skøn, fordi opkval ikke kender kommunens tilsagn.")


def summary(ctx: dict) -> Html:
    """The grant in two or three sentences, with the key check when it disagrees."""
    parts = [_round_sentence(ctx, r) for r in ctx["runder"]]
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
    clauses = [f"udbetales {_paid(r)}"]
    if r["aktivitet_start_fra"] and r["aktivitet_start_til"]:
        clauses.append(
            "kan bruges til aktiviteter, der sættes i gang i perioden "
            f"{esc(fmt.date(r['aktivitet_start_fra']))} til "
            f"{esc(fmt.date(r['aktivitet_start_til']))}; længere uddannelsesforløb skal være "
            f"afsluttet senest {esc(fmt.date(r['afsluttet_senest']))}")
    if r["betingelse"]:
        clauses.append(f"forudsætter en {esc(r['betingelse'])}")
    return f"<b>{esc(r['navn'])}</b> ({_span(r['aar'])}) " + " og ".join(clauses) + "."


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
            g["udbetalingsaar"], Html(f'<span class="label label-{esc(g["label"])}">'
                                      f'{esc(LABEL_DA[g["label"]])}</span>'),
        ])
    for r in ctx["runder"]:
        foot.append([f"{r['navn']} i alt", fmt.mio_kr(r["pulje_kr"]), fmt.kr(r["beloeb_kr"]),
                     "", r["udbetalingsaar"] if r["udbetaling"] == "samlet" else "årligt", ""])
    span = _span(ctx["pulje"]["beloeb_kr"])
    foot.append([f"{span} i alt", fmt.mio_kr(sum(r["pulje_kr"] for r in ctx["runder"])),
                 fmt.kr(ctx["grants_total_kr"]), "", "", ""])
    head = ["År", "Puljen i alt", _kommune(ctx), "Andel", "Udbetales", "Grundlag"]
    notes = "".join(f"<li>{esc(text)} ({_span(years)})</li>" for text, years in _years_by_text(
        (f"{LABEL_DA[g['label']]}: {g['forklaring']}", g["aar"]) for g in ctx["grants"]))
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
        rows = [[b["pulje"], b["aar"], fmt.kr(b["skoen_kr"]), fmt.kr(b["offentliggjort_kr"]),
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
        parts.append(f"<p>opkval kender ingen offentliggjorte beløb for {esc(_kommune(ctx))}; "
                     "tallene for kommunen er derfor skøn.</p>")
    ref = bt["reference"]
    inside = sum(b["inden_for_tolerance"] for b in ref)
    parts.append(
        f"<p>Samme nøgle anvendt på {esc(bt['reference_pulje'])} "
        f"({esc(fmt.mio_kr(bt['reference_beloeb_kr']))}, fordelt efter "
        f"{esc(bt['reference_noegle_navn'])}) "
        f"rammer {fmt.number(inside)} af {fmt.number(len(ref))} offentliggjorte kommunebeløb "
        "inden for "
        f"{esc(fmt.kr(bt['tolerance_abs_kr']))} + {esc(fmt.pct(bt['tolerance_rel'], 0))} "
        "(kilderne afrunder til 0,1 mio. kr.).</p>")
    rows = [[b["kommune"], fmt.kr(b["skoen_kr"]), fmt.kr(b["offentliggjort_kr"]),
             fmt.signed_kr(b["forskel_kr"]), fmt.pct_value(b["forskel_pct"], 1)] for b in ref]
    parts.append(table(["Kommune", "Skøn", "Offentliggjort", "Forskel", "Forskel i %"], rows,
                       numeric=(1, 2, 3, 4), css="compact",
                       caption=f"Kontrol: {bt['reference_pulje']}"))
    parts.append("</section>")
    return Html("".join(parts))


def assumptions(ctx: dict) -> Html:
    n = ctx["noegle"]
    e = ctx["pulje"]["engangsloeft"]
    plan_round = round_with_role(ctx, ROLE_LOKAL_PLAN)
    tilsagn = _years_by_text((g["kilde"], g["aar"]) for g in ctx["grants"]
                             if g["label"] == "tilsagn")
    items = [
        f"<b>Fordelingsnøgle:</b> {esc(n['navn'])} ({esc(n['kilde'])}). {esc(n['forbehold'])}",
        "<b>Tilsagn:</b> " + (esc("; ".join(f"{_span(years)}: {kilde}" for kilde, years in tilsagn))
                              or "ingen offentliggjorte tilsagn for kommunen i opkvals data."),
        "<b>Fremskrivning:</b> kommunens seneste offentliggjorte andel af puljen antages "
        f"uændret i senere år. For {_span(plan_round['aar'])} fordeler ministeriet efter "
        f"forventede 0-5-årige i {plan_round['udbetalingsaar']}, så andelen kan ændre sig.",
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
    slug = ctx["kommune"]["slug"]
    names = [f"{slug}.{f.strip()}" for f in formats.split(",") if f.strip() in ("html", "pdf")]
    companions = " og ".join(names) or f"{slug}.html"
    return Html(
        '<footer class="manifest">' + manifest_lines(ctx["manifest"])
        + f"<p>Notatet findes som {esc(companions)}; alle tal findes også i maskinlæsbar form i "
        f"<code>{esc(slug)}.json</code>.</p></footer>"
    )
