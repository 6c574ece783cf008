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

# %% [markdown] tags=["remove-cell"]
# # Landsoversigt: opkvalificeringspuljen i alle 98 kommuner
#
# Thin notebook: `make reports` computes the national context once (`opkval.assembly.national`) and
# executes this with papermill. In JupyterLab, run all cells: it builds the context from
# `data/raw` and the notes already in `reports/`.

# %% tags=["parameters"]
# Year the overview reports on (int); 0 means the current year.
report_year: int = 0
# Path to the national context JSON written by `make reports` (str); "" builds it here.
context_path: str = ""
# Output formats rendered from this run (str, comma-separated).
formats: str = "html,pdf"

# %%
from opkval.publish.site import load_national_context
from opkval.sections import charts, present, present_national

nctx = load_national_context(report_year, context_path)

# %% Title and page 1: totals, what the pool buys, estimates, the lift, plan coverage
present.show(present_national.title(nctx), present_national.summary(nctx))

# %% Distribution, distance to the targets, regions and kommunegrupper, the pool against the gap
present.show(charts.national_staff_distribution(nctx), present_national.distances(nctx),
             present_national.gaps(nctx), present_national.groups(nctx),
             present_national.pool_reach(nctx))

# %% Plans and rules, the key
present.show(present_national.plans(nctx), present_national.backtest(nctx),
             present_national.grants_by_key(nctx), present_national.footer(nctx))
