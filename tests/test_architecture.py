"""The layers in pyproject.toml hold every module, the import graph has no cycle, and the
notebook kernel starts lean (no pandas, pydantic or engines)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

import grimp
import pytest

from opkval import PROJECT_ROOT

KERNEL_MODULES = ("opkval.sections.present", "opkval.sections.present_gaps",
                  "opkval.sections.present_plan", "opkval.sections.present_national",
                  "opkval.sections.charts", "opkval.assembly.context", "opkval.publish.site")
ENGINES = ("opkval.engine.allocation", "opkval.engine.ledger", "opkval.engine.rules",
           "opkval.engine.gaps", "opkval.engine.plan_effect", "opkval.engine.checklist")


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("opkval", exclude_type_checking_imports=True, cache_dir=None)


def _layers() -> list[list[str]]:
    cfg = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text("utf-8"))
    contract = next(c for c in cfg["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    return [[m.strip() for m in layer.split("|")] for layer in contract["layers"]]


def test_every_module_is_in_one_layer(graph):
    """The layers are packages (kedro's style): every module of opkval lives in exactly one."""
    listed = [m for layer in _layers() for m in layer]
    assert len(listed) == len(set(listed))

    def layer_of(m: str) -> list[str]:
        return [x for x in listed if m == x or m.startswith(x + ".")]

    modules = {m for m in graph.modules if m.startswith("opkval.")}
    assert {m for m in modules if len(layer_of(m)) != 1} == set(), \
        "a module outside the layer packages escapes the contract"
    # No module lies flat beside the packages (only __init__ and __main__ do).
    assert [p.name for p in (PROJECT_ROOT / "opkval").glob("*.py")
            if not p.name.startswith("__")] == []


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle in a directed graph as a path ``[a, b, ..., a]``, or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(m: str, path: list[str]) -> list[str] | None:
        state[m] = 1
        for d in sorted(edges.get(m, ())):
            if state.get(d) == 1:
                return [*path, m, d]
            if d not in state and (found := visit(d, [*path, m])):
                return found
        state[m] = 2
        return None

    for m in sorted(edges):
        if m not in state and (found := visit(m, [])):
            return found
    return None


def test_find_cycle_finds_cycles_and_only_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None  # a diamond
    cycle = find_cycle({"gaps": {"data", "plan_effect"}, "plan_effect": {"gaps"},
                        "data": set()})
    assert cycle is not None and cycle[0] == cycle[-1]


def test_the_import_graph_has_no_cycle():
    """Imports inside functions count, and so do imports under TYPE_CHECKING: a cycle that
    only works lazily, or only for the type checker, is still a cycle."""
    graph = grimp.build_graph("opkval", exclude_type_checking_imports=False, cache_dir=None)
    own = {m for m in graph.modules if m.startswith("opkval")}
    edges = {m: {d for d in graph.find_modules_directly_imported_by(m) if d in own}
             for m in own}
    assert find_cycle(edges) is None, "import cycle: " + " → ".join(find_cycle(edges) or [])


def test_kernel_modules_import_neither_pandas_nor_engines():
    code = ("import json, sys\n"
            + "".join(f"import {m}\n" for m in KERNEL_MODULES)
            + "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=PROJECT_ROOT)
    loaded = set(json.loads(out.stdout))
    assert {"pandas", "pydantic", *ENGINES, "opkval.inputs.config"} & loaded == set()
    assert "opkval.sections.present" in loaded  # the probe itself worked


#: Functions that read the project's config files themselves (``plan_years``/``report_years``
#: do when called without the pool's config).
CONFIG_FETCHES = {"load_config", "load_rules", "load_points", "load_maal", "load_plan_config"}
CONFIG_FETCHES_WITHOUT_ARGS = {"plan_years", "report_years"}


def config_fetches(source: str) -> list[tuple[int, str]]:
    """(line, function) of each call in `source` that reads the config files itself."""
    import ast

    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", None)
            if name in CONFIG_FETCHES or (name in CONFIG_FETCHES_WITHOUT_ARGS
                                          and not node.args and not node.keywords):
                out.append((node.lineno, name))
    return sorted(out)


def test_config_fetches_are_found():
    assert config_fetches("rules = rules or load_rules()\nys = plan_years()\n"
                          "ys = plan_years(cfg)\nx = config.load_points().ids\n") == [
        (1, "load_rules"), (2, "plan_years"), (4, "load_points")]


@pytest.mark.parametrize("package", ["inputs", "engine", "sections", "publish"])
def test_config_is_passed_in_not_fetched(package):
    """Below the app and the orchestration (``opkval.assembly``), the config is an argument:
    the readers of a plan and the engines are given the pool, its rules, targets and points;
    only ``opkval/inputs/config.py`` reads the files."""
    found = [f"{p.relative_to(PROJECT_ROOT)}:{line} {name}()"
             for p in sorted((PROJECT_ROOT / "opkval" / package).rglob("*.py"))
             if p.name != "config.py" or package != "inputs"
             for line, name in config_fetches(p.read_text(encoding="utf-8"))]
    assert found == []
