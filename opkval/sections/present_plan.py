"""The note's local-plan sections as document blocks (:mod:`opkval.base.doc`), in Danish, from
``ctx["plan"]``.

Every figure is computed in :mod:`opkval.engine.ledger` / :mod:`opkval.engine.rules`; this
module only words and formats them. Text from a plan stays plain text in the blocks; each writer
escapes it for its own format. A line break inside a table cell is a ``"\n"`` in a run's text.
When ``ctx["plan"]`` is None, :func:`key_points` shows "Ingen lokal plan registreret" and
the other sections are None (nothing to show).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opkval.base import doc, fmt
from opkval.base.domain import ROLE_AKTIVITETSVINDUE, ROLE_LOKAL_PLAN
from opkval.engine import wording
from opkval.sections.present import (
    _kommune,
    _paid,
    _span,
    payment_sentence,
    round_estimate,
    round_with_role,
    status_run,
)


def _period(i: dict) -> str:
    return f"{fmt.short_date(i['start'])}–\n{fmt.short_date(i['slut'])}"


def _plan_name(p: dict) -> str:
    return p["titel"] or "Kommunens lokale plan"


def _no_plan(ctx: dict) -> doc.Section:
    r = round_with_role(ctx, ROLE_LOKAL_PLAN)  # the round conditional on a local plan
    return doc.Section([
        doc.Heading(2, "Lokal plan"),
        doc.Paragraph(
            doc.b("Ingen lokal plan registreret."),
            f" {_kommune(ctx)} har ikke registreret en lokal plan for "
            "opkvalificering i opkval, så notatet kan ikke vise forbrug, saldo eller reglerne. "
            f"{r['navn']} (udmøntes i {_paid(r).removeprefix('samlet i ')}) forudsætter en "
            "lokal plan. En plan registreres som ",
            doc.Run(f"data/plans/{ctx['kommune']['slug']}.yaml", code=True),
            " eller i Excel-skabelonen fra ", doc.Run("opkval plan template", code=True), ".")])


def risk_facts(ctx: Mapping[str, Any], r: Mapping[str, Any]) -> dict:
    """A ledger round's money left over, in plain text, as the note and the agenda item word
    it: the amount (a rounded range where the grant is an estimate), the deadline (marked
    "antaget" without a source), and the condition the risk rests on ("hvis skønnet holder
    og " only where the round's money is an estimate)."""
    rr = next(x for x in ctx["runder"] if x["id"] == r["id"])
    lo, hi = sorted(r["risiko_interval_kr"])
    estimate = rr["labels"] != ["tilsagn"]
    return {
        "runde": rr,
        "estimate": estimate,
        "conditional": estimate or r["frist_antaget"],
        # A range from nothing reads "op til ca. 2,1 mio. kr.", not "ca. 0–2,1 mio. kr.".
        "amount": ((f"op til {fmt.approx_kr(hi)}" if lo == 0 < hi else fmt.approx_kr_range(lo, hi))
                   if estimate else fmt.kr(hi)),
        "frist": fmt.date(r["frist"]) + (" (antaget frist; ingen kilde giver den)"
                                         if r["frist_antaget"] else ""),
        "holds": "skønnet holder og " if estimate else "",
    }


def rests_on_assumption(rule: dict) -> bool:
    """A verdict that the other reading of an uncertain input would change (``status_ellers``)."""
    return rule.get("status_ellers") not in (None, rule["status"])


def rule_counts_text(p: dict) -> str:
    """'5 OK, 1 kan ikke afgøres, 1 advarsel og 0 brud; 1 af dem afhænger af en antagelse'
    for a plan's rule results (plain text; no HTML in it)."""
    n = p["status_antal"]
    unclear = n.get("uafklaret", 0)
    flips = n.get("afhaenger", 0)
    assumed = sum(rests_on_assumption(r) for r in p["regler"])
    return (f"{fmt.number(n['ok'])} OK, "
            + (f"{fmt.number(unclear)} kan ikke afgøres, " if unclear else "")
            + (f"{fmt.number(flips)} afhænger af klassifikationen, " if flips else "")
            + f"{fmt.number(n['advarsel'])} {'advarsel' if n['advarsel'] == 1 else 'advarsler'}"
            f" og {fmt.number(n['brud'])} brud"
            + (f"; {fmt.number(assumed)} af dem afhænger af en antagelse" if assumed else ""))


def _received(ctx: dict) -> str:
    """What the kommune receives 2023–2030, each round exact or as a labelled estimate."""

    parts = []
    key = ctx.get("noegle", {}).get("navn") or "fordelingsnøglen"
    for r in ctx["runder"]:
        if r["labels"] == ["tilsagn"]:
            what = "tilsagn"
        elif r.get("alternativ_kr") is not None:
            first = round_with_role(ctx, ROLE_AKTIVITETSVINDUE)["kort"].lower()
            what = f"skøn: {key} eller kommunens andel fra {first}"
        elif "fremskrevet" in r["labels"]:  # the kommune's own published share carried on
            what = ("tilsagn og fremskrevet med kommunens andel" if "tilsagn" in r["labels"]
                    else "fremskrevet med kommunens andel")
        else:
            what = f"skøn: {key}"
        parts.append(f"{round_estimate(r)} for {_span(r['aar'])} ({what})")
    return fmt.and_list(parts)


def _rule_point(p: dict) -> str:
    """The rules in one sentence: counts, and each uncertain verdict with its alternative."""
    by_status: dict[str, list[dict]] = {}
    for r in p["regler"]:
        by_status.setdefault(r["status"], []).append(r)
    # An OK that holds only under an assumption (an uncertain classification) is named with
    # its other verdict too: it is no stronger than that assumption.
    by_status["ok"] = [r for r in by_status.get("ok", []) if rests_on_assumption(r)]
    parts = []
    for st, one, many in (("brud", "brud", "brud"), ("afhaenger", "afhænger af klassifikationen",
                                                     "afhænger af klassifikationen"),
                          ("uafklaret", "kan ikke afgøres", "kan ikke afgøres"),
                          ("advarsel", "advarsel", "advarsler"),
                          ("ok", "OK under en antagelse", "OK under en antagelse")):
        rs = by_status.get(st, [])
        if not rs:
            continue
        items = []
        for r in rs:
            high = [f for f in r.get("vaerdier", {}).get("pris_pr_deltager", [])
                    if f["fund"] == "over"]
            if rests_on_assumption(r):
                first = r["tekst"].split(". ")[0]
                items.append(f"{r['navn']}: {first}"
                             + (f"; {wording.FORMEL_ANDEL_KILDER_KORT}"
                                if st == "afhaenger" and r["id"] == "formel_andel" else ""))
            elif st == "uafklaret" and high:
                items.append(f"{r['navn']}: " + fmt.and_list([
                    f"i {f['indsats']} betaler puljen {fmt.kr(f['pr_deltager_kr'])} pr. "
                    "deltager mod "
                    f"typisk {fmt.number(f['typisk_min_kr'])}–{fmt.kr(f['typisk_max_kr'])}, så "
                    "beløbet kan dække løn" for f in high]))
            elif st == "uafklaret" and r.get("vaerdier", {}).get("aarsag"):
                items.append(f"{r['navn']}: {r['vaerdier']['aarsag']}")  # and why
            else:
                items.append(r["navn"])
        parts.append(f"{fmt.number(len(rs))} {one if len(rs) == 1 else many} "
                     f"({'; '.join(items)})")
    if not parts:
        n = len(p["regler"])
        return ("Planen overholder " + ("den regel" if n == 1 else
                                        f"alle {fmt.count_word(n)} regler")
                + ", opkval kontrollerer.")
    return f"Puljens regler: {' og '.join(parts)}; se tabellen over regler."


def _oldest_first(ctx: dict) -> str:
    """'første rundes midler bruges før anden rundes. Anden rundes midler for ... samlet i ...'."""
    rounds = ctx["runder"]
    names = [f"{r['kort'].lower()}s" for r in rounds]
    text = (f", så {names[0]} midler bruges før {' før '.join(names[1:])}." if len(names) > 1
            else ".")
    for r in rounds:
        if r["udbetaling"] == "samlet":
            text += (f" {r['kort']}s midler for {_span(r['aar'])} udmøntes "
                     f"{_paid(r)}.")
    return text


def key_points(ctx: dict) -> doc.Section:
    """"Hovedpunkter": three to five sentences a council member reads first.

    Every estimated amount says it is one, prose rounds estimates ("ca. 2,4 mio. kr."), and
    a risk that rests on an estimate or an assumed deadline is worded as conditional. A round
    the plan predates is "not yet planned", not the plan's shortfall.
    """
    p = ctx.get("plan")
    if not p:
        return _no_plan(ctx)
    led = p["ledger"]
    window_id = round_with_role(ctx, ROLE_AKTIVITETSVINDUE)["id"]
    r1 = next(r for r in led["runder"] if r["id"] == window_id)
    rounds = {r["id"]: r for r in ctx["runder"]}
    years = _span([y for y in (p["forbrug_foerste_aar"], p["forbrug_sidste_aar"]) if y])
    pts: list[doc.Inline | tuple[doc.Inline, ...]] = []
    pts.append((f"Planen ({fmt.date(p['dato'])}) bruger i alt ", doc.b(fmt.kr(led["forbrug_kr"])),
                f" af puljen i {years} på "
                f"{fmt.number(sum(i['finansiering'] == 'pulje' for i in p['indsatser']))} "
                f"indsatser; kommunen modtager {_received(ctx)}."))
    exact1 = rounds[r1["id"]]["labels"] == ["tilsagn"]
    amount1 = fmt.kr(r1["modtaget_kr"]) if exact1 else fmt.approx_kr(r1["modtaget_kr"])
    if r1["modtaget_kr"] and not r1["tilbage_kr"] and r1["brugt_aar"]:
        pts.append((f"Planen bruger {'præcis ' if exact1 else ''}{r1['navn'].lower()}s "
                    "tilskud på ", doc.b(amount1), f"{'' if exact1 else ' (skøn)'} i "
                    f"{_span(r1['brugt_aar'])}."))
    elif r1["modtaget_kr"]:
        pts.append(f"Af {r1['navn'].lower()}s {amount1}{'' if exact1 else ' (skøn)'} "
                   f"bruger planen {fmt.kr(r1['brugt_kr'])}; resten er ikke disponeret.")
    if led["ikke_finansieret_kr"]:
        pts.append((doc.b(fmt.kr(led["ikke_finansieret_kr"])), " af planens forbrug er "
                    "ikke finansieret af puljen (forbrug ud over de modtagne midler"
                    + ("" if all(r["labels"] == ["tilsagn"] for r in ctx["runder"])
                       else ", som delvis er skøn") + ")."))
    risky = [r for r in led["runder"] if max(r["risiko_interval_kr"])]
    for r in risky:
        f = risk_facts(ctx, r)
        rr, estimate, risk, frist = f["runde"], f["estimate"], f["amount"], f["frist"]
        received = ((wording.interval_text(rr["skoen_interval_kr"])
                     if rr.get("skoen_interval_kr") else
                     fmt.approx_kr_range(*sorted((r["modtaget_kr"],
                                                  r["modtaget_alternativ_kr"]))))
                    + " (skøn)" if estimate else fmt.kr(r["modtaget_kr"]))
        if r.get("ikke_planlagt"):
            pts.append((doc.b(f"{r['navn']} er endnu ikke planlagt:"), " planen er fra "
                        f"{fmt.date(p['dato'])}, før rundens vilkår blev fastlagt. Af rundens "
                        f"{received} bruger planen {fmt.kr(r['brugt_kr'])}; resten, "
                        f"{risk}, skal planlægges og risikerer at skulle betales tilbage, hvis "
                        f"det ikke bruges inden {frist}."))
        else:
            cond = f["conditional"]
            pts.append((doc.b(f"Risiko for tilbagebetaling{' (betinget)' if cond else ''}:"),
                        f" {risk} af {r['navn'].lower()} ({received}, "
                        f"{payment_sentence(rr)}) er ikke disponeret i planen "
                        + (f"og kan skulle betales tilbage, hvis {f['holds']}de ikke "
                           f"bruges inden {frist}." if cond else
                           f"og skal betales tilbage, hvis de ikke bruges inden {frist}.")
                        + (" " + wording.round1_risk_clause(rr)
                           if rr.get("aktivitet_start_til") else "")))
    if not risky and not led["ikke_finansieret_kr"]:
        pts.append("Planen bruger alle midler inden fristerne; intet skal betales tilbage.")
    pts.append(_rule_point(p))
    if p["deltagere_i_alt"]:
        # Students in formal education and course participants are counted apart, never added.
        def groups(d: dict) -> str:
            return " og ".join(f"{fmt.number(n)} {g.lower()}" for g, n in d.items())

        kinds = []
        if p.get("studerende_i_alt"):
            kinds.append(f"{fmt.number(p['studerende_i_alt'])} studerende i formel uddannelse "
                         f"({groups(p['studerende_pr_maalgruppe'])})")
        if p.get("kursister_i_alt"):
            kinds.append(f"{fmt.number(p['kursister_i_alt'])} deltagere i kurser og anden "
                         f"uformel opkvalificering ({groups(p['kursister_pr_maalgruppe'])})")
        missing = p["indsatser_uden_deltagere"]
        extra = (f"; {', '.join(missing)} angiver ikke antal deltagere" if missing else "")
        pts.append(f"Planen omfatter {' og '.join(kinds)}{extra}.{_counts_uncertain(p)}")
    return doc.Section([doc.Heading(2, "Hovedpunkter"), doc.BulletList(pts)], role="summary")


def _counts_uncertain(p: dict) -> str:
    """' De 12 deltagere i X er talt som studerende ...; hvis den er ..., er de ...' for each
    indsats with participants whose uncertain classification would move them to the other
    count ('' when there is none)."""
    kinds = {True: "studerende i formel uddannelse", False: "deltagere i kurser"}
    out = []
    for i in p["indsatser"]:
        if (not i.get("kategori_alternativ") or not i.get("deltagere")
                or i["formel"] == i["alternativ_formel"]):
            continue
        other = i["kategori_alternativ_navn"].split(" (")[0].lower()
        out.append(f" De {fmt.number(i['deltagere'])} deltagere i {i['navn']} er talt som "
                   f"{kinds[i['formel']]}; hvis den er {other}, er de "
                   f"{kinds[i['alternativ_formel']]}.")
    return "".join(out)


def money_table(ctx: dict) -> doc.Section | None:
    """Per year: paid, spending, unfunded, balance; per round: received, spent, left, risk."""
    p = ctx.get("plan")
    if not p:
        return None
    led = p["ledger"]
    other = any(y["anden_finansiering_kr"] for y in led["aar"])
    head = ["År", "Tilskud (modtaget eller ventet)", "Forbrug af puljen", "Ikke finansieret",
            "Saldo ultimo"]
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
    out = [doc.Heading(2, "Planens økonomi år for år"),
           doc.Paragraph(
               "Forbruget er planens budget (eller realiseret forbrug, hvor det er angivet) for "
               "indsatser betalt af puljen. Hvert års forbrug trækker først på de ældste midler"
               f"{_oldest_first(ctx)}"
               + "".join(f" Udbetaling, {r['kort'].lower()}: {r['udbetaling_tekst']}."
                         for r in ctx["runder"] if r.get("udbetaling_tekst"))),
           doc.Table(head, rows, numeric=range(1, len(head)), foot=foot,
                     caption=f"Tilskud, forbrug og saldo pr. år – {_kommune(ctx)}")]
    def risk_cell(r: dict) -> str:
        lo, hi = sorted(r["risiko_interval_kr"])
        if not hi:
            return "–"
        return fmt.number(hi) if lo == hi else f"{fmt.number(lo)}–{fmt.number(hi)}"

    rrows = [[r["navn"], fmt.number(r["modtaget_kr"]), fmt.number(r["brugt_kr"]),
              _span(r["brugt_aar"]) or "–", fmt.number(r["tilbage_kr"]),
              fmt.short_date(r["frist"]) + (" (antaget)" if r["frist_antaget"] else ""),
              risk_cell(r)]
             for r in led["runder"]]
    out.append(doc.Table(["Runde", "Modtaget", "Brugt", "Brugt i år", "Tilbage", "Frist",
                          "Risiko*"], rrows, numeric=(1, 2, 4, 6),
                         caption="Pr. tildelingsrunde: modtaget, brugt og tilbage (kr.)"))
    note = ('* Risiko for tilbagebetaling: midler, som planen ikke bruger inden rundens frist.'
            " Et spænd er risikoen med de to skøn for rundens tilskud (nøglen og kommunens andel"
            f" fra {round_with_role(ctx, ROLE_AKTIVITETSVINDUE)['kort'].lower()}); "
            "tabellens øvrige tal bruger nøglens skøn."
            if any(len(set(r["risiko_interval_kr"])) > 1 for r in led["runder"]) else
            "* Risiko for tilbagebetaling: midler, som planen ikke bruger inden rundens frist.")
    if any(r["frist_antaget"] for r in led["runder"]):
        note += " En frist markeret »antaget« har ingen kilde."
    if any(r.get("ikke_planlagt") for r in led["runder"]):
        later = round_with_role(ctx, ROLE_LOKAL_PLAN)["kort"].lower()
        note += (f" Planen er ældre end {later}s vilkår; rundens midler er endnu ikke "
                 "planlagt.")
    out.append(doc.Paragraph(note, role="small"))
    return doc.Section(out)


def indsats_table(ctx: dict) -> doc.Section | None:
    """Per indsats: kategori, målgruppe, deltagere, period, amount; and amounts per year."""
    p = ctx.get("plan")
    if not p:
        return None
    ind = p["indsatser"]
    rows = [[i["navn"], i["kategori_kort"] + (" (formel)" if i["formel"] else ""),
             i["maalgruppe_navn"], fmt.number(i["deltagere"]) if i["deltagere"] is not None
             else "–", _period(i),
             fmt.number(i["total_kr"]) + ("" if i["finansiering"] == "pulje" else " *")]
            for i in ind]
    foot = _split_totals(ind, lambda rows: ["", "", "", "", fmt.number(sum(
        i["total_kr"] for i in rows))])
    out = [doc.Heading(2, "Planens indsatser"),
           doc.Table(["Indsats", "Kategori", "Målgruppe", "Deltagere", "Periode", "I alt, kr."],
                     rows, numeric=(3, 5), foot=foot, role="indsatser",
                     caption="Planens indsatser (beløb betalt af puljen, medmindre andet er "
                     "angivet)")]
    if any(i["finansiering"] != "pulje" for i in ind):
        out.append(doc.Paragraph("* Ikke finansieret af puljen (anden finansiering); vises, "
                                 "men trækker ikke på tilskuddet.", role="small"))
    described = [i for i in ind if i.get("beskrivelse")]
    if described:
        # Each indsats's name (bold) on its own line above its description.
        out += [doc.Heading(3, "Om indsatserne"),
                doc.BulletList([(doc.b(i["navn"]), "\n", i["beskrivelse"]) for i in described],
                               role="beskrivelser")]
    years = sorted({int(y) for i in ind for y in i["pr_aar_kr"]})
    yrows = [[i["navn"], *[fmt.number(i["pr_aar_kr"].get(str(y))) if i["pr_aar_kr"].get(str(y))
                           else "–" for y in years]] for i in ind]
    yfoot = _split_totals(ind, lambda rows: [fmt.number(sum(
        i["pr_aar_kr"].get(str(y), 0) for i in rows)) for y in years])
    out.append(doc.Table(["Indsats", *[str(y) for y in years]], yrows,
                         numeric=range(1, len(years) + 1), foot=yfoot,
                         caption="Beløb pr. indsats og år (kr.)"))
    return doc.Section(out)


def _split_totals(ind: list[dict], cells) -> list[list]:
    """Total rows: pool money and other financing apart (never one sum of both)."""
    pulje = [i for i in ind if i["finansiering"] == "pulje"]
    anden = [i for i in ind if i["finansiering"] != "pulje"]
    if not anden:
        return [["I alt", *cells(pulje)]]
    rows = [["I alt, betalt af puljen", *cells(pulje)]]
    rows.append(["I alt, anden finansiering *", *cells(anden)])
    return rows


def distribution(ctx: dict) -> doc.Section | None:
    """Participants per dagtilbud for each indsats that names a distribution."""
    p = ctx.get("plan")
    if not p:
        return None
    places = list(p["fordeling_pr_dagtilbud"])
    lines = [i for i in p["indsatser"] if i["fordeling"]]
    if not lines:
        return None
    # One row per dagtilbud, one column per indsats: stays inside A4 however many places.
    rows = [[x, *[fmt.number(i["fordeling"].get(x)) if i["fordeling"].get(x) else "–"
                  for i in lines]] for x in places]
    foot = [["I alt", *[fmt.number(sum(i["fordeling"].values())) for i in lines]]]
    head = ["Dagtilbud", *[f"{i['navn']} ({i['maalgruppe_navn'].lower()})" for i in lines]]
    return doc.Section([doc.Heading(2, "Fordeling på dagtilbud"),
                        doc.Table(head, rows, numeric=range(1, len(lines) + 1), foot=foot,
                                  role="compact", caption="Deltagere pr. dagtilbud")])


def rules_table(ctx: dict) -> doc.Section | None:
    """Every rule opkval checks: label, status as a word, one sentence, source."""
    p = ctx.get("plan")
    if not p:
        return None

    def status_cell(r: dict) -> tuple[doc.Inline, ...]:
        # A verdict that flips on a classification names both readings in its text already.
        if (r.get("status_ellers") and r["status_ellers"] != r["status"]
                and r["status"] != "afhaenger"):
            return (status_run(r["status"]), "\nellers ", status_run(r["status_ellers"]))
        return (status_run(r["status"]),)

    def text_cell(r: dict) -> tuple[doc.Inline, ...]:
        out: tuple[doc.Inline, ...] = (r["tekst"],)
        if r.get("forudsaetning"):
            out += ("\n", doc.i("Forudsætning:"), f" {r['forudsaetning']}")
            if r.get("tekst_ellers") and r.get("status_ellers") != r["status"]:
                out += (" ", doc.i("Ellers:"), f" {r['tekst_ellers']}")
        return out

    rows = [[r["navn"], status_cell(r), text_cell(r), r["kilde"]] for r in p["regler"]]
    return doc.Section([
        doc.Heading(2, "Puljens regler"),
        doc.Paragraph(
            f"{rule_counts_text(p)}. Status er ", doc.b("OK"), " (reglen er overholdt), ",
            doc.b("Kan ikke afgøres"), " (planens tal tillader ingen vurdering), ",
            doc.b("Afhænger af klassifikationen"), " (brud under den ene læsning af en indsats, "
            "overholdt under den anden), ",
            doc.b("Advarsel"), " (bør afklares) eller ", doc.b("Brud"),
            " (planen overholder ikke reglen, som den står). Hviler en status på en antagelse, "
            "står antagelsen og status uden den ved siden af (»ellers«)."),
        doc.Table(["Regel", "Status", "Vurdering", "Kilde"], rows, role="rules",
                  caption="Planen kontrolleret mod puljens regler")])


def _kind(part: str | None, formel: bool) -> str:
    """What a kategori counts as in the 90 % rule: formal, informal, or neither (wages and
    substitutes, administration, audit, study costs: issue 19 §2)."""
    if formel:
        return "formel uddannelse"
    if part == "oevrig":
        return "hverken formel uddannelse eller uformel opkvalificering"
    return "uformel opkvalificering"


def _counts_as(part: str | None, formel: bool) -> str:
    kind = _kind(part, formel)
    return ("tæller hverken som formel uddannelse eller som uformel opkvalificering"
            if kind.startswith("hverken") else f"tæller som {kind}")


def classification(ctx: dict) -> doc.Section | None:
    """Each indsats's classification and every assumed date, and where the plan came from."""
    p = ctx.get("plan")
    if not p:
        return None
    items = []
    kategorier = p.get("kategorier") or {}
    for i in p["indsatser"]:
        text: list[doc.Inline] = [doc.b(i["navn"]), ": kategori ", doc.i(i["kategori_navn"]),
                                  f", {_counts_as(i.get('del'), i['formel'])}."]
        if i["kategori_begrundelse"]:
            text.append(f" {i['kategori_begrundelse']}")
        if i.get("kategori_alternativ"):
            alt_kat = kategorier.get(i["kategori_alternativ"], {})
            alt = _kind(alt_kat.get("del"), bool(i.get("alternativ_formel")))
            text += [" ", doc.b("Usikker klassifikation:"), " kan også være ",
                     doc.i(i["kategori_alternativ_navn"]),
                     f" ({alt}). {i['kategori_usikkerhed']} Reglerne vises under begge."]
        if i["antagelser"]:
            text.append(" Antagelser: " + " ".join(i["antagelser"]))
        items.append(text)
    formal = [v["navn"] for v in p["kategorier"].values() if v["formel"]]
    oevrig = [v["navn"] for v in p["kategorier"].values() if v.get("del") == "oevrig"]
    src = f" Kilde: {p['kilde']}." if p["kilde"] else ""
    return doc.Section([
        doc.Heading(2, "Klassifikation og antagelser"),
        doc.Paragraph(f"Planen: {_plan_name(p)}, {fmt.date(p['dato'])} (filen {p['fil']}).{src}"),
        doc.BulletList(items),
        doc.Paragraph(
            "Formel uddannelse i reglen om "
            f"{fmt.pct(ctx['regler']['min_formel_andel'], 0)}: {', '.join(formal)}. "
            "Kilderne formulerer reglen forskelligt: "
            + fmt.and_list([f"»{x['navn']}« ({x['kilde'].split(',')[0]})"
                            for x in ctx["regler"].get("laesninger", [])])
            + f". De er uenige om {', '.join(oevrig).lower()}, som hverken er formel eller "
            "uformel opkvalificering; opkval viser andelen under begge læsninger, og reglen er "
            "kun brudt, når begge læsninger bryder den.", role="small")])


def _kr_change(before: int, after: int) -> str:
    return f"{fmt.kr(before)} → {fmt.kr(after)}"


def changes(ctx: dict) -> doc.Section | None:
    """"Siden sidste orientering": indsatser added or removed, budgets changed by year, and
    the totals before and after (pool money and other financing apart)."""
    p = ctx.get("plan")
    d = p.get("siden_sidst") if p else None
    if not d:
        return None
    src = d["fil"] + (f", version i git af {fmt.date(d['git_dato'])}" if d.get("git") else "")
    name = d["titel"] or "den forrige plan"
    out = [doc.Heading(2, "Siden sidste orientering"),
           doc.Paragraph(f"Sammenlignet med {name} ({fmt.date(d['dato'])}; filen {src}).")]
    if d["uaendret"]:
        out.append(doc.Paragraph("Planens indsatser og beløb er uændrede."))
    items: list[tuple[doc.Inline, ...]] = []
    if d["tilfoejet"]:
        items.append((doc.b("Nye indsatser:"), " " + ", ".join(d["tilfoejet"]) + "."))
    if d["fjernet"]:
        items.append((doc.b("Udgået:"), " " + ", ".join(d["fjernet"]) + "."))
    for c in d["aendret"]:
        years = "; ".join(f"{a['aar']}: {_kr_change(a['foer_kr'], a['nu_kr'])}" for a in c["aar"])
        items.append((doc.b(c["navn"]),
                      f": {years} (i alt {_kr_change(c['foer_kr'], c['nu_kr'])})."))
    if items:
        out.append(doc.BulletList(items))
    f, n = d["foer"], d["nu"]
    rows = [["Indsatser", fmt.number(f["indsatser"]), fmt.number(n["indsatser"]),
             fmt.signed_number(n["indsatser"] - f["indsatser"])],
            ["Betalt af puljen, kr.", fmt.number(f["pulje_kr"]), fmt.number(n["pulje_kr"]),
             fmt.signed_number(n["pulje_kr"] - f["pulje_kr"])],
            ["Anden finansiering, kr.", fmt.number(f["anden_kr"]), fmt.number(n["anden_kr"]),
             fmt.signed_number(n["anden_kr"] - f["anden_kr"])]]
    out.append(doc.Table(["", "Forrige plan", "Denne plan", "Ændring"], rows, numeric=(1, 2, 3),
                         caption="Planen før og nu (i alt over alle år)"))
    yrows = [[y["aar"], fmt.number(y["foer_kr"]), fmt.number(y["nu_kr"]),
              fmt.signed_number(y["forskel_kr"])] for y in d["pulje_pr_aar"]]
    out.append(doc.Table(["År", "Forrige plan", "Denne plan", "Ændring"], yrows,
                         numeric=(1, 2, 3),
                         caption="Planens forbrug af puljen pr. år før og nu (kr.)"))
    return doc.Section(out)
