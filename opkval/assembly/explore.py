"""Tables for ad hoc exploration in JupyterLab (``notebooks/udforskning.py``).

Each function returns a pandas DataFrame built from the same engines the notes use, so an
analyst's numbers and the council's notes cannot drift apart.
"""

from __future__ import annotations

import pandas as pd

from opkval.base.domain import KEYS
from opkval.engine.allocation import allocate, grants_for_kommune
from opkval.engine.gaps import gap_table
from opkval.inputs.config import load_config, load_maal
from opkval.inputs.data import RawData
from opkval.inputs.kommune import KommuneIndex


def keys_side_by_side(data: RawData, amount_kr: int, year: int | None = None) -> pd.DataFrame:
    """One pool split by every key: a row per kommune, a column per key, and the spread."""
    cfg = load_config()
    cols = {key: allocate(data, amount_kr, key, year, cfg=cfg).set_index("kommunekode")["amount"]
            for key in KEYS}
    out = data.municipalities.set_index("kommunekode")[["kommune"]].join(pd.DataFrame(cols))
    out["spaend_pct"] = (out[list(KEYS)].max(axis=1) - out[list(KEYS)].min(axis=1)) \
        / out["age_0_5"] * 100
    return out.sort_values("spaend_pct", ascending=False)


def compare_kommuner(data: RawData, names: list[str]) -> pd.DataFrame:
    """Grants 2023–2030 (with their basis) and staff mix for a few kommuner, one column each."""
    index = KommuneIndex(data.municipalities)
    gaps = gap_table(data, load_maal())
    cfg = load_config()
    columns = {}
    for name in names:
        k = index.resolve(name)
        grants = grants_for_kommune(data, k.kode, cfg=cfg)
        g = gaps.loc[k.kode]
        col = {f"tilskud {r.aar} (kr.)": r.beloeb_kr for r in grants}
        col |= {f"grundlag {r.aar}": r.label for r in grants}
        col |= {
            "tilskud 2023-2030 (kr.)": sum(r.beloeb_kr for r in grants),
            "ansat som pædagog 2024 (%)": g["pct_paedagoger_2024"],
            "med pædagoguddannelse 2024 (%)": g["pct_paedagoguddannede_2024"],
            "pædagogisk personale (skøn)": round(float(g["personale"])),
            "personer til 2/3 pædagoger": round(float(g["gap_personer_to_tredjedele"])),
            "kommunegruppe": k.kommunegruppe,
        }
        columns[k.navn] = col
    return pd.DataFrame(columns)
