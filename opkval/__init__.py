"""opkval: follow the opkvalificeringspulje per kommune (grants, plan, rules, competence gaps)."""

from pathlib import Path

__version__ = "0.1.0"

#: Project root when installed editable from a checkout (the layout the Makefile uses).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
