"""The analysis's section on what the money not yet planned could buy (``ctx["muligheder"]``,
:mod:`opkval.engine.options`), as document blocks (:mod:`opkval.base.doc`).

Each option is a scenario the council can ask for: the section names the ``make report``
command with ``EXTRA=`` that builds that scenario note (an analyst's detail: this section goes
in the analysis, not the bilag). Where all the money is planned, the section says so in one
line.
"""

from __future__ import annotations

from opkval.base import fmt
from opkval.base.doc import BulletList, Heading, Paragraph, Run, Section, Table, b

TITLE = "Hvad de ikke planlagte midler kan købe"
UNIT = {"diplommodul": "moduler"}
WHY = {"ingen_plan": "opkval kender ingen lokal plan for kommunen",
       "plan_foer_runden": "planen er skrevet før rundens vilkår og planlægger den ikke",
       "plan_bruger_ikke_alt": "planen bruger ikke hele beløbet"}
PRICE = {"gebyr": "typisk deltagerbetaling", "egen_plan": "som kommunens egen plan",
         "plan": "som en offentliggjort plan"}
#: The price in a scenario's label ("Meritpædagog til ..."): a noun phrase, so the label
#: reads as Danish ("til prisen i kommunens egen plan", not "til som kommunens egen plan").
PRICE_AS_NOUN = {"gebyr": "typisk deltagerbetaling",
                 "egen_plan": "prisen pr. deltager i kommunens egen plan",
                 "plan": "prisen pr. deltager i en offentliggjort plan"}


def _kr_range(lo: int, hi: int) -> str:
    return fmt.kr(lo) if lo == hi else f"{fmt.number(lo)}–{fmt.kr(hi)}"


def _amount(rnd: dict) -> str:
    """The money not planned: exact for a tilsagn, rounded with its range for an estimate."""
    lo, hi = rnd["interval_kr"]
    if not rnd["skoen"]:
        return fmt.kr(rnd["ikke_planlagt_kr"])
    return (fmt.approx_kr_range(lo, hi) if lo != hi else fmt.approx_kr(hi)) + " (skøn)"


def _deadline(rnd: dict) -> str:
    return fmt.date(rnd["frist"]) + (" (antaget; ingen kilde giver fristen)"
                                     if rnd["frist_antaget"] else "")


def _places(o: dict) -> str:
    unit = UNIT.get(o["kategori"], "pladser")
    n, most = o["pladser"], o["pladser_hoejst"]
    text = fmt.number(n) if most is None or most == n else f"{fmt.number(n)}–{fmt.number(most)}"
    return f"{text} {unit}"


def _effect(o: dict, m: dict) -> str:
    if not o["pladser"]:
        return "–"
    if o["flytter_andel"] and o["kategori"] == "meritpaedagog":
        return f"{fmt.pct_value(o['andel_efter_pct'])} i {o['efter_aar']}"
    if o["kategori"] == "pau":
        return (f"uændret; pædagogmedhjælpere {fmt.pct_value(m['medhjaelper_nu_pct'])} → "
                f"{fmt.pct_value(o['medhjaelper_efter_pct'])}")
    return "uændret (deltagerne er pædagoger)"


def _price(o: dict) -> str:
    p = o["pris"]
    return f"{_kr_range(p['min_kr'], p['max_kr'])} ({PRICE[p['grundlag']]})"


def _command(ctx: dict, extra: str) -> Run:
    return Run(f"make report KOMMUNE={ctx['kommune']['slug']} EXTRA={extra}", code=True)


def _round_blocks(ctx: dict, rnd: dict, m: dict) -> list:
    name = rnd["kort"]
    head = Paragraph(b(f"{name} ({rnd['aar'][0]}–{rnd['aar'][-1]}): "),
                     f"{_amount(rnd)} er ikke planlagt, fordi {WHY[rnd['grund']]}. Pengene skal "
                     f"være brugt senest {_deadline(rnd)}.")
    opts = rnd["muligheder"]
    if opts and not any(o["mulig"] for o in opts):
        if rnd["vindue_slut"] and any(o["grund"] == "vindue" for o in opts):
            return [head, Paragraph(
                f"Rundens vindue for nye aktiviteter lukkede {fmt.date(rnd['vindue_slut'])}. "
                "Pengene kan derfor kun betale aktiviteter, der allerede er startet; de kan "
                "ikke købe nye uddannelsespladser.")]
        return [head, Paragraph("Ingen af uddannelserne kan nå at starte og blive færdige "
                                "inden fristen.")]
    rows, commands = [], []
    for o in opts:
        if not o["mulig"]:
            rows.append([o["kort"], _price(o), "–", "kan ikke nås inden fristen", "–"])
            continue
        rows.append([o["kort"], _price(o),
                     f"{fmt.short_date(o['start'])}–{fmt.short_date(o['slut'])}",
                     _places(o) if o["pladser"] else "rækker ikke til én plads",
                     _effect(o, m)])
        if o["extra"]:
            commands.append([f"{o['kort']} til {PRICE_AS_NOUN[o['pris']['grundlag']]} "
                             f"({_places(o).split(' (')[0]}): ", _command(ctx, o["extra"])])
    out = [head, Table(["Uddannelse", "Pris pr. deltager", "Start–slut", "Pladser",
                        "Andel ansat som pædagog bagefter"], rows,
                       role="compact",
                       caption=f"{name}: hvad {_amount(rnd)} kan købe (hver række er et "
                               "alternativ)")]
    capped = [o for o in opts if o.get("loft_naaet") and o["pladser"]]
    if capped:
        out.append(Paragraph(
            f"{fmt.and_list(sorted({o['kort'] for o in capped}))}: pengene rækker til flere, "
            f"end der er pædagogmedhjælpere at uddanne, så pladserne er sat til de "
            f"{fmt.number(m['ledige_medhjaelpere'])}, der ikke allerede er i planen."))
    if commands:
        out += [Paragraph("Scenarierne, som hver sit notat:"), BulletList(commands)]
    notes = []
    merit = next((o for o in opts if o["kategori"] == "meritpaedagog" and o["mulig"]
                  and o["pris"]["grundlag"] == "gebyr" and o["pladser"]), None)
    if merit and merit.get("pladser_lavt_skoen") is not None:
        notes.append(f"Pladserne er regnet på {fmt.kr(rnd['ikke_planlagt_kr'])}; ved den lave "
                     f"ende af skønnet ({fmt.kr(rnd['interval_kr'][0])}) rækker pengene til "
                     f"{fmt.number(merit['pladser_lavt_skoen'])} meritpladser ved den høje "
                     "deltagerbetaling.")
    merit_any = next((o for o in opts if o["kategori"] == "meritpaedagog" and o["mulig"]),
                     None)
    if merit_any and merit_any["start_senest_aar"]:
        notes.append(f"Meritpædagoguddannelsen tager {fmt.count_word(merit_any['varighed_aar'])} "
                     "år; det seneste optag, der når at blive færdigt inden fristen, er i "
                     f"{merit_any['start_senest_aar']}.")
    if notes:
        out.append(Paragraph(" ".join(notes)))
    return out


def unplanned_money(ctx: dict) -> Section | None:
    """The section: per round with money not planned, what it could buy; one line when all
    the money is planned. None for a context without ``muligheder``."""
    m = ctx.get("muligheder")
    if not m:
        return None
    head = Heading(2, TITLE, anchor="muligheder")
    if m["alt_planlagt"]:
        return Section([head, Paragraph("Alle midler fra puljen er planlagt, så der er ingen "
                                        "ikke planlagte midler at bruge.")], anchor="muligheder")
    blocks: list = [head, Paragraph(
        "Hvor midler ikke er planlagt, viser tabellen, hvor mange uddannelsespladser de kan "
        "betale, og hvad det flytter andelen ansat som pædagog til (i dag "
        f"{fmt.pct_value(m['andel_nu_pct'])}"
        + (f", med planen {fmt.pct_value(m['andel_med_plan_pct'])}"
           if m.get("andel_med_plan_pct") is not None else "")
        + "). Rækkerne er alternativer for de samme penge, ikke tillæg. Pladser er beløbet "
        "divideret med prisen pr. deltager, rundet ned.")]
    for rnd in m["runder"]:
        if rnd["ikke_planlagt_kr"] > 0:
            blocks += _round_blocks(ctx, rnd, m)
        else:  # a round whose money is all planned says so in one line (issue 22)
            blocks.append(Paragraph(f"{rnd['navn']}: alle midler er planlagt."))
    month = fmt.date(f"2000-{m['start_maaned']:02d}-01").split(" ")[1]
    blocks.append(Paragraph(
        "Antagelser: optag 1. " + month + " (antaget); tidligst efter notatets dato "
        f"({fmt.date(m['dato'])}). Typisk deltagerbetaling er kun uddannelsens pris. Betaler "
        "puljen også løn eller vikar under uddannelsen, koster en plads mere, og pengene "
        "rækker til færre; derfor vises også prisen pr. deltager i "
        + ("kommunens egen plan." if any(o["pris"]["grundlag"] == "egen_plan"
                                          for r in m["runder"] for o in r["muligheder"])
           else "en offentliggjort plan.")
        + " Meritpædagoger og PAU-elever kommer fra pædagogmedhjælperne: højst "
        f"{fmt.number(m['ledige_medhjaelpere'])} (skønnet antal "
        f"{fmt.number(m['medhjaelpere'], 0)}, minus {fmt.number(m['medhjaelpere_i_plan'])} i "
        "planen). Andelen bagefter er planens effekt med pladserne lagt til, alt andet lige "
        "(samme model som »Hvad planen flytter«).", role="small"))
    sources = {}
    for r in m["runder"]:
        for o in r["muligheder"]:
            p = o["pris"]
            kilde = p["kilde"] + (f", {fmt.kr(p['plan_kr'])} til "
                                  f"{fmt.number(p['plan_deltagere'])} deltagere"
                                  if p.get("plan_kr") else "")
            sources.setdefault(f"{o['kort']}, {PRICE[p['grundlag']]}, {p['enhed']}", kilde)
    if sources:
        blocks.append(Paragraph("Kilder til priserne: " + "; ".join(
            f"{k}: {v}" for k, v in sources.items()) + ".", role="small"))
    blocks.append(Paragraph(
        "Hver mulighed er et scenarie. Kommandoen laver et notat med scenariet under eget "
        "filnavn; det erstatter ikke kommunens notat.", role="small"))
    return Section(blocks, anchor="muligheder")
