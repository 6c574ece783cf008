"""The money year by year: a plan's spending drawn against the grants, oldest money first.

Grants arrive as tranches, as ``pulje.yaml`` says a round pays: per year (``aarlig``, each
grant year in the year ``udbetalingsaar_pr_aar`` gives: round 1's 2023 and 2024 tranches in
2023, evidence Dragør's 817.000 kr.) or one payment for all its years (``samlet``). Each
year, every pool-financed indsats spends
``forbrug`` (else ``budget``) and draws on the oldest tranche that is already paid and whose
round has not run out (year ≤ the round's ``afsluttet_senest``), so an earlier round's money is
used before a later round's. A line outside the activity window of the round with that role
(:func:`outside_window`) draws on that round's money only when no other money is left that
year: a plan that starts its lines after the window uses the later round, and the window
round's money shows as left over, not as a breach of rule 2. Spending beyond the money
received is *ikke finansieret af puljen* in the year it happens; money a round has left when
its time runs out is *risiko for tilbagebetaling*.

Everything is whole kroner and plain ints; :meth:`Ledger.as_dict` is what the note and
``reports/<slug>.json`` show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from opkval.base.domain import ROLE_AKTIVITETSVINDUE
from opkval.inputs.config import PuljeConfig
from opkval.inputs.plan_model import Plan


@dataclass
class Tranche:
    runde: int
    udbetalingsaar: int
    beloeb_kr: int
    frist: dt.date  # the round's afsluttet_senest
    tilbage_kr: int = 0

    def usable_in(self, year: int) -> bool:
        return self.udbetalingsaar <= year <= self.frist.year


@dataclass(frozen=True)
class YearRow:
    aar: int
    udbetalt_kr: int  # grant money paid in this year
    forbrug_kr: int  # pool-financed spending planned (forbrug where given, else budget)
    finansieret_kr: int  # the part covered by money received
    ikke_finansieret_kr: int  # spending beyond the money received
    anden_finansiering_kr: int  # lines financed otherwise (shown, not charged to the pool)
    saldo_kr: int  # received so far minus financed spending so far (carried over)
    kumuleret_udbetalt_kr: int
    kumuleret_forbrug_kr: int
    realiseret: bool  # True when every pool line's amount this year is realised forbrug


@dataclass(frozen=True)
class RoundRow:
    id: int
    navn: str
    modtaget_kr: int
    brugt_kr: int
    tilbage_kr: int
    frist: str  # ISO date: money left after this is at risk
    frist_antaget: bool  # no source gives the deadline (config frist_kilde: null)
    risiko_tilbagebetaling_kr: int
    brugt_aar: list[int]  # years that drew on this round
    opbrugt_aar: int | None  # year the round's money was used up, None if not used up
    pr_indsats: dict[str, int]  # indsats navn -> kr. drawn from this round
    skoen: bool = False  # some of the round's money is an estimate, not a tilsagn


@dataclass(frozen=True)
class Ledger:
    aar: list[YearRow]
    runder: list[RoundRow]
    draws: dict[tuple[str, int, int], int] = field(repr=False)  # (indsats, runde, aar) -> kr.
    ikke_finansieret: dict[tuple[str, int], int] = field(repr=False)  # (indsats, aar) -> kr.

    @property
    def forbrug_kr(self) -> int:
        return sum(y.forbrug_kr for y in self.aar)

    @property
    def udbetalt_kr(self) -> int:
        return sum(y.udbetalt_kr for y in self.aar)

    @property
    def ikke_finansieret_kr(self) -> int:
        return sum(y.ikke_finansieret_kr for y in self.aar)

    @property
    def risiko_kr(self) -> int:
        return sum(r.risiko_tilbagebetaling_kr for r in self.runder)

    def round(self, rid: int) -> RoundRow:
        return next(r for r in self.runder if r.id == rid)

    def as_dict(self) -> dict:
        return {
            "aar": [asdict(y) for y in self.aar],
            "runder": [asdict(r) for r in self.runder],
            "forbrug_kr": self.forbrug_kr,
            "udbetalt_kr": self.udbetalt_kr,
            "ikke_finansieret_kr": self.ikke_finansieret_kr,
            "risiko_tilbagebetaling_kr": self.risiko_kr,
            "forbrug_pr_runde": [
                {"indsats": n, "runde": r, "aar": a, "beloeb_kr": v}
                for (n, r, a), v in sorted(self.draws.items(), key=lambda t: (t[0][2], t[0][1],
                                                                              t[0][0]))],
            "ikke_finansieret": [
                {"indsats": n, "aar": a, "beloeb_kr": v}
                for (n, a), v in sorted(self.ikke_finansieret.items(), key=lambda t: t[0][1])],
        }


def outside_window(ind, rnd) -> tuple[bool, bool]:
    """Whether an indsats starts outside a round's activity window, and whether it ends after
    the round's last date (rule 2 and the ledger use the same test)."""
    fra, til = rnd.aktivitet_start_fra, rnd.aktivitet_start_til
    return (bool(fra and ind.start < fra or til and ind.start > til),
            ind.slut > rnd.afsluttet_senest)


def tranches(grants: list[dict], cfg: PuljeConfig) -> list[Tranche]:
    """Grant rows (``GrantRow.as_dict()``) summed per round and payment year, oldest first."""
    sums: dict[tuple[int, int], int] = {}
    for g in grants:
        key = (int(g["udbetalingsaar"]), int(g["runde"]))
        sums[key] = sums.get(key, 0) + int(g["beloeb_kr"])
    frist = {r.id: r.afsluttet_senest for r in cfg.runder}
    return [Tranche(runde=r, udbetalingsaar=y, beloeb_kr=v, frist=frist[r], tilbage_kr=v)
            for (y, r), v in sorted(sums.items())]


def build_ledger(plan: Plan, grants: list[dict], cfg: PuljeConfig) -> Ledger:
    """Draw the plan's pool spending on the grants, year by year, oldest money first."""
    ts = tranches(grants, cfg)
    draws: dict[tuple[str, int, int], int] = {}
    unfunded: dict[tuple[str, int], int] = {}
    rows: list[YearRow] = []
    cum_paid = cum_spent = cum_financed = 0
    pool_lines = [i for i in plan.indsatser if i.finansiering == "pulje"]
    window = cfg.round_with_role(ROLE_AKTIVITETSVINDUE)
    # Per line: the tranches in the order it draws on them (eligible money first, oldest first).
    order = {i.navn: sorted(ts, key=lambda t: t.runde == window.id and any(outside_window(
        i, window))) for i in pool_lines}
    for year in cfg.years:
        paid = sum(t.beloeb_kr for t in ts if t.udbetalingsaar == year)
        spent = financed = 0
        for ind in sorted(pool_lines, key=lambda i: (i.start, i.navn)):
            need = ind.spending(year)
            spent += need
            for t in order[ind.navn]:
                if need == 0:
                    break
                if not t.usable_in(year) or t.tilbage_kr == 0:
                    continue
                take = min(need, t.tilbage_kr)
                t.tilbage_kr -= take
                need -= take
                financed += take
                k = (ind.navn, t.runde, year)
                draws[k] = draws.get(k, 0) + take
            if need:
                unfunded[(ind.navn, year)] = need
        other = sum(i.spending(year) for i in plan.indsatser if i.finansiering != "pulje")
        cum_paid += paid
        cum_spent += spent
        cum_financed += financed
        realised = all(year in i.forbrug for i in pool_lines if i.spending(year))
        rows.append(YearRow(aar=year, udbetalt_kr=paid, forbrug_kr=spent,
                            finansieret_kr=financed, ikke_finansieret_kr=spent - financed,
                            anden_finansiering_kr=other, saldo_kr=cum_paid - cum_financed,
                            kumuleret_udbetalt_kr=cum_paid, kumuleret_forbrug_kr=cum_spent,
                            realiseret=realised and spent > 0))
    rounds = []
    for r in cfg.rounds_in_order:
        own = [t for t in ts if t.runde == r.id]
        received = sum(t.beloeb_kr for t in own)
        left = sum(t.tilbage_kr for t in own)
        per_year = {y: sum(v for (_, rid, a), v in draws.items() if rid == r.id and a == y)
                    for y in cfg.years}
        used_years = [y for y, v in per_year.items() if v]
        used_up = None
        if received and left == 0 and used_years:
            used_up = used_years[-1]
        per_ind: dict[str, int] = {}
        for (navn, rid, _), v in draws.items():
            if rid == r.id:
                per_ind[navn] = per_ind.get(navn, 0) + v
        rounds.append(RoundRow(id=r.id, navn=r.navn, modtaget_kr=received,
                               brugt_kr=received - left, tilbage_kr=left,
                               frist=r.afsluttet_senest.isoformat(),
                               frist_antaget=r.frist_antaget,
                               risiko_tilbagebetaling_kr=left, brugt_aar=used_years,
                               opbrugt_aar=used_up, pr_indsats=per_ind,
                               skoen=any(g.get("label") != "tilsagn" for g in grants
                                         if int(g["runde"]) == r.id)))
    return Ledger(aar=rows, runder=rounds, draws=draws, ikke_finansieret=unfunded)
