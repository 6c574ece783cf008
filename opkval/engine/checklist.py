"""The plan checklist (Bilag 2, seed 002) and the KL/BUPL chain behov → indsats (seed 003).

Both work on the plain dict of a validated plan, :meth:`opkval.inputs.plan.Plan.as_dict`::

    {"indsatser": [{"navn", "kategori", "maalgruppe", "beskrivelse", "behov": [id], ...}],
     "behov": [{"id", "tekst"}],
     "overvejelser": {<point id>: "the plan's own words", ...},
     "godkendt": {"af", "dato"} or None, ...}

(:func:`chain` also takes ``behov[].indsatser`` and plain-text behov, for hand-made dicts.)

The points and their evidence rules are in ``opkval/config/overvejelser.yaml``.
"""

from __future__ import annotations

from opkval.base import fmt
from opkval.inputs.config import Point, PointRule, RulesConfig

DAEKKET, DELVIST, MANGLER = "dækket", "delvist", "mangler"
#: Kategorier that are not competence efforts; not named as "indsats uden behov".
NOT_EFFORTS = {"administration", "revision"}


def _text(i: dict) -> str:
    return f"{i.get('navn', '')} {i.get('beskrivelse', '')}".casefold()


def _describe(i: dict, rules: RulesConfig) -> str:
    """An indsats as evidence, with the Danish names of its kategori and målgruppe."""
    kat, mg = i.get("kategori", ""), i.get("maalgruppe", "")
    kat = rules.kategorier[kat].kort if kat in rules.kategorier else kat
    mg = (rules.maalgrupper[mg].navn if mg in rules.maalgrupper else mg).lower()
    return f"{i.get('navn', '')} ({kat}, målgruppe: {mg})"


def _field_evidence(name: str, value: object) -> str:
    """A plan field as evidence, in words a reader of the note understands."""
    if name == "behov" and isinstance(value, list):
        return f"Planen beskriver {len(value)} behov (se Fra behov til indsats)."
    if name == "godkendt" and isinstance(value, dict) and value.get("af") and value.get("dato"):
        return f"Planen er godkendt af {value.get('af')} den {fmt.date(value.get('dato'))}."
    shown = value if isinstance(value, str) else ("; ".join(
        f"{k}: {v}" for k, v in value.items()) if isinstance(value, dict)
        else f"{len(value)} punkter" if isinstance(value, list) else str(value))
    return f"Planens felt '{name}': {shown}"


def match_rule(rule: PointRule | None, plan: dict,
               rules: RulesConfig) -> tuple[bool, list[str]]:
    """Whether a rule matches the plan (any of its conditions), and the evidence found.

    ``alle_kategorier`` matches only when every listed kategori is present.
    """
    if not rule:
        return False, []
    indsatser = plan.get("indsatser") or []
    evidence: list[str] = []
    hit = False
    if rule.kategori is not None:
        found = [i for i in indsatser if i.get("kategori") in rule.kategori]
        evidence += [_describe(i, rules) for i in found]
        hit |= bool(found)
    if rule.alle_kategorier is not None:
        present = {i.get("kategori") for i in indsatser}
        found = [i for i in indsatser if i.get("kategori") in rule.alle_kategorier]
        evidence += [_describe(i, rules) for i in found]
        hit |= set(rule.alle_kategorier) <= present
    if rule.maalgruppe is not None:
        found = [i for i in indsatser
                 if any(w in str(i.get("maalgruppe", "")).casefold() for w in rule.maalgruppe)]
        evidence += [_describe(i, rules) for i in found]
        hit |= bool(found)
    if rule.ord is not None:
        words = [w.casefold() for w in rule.ord]
        found = [i for i in indsatser if any(w in _text(i) for w in words)]
        evidence += [_describe(i, rules) + " – nævner "
                     + ", ".join(w for w in words if w in _text(i))
                     for i in found]
        hit |= bool(found)
    if rule.felt is not None and plan.get(rule.felt):
        evidence.append(_field_evidence(rule.felt, plan[rule.felt]))
        hit = True
    return hit, list(dict.fromkeys(evidence))


def checklist(plan: dict, points: list[Point], rules: RulesConfig) -> list[dict]:
    """Each Bilag 2 point: status dækket / delvist / mangler, with the evidence.

    dækket: the plan writes about it (``overvejelser[id]``) or a ``fuld`` rule matches —
    unless a ``kraever`` rule (an expected effort) finds nothing, then delvist;
    delvist: only a ``delvis`` rule matches (an indirect sign), or the case above;
    mangler: nothing.

    ``points``: the Bilag 2 points (``load_points().punkter``); ``rules``: the pool's rules
    (the Danish names of kategorier and målgrupper in the evidence).
    """
    words = plan.get("overvejelser") or {}
    out = []
    for pt in points:
        own = " ".join(str(words.get(pt.id) or "").split())
        full, ev_full = match_rule(pt.fuld, plan, rules)
        part, ev_part = match_rule(pt.delvis, plan, rules)
        needs = pt.kraever
        needed_ok = match_rule(needs, plan, rules)[0] if needs else True
        evidence = ([f"Planen skriver: »{own}«"] if own else []) + ev_full + [
            e for e in ev_part if e not in ev_full]
        if full or (own and needed_ok):
            status = DAEKKET
        elif own or part:
            status = DELVIST
        else:
            status = MANGLER
        note = None
        if own and not needed_ok:
            note = "Planen omtaler punktet, men ingen indsats har den forventede målgruppe."
        elif status == DELVIST and part and not own:
            note = pt.note_delvis or ("Kun et indirekte tegn i planens indsatser; planen "
                                      "skriver ikke om punktet.")
        out.append({"id": pt.id, "titel": pt.titel, "seed": pt.seed,
                    "spoergsmaal": pt.spoergsmaal, "status": status, "evidens": evidence,
                    "note": note})
    return out


def _behov_items(behov: list) -> list[dict]:
    items = []
    for n, b in enumerate(behov or [], start=1):
        if isinstance(b, str):
            items.append({"id": b, "tekst": b, "indsatser": []})
        else:
            bid = str(b.get("id") or b.get("tekst") or f"behov {n}")
            items.append({"id": bid, "tekst": str(b.get("tekst") or bid),
                          "indsatser": [str(x) for x in b.get("indsatser") or []]})
    return items


def chain(behov: list, indsatser: list[dict]) -> dict:
    """KL/BUPL chain: each behov with the indsatser answering it; gaps named both ways.

    A link is made by either side: ``behov[].indsatser`` (names of indsatser) or
    ``indsatser[].behov`` (ids, or texts, of behov). Indsatser of kategori administration or
    revision are not competence efforts and are not listed as lacking a behov.
    """
    items = _behov_items(behov)
    names = [str(i.get("navn", "")) for i in indsatser]
    by_key = {}
    for b in items:
        by_key[b["id"].casefold()] = b
        by_key[b["tekst"].casefold()] = b
    links: dict[str, list[str]] = {b["id"]: [] for b in items}
    unknown = []
    for b in items:
        for navn in b["indsatser"]:
            if navn in names:
                links[b["id"]].append(navn)
            else:
                unknown.append(f"behov '{b['id']}' peger på ukendt indsats '{navn}'")
    for i in indsatser:
        refs = i.get("behov") or []
        for ref in [refs] if isinstance(refs, str) else refs:
            b = by_key.get(str(ref).casefold())
            if b is None:
                unknown.append(f"indsats '{i.get('navn')}' peger på ukendt behov '{ref}'")
            elif i.get("navn") not in links[b["id"]]:
                links[b["id"]].append(str(i.get("navn")))
    linked = {n for v in links.values() for n in v}
    return {
        "behov": [{"id": b["id"], "tekst": b["tekst"], "indsatser": links[b["id"]]}
                  for b in items],
        "behov_uden_indsats": [b["id"] for b in items if not links[b["id"]]],
        "indsatser_uden_behov": [str(i.get("navn")) for i in indsatser
                                 if i.get("navn") not in linked
                                 and i.get("kategori") not in NOT_EFFORTS],
        "ukendte_henvisninger": unknown,
    }
