"""User-facing errors: one clear message (Danish, as the users read it), never a traceback."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


class OpkvalError(Exception):
    """An error the CLI prints as one message and exits with `exit_code`."""

    exit_code = 2


class DataError(OpkvalError):
    """An input data file is missing or fails validation (names file, row, column, value)."""


class KommuneNotFound(OpkvalError):
    """A kommune string that matches no kommune."""


class ConfigError(OpkvalError):
    """A config file is missing or malformed."""


class ReportError(OpkvalError):
    """Executing or rendering a report failed."""

    exit_code = 1


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM: the run stops, cleans up and exits 128 + the signal number."""

    def __init__(self, signum: int = 2):
        super().__init__(signum)
        self.signum = signum
        self.exit_code = 128 + signum

    @property
    def name(self) -> str:
        return "Ctrl-C (SIGINT)" if self.signum == 2 else "SIGTERM" if self.signum == 15 \
            else "SIGHUP (terminalen blev lukket)" if self.signum == 1 else f"signal {self.signum}"


#: Where a field is in a plan: keys and list indices from the top, ("indsatser", 2, "budget").
Path_ = tuple[str | int, ...]

#: A value that was not there at all (as opposed to an empty or wrong one).
MISSING = object()


def _show(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** 30:
        return f"et tal med {len(str(abs(value)))} cifre"
    if isinstance(value, str) and len(value) > 200:
        value = value[:100]  # repr of a long text only for its start
    text = repr(value) if not isinstance(value, dt.date) else value.isoformat()
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True)
class Problem:
    """One problem in a plan file: the field, where it is, the value found and what is wrong."""

    field: str  # e.g. "indsatser[2].budget.2024"
    where: str | None  # "linje 14" or "ark Indsatser, celle H3"
    value: object
    message: str

    def text(self) -> str:
        loc = f"{self.where}, " if self.where else ""
        shown = "" if self.value is MISSING else f" (værdi: {_show(self.value)})"
        return f"{loc}{self.field or 'filen'}: {self.message}{shown}"


class PlanError(OpkvalError):
    """A plan file that cannot be used; the message lists every problem found."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        n = len(problems)
        head = f"Planen {source} kan ikke bruges ({n} fejl):"
        super().__init__("\n".join([head, *(f"  - {p.text()}" for p in problems)]))


def field_name(path: Path_) -> str:
    """A field as problems name it: ``indsatser[3].budget.2024`` (list positions from 1)."""
    out = ""
    for step in path:
        out += f"[{step + 1}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


class WorkbookError(OpkvalError):
    """A spreadsheet (.xlsx/.ods) that cannot be read, or is over a limit (named)."""
