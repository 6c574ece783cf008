"""opkval: follow the opkvalificeringspulje per kommune (grants, plan, rules, competence gaps)."""

import os
from pathlib import Path

__version__ = "0.1.0"

#: Project root when installed editable from a checkout (the layout the Makefile uses).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The notes' nbconvert template, stylesheet and script (the HTML pages).
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


def default_raw_dir() -> Path:
    """``$OPKVAL_DATA_DIR`` if set, else ``<project>/data/raw`` (kept here: no pandas import)."""
    env = os.environ.get("OPKVAL_DATA_DIR")
    return Path(env) if env else PROJECT_ROOT / "data" / "raw"
