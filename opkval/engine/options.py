"""What the money not yet planned could buy (issue 22): per round, places at typical fees.

Where a kommune's money is not planned (the plan ledger's money left in a round, or the whole
grant when there is no plan), this computes for each kind of education in ``maal.yaml``
``muligheder.kategorier`` (meritpædagog, PAU, diplommodul):

* when it could start and end: the first intake (``fremskrivning.scenarie_start_maaned``) on or
  after the note's date and the round's first year, before the round's activity window closes
  (``aktivitet_start_til``), and ending by the round's deadline (``afsluttet_senest``), with the
  durations the scenario lines use (``fremskrivning.varighed_aar``, 1 year where none is given);
* how many places the money pays for at the typical fee (``regler.yaml`` ``typiske_gebyrer``:
  amount ÷ the highest fee, rounded down, is the number used; ÷ the lowest fee the most) and,
  for a kategori where a plan shows what the pool pays per participant (the kommune's own plan,
  else ``muligheder.pr_deltager_i_plan``), at that amount too;
* how many people there are to take them: merit and PAU places are capped at the
  pædagogmedhjælpere not already in the plan (the staff estimate × their share);
* what each option would move the share employed as pædagog to, with the plan-effect model
  (:func:`opkval.engine.plan_effect.plan_effect`) on the plan's lines plus the option as a scenario
  line, and the ``EXTRA=kategori:antal:startår`` that makes that scenario note.

Options are alternatives for the same money, not additions. Everything is plain JSON-able data
(``ctx["muligheder"]``); :mod:`opkval.sections.present_options` words it.
"""

from __future__ import annotations

import datetime as dt

from opkval.base.errors import ConfigError
from opkval.engine.plan_effect import MERIT, PAU, plan_effect
from opkval.inputs.config import MaalConfig, RulesConfig

#: The most participants one EXTRA line may have (opkval.app.cli: 1–1.000 per line).
EXTRA_MAX = 1000
#: Kategorier whose participants come from the pædagogmedhjælpere (capped by their number).
FROM_MEDHJAELPERE = (MERIT, PAU)


def _date(v: str | None) -> dt.date | None:
    return dt.date.fromisoformat(v[:10]) if v else None


def _end(start: dt.date, years: int) -> dt.date:
    return dt.date(start.year + years, start.month, 1) - dt.timedelta(days=1)


def window(rnd: dict, today: dt.date, years: int, month: int) -> dict:
    """The first intake for money of round ``rnd`` (a row of :func:`_unplanned`: ``aar``,
    ``vindue_slut``, ``frist``) and whether it fits the round's window.

    ``start`` is the 1st of ``month`` in the first year where that day is on or after
    ``today`` and in or after the round's first year; ``slut`` is the day before the same date
    ``years`` later. ``mulig`` is False when the start is after the window closes or the end
    after the deadline (``grund``: "vindue" or "frist"). ``start_senest_aar`` is the last
    intake year that still fits (None: none does).
    """
    first = dt.date(min(rnd["aar"]), 1, 1)
    earliest = max(today, first)
    year = earliest.year if dt.date(earliest.year, month, 1) >= earliest else earliest.year + 1
    start = dt.date(year, month, 1)
    til, frist = _date(rnd.get("vindue_slut")), _date(rnd["frist"])

    def fits(s: dt.date) -> str:
        if til and s > til:
            return "vindue"
        if _end(s, years) > frist:
            return "frist"
        return ""

    last = None
    for y in range(year, frist.year + 1):
        if not fits(dt.date(y, month, 1)):
            last = y
    why = fits(start)
    return {"start": start.isoformat(), "slut": _end(start, years).isoformat(),
            "mulig": not why, "grund": why or None, "start_senest_aar": last,
            "varighed_aar": years}


def _unplanned(ctx: dict) -> list[dict]:
    """Per round: the money not planned, its range, and why it is not planned."""
    plan = ctx.get("plan")
    ledger = {r["id"]: r for r in (plan or {}).get("ledger", {}).get("runder", [])}
    out = []
    for rnd in ctx["runder"]:
        row = ledger.get(rnd["id"])
        if row is None:
            amount, used = int(rnd["beloeb_kr"]), 0
            why = "ingen_plan"
            iv = [int(rnd["beloeb_kr"])] * 2
            if rnd.get("alternativ_kr") is not None:
                iv = sorted([int(rnd["beloeb_kr"]), int(rnd["alternativ_kr"])])
        else:
            amount, used = int(row["tilbage_kr"]), int(row["brugt_kr"])
            why = "plan_foer_runden" if row.get("ikke_planlagt") else "plan_bruger_ikke_alt"
            iv = sorted(int(x) for x in row.get("risiko_interval_kr") or [amount, amount])
        # The key's record (issue 19): the round's estimate range, where the note has one.
        if rnd.get("skoen_interval_kr"):
            lo, hi = (int(x) for x in rnd["skoen_interval_kr"])
            iv = [max(0, lo - used), max(0, hi - used)]
        out.append({"id": rnd["id"], "navn": rnd["navn"], "kort": rnd["kort"],
                    "aar": list(rnd["aar"]), "beloeb_kr": int(rnd["beloeb_kr"]),
                    "planlagt_kr": used, "ikke_planlagt_kr": amount,
                    "interval_kr": [min(iv[0], amount), max(iv[1], amount)],
                    "skoen": rnd["labels"] != ["tilsagn"], "grund": why,
                    "vindue_slut": rnd.get("aktivitet_start_til"),
                    "frist": rnd["afsluttet_senest"], "frist_antaget": bool(
                        rnd.get("frist_antaget")), "muligheder": []})
    return out


def _prices(kat: str, rules: RulesConfig, maal: MaalConfig, effekt: dict | None) -> list[dict]:
    """The prices an option is computed at: the typical fee (a range), and what the pool pays
    per participant in the kommune's own plan or else in a published plan (config)."""
    fee = rules.typiske_gebyrer.kategorier.get(kat)
    if fee is None:
        raise ConfigError(f"maal.yaml muligheder.kategorier: '{kat}' har intet typisk gebyr i "
                          "regler.yaml typiske_gebyrer.")
    out = [{"grundlag": "gebyr", "min_kr": fee.min_kr, "max_kr": fee.max_kr,
            "enhed": fee.enhed, "kilde": fee.kilde}]
    own = ((effekt or {}).get("kr_pr_uddannet") or {}).get(kat) or {}
    if own.get("kr_pr_person"):
        kr = int(round(own["kr_pr_person"]))
        out.append({"grundlag": "egen_plan", "min_kr": kr, "max_kr": kr,
                    "enhed": "pr. deltager", "kilde": "kommunens lokale plan",
                    "plan_kr": int(own["kr"]), "plan_deltagere": int(own["deltagere"])})
    elif kat in maal.muligheder.pr_deltager_i_plan:
        p = maal.muligheder.pr_deltager_i_plan[kat]
        out.append({"grundlag": "plan", "min_kr": p.beloeb_kr, "max_kr": p.beloeb_kr,
                    "enhed": "pr. deltager", "kilde": p.kilde})
    return out


def extra_text(kategori: str, n: int, year: int) -> str:
    """The EXTRA value for ``n`` participants (lines of at most :data:`EXTRA_MAX`)."""
    parts, left = [], n
    while left > 0:
        take = min(left, EXTRA_MAX)
        parts.append(f"{kategori}:{take}:{year}")
        left -= take
    return ",".join(parts)


def unplanned_options(ctx: dict, maal: MaalConfig, rules: RulesConfig,
                      today: dt.date | None = None) -> dict:
    """``ctx["muligheder"]``: per round, the money not planned and what it could buy.

    ``ctx`` is a note's context (``runder``, ``plan``, ``gaps``, ``generated_at``); ``today``
    defaults to the note's date.
    """
    today = today or dt.datetime.fromisoformat(ctx["generated_at"]).date()
    gaps = ctx["gaps"]
    plan = ctx.get("plan")
    lines = [i for i in (plan or {}).get("indsatser", []) if not i.get("scenarie")]
    plan_maal = (plan or {}).get("maal")
    base = plan_effect(gaps, lines, maal=plan_maal, cfg=maal) if lines else None
    staff = float(gaps["personale"]["i_alt"])
    medhj = staff * float(gaps["andele"]["pct_paedagogmedhjaelpere_2024"]["pct"]) / 100
    paed = staff * float(gaps["andele"]["pct_paedagoger_2024"]["pct"]) / 100
    in_plan = sum(int(i.get("deltagere") or 0) for i in lines
                  if i.get("kategori") in FROM_MEDHJAELPERE)
    cap = max(0, int(medhj) - in_plan)
    rounds = _unplanned(ctx)
    month = maal.fremskrivning.scenarie_start_maaned
    for rnd in rounds:
        if rnd["ikke_planlagt_kr"] <= 0:
            continue
        for kat in maal.muligheder.kategorier:
            years = int(maal.fremskrivning.varighed_aar.get(kat, 1))
            w = window(rnd, today, years, month)
            kat_cfg = rules.kategorier[kat]
            for price in _prices(kat, rules, maal, base):
                opt = {"kategori": kat, "navn": kat_cfg.navn, "kort": kat_cfg.kort,
                       "pris": price, **w, "pladser": 0, "pladser_hoejst": None,
                       "pladser_lavt_skoen": None, "loft": None, "extra": None,
                       "flytter_andel": kat in maal.fremskrivning.fuldfoerer}
                if w["mulig"]:
                    amount, low = rnd["ikke_planlagt_kr"], rnd["interval_kr"][0]
                    # Fewest places at the highest fee, most at the lowest (None: a fee of 0
                    # does not limit the number).
                    fewest = amount // price["max_kr"] if price["max_kr"] else None
                    most = amount // price["min_kr"] if price["min_kr"] else None
                    if kat in FROM_MEDHJAELPERE:
                        opt["loft"] = cap
                        opt["loft_naaet"] = most is None or most > cap
                        fewest = cap if fewest is None else min(fewest, cap)
                        most = cap if most is None else min(most, cap)
                    opt["pladser"] = fewest or 0
                    opt["pladser_hoejst"] = most
                    if low < amount and price["max_kr"]:
                        opt["pladser_lavt_skoen"] = min(low // price["max_kr"], opt["pladser"])
                    if opt["pladser"] > 0:
                        start_year = int(w["start"][:4])
                        opt["extra"] = extra_text(kat, opt["pladser"], start_year)
                        e = plan_effect(gaps, lines, maal=plan_maal, cfg=maal, extras=[
                            {"kategori": kat, "deltagere": opt["pladser"],
                             "start_aar": start_year}])
                        opt.update({"andel_efter_pct": e["andel_efter_pct"],
                                    "efter_aar": e["efter_aar"],
                                    "medhjaelper_efter_pct": e["medhjaelper_efter_pct"]})
                rnd["muligheder"].append(opt)
    return {
        "dato": today.isoformat(),
        "har_plan": plan is not None,
        "runder": rounds,
        "alt_planlagt": all(r["ikke_planlagt_kr"] <= 0 for r in rounds),
        "andel_nu_pct": float(gaps["andele"]["pct_paedagoger_2024"]["pct"]),
        "andel_med_plan_pct": base["andel_efter_pct"] if base else None,
        "medhjaelper_nu_pct": float(gaps["andele"]["pct_paedagogmedhjaelpere_2024"]["pct"]),
        "personale": staff,
        "medhjaelpere": medhj,
        "paedagoger": paed,
        "medhjaelpere_i_plan": in_plan,
        "ledige_medhjaelpere": cap,
        "start_maaned": month,
    }
