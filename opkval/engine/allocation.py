"""The grant engine: allocation keys, largest-remainder rounding, tilsagn precedence, backtest.

Precedence per kommune and year (each labelled in output):
1. ``tilsagn`` from the kommune's own tilsagn letter (``tilsagn:`` in its plan; ``grundlag``
   ``tilsagnsbrev``), by year or by round; it overrides every other figure for its years;
2. ``tilsagn``: a published amount in ``known_allocations.csv`` (``grundlag``
   ``offentliggjort``);
3. ``fremskrevet``: for later years *of the same round*, the kommune's latest known share of
   the pool (letter or published) applied to that year's pool amount;
4. ``skøn``: the allocation key's estimate (largest remainder over all 98 kommuner). A later
   round is allocated anew (seed 002: round 2 on the share of 0–5-year-olds), so its estimate
   is the key's even where an earlier round was published; the carried-forward share is then
   shown beside it as ``alternativ_kr`` (the note uses the range of the two for the risk).

A published amount that covers several years at once (``periode`` "2023-2024", Dragør) says
nothing about each year; it is used as evidence in the backtest, not as a tilsagn.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction

import pandas as pd

from opkval.base.errors import OpkvalError
from opkval.base.memo import per_data_set
from opkval.inputs.config import PuljeConfig
from opkval.inputs.data import RawData

LABEL_TILSAGN = "tilsagn"
LABEL_FREMSKREVET = "fremskrevet"
LABEL_SKOEN = "skøn"
GRUNDLAG_BREV = "tilsagnsbrev"
GRUNDLAG_OFFENTLIGGJORT = "offentliggjort"


def largest_remainder(total: int, weights: list[int | float | Fraction]) -> list[int]:
    """Split `total` whole kroner in proportion to `weights`.

    Each share is its exact pro-rata amount rounded down, and the kroner left over go one each
    to the largest remainders (ties: earlier position first). The result sums exactly to
    `total`, none is negative, and each lies within 1 kr. of its exact share.
    """
    if total < 0:
        raise ValueError("total must be non-negative")
    fr = [Fraction(w) for w in weights]
    if any(w < 0 for w in fr):
        raise ValueError("weights must be non-negative")
    wsum = sum(fr, Fraction(0))
    if wsum == 0:
        raise ValueError("weights must not all be zero")
    exact = [total * w / wsum for w in fr]
    floors = [int(e) for e in exact]  # exact >= 0, so int() is floor
    left = total - sum(floors)
    order = sorted(range(len(fr)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return floors


@dataclass(frozen=True)
class KeyWeights:
    key: str
    navn: str
    vintage: str  # data date, e.g. "2021-01-01"
    kilde: str
    forbehold: str
    weights: dict[int, int]  # kommunekode -> weight

    @property
    def vintage_year(self) -> int:
        return int(self.vintage[:4])


@per_data_set
def key_weights(data: RawData, key: str, year: int | None, cfg: PuljeConfig) -> KeyWeights:
    """Weights of an allocation key for all 98 kommuner (``year`` picks the data vintage).

    Cached per data set, key, year and config (``data.cache``): grants_for_kommune asks for
    it for every skøn year of every kommune. The weights are shared, do not change them.
    """
    if key not in cfg.noegler:
        raise OpkvalError(
            f"Ukendt fordelingsnøgle '{key}'. Mulige: {', '.join(sorted(cfg.noegler))}."
        )
    meta = cfg.noegler[key]
    if key == "age_0_5":
        df = data["population_0_5_2021.csv"]
        w = dict(zip(df["kommunekode"], df["age_0_5"], strict=True))
        vintage = str(df["dato"].iloc[0])
    elif key == "population":
        df = data["population_total.csv"]
        cols = sorted(c for c in df.columns if c.startswith("folketal_"))
        years = {int(c.split("_")[1]): c for c in cols}
        usable = [y for y in years if year is None or y <= year]
        pick = max(usable) if usable else min(years)
        w = dict(zip(df["kommunekode"], df[years[pick]], strict=True))
        vintage = f"{pick}-01-01"
    elif key == "enrolled":
        df = data["dagtilbud_kommune_stats.csv"]
        total = (df["boern_dagpleje_2024"] + df["boern_daginst_0_2_2024"]
                 + df["boern_daginst_3_5_2024"])
        w = dict(zip(df["kommunekode"], total, strict=True))
        vintage = "2024"
    else:  # a key in config that the engine does not know how to read
        raise OpkvalError(f"Fordelingsnøglen '{key}' findes i config men ikke i opkval.")
    return KeyWeights(key=key, navn=meta.navn, vintage=vintage, kilde=meta.kilde,
                      forbehold=meta.forbehold,
                      weights={int(k): int(v) for k, v in w.items()})


def allocate(data: RawData, amount_kr: int, key: str = "age_0_5",
             year: int | None = None, *, cfg: PuljeConfig) -> pd.DataFrame:
    """Allocate `amount_kr` over all 98 kommuner: columns kommunekode, kommune, amount."""
    kw = key_weights(data, key, year, cfg)
    muni = data.municipalities.sort_values("kommunekode")
    codes = [int(c) for c in muni["kommunekode"]]
    amounts = largest_remainder(int(amount_kr), [kw.weights[c] for c in codes])
    return pd.DataFrame({"kommunekode": codes, "kommune": list(muni["kommune"]),
                         "amount": amounts})


@dataclass(frozen=True)
class GrantRow:
    aar: int
    runde: int
    udbetalingsaar: int
    pulje_kr: int
    beloeb_kr: int
    label: str  # tilsagn | fremskrevet | skøn
    forklaring: str  # the label spelled out, in Danish
    kilde: str
    andel: float  # beloeb / pulje
    skoen_kr: int  # the key estimate for the same year, shown beside published amounts
    grundlag: str = ""  # for tilsagn: tilsagnsbrev (the kommune's letter) | offentliggjort
    udbetaling_antaget: bool = False  # no source gives this year's payment year
    #: A second estimate where the sources allow two (round 2: the carried-forward share of
    #: round 1's tilsagn beside the key); None where there is one.
    alternativ_kr: int | None = None
    alternativ_forklaring: str | None = None
    #: issue 19: a letter whose implied share of the pool is implausible (Danish sentence)
    advarsel: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


#: A letter's implied share of the pool may differ this much (as a fraction) from the key's
#: share or the kommune's other letters before it is a warning (issue 19: "more than half").
LETTER_TOLERANCE = Fraction(1, 2)


def letter_warnings(data: RawData, kommunekode: int, tilsagn, cfg: PuljeConfig,
                    key: str) -> dict[int, str]:
    """Per letter (its position in ``tilsagn``): a warning when its implied share of the pool
    differs by more than half from the key's share for the same years, or from the mean share
    of the kommune's other plausible letters of the same round (a letter typed with one zero
    too many, or for the wrong years). Ishøj's real letters (0,26 % against the key's
    0,47 %: 55 %) are not warned."""
    from opkval.base import fmt

    def years_of(t) -> list[int]:
        return [t.aar] if t.aar is not None else list(cfg.round_by_id(t.runde).aar)

    shares = []
    for t in tilsagn:
        ys = years_of(t)
        pool = sum(cfg.pool_kr(y) for y in ys)
        est = sum(key_estimates(data, key, y, cfg.pool_kr(y), cfg)[kommunekode] for y in ys)
        shares.append((Fraction(t.beloeb_kr, pool), Fraction(est, pool), ys))
    def off(share, ref) -> bool:
        return bool(ref) and abs(share / ref - 1) > LETTER_TOLERANCE

    # The other letters a letter is compared with are those the key does not flag: with one
    # letter typed ten times too high, the right one is not blamed for differing from it.
    # Only letters of the same round: a later round is allocated anew (seed 002), so round 1's
    # share says nothing about round 2's.
    plausible = [m for m, (s, k, _) in enumerate(shares) if not off(s, k)]
    out = {}
    for n, (t, (share, key_share, ys)) in enumerate(zip(tilsagn, shares, strict=True)):
        rnd = cfg.round_of(ys[0]).id
        others = [shares[m][0] for m in plausible
                  if m != n and cfg.round_of(shares[m][2][0]).id == rnd]
        refs = [("nøglen", key_share)]
        if others:
            refs.append(("kommunens øvrige tilsagn", sum(others) / len(others)))
        if not any(off(share, ref) for _, ref in refs):
            continue
        what = (f"Tilsagnet for {ys[0]}" if len(ys) == 1 else
                f"Tilsagnet for {cfg.round_by_id(t.runde).kort.lower()} ({ys[0]}–{ys[-1]})")
        out[n] = (f"{what} ({fmt.kr(t.beloeb_kr)}) er {fmt.pct(float(share), 2)} af puljen, "
                  + " og ".join(f"{name} giver {fmt.pct(float(ref), 2)}" for name, ref in refs)
                  + "; kontrollér beløbet og årene i tilsagnsbrevet.")
    return out


def _published(data: RawData, cfg: PuljeConfig) -> pd.DataFrame:
    """The pool's published tilsagn. Each must lie in the pool's years (a row for 2019–2020,
    or a span past the last year, has no pool to set it against): else one DataError naming
    the file, the line and the years, never a KeyError later."""
    from opkval.base.errors import DataError

    ka = data["known_allocations.csv"]
    pub = ka[ka["pulje"] == cfg.known_allocations_pulje]
    years = set(cfg.years)
    for idx, r in pub.iterrows():
        outside = [y for y in range(int(r["aar_fra"]), int(r["aar_til"]) + 1) if y not in years]
        if outside:
            raise DataError(
                f"{data.raw_dir / 'known_allocations.csv'}: linje {int(idx) + 2} "
                f"({r['kommune']}), kolonne 'periode': værdien {str(r['periode'])!r} dækker "
                f"{', '.join(str(y) for y in outside)}, hvor puljen ikke har noget beløb (den "
                f"dækker {cfg.first_year}–{cfg.last_year}); ret perioden")
    return pub


def _per_year(pub: pd.DataFrame) -> pd.DataFrame:
    """Published amounts for one grant year each (not the multi-year evidence rows)."""
    return pub[pub["aar_fra"] == pub["aar_til"]]


@per_data_set
def key_estimates(data: RawData, key: str, year: int, pool_kr: int,
                  cfg: PuljeConfig) -> dict[int, int]:
    """Key estimate for all 98 kommuner for one pool year (computed once per data set)."""
    df = allocate(data, pool_kr, key, year, cfg=cfg)
    return dict(zip(df["kommunekode"], df["amount"], strict=True))


def letter_amounts(tilsagn, cfg: PuljeConfig) -> dict[int, tuple[int, str, str]]:
    """The kommune's tilsagn letters per year: year → (kr., kilde, forklaring).

    ``tilsagn``: validated entries (``opkval.inputs.plan.Tilsagn``) by year or by round. A round's
    amount, less the years of it given on their own, is split over its other years in
    proportion to the pool (largest remainder, so the years add up to the letter's amount).
    """
    out: dict[int, tuple[int, str, str]] = {}
    for t in tilsagn:
        if t.aar is not None:
            out[t.aar] = (t.beloeb_kr, t.kilde, f"Tilsagn (kommunens tilsagnsbrev: {t.kilde})")
    for t in tilsagn:
        if t.runde is None:
            continue
        r = cfg.round_by_id(t.runde)
        rest_years = [y for y in r.aar if y not in out]
        if not rest_years:
            continue
        rest = t.beloeb_kr - sum(out[y][0] for y in r.aar if y in out)
        split = largest_remainder(rest, [cfg.pool_kr(y) for y in rest_years])
        text = (f"Tilsagn (kommunens tilsagnsbrev: {t.kilde}; rundens beløb fordelt på årene "
                "efter puljens størrelse)" if len(rest_years) > 1
                else f"Tilsagn (kommunens tilsagnsbrev: {t.kilde})")
        for y, amount in zip(rest_years, split, strict=True):
            out[y] = (amount, t.kilde, text)
    return out


def grants_for_kommune(data: RawData, kommunekode: int, key: str | None = None, *,
                       cfg: PuljeConfig, tilsagn=()) -> list[GrantRow]:
    """The grant per year 2023–2030 for one kommune, each row labelled by its origin.

    ``tilsagn``: the kommune's own letters (from its plan); they override every other figure
    for their years. ``cfg``: the pool (``load_config()``); ``key`` None is its default key.
    """
    key = key or cfg.default_key
    kw = key_weights(data, key, None, cfg)
    pub = _per_year(_published(data, cfg))
    own = pub[pub["kommunekode"] == kommunekode].sort_values("aar_fra")
    published = {int(r.aar_fra): (int(r.beloeb_kr), str(r.kilde)) for r in own.itertuples()}
    letters = letter_amounts(tilsagn, cfg)
    known = {**published, **{y: (a, k) for y, (a, k, _) in letters.items()}}
    warn = letter_warnings(data, kommunekode, tuple(tilsagn), cfg, key) if tilsagn else {}
    warn_by_year = {}
    for n, text in warn.items():
        t = tilsagn[n]
        for y in ([t.aar] if t.aar is not None else cfg.round_by_id(t.runde).aar):
            warn_by_year.setdefault(y, text)
    rows = []
    for year in cfg.years:
        pool = cfg.pool_kr(year)
        runde = cfg.round_of(year)
        est = key_estimates(data, key, year, pool, cfg)[kommunekode]
        earlier = [y for y in known if y < year]
        carried = None
        if earlier:
            base = max(earlier)
            share = Fraction(known[base][0]) / cfg.pool_kr(base)
            carried = (int(share * pool + Fraction(1, 2)), base)  # half up to whole kroner
        alt = alt_text = None
        grundlag = ""
        if year in letters:
            amount, kilde, text = letters[year]
            label, grundlag = LABEL_TILSAGN, GRUNDLAG_BREV
        elif year in published:
            amount, kilde = published[year]
            label, text = LABEL_TILSAGN, "tilsagn (offentliggjort beløb)"
            grundlag = GRUNDLAG_OFFENTLIGGJORT
        elif carried and cfg.round_of(carried[1]).id == runde.id:
            amount, base = carried
            label = LABEL_FREMSKREVET
            text = f"fremskrevet efter kommunens andel af puljen i {base}"
            kilde = f"tilsagn {base} ({known[base][1]}) × puljen {year}"
        else:
            amount, label = est, LABEL_SKOEN
            year_kw = key_weights(data, key, year, cfg)
            text = f"skøn, nøgle: {kw.navn}, data pr. {year_kw.vintage}"
            if key == cfg.default_key and runde.payment_year(year) > year_kw.vintage_year:
                text += (f" (de nyeste kommunetal i opkvals data; ministeriet bruger "
                         f"{runde_noegle(runde)})")
            kilde = year_kw.kilde
            if carried and carried[0] != amount:
                alt = carried[0]
                alt_text = (f"kommunens andel af puljen i {carried[1]} (tilsagn) ført videre "
                            f"til {runde.kort.lower()}")
        rows.append(GrantRow(
            aar=year, runde=runde.id, udbetalingsaar=runde.payment_year(year), pulje_kr=pool,
            beloeb_kr=amount, label=label, forklaring=text, kilde=kilde,
            andel=amount / pool, skoen_kr=est, grundlag=grundlag,
            udbetaling_antaget=year in runde.udbetaling_antaget,
            alternativ_kr=alt, alternativ_forklaring=alt_text,
            advarsel=warn_by_year.get(year) if year in letters else None,
        ))
    return rows


def runde_noegle(runde) -> str:
    """What the ministry allocates a round by, in words (config ``noegle_tekst``)."""
    return str(runde.noegle_tekst or "det forventede antal 0-5-årige")


@dataclass(frozen=True)
class BacktestRow:
    kommunekode: int
    kommune: str
    pulje: str
    aar: int  # first year the published amount covers
    skoen_kr: int
    offentliggjort_kr: int
    forskel_kr: int  # published - estimate
    forskel_pct: float  # (published - estimate) / estimate * 100
    inden_for_tolerance: bool
    periode: str = ""  # "2020", or "2023-2024" for an amount covering several years
    kilde: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@per_data_set(key=lambda a: a["cfg"].default_key)
def backtest(data: RawData, cfg: PuljeConfig, key: str | None = None) -> list[BacktestRow]:
    """Allocation keys against every published amount we have.

    1. The 2020 normering pool (500 mio. kr.) with its own stated key (the 0–5 share), all
       published kommuner. 2. The opkvalificeringspulje's published tilsagn against the
       estimate of `key` (default: the pool's default key), the key the note's estimates use.

    The same for every kommune: computed once per data set and arguments (``data.cache``);
    the list is shared, do not change it.
    """
    bt = cfg.backtest
    ka = data["known_allocations.csv"]
    rows: list[BacktestRow] = []
    ref = ka[ka["pulje"].str.startswith(bt.pulje_prefix) & (ka["aar_fra"] == bt.aar)
             & (ka["aar_til"] == bt.aar)]
    est = key_estimates(data, bt.noegle, bt.aar, bt.beloeb_kr, cfg)
    tol_abs, tol_rel = bt.tolerance_abs_kr, bt.tolerance_rel
    for r in ref.itertuples():
        e, p = est[int(r.kommunekode)], int(r.beloeb_kr)
        rows.append(BacktestRow(int(r.kommunekode), str(r.kommune), "Pulje til normeringer",
                                int(r.aar_fra), e, p, p - e, (p - e) / e * 100,
                                abs(p - e) <= tol_abs + tol_rel * e, str(r.periode),
                                str(r.kilde)))
    for r in _published(data, cfg).itertuples():
        # An amount for several years (Dragør's 817.000 kr. for 2023-2024) against the sum of
        # the key's estimates for those years.
        e = sum(key_estimates(data, key, y, cfg.pool_kr(y), cfg)[int(r.kommunekode)]
                for y in range(int(r.aar_fra), int(r.aar_til) + 1))
        p = int(r.beloeb_kr)
        rows.append(BacktestRow(int(r.kommunekode), str(r.kommune), "Opkvalificeringspuljen",
                                int(r.aar_fra), e, p, p - e, (p - e) / e * 100,
                                abs(p - e) <= tol_abs + tol_rel * e, str(r.periode),
                                str(r.kilde)))
    return sorted(rows, key=lambda b: (b.pulje, b.aar, b.kommunekode))


def error_summary(rows: list[BacktestRow], afrunding_kr: int = 50000) -> dict:
    """What a backtest measured: the spread of the errors and the largest ones.

    Median and largest absolute error in kroner and per cent, how many lie within the
    tolerance and within the sources' rounding (``afrunding_kr``: amounts published to
    0,1 mio. kr. are exact to ±50.000 kr.), and the errors (kommune, kr., %), largest first.
    """
    if not rows:
        return {"n": 0}
    abs_kr = sorted(abs(b.forskel_kr) for b in rows)
    abs_pct = sorted(abs(b.forskel_pct) for b in rows)

    def median(xs):
        n = len(xs)
        return xs[n // 2] if n % 2 else (Fraction(xs[n // 2 - 1]) + Fraction(xs[n // 2])) / 2

    largest = sorted(rows, key=lambda b: -abs(b.forskel_kr))
    return {
        "n": len(rows),
        "inden_for_tolerance": sum(b.inden_for_tolerance for b in rows),
        "median_abs_kr": float(median(abs_kr)),
        "median_abs_pct": float(median(abs_pct)),
        "max_abs_kr": abs_kr[-1],
        "max_abs_pct": abs_pct[-1],
        "inden_for_afrunding": sum(abs(b.forskel_kr) <= afrunding_kr for b in rows),
        "afrunding_kr": afrunding_kr,
        "stoerste": [{"kommune": b.kommune, "periode": b.periode, "forskel_kr": b.forskel_kr,
                      "forskel_pct": b.forskel_pct, "inden_for_tolerance":
                      b.inden_for_tolerance} for b in largest],
    }


@dataclass(frozen=True)
class KeyReading:
    """One published amount of this pool against the key's estimate for the years it may
    cover: Ishøj's tilsagn for round 1 (one reading), Dragør's 817.000 kr. read as 2023–2024
    (the file's inference) and as the whole first round (the article's "over treårig periode");
    the source does not decide between the two (SOURCES.md, corrected 2026-12-07)."""

    kommunekode: int
    kommune: str
    aar: list[int]  # the grant years this reading takes the amount to cover
    offentliggjort_kr: int
    skoen_kr: int
    forhold: float  # published / estimate
    laesning: str  # Danish: what the reading assumes

    def as_dict(self) -> dict:
        return asdict(self)


@per_data_set(key=lambda a: a["cfg"].default_key)
def key_record(data: RawData, cfg: PuljeConfig, key: str | None = None) -> list[KeyReading]:
    """The key's record against every published amount of this pool (issue 19).

    Per-year amounts of one kommune are summed over each round they fall in (Ishøj:
    280.000 + 512.000 + 512.000 = 1.304.000 kr. for 2023–2025). An amount for several years
    (Dragør) is read two ways: over the years its ``periode`` gives, and over the whole round
    of its first year, when that is longer. Shared per data set; do not change the list.
    """
    pub = _published(data, cfg)
    out: list[KeyReading] = []

    def est(kode: int, years) -> int:
        return sum(key_estimates(data, key, y, cfg.pool_kr(y), cfg)[kode] for y in years)

    per_year = _per_year(pub)
    for kode, rows in per_year.groupby("kommunekode", sort=True):
        by_round: dict[int, list] = {}
        for r in rows.itertuples():
            by_round.setdefault(cfg.round_of(int(r.aar_fra)).id, []).append(r)
        for _rid, rs in sorted(by_round.items()):
            years = sorted(int(r.aar_fra) for r in rs)
            amount = sum(int(r.beloeb_kr) for r in rs)
            e = est(int(kode), years)
            out.append(KeyReading(int(kode), str(rs[0].kommune), years, amount, e, amount / e,
                                  "tilsagn for årene hver for sig, lagt sammen"))
    multi = pub[pub["aar_fra"] != pub["aar_til"]]
    for r in multi.sort_values("kommunekode").itertuples():
        kode, amount = int(r.kommunekode), int(r.beloeb_kr)
        years = list(range(int(r.aar_fra), int(r.aar_til) + 1))
        e = est(kode, years)
        out.append(KeyReading(kode, str(r.kommune), years, amount, e, amount / e,
                              f"beløbet dækker {years[0]}–{years[-1]}"))
        rnd = list(cfg.round_of(years[0]).aar)
        if rnd != years and set(years) <= set(rnd):
            e = est(kode, rnd)
            out.append(KeyReading(kode, str(r.kommune), rnd, amount, e, amount / e,
                                  f"beløbet dækker hele {cfg.round_of(years[0]).kort.lower()} "
                                  f"({rnd[0]}–{rnd[-1]})"))
    return out


def key_factor_range(record: list[KeyReading]) -> tuple[float, float] | None:
    """The lowest and highest published/estimate ratio in the key's record (None if empty):
    the range every estimate of this pool is given (issue 19)."""
    if not record:
        return None
    return min(r.forhold for r in record), max(r.forhold for r in record)


def scaled_estimates(grants: list[dict], factor: tuple[float, float] | None
                     ) -> list[list[dict]]:
    """The grant rows (as dicts) with each estimated year (label skøn) scaled to the lowest
    and to the highest ratio of the key's record, rounded as :func:`estimate_interval` rounds
    (down at the low end, up at the high end); years known from a tilsagn or carried forward
    stay. Empty without a record or when nothing is estimated."""
    if factor is None or not any(g["label"] == LABEL_SKOEN for g in grants):
        return []
    lo_f, hi_f = (Fraction(str(x)) for x in factor)
    return [[dict(g, beloeb_kr=int(g["beloeb_kr"] * lo_f)) if g["label"] == LABEL_SKOEN
             else g for g in grants],
            [dict(g, beloeb_kr=-int(-(g["beloeb_kr"] * hi_f) // 1))
             if g["label"] == LABEL_SKOEN else g for g in grants]]


def estimate_interval(rows: list[GrantRow], factor: tuple[float, float] | None
                      ) -> list[int] | None:
    """A round's amount as a range founded on the key's record: each estimated year (label
    skøn) times the lowest and highest ratio, rounded outwards to whole kroner; years known
    from a tilsagn, or carried forward from the kommune's own share, count as they are. The
    round's second estimate (``alternativ_kr``) widens the range when it lies outside.
    None when every year is a tilsagn (nothing is estimated), when the range is one amount
    (years known or carried forward: no year the key estimates), or when there is no record."""
    if not rows or all(g.label == LABEL_TILSAGN for g in rows) or factor is None:
        return None
    lo_f, hi_f = (Fraction(str(x)) for x in factor)
    lo = hi = 0
    for g in rows:
        if g.label == LABEL_SKOEN:
            lo += int(g.beloeb_kr * lo_f)  # floor (non-negative)
            hi += -int(-(g.beloeb_kr * hi_f) // 1)  # ceiling
        else:
            lo += g.beloeb_kr
            hi += g.beloeb_kr
    if any(g.alternativ_kr is not None for g in rows):
        alt = sum(g.beloeb_kr if g.alternativ_kr is None else g.alternativ_kr for g in rows)
        lo, hi = min(lo, alt), max(hi, alt)
    return [lo, hi] if lo < hi else None
