"""What a local plan moves: completions, projected pædagog share, pace, kroner per trained.

Works on plain data so it plugs into any plan loader:

* ``gaps`` – one kommune's gap section, :func:`opkval.engine.gaps.kommune_gaps` (``ctx["gaps"]``);
* ``indsatser`` – a list of dicts with the keys of the plan format (issue 4):
  ``navn, kategori, maalgruppe, start, slut, deltagere, budget`` (``budget``: ``{year: kr}``);
  ``start``/``slut`` are ``datetime.date`` or ISO strings (``"2027-07-31"``);
* ``maal`` – the plan's own target ``{"andel_paedagoger_pct": 60, "aar": 2030}`` (optional);
* ``extras`` – scenario lines, see :func:`parse_extra`.

Assumptions (stated in the note): staff completing meritpædagog move from another job to a
pædagog job when ``slut`` is reached; participants are drawn from pædagogmedhjælpere; the
total staff stays at today's estimate ("alt andet lige"); an optional yearly share of the
newly trained leave (``fremskrivning.afgang_pct_aar`` in ``config/maal.yaml``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from opkval.base.errors import OpkvalError
from opkval.engine.gaps import MEASURE, gap_to
from opkval.inputs.config import MaalConfig, RulesConfig

MERIT, PAU = "meritpaedagog", "pau"
MAX_YEARS = 200


def _date(v: object) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, int):
        return dt.date(v, 12, 31)
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        raise OpkvalError(f"Ugyldig dato i planen: {v!r} (brug ÅÅÅÅ-MM-DD).") from None


# --------------------------------------------------------------------------- scenario


_EXTRA_RE = re.compile(r"^\s*([a-z_]+)\s*[:=]\s*\+?(\d+)\s*(?:[:@]\s*(\d{4}))?\s*$")


def parse_extra(text: str | None, rules: RulesConfig) -> list[dict]:
    """Parse a scenario string: ``"meritpaedagog:4:2026"`` = 4 extra merit students from 2026.

    Several lines are separated by commas or semicolons: ``"meritpaedagog:4:2026,pau:2:2025"``.
    ``kategori=antal@år`` is accepted too. The year may be left out (then the plan's first
    start year is used). Used by ``make report KOMMUNE=Ishøj EXTRA=meritpaedagog:4:2026``.
    """
    if not text or not text.strip():
        return []
    # rules: the kategorier a line may name (the command line passes the project's regler.yaml)
    kategorier = tuple(rules.kategorier)
    out = []
    for part in re.split(r"[,;]", text):
        if not part.strip():
            continue
        m = _EXTRA_RE.match(part.lower())
        if not m or m.group(1) not in kategorier:
            raise OpkvalError(
                f"Ugyldigt scenarie '{part.strip()}'. Skriv kategori:antal:startår, fx "
                f"meritpaedagog:4:2026 (kategorier: {', '.join(kategorier)}).")
        out.append({"kategori": m.group(1), "deltagere": int(m.group(2)),
                    "start_aar": int(m.group(3)) if m.group(3) else None})
    return out


def scenario_indsatser(extras: list[dict], indsatser: list[dict],
                       cfg: MaalConfig) -> list[dict]:
    """Scenario lines as indsats dicts (``scenarie: True``, no budget).

    Start: 1st of ``scenarie_start_maaned`` in the start year; slut: the day before the same
    date ``varighed_aar[kategori]`` years later (kategorier without a duration get 1 year).
    """
    f = cfg.fremskrivning
    first = min((_date(i["start"]).year for i in indsatser if i.get("start")), default=None)
    out = []
    for e in extras:
        year = e.get("start_aar") or first or dt.date.today().year
        start = dt.date(int(year), f.scenarie_start_maaned, 1)
        dur = int(f.varighed_aar.get(e["kategori"], 1))
        slut = dt.date(start.year + dur, start.month, 1) - dt.timedelta(days=1)
        out.append({"navn": f"Scenarie: +{e['deltagere']} {e['kategori']} fra {year}",
                    "kategori": e["kategori"], "maalgruppe": "scenarie",
                    "start": start.isoformat(), "slut": slut.isoformat(),
                    "deltagere": int(e["deltagere"]), "budget": {}, "scenarie": True})
    return out


# --------------------------------------------------------------------------- effect


def completions(indsatser: list[dict], cfg: MaalConfig) -> list[dict]:
    """Staff completing an education, per kategori and year of ``slut`` (merit and PAU)."""
    done: dict[tuple[str, int], dict] = {}
    for i in indsatser:
        kat = i.get("kategori")
        if kat not in cfg.fremskrivning.fuldfoerer or not i.get("slut"):
            continue
        year = _date(i["slut"]).year
        row = done.setdefault((kat, year), {"kategori": kat,
                                            "bliver": cfg.fremskrivning.fuldfoerer[kat],
                                            "aar": year, "deltagere": 0, "indsatser": []})
        row["deltagere"] += heads(i) or 0  # a blank count: the Fordeling sheet's, if any
        row["indsatser"].append(str(i.get("navn", "")))
    return sorted(done.values(), key=lambda r: (r["aar"], r["kategori"]))


def _span_years(lines: list[dict]) -> float:
    start = min(_date(i["start"]) for i in lines)
    slut = max(_date(i["slut"]) for i in lines)
    return max((slut - start).days + 1, 1) / 365.25


def heads(i: dict) -> int | None:
    """A line's participants: ``deltagere``, else the sum of its ``fordeling`` (the Fordeling
    sheet) where it has one, else None (unknown; never read as 0 in a division)."""
    if i.get("deltagere") is not None:
        return int(i["deltagere"])
    if i.get("fordeling"):
        return sum(int(v) for v in i["fordeling"].values())
    return None


def _spent(i: dict) -> float:
    """A line's spending: ``forbrug`` where given for a year, else its ``budget``."""
    budget = {str(y): v for y, v in (i.get("budget") or {}).items()}
    forbrug = {str(y): v for y, v in (i.get("forbrug") or {}).items()}
    return float(sum(forbrug.get(y, budget.get(y, 0)) for y in set(budget) | set(forbrug)))


def _kr_per_person(indsatser: list[dict], kategori: str) -> dict | None:
    """Pool money per person trained (issue 19): pool-financed lines of the kategori only,
    spending (``forbrug`` where given), and only lines whose count is known (``deltagere``
    or the Fordeling sheet's sum): a blank count is listed, never divided by."""
    lines = [i for i in indsatser if i.get("kategori") == kategori and not i.get("scenarie")
             and i.get("finansiering", "pulje") == "pulje"]
    known = [i for i in lines if heads(i)]
    kr = sum(_spent(i) for i in known)
    n = sum(heads(i) for i in known)
    if not lines or n == 0:
        return None
    return {"kr": kr, "deltagere": n, "kr_pr_person": kr / n if kr else None,
            "uden_antal": [str(i.get("navn", "")) for i in lines if not heads(i)],
            "fra_fordeling": [str(i.get("navn", "")) for i in known
                              if i.get("deltagere") is None]}


def years_to_close(gap_personer: float, pace: float, afgang_pct: float) -> float | None:
    """Years at `pace` new pædagoger a year to close `gap_personer`, with a yearly leave share.

    Without leavers: gap / pace. With leavers (``afgang_pct`` % a year), year by year: stock =
    (stock + pace) × (1 − afgang), counted in whole years; None if the gap is never closed
    (the stock levels off at pace × (1 − afgang) / afgang, below the gap) or the pace is 0.
    0 if there is no gap.
    """
    if gap_personer <= 0:
        return 0.0
    if pace <= 0:
        return None
    afgang = afgang_pct / 100
    if afgang <= 0:
        return gap_personer / pace
    stock = 0.0
    for year in range(1, MAX_YEARS + 1):
        stock = (stock + pace) * (1 - afgang)
        if stock >= gap_personer:
            return float(year)
    return None


def plan_effect(gaps: dict, indsatser: list[dict], *, cfg: MaalConfig, maal: dict | None = None,
                extras: list[dict] | None = None, afgang_pct_aar: float | None = None) -> dict:
    """What the plan (plus any scenario lines) moves, as JSON-able data (``ctx["gaps"]
    ["plan_effekt"]``).

    Keys: ``fuldfoert`` (per kategori and year), ``merit``/``pau`` (persons; ``plan`` and
    ``scenarie`` parts), ``andel_nu_pct``, ``andel_efter_pct`` and ``efter_aar`` (share
    employed as pædagog when the last merit line is done, all else equal),
    ``medhjaelper_efter_pct``, ``forloeb`` (share per year), ``tempo_pr_aar``,
    ``kr_pr_uddannet`` (per kategori, plan lines only), ``maal`` (per target: share of the gap
    closed and years needed at the plan's pace), ``antagelser``. ``cfg``: the targets and the
    projection's assumptions (``load_maal()``).
    """
    afgang = (cfg.fremskrivning.afgang_pct_aar if afgang_pct_aar is None else afgang_pct_aar) / 100
    extra_lines = scenario_indsatser(extras or [], indsatser, cfg)
    lines = list(indsatser) + extra_lines
    done = completions(lines, cfg)
    staff = float(gaps["personale"]["i_alt"])
    share = float(gaps["andele"][MEASURE]["pct"])
    medhj = float(gaps["andele"]["pct_paedagogmedhjaelpere_2024"]["pct"])

    def count(kat: str, scen: bool | None = None) -> int:
        return sum(heads(i) or 0 for i in lines if i.get("kategori") == kat
                   and i.get("slut") and (scen is None or bool(i.get("scenarie")) == scen))

    merit_lines = [i for i in lines if i.get("kategori") == MERIT and i.get("slut")
                   and i.get("start")]
    merit_by_year: dict[int, int] = defaultdict(int)
    for d in done:
        if d["kategori"] == MERIT:
            merit_by_year[d["aar"]] += d["deltagere"]
    forloeb = []
    efter_aar = max(merit_by_year) if merit_by_year else None
    if merit_by_year:
        first = min(_date(i["start"]).year for i in merit_lines)
        for year in range(first, efter_aar + 1):
            kept = sum(n * (1 - afgang) ** (year - y) for y, n in merit_by_year.items()
                       if y <= year)
            forloeb.append({"aar": year, "nye_paedagoger": kept,
                            "andel_pct": share + 100 * kept / staff})
    kept_end = forloeb[-1]["nye_paedagoger"] if forloeb else 0.0
    n_merit, n_pau = count(MERIT), count(PAU)
    pace = n_merit / _span_years(merit_lines) if merit_lines else 0.0

    targets = []
    gap_targets = list(gaps["maal"])
    if maal and maal.get("andel_paedagoger_pct") is not None and not any(
            t["id"] == "plan" for t in gap_targets):
        row = {MEASURE: share, "personale": staff}
        gap_targets.insert(0, {"id": "plan", "navn": "Planens eget mål", "aar": maal.get("aar"),
                               **gap_to(row, float(maal["andel_paedagoger_pct"]))})
    for t in gap_targets:
        g = float(t["gap_personer"])
        targets.append({
            "id": t["id"], "navn": t["navn"], "maal_pct": t["maal_pct"], "aar": t.get("aar"),
            "gap_personer": g,
            "andel_lukket": (kept_end / g) if g > 0 else None,
            "aar_til_maal": years_to_close(g, pace, afgang * 100),
        })
    return {
        "fuldfoert": done,
        "merit": {"i_alt": n_merit, "plan": count(MERIT, False), "scenarie": count(MERIT, True)},
        "pau": {"i_alt": n_pau, "plan": count(PAU, False), "scenarie": count(PAU, True)},
        "scenarie": extra_lines,
        "personale": staff,
        "andel_nu_pct": share,
        "andel_efter_pct": share + 100 * kept_end / staff,
        "efter_aar": efter_aar,
        "medhjaelper_nu_pct": medhj,
        "medhjaelper_efter_pct": max(medhj - 100 * (n_merit + n_pau) / staff, 0.0),
        "forloeb": forloeb,
        "tempo_pr_aar": pace,
        "kr_pr_uddannet": {k: _kr_per_person(indsatser, k) for k in (MERIT, PAU)},
        # issue 19: lines with a blank count whose participants come from the Fordeling sheet
        "antal_fra_fordeling": [str(i.get("navn", "")) for i in lines
                                if i.get("kategori") in (MERIT, PAU)
                                and i.get("deltagere") is None and heads(i)],
        "maal": targets,
        "antagelser": {"afgang_pct_aar": afgang * 100, "personale_uaendret": True,
                       "deltagere_fra": "pædagogmedhjælpere"},
    }
