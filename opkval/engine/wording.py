"""Sentences a council reads, as plain text (no HTML), for every writer (issue 19).

Each function takes plain data from the context (``opkval.assembly.context``) and returns a Danish
sentence or phrase. The writers (HTML, Word, PDF, the agenda item) escape or wrap it; no
writer parses another's output. Estimates are rounded here ("ca. 0,7–1,3 mio. kr."); exact
kroner belong in the analysis tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opkval.base import fmt


def formel_andel_kilder(min_formel_andel: float) -> str:
    """What the 90/10 rule rests on: the sources are a college's news item and a union
    branch's list, not the tilsagn terms (issue 19, point 3)."""
    return (f"Reglen om {fmt.pct(min_formel_andel, 0)} formel uddannelse kendes kun fra en "
            "nyhed fra professionshøjskolen Absalon og fra BUPL Fyns liste over "
            "tilskudsberettigede udgifter, ikke fra vilkårene i tilsagnet; tilsagnsbrevet "
            "afgør, hvad der gælder.")


#: The same, short, for page 1.
FORMEL_ANDEL_KILDER_KORT = ("reglen kendes kun fra en nyhed fra Absalon og en liste fra BUPL "
                            "Fyn, ikke fra tilsagnets vilkår")


def stop(text: str) -> str:
    """End a sentence with one full stop: 'ca. 1,3 mio. kr.' stays, 'planen' gets one
    (never "kr..")."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else text + "."


def interval_text(interval: list[int] | tuple[int, int] | None) -> str:
    """A round's range in council text: ``[697000, 1290000]`` → 'ca. 700.000–1,3 mio. kr.'
    ('' without a range)."""
    if not interval:
        return ""
    lo, hi = sorted(interval)
    return fmt.approx_kr_range(lo, hi)


def _pct0(x: float) -> str:
    return fmt.pct(x, 0)


def key_record_text(ctx: dict) -> str:
    """The key's only real test, in one or two sentences: Ishøj's tilsagn is 55 % of the key,
    Dragør's 817.000 kr. is 101 % or 61 % of it depending on the years it covers."""
    rec = (ctx.get("noegle_rekord") or {}).get("laesninger") or []
    if not rec:
        return ("Ingen offentliggjorte tilsagn fra puljen er kendt, så nøglens træfsikkerhed "
                "er ikke prøvet.")
    by_kommune: dict[int, list[dict]] = {}
    for r in rec:
        by_kommune.setdefault(r["kommunekode"], []).append(r)
    parts = []
    for rs in by_kommune.values():
        from opkval.inputs.kommune import official_name

        name = official_name(rs[0]["kommune"])
        if len(rs) == 1:
            r = rs[0]
            parts.append(f"{name}s tilsagn for {_years(r['aar'])} "
                         f"({fmt.kr(r['offentliggjort_kr'])}) er {_pct0(r['forhold'])} af "
                         "nøglens skøn")
        else:
            readings = " eller ".join(f"{_pct0(r['forhold'])} ({_years(r['aar'])})" for r in rs)
            parts.append(f"{name}s {fmt.kr(rs[0]['offentliggjort_kr'])} er {readings} af "
                         "nøglens skøn, alt efter hvilke år beløbet dækker; kilden siger det ikke")
    return stop("De eneste offentliggjorte beløb fra puljen: " + "; ".join(parts))


def _years(years: list[int]) -> str:
    years = sorted(int(y) for y in years)
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"


def range_sentence(r: dict) -> str:
    """The range beside a round's estimate, for page 1 and the agenda item ('' for a round
    known from tilsagn): 'Ud fra de kendte tilsagn kan beløbet ligge på ca. 0,7–1,3 mio. kr.'"""
    if not r.get("skoen_interval_kr"):
        return ""
    return stop(f"Målt mod de få kendte tilsagn fra puljen kan beløbet for {_years(r['aar'])} "
                f"ligge på {interval_text(r['skoen_interval_kr'])}")


def method_range_text(ctx: dict) -> str:
    """How the range is made and what would narrow it (the method section)."""
    f = (ctx.get("noegle_rekord") or {}).get("faktor")
    if not f:
        return ""
    return (f"Spændet ved hvert skøn er nøglens skøn ganget med det laveste og det højeste "
            f"forhold mellem offentliggjort beløb og skøn ({_pct0(f[0])} og {_pct0(f[1])}). "
            + key_record_text(ctx) + " Kommunens eget tilsagnsbrev gør spændet til ét tal; "
            "flere offentliggjorte tilsagn ville gøre det smallere.")


def evidence_text(e: dict, ctx: dict) -> str:
    """Dragør's 817.000 kr. (a published amount for several years) with both readings, and
    the payment timing drawn from it written as an assumption."""
    rec = [r for r in (ctx.get("noegle_rekord") or {}).get("laesninger") or []
           if r["kommunekode"] == e["kommunekode"]]
    from opkval.inputs.kommune import official_name

    name = official_name(e["kommune"])
    text = (f"{name} modtog {fmt.kr(e['offentliggjort_kr'])} i sommeren {e['aar']} til brug over "
            f"tre år ({e['kilde']}). Kilden siger ikke, hvilke tilskudsår beløbet dækker.")
    if rec:
        body = "; ".join(f"læst som {_years(r['aar'])} er det {_pct0(r['forhold'])} af "
                         f"nøglens skøn ({fmt.kr(r['skoen_kr'])})" for r in rec)
        text += " " + stop(body[:1].upper() + body[1:])
    own = ctx["kommune"]["kode"] == e["kommunekode"]
    if not _own_letters(ctx) or own:
        text += (" Notatet antager ud fra den første læsning, at 2023- og 2024-tilskuddet "
                 "udbetales samlet i 2023 (antaget; ingen kilde giver udbetalingstidspunktet).")
    return text


def _own_letters(ctx: dict) -> bool:
    """The kommune's own letters (plan) or published tilsagn give its figures."""
    return any(g.get("label") == "tilsagn" for g in ctx.get("grants") or [])


def no_published_text(ctx: dict, kommune: str) -> str:
    """The key check when the kommune has no published amount: estimates only when nothing
    of its own gives the figures."""
    letters = [g for g in ctx.get("grants") or [] if g.get("grundlag") == "tilsagnsbrev"]
    if letters:
        return (f"Tallene for {_years([g['aar'] for g in letters])} er fra {kommune}s eget "
                "tilsagnsbrev; nøglens skøn vises kun til sammenligning.")
    return (f"opkval kender ingen offentliggjorte beløb for {kommune}; tallene for kommunen er "
            "derfor skøn.")


def backtest_outside_text(bt: dict) -> str:
    """How many of the 2020 pool's published amounts fall outside the tolerance, and why."""
    f = bt.get("fejl") or {}
    n = f.get("n") or 0
    if not n:
        return ""
    out = n - f["inden_for_tolerance"]
    if not out:
        return f"Alle {fmt.number(n)} ligger inden for tolerancen."
    names = [s["kommune"] for s in f["stoerste"] if not s["inden_for_tolerance"]]
    return (f"{fmt.number(out)} af {fmt.number(n)} ligger uden for tolerancen "
            f"({', '.join(names)}). Puljen i 2020 blev fordelt efter Danmarks Statistiks "
            "prognose fra 2019 for de 0-5-årige i 2020, mens opkval tæller børnene pr. 1. januar "
            "2021; i kommuner, hvor antallet af børn vokser eller falder, giver det forskelle på "
            "flere procent.")


def participant_word(part: str) -> str:
    """What a line's participants are called: students in formal education, course
    participants in informal upskilling, else persons (wages, administration ... are not
    courses)."""
    return {"formel": "studerende", "uformel": "kursusdeltagere"}.get(part, "personer")


def round1_risk_clause(r: dict) -> str:
    """After its activity window, round-1 money only pays for activities already started."""
    til = r.get("aktivitet_start_til")
    if not til:
        return ""
    return (f"Efter {fmt.date(til)} kan midlerne kun bruges til aktiviteter, der allerede er "
            "sat i gang.")


def pool_pays_text(kr: float, deltagere: int) -> str:
    """'puljen betaler 231.000 kr. pr. deltager' (the pool's part, not the programme's cost)."""
    return f"puljen betaler {fmt.kr(kr / deltagere)} pr. deltager"


def agenda_resume_subject(has_plan: bool) -> str:
    """What the orientation is about: the local plan only when one is registered."""
    return " og om kommunens lokale plan for opkvalificering" if has_plan else ""


def kr_per_trained_note(effekt: dict) -> str:
    """What 'Puljemidler pr. uddannet' rests on: pool lines' spending, which lines had no count
    (left out) and which counts come from the Fordeling sheet."""
    kr = effekt.get("kr_pr_uddannet") or {}
    missing = [n for v in kr.values() if v for n in v.get("uden_antal", [])]
    fordeling = list(effekt.get("antal_fra_fordeling") or [])
    text = ("Det er det, puljen betaler (planens forbrug, hvor det er opgjort, ellers budgettet), "
            "ikke uddannelsens fulde pris.")
    if missing:
        text += (f" {fmt.and_list(missing)} angiver ikke antal deltagere og er ikke regnet med "
                 "i beløbet pr. person.")
    if fordeling:
        text += (f" For {fmt.and_list(fordeling)} er antal deltagere ikke angivet; tallet er "
                 "summen af fordelingen på dagtilbud.")
    return text


def estimated_years_text(grants: Sequence[Mapping[str, Any]], year: int) -> str:
    """The paid years (payment year up to ``year``) that no letter or published tilsagn
    gives: 'Ingen tilsagn for 2026–2030 (udbetalt eller udmøntet senest 2026); de år er skøn
    eller fremskrevne.' ('' when every paid year is known)."""
    missing = sorted(g["aar"] for g in grants
                     if g["label"] != "tilsagn" and g["udbetalingsaar"] <= year)
    if not missing:
        return ""
    spans = _runs(missing)
    return (f"Ingen tilsagn i planen eller i opkvals data for {fmt.and_list(spans)}, som er "
            f"udbetalt eller udmøntet senest {year}; beløbene for de år er skøn eller "
            "fremskrevne. Skriv tilsagnsbrevets beløb i planen (arket Tilsagn).")


def _runs(years: list[int]) -> list[str]:
    out: list[list[int]] = []
    for y in years:
        if out and out[-1][-1] == y - 1:
            out[-1].append(y)
        else:
            out.append([y])
    return [_years(r) for r in out]


def total_interval(runder: list[dict]) -> list[int] | None:
    """2023–2030 as a range: rounds known from tilsagn exactly, estimated rounds by their
    ``skoen_interval_kr`` (None when no round has a range)."""
    if not any(r.get("skoen_interval_kr") for r in runder):
        return None
    lo = sum((r.get("skoen_interval_kr") or [r["beloeb_kr"]] * 2)[0] for r in runder)
    hi = sum((r.get("skoen_interval_kr") or [r["beloeb_kr"]] * 2)[1] for r in runder)
    return [lo, hi]


def round_amount_text(r: dict) -> str:
    """A round's amount in council text: exact for a tilsagn, else rounded (the range)."""
    if r.get("skoen_interval_kr"):
        return interval_text(r["skoen_interval_kr"])
    if r["labels"] == ["tilsagn"]:
        return fmt.kr(r["beloeb_kr"])
    return fmt.approx_kr(r["beloeb_kr"])


def ranges_sentence(runder: list[dict]) -> str:
    """Every estimated round's range in one sentence ('' when nothing is estimated)."""
    parts = [f"{interval_text(r['skoen_interval_kr'])} for {_years(r['aar'])}"
             for r in runder if r.get("skoen_interval_kr")]
    if not parts:
        return ""
    return stop("Målt mod de få kendte tilsagn fra puljen kan beløbet ligge på "
                + fmt.and_list(parts))


def _readings(rnd: dict) -> list[dict]:
    """A round's readings of the 90/10 rule, the one counting most as not formal first."""
    return sorted(rnd.get("laesninger") or [], key=lambda x: -x["uformel_andel"])


def over_in_every_reading(rnd: dict) -> bool:
    """The round breaks the 90/10 rule however the rule is read (``rnd``: one of the rule's
    ``vaerdier.runder``): a breach that rests on no reading."""
    las = _readings(rnd)
    return bool(las) and all(x["over_graensen_kr"] for x in las)


def readings_text(rnd: dict) -> str | None:
    """The 90/10 rule for one round where its two readings give different verdicts (a line that
    is neither formal nor informal, such as løn/vikar, counts only under »mindst 90 % formel
    uddannelse«): each reading with its share and whether it is over the limit, in short
    sentences. None where the readings agree (``rnd`` is one of the rule's
    ``vaerdier.runder``)."""
    las = _readings(rnd)
    if len(las) < 2 or len({bool(x["over_graensen_kr"]) for x in las}) < 2:
        return None
    return _each_reading(rnd, las)


def breach_text(rnd: dict) -> str:
    """A round over the 90/10 limit under every reading (:func:`over_in_every_reading`): its
    share and the amount over the limit, under each reading where they differ."""
    las = _readings(rnd)
    if len({x["uformel_andel"] for x in las}) > 1:
        return _each_reading(rnd, las) + " Runden er over grænsen, hvordan reglen end læses."
    x = las[0]
    return (f"I {rnd['navn'].lower()} går {fmt.pct(x['uformel_andel'])} til andet end formel "
            f"uddannelse, {fmt.kr(x['over_graensen_kr'])} over grænsen, hvordan reglen end "
            "læses.")


def _each_reading(rnd: dict, las: list[dict]) -> str:
    def verdict(x: dict) -> str:
        over = x["over_graensen_kr"]
        return f", {fmt.kr(over)} over grænsen" if over else ", inden for grænsen"

    first, *rest = las
    text = (f"I {rnd['navn'].lower()} går {fmt.pct(first['uformel_andel'])} til andet end formel "
            f"uddannelse, hvis reglen er »{first['navn']}«{verdict(first)}.")
    for x in rest:
        text += f" Er reglen »{x['navn']}«, er det {fmt.pct(x['uformel_andel'])}{verdict(x)}."
    return text
