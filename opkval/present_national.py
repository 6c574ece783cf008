"""Sections of the national overview (landsoversigt), in Danish, from its context."""

from __future__ import annotations

from opkval import fmt
from opkval.domain import ROLE_LOKAL_PLAN
from opkval.present import (
    Html,
    _span,
    esc,
    generated_line,
    manifest_lines,
    pool_amounts_text,
    round_with_role,
    status_badge,
    table,
)


def _plan_round_pool(nctx: dict) -> str:
    """The pool in the years of the round that requires a local plan, in words."""
    r = round_with_role(nctx, ROLE_LOKAL_PLAN)
    amounts = {str(y): nctx["pulje"]["beloeb_kr"][str(y)] for y in r["aar"]}
    if len(set(amounts.values())) == 1:
        return f"{fmt.mio_kr(next(iter(amounts.values())))} om året i {_span(r['aar'])}"
    return pool_amounts_text(amounts)


def title(nctx: dict) -> Html:
    return Html(
        '<header class="title">'
        f'<p class="kicker">Landsoversigt · rapportår {nctx["report_year"]}</p>'
        "<h1>Opkvalificeringspuljen – alle 98 kommuner</h1>"
        f'<p class="meta">{fmt.number(nctx["notater"])} kommunenotater · '
        f'{fmt.number(nctx["planer"])} lokale planer '
        "registreret i opkval</p>\n"
        f"{generated_line(nctx)}\n</header>")


def summary(nctx: dict) -> Html:
    d = nctx["fordeling_pct_paedagoger"]
    rows = nctx["kommuner"]
    with_plan = [r for r in rows if r.get("har_plan")]
    brud = [r for r in with_plan if r.get("regelstatus") == "brud"]
    tilsagn = [r for r in rows if any("tilsagn" in g["grundlag"] for g in r["runder"])]
    parts = [
        f"Puljen er på {esc(_plan_round_pool(nctx))}. opkval "
        f"kender offentliggjorte tilsagn for {fmt.number(len(tilsagn))} af 98 kommuner; for "
        "resten er tilskuddet et skøn efter fordelingsnøglen.",
        f"Andelen ansat som pædagog i dagtilbud (2024) går fra {esc(fmt.pct_value(d['min']))} "
        f"til {esc(fmt.pct_value(d['max']))}; medianen er {esc(fmt.pct_value(d['median']))}, "
        f"og den midterste halvdel ligger mellem {esc(fmt.pct_value(d['q1']))} og "
        f"{esc(fmt.pct_value(d['q3']))}.",
        f"{fmt.number(len(with_plan))} {'kommune' if len(with_plan) == 1 else 'kommuner'} har "
        "en lokal plan i opkval"
        + (f"; {fmt.number(len(brud))} af {'den' if len(with_plan) == 1 else 'dem'} bryder "
           "mindst én af puljens regler." if with_plan else "."),
    ]
    return Html('<section class="summary"><h2>Kort fortalt</h2>'
                + "".join(f"<p>{p}</p>" for p in parts) + "</section>")


def grants_by_key(nctx: dict) -> Html:
    rows = []
    keys = list(nctx["noegler"])
    for r in sorted(nctx["kommuner"], key=lambda r: r["navn"]):
        est = r["skoen_kr"]
        spread = (max(est.values()) - min(est.values())) / est["age_0_5"]
        rows.append([r["navn"], *(fmt.kr(est[k]) for k in keys), fmt.pct(spread, 0)])
    head = ["Kommune", *(nctx["noegler"][k].replace("andel af ", "").capitalize()
                         for k in keys), "Spænd"]
    year, plan_round = nctx["skoen_aar"], round_with_role(nctx, ROLE_LOKAL_PLAN)
    return Html(
        f"<section><h2>Tilskud {year} efter fordelingsnøgle</h2>"
        f"<p>Skøn for puljen i {year} ({esc(fmt.mio_kr(nctx['skoen_pulje_kr']))}) efter hver "
        "nøgle, fordelt med største rest, så de 98 beløb summerer præcist til puljen. Spænd: "
        "forskellen mellem største og mindste skøn i procent af 0-5-nøglens skøn. Tilskuddet "
        f"for hele {esc(plan_round['kort'].lower())}, som kommunens notat viser det, står i "
        "index.html.</p>"
        + table(head, rows, numeric=(1, 2, 3, 4), css="long")
        + "</section>")


def backtest(nctx: dict) -> Html:
    rows = [[b["pulje"], b["aar"], b["kommune"], fmt.kr(b["skoen_kr"]),
             fmt.kr(b["offentliggjort_kr"]), fmt.pct_value(b["forskel_pct"]),
             "ja" if b["inden_for_tolerance"] else "nej"] for b in nctx["backtest"]]
    return Html(
        "<section><h2>Kontrol af 0-5-nøglen</h2><p>Nøglens skøn mod alle offentliggjorte "
        "kommunebeløb, opkval kender. " + _backtest_verdict(nctx["backtest"]) + "</p>"
        + table(["Pulje", "År", "Kommune", "Skøn", "Offentliggjort", "Forskel", "Inden for "
                 "tolerance"], rows, numeric=(1, 3, 4, 5), css="compact")
        + "</section>")


def _backtest_verdict(rows: list[dict]) -> str:
    """What the backtest rows show, per pool: how many inside the tolerance, who is not."""
    out = []
    for pulje in dict.fromkeys(b["pulje"] for b in rows):
        own = [b for b in rows if b["pulje"] == pulje]
        inside = sum(b["inden_for_tolerance"] for b in own)
        outside = sorted({b["kommune"] for b in own if not b["inden_for_tolerance"]})
        text = (f"{esc(pulje)}: {fmt.number(inside)} af {fmt.number(len(own))} "
                f"offentliggjorte beløb ligger inden for tolerancen")
        if outside:
            text += f" (uden for: {esc(fmt.and_list(outside))})"
        out.append(text + ".")
    return " ".join(out)


def gaps(nctx: dict, n: int = 15) -> Html:
    rows = sorted(nctx["kommuner"], key=lambda r: -r["gap_personer_to_tredjedele"])
    body = [[fmt.number(i + 1), r["navn"], r["kommunegruppe"], fmt.pct_value(r["pct_paedagoger"]),
             fmt.number(r["personale"]), fmt.number(r["gap_pp_to_tredjedele"], 1),
             fmt.number(r["gap_personer_to_tredjedele"]),
             fmt.number(r["gap_personer_bupl_80"])] for i, r in enumerate(rows[:n])]
    # The two targets the columns measure against (maal.yaml, by id).
    two, bupl = nctx["maal"]["to_tredjedele"], nctx["maal"]["bupl_80"]
    two_pct, bupl_pct = (fmt.pct_value(t["andel_paedagoger_pct"]) for t in (two, bupl))
    return Html(
        f"<section><h2>Største afstand til målene ({fmt.number(n)} kommuner)</h2><p>Afstand i "
        f"personer fra andelen ansat som pædagog (2024) til {esc(two['navn'].lower())} og til "
        f"{esc(bupl['navn'])}, med det skønnede pædagogiske personale (indskrevne børn delt med "
        f"normeringen {nctx['normering_aar']}). Alle 98 står i landsoversigt.json.</p>"
        + table(["#", "Kommune", "Kommunegruppe", "Pædagoger", "Personale (skøn)",
                 f"Procentpoint til {two_pct}", f"Personer til {two_pct}",
                 f"Personer til {bupl_pct}"], body,
                numeric=(0, 3, 4, 5, 6, 7), css="compact")
        + "</section>")


def plans(nctx: dict) -> Html:
    rows = [r for r in nctx["kommuner"] if r.get("har_plan")]
    if not rows:
        return Html("<section><h2>Lokale planer</h2><p>Ingen kommuner har registreret en "
                    "lokal plan i opkval endnu (data/plans/).</p></section>")
    body = [[r["navn"], fmt.number(r.get("indsatser", 0)), fmt.number(r.get("deltagere") or 0),
             status_badge(r["regelstatus"]),
             ", ".join(r.get("brud", [])) or "–",
             fmt.kr(r.get("tilbagebetalingsrisiko_kr", 0))] for r in rows]
    return Html(
        "<section><h2>Lokale planer og regler</h2>"
        + table(["Kommune", "Indsatser", "Deltagere", "Samlet status", "Brudte regler",
                 "Risiko for tilbagebetaling"], body, numeric=(1, 2, 5))
        + "</section>")


def footer(nctx: dict) -> Html:
    return Html(f'<footer class="manifest">{manifest_lines(nctx["manifest"])}</footer>')
