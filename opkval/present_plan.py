"""The note's local-plan sections as HTML, in Danish, from ``ctx["plan"]``.

Every figure is computed in :mod:`opkval.ledger` / :mod:`opkval.rules`; this module only
words and formats them. All free text from a plan is escaped (``esc`` / ``table``).
When ``ctx["plan"]`` is None, :func:`key_points` shows "Ingen lokal plan registreret" and
the other sections show nothing.
"""

from __future__ import annotations

from opkval import fmt
from opkval.domain import ROLE_AKTIVITETSVINDUE, ROLE_LOKAL_PLAN
from opkval.present import (
    Html,
    _kommune,
    _paid,
    _span,
    esc,
    round_with_role,
    status_badge,
    table,
)


def _period(i: dict) -> Html:
    return Html(f"{esc(fmt.short_date(i['start']))}–<br>{esc(fmt.short_date(i['slut']))}")


def _plan_name(p: dict) -> str:
    return esc(p["titel"] or "Kommunens lokale plan")


def _no_plan(ctx: dict) -> Html:
    r = round_with_role(ctx, ROLE_LOKAL_PLAN)  # the round conditional on a local plan
    return Html(
        "<section><h2>Lokal plan</h2><p><b>Ingen lokal plan registreret.</b> "
        f"{esc(_kommune(ctx))} har ikke registreret en lokal plan for "
        "opkvalificering i opkval, så notatet kan ikke vise forbrug, saldo eller reglerne. "
        f"{esc(r['navn'])} (udbetales {_paid(r).removeprefix('samlet i ')}) forudsætter en "
        "lokal plan. En plan registreres "
        f"som <code>data/plans/{esc(ctx['kommune']['slug'])}.yaml</code> eller i Excel-skabelonen "
        "fra <code>opkval plan template</code>.</p></section>")


def _oldest_first(ctx: dict) -> str:
    """'første rundes midler bruges før anden rundes. Anden rundes midler for ... samlet i ...'."""
    rounds = ctx["runder"]
    names = [f"{r['kort'].lower()}s" for r in rounds]
    text = (f", så {names[0]} midler bruges før {' før '.join(names[1:])}." if len(names) > 1
            else ".")
    for r in rounds:
        if r["udbetaling"] == "samlet":
            text += (f" {esc(r['kort'])}s midler for {_span(r['aar'])} udbetales "
                     f"{_paid(r)}.")
    return text


def key_points(ctx: dict) -> Html:
    """"Hovedpunkter": three to five sentences a council member reads first."""
    p = ctx.get("plan")
    if not p:
        return _no_plan(ctx)
    led = p["ledger"]
    window_id = round_with_role(ctx, ROLE_AKTIVITETSVINDUE)["id"]
    r1 = next(r for r in led["runder"] if r["id"] == window_id)
    pts = []
    years = _span([y for y in (p["forbrug_foerste_aar"], p["forbrug_sidste_aar"]) if y])
    pts.append(f"Planen ({fmt.date(p['dato'])}) bruger i alt <b>{esc(fmt.kr(led['forbrug_kr']))}"
               f"</b> af puljen i {years} på {fmt.number(len(p['indsatser']))} indsatser; "
               "kommunen modtager "
               f"{esc(fmt.kr(led['udbetalt_kr']))} i {_span(ctx['pulje']['beloeb_kr'])}.")
    if r1["modtaget_kr"] and not r1["tilbage_kr"] and r1["brugt_aar"]:
        pts.append(f"Planen bruger præcis {esc(r1['navn'].lower())}s tilskud på "
                   f"<b>{esc(fmt.kr(r1['modtaget_kr']))}</b> i {_span(r1['brugt_aar'])}.")
    elif r1["modtaget_kr"]:
        pts.append(f"Af {esc(r1['navn'].lower())}s {esc(fmt.kr(r1['modtaget_kr']))} bruger "
                   f"planen {esc(fmt.kr(r1['brugt_kr']))}; "
                   f"{esc(fmt.kr(r1['tilbage_kr']))} er ikke disponeret.")
    if led["ikke_finansieret_kr"]:
        pts.append(f"<b>{esc(fmt.kr(led['ikke_finansieret_kr']))}</b> af planens forbrug er "
                   "ikke finansieret af puljen (forbrug ud over de modtagne midler).")
    risky = [r for r in led["runder"] if r["risiko_tilbagebetaling_kr"]]
    paid = {r["id"]: f"udbetales {_paid(r)}" for r in ctx["runder"]}
    for r in risky:
        risk = esc(fmt.kr(r["risiko_tilbagebetaling_kr"]))
        pts.append(f"<b>Risiko for tilbagebetaling:</b> {risk} af {esc(r['navn'].lower())} "
                   f"({esc(fmt.kr(r['modtaget_kr']))}, {paid.get(r['id'], '')}) er ikke "
                   "disponeret i planen og skal betales tilbage, hvis de ikke bruges inden "
                   f"{fmt.date(r['frist'])}.")
    if not risky and not led["ikke_finansieret_kr"]:
        pts.append("Planen bruger alle midler inden fristerne; intet skal betales tilbage.")
    brud = [r for r in p["regler"] if r["status"] == "brud"]
    adv = [r for r in p["regler"] if r["status"] == "advarsel"]
    if brud or adv:
        parts = []
        if brud:
            parts.append(f"{fmt.number(len(brud))} brud "
                         f"({esc('; '.join(r['navn'] for r in brud))})")
        if adv:
            parts.append(f"{fmt.number(len(adv))} {'advarsel' if len(adv) == 1 else 'advarsler'} "
                         f"({esc('; '.join(r['navn'] for r in adv))})")
        pts.append(f"Puljens regler: {' og '.join(parts)}; se tabellen over regler.")
    else:
        n = len(p["regler"])
        pts.append("Planen overholder " + ("den regel" if n == 1 else
                                           f"alle {fmt.count_word(n)} regler")
                   + ", opkval kontrollerer.")
    if p["deltagere_i_alt"]:
        groups = " og ".join(f"{fmt.number(n)} {esc(g.lower())}"
                             for g, n in p["deltagere_pr_maalgruppe"].items())
        missing = p["indsatser_uden_deltagere"]
        extra = (f"; {esc(', '.join(missing))} angiver ikke antal deltagere" if missing else "")
        pts.append(f"Planen omfatter {fmt.number(p['deltagere_i_alt'])} deltagere: "
                   f"{groups}{extra}.")
    return Html('<section class="summary"><h2>Hovedpunkter</h2><ul>'
                + "".join(f"<li>{x}</li>" for x in pts) + "</ul></section>")


def money_table(ctx: dict) -> Html:
    """Per year: paid, spending, unfunded, balance; per round: received, spent, left, risk."""
    p = ctx.get("plan")
    if not p:
        return Html("")
    led = p["ledger"]
    other = any(y["anden_finansiering_kr"] for y in led["aar"])
    head = ["År", "Udbetalt tilskud", "Forbrug af puljen", "Ikke finansieret", "Saldo ultimo"]
    if other:
        head.append("Anden finansiering")
    rows = []
    for y in led["aar"]:
        row = [y["aar"], fmt.kr(y["udbetalt_kr"]),
               fmt.kr(y["forbrug_kr"]) + (" (realiseret)" if y["realiseret"] else ""),
               fmt.kr(y["ikke_finansieret_kr"]) if y["ikke_finansieret_kr"] else "–",
               fmt.kr(y["saldo_kr"])]
        if other:
            row.append(fmt.kr(y["anden_finansiering_kr"]))
        rows.append(row)
    foot = [["I alt", fmt.kr(led["udbetalt_kr"]), fmt.kr(led["forbrug_kr"]),
             fmt.kr(led["ikke_finansieret_kr"]) if led["ikke_finansieret_kr"] else "–",
             fmt.kr(led["aar"][-1]["saldo_kr"])] + ([fmt.kr(sum(
                 y["anden_finansiering_kr"] for y in led["aar"]))] if other else [])]
    out = ["<section><h2>Planens økonomi år for år</h2>",
           "<p>Forbruget er planens budget (eller realiseret forbrug, hvor det er angivet) for "
           "indsatser betalt af puljen. Hvert års forbrug trækker først på de ældste midler"
           f"{_oldest_first(ctx)}</p>",
           table(head, rows, numeric=range(1, len(head)), foot=foot,
                 caption=f"Tilskud, forbrug og saldo pr. år – {_kommune(ctx)}")]
    rrows = [[r["navn"], fmt.number(r["modtaget_kr"]), fmt.number(r["brugt_kr"]),
              _span(r["brugt_aar"]) or "–", fmt.number(r["tilbage_kr"]),
              fmt.short_date(r["frist"]), fmt.number(r["risiko_tilbagebetaling_kr"])
              if r["risiko_tilbagebetaling_kr"] else "–"]
             for r in led["runder"]]
    out.append(table(["Runde", "Modtaget", "Brugt", "Brugt i år", "Tilbage", "Frist",
                      "Risiko*"], rrows, numeric=(1, 2, 4, 6),
                     caption="Pr. tildelingsrunde: modtaget, brugt og tilbage (kr.)"))
    out.append('<p class="small">* Risiko for tilbagebetaling: midler, som planen ikke bruger '
               "inden rundens frist.</p>")
    out.append("</section>")
    return Html("".join(out))


def indsats_table(ctx: dict) -> Html:
    """Per indsats: kategori, målgruppe, deltagere, period, amount; and amounts per year."""
    p = ctx.get("plan")
    if not p:
        return Html("")
    ind = p["indsatser"]
    rows = [[i["navn"], i["kategori_kort"] + (" (formel)" if i["formel"] else ""),
             i["maalgruppe_navn"], fmt.number(i["deltagere"]) if i["deltagere"] is not None
             else "–", _period(i),
             fmt.number(i["total_kr"]) + ("" if i["finansiering"] == "pulje" else " *")]
            for i in ind]
    foot = [["I alt", "", "", "", "", fmt.number(sum(i["total_kr"] for i in ind))]]
    out = ["<section><h2>Planens indsatser</h2>",
           table(["Indsats", "Kategori", "Målgruppe", "Deltagere", "Periode", "I alt, kr."],
                 rows, numeric=(3, 5), foot=foot, css="indsatser",
                 caption="Planens indsatser (beløb betalt af puljen, medmindre andet er angivet)")]
    if any(i["finansiering"] != "pulje" for i in ind):
        out.append('<p class="small">* Ikke finansieret af puljen (anden finansiering); vises, '
                   "men trækker ikke på tilskuddet.</p>")
    years = sorted({int(y) for i in ind for y in i["pr_aar_kr"]})
    yrows = [[i["navn"], *[fmt.number(i["pr_aar_kr"].get(str(y))) if i["pr_aar_kr"].get(str(y))
                           else "–" for y in years]] for i in ind]
    yfoot = [["I alt", *[fmt.number(sum(i["pr_aar_kr"].get(str(y), 0) for i in ind))
                         for y in years]]]
    out.append(table(["Indsats", *[str(y) for y in years]], yrows,
                     numeric=range(1, len(years) + 1), foot=yfoot,
                     caption="Beløb pr. indsats og år (kr.)"))
    out.append("</section>")
    return Html("".join(out))


def distribution(ctx: dict) -> Html:
    """Participants per dagtilbud for each indsats that names a distribution."""
    p = ctx.get("plan")
    if not p:
        return Html("")
    places = list(p["fordeling_pr_dagtilbud"])
    lines = [i for i in p["indsatser"] if i["fordeling"]]
    if not lines:
        return Html("")
    # One row per dagtilbud, one column per indsats: stays inside A4 however many places.
    rows = [[x, *[fmt.number(i["fordeling"].get(x)) if i["fordeling"].get(x) else "–"
                  for i in lines]] for x in places]
    foot = [["I alt", *[fmt.number(sum(i["fordeling"].values())) for i in lines]]]
    head = ["Dagtilbud", *[f"{i['navn']} ({i['maalgruppe_navn'].lower()})" for i in lines]]
    body = table(head, rows, numeric=range(1, len(lines) + 1), foot=foot, css="compact",
                 caption="Deltagere pr. dagtilbud")
    return Html("<section><h2>Fordeling på dagtilbud</h2>" + body + "</section>")


def rules_table(ctx: dict) -> Html:
    """Every rule opkval checks: label, status as a word, one sentence, source."""
    p = ctx.get("plan")
    if not p:
        return Html("")
    rows = [[r["navn"], status_badge(r["status"]),
             r["tekst"], Html(f'<span class="small">{esc(r["kilde"])}</span>')]
            for r in p["regler"]]
    n = p["status_antal"]
    return Html(
        "<section><h2>Puljens regler</h2>"
        f"<p>{fmt.number(n['ok'])} OK, {fmt.number(n['advarsel'])} "
        f"{'advarsel' if n['advarsel'] == 1 else 'advarsler'} og {fmt.number(n['brud'])} brud. "
        "Status er "
        "<b>OK</b> (reglen er overholdt), <b>Advarsel</b> (bør afklares) eller <b>Brud</b> "
        "(planen overholder ikke reglen, som den står).</p>"
        + table(["Regel", "Status", "Vurdering", "Kilde"], rows, css="rules",
                caption="Planen kontrolleret mod puljens regler")
        + "</section>")


def classification(ctx: dict) -> Html:
    """Each indsats's classification and every assumed date, and where the plan came from."""
    p = ctx.get("plan")
    if not p:
        return Html("")
    items = []
    for i in p["indsatser"]:
        kind = "formel uddannelse" if i["formel"] else "uformel opkvalificering"
        text = (f"<b>{esc(i['navn'])}</b>: kategori <i>{esc(i['kategori_navn'])}</i>, tæller som "
                f"{kind}.")
        if i["kategori_begrundelse"]:
            text += f" {esc(i['kategori_begrundelse'])}"
        if i["antagelser"]:
            text += " Antagelser: " + " ".join(esc(a) for a in i["antagelser"])
        items.append(text)
    formal = [v["navn"] for v in p["kategorier"].values() if v["formel"]]
    src = f" Kilde: {esc(p['kilde'])}." if p["kilde"] else ""
    return Html(
        "<section><h2>Klassifikation og antagelser</h2>"
        f"<p>Planen er læst fra <code>{esc(p['fil'])}</code> ({_plan_name(p)}, "
        f"{esc(fmt.date(p['dato']))}).{src}</p><ul>"
        + "".join(f"<li>{x}</li>" for x in items) + "</ul>"
        f'<p class="small">Formel uddannelse i reglen om '
        f'{esc(fmt.pct(ctx["regler"]["min_formel_andel"], 0))}: {esc(", ".join(formal))}. '
        "Alt andet, også administration, revision og løn, tæller i den uformelle del "
        "(opkval/config/regler.yaml).</p></section>")
