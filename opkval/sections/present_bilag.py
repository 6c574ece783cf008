"""The two documents a kommune gets from one run: the short bilag and the analysis.

:func:`bilag` is what the council reads (issue 21: at most 4 A4 pages with a plan of up to 8
indsatser, 2 without); :func:`analyse` holds everything else the note computes. Both return the
sections to display, in order; the notebook shows ``bilag(ctx)`` in the cell tagged ``bilag``
and ``analyse(ctx, formats)`` in the cell tagged ``analyse``, and the renderer writes each part
as its own document.

The bilag is built here as document blocks (:mod:`opkval.base.doc`) from the context's values, in
the order a council asks: what the kommune gets, what the plan uses and when, what is not
planned and what is at risk by which date, the rule verdicts in one short table, what changed
since the last orientation, and the kommune's own text under its header. It is written in
plain Danish (:mod:`opkval.base.klarsprog` measures it): short sentences, each fact once, no file
names, commands or hashes; the analysis holds the detail and the sources.

:data:`SECTIONS` names every section of the analysis, so a kommune's plan can move one into its
bilag (``notat: i_bilag``) or leave one out (``notat: udelad``) without touching code; the ids
are :data:`opkval.base.domain.SECTION_IDS`, which the plan's reader checks them against.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable

from opkval.base import doc, fmt, klarsprog
from opkval.base.doc import BulletList, Figure, Heading, KeyValue, Paragraph, Run, Section, Table
from opkval.base.domain import (
    AFHAENGER,
    BRUD,
    OK,
    ROLE_AKTIVITETSVINDUE,
    ROLE_LOKAL_PLAN,
    SECTION_IDS,
    SECTIONS_FIXED_IN_ANALYSE,
    SECTIONS_REQUIRED,
    STATUS_DA,
)
from opkval.engine import wording
from opkval.sections import charts, present, present_gaps, present_notat, present_plan
from opkval.sections.present_options import unplanned_money

#: Every section of the analysis, by id, in the order the analysis shows them.
SECTIONS: dict[str, Callable] = {
    "titel": present.title,
    "indledning": present_notat.indledning,
    "hovedpunkter": present_plan.key_points,
    "kort_fortalt": present.summary,
    "baggrund": present.background,
    "tilskud": present.grant_table,
    "tilskud_graf": charts.grants_by_year,
    "plan_penge": present_plan.money_table,
    "plan_graf": charts.plan_cumulative,
    "siden_sidst": present_plan.changes,
    "indsatser": present_plan.indsats_table,
    "fordeling": present_plan.distribution,
    "regler": present_plan.rules_table,
    "klassifikation": present_plan.classification,
    "kaede": present_gaps.chain,
    "tjekliste": present_gaps.checklist,
    "egne_afsnit": present_notat.own_sections,
    "indstilling": present_notat.indstilling,
    "personale": present_gaps.staff_mix,
    "personale_graf": charts.staff_ranking,
    "sammenlignelige": present_gaps.peers,
    "normering_graf": charts.normering_trend,
    "planens_effekt": present_gaps.plan_effect,
    "muligheder": unplanned_money,  # what the money not yet planned could buy (issue 22)
    "metode_personale": present_gaps.method,
    "noeglekontrol": present.key_check,
    "forbehold": present.assumptions,
}
assert tuple(SECTIONS) == SECTION_IDS, "SECTIONS and opkval.base.domain.SECTION_IDS must agree"

#: The kommune's own text: the bilag shows it (as blocks of its own), so the analysis does not.
OWN_TEXT = ("indledning", "egne_afsnit")
#: Analysis sections whose short form the bilag has: moved into the bilag, the full section
#: takes the short one's place instead of standing beside it.
REPLACES = {"regler": "regler", "siden_sidst": "siden_sidst"}


# ------------------------------------------------------------------------------ notat choices


def _notat(ctx: dict) -> dict:
    return ctx.get("notat") or {}


def moved(ctx: dict) -> list[str]:
    """Analysis sections the plan moves into the bilag (``notat.i_bilag``), in analysis order."""
    chosen = set(_notat(ctx).get("i_bilag") or ()) - set(SECTIONS_FIXED_IN_ANALYSE)
    return [s for s in SECTIONS if s in chosen]


def left_out(ctx: dict) -> set[str]:
    """Sections the plan leaves out of both documents (``notat.udelad``)."""
    return set(_notat(ctx).get("udelad") or ()) - set(SECTIONS_REQUIRED)


# ------------------------------------------------------------------------------ the analysis


def analyse(ctx: dict, formats: str = "html,pdf") -> list:
    """The analysis's sections in order (absent ones, None, skipped), then the footer.

    Left out: the kommune's own text (it is in the bilag), the sections the plan moves into
    the bilag and those it leaves out.
    """
    skip = set(moved(ctx)) | left_out(ctx) | set(OWN_TEXT)
    out = [present.title(ctx, "analyse") if sid == "titel" else fn(ctx)
           for sid, fn in SECTIONS.items() if sid not in skip]
    out.append(present.footer(ctx, formats))
    return [x for x in out if x is not None]


def analyse_title(ctx: dict) -> str:
    """The analysis's name as the bilag refers to it (in words, never a file name): its own
    title."""
    return present.document_title(ctx, "analyse")


def bilag_title(ctx: dict) -> str:
    """The bilag's title (its heading 1, the files' title, the agenda item's Bilag line)."""
    return present.document_title(ctx, "bilag")


# ------------------------------------------------------------------------------ small helpers


def _k(ctx: dict) -> str:
    """The kommune's official name ("Københavns Kommune", "Bornholms Regionskommune")."""
    return present._kommune(ctx)


def _span(years) -> str:
    ys = sorted(int(y) for y in years)
    if not ys:
        return ""
    return str(ys[0]) if ys[0] == ys[-1] else f"{ys[0]}–{ys[-1]}"


def _round_by_role(ctx: dict, role: str) -> dict | None:
    return next((r for r in ctx.get("runder") or [] if role in (r.get("roller") or ())), None)


def _kort(r: dict) -> str:
    """'første runde' (a round's short name, lower case, for the middle of a sentence)."""
    return (r.get("kort") or r["navn"]).lower()


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _stop(s: str) -> str:
    """A sentence's full stop, once: ``'… 61.200 kr.'`` gets none of its own."""
    return s if s.endswith(".") else s + "."


def _is_estimate(r: dict) -> bool:
    return list(r.get("labels") or []) != ["tilsagn"]


def _label(r: dict) -> Run:
    """The weakest origin of a round's amount as a label chip: skøn, fremskrevet or tilsagn."""
    labels = set(r.get("labels") or ())
    for lab, word in (("skøn", "Skøn"), ("fremskrevet", "Fremskrevet"), ("tilsagn", "Tilsagn")):
        if lab in labels:
            return Run(word, label=lab)
    return Run("Skøn", label="skøn")


def md_blocks(text: str | None) -> list:
    """The kommune's Markdown (paragraphs, lists, bold, italics, links) as document blocks."""
    out: list = []
    for b in present_notat.md_blocks(text):
        items = [[Run(r["text"], bold=bool(r.get("bold")), italic=bool(r.get("italic")),
                      href=r.get("href") or "") for r in item] for item in b["items"]]
        if b["kind"] == "p":
            out.extend(Paragraph(item) for item in items)
        else:
            out.append(BulletList(items, ordered=b["kind"] == "ol"))
    return out


# ------------------------------------------------------------------------------ header


def _logo(ctx: dict) -> Figure | None:
    logo = _notat(ctx).get("logo")
    if not logo or not logo.get("data"):
        return None
    data = base64.b64decode(logo["data"])
    alt = f"Logo: {_k(ctx)}"
    if logo.get("mime") == "image/svg+xml":
        return Figure(alt=alt, svg=data.decode("utf-8", "replace"), role="logo", width_cm=3.0)
    return Figure(alt=alt, png=data, role="logo", width_cm=3.0)


def header(ctx: dict) -> list:
    """Logo, kicker (bilag number), title, the header fields with the date, scenario line."""
    n = _notat(ctx)
    kicker = " · ".join(x for x in (f"Bilag {n['bilag_nr']}" if n.get("bilag_nr") else "",
                                    "Scenarie" if ctx.get("scenarie") else "",
                                    "Orientering") if x)
    pairs = list(present.header_fields(ctx))
    when = ctx.get("generated_at")
    if when:
        pairs.append(("Dato", fmt.date(dt.datetime.fromisoformat(when).date())))
    out = [_logo(ctx), Paragraph(kicker, role="kicker"), Heading(1, bilag_title(ctx)),
           KeyValue(pairs) if pairs else None]
    if ctx.get("scenarie"):
        out.append(Paragraph("Scenarie – ikke kommunens plan, som den står: "
                             + "; ".join(ctx["scenarie"]) + ".", role="scenario"))
    return [x for x in out if x is not None]


def introduction(ctx: dict) -> list:
    """The kommune's own introduction, or two sentences on what the pool is."""
    text = _notat(ctx).get("indledning")
    if text and "indledning" not in left_out(ctx):
        return md_blocks(text)
    p = ctx.get("pulje") or {}
    years = (f" fra {p['first_year']} til {p['last_year']}"
             if p.get("first_year") and p.get("last_year") else "")
    return [Paragraph(f"Staten giver kommunerne penge til at uddanne det pædagogiske personale "
                      f"i dagtilbud{years}. Bilaget viser, hvad {_k(ctx)} får, og hvad "
                      "pengene skal bruges til.", role="lead")]


# ------------------------------------------------------------------------------ what it gets


def grant(ctx: dict) -> Section:
    """What the kommune gets: each round's tilsagn, or an estimate with its range."""
    runder = ctx.get("runder") or []
    rows = [[_cap(_kort(r)), _span(r["aar"]), present.round_estimate(r), [_label(r)]]
            for r in runder]
    body: list = [Heading(2, "Det får kommunen"),
                  Table(["Runde", "År", "Beløb", "Grundlag"], rows, numeric=(2,),
                        caption=f"Tilskud fra puljen til {_k(ctx)}", role="compact")]
    est = [r for r in runder if _is_estimate(r)]
    text = []
    if est:
        # One sentence per basis: the key's estimate, or the kommune's own share carried on.
        basis = {"skøn": "efter kommunens andel af landets børn på 0–5 år",
                 "fremskrevet": "med kommunens andel fra dens seneste tilsagn"}
        groups: dict[str, list[str]] = {}
        for r in est:
            kind = "skøn" if "skøn" in (r.get("labels") or ()) else "fremskrevet"
            if "tilsagn" in (r.get("labels") or ()):
                # Some of its years are the kommune's own letters: say which, not "a skøn".
                known = _span(g["aar"] for g in ctx.get("grants") or []
                              if g["runde"] == r["id"] and g["label"] == "tilsagn")
                text.append(f"Beløbet for {_kort(r)} bygger på kommunens tilsagn for {known}; "
                            f"resten er et skøn {basis[kind]}.")
                continue
            groups.setdefault(kind, []).append(_kort(r))
        for kind, names in groups.items():
            text.append((f"Beløbet for {names[0]} er et skøn " if len(names) == 1 else
                         f"Beløbene for {fmt.and_list(names)} er skøn ") + basis[kind] + ".")
        if any(present.round_estimate(r).count("–") for r in est):
            text.append("Spændet viser, hvor usikkert skønnet er.")
    plan_round = _round_by_role(ctx, ROLE_LOKAL_PLAN)
    if plan_round and plan_round.get("betingelse"):
        text.append(f"Pengene fra {_kort(plan_round)} kræver en lokal plan for "
                    "opkvalificering.")
    lift = (ctx.get("pulje") or {}).get("engangsloeft") or {}
    if lift.get("aar") and lift.get("beloeb_kr") is None and any(
            lift["aar"] in r["aar"] for r in runder):
        text.append(f"Staten giver et ekstra beløb i {lift['aar']}, men størrelsen er ikke "
                    "kendt endnu. Det er ikke med her.")
    if text:
        body.append(Paragraph(" ".join(text)))
    return Section(body, anchor="tilskud")


# ------------------------------------------------------------------------------ what it uses


def _type(d: dict) -> str:
    """An indsats' kind in words a council knows (no unexplained abbreviation)."""
    if d.get("del") == "uformel":
        return "Uformel opkvalificering"
    if d.get("kategori") == "amu":
        return "Arbejdsmarkedsuddannelse (AMU)"
    return d.get("kategori_navn") or d.get("kategori") or ""


def _years_used(d: dict) -> list[int]:
    return [int(y) for y, v in (d.get("pr_aar_kr") or {}).items() if v]


def _abbreviations_in(names: str) -> str:
    """' Tabellen bruger forkortelsen PAU (pædagogisk assistentuddannelse).' for the known ones
    the kommune's own indsats names use without writing them out ('' for none)."""
    found = [a for a in klarsprog.unexplained_abbreviations(names)
             if a in klarsprog.ABBREVIATIONS]
    if not found:
        return ""
    return (" Tabellen bruger " + ("forkortelsen " if len(found) == 1 else "forkortelserne ")
            + fmt.and_list([f"{a} ({klarsprog.ABBREVIATIONS[a]})" for a in found]) + ".")


def uses(ctx: dict) -> Section:
    """What the plan uses and when: one row per indsats, then each round's use in a sentence."""
    p = ctx["plan"]
    ind = p.get("indsatser") or []
    n = len(ind)
    lead = (f"Kommunens plan er fra {fmt.date(p['dato'])} og har "
            f"{fmt.count_word(n)} {'indsats' if n == 1 else 'indsatser'}.")
    if p.get("godkendt"):
        lead += f" {p['godkendt']['af']} godkendte den {fmt.date(p['godkendt']['dato'])}."
    lead += _abbreviations_in(" ".join(d["navn"] for d in ind))
    rows = []
    for d in ind:
        money = fmt.kr(d["total_kr"]) if d.get("finansiering") == "pulje" else "Anden kilde"
        rows.append([d["navn"], _type(d),
                     fmt.number(d["deltagere"]) if d.get("deltagere") else "–",
                     _span(_years_used(d)), money])
    foot = [["I alt fra puljen", "", "", _span(y for d in ind if d.get("finansiering") == "pulje"
                                                for y in _years_used(d)),
             fmt.kr(p.get("pulje_i_alt_kr") or 0)]]
    body: list = [Heading(2, "Det bruger planen"), Paragraph(lead),
                  Table(["Indsats", "Type", "Deltagere", "År", "Fra puljen"], rows, foot=foot,
                        numeric=(2, 4), caption="Planens indsatser", role="compact")]
    sentences = []
    for row in (p.get("ledger") or {}).get("runder") or []:
        r = next((x for x in ctx.get("runder") or [] if x["id"] == row["id"]), None)
        name = _kort(r) if r else row["navn"].lower()
        years = _span(row.get("brugt_aar") or [])
        if not row.get("brugt_kr"):
            continue  # the money left in the round is in "Ikke planlagt og i risiko"
        if not row.get("tilbage_kr"):
            sentences.append(f"{_cap(name)} er brugt helt i {years}.")
        else:
            sentences.append(f"Af {name} bruger planen {fmt.kr(row['brugt_kr'])} i {years}.")
    if sentences:
        body.append(Paragraph(" ".join(sentences)))
    return Section(body, anchor="forbrug")


def no_plan(ctx: dict) -> Section:
    return Section([
        Heading(2, "Ingen lokal plan"),
        Paragraph(f"{_k(ctx)} har ikke registreret en lokal plan for opkvalificering. Derfor "
                  "viser bilaget ikke, hvad pengene skal bruges til, eller om puljens regler "
                  "er overholdt.")], anchor="plan")


# ------------------------------------------------------------------------------ what is at risk


def _window_sentence(r1: dict) -> str:
    """Round 1's rule after its window: only activities already started (issue 19 §3)."""
    til = r1.get("aktivitet_start_til")
    if not til:
        return ""
    after = dt.date.fromisoformat(til) + dt.timedelta(days=1)
    return (f"Fra {fmt.date(after)} kan pengene fra {_kort(r1)} kun betale for aktiviteter, "
            f"der er sat i gang senest {fmt.date(til)}.")


def _deadline(date_iso: str, assumed: bool) -> str:
    return fmt.date(date_iso) + (". Fristen er antaget, for ingen kilde giver den"
                                 if assumed else "")


def risk(ctx: dict) -> Section:
    """What is not planned, and what is at risk by which date."""
    p = ctx.get("plan")
    body: list = [Heading(2, "Ikke planlagt og i risiko")]
    items: list[str] = []
    r1 = _round_by_role(ctx, ROLE_AKTIVITETSVINDUE)
    if p is None:
        items.append("Hele beløbet er endnu ikke planlagt.")
        if r1:
            w = _window_sentence(r1)
            if w:
                items.append(w)
        for r in ctx.get("runder") or []:
            items.append(f"Pengene fra {_kort(r)} skal være brugt senest "
                         f"{_deadline(r['afsluttet_senest'], r.get('frist_antaget'))}.")
        items.append("Penge, der ikke er brugt ved fristen, skal betales tilbage.")
        body.append(BulletList(items))
        return Section(body, anchor="risiko")
    led = p.get("ledger") or {}
    for y in led.get("aar") or []:
        if y.get("ikke_finansieret_kr"):
            items.append(f"I {y['aar']} bruger planen {fmt.kr(y['ikke_finansieret_kr'])} mere, "
                         "end kommunen har fået til og med det år.")
    for row in led.get("runder") or []:
        r = next((x for x in ctx.get("runder") or [] if x["id"] == row["id"]), {})
        name = _kort(r) if r else row["navn"].lower()
        lo, hi = sorted(row.get("risiko_interval_kr") or [row.get("risiko_tilbagebetaling_kr")
                                                          or 0] * 2)
        if not hi:
            continue
        estimate = _is_estimate(r) if r else bool(row.get("skoen"))
        amount = fmt.approx_kr_range(lo, hi) if estimate or lo != hi else fmt.kr(hi)
        frist = _deadline(row["frist"], row.get("frist_antaget"))
        if row.get("ikke_planlagt"):
            text = (f"Planen er skrevet, før vilkårene for {name} blev kendt. Derfor er "
                    f"{amount} fra {name} ikke planlagt endnu. Pengene skal bruges senest "
                    f"{frist}.")
        else:
            text = f"Planen bruger ikke {amount} af {name} inden fristen {frist}."
        if r1 and row["id"] == r1["id"]:
            text += " " + _window_sentence(r1)
        items.append(text)
    if items:
        items.append("Penge, der ikke er brugt ved fristen, skal betales tilbage.")
        body.append(BulletList(items))
    else:
        body.append(Paragraph("Planen bruger alle pengene inden fristerne."))
    return Section(body, anchor="risiko")


# ------------------------------------------------------------------------------ the rules

#: Rule names where the configured one holds an abbreviation the bilag would have to explain.
RULE_NAMES = {"ikke_sfo": "Kun personale i dagtilbud, ikke i skolefritidsordninger"}


def display_status(r: dict) -> str:
    """A verdict that is brud under one reading of a classification and OK under the other
    is neither: it "afhænger af klassifikationen"."""
    st, other = r["status"], r.get("status_ellers")
    if st != AFHAENGER and other and {st, other} == {BRUD, OK}:
        return AFHAENGER
    return st


def _worst_share(rounds: list[dict]) -> float | None:
    shares = [x["uformel_andel"] for x in rounds or [] if x.get("uformel_andel") is not None]
    return max(shares) if shares else None


def _first_sentence(text: str) -> str:
    s = klarsprog.sentences(text or "")
    first = s[0] if s else ""
    if (first and len(klarsprog.words(first)) <= 30 and klarsprog.paren_depth(first) <= 1
            and not klarsprog.forbidden(first)):
        return first
    return "Se begrundelsen i analysen."


def _reading(parts: list[str | None]) -> str:
    """Courses' part of the 90/10 rule in words: all formal, all informal, or neither."""
    if parts and all(x == "formel" for x in parts):
        return "formel uddannelse"
    if parts and all(x == "uformel" for x in parts):
        return "uformel opkvalificering"
    return "ikke formel uddannelse"


def rule_why(ctx: dict, r: dict) -> tuple[str, str]:
    """One sentence of why, and the assumption the verdict rests on ('–' for none)."""
    v = r.get("vaerdier") or {}
    st = display_status(r)
    rid = r["id"]
    p = ctx.get("plan") or {}
    if rid == "formel_andel":
        share = _worst_share(v.get("runder"))
        alt = v.get("alternativ") or {}
        names = list((alt.get("kategorier") or {}).keys())
        if names and r.get("status_ellers") not in (None, r["status"]):
            share2 = _worst_share(alt.get("runder"))
            who = fmt.and_list(names)
            it = "det" if len(names) == 1 else "de"
            # The plan's own reading (``share``) and the other one (``share2``), each in the
            # words of its part: a course read as formal has "uformel" as its other reading.
            kinds = {d["navn"]: d.get("del") for d in p.get("indsatser") or []}
            parts = {k: v.get("del") for k, v in (p.get("kategorier") or {}).items()}
            now = _reading([kinds.get(x) for x in names])
            other = _reading([parts.get(alt["kategorier"][x]) for x in names])
            return (f"Til andet end formel uddannelse går {fmt.pct(share)}, hvis {who} er "
                    f"{now}, og {fmt.pct(share2)}, hvis {it} er {other}.",
                    f"At {who} er {now}, hvilket er usikkert.")
        if share is None:
            return "Planen bruger ingen penge fra puljen.", "–"
        broken = [rr for rr in v.get("runder") or [] if wording.over_in_every_reading(rr)]
        if broken:  # a breach however the rule is read: it rests on no reading
            return " ".join(map(wording.breach_text, broken)), "–"
        split = [t for t in map(wording.readings_text, v.get("runder") or []) if t]
        if split:  # the verdict rests on how the rule is read: both readings, and say so
            return (" ".join(split), "Hvordan reglen skal læses; kilderne siger det ikke "
                    "entydigt.")
        if r["status"] == OK:
            return (f"Højst {fmt.pct(share)} af en rundes forbrug går til andet end formel "
                    "uddannelse.", "–")
        return (f"Op til {fmt.pct(share)} af en rundes forbrug går til andet end formel "
                "uddannelse.", "–")
    if rid == "runde1_periode":
        r1 = _round_by_role(ctx, ROLE_AKTIVITETSVINDUE) or {}
        fund = v.get("fund") or []
        if fund:
            return (fmt.and_list([f["indsats"] for f in fund]) + " starter eller slutter uden "
                    f"for perioden for {_kort(r1) if r1 else 'runden'}.", "–")
        if v.get("start_til") and r1:
            return (f"Alle indsatser med penge fra {_kort(r1)} starter senest "
                    f"{fmt.date(v['start_til'])}.", "–")
        return _first_sentence(r.get("tekst")), "–"
    if rid == "loen_vikar":
        high = [f for f in v.get("pris_pr_deltager") or [] if f.get("fund") == "over"]
        if v.get("beloeb_kr"):
            # The Advarsel rests on an open question, not on the amount: say which.
            return (f"Puljen betaler {fmt.kr(v['beloeb_kr'])} til løn og vikar.",
                    "At puljen må betale løn. Listen fra 2023 nævner det ikke; en nyere aftale "
                    "giver lov. Tilsagnsbrevet afgør det.")
        if high:
            f = high[0]
            return (f"Puljen betaler {fmt.kr(f['pr_deltager_kr'])} pr. deltager i "
                    f"{f['indsats']}, mens uddannelsen typisk koster "
                    + _stop(f"{fmt.number(f['typisk_min_kr'])}–{fmt.kr(f['typisk_max_kr'])}"),
                    "At beløbet kun dækker uddannelsen, ikke løn eller vikar.")
        return "Planen betaler ikke løn eller vikar fra puljen.", "–"
    if rid == "ikke_sfo":
        if v.get("indsatser"):
            return (f"{fmt.and_list(v['indsatser'])} bruger {fmt.kr(v.get('beloeb_kr') or 0)} "
                    "på personale i skolefritidsordninger.", "–")
        return "Alle indsatser er for personale i dagtilbud.", "–"
    if rid == "lokal_plan_godkendt" and v.get("daekker_runden") is False:
        # A plan written before the round's terms: the verdict waits for the round's own plan.
        r2 = _round_by_role(ctx, ROLE_LOKAL_PLAN)
        name = _kort(r2) if r2 else "runden"
        return (f"Planen dækker ikke {name}, så det afhænger af kommunens plan for den "
                "runde.", "–")
    if rid == "lokal_plan_godkendt" and st == OK:
        if v.get("godkendt") and v.get("godkendt_af") and v.get("godkendt_dato"):
            return (f"Der er en plan, og {v['godkendt_af']} godkendte den "
                    f"{fmt.date(v['godkendt_dato'])}.", "–")
        return ("Planen angiver ikke, at den er politisk godkendt. Det er heller ikke et krav.",
                "–")
    if rid == "forbrug_inden_for_tilskud":
        assumed = "At den antagne frist holder." if v.get("antaget_frist_runder") else "–"
        if v.get("ikke_finansieret_kr"):
            return "Planen bruger mere, end kommunen har fået, se ovenfor.", assumed
        if any(max(x) for x in (v.get("risiko_interval_pr_runde") or {}).values()):
            if v.get("ikke_planlagt_runder") and st == OK:
                return ("Planen bruger ikke mere, end kommunen får, og resten er beskrevet "
                        "ovenfor.", assumed)
            return "Der er penge, som planen ikke bruger inden fristen, se ovenfor.", assumed
        return "Planen bruger ikke mere, end kommunen får, og holder fristerne.", "–"
    if rid == "fordeling_og_behov":
        fund = v.get("fund") or []
        if fund:  # what does not add up, not only that something does not
            f = fund[0]
            text = (f"{f['indsats']} har {fmt.number(f['deltagere'])} deltagere, men "
                    f"fordelingen på dagtilbud giver {fmt.number(f['sum'])}."
                    if f["type"] == "fordeling" and f.get("deltagere") is not None else
                    f"{f['indsats']} har deltagere fordelt på dagtilbud, men ikke et antal "
                    "deltagere." if f["type"] == "fordeling" else
                    f"{f['indsats']} henviser til et behov, som planen ikke har.")
            if len(fund) > 1:
                text += f" Analysen nævner {fmt.count_word(len(fund) - 1)} til."
            return text, "–"
        return "Fordelingen på dagtilbud passer med antallet af deltagere.", "–"
    return _first_sentence(r.get("tekst")), "–"


def rules(ctx: dict) -> Section:
    """The rule verdicts in one short table: rule, status, why, the assumption."""
    p = ctx["plan"]
    rows = []
    for r in p.get("regler") or []:
        st = display_status(r)
        why, assumption = rule_why(ctx, r)
        rows.append([RULE_NAMES.get(r["id"], r["navn"]), [Run(STATUS_DA[st], status=st)], why,
                     assumption])
    return Section([
        Heading(2, "Puljens regler"),
        Table(["Regel", "Status", "Hvorfor", "Forudsætning"], rows,
              caption="Planen holdt op mod puljens regler", role="rules")], anchor="regler")


# ------------------------------------------------------------------------------ since last time


def changes(ctx: dict) -> Section | None:
    """What changed since the last orientation (the plan's ``forrige``)."""
    p = ctx.get("plan")
    if not p:
        return None
    d = p.get("siden_sidst")
    if not d:
        if p.get("forrige"):
            return Section([Heading(2, "Siden sidste orientering"),
                            Paragraph("Den forrige plan kunne ikke findes, så bilaget kan ikke "
                                      "vise, hvad der er ændret.")], anchor="siden-sidst")
        return None
    lead = f"Sammenlignet med planen fra {fmt.date(d['dato'])}:"
    if d.get("uaendret"):
        return Section([Heading(2, "Siden sidste orientering"),
                        Paragraph(f"Planens indsatser og beløb er uændrede siden planen fra "
                                  f"{fmt.date(d['dato'])}.")], anchor="siden-sidst")
    items = []
    if d.get("tilfoejet"):
        items.append(f"Nye indsatser: {fmt.and_list(d['tilfoejet'])}.")
    if d.get("fjernet"):
        items.append(f"Udgået: {fmt.and_list(d['fjernet'])}.")
    for c in d.get("aendret") or []:
        items.append(f"{c['navn']}: {fmt.kr(c['foer_kr'])} før, {fmt.kr(c['nu_kr'])} nu.")
    f, n = d.get("foer") or {}, d.get("nu") or {}
    if f.get("pulje_kr") != n.get("pulje_kr"):
        items.append(f"Planen bruger nu {fmt.kr(n.get('pulje_kr') or 0)} af puljen mod "
                     f"{fmt.kr(f.get('pulje_kr') or 0)} før.")
    return Section([Heading(2, "Siden sidste orientering"), Paragraph(lead),
                    BulletList(items)], anchor="siden-sidst")


# ------------------------------------------------------------------------------ own text


def own_sections(ctx: dict) -> list:
    if "egne_afsnit" in left_out(ctx):
        return []
    out = []
    for a in _notat(ctx).get("afsnit") or []:
        out.append(Section([Heading(2, a["overskrift"]), *md_blocks(a["tekst"])]))
    return out


def indstilling(ctx: dict) -> Section:
    """The indstilling, only where the plan moves it into the bilag (``i_bilag``)."""
    return Section([Heading(2, "Indstilling"),
                    *md_blocks(present_notat.indstilling_text(ctx))], anchor="indstilling")


def reference(ctx: dict) -> Paragraph:
    """The analysis, named in words as the agenda item lists it under Bilag."""
    return Paragraph(Run("Bilag: ", bold=True), f"{analyse_title(ctx)}. Den viser tallene år "
                     "for år, reglerne med kilder, personalet og metoden.", role="small")


# ------------------------------------------------------------------------------ the bilag


def bilag(ctx: dict) -> list:
    """The council's bilag as document blocks, in the order a council asks.

    Header and introduction; what the kommune gets; what the plan uses and when (or that
    there is no plan); what is not planned and at risk by which date; the rules in one table;
    what changed since the last orientation; the kommune's own sections; sections of the
    analysis the plan moves here (``notat.i_bilag``); the indstilling only when moved here;
    and a reference to the analysis.
    """
    mv = moved(ctx)
    full = {sid: SECTIONS[sid] for sid in mv}
    p = ctx.get("plan")

    def short_or_full(sid: str, short):
        if sid in full:
            return full.pop(sid)(ctx)
        return short(ctx) if sid not in left_out(ctx) else None

    out: list = [*header(ctx), *introduction(ctx), grant(ctx)]
    if p:
        out += [uses(ctx), risk(ctx), short_or_full("regler", rules),
                short_or_full("siden_sidst", changes)]
    else:
        out += [no_plan(ctx), risk(ctx)]
    out += own_sections(ctx)
    full.pop("indledning", None)
    full.pop("egne_afsnit", None)
    wants_indstilling = full.pop("indstilling", None) is not None
    out += [fn(ctx) for fn in full.values()]
    if wants_indstilling:
        out.append(indstilling(ctx))
    out.append(reference(ctx))
    return [x for x in out if x is not None]


def bilag_document(ctx: dict) -> doc.Document:
    """The bilag as a :class:`opkval.base.doc.Document` (title, header lines and blocks), as
    the note's renderer makes it (:func:`opkval.publish.render.note_parts`)."""
    return doc.Document(title=bilag_title(ctx), blocks=bilag(ctx), kind="bilag",
                        header=present.document_header(ctx, "bilag"),
                        created=ctx.get("generated_at") or "")
