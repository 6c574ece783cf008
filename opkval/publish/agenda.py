"""A draft dagsordenspunkt (council agenda item) for each note, from the same context.

The structure Danish councils use: Resumé, Sagsfremstilling, Økonomi, Indstilling, Bilag.
Built from the note's context (the grant, the plan's spending, the rules' verdicts with what
they rest on, the kommune's own text) and written as Word
(``reports/<slug>-dagsordenspunkt.docx``) and as plain text for pasting into an agenda system
(``reports/<slug>-dagsordenspunkt.txt``). The default indstilling is that the udvalg takes the
orientation to efterretning; the plan's ``notat.indstilling`` replaces it.
"""

from __future__ import annotations

from opkval.base import doc, fmt
from opkval.base.domain import ROLE_LOKAL_PLAN
from opkval.engine import wording
from opkval.sections.present import _kommune, _span, grant_label, payment_sentence, round_with_role
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


def _grant_basis(ctx: dict) -> str:
    """How the grant figures were found, as one sentence (the verdicts' weakest input)."""
    est = _estimated(ctx)
    if not est:
        return "Alle beløb er kommunens tilsagn."
    years = _span(g["aar"] for g in est)
    kinds = sorted({grant_label(g).lower() for g in est})
    return (f"Beløbene for {years} er ikke kendte tilsagn, men {' og '.join(kinds)}; "
            "med kommunens tilsagnsbrev kan tallene og vurderingerne blive andre.")


def _risk(ctx: dict, r: dict) -> str:
    """A round's money the plan does not use, as carefully as the note words it (issue 11):
    a range where the grant is an estimate, conditional on an estimate or an assumed deadline,
    and a round the plan predates is "not yet planned", not a shortfall."""
    p = ctx["plan"]
    f = risk_facts(ctx, r)
    amount, frist = f["amount"], f["frist"]
    if r.get("ikke_planlagt"):
        return (f"{r['navn']} er endnu ikke planlagt: planen er fra {fmt.date(p['dato'])}, før "
                f"rundens vilkår blev fastlagt; {amount} af rundens midler skal planlægges og "
                f"bruges inden {frist}.")
    verb = (f"kan skulle betales tilbage, hvis {f['holds']}de" if f["conditional"]
            else "skal betales tilbage, hvis de")
    text = (f"{amount} af {r['navn'].lower()} er ikke disponeret i planen og {verb} ikke "
            f"bruges inden {frist}.")
    if f["runde"].get("aktivitet_start_til"):  # issue 19: after the window, only what started
        text += " " + wording.round1_risk_clause(f["runde"])
    return text[:1].upper() + text[1:]  # a sentence of its own ("Ca. 11,4 mio. kr. …")


def agenda(ctx: dict) -> dict:
    """The agenda item as data: title, header fields and the five sections as blocks."""
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
    of_which = f" (heraf {fmt.kr(known)} som tilsagn)" if known and _estimated(ctx) else ""
    resume = [f"Udvalget orienteres om {k}s andel af {pool[:1].lower() + pool[1:]}"
              f"{wording.agenda_resume_subject(bool(p))}. {k} modtager i alt "
              f"{received} i {span}{of_which}. {_grant_basis(ctx)}"]
    if wording.ranges_sentence(ctx["runder"]):
        resume[0] += " " + wording.ranges_sentence(ctx["runder"])
    if p:
        led = p["ledger"]
        resume.append(f"Planen bruger {fmt.kr(led['forbrug_kr'])} af puljen. Puljens regler: "
                      f"{rule_counts_text(p)}.")
        resume.extend(_risk(ctx, r) for r in led["runder"] if max(r["risiko_interval_kr"]))
    else:
        plan_round = round_with_role(ctx, ROLE_LOKAL_PLAN)
        resume.append(f"Der er ikke registreret en lokal plan for kommunen; "
                      f"{plan_round['navn'].lower()} forudsætter en lokal plan.")
    if ctx.get("scenarie"):
        resume.insert(0, "Scenarie – ikke kommunens plan, som den står: "
                      + "; ".join(ctx["scenarie"]) + ".")

    notat = ctx.get("notat") or {}
    sag: list[dict] = []
    sag.extend(md_blocks(notat.get("indledning")))
    rounds = "; ".join(
        f"{x['navn'] if i == 0 else x['navn'].lower()} ({_span(x['aar'])}): "
        f"{payment_sentence(x)}"
        + (f" og forudsætter en {x['betingelse']}" if x["betingelse"] else "")
        for i, x in enumerate(ctx["runder"]))
    sag.append(_p(
        f"Puljen er afsat med Aftale om minimumsnormeringer af 5. december 2020 og fordeles "
        f"efter kommunernes andel af de 0-5-årige. Mindst "
        f"{fmt.pct(ctx['regler']['min_formel_andel'], 0)} af midlerne skal gå til formel "
        f"uddannelse. {rounds}."))
    if p:
        plan_name = p["titel"] or "Kommunens lokale plan"
        sag.append(_p(f"Planen »{plan_name}« ({fmt.date(p['dato'])}) har "
                      f"{fmt.number(len(p['indsatser']))} indsatser:"))
        sag.append(_ul([f"{i['navn']} ({i['kategori_kort']}, {i['maalgruppe_navn'].lower()}"
                        + (f", {fmt.number(i['deltagere'])} "
                           + wording.participant_word(i["del"])
                           if i["deltagere"] else "")
                        + f"): {fmt.kr(i['total_kr'])}"
                        + ("" if i["finansiering"] == "pulje" else ", anden finansiering")
                        + (f" – {i['beskrivelse']}" if i.get("beskrivelse") else "")
                        for i in p["indsatser"]]))
        # Every verdict that is not a plain OK: also an OK that rests on an assumption.
        findings = [x for x in p["regler"] if x["status"] != "ok" or rests_on_assumption(x)]
        if findings:
            sag.append(_p("Kontrollen af planen mod puljens regler viser:"))
            sag.append(_ul([f"{x['status_tekst']}: {x['navn']}. {x['tekst']}"
                            for x in findings]))
        else:
            sag.append(_p("Planen overholder de regler, opkval kontrollerer."))
        if _estimated(ctx):
            sag.append(_p(f"Forudsætning for vurderingerne: {_grant_basis(ctx)}"))
        d = p.get("siden_sidst")
        if d:
            f, nu = d["foer"], d["nu"]
            bits = []
            if d["tilfoejet"]:
                bits.append("nye indsatser: " + ", ".join(d["tilfoejet"]))
            if d["fjernet"]:
                bits.append("udgået: " + ", ".join(d["fjernet"]))
            if d["aendret"]:
                bits.append("ændrede budgetter: " + ", ".join(c["navn"] for c in d["aendret"]))
            sag.append(_p(f"Siden sidste orientering ({fmt.date(d['dato'])}): "
                          + ("; ".join(bits) if bits else "ingen ændringer i indsatserne")
                          + f". Planens forbrug af puljen er {fmt.kr(nu['pulje_kr'])} mod "
                          f"{fmt.kr(f['pulje_kr'])} før."))
    for a in notat.get("afsnit") or []:
        sag.append({"kind": "p", "items": [[_run(a["overskrift"], bold=True)]]})
        sag.extend(md_blocks(a["tekst"]))

    oek: list[dict] = []
    rows = []
    for x in ctx["runder"]:
        labels = sorted({grant_label(g) for g in ctx["grants"] if g["runde"] == x["id"]})
        rows.append(f"{x['navn']} ({_span(x['aar'])}): {wording.round_amount_text(x)} – "
                    f"grundlag: {fmt.and_list(labels).lower()}")
    oek.append(_p(f"Tilskud fra puljen i alt {received}:"))
    oek.append(_ul(rows))
    if p:
        led = p["ledger"]
        lines = [f"Planens forbrug af puljen: {fmt.kr(led['forbrug_kr'])}"]
        if led["ikke_finansieret_kr"]:
            lines.append(f"Ikke finansieret af puljen: {fmt.kr(led['ikke_finansieret_kr'])}")
        lines.extend(_risk(ctx, x) for x in led["runder"] if max(x["risiko_interval_kr"]))
        if p.get("anden_i_alt_kr"):
            lines.append(f"Anden finansiering (ikke puljen, opgjort for sig): "
                         f"{fmt.kr(p['anden_i_alt_kr'])}")
        oek.append(_ul(lines))
    oek.append(_p("Orienteringen har i sig selv ingen bevillingsmæssige konsekvenser."))

    bilag = [_ul(bilag_documents(ctx))]
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
    """The documents the agenda item sends along (issue 21 splits the note in two): the bilag
    the council reads, with the kommune's bilag number where its plan gives one, and the
    analysis, each with its file name."""
    k = _kommune(ctx)
    slug = ctx.get("filnavn") or ctx["kommune"]["slug"]
    number = bilag_label(ctx)
    return [(f"{number}: " if number else "") + f"{k} – bilag ({slug}.pdf)",
            f"{k} – analyse ({slug}-analyse.pdf)"]


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
