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


def _count(n: int, one: str, many: str) -> str:
    """``1, 'lokal plan', 'lokale planer'`` → ``'1 lokal plan'``; 2 → ``'2 lokale planer'``."""
    return f"{fmt.number(n)} {one if n == 1 else many}"


def title(nctx: dict) -> Html:
    return Html(
        '<header class="title">'
        f'<p class="kicker">Landsoversigt · rapportår {nctx["report_year"]}</p>'
        "<h1>Landsoversigt: opkvalificeringspuljen i alle 98 kommuner</h1>"
        f'<p class="meta">{_count(nctx["notater"], "kommunenotat", "kommunenotater")} · '
        f'{_count(nctx["planer"], "lokal plan", "lokale planer")} registreret i opkval</p>\n'
        f"{generated_line(nctx)}\n</header>")


def _breaches(plans: int, brud: int, usikre: int = 0) -> str:
    """The end of the sentence about plans, in the right number (one plan is "den"): how
    many break a rule for certain, and how many only under an uncertain classification."""
    if plans == 0:
        return "."
    unsure = ("kun under en usikker klassifikation (under den alternative overholder planen "
              "reglen)")
    if plans == 1:
        if brud:
            return "; den bryder mindst én af puljens regler."
        if usikre:
            return f"; den bryder en af puljens regler, men {unsure}."
        return "; den bryder ingen af puljens regler."
    return (f"; {fmt.number(brud)} af dem bryder mindst én af puljens regler"
            + (f", og {fmt.number(usikre)} gør det {unsure}" if usikre else "") + ".")


def summary(nctx: dict) -> Html:
    d = nctx["fordeling_pct_paedagoger"]
    rows = nctx["kommuner"]
    with_plan = [r for r in rows if r.get("har_plan")]
    brud = [r for r in with_plan if r.get("regelstatus") == "brud"
            and set(r.get("brud", [])) - set(r.get("brud_usikre", []))]
    usikre = [r for r in with_plan if (r.get("regelstatus") == "brud" or r.get("afhaenger"))
              and r not in brud]
    tilsagn = [r for r in rows if any("tilsagn" in g["grundlag"] for g in r["runder"])]
    parts = [
        f"Puljen er på {esc(_plan_round_pool(nctx))}. opkval "
        f"kender offentliggjorte tilsagn for {fmt.number(len(tilsagn))} af 98 kommuner; for "
        "resten er tilskuddet et skøn efter fordelingsnøglen.",
        f"Andelen ansat som pædagog i dagtilbud (2024) går fra {esc(fmt.pct_value(d['min']))} "
        f"til {esc(fmt.pct_value(d['max']))}; medianen er {esc(fmt.pct_value(d['median']))}, "
        f"og den midterste halvdel ligger mellem {esc(fmt.pct_value(d['q1']))} og "
        f"{esc(fmt.pct_value(d['q3']))}.",
        f"{_count(len(with_plan), 'kommune', 'kommuner')} har en lokal plan i opkval"
        + _breaches(len(with_plan), len(brud), len(usikre)),
    ]
    return Html('<section class="summary"><h2>Kort fortalt</h2>'
                + "".join(f"<p>{p}</p>" for p in parts) + "</section>")


def grants_by_key(nctx: dict) -> Html:
    rows = []
    keys = list(nctx["noegler"])
    for r in sorted(nctx["kommuner"], key=lambda r: fmt.sort_key(r["navn"])):
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
        "oversigten over alle kommuner.</p>"
        + table(head, rows, numeric=(1, 2, 3, 4), css="long")
        + "</section>")


def backtest(nctx: dict) -> Html:
    rows = [[b["pulje"], b["aar"], b["kommune"], fmt.kr(b["skoen_kr"]),
             fmt.kr(b["offentliggjort_kr"]), fmt.pct_value(b["forskel_pct"]),
             "ja" if b["inden_for_tolerance"] else "nej"] for b in nctx["backtest"]]
    return Html(
        "<section><h2>Kontrol af 0-5-nøglen</h2><p>Nøglens skøn mod alle offentliggjorte "
        "kommunebeløb, opkval kender. " + _backtest_text(nctx) + "</p>"
        + table(["Pulje", "År", "Kommune", "Skøn", "Offentliggjort", "Forskel", "Inden for "
                 "tolerance"], rows, numeric=(1, 3, 4, 5), css="compact")
        + "</section>")


def _backtest_text(nctx: dict) -> str:
    """What the backtest measured, per pool: error spread and the largest errors."""
    rows = nctx["backtest"]
    out = []
    for pulje, f in (nctx.get("backtest_fejl") or {}).items():
        if not f.get("n"):
            continue
        big = f["stoerste"][0]
        rel = max(f["stoerste"], key=lambda b: abs(b["forskel_pct"]))
        out.append(
            f"{esc(pulje)}: {fmt.number(f['n'])} offentliggjorte beløb; den typiske fejl "
            f"(medianen af de absolutte fejl) er {esc(fmt.kr(f['median_abs_kr']))} "
            f"({esc(fmt.pct_value(f['median_abs_pct']))}), den største "
            f"{esc(big['kommune'])} {esc(big['periode'].replace('-', '–'))} "
            f"{esc(fmt.signed_kr(big['forskel_kr']))} "
            f"({esc(fmt.pct_value(big['forskel_pct']))}), den største i procent "
            f"{esc(rel['kommune'])} {esc(fmt.pct_value(rel['forskel_pct']))}; "
            f"{fmt.number(f['inden_for_afrunding'])} af {fmt.number(f['n'])} ligger inden for "
            f"±{esc(fmt.kr(f['afrunding_kr']))}, {fmt.number(f['inden_for_tolerance'])} inden "
            "for tolerancen.")
    for b in rows:
        if "-" in b.get("periode", ""):
            out.append(f"{esc(b['kommune'])} modtog {esc(fmt.kr(b['offentliggjort_kr']))} for "
                       f"{esc(b['periode'].replace('-', '–'))} samlet; nøglen giver "
                       f"{esc(fmt.kr(b['skoen_kr']))} ({esc(fmt.pct_value(b['forskel_pct']))}).")
    off: dict[str, list[dict]] = {}
    for b in rows:
        if b["pulje"] == "Opkvalificeringspuljen" and not b["inden_for_tolerance"]:
            off.setdefault(b["kommune"], []).append(b)
    for navn, bs in off.items():
        ratio = sum(b["offentliggjort_kr"] for b in bs) / sum(b["skoen_kr"] for b in bs)
        out.append(f"{esc(navn)}s tilsagn fra opkvalificeringspuljen er "
                   f"{esc(fmt.pct(ratio, 0))} af nøglens skøn, og ingen kilde forklarer hvorfor.")
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
        f"normeringen {nctx['normering_aar']}). Tallene for alle 98 kommuner følger med "
        "landsoversigten i maskinlæsbar form.</p>"
        + table(["#", "Kommune", "Kommunegruppe", "Pædagoger", "Personale (skøn)",
                 f"Procentpoint til {two_pct}", f"Personer til {two_pct}",
                 f"Personer til {bupl_pct}"], body,
                numeric=(0, 3, 4, 5, 6, 7), css="compact")
        + "</section>")


def _risk_cell(r: dict) -> str:
    """The plan's money at risk; a range (two grant estimates) is labelled as an estimate."""
    lo, hi = sorted(r.get("risiko_interval_kr") or [r.get("tilbagebetalingsrisiko_kr", 0)] * 2)
    return fmt.kr(hi) if lo == hi else f"{fmt.number(lo)}–{fmt.kr(hi)} (skøn)"


def plans(nctx: dict) -> Html:
    rows = [r for r in nctx["kommuner"] if r.get("har_plan")]
    if not rows:
        return Html("<section><h2>Lokale planer</h2><p>Ingen kommuner har registreret en "
                    "lokal plan i opkval endnu.</p></section>")
    body = [[r["navn"], fmt.number(r.get("indsatser", 0)), fmt.number(r.get("deltagere") or 0),
             status_badge(r["regelstatus"]),
             ", ".join([*(f"{b} (usikker klassifikation)" if b in r.get("brud_usikre", [])
                          else b for b in r.get("brud", [])),
                        *(f"{b} (afhænger af klassifikationen)"
                          for b in r.get("afhaenger", []))]) or "–",
             _risk_cell(r)] for r in rows]
    return Html(
        "<section><h2>Lokale planer og regler</h2>"
        + table(["Kommune", "Indsatser", "Deltagere", "Samlet status", "Brudte regler",
                 "Risiko for tilbagebetaling"], body, numeric=(1, 2, 5))
        + "</section>")


def footer(nctx: dict) -> Html:
    return Html(f'<footer class="manifest">{manifest_lines(nctx["manifest"])}</footer>')
