from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from opkval import PROJECT_ROOT
from opkval.engine.allocation import grants_for_kommune
from opkval.inputs.config import load_config, load_plan_config
from opkval.inputs.data import load_all
from opkval.inputs.kommune import KommuneIndex
from opkval.inputs.plan import PLANS_DIR, load_plan

CFG = load_config()  # the engines take the pool's config as an argument
PLAN_CONFIG = load_plan_config()  # and the plan's readers theirs
RULES = PLAN_CONFIG.rules

RAW = PROJECT_ROOT / "data" / "raw"
FIXTURES = Path(__file__).parent / "fixtures"
PLANS = FIXTURES / "plans"


@pytest.fixture(scope="session")
def data():
    return load_all(RAW)


@pytest.fixture(scope="session")
def index(data):
    return KommuneIndex(data.municipalities)


@pytest.fixture
def raw_copy(tmp_path) -> Path:
    """A writable copy of data/raw to break on purpose."""
    dst = tmp_path / "raw"
    shutil.copytree(RAW, dst)
    for f in dst.iterdir():
        f.chmod(0o644)
    return dst


@pytest.fixture(scope="session")
def ishoej(index):
    return index.resolve("Ishøj")


@pytest.fixture(scope="session")
def ishoej_plan(index, ishoej):
    return load_plan(PLANS_DIR / "ishoej.yaml", index, expected=ishoej, config=PLAN_CONFIG)


@pytest.fixture(scope="session")
def ishoej_plan_read_otherwise(ishoej_plan):
    """Ishøj's plan with its uncertain course read the other way round: Ansvar og følgeskab
    i pædagogikken as a diplommodul, or else informal (the bilag calls it a course)."""
    course = next(i for i in ishoej_plan.indsatser if i.kategori_alternativ)
    swapped = replace(course, kategori=course.kategori_alternativ,
                      kategori_alternativ=course.kategori)
    return replace(ishoej_plan, indsatser=tuple(swapped if i is course else i
                                                for i in ishoej_plan.indsatser))


@pytest.fixture(scope="session")
def ishoej_grants(data, ishoej):
    return [g.as_dict() for g in grants_for_kommune(data, ishoej.kode, cfg=CFG)]


#: Notes the accessibility tests build: Ishøj (a plan, a table across pages), and two with an
#: empty normering series (Helsingør and Læsø have no dagpleje).
SITE_SLUGS = ("ishoej", "helsingoer", "laesoe")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """A small `make reports`: three notes (HTML + PDF), index.html and the landsoversigt."""
    from opkval.app.batch import run

    out = tmp_path_factory.mktemp("site")
    assert run(out, jobs=2, formats=("html", "pdf"), year=2026, only=list(SITE_SLUGS)) == 0
    return out


#: When the council-document tests build their contexts (the bilag's date, the agenda item).
COUNCIL_WHEN = dt.datetime(2026, 12, 7, 13, 0)


def council_ctx(data, index, plan_path=None, kommune="Ishøj"):
    """One kommune's context as the bilag and agenda-item tests read it (a fixed time)."""
    from opkval.assembly.context import build_context

    plan = load_plan(plan_path, index, config=PLAN_CONFIG) if plan_path else None
    k = plan.kommune if plan else index.resolve(kommune)
    return build_context(data, k, 2026, plan=plan, generated_at=COUNCIL_WHEN)


@pytest.fixture(scope="module")
def ctxs(data, index):
    """Ishøj with its plan, Helsingør without one, eight indsatser, and Vejle (header fields,
    logo, own text and a previous plan)."""
    return {"ishoej": council_ctx(data, index, PLANS_DIR / "ishoej.yaml"),
            "uden_plan": council_ctx(data, index, kommune="Helsingør"),
            "otte": council_ctx(data, index, PLANS / "otte_indsatser.yaml"),
            "vejle": council_ctx(data, index, PLANS / "vejle" / "vejle.yaml")}
