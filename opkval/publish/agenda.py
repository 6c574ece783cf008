"""A draft dagsordenspunkt (council agenda item) for each note, from the same context.

The structure Danish councils use: Resumé, Sagsfremstilling, Økonomi, Indstilling, Bilag.
Built from the note's context (the grant, the plan's spending, the rules' verdicts with what
they rest on, the kommune's own text) and written as Word
(``reports/<slug>-dagsordenspunkt.docx``) and as plain text for pasting into an agenda system
(``reports/<slug>-dagsordenspunkt.txt``). The default indstilling is that the udvalg takes the
orientation to efterretning; the plan's ``notat.indstilling`` replaces it.

Written in plain Danish like the bilag (issue 21 §2, measured by :mod:`opkval.base.klarsprog` in
tests/test_agenda_klarsprog.py): short sentences, each fact once, abbreviations written out at
first use, one date form, no file names or tool names. Under Bilag it names the two documents
by their titles (:func:`opkval.sections.present_bilag.bilag_title`,
:func:`~opkval.sections.present_bilag. analyse_title`); the full reasoning and the sources stay in
the analysis.
"""

from __future__ import annotations

import html
import re

from opkval.base import doc, fmt, klarsprog
from opkval.base.domain import ROLE_AKTIVITETSVINDUE, ROLE_LOKAL_PLAN
from opkval.engine import wording
from opkval.sections.present import _kommune, _span, grant_label, payment_sentence, round_with_role
from opkval.sections.present_bilag import analyse_title, bilag_title, rule_why
from opkval.sections.present_notat import bilag_label, header_fields, indstilling_text, md_blocks
from opkval.sections.present_plan import rests_on_assumption, risk_facts, rule_counts_text

SECTIONS = ("Resumé", "Sagsfremstilling", "Økonomi", "Indstilling", "Bilag")


def _run(text: str, bold: bool = False) -> dict:
    return {"text": text, "bold": bold, "italic": False, "href": None}


def _p(text: str) -> dict:
    return {"kind": "p", "items": [[_run(text)]]}


def _ul(items: list[str]) -> dict:
    return {"kind": "ul", "items": [[_run(t)] for t in items]}


def _estimated(ctx: dict) -> list[dict]:
    return [g for g in ctx["grants"] if g["label"] != "tilsagn"]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _grant_basis(ctx: dict) -> str:
    """How the grant figures were found, in two short sentences (the verdicts' weakest
    input)."""
    est = _estimated(ctx)
    if not est:
        return "Alle beløb er kommunens tilsagn."
    years = _span(g["aar"] for g in est)
    kinds = sorted({grant_label(g).lower() for g in est})
    one = len({g["aar"] for g in est}) == 1
    return ((f"Beløbet for {years} er ikke et kendt tilsagn, men " if one else
             f"Beløbene for {years} er ikke kendte tilsagn, men ") + f"{' og '.join(kinds)}. "
            "Kommunens eget tilsagnsbrev kan give andre tal. Så kan vurderingerne også blive "
            "andre.")


def _deadline(r: dict) -> str:
    """'31. december 2030. Det er en antaget frist; ingen kilde giver den.' (a sentence's
    end and, where no source gives the deadline, a sentence of its own)."""
    return fmt.date(r["frist"]) + (". Det er en antaget frist; ingen kilde giver den."
                                   if r["frist_antaget"] else ".")


def _risk(ctx: dict, r: dict) -> str:
    """A round's money the plan does not use, as carefully as the note words it (issues 11
    and 19), in short sentences: a rounded range labelled skøn where the grant is an
    estimate, repayment worded conditionally where it rests on an estimate or an assumed
    deadline, a round the plan predates "endnu ikke planlagt", and round 1's money after its
    window only for activities already started."""
    f = risk_facts(ctx, r)
    amount = f["amount"] + (" (skøn)" if f["estimate"] else "")
    name = r["navn"]
    if r.get("ikke_planlagt"):
        text = (f"{name} er endnu ikke planlagt, fordi planen er skrevet, før rundens "
                "vilkår blev fastlagt.")
        if r.get("brugt_kr"):
            text += f" Planen bruger {fmt.kr(r['brugt_kr'])} af runden."
        text += (f" {_cap(amount)} af runden skal planlægges og bruges inden {_deadline(r)}"
                 " Ellers kan pengene skulle betales tilbage.")
    else:
        if f["conditional"]:
            cond = "hvis skønnet holder og " if f["estimate"] else "hvis "
            verb = f"Pengene kan skulle betales tilbage, {cond}de ikke bruges inden"
        else:
            verb = "Pengene skal betales tilbage, hvis de ikke bruges inden"
        text = (f"{_cap(amount)} af {name.lower()} er ikke disponeret i planen. "
                f"{verb} {_deadline(r)}")
    if f["runde"].get("aktivitet_start_til"):  # issue 19: after the window, only what started
        text += " " + wording.round1_risk_clause(f["runde"])
    return text


#: Abbreviations the agenda item's own lists may hold (indsats names, kinds, fee units).
_ABBR = re.compile(r"(?<![\w-])([A-ZÆØÅ]{2,})(?![\w])")


def _abbreviations(texts: list[str]) -> str:
    """' Nedenfor bruges forkortelsen PAU (pædagogisk assistentuddannelse).' for the known
    abbreviations in the texts, written out once before the list ('' for none)."""
    found: list[str] = []
    for t in texts:
        found.extend(a for a in _ABBR.findall(t)
                     if a in klarsprog.ABBREVIATIONS and a not in found)
    if not found:
        return ""
    return (" Nedenfor bruges " + ("forkortelsen " if len(found) == 1 else "forkortelserne ")
            + fmt.and_list([f"{a} ({klarsprog.ABBREVIATIONS[a]})" for a in found]) + ".")


def _fee_unit(f: dict) -> str:
    """'hele uddannelsen', 'ét modul på 10 ECTS' (the fee's unit without its own aside)."""
    return f["enhed"].split(" (")[0]


def _fee_sentences(f: dict, low: bool = False) -> str:
    """What the pool pays per participant against the programme's typical price (issue 19:
    the pool's part, not what the programme costs)."""
    lo, hi = f["typisk_min_kr"], f["typisk_max_kr"]
    price = fmt.kr(hi) if lo == hi else f"{fmt.number(lo)}–{fmt.kr(hi)}"
    head = f"I {f['indsats']} betaler puljen {fmt.kr(f['pr_deltager_kr'])} pr. deltager."
    if low:
        return (f"{head} Det er langt under den typiske pris for {_fee_unit(f)}, "
                + wording.stop(price))
    times = (f"{fmt.number(f['gange_max'], 1)}–{fmt.number(f['gange_min'], 1)} gange"
             if f["gange_min"] else f"{fmt.number(f['gange_max'], 1)} gange")
    return f"{head} Det er {times} den typiske pris for {_fee_unit(f)}, {wording.stop(price)}"


def _fits(text: str) -> bool:
    """A rule's own text is plain enough for the council as it stands."""
    return bool(text) and all(
        len(klarsprog.words(s)) <= 30 for s in klarsprog.sentences(text)) and (
        klarsprog.paren_depth(text) <= 1 and not klarsprog.forbidden(text)
        and not [a for a in klarsprog.unexplained_abbreviations(text)
                 if a in klarsprog.ABBREVIATIONS]
        and not klarsprog.hyphen_ranges(text) and not klarsprog.date_forms(text))


def _finding(ctx: dict, x: dict) -> str:
    """One rule's verdict that is not a plain OK, with why, in short sentences: both readings
    where it flips on one classification, the figures it rests on, and where its sources are
    weak, that too. The full reasoning and the sources are in the analysis."""
    v = x.get("vaerdier") or {}
    p = ctx["plan"]
    head = f"{x['status_tekst']}: {x['navn']}."
    rid = x["id"]
    if rid == "formel_andel":
        out = []
        if rests_on_assumption(x) or x["status"] == "afhaenger":
            both = klarsprog.sentences(x["tekst"])
            if both:
                out.append(both[0])  # "Brud (29,1 %), hvis …; overholdt (7,7 %), hvis …"
        for rr in v.get("runder") or []:
            share, over = fmt.pct(rr["uformel_andel"]), rr.get("over_graensen_kr")
            where = rr["navn"].lower()
            if readings := wording.readings_text(rr):  # the verdict rests on the reading
                out.append(readings)
                continue
            if out and share.replace(fmt.NBSP, " ") in out[0].replace(fmt.NBSP, " "):
                # the share is in the readings' sentence already
                if over:
                    out.append(f"Det er {fmt.kr(over)} over grænsen i {where}.")
                continue
            out.append(f"I {where} går {share} af forbruget til andet end formel uddannelse"
                       + (f", {fmt.kr(over)} over grænsen." if over else "."))
        amu = [i["navn"] for i in p["indsatser"] if i.get("kategori") in ("amu", "avu")]
        if amu:
            out.append(f"{fmt.and_list(amu)} er talt som formel uddannelse. Det er en "
                       "antagelse, for ingen kilde siger, at arbejdsmarkedsuddannelse og "
                       "almen voksenuddannelse hører under reglen.")
        out.append(f"Reglen om {fmt.pct(v.get('min_formel_andel') or 0.9, 0)} formel "
                   "uddannelse kendes kun fra en nyhed fra professionshøjskolen Absalon og en "
                   "liste fra Børne- og Ungdomspædagogernes Landsforbund på Fyn. Den kendes "
                   "ikke fra vilkårene i tilsagnet. Tilsagnsbrevet afgør, hvad der gælder.")
        return " ".join([head, *out])
    if rid == "loen_vikar" and not v.get("beloeb_kr"):
        fees = v.get("pris_pr_deltager") or []
        high = [f for f in fees if f.get("fund") == "over"]
        low = [f for f in fees if f.get("fund") == "under"]
        out = []
        if high:
            out.append("Planen har ingen linje til løn eller vikar.")
            out.extend(_fee_sentences(f) for f in high)
            out.append("Beløbet kan dække løn eller vikar under uddannelsen. Spørg "
                       "forvaltningen, hvad det dækker.")
        out.extend(_fee_sentences(f, low=True) for f in low)
        if out:
            return " ".join([head, *out])
    if rid == "lokal_plan_godkendt" and v.get("daekker_runden") is False:
        r2 = round_with_role(ctx, ROLE_LOKAL_PLAN)
        return (f"{head} {r2['navn']} forudsætter en lokal plan for runden, og den "
                "registrerede plan dækker ikke runden. Om betingelsen er opfyldt, afhænger "
                f"af den plan, kommunen laver for {r2['navn'].lower()}.")
    if rid == "forbrug_inden_for_tilskud":
        if v.get("ikke_finansieret_kr"):
            return f"{head} Planen bruger mere, end kommunen har fået. Beløbet står under Økonomi."
        return f"{head} Der er penge, som planen ikke bruger inden fristen. Se Resumé."
    if _fits(x["tekst"]):
        return f"{head} {x['tekst']}"
    why, _ = rule_why(ctx, x)
    return f"{head} {why} Hele begrundelsen står i analysen."


def agenda(ctx: dict) -> dict:
    """The agenda item as data: title, header fields and the five sections as blocks.

    Plain Danish (issue 21 §2, measured by :mod:`opkval.base.klarsprog`): short sentences, each
    fact once, abbreviations written out at first use, no file names or tool names. The
    Resumé holds what the kommune gets, what the plan uses and what is at risk; the
    Sagsfremstilling the pool, the plan and the rules' findings; Økonomi each round's money.
    """
    k = _kommune(ctx)
    p = ctx.get("plan")
    title = f"Orientering om opkvalificeringspuljen – {k}"
    if ctx.get("scenarie"):
        title = f"Scenarie: {title}"
    total = ctx["grants_total_kr"]
    span = _span(int(y) for y in ctx["pulje"]["beloeb_kr"])
    pool = ctx["pulje"]["navn"].split(" (")[0]
    # Prose rounds an estimate to what the method supports; the Økonomi list keeps kroner.
    known = sum(g["beloeb_kr"] for g in ctx["grants"] if g["label"] == "tilsagn")
    interval = wording.total_interval(ctx["runder"])  # issue 19: the key's record
    received = (fmt.kr(total) if not _estimated(ctx) else
                wording.interval_text(interval) if interval else fmt.approx_kr(total))
    label = ""
    if _estimated(ctx):
        label = " (skøn" + (f", heraf {fmt.kr(known)} som tilsagn)" if known else ")")
    resume = [f"Udvalget orienteres om {k}s andel af {pool[:1].lower() + pool[1:]}"
              f"{wording.agenda_resume_subject(bool(p))}. Kommunen får i alt "
              f"{received} i {span}{label}. {_grant_basis(ctx)}"]
    risks: dict[int, str] = {}
    if p:
        led = p["ledger"]
        resume.append(f"Planen bruger {fmt.kr(led['forbrug_kr'])} af puljen. Puljens regler: "
                      f"{rule_counts_text(p)}.")
        risks = {r["id"]: _risk(ctx, r) for r in led["runder"] if max(r["risiko_interval_kr"])}
        resume.extend(risks.values())
    else:
        resume.append("Der er ikke registreret en lokal plan for kommunen. Derfor er ingen "
                      "penge planlagt endnu.")
    if ctx.get("scenarie"):
        resume.insert(0, "Scenarie – ikke kommunens plan, som den står: "
                      + "; ".join(ctx["scenarie"]) + ".")

    notat = ctx.get("notat") or {}
    sag: list[dict] = []
    sag.extend(md_blocks(notat.get("indledning")))
    sag.append(_p(
        "Puljen er afsat med Aftale om minimumsnormeringer af 5. december 2020. Den fordeles "
        "efter, hvor mange børn på 0–5 år der bor i hver kommune. Mindst "
        f"{fmt.pct(ctx['regler']['min_formel_andel'], 0)} af pengene skal gå til formel "
        # The rule is known from a college's news item and a union list, not the tilsagn's
        # terms (issue 19 §3): said as what the sources say, not as a fact.
        "uddannelse. Det siger kilderne om puljen."))
    if p:
        plan_name = p["titel"] or "Kommunens lokale plan"
        n = len(p["indsatser"])
        items = [f"{i['navn']} ({i['kategori_kort']}, {i['maalgruppe_navn'].lower()}"
                 + (f", {fmt.number(i['deltagere'])} " + wording.participant_word(i["del"])
                    if i["deltagere"] else "")
                 + f"): {fmt.kr(i['total_kr'])}"
                 + ("" if i["finansiering"] == "pulje" else ", anden finansiering")
                 for i in p["indsatser"]]
        # Every verdict that is not a plain OK: also an OK that rests on an assumption.
        findings = [x for x in p["regler"] if x["status"] != "ok" or rests_on_assumption(x)]
        texts = [_finding(ctx, x) for x in findings]
        sag.append(_p(f"Planen »{plan_name}« er fra {fmt.date(p['dato'])}. Den har "
                      f"{fmt.count_word(n)} {'indsats' if n == 1 else 'indsatser'}."
                      + _abbreviations(items + texts)))
        sag.append(_ul(items))
        if findings:
            sag.append(_p("Planen holdt op mod puljens regler:"))
            sag.append(_ul(texts))
        else:
            sag.append(_p("Planen overholder de regler, der er kontrolleret."))
        d = p.get("siden_sidst")
        if d:
            f = d["foer"]
            bits = []
            if d["tilfoejet"]:
                bits.append(f"Nye indsatser: {fmt.and_list(d['tilfoejet'])}.")
            if d["fjernet"]:
                bits.append(f"Udgået: {fmt.and_list(d['fjernet'])}.")
            if d["aendret"]:
                bits.append("Ændrede budgetter: "
                            + fmt.and_list([c["navn"] for c in d["aendret"]]) + ".")
            if not bits:
                bits.append("Ingen ændringer i indsatserne.")
            bits.append(f"Før brugte planen {fmt.kr(f['pulje_kr'])} af puljen.")
            sag.append(_p(f"Siden sidste orientering den {fmt.date(d['dato'])}:"))
            sag.append(_ul(bits))
    for a in notat.get("afsnit") or []:
        sag.append({"kind": "p", "items": [[_run(a["overskrift"], bold=True)]]})
        sag.extend(md_blocks(a["tekst"]))

    oek: list[dict] = []
    rows = []
    window = round_with_role(ctx, ROLE_AKTIVITETSVINDUE)
    for x in ctx["runder"]:
        labels = sorted({grant_label(g) for g in ctx["grants"] if g["runde"] == x["id"]})
        row = (f"{x['navn']}, {_span(x['aar'])}: {wording.stop(wording.round_amount_text(x))} "
               f"Grundlag: {fmt.and_list(labels).lower()}. Udbetaling: "
               f"{wording.stop(html.unescape(payment_sentence(x)))}")
        if x["betingelse"]:
            row += f" Runden kræver en {x['betingelse']}."
        if not p and window and x["id"] == window["id"]:
            row += " " + wording.round1_risk_clause(x)
        rows.append(row)
    n_runder = len(ctx["runder"])
    oek.append(_p(f"Pengene kommer i {fmt.count_word(n_runder)} "
                  + ("runde:" if n_runder == 1 else "runder:")))
    oek.append(_ul(rows))
    if any("–" in wording.round_amount_text(x) for x in ctx["runder"]):
        oek.append(_p("Spændet ved et skøn bygger på de få kendte tilsagn fra puljen."))
    if p:
        led = p["ledger"]
        lines = []
        if led["ikke_finansieret_kr"]:
            lines.append("Ikke finansieret af puljen: "
                         + wording.stop(fmt.kr(led["ikke_finansieret_kr"])))
        if p.get("anden_i_alt_kr"):
            lines.append(f"Anden finansiering, ikke fra puljen: "
                         f"{wording.stop(fmt.kr(p['anden_i_alt_kr']))}")
        if lines:
            oek.append(_ul(lines))
    oek.append(_p("Sagen kræver i sig selv ingen bevilling."))

    prefix = f"{bilag_label(ctx)}: " if bilag_label(ctx) else ""
    bilag = [_p(f"{prefix}{bilag_title(ctx)}"), _p(analyse_title(ctx))]
    sections = {
        "Resumé": [_p(x) for x in resume],
        "Sagsfremstilling": sag,
        "Økonomi": oek,
        "Indstilling": md_blocks(indstilling_text(ctx)),
        "Bilag": bilag,
    }
    return {"titel": title, "felter": header_fields(ctx), "kommune": k,
            "afsnit": [(s, sections[s]) for s in SECTIONS]}


def _plain_runs(runs: list[dict]) -> str:
    return "".join(r["text"] + (f" ({r['href']})" if r.get("href") and r["href"] != r["text"]
                                else "") for r in runs)


def to_text(item: dict, ctx: dict | None = None) -> str:
    """Plain text for an agenda system: headings on their own line, blank lines between.
    With `ctx`, Bilag names the documents as the Word version does (:func:`bilag_documents`)."""
    out = [item["titel"], ""]
    for label, value in item["felter"]:
        out.append(f"{label}: {value}")
    if item["felter"]:
        out.append("")
    for heading, blocks in item["afsnit"]:
        out.extend([heading, ""])
        if heading == "Bilag" and ctx is not None:
            out.extend([*(f"- {x}" for x in bilag_documents(ctx)), ""])
            continue
        for b in blocks:
            for n, runs in enumerate(b["items"], start=1):
                prefix = {"p": "", "ul": "- ", "ol": f"{n}. "}[b["kind"]]
                out.append(prefix + _plain_runs(runs))
            out.append("")
    return "\n".join(out).replace("\u00a0", " ").rstrip() + "\n"


def bilag_documents(ctx: dict) -> list[str]:
    """The documents the agenda item sends along (issue 21 splits the note in two), by title,
    never by file name: the bilag the council reads, with the kommune's bilag number where its
    plan gives one, and the analysis."""
    number = bilag_label(ctx)
    return [(f"{number}: " if number else "") + bilag_title(ctx), analyse_title(ctx)]


def _doc_runs(runs: list[dict]) -> list[doc.Run]:
    return [doc.Run(r["text"], bold=bool(r.get("bold")), italic=bool(r.get("italic")),
                    href=r.get("href") or "") for r in runs]


def _doc_block(b: dict):
    if b["kind"] == "p":
        return doc.Paragraph(_doc_runs(b["items"][0]) if b["items"] else [])
    return doc.BulletList([_doc_runs(i) for i in b["items"]], ordered=b["kind"] == "ol")


def agenda_document(item: dict, ctx: dict, documents: list[str] | None = None) -> doc.Document:
    """The agenda item (:func:`agenda`) as a document for the writers: its title, its header
    fields, the five sections, and under Bilag the documents it sends along
    (:func:`bilag_documents` unless `documents` names others). Its running header is its own
    (the kommune and "Dagsordenspunkt"), not the note's bilag number."""
    from opkval.publish.word import build_time, logo_figure, note_header

    blocks: list = []
    logo = logo_figure(ctx)
    if logo is not None:
        blocks.append(logo)
    blocks.append(doc.Heading(1, item["titel"]))
    if item["felter"]:
        blocks.append(doc.KeyValue(item["felter"]))
    for heading, section in item["afsnit"]:
        blocks.append(doc.Heading(2, heading))
        if heading == "Bilag":
            names = bilag_documents(ctx) if documents is None else documents
            blocks.append(doc.BulletList(names) if len(names) > 1
                          else doc.Paragraph(*names))
        else:
            blocks.extend(_doc_block(b) for b in section)
    notat = ctx.get("notat") or {}
    return doc.Document(title=item["titel"], blocks=blocks, kind="dagsordenspunkt",
                        header=note_header(ctx, "Dagsordenspunkt"),
                        created=build_time().isoformat(),
                        author=notat.get("afsender") or item["kommune"])


def to_docx(item: dict, ctx: dict) -> bytes:
    """The agenda item as Word (:func:`agenda_document` written by
    :func:`opkval.publish.word.document_docx`): Heading 1 title, Heading 2 per section, its own
    page header."""
    from opkval.publish.word import document_docx

    return document_docx(agenda_document(item, ctx))
