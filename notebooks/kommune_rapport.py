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
# # Orientering om opkvalificeringspuljen (kommunenotat)
#
# Thin notebook: every figure comes from `opkval` (computed and tested there); this notebook
# only loads one kommune's context and displays its sections. `opkval report` / `make report`
# execute it with papermill and render HTML (code hidden) and PDF. In JupyterLab, change
# `kommunekode` below and run all cells.

# %% tags=["parameters"]
# DST kommunekode (int), e.g. 183 for Ishøj. Set by `opkval report` after validating KOMMUNE.
kommunekode: int = 183
# Year the note reports on (int); 0 means the current year.
report_year: int = 0
# Path to a context JSON precomputed by `opkval report` (str); "" builds it here from data/raw.
context_path: str = ""
# Output formats rendered from this run (str, comma-separated: "html", "pdf"); the footer
# names the companion files.
formats: str = "html,pdf"

# %%
from opkval import charts, present, present_gaps, present_notat, present_plan
from opkval.context import load_context

ctx = load_context(kommunekode, report_year or None, context_path)

# %% Title and what a council member reads first
present.show(present.title(ctx), present_notat.indledning(ctx), present_plan.key_points(ctx),
             present.summary(ctx), present.background(ctx))

# %% The grant, year by year
present.show(present.grant_table(ctx), charts.grants_by_year(ctx))

# %% The local plan against the grant and the pool's rules (short note when there is no plan)
present.show(present_plan.money_table(ctx), charts.plan_cumulative(ctx),
             present_plan.changes(ctx), present_plan.indsats_table(ctx),
             present_plan.distribution(ctx), present_plan.rules_table(ctx),
             present_plan.classification(ctx), present_gaps.chain(ctx),
             present_gaps.checklist(ctx))

# %% The kommune's own sections and its indstilling (nothing when the plan has none)
present.show(present_notat.own_sections(ctx), present_notat.indstilling(ctx))

# %% Staff mix, peers, normering, and what the plan moves
present.show(present_gaps.staff_mix(ctx), charts.staff_ranking(ctx), present_gaps.peers(ctx),
             charts.normering_trend(ctx), present_gaps.plan_effect(ctx),
             present_gaps.method(ctx))

# %% Method, sources and caveats
present.show(present.key_check(ctx), present.assumptions(ctx), present.footer(ctx, formats))
