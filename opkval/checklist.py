"""The plan checklist (Bilag 2, seed 002) and the KL/BUPL chain behov → indsats (seed 003).

Both work on the plain dict of a validated plan, :meth:`opkval.plan.Plan.as_dict`::

    {"indsatser": [{"navn", "kategori", "maalgruppe", "beskrivelse", "behov": [id], ...}],
     "behov": [{"id", "tekst"}],
     "overvejelser": {<point id>: "the plan's own words", ...},
     "godkendt": {"af", "dato"} or None, ...}

(:func:`chain` also takes ``behov[].indsatser`` and plain-text behov, for hand-made dicts.)

The points and their evidence rules are in ``opkval/config/overvejelser.yaml``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from opkval import fmt
from opkval.config import CONFIG_DIR
from opkval.errors import ConfigError

DAEKKET, DELVIST, MANGLER = "dækket", "delvist", "mangler"
RULE_KEYS = {"kategori", "alle_kategorier", "maalgruppe", "ord", "felt"}
#: Kategorier that are not competence efforts; not named as "indsats uden behov".
NOT_EFFORTS = {"administration", "revision"}


def load_points(path: Path | str | None = None) -> list[dict]:
    return _load_points(str(Path(path) if path else CONFIG_DIR / "overvejelser.yaml"))


@lru_cache(maxsize=4)
def _load_points(path: str) -> list[dict]:
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except (FileNotFoundError, yaml.YAMLError) as e:
        raise ConfigError(f"{p}: kan ikke læses ({e}).") from None
    points = raw.get("punkter")
    if not isinstance(points, list) or not points:
        raise ConfigError(f"{p}: felt 'punkter' mangler eller er tomt.")
    ids = set()
    for i, pt in enumerate(points):
        for need in ("id", "titel", "seed", "spoergsmaal"):
            if not pt.get(need):
                raise ConfigError(f"{p}: punkter[{i}] mangler '{need}'.")
        if pt["id"] in ids:
            raise ConfigError(f"{p}: id '{pt['id']}' optræder to gange.")
        ids.add(pt["id"])
        for level in ("fuld", "delvis", "kraever"):
            bad = set(pt.get(level) or {}) - RULE_KEYS
            if bad:
                raise ConfigError(f"{p}: punkt '{pt['id']}', {level}: ukendt regel {sorted(bad)}.")
        pt["spoergsmaal"] = " ".join(str(pt["spoergsmaal"]).split())
    return points


def _text(i: dict) -> str:
    return f"{i.get('navn', '')} {i.get('beskrivelse', '')}".casefold()


def _describe(i: dict) -> str:
    """An indsats as evidence, with the Danish names of its kategori and målgruppe."""
    from opkval.plan import load_rules_config

    rules = load_rules_config()
    kat, mg = i.get("kategori", ""), i.get("maalgruppe", "")
    kat = rules["kategorier"].get(kat, {}).get("kort", kat)
    mg = rules["maalgrupper"].get(mg, {}).get("navn", mg).lower()
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


def match_rule(rule: dict | None, plan: dict) -> tuple[bool, list[str]]:
    """Whether a rule matches the plan (any of its conditions), and the evidence found.

    ``alle_kategorier`` matches only when every listed kategori is present.
    """
    if not rule:
        return False, []
    indsatser = plan.get("indsatser") or []
    evidence: list[str] = []
    hit = False
    if "kategori" in rule:
        found = [i for i in indsatser if i.get("kategori") in rule["kategori"]]
        evidence += [_describe(i) for i in found]
        hit |= bool(found)
    if "alle_kategorier" in rule:
        present = {i.get("kategori") for i in indsatser}
        found = [i for i in indsatser if i.get("kategori") in rule["alle_kategorier"]]
        evidence += [_describe(i) for i in found]
        hit |= set(rule["alle_kategorier"]) <= present
    if "maalgruppe" in rule:
        found = [i for i in indsatser
                 if any(w in str(i.get("maalgruppe", "")).casefold() for w in rule["maalgruppe"])]
        evidence += [_describe(i) for i in found]
        hit |= bool(found)
    if "ord" in rule:
        words = [w.casefold() for w in rule["ord"]]
        found = [i for i in indsatser if any(w in _text(i) for w in words)]
        evidence += [_describe(i) + " – nævner " + ", ".join(w for w in words if w in _text(i))
                     for i in found]
        hit |= bool(found)
    if "felt" in rule and plan.get(rule["felt"]):
        evidence.append(_field_evidence(rule["felt"], plan[rule["felt"]]))
        hit = True
    return hit, list(dict.fromkeys(evidence))


def checklist(plan: dict, points: list[dict] | None = None) -> list[dict]:
    """Each Bilag 2 point: status dækket / delvist / mangler, with the evidence.

    dækket: the plan writes about it (``overvejelser[id]``) or a ``fuld`` rule matches —
    unless a ``kraever`` rule (an expected effort) finds nothing, then delvist;
    delvist: only a ``delvis`` rule matches (an indirect sign), or the case above;
    mangler: nothing.
    """
    points = points or load_points()
    words = plan.get("overvejelser") or {}
    out = []
    for pt in points:
        own = " ".join(str(words.get(pt["id"]) or "").split())
        full, ev_full = match_rule(pt.get("fuld"), plan)
        part, ev_part = match_rule(pt.get("delvis"), plan)
        needs = pt.get("kraever")
        needed_ok = match_rule(needs, plan)[0] if needs else True
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
            note = " ".join(str(pt.get("note_delvis") or "Kun et indirekte tegn i planens "
                                "indsatser; planen skriver ikke om punktet.").split())
        out.append({"id": pt["id"], "titel": pt["titel"], "seed": pt["seed"],
                    "spoergsmaal": pt["spoergsmaal"], "status": status, "evidens": evidence,
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
