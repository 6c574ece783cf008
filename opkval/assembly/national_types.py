"""The shape of the national overview's context (:func:`opkval.assembly.national.national_context`),
typed.

``reports/landsoversigt.json`` is this dict; ``docs/landsoversigt.schema.json`` is its JSON
Schema, made by :func:`json_schema` (``python -m opkval.assembly.national_types >
docs/landsoversigt.schema.json``). ``tests/test_national_types.py`` validates real overview
contexts against these types strictly (no unknown key, no missing key, no str where an int
belongs) and checks that the committed schema is the generated one, as
:mod:`~opkval.assembly.context_types` does for a note.

Keys named by data (years as ``"2026"``, targets, statuses, keys, pools) are ``dict[str, X]``.
A kommune's row carries its note's summary (:class:`NoteSummary`) only when its note is built;
the keys of that summary come in groups (a built note; a note with a plan), which
:func:`validate` checks beside the types.
"""

from __future__ import annotations

from typing import Annotated, Any, NotRequired

from pydantic import AfterValidator

# pydantic needs typing_extensions' TypedDict before Python 3.12 (a dependency of pydantic).
from typing_extensions import TypedDict

from opkval.assembly.context_types import (
    BacktestErrors,
    BacktestRow,
    Manifest,
    make_strict,
    schema_for,
    validated,
    write_schema,
)

# ---------------------------------------------------------------- one kommune


class RundeRaekke(TypedDict):
    """A round as the overview keeps it (:func:`~.national._round_row`)."""

    id: int
    beloeb_kr: int
    grundlag: list[str]  # the grants' labels: ["tilsagn"], ["skøn"], ...
    skoen_interval_kr: list[int] | None  # [lo, hi]
    alternativ_kr: NotRequired[int]  # the second estimate, where the note gives one


class NoteSummary(TypedDict, total=False):
    """What the overview and index show of one note (:func:`~.national.note_summary`).

    ``{}`` for a note that is not built. A built note has ``notat`` and ``har_plan`` (and
    ``runder`` when its context has rounds); a note with a plan has every key of
    :data:`PLAN_KEYS` too.
    """

    notat: bool
    har_plan: bool
    runder: list[RundeRaekke]
    regelstatus: str  # the worst status of the plan's rules
    regler_antal: dict[str, int]  # status -> rules
    plan_fil: str | None
    indsatser: int
    deltagere: int | None
    tilbagebetalingsrisiko_kr: int
    brud: list[str]  # rule names
    brud_usikre: list[str]
    afhaenger: list[str]
    risiko_interval_kr: list[int]  # [lo, hi]
    regler_status: dict[str, str]  # rule id -> status
    plan_runder: list[int]  # round ids


#: The keys of a built note's summary, and those a plan adds (all of them, or none).
NOTE_KEYS = frozenset({"notat", "har_plan"})
PLAN_KEYS = frozenset(NoteSummary.__annotations__) - NOTE_KEYS - {"runder"}


class KommuneRaekke(TypedDict):
    """One kommune's row: its grants, staff mix and gaps, and its note's summary."""

    kode: int
    navn: str
    slug: str
    region: str
    kommunegruppe: str
    runder: list[RundeRaekke]
    skoen_kr: dict[str, int]  # allocation key -> estimate of the plan round's first year
    pct_paedagoger: float
    pct_paedagoguddannede: float
    personale: float
    gap_pp_bupl_80: float
    gap_personer_bupl_80: float
    gap_pp_to_tredjedele: float
    gap_personer_to_tredjedele: float
    pct_paedagogmedhjaelpere: float
    boern_0_5: int
    boern_indskrevet: int
    # gap_pr_1000_boern_<target>, one per target of maal.yaml with a share (None: no children)
    gap_pr_1000_boern_bupl_80: float | None
    gap_pr_1000_boern_to_tredjedele: float | None
    # the note's summary (NoteSummary), present only when the note is built
    notat: NotRequired[bool]
    har_plan: NotRequired[bool]
    regelstatus: NotRequired[str]
    regler_antal: NotRequired[dict[str, int]]
    plan_fil: NotRequired[str | None]
    indsatser: NotRequired[int]
    deltagere: NotRequired[int | None]
    tilbagebetalingsrisiko_kr: NotRequired[int]
    brud: NotRequired[list[str]]
    brud_usikre: NotRequired[list[str]]
    afhaenger: NotRequired[list[str]]
    risiko_interval_kr: NotRequired[list[int]]
    regler_status: NotRequired[dict[str, str]]
    plan_runder: NotRequired[list[int]]
    #: The step at which this run failed the note; set by the batch for the index only
    #: (:mod:`opkval.app.batch`), never in ``reports/landsoversigt.json``.
    fejl: NotRequired[str]


def _summary_groups(row: KommuneRaekke) -> KommuneRaekke:
    """A row's note summary is whole: no note keys, or both; no plan keys, or all of them (and
    only with ``har_plan``)."""
    keys = set(row)
    note, plan = keys & NOTE_KEYS, keys & PLAN_KEYS
    if note and note != NOTE_KEYS:
        raise ValueError(f"a note's summary lacks {sorted(NOTE_KEYS - note)}")
    if plan and (plan != PLAN_KEYS or not row.get("har_plan")):
        raise ValueError(f"a plan's summary lacks {sorted(PLAN_KEYS - plan)} or har_plan")
    if row.get("har_plan") and not plan:
        raise ValueError("har_plan without the plan's summary")
    return row


# ---------------------------------------------------------------- the pool and its rounds


class Engangsloeft(TypedDict):
    aar: int
    beloeb_kr: int | None


class Pulje(TypedDict):
    first_year: int
    last_year: int
    beloeb_kr: dict[str, int]  # year -> kr.
    engangsloeft: Engangsloeft


class Runde(TypedDict):
    id: int
    navn: str
    kort: str
    aar: list[int]
    roller: list[str]


class Maal(TypedDict):
    navn: str
    andel_paedagoger_pct: float


class Fordeling(TypedDict):
    """The pædagog share over the 98 (exact decimals, :func:`opkval.engine.gaps.exact_stats`)."""

    median: float | None
    q1: float | None
    q3: float | None
    n: int
    min: float
    max: float


class Regel(TypedDict):
    id: str
    navn: str


# ---------------------------------------------------------------- the national picture


class GruppeMaal(TypedDict):
    """A group's distance to one target (:func:`~.national.group_figures`)."""

    maal_pct: float
    gap_personer: float
    gap_pr_1000_boern: float | None
    gap_pp: float | None
    kommuner_under: int


class Gruppetal(TypedDict):
    """Totals of a set of kommuner (:func:`~.national.group_figures`)."""

    n: int
    boern_0_5: int
    boern_indskrevet: int
    personale: float
    paedagoger: float
    medhjaelpere: float
    andel_pct: float | None
    median_pct: float | None
    maal: dict[str, GruppeMaal]  # target id -> figures


class Gruppe(Gruppetal):
    navn: str


class Grupper(TypedDict):
    region: list[Gruppe]
    kommunegruppe: list[Gruppe]


class Afstand(TypedDict):
    """How many kommuner are this far below a target (:func:`~.national.distance_counts`)."""

    fra_pp: float | None
    til_pp: float | None
    antal: int


class Gebyr(TypedDict):
    min_kr: int
    max_kr: int
    enhed: str
    kilde: str


class PrDeltager(TypedDict):
    beloeb_kr: int
    kilde: str


class Pris(TypedDict):
    """A price the pool's reach is counted at (:func:`~.national.pool_reach`)."""

    grundlag: str  # "gebyr" or "plan"
    pris_kr: int
    kilde: str
    enhed: str
    pladser: dict[str, int]  # "runde"/"hele" -> places
    andel_af_gap: dict[str, dict[str, float | None]]  # "runde"/"hele" -> target -> share


class Raekkevidde(TypedDict):
    runde_id: int
    runde_kort: str
    runde_aar: list[int]
    pulje_kr: dict[str, int]  # "runde"/"hele" -> kr.
    priser: list[Pris]
    medhjaelpere: float


class SkoenInterval(TypedDict):
    """Per round: the estimates and their ranges (:func:`~.national.estimate_ranges`)."""

    id: int
    kort: str
    aar: list[int]
    skoen: int
    tilsagn: int
    med_interval: int
    beloeb_kr: int
    interval_kr: list[int] | None  # [lo, hi]
    andel_lav_median: float | None
    andel_hoej_median: float | None


class PlanDaekning(TypedDict):
    """:func:`~.national.plan_coverage`."""

    runde_id: int
    kommuner: int
    med_plan: int
    daekker_runde: int
    uden_plan_for_runde: int
    kun_tidligere: int
    navne_daekker: list[str]
    navne_kun_tidligere: list[str]


class StatusAntal(TypedDict):
    kommuner: dict[str, int]  # worst status -> kommuner
    regler: dict[str, int]  # status -> rule verdicts


class NationalPicture(TypedDict):
    """:func:`~.national.national_picture`: the national figures from the rows."""

    landstal: Gruppetal
    grupper: Grupper
    afstand: dict[str, list[Afstand]]  # target id -> counts
    afstand_intervaller_pp: list[float]
    gebyrer: dict[str, Gebyr]  # kategori -> typical fee
    pr_deltager_i_plan: dict[str, PrDeltager]  # kategori -> amount per participant
    puljens_raekkevidde: Raekkevidde
    skoen_interval: list[SkoenInterval]
    plan_daekning: PlanDaekning
    status_antal: StatusAntal


# ---------------------------------------------------------------- the overview


class NationalContext(NationalPicture):
    """Everything the national overview shows: ``reports/landsoversigt.json``."""

    schema_version: int
    kind: str  # "landsoversigt"
    report_year: int
    generated_at: str
    manifest: Manifest
    pulje: Pulje
    runder: list[Runde]
    maal: dict[str, Maal]  # target id -> target
    normering_aar: int
    skoen_aar: int
    skoen_pulje_kr: int
    noegler: dict[str, str]  # allocation key -> name
    kommuner: list[Annotated[KommuneRaekke, AfterValidator(_summary_groups)]]
    fordeling_pct_paedagoger: Fordeling
    backtest: list[BacktestRow]
    backtest_fejl: dict[str, BacktestErrors]  # pool -> error spread
    planer: int
    notater: int
    regler: list[Regel]
    #: Written file -> SHA-256, added when ``reports/landsoversigt.json`` is written last
    #: (:mod:`opkval.publish.render`); not in a context before that.
    filer_sha256: NotRequired[dict[str, str]]


class RoundFacts(TypedDict):
    """:func:`~.national.cfg_rounds`: a round as :func:`~.national.national_picture` needs it."""

    id: int
    kort: str
    aar: list[int]
    roller: list[str]
    pulje_kr: int


# Strict validation, as for a note's context: no unknown key, no value of another type.
make_strict(globals(), __name__)


def validate(nctx: Any) -> NationalContext:
    """``nctx`` checked strictly against :class:`NationalContext` (and each row's summary
    whole); raise pydantic's ValidationError."""
    return validated(NationalContext, nctx)


def json_schema() -> dict:
    """The JSON Schema of ``reports/landsoversigt.json`` (``docs/landsoversigt.schema.json``)."""
    return schema_for(NationalContext, "landsoversigt.schema.json")


if __name__ == "__main__":
    write_schema(json_schema())
