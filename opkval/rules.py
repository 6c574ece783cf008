"""The pool's rules checked against a plan and its ledger.

Each rule is a named check with a Danish label, a status (``ok``, ``advarsel``, ``brud``), one
sentence and its source. Thresholds and statuses live in ``opkval/config/regler.yaml``; dates
of the rounds in ``opkval/config/pulje.yaml``.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field, replace
from fractions import Fraction

from opkval import fmt
from opkval.config import (
    PuljeConfig,
    RulesConfig,
    load_rules,
)
from opkval.domain import OK, ROLE_AKTIVITETSVINDUE, ROLE_LOKAL_PLAN, ROLES, STATUS_DA
from opkval.ledger import Ledger
from opkval.plan import Plan

# The statuses are defined once, in opkval.domain, so the notebook kernel can show them
# without importing this module (pydantic, yaml).


@dataclass(frozen=True)
class RuleResult:
    id: str
    navn: str
    status: str
    tekst: str
    kilde: str
    vaerdier: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["status_tekst"] = STATUS_DA[self.status]
        return d


def _result(rules: RulesConfig, rid: str, found: bool, tekst: str, vaerdier: dict,
            status: str | None = None) -> RuleResult:
    r = rules.rule(rid)
    st = (status or r.status_ved_fund) if found else OK
    return RuleResult(rid, r.navn, st, tekst, r.kilde, vaerdier)  # navn: see check_all


def rule_name(rules: RulesConfig, rid: str, cfg: PuljeConfig) -> str:
    """A rule's Danish name: ``{min_formel_andel}`` is the configured share, ``{lokal_plan}``
    and ``{aktivitetsvindue}`` the short name of the round with that role (capitalised
    placeholder: capitalised name)."""
    names = {}
    for role in ROLES:
        kort = cfg.round_with_role(role).kort
        names[role], names[role.capitalize()] = kort.lower(), kort
    return rules.rule(rid).navn.format(min_formel_andel=fmt.pct(rules.min_formel_andel, 0),
                                       **names)


def check_formel_andel(plan: Plan, ledger: Ledger, rules: RulesConfig) -> RuleResult:
    """Rule 1: per round, formal education ≥ min share of the pool money spent."""
    minimum = Fraction(str(rules.min_formel_andel))
    kat = {i.navn: i.kategori for i in plan.indsatser}
    formal_kat = rules.formal_kategorier
    per_round, found, parts = [], False, []
    for r in ledger.runder:
        if not r.brugt_kr:
            continue
        formel = sum(v for n, v in r.pr_indsats.items() if kat[n] in formal_kat)
        uformel = r.brugt_kr - formel
        limit = Fraction(r.brugt_kr) * (1 - minimum)
        over = max(0, int(uformel - limit + Fraction(1, 2)))  # whole kroner, half up
        per_round.append({"runde": r.id, "brugt_kr": r.brugt_kr, "formel_kr": formel,
                          "uformel_kr": uformel, "formel_andel": formel / r.brugt_kr,
                          "uformel_andel": uformel / r.brugt_kr,
                          "graense_uformel_kr": float(limit), "over_graensen_kr": over})
        if over:
            found = True
            parts.append(f"{r.navn.lower()} er det {fmt.pct(uformel / r.brugt_kr)} "
                         f"({fmt.kr(uformel)} af {fmt.kr(r.brugt_kr)}), "
                         f"{fmt.kr(over)} over grænsen")
    max_uformel = fmt.pct(float(1 - minimum), 0)
    if found:
        tekst = (f"Højst {max_uformel} af hver rundes forbrug må gå til andet end formel "
                 f"uddannelse; i {fmt.and_list(parts)}.")
    elif per_round:
        tekst = ("Formel uddannelse udgør mindst " + fmt.pct(float(minimum), 0) + " i hver "
                 "runde (" + fmt.and_list([f"runde {p['runde']}: {fmt.pct(p['formel_andel'])}"
                                    for p in per_round]) + ").")
    else:
        tekst = "Planen bruger ingen midler fra puljen."
    return _result(rules, "formel_andel", found, tekst,
                   {"min_formel_andel": float(minimum), "runder": per_round})


def check_runde1_periode(plan: Plan, ledger: Ledger, rules: RulesConfig,
                         cfg: PuljeConfig) -> RuleResult:
    """Rule 2: the window round's money only for activities started in it, finished in time."""
    r1 = cfg.round_with_role(ROLE_AKTIVITETSVINDUE)
    fra, til, senest = r1.aktivitet_start_fra, r1.aktivitet_start_til, r1.afsluttet_senest
    used = ledger.round(r1.id).pr_indsats
    bad = []
    for ind in plan.indsatser:
        if not used.get(ind.navn):
            continue
        why = []
        if fra and ind.start < fra or til and ind.start > til:
            why.append(f"starter {fmt.date(ind.start)}")
        if ind.slut > senest:
            why.append(f"slutter {fmt.date(ind.slut)}")
        if why:
            bad.append({"indsats": ind.navn, "start": ind.start.isoformat(),
                        "slut": ind.slut.isoformat(), "runde1_kr": used[ind.navn],
                        "aarsag": " og ".join(why)})
    window = (f"sat i gang {fmt.date(fra)}–{fmt.date(til)} og afsluttet senest "
              f"{fmt.date(senest)}")
    if bad:
        tekst = (f"{r1.kort}s midler må kun bruges til aktiviteter " + window + ", men "
                 + fmt.and_list([f"{b['indsats']} {b['aarsag']} og bruger {fmt.kr(b['runde1_kr'])}"
                          for b in bad]) + ".")
    else:
        tekst = f"Alle indsatser, der bruger {r1.kort.lower()}s midler, er {window}."
    return _result(rules, "runde1_periode", bool(bad), tekst,
                   {"start_fra": fra.isoformat() if fra else None,
                    "start_til": til.isoformat() if til else None,
                    "afsluttet_senest": senest.isoformat(), "fund": bad})


def check_loen_vikar(plan: Plan, rules: RulesConfig) -> RuleResult:
    """Rule 3: wages/substitutes charged to the pool are a warning (config)."""
    lines = [(i.navn, i.total_kr) for i in plan.indsatser
             if i.kategori == "loen_vikar" and i.finansiering == "pulje" and i.total_kr]
    total = sum(v for _, v in lines)
    r = rules.rule("loen_vikar")
    if lines:
        tekst = (f"Planen betaler {fmt.kr(total)} til løn og vikardækning af puljen "
                 f"({fmt.and_list([n for n, _ in lines])}). "
                 + (r.tekst_ved_fund or ""))
    else:
        tekst = "Planen betaler ikke løn eller vikardækning af puljen."
    return _result(rules, "loen_vikar", bool(lines), tekst,
                   {"beloeb_kr": total, "indsatser": [n for n, _ in lines]})


def check_ikke_sfo(plan: Plan, rules: RulesConfig) -> RuleResult:
    """Rule 4: no pool money for staff outside dagtilbud (SFO)."""
    outside = {k for k, v in rules.maalgrupper.items() if not v.dagtilbud}
    lines = [(i.navn, i.total_kr) for i in plan.indsatser
             if i.maalgruppe in outside and i.finansiering == "pulje" and i.total_kr]
    total = sum(v for _, v in lines)
    if lines:
        tekst = (f"Puljen er til personale i dagtilbud, men {fmt.and_list([n for n, _ in lines])} "
                 f"bruger {fmt.kr(total)} på SFO-personale.")
    else:
        tekst = "Alle indsatser betalt af puljen er for personale i dagtilbud."
    return _result(rules, "ikke_sfo", bool(lines), tekst,
                   {"beloeb_kr": total, "indsatser": [n for n, _ in lines]})


def check_godkendt(plan: Plan, rules: RulesConfig, cfg: PuljeConfig) -> RuleResult:
    """Rule 5: the round with the role lokal_plan requires a plan; warn when not approved."""
    r2 = cfg.round_with_role(ROLE_LOKAL_PLAN)
    year = fmt.and_list([str(y) for y in r2.payment_years])
    short = r2.kort
    if plan.godkendt:
        tekst = (f"Planen er godkendt af {plan.godkendt_af} den {fmt.date(plan.godkendt_dato)};"
                 f" {short.lower()} ({year}) forudsætter en lokal plan.")
    else:
        tekst = (f"{short} (udbetales {year}) forudsætter en lokal plan, og planen angiver "
                 "ikke, at den er godkendt; overvej at få den godkendt i kommunalbestyrelsen "
                 "eller det relevante udvalg.")
    return _result(rules, "lokal_plan_godkendt", not plan.godkendt, tekst,
                   {"godkendt": plan.godkendt, "godkendt_af": plan.godkendt_af,
                    "godkendt_dato": plan.godkendt_dato.isoformat() if plan.godkendt_dato
                    else None})


def check_forbrug(ledger: Ledger, rules: RulesConfig) -> RuleResult:
    """Rule 6: spending within the money received; money left at a round's end is at risk."""
    r = rules.rule("forbrug_inden_for_tilskud")
    unfunded = [y for y in ledger.aar if y.ikke_finansieret_kr]
    risky = [x for x in ledger.runder if x.risiko_tilbagebetaling_kr]
    parts = []
    if unfunded:
        parts.append("Planen bruger mere end de modtagne midler: " + fmt.and_list(
            [f"{fmt.kr(y.ikke_finansieret_kr)} i {y.aar}" for y in unfunded])
            + " er ikke finansieret af puljen.")
    if risky:
        parts.append(fmt.and_list([f"{x.navn} har {fmt.kr(x.risiko_tilbagebetaling_kr)}, "
                            f"som planen ikke bruger inden {fmt.date(x.frist)}"
                            for x in risky])
                     + "; de risikerer at skulle betales tilbage.")
    if not parts:
        parts.append("Forbruget holder sig inden for de modtagne midler, og alle midler "
                     "bruges inden fristen.")
    return _result(rules, "forbrug_inden_for_tilskud", bool(unfunded or risky), " ".join(parts),
                   {"ikke_finansieret_kr": ledger.ikke_finansieret_kr,
                    "ikke_finansieret_pr_aar": {str(y.aar): y.ikke_finansieret_kr
                                                for y in unfunded},
                    "risiko_pr_runde": {str(x.id): x.risiko_tilbagebetaling_kr
                                        for x in ledger.runder}},
                   status=None if unfunded else r.status_ved_risiko)


def check_fordeling_og_behov(plan: Plan, rules: RulesConfig) -> RuleResult:
    """Rule 7: ``fordeling`` sums to ``deltagere``; ``behov`` links point to existing ids."""
    ids = {b.id for b in plan.behov}
    fund = []
    for i in plan.indsatser:
        if i.fordeling:
            s = sum(i.fordeling.values())
            if i.deltagere is None or s != i.deltagere:
                shown = "ikke angivet" if i.deltagere is None else str(i.deltagere)
                fund.append({"indsats": i.navn, "type": "fordeling", "sum": s,
                             "deltagere": i.deltagere,
                             "tekst": f"{i.navn}: fordelingen summer til {s}, deltagere er "
                                      f"{shown}"})
        for link in i.behov:
            if link not in ids:
                close = difflib.get_close_matches(link, sorted(ids), n=1, cutoff=0.6)
                hint = f" (mente du '{close[0]}'?)" if close else ""
                fund.append({"indsats": i.navn, "type": "behov", "behov": link,
                             "tekst": f"{i.navn} henviser til behov '{link}', som ikke "
                                      f"findes{hint}"})
    if fund:
        tekst = fmt.and_list([f["tekst"] for f in fund]) + "."
    else:
        tekst = ("Fordelingen på dagtilbud stemmer med antal deltagere, og alle henvisninger "
                 "til behov findes.")
    return _result(rules, "fordeling_og_behov", bool(fund), tekst, {"fund": fund})


def check_all(plan: Plan, ledger: Ledger, cfg: PuljeConfig,
              rules: RulesConfig | None = None) -> list[RuleResult]:
    rules = rules or load_rules()
    results = [
        check_formel_andel(plan, ledger, rules),
        check_runde1_periode(plan, ledger, rules, cfg),
        check_loen_vikar(plan, rules),
        check_ikke_sfo(plan, rules),
        check_godkendt(plan, rules, cfg),
        check_forbrug(ledger, rules),
        check_fordeling_og_behov(plan, rules),
    ]
    return [replace(r, navn=rule_name(rules, r.id, cfg)) for r in results]
