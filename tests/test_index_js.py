"""The index page's sort and filter script, run in Node against a minimal DOM stub."""

import shutil
import subprocess
from pathlib import Path

import pytest

from opkval import PROJECT_ROOT

NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_index_sorts_numbers_danish_names_and_filters():
    script = PROJECT_ROOT / "opkval" / "templates" / "opkval" / "index.js"
    out = subprocess.run([NODE, str(Path(__file__).parent / "js" / "index_sort.js"),
                          str(script)], capture_output=True, text=True, check=True).stdout
    lines = dict(line.split(": ", 1) for line in out.strip().splitlines())
    assert lines["by amount asc"] == "Ærø, Ishøj, Aarhus"  # 300, 512, 12000 kr.
    assert lines["by amount desc"] == "Aarhus, Ishøj, Ærø"
    assert lines["by name (da)"] == "Ishøj, Ærø, Aarhus"  # Danish: ... I ... Æ Ø Å (= Aa)
    assert lines["filter"].startswith("1 af 3 kommuner")
