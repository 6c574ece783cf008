"""The two documents a kommune gets from one run: the short bilag and the analysis.

:func:`bilag` is what the council reads (issue 21: at most 4 A4 pages with a plan of up to 8
indsatser, 2 without); :func:`analyse` holds everything else the note computes. Both return the
sections to display, in order; the notebook shows ``bilag(ctx)`` in the cell tagged ``bilag``
and ``analyse(ctx, formats)`` in the cell tagged ``analyse``, and the renderer writes each part
as its own document.

:data:`SECTIONS` names every section of the analysis, so a kommune's plan (``notat:``) can move
one into its bilag or leave one out without touching code.

(Stub from the lead: the registry is today's note order; the bilag itself is being written.)
"""

from __future__ import annotations

from collections.abc import Callable

from opkval import charts, present, present_gaps, present_notat, present_plan
from opkval.present_options import unplanned_money

#: Every section of the analysis, by id, in the order the analysis shows them.
SECTIONS: dict[str, Callable] = {
    "titel": present.title,
    "indledning": present_notat.indledning,
    "hovedpunkter": present_plan.key_points,
    "kort_fortalt": present.summary,
    "baggrund": present.background,
    "tilskud": present.grant_table,
    "tilskud_graf": charts.grants_by_year,
    "plan_penge": present_plan.money_table,
    "plan_graf": charts.plan_cumulative,
    "siden_sidst": present_plan.changes,
    "indsatser": present_plan.indsats_table,
    "fordeling": present_plan.distribution,
    "regler": present_plan.rules_table,
    "klassifikation": present_plan.classification,
    "kaede": present_gaps.chain,
    "tjekliste": present_gaps.checklist,
    "egne_afsnit": present_notat.own_sections,
    "indstilling": present_notat.indstilling,
    "personale": present_gaps.staff_mix,
    "personale_graf": charts.staff_ranking,
    "sammenlignelige": present_gaps.peers,
    "normering_graf": charts.normering_trend,
    "planens_effekt": present_gaps.plan_effect,
    "muligheder": unplanned_money,  # what the money not yet planned could buy (issue 22)
    "metode_personale": present_gaps.method,
    "noeglekontrol": present.key_check,
    "forbehold": present.assumptions,
}


def analyse(ctx: dict, formats: str = "html,pdf") -> list:
    """The analysis's sections in order (absent ones, None, skipped), then the footer."""
    out = [fn(ctx) for fn in SECTIONS.values()]
    out.append(present.footer(ctx, formats))
    return [x for x in out if x is not None]


def bilag(ctx: dict) -> list:
    """The council's bilag (stub: the title and the short summary until issue 21 lands)."""
    return [x for x in (present.title(ctx), present.summary(ctx)) if x is not None]
