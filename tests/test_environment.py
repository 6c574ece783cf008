"""environment.yml (conda users) lists the same pins as pyproject.toml."""

import re
import tomllib

import yaml

from opkval import PROJECT_ROOT


def _pins(specs):
    out = {}
    for s in specs:
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", s.strip())
        assert m, f"not an exact pin: {s!r}"
        out[m.group(1).lower().replace("_", "-")] = m.group(2)
    return out


def test_environment_yml_agrees_with_pyproject():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        specs += extra
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda_python = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python")]
    assert conda_python == ["python=3.11"]
    assert project["requires-python"] == ">=3.11,<3.12"
    assert _pins([s for s in pip_section if not s.startswith("-e")]) == _pins(specs)
