import shutil
from pathlib import Path

import pytest

from opkval import PROJECT_ROOT
from opkval.data import load_all
from opkval.kommune import KommuneIndex

RAW = PROJECT_ROOT / "data" / "raw"


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
