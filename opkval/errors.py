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


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM: the run stops, cleans up and exits 128 + the signal number."""

    def __init__(self, signum: int = 2):
        super().__init__(signum)
        self.signum = signum
        self.exit_code = 128 + signum

    @property
    def name(self) -> str:
        return "Ctrl-C (SIGINT)" if self.signum == 2 else "SIGTERM" if self.signum == 15 \
            else f"signal {self.signum}"
