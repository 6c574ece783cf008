"""A kommune's local plan as data: the model every reader (YAML, workbooks) fills in.

The readers (:mod:`opkval.inputs.plan`, :mod:`opkval.inputs.excel`,
:mod:`opkval.inputs.excel_notat`) import this module; it imports none of them, so the plan's model
stands apart from how a plan is read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path

from opkval.inputs.kommune import Kommune


@dataclass(frozen=True)
class Behov:
    id: str
    tekst: str


@dataclass(frozen=True)
class Indsats:
    navn: str
    kategori: str
    maalgruppe: str
    start: dt.date
    slut: dt.date
    budget: dict[int, int]
    forbrug: dict[int, int] = field(default_factory=dict)
    deltagere: int | None = None
    fordeling: dict[str, int] = field(default_factory=dict)
    finansiering: str = "pulje"
    behov: tuple[str, ...] = ()
    beskrivelse: str | None = None
    kategori_begrundelse: str | None = None
    antagelser: tuple[str, ...] = ()
    #: An uncertain kategori: the other kategori the line may be, and why (both or neither).
    kategori_alternativ: str | None = None
    kategori_usikkerhed: str | None = None

    def spending(self, year: int) -> int:
        """Realised spending where given, else the budget (kr.)."""
        return self.forbrug.get(year, self.budget.get(year, 0))

    @property
    def years(self) -> list[int]:
        return sorted(set(self.budget) | set(self.forbrug))

    @property
    def total_kr(self) -> int:
        return sum(self.spending(y) for y in self.years)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["start"], d["slut"] = self.start.isoformat(), self.slut.isoformat()
        d["budget"] = {str(y): v for y, v in sorted(self.budget.items())}
        d["forbrug"] = {str(y): v for y, v in sorted(self.forbrug.items())}
        d["behov"], d["antagelser"] = list(self.behov), list(self.antagelser)
        return d


@dataclass(frozen=True)
class Tilsagn:
    """An amount from the kommune's own tilsagn letter, for one year or one round."""

    beloeb_kr: int
    kilde: str
    aar: int | None = None
    runde: int | None = None
    dato: dt.date | None = None

    def as_dict(self) -> dict:
        return {"aar": self.aar, "runde": self.runde, "beloeb_kr": self.beloeb_kr,
                "kilde": self.kilde, "dato": self.dato.isoformat() if self.dato else None}


@dataclass(frozen=True)
class Notat:
    """The kommune's own words (Markdown) and the note's header fields; all optional."""

    indledning: str | None = None
    afsnit: tuple[tuple[str, str], ...] = ()
    indstilling: str | None = None
    udvalg: str | None = None
    moede: dt.date | None = None
    sagsnr: str | None = None
    afsender: str | None = None
    kontakt: str | None = None
    bilag_nr: str | None = None
    logo: str | None = None  # file name next to the plan
    logo_bytes: bytes = b""
    #: Sections of the analysis (ids in opkval.base.domain.SECTION_IDS) moved into the bilag, and
    #: sections left out of both documents.
    i_bilag: tuple[str, ...] = ()
    udelad: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        import base64

        return {
            "indledning": self.indledning,
            "afsnit": [{"overskrift": o, "tekst": t} for o, t in self.afsnit],
            "indstilling": self.indstilling,
            "udvalg": self.udvalg,
            "moede": self.moede.isoformat() if self.moede else None,
            "sagsnr": self.sagsnr,
            "afsender": self.afsender,
            "kontakt": self.kontakt,
            "bilag_nr": self.bilag_nr,
            # Always a PNG: validation drew an SVG logo (opkval/inputs/logo.py), so every
            # writer gets the same checked picture.
            "logo": ({"navn": self.logo, "mime": "image/png",
                      "data": base64.b64encode(self.logo_bytes).decode("ascii")}
                     if self.logo and self.logo_bytes else None),
            "i_bilag": list(self.i_bilag),
            "udelad": list(self.udelad),
        }


@dataclass(frozen=True)
class Plan:
    kommune: Kommune
    dato: dt.date
    indsatser: tuple[Indsats, ...]
    titel: str | None = None
    kilde: str | None = None
    godkendt_af: str | None = None
    godkendt_dato: dt.date | None = None
    maal_andel_paedagoger_pct: float | None = None
    maal_aar: int | None = None
    behov: tuple[Behov, ...] = ()
    #: Bilag 2 point id (``opkval/config/overvejelser.yaml``) → the plan's own words.
    overvejelser: dict[str, str] = field(default_factory=dict)
    tilsagn: tuple[Tilsagn, ...] = ()
    notat: Notat = field(default_factory=Notat)
    #: ``forrige``: a file name next to the plan, or ``git`` (see :func:`load_previous`).
    forrige_ref: str | None = None
    fil: str = ""  # where it was read from (for messages; the note shows only the file name)
    sha256: str = ""
    #: Warnings that do not stop the plan (issue 19), each naming where and which field:
    #: e.g. a blank participant count. Shown by ``opkval plan check``.
    advarsler: tuple[str, ...] = field(default=(), compare=False)

    @property
    def godkendt(self) -> bool:
        return bool(self.godkendt_af and self.godkendt_dato)

    def as_dict(self) -> dict:
        return {
            "kommunekode": self.kommune.kode,
            "titel": self.titel,
            "dato": self.dato.isoformat(),
            "kilde": self.kilde,
            "godkendt": ({"af": self.godkendt_af, "dato": self.godkendt_dato.isoformat()}
                         if self.godkendt else None),
            "maal": ({"andel_paedagoger_pct": self.maal_andel_paedagoger_pct,
                      "aar": self.maal_aar} if self.maal_andel_paedagoger_pct is not None
                     else None),
            "behov": [asdict(b) for b in self.behov],
            "indsatser": [i.as_dict() for i in self.indsatser],
            "overvejelser": dict(self.overvejelser),
            "tilsagn": [t.as_dict() for t in self.tilsagn],
            "forrige": self.forrige_ref,
            # The file's name only: a note never shows where on a disk the analyst keeps it.
            "fil": Path(self.fil).name,
            "sha256": self.sha256,
        }
