# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Udforskning: opkval's API in a few cells
#
# Open with `make lab`, then right-click this file → *Open With → Jupytext Notebook*.
# Change the parameters and run all cells. Every number comes from the same functions that
# build the council notes, so what you find here matches the notes.

# %% tags=["parameters"]
# Two or more kommuner to compare (names, slugs or codes).
kommuner: list = ["Ishøj", "Albertslund", "Brøndby"]
# A pool to split across all 98 kommuner, in whole kroner.
pulje_kr: int = 195_900_000

# %% [markdown]
# ## Load the validated data
# `load_all()` reads `data/raw`, checks every file and returns the tables by file name.

# %%
from opkval.assembly import explore
from opkval.engine.allocation import allocate
from opkval.inputs.config import load_config
from opkval.inputs.data import load_all

data = load_all()
data["dagtilbud_kommune_stats.csv"].head()

# %% [markdown]
# ## Split a pool with another key
# `allocate` gives whole kroner that add up exactly to the pool (largest remainder).

# %%
allocate(data, pulje_kr, key="enrolled", cfg=load_config()).head(10)

# %% [markdown]
# ## The same pool under every key
# Sorted by the spread between the largest and smallest estimate (in % of the 0–5 key).

# %%
explore.keys_side_by_side(data, pulje_kr).head(15)

# %% [markdown]
# ## Compare kommuner
# Grants by year with their basis (tilsagn / fremskrevet / skøn) and the staff mix.

# %%
explore.compare_kommuner(data, kommuner)
