"""Competence gaps: staff mix against targets and peers, for all 98 kommuner at once.

Three measures from ``dagtilbud_kommune_stats.csv`` (DST BOERN1, 2024) that must not be mixed:

* ``pct_paedagoger_2024`` – share of pædagogisk personale *employed as* pædagog
  (stillingskategori). The gap is measured on this one: it is what a meritpædagog changes.
* ``pct_paedagoguddannede_2024`` – share *holding* a pædagog education (any job).
* ``pct_paedagogmedhjaelpere_2024`` – share employed as pædagogmedhjælper.

Pedagogical staff (persons) is not in the data. It is estimated per pasningstilbud as enrolled
children 2024 (DST BOERN2) divided by the 2023 normering (children per adult, ministry).
A normering of 0 means "no figure published"; where such a kommune still has children in that
pasningstilbud, the national median normering for it is used and flagged.

:func:`gap_table` computes everything for all 98 in one vectorised pass and caches it on the
:class:`~opkval.inputs.data.RawData`; :func:`kommune_gaps` reads one kommune's row from it and adds
the peer comparison, giving the JSON-able ``ctx["gaps"]``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from opkval.base import fmt
from opkval.base.domain import PASNING
from opkval.base.errors import OpkvalError
from opkval.base.memo import per_data_set
from opkval.inputs.config import MaalConfig
from opkval.inputs.data import RawData

MEASURE = "pct_paedagoger_2024"
MEASURES = {
    "pct_paedagoger_2024": "ansat som pædagog",
    "pct_paedagoguddannede_2024": "med pædagoguddannelse",
    "pct_paedagogmedhjaelpere_2024": "ansat som pædagogmedhjælper",
}
LEVELS = ("kommunegruppe", "region", "land")
#: Share of enrolled children (0-5, kommunal dagpleje and daginstitutioner, DST BOERN2 2024)
#: who are in dagpleje. The pædagog share (BOERN1) counts dagplejere in its denominator, so a
#: kommune with much dagpleje has a lower pædagog share whatever its staff's education.
DAGPLEJE = "pct_boern_dagpleje_2024"


# --------------------------------------------------------------------------- all 98 at once


@per_data_set
def latest_normering(data: RawData, cfg: MaalConfig) -> pd.DataFrame:
    """Normering in the configured year, one row per kommune, one column per pasningstilbud.

    Returns columns ``norm_<tilbud>`` (NaN where 0 = not published) and the national median
    per tilbud over kommuner with a published figure in ``df.attrs["median"]``. Computed
    once per data set and config (shared: do not change it).
    """
    n = data["normering_2017_2023.csv"]
    n = n[n["aar"] == cfg.personale.normering_aar]
    if n.empty:
        raise OpkvalError(f"normering_2017_2023.csv har ingen tal for "
                          f"{cfg.personale.normering_aar}.")
    wide = n.pivot(index="kommunekode", columns="pasningstilbud", values="normering")
    wide = wide.reindex(columns=list(PASNING)).where(lambda d: d > 0)
    wide.attrs["median"] = {t: exact_stats(wide[t])["median"] for t in PASNING}
    return wide


@per_data_set
def gap_table(data: RawData, cfg: MaalConfig) -> pd.DataFrame:
    """Staff mix, staff estimate and gaps to every reference target for all 98 kommuner.

    Computed once per data set and cached in ``data.cache``. One row per kommune (index
    ``kommunekode``). Columns:

    * ``kommune, region, kommunegruppe``
    * the three measures (percent, as in the data)
    * per tilbud ``t``: ``boern_<t>``, ``norm_<t>`` (used), ``norm_fallback_<t>`` (bool: the
      national median was used), ``personale_<t>``; and ``personale`` (sum, persons)
    * ``rang`` (1 = highest share employed as pædagog; ties share the best rank)
    * per reference target ``id``: ``maal_<id>`` (percent), ``gap_pp_<id>`` (percentage
      points, positive = below target) and ``gap_personer_<id>`` (persons employed as pædagog
      needed at today's staff size, all else equal; negative = above target)
    """
    muni = data.municipalities.set_index("kommunekode")
    stats = data["dagtilbud_kommune_stats.csv"].set_index("kommunekode")
    df = muni[["kommune", "region", "kommunegruppe"]].join(stats[list(MEASURES)])
    norm = latest_normering(data, cfg)
    medians = norm.attrs["median"]
    total = pd.Series(0.0, index=df.index)
    for t in PASNING:
        boern = stats[cfg.personale.boern_kolonner[t]].astype(float)
        used = norm[t].reindex(df.index)
        fallback = used.isna() & (boern > 0)
        used = used.where(~fallback, medians[t])
        staff = (boern / used).where(boern > 0, 0.0)
        df[f"boern_{t}"] = boern
        df[f"norm_{t}"] = used
        df[f"norm_fallback_{t}"] = fallback
        df[f"personale_{t}"] = staff
        total = total + staff
    df["personale"] = total
    enrolled = sum(df[f"boern_{t}"] for t in PASNING)
    # Exact to the decimal: 100 * dagpleje / all enrolled, via Fraction, as the nearest float.
    df[DAGPLEJE] = [float(fmt.rounded(fmt.Fraction(int(a) * 100, int(b)), 12)) if b else None
                    for a, b in zip(df["boern_Dagpleje"], enrolled, strict=True)]
    df["rang"] = df[MEASURE].rank(ascending=False, method="min").astype(int)
    df["rang_delt"] = df["rang"].map(df["rang"].value_counts()) > 1
    for target in cfg.maal:
        value = (target.andel_paedagoger_pct if target.andel_paedagoger_pct is not None
                 else exact_stats(df[MEASURE])["median"])
        df[f"maal_{target.id}"] = value
        df[f"gap_pp_{target.id}"] = value - df[MEASURE]
        df[f"gap_personer_{target.id}"] = df["personale"] * (value - df[MEASURE]) / 100
    return df


@per_data_set
def peer_table(data: RawData, cfg: MaalConfig) -> pd.DataFrame:
    """Median, quartiles, mean and count of each measure per kommunegruppe, region and land.

    Index: (``niveau``, ``gruppe``, ``maal``); columns ``median, q1, q3, middel, n``. The
    kommune itself is included in its groups. Quartiles use pandas' linear interpolation.
    """
    df = gap_table(data, cfg).assign(land="Hele landet")
    rows = []
    for level in LEVELS:
        for name, grp in df.groupby(level):
            for m in (*MEASURES, DAGPLEJE):
                st = exact_stats(grp[m])
                rows.append({"niveau": level, "gruppe": name, "maal": m, **st})
    return pd.DataFrame(rows).set_index(["niveau", "gruppe", "maal"])


def exact_stats(values) -> dict:
    """Median, quartiles (linear interpolation, as pandas) and mean, computed exactly.

    The data's percentages are decimals (``41.3``); in floating point the median of 41,3 and
    42,4 is 41,849999…, which rounds to 41,8 instead of 41,85 → 41,9. Each value is taken as
    the decimal it was written as and the arithmetic is done in Decimal; the results are
    returned as the floats nearest those decimals (``41.85``), which ``opkval.base.fmt`` rounds
    half up. NaN values are left out.
    """
    xs = sorted(fmt.exact(float(v)) for v in values if not pd.isna(v))
    n = len(xs)
    if not n:
        return {"median": None, "q1": None, "q3": None, "middel": None, "n": 0}

    def q(p: str) -> Decimal:
        pos = (n - 1) * Decimal(p)
        lo = int(pos)
        frac = pos - lo
        return xs[lo] if lo + 1 >= n else xs[lo] + (xs[lo + 1] - xs[lo]) * frac

    return {"median": float(q("0.5")), "q1": float(q("0.25")), "q3": float(q("0.75")),
            "middel": float(sum(xs) / n), "n": n}


# --------------------------------------------------------------------------- one kommune


def _f(x: Any) -> float | None:
    return None if pd.isna(x) else float(x)


def gap_to(row: pd.Series | dict, maal_pct: float) -> dict:
    """Gap from a kommune's share employed as pædagog to a target, in points and persons."""
    share, staff = float(row[MEASURE]), float(row["personale"])
    # Rounded to 1e-6 so the JSON does not carry float noise (22.800000000000004).
    return {"maal_pct": float(maal_pct), "gap_pp": round(float(maal_pct) - share, 6),
            "gap_personer": round(staff * (float(maal_pct) - share) / 100, 6)}


@per_data_set
def _normering_all(data: RawData) -> dict:
    """The normering series of every kommune and what they share, once per data set."""
    n = data["normering_2017_2023.csv"].copy()
    n["normering"] = n["normering"].where(n["normering"] > 0)
    years = sorted(int(y) for y in n["aar"].unique())
    med = {k: exact_stats(g)["median"] for k, g in n.groupby(["pasningstilbud", "aar"])[
        "normering"]}
    methods = n.drop_duplicates("aar").set_index("aar")["opgoerelsesmetode"]
    own = {(int(k), t, int(y)): _f(v) for k, t, y, v in
           zip(n["kommunekode"], n["pasningstilbud"], n["aar"], n["normering"], strict=True)}
    return {
        "aar": years,
        "kommune": own,
        "land_median": {t: [_f(med.get((t, y))) for y in years] for t in PASNING},
        "metodeskift_aar": [int(y) for prev, y in zip(years, years[1:], strict=False)
                            if methods[y] != methods[prev]],
        "metoder": {str(y): str(methods[y]) for y in years},
    }


def normering_series(data: RawData, kode: int) -> dict:
    """Normering 2017–2023 for the kommune and the median of the kommuner (0 = missing)."""
    a = _normering_all(data)
    years = a["aar"]
    return {
        "aar": list(years),
        "kommune": {t: [a["kommune"].get((kode, t, y)) for y in years] for t in PASNING},
        "land_median": {t: list(v) for t, v in a["land_median"].items()},
        "metodeskift_aar": list(a["metodeskift_aar"]),
        "metoder": dict(a["metoder"]),
    }


@per_data_set
def _ranking(data: RawData, cfg: MaalConfig) -> list[dict]:
    """All kommuner by share employed as pædagog (highest first, ties by name), once."""
    table = gap_table(data, cfg)
    return [{"kode": int(k), "navn": str(r["kommune"]), "kommunegruppe": str(r["kommunegruppe"]),
             "pct": float(r[MEASURE])}
            for k, r in table.sort_values([MEASURE, "kommune"],
                                          ascending=[False, True]).iterrows()]


@per_data_set
def _peer_stats(data: RawData, cfg: MaalConfig) -> dict:
    """peer_table as plain dicts, ``{(niveau, gruppe): {maal: {median, q1, q3, middel, n}}}``."""
    out: dict = {}
    for (level, name, m), r in peer_table(data, cfg).iterrows():
        stats = {c: _f(r[c]) for c in ("median", "q1", "q3", "middel", "n")}
        stats["n"] = int(stats["n"])
        out.setdefault((level, name), {})[m] = stats
    return out


def _plural_definite(gruppe: str) -> str:
    """'Hovedstadskommuner' → 'hovedstadskommunerne' (Danish definite plural)."""
    g = gruppe.strip()
    return (g[0].lower() + g[1:] + "ne") if g.endswith("er") else g


def kommune_gaps(data: RawData, kode: int, maal: dict | None = None, *,
                 cfg: MaalConfig) -> dict:
    """One kommune's gap section as JSON-able data (``ctx["gaps"]``).

    ``maal`` is the plan's own target, ``{"andel_paedagoger_pct": 60, "aar": 2030}``
    (optional); it is added first among the targets when given.
    """
    table = gap_table(data, cfg)
    if kode not in table.index:
        raise OpkvalError(f"Ukendt kommunekode {kode}.")
    row = table.loc[kode]
    peers = _peer_stats(data, cfg)
    targets = []
    if maal and maal.get("andel_paedagoger_pct") is not None:
        targets.append({"id": "plan", "navn": "Planens eget mål"
                        + (f" ({maal['aar']})" if maal.get("aar") else ""),
                        "kilde": "kommunens lokale plan", "aar": maal.get("aar"),
                        **gap_to(row, float(maal["andel_paedagoger_pct"]))})
    for t in cfg.maal:
        targets.append({"id": t.id, "navn": t.navn, "kilde": " ".join(t.kilde.split()),
                        "aar": None, **gap_to(row, float(row[f"maal_{t.id}"]))})
    groups = {"kommunegruppe": str(row["kommunegruppe"]), "region": str(row["region"]),
              "land": "Hele landet"}
    peer = {level: {"navn": name, **{m: dict(peers[(level, name)][m])
                                     for m in (*MEASURES, DAGPLEJE)}}
            for level, name in groups.items()}
    personale = {t: {"boern": int(row[f"boern_{t}"]), "normering": _f(row[f"norm_{t}"]),
                     "normering_fallback": bool(row[f"norm_fallback_{t}"]),
                     "personale": float(row[f"personale_{t}"])} for t in PASNING}
    ranking = [dict(r) for r in _ranking(data, cfg)]  # each note gets its own copy
    return {
        "maal_maaling": MEASURE,
        "andele": {m: {"pct": float(row[m]), "betyder": MEASURES[m]} for m in MEASURES},
        "personale": {"i_alt": float(row["personale"]), "pasningstilbud": personale,
                      "normering_aar": cfg.personale.normering_aar,
                      "normering_median": latest_normering(data, cfg).attrs["median"]},
        "maal": targets,
        "peers": peer,
        "dagpleje": {"pct": float(row[DAGPLEJE]), "betyder": "andel af de indskrevne børn i "
                     "dagpleje (DST BOERN2 2024)", "korrelation": dagpleje_correlation(data, cfg)},
        "sammenligning_tekst": peer_sentence(str(row["kommune"]), float(row[MEASURE]), peer,
                                             float(row[DAGPLEJE])),
        "rang": int(row["rang"]),
        "rang_delt": bool(row["rang_delt"]),
        "antal_kommuner": int(len(table)),
        "rangering": ranking,
        "normering": normering_series(data, kode),
    }


@per_data_set
def dagpleje_correlation(data: RawData, cfg: MaalConfig) -> dict:
    """Pearson correlation over the 98 kommuner of the dagpleje share with the pædagog share
    and with pædagoger + pædagogmedhjælpere together (both fall as dagpleje rises)."""
    t = gap_table(data, cfg)
    both = t["pct_paedagoger_2024"] + t["pct_paedagogmedhjaelpere_2024"]
    return {"paedagoger": round(float(t[DAGPLEJE].corr(t["pct_paedagoger_2024"])), 6),
            "paedagoger_og_medhjaelpere": round(float(t[DAGPLEJE].corr(both)), 6)}


#: Percentage points of dagpleje share above or below the group median that the peer
#: sentence calls "markedly" more or less dagpleje.
DAGPLEJE_AFVIGELSE_PP = 5.0


def peer_sentence(navn: str, pct: float, peer: dict, dagpleje: float | None = None) -> str:
    """'Ishøj har 43,9 % ansat som pædagoger mod 44,9 % i hovedstadskommunerne (median) ...',
    and how the kommune's share of children in dagpleje compares (dagplejere count in the
    pædagog share's denominator)."""
    p = fmt.pct_value
    grp, reg, land = (peer[level][MEASURE]["median"] for level in LEVELS)
    text = (f"{navn} har {p(pct)} af det pædagogiske personale (dagplejere medregnet) ansat "
            f"som pædagoger mod {p(grp)} i {_plural_definite(peer['kommunegruppe']['navn'])}, "
            f"{p(reg)} i {peer['region']['navn']} og {p(land)} på landsplan (medianer over "
            "kommunerne; kommunen selv indgår).")
    if dagpleje is None or DAGPLEJE not in peer["kommunegruppe"]:
        return text
    g_dp = peer["kommunegruppe"][DAGPLEJE]["median"]
    gruppe = _plural_definite(peer["kommunegruppe"]["navn"])
    text += (f" {p(dagpleje)} af kommunens indskrevne børn er i dagpleje mod {p(g_dp)} i "
             f"{gruppe}.")
    diff = dagpleje - g_dp
    lower = pct < grp
    if diff >= DAGPLEJE_AFVIGELSE_PP:
        text += (" Da dagplejere tæller med i personalet, trækker den større dagpleje andelen "
                 "af pædagoger ned; " + ("en del af afstanden til gruppen kan skyldes "
                                         "strukturen, ikke uddannelse." if lower else
                                         "andelen i daginstitutionerne er derfor højere end "
                                         "tallet viser."))
    elif diff <= -DAGPLEJE_AFVIGELSE_PP:
        text += (" Med mindre dagpleje end gruppen er der færre dagplejere i nævneren; "
                 + ("en del af forspringet kan skyldes strukturen, ikke uddannelse."
                    if not lower else "afstanden til gruppen skyldes derfor ikke dagplejen."))
    else:
        text += " Dagplejen er omtrent som i gruppen, så den forklarer ikke forskellen."
    return text
