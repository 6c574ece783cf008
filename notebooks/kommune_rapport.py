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
# only loads one kommune's context and displays its two documents: the cell tagged `bilag` shows
# the council's bilag, the cell tagged `analyse` the analysis. `opkval report` / `make report`
# execute it with papermill and write each document as HTML (code hidden), PDF and Word.
# In JupyterLab, change `kommunekode` below and run all cells.

# %% tags=["parameters"]
# DST kommunekode (int), e.g. 183 for Ishøj. Set by `opkval report` after validating KOMMUNE.
kommunekode: int = 183
# Year the note reports on (int); 0 means the current year.
report_year: int = 0
# Path to a context JSON precomputed by `opkval report` (str); "" builds it here from data/raw.
context_path: str = ""
# Output formats rendered from this run (str, comma-separated: "html", "pdf", "docx"); the footer
# names both documents' files.
formats: str = "html,pdf"

# %%
from opkval.assembly.context import load_context
from opkval.sections import present, present_bilag

ctx = load_context(kommunekode, report_year or None, context_path)

# %% tags=["bilag"]
# The bilag the council reads (reports/<slug>.html, .pdf, .docx).
present.show(present_bilag.bilag(ctx))

# %% tags=["analyse"]
# The analysis: everything else the note computes (reports/<slug>-analyse.html, .pdf, .docx).
present.show(present_bilag.analyse(ctx, formats))
