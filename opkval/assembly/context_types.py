"""The shape of a note's context (:func:`opkval.assembly.context.build_context`), typed.

``reports/<slug>.json`` is this dict; ``docs/context.schema.json`` is its JSON Schema, made by
:func:`json_schema` (``python -m opkval.assembly.context_types > docs/context.schema.json``).
``tests/test_context_types.py`` validates real contexts against these types strictly (no
unknown key, no missing key, no str where an int belongs) and checks that the committed schema
is the generated one, so neither the code nor the schema drifts silently.

Keys named by data (years as ``"2026"``, kategori ids, dagtilbud, målgrupper) are
``dict[str, X]``; keys present only for some rows are ``NotRequired``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NotRequired

# pydantic needs typing_extensions' TypedDict before Python 3.12 (a dependency of pydantic).
from typing_extensions import TypedDict

# ---------------------------------------------------------------- kommune, run, pool


class KommuneInfo(TypedDict):
    kode: int
    navn: str
    slug: str
    officielt_navn: str
    region: str
    kommunegruppe: str


class GitRevision(TypedDict):
    commit: str
    dirty: bool | None


class Manifest(TypedDict):
    opkval: str
    git: GitRevision
    inputs: dict[str, str]  # data/raw/<file> -> sha256
    packages: dict[str, str]  # package -> version


class Engangsloeft(TypedDict):
    aar: int
    beloeb_kr: int | None
    tekst: str
    kilde: str


class Pulje(TypedDict):
    navn: str
    first_year: int
    last_year: int
    beloeb_kr: dict[str, int]  # year -> kr.
    forbehold: str
    forbehold_kilde: str
    engangsloeft: Engangsloeft


class Laesning(TypedDict):
    navn: str
    kilde: str


class Regler(TypedDict):
    min_formel_andel: float
    max_uformel_andel: float
    laesninger: list[Laesning]


class Noegle(TypedDict):
    key: str
    navn: str
    vintage: str
    kilde: str
    forbehold: str


class Grant(TypedDict):
    """One year's grant (:class:`opkval.engine.allocation.Grant`)."""

    aar: int
    runde: int
    pulje_kr: int
    andel: float
    skoen_kr: int
    beloeb_kr: int
    grundlag: str
    label: str
    kilde: str
    forklaring: str
    udbetalingsaar: int
    udbetaling_antaget: bool
    alternativ_kr: int | None
    alternativ_forklaring: str | None
    advarsel: str | None


class Runde(TypedDict):
    """A tildelingsrunde with the kommune's amounts (:func:`~.context.round_summaries`)."""

    id: int
    navn: str
    kort: str
    roller: list[str]
    aar: list[int]
    udbetaling: str
    udbetalingsaar: int
    pulje_kr: int
    beloeb_kr: int
    labels: list[str]
    betingelse: str | None
    aktivitet_start_fra: str | None
    aktivitet_start_til: str | None
    afsluttet_senest: str
    kilde: str
    udbetalingsaar_pr_aar: dict[str, int]  # year -> payment year
    udbetaling_tekst: str | None
    udbetaling_kilde: str | None
    udbetaling_antaget: list[int]
    frist_antaget: bool
    frist_kilde: str | None
    noegle_tekst: str | None
    noegle_kilde: str | None
    planlaegges_fra: str | None
    alternativ_kr: int | None
    skoen_interval_kr: list[int] | None  # [lo, hi]


class NoegleLaesning(TypedDict):
    kommune: str
    kommunekode: int
    laesning: str
    aar: list[int]
    offentliggjort_kr: int
    skoen_kr: int
    forhold: float


class NoegleRekord(TypedDict):
    laesninger: list[NoegleLaesning]
    faktor: list[float] | None  # [lowest, highest] published/estimate ratio


class KeyCheck(TypedDict):
    aar: list[int]
    offentliggjort_kr: int
    skoen_kr: int
    forhold: float
    forklarer: bool


class BacktestRow(TypedDict):
    kommune: str
    kommunekode: int
    pulje: str
    periode: str
    aar: int
    offentliggjort_kr: int
    skoen_kr: int
    forskel_kr: int
    forskel_pct: float
    inden_for_tolerance: bool
    kilde: str


class BacktestWorst(TypedDict):
    kommune: str
    periode: str
    forskel_kr: int
    forskel_pct: float
    inden_for_tolerance: bool


class BacktestErrors(TypedDict):
    n: int
    median_abs_kr: float
    median_abs_pct: float
    max_abs_kr: int
    max_abs_pct: float
    inden_for_tolerance: int
    inden_for_afrunding: int
    afrunding_kr: int
    stoerste: list[BacktestWorst]


class Backtest(TypedDict):
    kommune: list[BacktestRow]
    reference: list[BacktestRow]
    reference_pulje: str
    reference_beloeb_kr: int
    reference_kilde: str
    reference_noegle_navn: str
    tolerance_abs_kr: float
    tolerance_rel: float
    fejl: BacktestErrors
    evidens: list[BacktestRow]


# ---------------------------------------------------------------- the plan


class Behov(TypedDict):
    id: str
    tekst: str


class Godkendt(TypedDict):
    af: str
    dato: str


class PlanMaal(TypedDict):
    andel_paedagoger_pct: float
    aar: int | None


class Tilsagn(TypedDict):
    aar: int | None
    runde: int | None
    beloeb_kr: int
    kilde: str
    dato: str | None


# "del" (the kategori's part: formel, uformel, oevrig) is a Python keyword: a key only in the
# functional syntax.
_Del = TypedDict("_Del", {"del": str})


class Indsats(_Del):
    """A plan line (:meth:`opkval.inputs.plan_model.Indsats.as_dict`) with its kategori's names
    and its spending per year."""

    navn: str
    kategori: str
    maalgruppe: str
    start: str
    slut: str
    budget: dict[str, int]  # year -> kr.
    forbrug: dict[str, int]  # year -> kr.
    deltagere: int | None
    fordeling: dict[str, int]  # dagtilbud -> participants
    finansiering: str
    behov: list[str]
    beskrivelse: str | None
    kategori_begrundelse: str | None
    antagelser: list[str]
    kategori_alternativ: str | None
    kategori_usikkerhed: str | None
    kategori_navn: str
    kategori_kort: str
    formel: bool
    maalgruppe_navn: str
    total_kr: int
    pr_aar_kr: dict[str, int]  # year -> kr.
    kategori_alternativ_navn: NotRequired[str]
    alternativ_formel: NotRequired[bool]


class LedgerYear(TypedDict):
    aar: int
    udbetalt_kr: int
    forbrug_kr: int
    finansieret_kr: int
    anden_finansiering_kr: int
    ikke_finansieret_kr: int
    saldo_kr: int
    kumuleret_udbetalt_kr: int
    kumuleret_forbrug_kr: int
    realiseret: bool


class LedgerSpend(TypedDict):
    indsats: str
    runde: int
    aar: int
    beloeb_kr: int


class LedgerUnfunded(TypedDict):
    indsats: str
    aar: int
    beloeb_kr: int


class LedgerRound(TypedDict):
    id: int
    navn: str
    modtaget_kr: int
    brugt_kr: int
    tilbage_kr: int
    frist: str
    frist_antaget: bool
    skoen: bool
    brugt_aar: list[int]
    opbrugt_aar: int | None
    pr_indsats: dict[str, int]  # indsats -> kr.
    risiko_tilbagebetaling_kr: int
    risiko_interval_kr: list[int]  # [lo, hi]
    modtaget_alternativ_kr: int
    ikke_planlagt: bool


class Ledger(TypedDict):
    aar: list[LedgerYear]
    runder: list[LedgerRound]
    forbrug_pr_runde: list[LedgerSpend]
    ikke_finansieret: list[LedgerUnfunded]
    udbetalt_kr: int
    forbrug_kr: int
    ikke_finansieret_kr: int
    risiko_tilbagebetaling_kr: int
    risiko_interval_kr: list[int]  # [lo, hi]


class FormelLaesning(TypedDict):
    id: str
    navn: str
    uformel_kr: int
    uformel_andel: float
    over_graensen_kr: int


class FormelRound(TypedDict):
    runde: int
    navn: str
    brugt_kr: int
    formel_kr: int
    uformel_kr: int
    oevrig_kr: int
    formel_andel: float
    uformel_andel: float
    graense_uformel_kr: float
    over_graensen_kr: int
    laesninger: list[FormelLaesning]
    laesninger_afviger: bool
    status: str


class FormelAlternativ(TypedDict):
    kategorier: dict[str, str]  # indsats -> the other kategori
    runder: list[FormelRound]
    status: str


class PrisPrDeltager(TypedDict):
    indsats: str
    kategori: str
    deltagere: int
    total_kr: int
    pr_deltager_kr: float
    enhed: str
    typisk_min_kr: int
    typisk_max_kr: int
    gange_min: float | None
    gange_max: float | None
    kilde: str
    fund: str | None


class RuleValues(TypedDict, total=False):
    """The figures behind one rule's verdict; each rule fills in its own keys."""

    aarsag: str
    afsluttet_senest: str
    alternativ: FormelAlternativ
    antaget_frist_runder: list[int]
    beloeb_kr: int
    daekker_runden: bool
    fund: list[dict[str, Any]]
    godkendt: bool
    godkendt_af: str | None
    godkendt_dato: str | None
    godkendt_foer_planen: bool
    ikke_finansieret_kr: int
    ikke_finansieret_pr_aar: dict[str, int]  # year -> kr.
    ikke_planlagt_runder: list[int]
    indsatser: list[str]
    min_formel_andel: float
    plan_findes: bool
    pris_pr_deltager: list[PrisPrDeltager]
    risiko_interval_pr_runde: dict[str, list[int]]  # round id -> [lo, hi]
    risiko_pr_runde: dict[str, int]  # round id -> kr.
    runder: list[FormelRound]
    start_fra: str | None
    start_til: str | None


class RuleResult(TypedDict):
    id: str
    navn: str
    status: str
    tekst: str
    kilde: str
    vaerdier: RuleValues
    forudsaetning: str | None
    status_ellers: str | None
    tekst_ellers: str | None
    status_tekst: str
    status_ellers_tekst: str | None


class DiffYear(TypedDict):
    aar: int
    foer_kr: int
    nu_kr: int
    forskel_kr: int


class DiffLine(TypedDict):
    navn: str
    finansiering: str
    foer_kr: int
    nu_kr: int
    aar: list[DiffYear]


class DiffTotals(TypedDict):
    pulje_kr: int
    anden_kr: int
    indsatser: int


class SidenSidst(TypedDict):
    """What changed since the previous plan (:func:`opkval.engine.plan_diff.compare_plans`)."""

    fil: str
    git: str | None
    git_dato: str | None
    titel: str
    dato: str
    foer: DiffTotals
    nu: DiffTotals
    tilfoejet: list[str]
    fjernet: list[str]
    aendret: list[DiffLine]
    pulje_pr_aar: list[DiffYear]
    uaendret: bool


class KategoriInfo(_Del):
    navn: str
    formel: bool


class PlanContext(TypedDict):
    """``ctx["plan"]`` (:func:`~.context.plan_context`): the plan, ledger and rule results."""

    kommunekode: int
    titel: str | None
    dato: str
    kilde: str | None
    godkendt: Godkendt | None
    maal: PlanMaal | None
    behov: list[Behov]
    indsatser: list[Indsats]
    overvejelser: dict[str, str]  # Bilag 2 point id -> the plan's words
    tilsagn: list[Tilsagn]
    forrige: str | None
    fil: str
    sha256: str
    ledger: Ledger
    regler: list[RuleResult]
    status_antal: dict[str, int]  # status -> rules
    usikre_regler: list[str]
    deltagere_pr_maalgruppe: dict[str, int]
    deltagere_i_alt: int
    studerende_pr_maalgruppe: dict[str, int]
    studerende_i_alt: int
    kursister_pr_maalgruppe: dict[str, int]
    kursister_i_alt: int
    pulje_i_alt_kr: int
    anden_i_alt_kr: int
    indsatser_uden_deltagere: list[str]
    fordeling_pr_dagtilbud: dict[str, int]
    forbrug_foerste_aar: int | None
    forbrug_sidste_aar: int | None
    kategorier: dict[str, KategoriInfo]  # kategori id -> names
    min_formel_andel: float
    siden_sidst: SidenSidst | None


# ---------------------------------------------------------------- gaps


class Andel(TypedDict):
    pct: float
    betyder: str


class Andele(TypedDict):
    pct_paedagoger_2024: Andel
    pct_paedagoguddannede_2024: Andel
    pct_paedagogmedhjaelpere_2024: Andel


class DagplejeKorrelation(TypedDict):
    paedagoger: float
    paedagoger_og_medhjaelpere: float


class Dagpleje(TypedDict):
    pct: float
    betyder: str
    korrelation: DagplejeKorrelation


class Behovskaede(TypedDict):
    id: str
    tekst: str
    indsatser: list[str]


class Kaede(TypedDict):
    behov: list[Behovskaede]
    behov_uden_indsats: list[str]
    indsatser_uden_behov: list[str]
    ukendte_henvisninger: list[str]


class GapMaal(TypedDict):
    id: str
    navn: str
    kilde: str
    aar: int | None
    maal_pct: float
    gap_pp: float
    gap_personer: float


class Normering(TypedDict):
    aar: list[int]
    kommune: dict[str, list[float | None]]  # method -> per year
    land_median: dict[str, list[float | None]]
    metoder: dict[str, str]
    metodeskift_aar: list[int]


class PeerStats(TypedDict):
    n: int
    median: float
    middel: float
    q1: float
    q3: float


class PeerGroup(TypedDict):
    pct_paedagoger_2024: PeerStats
    pct_paedagoguddannede_2024: PeerStats
    pct_paedagogmedhjaelpere_2024: PeerStats
    pct_boern_dagpleje_2024: PeerStats
    navn: NotRequired[str]


class Peers(TypedDict):
    land: PeerGroup
    region: PeerGroup
    kommunegruppe: PeerGroup


class Pasningstilbud(TypedDict):
    boern: int
    personale: float
    normering: float | None
    normering_fallback: bool


class Personale(TypedDict):
    i_alt: float
    normering_aar: int
    normering_median: dict[str, float]  # pasningstilbud -> national median
    pasningstilbud: dict[str, Pasningstilbud]


class EffektAntagelser(TypedDict):
    afgang_pct_aar: float
    deltagere_fra: str
    personale_uaendret: bool


class EffektYear(TypedDict):
    aar: int
    nye_paedagoger: float
    andel_pct: float


class Fuldfoert(TypedDict):
    aar: int
    kategori: str
    bliver: str
    deltagere: int
    indsatser: list[str]


class KrPrUddannet(TypedDict):
    kr: float
    deltagere: int
    kr_pr_person: float
    uden_antal: list[str]
    fra_fordeling: list[str]


class KrPrUddannetAlle(TypedDict):
    meritpaedagog: KrPrUddannet | None
    pau: KrPrUddannet | None


class EffektMaal(TypedDict):
    id: str
    navn: str
    aar: int | None
    maal_pct: float
    gap_personer: float
    aar_til_maal: float | None
    andel_lukket: float | None


class EffektCount(TypedDict):
    i_alt: int
    plan: int
    scenarie: int


class ScenarieLine(TypedDict):
    navn: str
    kategori: str
    maalgruppe: str
    start: str
    slut: str
    deltagere: int
    budget: dict[str, int]
    scenarie: bool


class PlanEffekt(TypedDict):
    """What the plan moves (:func:`opkval.engine.plan_effect.plan_effect`); an estimate."""

    personale: float
    andel_nu_pct: float
    andel_efter_pct: float
    medhjaelper_nu_pct: float
    medhjaelper_efter_pct: float
    efter_aar: int
    tempo_pr_aar: float
    antagelser: EffektAntagelser
    forloeb: list[EffektYear]
    fuldfoert: list[Fuldfoert]
    kr_pr_uddannet: KrPrUddannetAlle
    maal: list[EffektMaal]
    merit: EffektCount
    pau: EffektCount
    scenarie: list[ScenarieLine]
    antal_fra_fordeling: list[str]


class Rangering(TypedDict):
    kode: int
    navn: str
    kommunegruppe: str
    pct: float


class Tjekpunkt(TypedDict):
    id: str
    titel: str
    spoergsmaal: str
    seed: str
    status: str
    note: str | None
    evidens: list[str]


class Gaps(TypedDict):
    """``ctx["gaps"]`` (:func:`~.context.gaps_context`): the gap, the peers, the plan's effect."""

    andele: Andele
    antal_kommuner: int
    dagpleje: Dagpleje
    maal: list[GapMaal]
    maal_maaling: str
    normering: Normering
    peers: Peers
    personale: Personale
    rang: int
    rang_delt: bool
    rangering: list[Rangering]
    sammenligning_tekst: str
    har_plan: bool
    plan_effekt: PlanEffekt | None
    tjekliste: list[Tjekpunkt] | None
    kaede: Kaede | None


# ---------------------------------------------------------------- options, notat


class Pris(TypedDict):
    enhed: str
    grundlag: str
    kilde: str
    min_kr: int
    max_kr: int
    plan_deltagere: NotRequired[int]
    plan_kr: NotRequired[int]


class Mulighed(TypedDict):
    kategori: str
    navn: str
    kort: str
    mulig: bool
    grund: str | None
    start: str
    slut: str
    varighed_aar: int
    start_senest_aar: int | None
    pladser: int
    pladser_hoejst: int | None
    pladser_lavt_skoen: int | None
    loft: int | None
    flytter_andel: bool
    extra: str | None
    pris: Pris
    loft_naaet: NotRequired[bool]
    efter_aar: NotRequired[int | None]
    andel_efter_pct: NotRequired[float]
    medhjaelper_efter_pct: NotRequired[float]


class MulighedRunde(TypedDict):
    id: int
    navn: str
    kort: str
    aar: list[int]
    beloeb_kr: int
    planlagt_kr: int
    ikke_planlagt_kr: int
    interval_kr: list[int]  # [lo, hi]
    skoen: bool
    frist: str
    frist_antaget: bool
    vindue_slut: str | None
    grund: str
    muligheder: list[Mulighed]


class Muligheder(TypedDict):
    """What unplanned money could buy (:func:`opkval.engine.options.unplanned_options`)."""

    dato: str
    har_plan: bool
    alt_planlagt: bool
    start_maaned: int
    personale: float
    paedagoger: float
    medhjaelpere: float
    medhjaelpere_i_plan: int
    ledige_medhjaelpere: int
    andel_nu_pct: float
    andel_med_plan_pct: float | None
    medhjaelper_nu_pct: float
    runder: list[MulighedRunde]


class NotatAfsnit(TypedDict):
    overskrift: str
    tekst: str


class Logo(TypedDict):
    navn: str
    mime: str
    data: str  # base64 PNG


class Notat(TypedDict):
    """The kommune's own words and header fields (:meth:`~opkval.inputs.plan_model.Notat.as_dict`).
    """

    indledning: str | None
    afsnit: list[NotatAfsnit]
    indstilling: str | None
    udvalg: str | None
    moede: str | None
    sagsnr: str | None
    afsender: str | None
    kontakt: str | None
    bilag_nr: str | None
    logo: Logo | None
    i_bilag: list[str]
    udelad: list[str]


# ---------------------------------------------------------------- the note


class Context(TypedDict):
    """Everything one kommune's note shows: ``reports/<slug>.json``."""

    schema_version: int
    kommune: KommuneInfo
    report_year: int
    generated_at: str
    manifest: Manifest
    pulje: Pulje
    regler: Regler
    runder: list[Runde]
    noegle: Noegle
    grants: list[Grant]
    noegle_rekord: NoegleRekord
    grants_total_kr: int
    key_check: KeyCheck | None
    backtest: Backtest
    plan: PlanContext | None
    gaps: Gaps
    notat: Notat
    scenarie: list[str] | None
    filnavn: str
    muligheder: Muligheder
    #: Written file -> SHA-256, added when ``reports/<slug>.json`` is written last (the note's
    #: commit record, :mod:`opkval.publish.render`); not in a context before that.
    filer_sha256: NotRequired[dict[str, str]]


class PoolFacts(TypedDict):
    """:func:`~.context.pool_facts`: the pool's facts every note's prose uses."""

    pulje: Pulje
    regler: Regler
    runder: list[Runde]


# ------------------------------------------------ validation and schema (also the overview's)


def make_strict(namespace: Mapping[str, Any], module: str) -> None:
    """Strict validation for every TypedDict defined in `module` (its ``globals()``): no
    unknown key, and no value of another type than declared (pydantic reads
    ``__pydantic_config__`` of a TypedDict without importing it here)."""
    for td in list(namespace.values()):
        if isinstance(td, type) and hasattr(td, "__required_keys__") and td.__module__ == module:
            td.__pydantic_config__ = {"extra": "forbid", "strict": True}  # type: ignore[attr-defined]


def validated(shape: Any, value: Any) -> Any:
    """``value`` checked strictly against the TypedDict `shape`; raise pydantic's
    ValidationError."""
    from pydantic import TypeAdapter

    return TypeAdapter(shape).validate_python(value)


def schema_for(shape: Any, name: str) -> dict:
    """The JSON Schema of the TypedDict `shape`, committed as ``docs/<name>``."""
    from pydantic import TypeAdapter

    schema = TypeAdapter(shape).json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://opkval/docs/{name}", **schema}


def write_schema(schema: dict) -> None:
    """A schema on standard output, as ``docs/`` keeps it (``python -m …_types > docs/…``)."""
    import json
    import sys

    sys.stdout.write(json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


make_strict(globals(), __name__)


def validate(ctx: Any) -> Context:
    """``ctx`` checked strictly against :class:`Context`; raise pydantic's ValidationError."""
    return validated(Context, ctx)


def json_schema() -> dict:
    """The JSON Schema of ``reports/<slug>.json`` (committed as ``docs/context.schema.json``)."""
    return schema_for(Context, "context.schema.json")


if __name__ == "__main__":
    write_schema(json_schema())
