from __future__ import annotations

from pathlib import Path

import pytest

from opkval.allocation import grants_for_kommune
from opkval.data import load_all
from opkval.kommune import KommuneIndex
from opkval.plan import PLANS_DIR, load_plan

FIXTURES = Path(__file__).parent / "fixtures"
PLANS = FIXTURES / "plans"


@pytest.fixture(scope="session")
def data():
    return load_all()


@pytest.fixture(scope="session")
def index(data):
    return KommuneIndex(data.municipalities)


@pytest.fixture(scope="session")
def ishoej(index):
    return index.resolve("Ishøj")


@pytest.fixture(scope="session")
def ishoej_plan(index, ishoej):
    return load_plan(PLANS_DIR / "ishoej.yaml", index, expected=ishoej)


@pytest.fixture(scope="session")
def ishoej_grants(data, ishoej):
    return [g.as_dict() for g in grants_for_kommune(data, ishoej.kode)]
