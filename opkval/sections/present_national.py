"""Sections of the national overview (landsoversigt), in Danish, from its context, as document
blocks (:mod:`opkval.base.doc`): the writers make HTML, Word and PDF of them, and in a notebook each
block shows itself as HTML.

The first page holds what a KL or ministry analyst asks first (issue 22): the national totals,
what the pool can buy against the gap, the estimates' range, the 2026 one-off lift and how many
kommuner have a plan for the round that requires one. Distributions and rankings are in
percentage points and per 1.000 children, not in persons (persons rank by size).
"""

from __future__ import annotations

from opkval.base import fmt
from opkval.base.doc import Box, BulletList, Heading, Paragraph, Run, Section, Table, b
from opkval.base.domain import ROLE_LOKAL_PLAN, STATUS_DA, STATUS_RANK
from opkval.sections.present import _span, pool_amounts_text, round_with_role, status_run

#: The targets the overview measures against, in this order (maal.yaml ids).
TARGETS = ("to_tredjedele", "bupl_80")


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


def _approx(n: float) -> str:
    """An estimate in persons, to the hundred: ``60515.8`` → ``'ca. 60.500'``."""
    return "ca." + fmt.NBSP + fmt.number(round(n, -2) if abs(n) >= 1000 else round(n))


def _goal(nctx: dict, tid: str) -> str:
    t = nctx["maal"][tid]
    pct = t["andel_paedagoger_pct"]
    return fmt.pct_value(pct, 0 if pct % 1 == 0 else 1)


def _targets(nctx: dict) -> list[str]:
    return [t for t in TARGETS if t in nctx["maal"]]


def title(nctx: dict) -> Section:
    return Section([
        Paragraph(f"Landsoversigt · rapportår {nctx['report_year']}", role="kicker"),
        Heading(1, "Landsoversigt: opkvalificeringspuljen i alle 98 kommuner"),
        Paragraph(f"{_count(nctx['notater'], 'kommunenotat', 'kommunenotater')} · "
                  f"{_count(nctx['planer'], 'lokal plan', 'lokale planer')} registreret",
                  role="meta"),
        Paragraph(f"Dannet {fmt.datetime(nctx['generated_at'])}", role="generated"),
    ], role="title")


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


def _depends(with_plan: list[dict]) -> str:
    """Plans whose worst verdict flips on one classification (afhaenger), counted apart."""
    n = sum(bool(r.get("afhaenger")) or "afhaenger" in (r.get("regler_status") or {}).values()
            for r in with_plan)
    if not n:
        return ""
    return (f" For {_count(n, 'plan', 'planer')} afhænger en regel af en klassifikation: brud "
            "under den ene læsning, overholdt under den anden.")


def _totals_table(nctx: dict) -> Table:
    t = nctx["landstal"]
    rows = [
        ["Børn 0–5 år (1. januar 2021)", fmt.number(t["boern_0_5"]), ""],
        ["Indskrevne børn i kommunal dagpleje og daginstitution (2024)",
         fmt.number(t["boern_indskrevet"]), ""],
        ["Pædagogisk personale (skøn)", _approx(t["personale"]), "personer"],
        ["Heraf ansat som pædagog (skøn)", _approx(t["paedagoger"]),
         f"{fmt.pct_value(t['andel_pct'])} af personalet"],
    ]
    for tid in _targets(nctx):
        g = t["maal"][tid]
        rows.append([f"Afstand til målet »{nctx['maal'][tid]['navn']}« (skøn)",
                     _approx(g["gap_personer"]),
                     f"personer; {fmt.number(g['gap_pr_1000_boern'], 1)} pr. 1.000 børn; "
                     f"{fmt.number(g['gap_pp'], 1)} procentpoint"])
    return Table(["Hele landet", "Antal", "Note"], rows, numeric=(1,), role="compact",
                 caption="Landstal: børn, personale og afstand til målene")


def _reach_sentence(nctx: dict) -> str:
    """What the round that requires a plan could buy against the gap, at typical fees."""
    reach = nctx["puljens_raekkevidde"]
    fees = [p for p in reach["priser"] if p["grundlag"] == "gebyr"]
    plan = [p for p in reach["priser"] if p["grundlag"] == "plan"]
    if not fees:
        return ""
    lo, hi = min(p["pladser"]["runde"] for p in fees), max(p["pladser"]["runde"] for p in fees)
    fee_lo, fee_hi = min(p["pris_kr"] for p in fees), max(p["pris_kr"] for p in fees)
    two = nctx["landstal"]["maal"].get("to_tredjedele")
    text = (f"{reach['runde_kort']} ({fmt.mio_kr(reach['pulje_kr']['runde'])}) kan betale "
            f"{fmt.number(lo)}–{fmt.number(hi)} meritpladser ved den typiske deltagerbetaling "
            f"({fmt.number(fee_lo)}–{fmt.kr(fee_hi)} for hele uddannelsen)")
    if plan:
        text += (f", eller {fmt.number(plan[0]['pladser']['runde'])}, hvis en plads koster "
                 f"{fmt.kr(plan[0]['pris_kr'])} som i den eneste kendte offentliggjorte plan")
    text += "."
    if two:
        text += (f" Afstanden til to tredjedele er {_approx(two['gap_personer'])} personer.")
    bupl = nctx["landstal"]["maal"].get("bupl_80")
    if bupl and reach["medhjaelpere"] < bupl["gap_personer"]:
        text += (f" Der er {_approx(reach['medhjaelpere'])} pædagogmedhjælpere (skøn), færre "
                 f"end afstanden til {_goal(nctx, 'bupl_80')}.")
    return text


def _range_sentence(nctx: dict) -> str:
    """How many amounts are estimates, and their range where the notes give one."""
    parts = []
    for r in nctx.get("skoen_interval", []):
        part = (f"{r['kort'].lower()}: {fmt.number(r['skoen'])} af 98 er skøn")
        if r["med_interval"]:
            lo, hi = r["andel_lav_median"], r["andel_hoej_median"]
            part += (f", typisk med et spænd fra {fmt.pct(lo, 0)} til {fmt.pct(hi, 0)} af "
                     "skønnet, median over kommunerne")
        parts.append(part)
    if not parts:
        return ""
    text = "Tilskuddene efter fordelingsnøglen er skøn, ikke tilsagn (" + "; ".join(parts) + ")."
    if not any(r["med_interval"] for r in nctx.get("skoen_interval", [])):
        text += (" Skønnenes spænd er ikke beregnet i denne kørsel; nøglekontrollen nedenfor "
                 "viser, hvor langt et skøn kan ligge fra et tilsagn.")
    else:
        text += " Hver kommunes spænd står i regnearket."
    return text


def _lift_sentence(nctx: dict) -> str:
    e = nctx["pulje"]["engangsloeft"]
    if e["beloeb_kr"] is not None:
        return (f"Finansloven giver et engangsløft på {fmt.mio_kr(e['beloeb_kr'])} i "
                f"{e['aar']}; det indgår i tallene.")
    return (f"Finansloven for {e['aar']} giver puljen et engangsløft i {e['aar']}. Størrelsen er "
            f"ukendt, så alle tal for {e['aar']} er uden løftet.")


def _coverage_sentence(nctx: dict) -> str:
    c = nctx["plan_daekning"]
    rnd = next(r for r in nctx["runder"] if r["id"] == c["runde_id"])
    text = (f"{fmt.number(c['daekker_runde'])} af {fmt.number(c['kommuner'])} kommuner har en "
            f"lokal plan for {rnd['kort'].lower()} i datagrundlaget. Planen er betingelsen "
            f"for udbetalingen i {min(rnd['aar'])}.")
    if c["kun_tidligere"]:
        names = fmt.and_list(c["navne_kun_tidligere"])
        text += (f" {_count(c['kun_tidligere'], 'kommune', 'kommuner')} ({names}) har kun en "
                 "plan fra før rundens vilkår.")
    return text


def summary(nctx: dict) -> Box:
    """Page 1: totals, what the pool buys, the estimates' range, the lift, plan coverage."""
    d = nctx["fordeling_pct_paedagoger"]
    rows = nctx["kommuner"]
    with_plan = [r for r in rows if r.get("har_plan")]
    brud = [r for r in with_plan if r.get("regelstatus") == "brud"
            and set(r.get("brud", [])) - set(r.get("brud_usikre", []))]
    usikre = [r for r in with_plan if r.get("regelstatus") == "brud" and r not in brud]
    tilsagn = [r for r in rows if any("tilsagn" in g["grundlag"] for g in r["runder"])]
    items = [
        [b("Penge: "), f"Puljen er på {_plan_round_pool(nctx)}. {_lift_sentence(nctx)}"],
        [b("Hvad puljen kan købe: "), _reach_sentence(nctx)],
        [b("Skøn: "), f"Der er kendte, offentliggjorte tilsagn for {fmt.number(len(tilsagn))} "
         f"af 98 kommuner. {_range_sentence(nctx)}"],
        [b("Planer: "), _coverage_sentence(nctx) + " "
         + f"{_count(len(with_plan), 'kommune', 'kommuner')} har en lokal plan i datagrundlaget"
         + _breaches(len(with_plan), len(brud), len(usikre)) + _depends(with_plan)],
        [b("Spredning: "), f"Andelen ansat som pædagog (2024) går fra {fmt.pct_value(d['min'])} "
         f"til {fmt.pct_value(d['max'])}; medianen er {fmt.pct_value(d['median'])}, og den "
         f"midterste halvdel ligger mellem {fmt.pct_value(d['q1'])} og "
         f"{fmt.pct_value(d['q3'])}."],
    ]
    return Box([Heading(2, "Kort fortalt"), _totals_table(nctx), BulletList(items)])


def distances(nctx: dict) -> Section:
    """How many kommuner are how far from each target, in percentage points."""
    bounds = nctx["afstand_intervaller_pp"]
    labels = ["nået"]
    for lo, hi in zip([0, *bounds], [*bounds, None], strict=True):
        labels.append(f"under {fmt.number(hi)}" if lo == 0 else
                      f"{fmt.number(lo)} eller mere" if hi is None else
                      f"{fmt.number(lo)}–{fmt.number(hi)}")
    rows = [[f"Til {_goal(nctx, tid)}", *(fmt.number(c["antal"]) for c in nctx["afstand"][tid])]
            for tid in _targets(nctx)]
    nearest = min((r for r in nctx["kommuner"]), key=lambda r: r["gap_pp_to_tredjedele"])
    return Section([
        Heading(2, "Hvor tæt er kommunerne på målene?"),
        Paragraph("Antal kommuner efter afstanden fra andelen ansat som pædagog (2024) til "
                  "målet, i procentpoint. Ingen kommune har nået målene; den nærmeste er "
                  f"{nearest['navn']} med {fmt.pct_value(nearest['pct_paedagoger'])}, "
                  f"{fmt.number(nearest['gap_pp_to_tredjedele'], 1)} procentpoint fra to "
                  "tredjedele." if not any(nctx["afstand"][t][0]["antal"]
                                           for t in _targets(nctx)) else
                  "Antal kommuner efter afstanden fra andelen ansat som pædagog (2024) til "
                  "målet, i procentpoint."),
        Table(["Mål", *(f"{x} (pp)" if i else x for i, x in enumerate(labels))], rows,
              numeric=tuple(range(1, len(labels) + 1)), role="compact",
              caption="Kommuner efter afstand til målet (procentpoint)"),
    ])


def _rank_rows(rows: list[dict], nctx: dict) -> list[list]:
    out = []
    for i, r in enumerate(rows):
        out.append([fmt.number(i + 1), r["navn"], r["kommunegruppe"],
                    fmt.pct_value(r["pct_paedagoger"]),
                    *(x for tid in _targets(nctx) for x in (
                        fmt.number(r[f"gap_pp_{tid}"], 1),
                        fmt.number(r.get(f"gap_pr_1000_boern_{tid}"), 1)))])
    return out


def gaps(nctx: dict, n: int = 15) -> Section:
    """The kommuner furthest from and nearest to two thirds, in points and per 1.000 children
    (a ranking in persons would rank by size)."""
    ranked = sorted(nctx["kommuner"], key=lambda r: (-r["gap_pp_to_tredjedele"],
                                                     fmt.sort_key(r["navn"])))
    head = ["#", "Kommune", "Kommunegruppe", "Pædagoger",
            *(x for tid in _targets(nctx) for x in (f"Til {_goal(nctx, tid)} (pp)",
                                                     f"Til {_goal(nctx, tid)} pr. 1.000 børn"))]
    num = (0, *range(3, len(head)))
    return Section([
        Heading(2, f"Længst fra og tættest på målene ({fmt.number(n)} kommuner hver)"),
        Paragraph("Afstanden fra andelen ansat som pædagog (2024) til målene i procentpoint og i "
                  "personer pr. 1.000 indskrevne børn, så store og små kommuner kan "
                  f"sammenlignes. Personer er et skøn (indskrevne børn ÷ normeringen "
                  f"{nctx['normering_aar']}). Alle 98 kommuner står i regnearket og CSV-filen, "
                  "der følger med landsoversigten."),
        Table(head, _rank_rows(ranked[:n], nctx), numeric=num, role="compact",
              caption="Længst fra to tredjedele"),
        Table(head, _rank_rows(list(reversed(ranked))[:n], nctx), numeric=num, role="compact",
              caption="Tættest på to tredjedele"),
    ])


def groups(nctx: dict) -> Section:
    """Region and kommunegruppe: the share weighted by staff, the median, the gap per target
    in points and per 1.000 children (persons are in the context and the spreadsheet)."""
    blocks: list = [Heading(2, "Regioner og kommunegrupper"), Paragraph(
        "Andelen ansat som pædagog vægtet med personalet (alle gruppens pædagoger ÷ hele "
        "gruppens personale) og medianen over kommunerne. Afstanden er fra den vægtede andel, "
        "i procentpoint og i personer pr. 1.000 indskrevne børn (et skøn); kommuner over målet "
        "modregnes ikke.")]
    for level, name in (("region", "Region"), ("kommunegruppe", "Kommunegruppe")):
        rows = [[g["navn"].replace("Region ", ""), fmt.number(g["n"]),
                 fmt.number(g["boern_indskrevet"]), fmt.pct_value(g["andel_pct"]),
                 fmt.pct_value(g["median_pct"]),
                 *(x for tid in _targets(nctx) for x in (
                     fmt.number(g["maal"][tid]["gap_pp"], 1),
                     fmt.number(g["maal"][tid]["gap_pr_1000_boern"], 1)))]
                for g in sorted(nctx["grupper"][level], key=lambda g: fmt.sort_key(g["navn"]))]
        head = [name, "Kommuner", "Indskrevne børn", "Pædagoger (vægtet)", "Median",
                *(x for tid in _targets(nctx) for x in (
                    f"Til {_goal(nctx, tid)} (pp)", "pr. 1.000 børn"))]
        blocks.append(Table(head, rows, numeric=tuple(range(1, len(head))), role="compact",
                            caption=f"{name}: pædagogandel og afstand til målene"))
    return Section(blocks)


def pool_reach(nctx: dict) -> Section:
    """What the pool could buy against the gap, at each price, with sources."""
    reach = nctx["puljens_raekkevidde"]
    t = nctx["landstal"]["maal"]
    rnd = f"{reach['runde_kort']} ({_span(reach['runde_aar'])})"
    whole = f"Hele puljen ({nctx['pulje']['first_year']}–{nctx['pulje']['last_year']})"
    head = ["Pris pr. meritplads", f"Pladser: {rnd.lower()}", f"Pladser: {whole.lower()}",
            *(f"Andel af afstanden til {_goal(nctx, tid)}" for tid in _targets(nctx))]
    rows = []
    for p in reach["priser"]:
        what = "typisk deltagerbetaling" if p["grundlag"] == "gebyr" else "offentliggjort plan"
        rows.append([f"{fmt.kr(p['pris_kr'])} ({what})", fmt.number(p["pladser"]["runde"]),
                     fmt.number(p["pladser"]["hele"]),
                     *(fmt.pct(p["andel_af_gap"]["runde"][tid], 0) for tid in _targets(nctx))])
    sources = {}
    for p in reach["priser"]:
        sources.setdefault(p["enhed"], p["kilde"])
    return Section([
        Heading(2, "Hvad puljen kan købe mod afstanden"),
        Paragraph(f"Hvis alle midler gik til meritpædagoger: pladser ved hver pris, og hvor stor "
                  f"en del af afstanden til målene pladserne i {rnd.lower()} svarer til "
                  f"(afstand {_approx(t['to_tredjedele']['gap_personer'])} og "
                  f"{_approx(t['bupl_80']['gap_personer'])} personer). "
                  "Deltagerbetalingen er kun uddannelsens pris; betaler puljen også løn eller "
                  "vikar, rækker pengene til færre, som i den offentliggjorte plan. Puljen skal "
                  "også betale anden formel og uformel opkvalificering, og meritpædagoger kommer "
                  f"fra de ca. {fmt.number(round(reach['medhjaelpere'], -2))} "
                  "pædagogmedhjælpere (skøn). Beløbene er uden engangsløftet."
                  if "bupl_80" in t and "to_tredjedele" in t else
                  "Hvis alle midler gik til meritpædagoger: pladser ved hver pris."),
        Table(head, rows, numeric=tuple(range(1, len(head))), role="compact",
              caption="Meritpladser for puljens midler"),
        Paragraph("Kilder: " + "; ".join(f"{k}: {v}" for k, v in sources.items()) + ".",
                  role="small"),
    ])


def grants_by_key(nctx: dict) -> Section:
    rows = []
    keys = list(nctx["noegler"])
    for r in sorted(nctx["kommuner"], key=lambda r: fmt.sort_key(r["navn"])):
        est = r["skoen_kr"]
        spread = (max(est.values()) - min(est.values())) / est["age_0_5"]
        rows.append([r["navn"], *(fmt.kr(est[k]) for k in keys), fmt.pct(spread, 0)])
    head = ["Kommune", *(nctx["noegler"][k].replace("andel af ", "").capitalize()
                         for k in keys), "Spænd"]
    year, plan_round = nctx["skoen_aar"], round_with_role(nctx, ROLE_LOKAL_PLAN)
    return Section([
        Heading(2, f"Tilskud {year} efter fordelingsnøgle"),
        Paragraph(f"Skøn for puljen i {year} ({fmt.mio_kr(nctx['skoen_pulje_kr'])}) efter hver "
                  "nøgle, fordelt med største rest, så de 98 beløb summerer præcist til puljen. "
                  "Spænd: forskellen mellem største og mindste skøn i procent af 0-5-nøglens "
                  f"skøn. Tilskuddet for hele {plan_round['kort'].lower()}, som kommunens notat "
                  "viser det, står i oversigten over alle kommuner."),
        Table(head, rows, numeric=(1, 2, 3, 4), role="long"),
    ])


def backtest(nctx: dict) -> Section:
    rows = [[b_["pulje"], b_["aar"], b_["kommune"], fmt.kr(b_["skoen_kr"]),
             fmt.kr(b_["offentliggjort_kr"]), fmt.pct_value(b_["forskel_pct"]),
             "ja" if b_["inden_for_tolerance"] else "nej"] for b_ in nctx["backtest"]]
    return Section([
        Heading(2, "Kontrol af 0-5-nøglen"),
        Paragraph("Nøglens skøn mod alle kendte, offentliggjorte kommunebeløb. "
                  + _backtest_text(nctx)),
        Table(["Pulje", "År", "Kommune", "Skøn", "Offentliggjort", "Forskel",
               "Inden for tolerance"], rows, numeric=(1, 3, 4, 5), role="compact"),
    ])


def _backtest_text(nctx: dict) -> str:
    """What the backtest measured, per pool: error spread and the largest errors."""
    rows = nctx["backtest"]
    out = []
    for pulje, f in (nctx.get("backtest_fejl") or {}).items():
        if not f.get("n"):
            continue
        big = f["stoerste"][0]
        rel = max(f["stoerste"], key=lambda x: abs(x["forskel_pct"]))
        out.append(
            f"{pulje}: {fmt.number(f['n'])} offentliggjorte beløb; den typiske fejl "
            f"(medianen af de absolutte fejl) er {fmt.kr(f['median_abs_kr'])} "
            f"({fmt.pct_value(f['median_abs_pct'])}), den største "
            f"{big['kommune']} {big['periode'].replace('-', '–')} "
            f"{fmt.signed_kr(big['forskel_kr'])} ({fmt.pct_value(big['forskel_pct'])}), den "
            f"største i procent {rel['kommune']} {fmt.pct_value(rel['forskel_pct'])}; "
            f"{fmt.number(f['inden_for_afrunding'])} af {fmt.number(f['n'])} ligger inden for "
            f"±{fmt.kr(f['afrunding_kr'])}, {fmt.number(f['inden_for_tolerance'])} inden "
            "for tolerancen.")
    for x in rows:
        if "-" in x.get("periode", ""):
            out.append(f"{x['kommune']} modtog {fmt.kr(x['offentliggjort_kr'])} for "
                       f"{x['periode'].replace('-', '–')} samlet; nøglen giver "
                       f"{fmt.kr(x['skoen_kr'])} ({fmt.pct_value(x['forskel_pct'])}).")
    off: dict[str, list[dict]] = {}
    for x in rows:
        if x["pulje"] == "Opkvalificeringspuljen" and not x["inden_for_tolerance"]:
            off.setdefault(x["kommune"], []).append(x)
    for navn, xs in off.items():
        ratio = sum(x["offentliggjort_kr"] for x in xs) / sum(x["skoen_kr"] for x in xs)
        out.append(f"{navn}s tilsagn fra opkvalificeringspuljen er "
                   f"{fmt.pct(ratio, 0)} af nøglens skøn, og ingen kilde forklarer hvorfor.")
    return " ".join(out)


def _risk_cell(r: dict) -> str:
    """The plan's money at risk; a range (two grant estimates) is labelled as an estimate."""
    lo, hi = sorted(r.get("risiko_interval_kr") or [r.get("tilbagebetalingsrisiko_kr", 0)] * 2)
    return fmt.kr(hi) if lo == hi else f"{fmt.number(lo)}–{fmt.kr(hi)} (skøn)"


def _status_counts(nctx: dict) -> str:
    """The rules' verdicts over all plans, every status apart (afhænger too)."""
    counts = (nctx.get("status_antal") or {}).get("regler") or {}
    parts = [f"{STATUS_DA[s].lower()}: {fmt.number(counts[s])}"
             for s in sorted(STATUS_RANK, key=STATUS_RANK.get, reverse=True) if counts.get(s)]
    return ("Regeltjek i alt over planerne (" + "; ".join(parts) + ").") if parts else ""


def plans(nctx: dict) -> Section:
    rows = [r for r in nctx["kommuner"] if r.get("har_plan")]
    if not rows:
        return Section([Heading(2, "Lokale planer og regler"), Paragraph(
            "Ingen kommuner har en lokal plan i datagrundlaget endnu.")])
    plan_round = (round_with_role(nctx, ROLE_LOKAL_PLAN) if nctx.get("runder")
                  else {"id": None, "kort": "anden runde"})
    body = [[r["navn"], fmt.number(r.get("indsatser", 0)), fmt.number(r.get("deltagere") or 0),
             ("–" if "plan_runder" not in r else
              "ja" if plan_round["id"] in r["plan_runder"] else "nej"),
             [status_run(r["regelstatus"])],
             ", ".join([*(f"{x} (usikker klassifikation)" if x in r.get("brud_usikre", [])
                          else x for x in r.get("brud", [])),
                        *(f"{x} (afhænger af klassifikationen)"
                          for x in r.get("afhaenger", []))]) or "–",
             _risk_cell(r)] for r in rows]
    counts = _status_counts(nctx)
    return Section([
        Heading(2, "Lokale planer og regler"),
        *([Paragraph(counts)] if counts else []),
        Table(["Kommune", "Indsatser", "Deltagere", f"Plan for {plan_round['kort'].lower()}",
               "Samlet status", "Brudte regler", "Risiko for tilbagebetaling"], body,
              numeric=(1, 2, 6)),
    ])


def footer(nctx: dict) -> Section:
    m = nctx["manifest"]
    git = m["git"]
    commit = git["commit"][:12] + (" (med lokale ændringer)" if git.get("dirty") else "")
    files: list = []
    for i, (p, h) in enumerate(m["inputs"].items()):
        files += ([", "] if i else []) + [f"{p.split('/')[-1]} ", Run(h[:12], code=True)]
    return Section([
        Paragraph(f"Dannet med opkval {m['opkval']}, commit ", Run(commit, code=True), "."),
        Paragraph("Inputfiler (SHA-256, første 12 tegn): ", files, "."),
    ], role="manifest")
