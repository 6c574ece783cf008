"""The note's competence-gap sections (``ctx["gaps"]``), in Danish, as document blocks.

Every public function takes the context and returns a :class:`opkval.base.doc.Section` (a heading
first), or None when there is nothing to show. Sections that need a plan say so in one line
when the kommune has none; the gap and peer sections never need one. Text stays plain text in
the blocks (each writer escapes it); a line break inside a table cell is a ``"\\n"``.
"""

from __future__ import annotations

from collections import Counter

from opkval.base import doc, fmt
from opkval.base.domain import PASNING, PASNING_NAVN
from opkval.engine import wording
from opkval.sections.present import _kommune

STATUS_CSS = {"dækket": "ok", "delvist": "advarsel", "mangler": "brud"}
BLIVER_DA = {"paedagog": "pædagog", "paedagogisk_assistent": "pædagogisk assistent"}
KATEGORI_DA = {"meritpaedagog": "Meritpædagog", "pau": "PAU"}


def staff_mix(ctx: dict) -> doc.Section:
    """Staff mix (three measures), staff estimate and the gap to each target."""
    g = ctx["gaps"]
    a = g["andele"]
    out: list = [
        doc.Heading(2, "Uddannet personale: status og afstand til mål"),
        doc.Paragraph(f"{g['sammenligning_tekst']} Kommunen er "
                      f"{fmt.rank(g['rang'], g.get('rang_delt', False))} af "
                      f"{fmt.number(g['antal_kommuner'])} (nr. 1 har den højeste andel"
                      + ("; kommuner med samme andel deler pladsen" if g.get("rang_delt") else "")
                      + ").")]
    rows = [["Ansat som pædagog", fmt.pct_value(a["pct_paedagoger_2024"]["pct"]),
             "Stillingskategori (DST BOERN1)"],
            ["Har en pædagoguddannelse", fmt.pct_value(a["pct_paedagoguddannede_2024"]["pct"]),
             "Uddannelse, uanset stilling (DST BOERN1)"],
            ["Ansat som pædagogmedhjælper",
             fmt.pct_value(a["pct_paedagogmedhjaelpere_2024"]["pct"]),
             "Stillingskategori (DST BOERN1)"]]
    dp = g.get("dagpleje")
    if dp:
        rows.append(["Børn i dagpleje (andel af de indskrevne børn)", fmt.pct_value(dp["pct"]),
                     "Pasningstilbud (DST BOERN2); dagplejere tæller med i personalet ovenfor"])
    out.append(doc.Table(["Andel af det pædagogiske personale, 2024", "Andel",
                          "Hvad tallet måler"], rows, numeric=(1,), role="compact",
                         caption=f"Personalesammensætning i {_kommune(ctx)}"))
    if dp:
        c = dp["korrelation"]
        out.append(doc.Paragraph(
            "Andelene er af hele det pædagogiske personale, også dagplejerne "
            "(DST BOERN1). En kommune med mange børn i dagpleje har derfor færre pædagoger i "
            "procent, uanset personalets uddannelse: over de 98 kommuner er korrelationen "
            "mellem andelen af børn i dagpleje og andelen ansat som pædagog "
            f"{fmt.number(c['paedagoger'], 2)}, og med pædagoger og pædagogmedhjælpere "
            f"tilsammen {fmt.number(c['paedagoger_og_medhjaelpere'], 2)}. BUPL's 80 % er "
            "et mål for daginstitutioner; afstanden til målene og placeringen blander derfor "
            "kommunens struktur (dagpleje) med personalets uddannelse.", role="small"))
    out.append(doc.Paragraph(
        "De to pædagogtal måler forskellige ting: nogle med "
        "pædagoguddannelse er ansat i andre stillinger, og omvendt. Afstanden til målene "
        "nedenfor regnes på andelen ", doc.i("ansat som pædagog"), ", fordi det er den, en "
        "meritpædagog flytter. Pædagogiske assistenter (PAU) indgår i personalet, men "
        "deres andel findes ikke i opkvals data, så de tre andele summer ikke til 100 %.",
        role="small"))
    p = g["personale"]
    prow = []
    for t in PASNING:  # fixed order (the JSON context has sorted keys)
        v = p["pasningstilbud"][t]
        norm = fmt.number(v["normering"], 1) if v["normering"] is not None else "–"
        if v["normering_fallback"]:
            norm += " *"
        prow.append([PASNING_NAVN[t], fmt.number(v["boern"]),
                     norm, fmt.number(v["personale"], 0)])
    out.append(doc.Table(["Pasningstilbud", "Indskrevne børn 2024",
                          f"Normering {p['normering_aar']} (børn pr. voksen)",
                          "Pædagogisk personale (skøn)"], prow, numeric=(1, 2, 3),
                         foot=[["I alt", fmt.number(sum(v["boern"] for v in
                                                        p["pasningstilbud"].values())), "",
                                fmt.number(p["i_alt"], 0)]],
                         role="compact", caption="Skøn over det pædagogiske personale"))
    if any(v["normering_fallback"] for v in p["pasningstilbud"].values()):
        out.append(doc.Paragraph("* Ministeriet har ikke offentliggjort en normering for "
                                 "kommunen her; medianen af kommunerne er brugt i stedet.",
                                 role="small"))
    trow = [[t["navn"], fmt.pct_value(t["maal_pct"]), fmt.pct_points(t["gap_pp"]),
             fmt.number(t["gap_personer"], 0)] for t in g["maal"]]
    out.append(doc.Table(["Mål", "Andel ansat som pædagog", "Afstand", "Afstand i personer"],
                         trow, numeric=(1, 2, 3), role="compact",
                         caption=f"{_kommune(ctx)}: afstand fra "
                         f"{fmt.pct_value(a['pct_paedagoger_2024']['pct'])} til målene"))
    out.append(doc.Paragraph(
        "Afstand i personer = skønnet personale × afstanden i "
        "procentpoint: så mange flere skulle være ansat som pædagog ved uændret "
        "personaletal. Negativ afstand betyder, at kommunen allerede ligger over målet. "
        "Kilder til målene: " + "; ".join(f"{t['navn']}: {t['kilde']}" for t in g["maal"]) + ".",
        role="small"))
    return doc.Section(out)


def peers(ctx: dict) -> doc.Section:
    """Median and quartiles for the kommunegruppe, the region and the whole country."""
    g = ctx["gaps"]
    rows = []
    for level in ("kommunegruppe", "region", "land"):
        pr = g["peers"][level]
        for m, label in (("pct_paedagoger_2024", "ansat som pædagog"),
                         ("pct_paedagoguddannede_2024", "med pædagoguddannelse")):
            s = pr[m]
            rows.append([pr["navn"], label, fmt.number(s["n"]), fmt.pct_value(s["median"]),
                         f"{fmt.pct_value(s['q1'])} – {fmt.pct_value(s['q3'])}",
                         fmt.pct_value(g["andele"][m]["pct"])])
    return doc.Section([
        doc.Heading(3, "Sammenligning med andre kommuner"),
        doc.Table(["Gruppe", "Andel", "Kommuner", "Median", "Midterste halvdel "
                   "(1.–3. kvartil)", ctx["kommune"]["navn"]], rows,
                  numeric=(2, 3, 4, 5), role="compact",
                  caption="Andel af det pædagogiske personale, 2024"),
        doc.Paragraph("Medianer og kvartiler er over kommunerne (hver kommune "
                      "tæller én gang, uanset størrelse), og kommunen selv indgår i sine "
                      "grupper. Kommunegruppe efter Danmarks Statistiks kommunegruppering "
                      "(2018).", role="small")])


def plan_effect(ctx: dict) -> doc.Section:
    """What the plan (and any scenario) moves; one line when there is nothing to show."""
    g = ctx["gaps"]
    e = g.get("plan_effekt")
    out: list = [doc.Heading(2, "Hvad planen flytter")]
    if not e:
        why = ("Planen indeholder ingen indsatser." if g.get("har_plan") else
               f"opkval har ingen lokal plan for {_kommune(ctx)}.")
        out.append(doc.Paragraph(
            f"{why} Afsnittet viser, hvor mange der uddannes som meritpædagog og PAU, og hvor "
            "stor en del af afstanden til målet det lukker, når en plan foreligger."))
        return doc.Section(out)
    rows = [[KATEGORI_DA.get(d["kategori"], d["kategori"]),
             BLIVER_DA.get(d["bliver"], d["bliver"]), d["aar"], fmt.number(d["deltagere"]),
             ", ".join(d["indsatser"])] for d in e["fuldfoert"]]
    if rows:
        out.append(doc.Table(["Uddannelse", "Bliver", "Færdig", "Personer", "Indsats"], rows,
                             numeric=(2, 3), role="compact",
                             caption="Medarbejdere, der afslutter en uddannelse (når "
                             "slutdatoen nås)"))
    m = e["merit"]
    if m["i_alt"]:
        out.append(doc.Paragraph(
            f"{fmt.number(m['i_alt'])} meritpædagoger hæver andelen ansat som pædagog fra "
            f"{fmt.pct_value(e['andel_nu_pct'])} til ca. ",
            doc.b(fmt.pct_value(e["andel_efter_pct"])), f" i {e['efter_aar']}, alt andet lige."))
        trow = []
        for t in e["maal"]:
            if t["gap_personer"] <= 0:
                continue
            yrs = t["aar_til_maal"]
            trow.append([t["navn"], fmt.pct_value(t["maal_pct"]), fmt.number(t["gap_personer"], 0),
                         fmt.pct(t["andel_lukket"], 0),
                         "nås ikke" if yrs is None else fmt.number(yrs, 0) + " år"])
        notes = []
        if not any(t["id"] == "plan" for t in e["maal"]):
            notes.append("Planen sætter ikke sit eget mål for andelen ansat som pædagog; "
                         "afstanden regnes derfor til referencemålene ovenfor.")
        reached = [t["navn"] if "%" in t["navn"]
                   else f"{t['navn']} ({fmt.pct_value(t['maal_pct'])})"
                   for t in e["maal"] if t["gap_personer"] <= 0]
        if reached:
            notes.append(f"Allerede nået og derfor ikke med i tabellen: {'; '.join(reached)}.")
        if trow:
            notes.append(f"Med planens tempo ({fmt.number(e['tempo_pr_aar'], 1)} nye "
                         "pædagoger om året) ser det sådan ud:")
        if notes:
            out.append(doc.Paragraph(" ".join(notes)))
        if trow:
            out.append(doc.Table(["Mål", "Andel", "Afstand i personer", "Planen lukker",
                                  "År til målet i planens tempo"], trow, numeric=(1, 2, 3, 4),
                                 role="compact", caption="Hvor meget af afstanden planen lukker"))
            first = next(t for t in e["maal"] if t["gap_personer"] > 0)
            goal = fmt.pct_value(first["maal_pct"], 0 if first["maal_pct"] % 1 == 0 else 1)
            out.append(doc.Paragraph(f"{fmt.number(m['i_alt'])} meritpædagoger lukker ca. "
                                     f"{fmt.pct(first['andel_lukket'], 0)} af afstanden til "
                                     f"{goal}."))
    else:
        out.append(doc.Paragraph("Planen uddanner ingen meritpædagoger, så andelen ansat som "
                                 "pædagog flyttes ikke af planen."))
    if e["pau"]["i_alt"]:
        out.append(doc.Paragraph(f"{fmt.number(e['pau']['i_alt'])} medarbejdere bliver "
                                 "pædagogiske assistenter (PAU). Det hæver ikke pædagogandelen, "
                                 "men andelen af ufaglærte falder."))
    kr: list = []
    for kat, v in e["kr_pr_uddannet"].items():
        if v and v["kr_pr_person"]:
            kr.append(("; " if kr else "", f"{KATEGORI_DA[kat]}: {fmt.kr(v['kr'])} til "
                       f"{fmt.number(v['deltagere'])} personer = ",
                       doc.b(fmt.kr(v["kr_pr_person"])), " pr. person"))
    if kr:
        out.append(doc.Paragraph("Puljemidler pr. uddannet: ", kr, ". ",
                                 wording.kr_per_trained_note(e)))
    if e["scenarie"]:
        out.append(doc.Paragraph(
            doc.b("Scenarie:"), " tallene ovenfor indeholder "
            + "; ".join(f"{s['navn']} (færdig {fmt.date(s['slut'])})" for s in e["scenarie"])
            + ". Scenarielinjer har intet budget."))
    an = e["antagelser"]
    out.append(doc.Paragraph(
        "Antagelser: personalet er det skønnede antal i dag "
        f"({fmt.number(e['personale'], 0)}); meritpædagoger går fra en anden stilling til en "
        f"pædagogstilling, når uddannelsen slutter; deltagerne kommer fra {an['deltagere_fra']}; "
        + (f"{fmt.pct_value(an['afgang_pct_aar'], 1)} af de nyuddannede forlader kommunens "
           "dagtilbud hvert år" if an["afgang_pct_aar"] else
           "ingen af de nyuddannede forlader kommunens dagtilbud")
        + "; alt andet (fx øvrig rekruttering og afgang) er uændret. Tempo = meritpædagoger ÷ "
        "årene fra første start til sidste slut.", role="small"))
    return doc.Section(out)


def checklist(ctx: dict) -> doc.Section:
    """Bilag 2: what the ministry's guide asks a kommune to consider, with status and evidence."""
    items = ctx["gaps"].get("tjekliste")
    head = doc.Heading(2, "Planen holdt op mod ministeriets vejledning")
    if items is None:
        return doc.Section([head, doc.Paragraph(
            f"opkval har ingen lokal plan for {_kommune(ctx)}, så punkterne i ministeriets "
            "vejledning (Bilag 2) kan ikke vurderes.")])
    # Most points come from one guide: name it once, and only the others' sources per row.
    main_source = Counter(c["seed"] for c in items).most_common(1)[0][0]
    rows = []
    for c in items:
        ev: list = ["\n".join(c["evidens"]) or "–"]
        if c["note"]:
            ev += ["\n", doc.i(c["note"])]
        source = "" if c["seed"] == main_source else f" ({c['seed']})"
        rows.append([(doc.b(c["titel"]), f"\n{c['spoergsmaal']}{source}"),
                     doc.Run(c["status"], status=STATUS_CSS[c["status"]]),
                     ev])
    counts = {s: sum(c["status"] == s for c in items) for s in STATUS_CSS}
    return doc.Section([
        head,
        doc.Paragraph(f"{fmt.number(counts['dækket'])} punkter er dækket, "
                      f"{fmt.number(counts['delvist'])} delvist "
                      f"og {fmt.number(counts['mangler'])} mangler. Punkterne er fra "
                      f"{main_source}, hvor intet andet er angivet.", role="lead"),
        doc.Table(["Punkt", "Status", "Belæg"], rows),
        doc.Paragraph("Dækket: planen skriver om punktet, eller dens indsatser viser "
                      "det. Delvist: kun et indirekte tegn, eller planen omtaler punktet uden en "
                      "indsats. Mangler: hverken eller. Vejledningen stiller ingen formkrav; "
                      "punkterne er til inspiration.", role="small")])


def chain(ctx: dict) -> doc.Section | None:
    """KL/BUPL: behov → kompetenceindsats → planlægning."""
    c = ctx["gaps"].get("kaede")
    if c is None:
        return None
    out: list = [doc.Heading(2, "Fra behov til indsats")]
    if not c["behov"]:
        out.append(doc.Paragraph("Planen beskriver ingen behov, så sammenhængen mellem behov og "
                                 "indsatser kan ikke vises."))
        return doc.Section(out)
    rows = [[b["tekst"], ", ".join(b["indsatser"]) or doc.i("ingen indsats")]
            for b in c["behov"]]
    n = len(c["behov"])
    out += [doc.Paragraph("KL og BUPL's dialogredskab går fra de pædagogiske "
                          "udfordringer over de kompetencer, de kalder på, til planens indsatser. "
                          f"Planen beskriver {fmt.number(n)} behov; tabellen viser, hvilke "
                          "indsatser planen selv knytter til hvert af dem.", role="lead"),
            doc.Table(["Behov", "Indsatser, der svarer på det"], rows)]
    if not c["behov_uden_indsats"] and not c["indsatser_uden_behov"]:
        out.append(doc.Paragraph("Alle behov har mindst én indsats, og alle indsatser svarer på "
                                 "et behov."))
    if c["behov_uden_indsats"]:
        tekst = {b["id"]: b["tekst"] for b in c["behov"]}
        out.append(doc.Paragraph(doc.b("Behov uden indsats:"), " " + "; ".join(
            tekst.get(b, b) for b in c["behov_uden_indsats"]) + "."))
    if c["indsatser_uden_behov"]:
        out.append(doc.Paragraph(doc.b("Indsatser uden beskrevet behov:"),
                                 " " + ", ".join(c["indsatser_uden_behov"]) + "."))
    for u in c["ukendte_henvisninger"]:
        out.append(doc.Paragraph(f"Bemærk: {u}.", role="small"))
    out.append(doc.Paragraph("Koblingerne er planens egne (feltet behov på hver indsats); "
                             "hvor en kobling er udledt af kilden, står det under Klassifikation "
                             "og antagelser. Administration og revision tæller ikke som "
                             "indsatser her.", role="small"))
    return doc.Section(out)


def method(ctx: dict) -> doc.Section:
    """Method and limits of the gap figures (goes with 'Datagrundlag og forbehold')."""
    p = ctx["gaps"]["personale"]
    med = ", ".join(f"{t} {fmt.number(p['normering_median'][t], 1)}" for t in PASNING)
    skift = ctx["gaps"]["normering"]["metodeskift_aar"]
    items = [
        (doc.b("Personaleandele:"), " Danmarks Statistik (BOERN1) 2024 via "
         "dagtilbud_kommune_stats.csv, afrundet til 0,1 procentpoint. De dækker kommunale og "
         "selvejende daginstitutioner og dagpleje; private institutioner er ikke med."),
        (doc.b("Personaleskøn:"), " indskrevne børn 2024 (BOERN2: kommunal dagpleje, "
         f"daginstitution 0-2 år og 3-5 år) divideret med kommunens normering "
         f"{p['normering_aar']} (Børne- og Undervisningsministeriet). Private institutioner og "
         "private pasningsordninger er ikke med, og skønnet omfatter ikke ledere. "
         f"Børnetallet (2024) og normeringen ({p['normering_aar']}) er fra forskellige år. "
         "Hvor ministeriet ikke har offentliggjort en normering, bruges medianen af kommunerne "
         f"({med})."),
        *([(doc.b("Metodeskift:"), " normeringen opgøres efter en ny metode fra "
            f"{fmt.and_list(skift)}; tallene før og efter er ikke helt sammenlignelige.")]
          if skift else []),
        (doc.b("Mål:"), " BUPL's 80 % og to tredjedele er formuleret om uddannede pædagoger; "
         "her måles på andelen ansat som pædagog (se ovenfor). Ingen af målene er lovkrav."),
    ]
    return doc.Section([doc.Heading(3, "Metode og forbehold for personaletallene"),
                        doc.BulletList(items, role="small")])
