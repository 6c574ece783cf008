"""The grant engine: allocation keys, largest-remainder rounding, tilsagn precedence, backtest.

Precedence per kommune and year (each labelled in output):
1. ``tilsagn``: a published amount in ``known_allocations.csv``;
2. ``fremskrevet``: for later years, the kommune's latest published share of the pool applied
   to that year's pool amount;
3. ``skøn``: the allocation key's estimate (largest remainder over all 98 kommuner).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction

import pandas as pd

from opkval.config import PuljeConfig, load_config
from opkval.data import RawData
from opkval.errors import OpkvalError
from opkval.memo import per_data_set

LABEL_TILSAGN = "tilsagn"
LABEL_FREMSKREVET = "fremskrevet"
LABEL_SKOEN = "skøn"


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


@per_data_set(cfg=lambda a: load_config())
def key_weights(data: RawData, key: str, year: int | None = None,
                cfg: PuljeConfig | None = None) -> KeyWeights:
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
             year: int | None = None) -> pd.DataFrame:
    """Allocate `amount_kr` over all 98 kommuner: columns kommunekode, kommune, amount."""
    kw = key_weights(data, key, year)
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

    def as_dict(self) -> dict:
        return asdict(self)


def _published(data: RawData, cfg: PuljeConfig) -> pd.DataFrame:
    ka = data["known_allocations.csv"]
    return ka[ka["pulje"] == cfg.known_allocations_pulje]


@per_data_set
def key_estimates(data: RawData, key: str, year: int, pool_kr: int) -> dict[int, int]:
    """Key estimate for all 98 kommuner for one pool year (computed once per data set)."""
    df = allocate(data, pool_kr, key, year)
    return dict(zip(df["kommunekode"], df["amount"], strict=True))


def grants_for_kommune(data: RawData, kommunekode: int, key: str | None = None,
                       cfg: PuljeConfig | None = None) -> list[GrantRow]:
    """The grant per year 2023–2030 for one kommune, each row labelled by its origin."""
    cfg = cfg or load_config()
    key = key or cfg.default_key
    kw = key_weights(data, key, None, cfg)
    pub = _published(data, cfg)
    own = pub[pub["kommunekode"] == kommunekode].sort_values("periode")
    published = {int(r.periode): (int(r.beloeb_kr), str(r.kilde)) for r in own.itertuples()}
    rows = []
    for year in cfg.years:
        pool = cfg.pool_kr(year)
        runde = cfg.round_of(year)
        est = key_estimates(data, key, year, pool)[kommunekode]
        earlier = [y for y in published if y < year]
        if year in published:
            amount, kilde = published[year]
            label, text = LABEL_TILSAGN, "tilsagn (offentliggjort beløb)"
        elif earlier:
            base = max(earlier)
            share = Fraction(published[base][0]) / cfg.pool_kr(base)
            amount = int(share * pool + Fraction(1, 2))  # round half up to whole kroner
            label = LABEL_FREMSKREVET
            text = f"fremskrevet efter kommunens andel af puljen i {base}"
            kilde = f"tilsagn {base} ({published[base][1]}) × puljen {year}"
        else:
            amount, label = est, LABEL_SKOEN
            year_kw = key_weights(data, key, year, cfg)
            text = f"skøn, nøgle: {kw.navn}, data pr. {year_kw.vintage}"
            kilde = year_kw.kilde
        rows.append(GrantRow(
            aar=year, runde=runde.id, udbetalingsaar=runde.payment_year(year), pulje_kr=pool,
            beloeb_kr=amount, label=label, forklaring=text, kilde=kilde,
            andel=amount / pool, skoen_kr=est,
        ))
    return rows


@dataclass(frozen=True)
class BacktestRow:
    kommunekode: int
    kommune: str
    pulje: str
    aar: int
    skoen_kr: int
    offentliggjort_kr: int
    forskel_kr: int  # published - estimate
    forskel_pct: float  # (published - estimate) / estimate * 100
    inden_for_tolerance: bool

    def as_dict(self) -> dict:
        return asdict(self)


@per_data_set(cfg=lambda a: load_config(), key=lambda a: a["cfg"].default_key)
def backtest(data: RawData, cfg: PuljeConfig | None = None,
             key: str | None = None) -> list[BacktestRow]:
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
    ref = ka[ka["pulje"].str.startswith(bt.pulje_prefix) & (ka["periode"] == bt.aar)]
    est = key_estimates(data, bt.noegle, bt.aar, bt.beloeb_kr)
    tol_abs, tol_rel = bt.tolerance_abs_kr, bt.tolerance_rel
    for r in ref.itertuples():
        e, p = est[int(r.kommunekode)], int(r.beloeb_kr)
        rows.append(BacktestRow(int(r.kommunekode), str(r.kommune), "Pulje til normeringer",
                                int(r.periode), e, p, p - e, (p - e) / e * 100,
                                abs(p - e) <= tol_abs + tol_rel * e))
    for r in _published(data, cfg).itertuples():
        year = int(r.periode)
        e = key_estimates(data, key, year, cfg.pool_kr(year))[int(r.kommunekode)]
        p = int(r.beloeb_kr)
        rows.append(BacktestRow(int(r.kommunekode), str(r.kommune), "Opkvalificeringspuljen",
                                year, e, p, p - e, (p - e) / e * 100,
                                abs(p - e) <= tol_abs + tol_rel * e))
    return sorted(rows, key=lambda b: (b.pulje, b.aar, b.kommunekode))
