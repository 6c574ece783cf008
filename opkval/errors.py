"""User-facing errors: one clear message (Danish, as the users read it), never a traceback."""


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


class WorkbookError(OpkvalError):
    """A spreadsheet (.xlsx/.ods) that cannot be read, or is over a limit (named)."""
