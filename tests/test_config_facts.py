"""The notes' prose takes the pool's facts from the config, and rounds by role, not position.

The note is built as the notebook builds it (its cells run in-process, ``present.show``
collects the sections), from a context made with a changed copy of ``opkval/config``.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
import yaml

from opkval import PROJECT_ROOT, config, context, present
from opkval.context import build_context
from opkval.plan import find_plan

NOTEBOOK = PROJECT_ROOT / "notebooks" / "kommune_rapport.py"
WHEN = dt.datetime(2026, 12, 1, 12, 0)
MANIFEST = {"opkval": "test", "git": {"commit": "0" * 40, "dirty": False}, "inputs": {},
            "packages": {}}
NB = "\u00a0"


def _edit(path, change) -> None:
    doc = yaml.safe_load(path.read_text("utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
    config._load.cache_clear()  # the loaders cache per path


@pytest.fixture
def config_dir(tmp_path, monkeypatch):
    """A copy of opkval/config that the loaders read instead (edit it, then build)."""
    dst = tmp_path / "config"
    shutil.copytree(config.CONFIG_DIR, dst)
    monkeypatch.setattr(config, "CONFIG_DIR", dst)
    return dst


def _note(monkeypatch, data, index, kommune_navn="Ishøj") -> tuple[dict, str]:
    """The context and the note's text (HTML of every section, chart alt texts, no images)."""
    kommune = index.resolve(kommune_navn)
    ctx = build_context(data, kommune, 2026, generated_at=WHEN, run_manifest=MANIFEST,
                        plan=find_plan(kommune, index))
    parts: list = []
    monkeypatch.setattr(present, "show", lambda *ps: parts.extend(p for p in ps if p))
    monkeypatch.setattr(context, "load_context", lambda *a, **k: ctx)
    exec(compile(NOTEBOOK.read_text("utf-8"), str(NOTEBOOK), "exec"), {"__name__": "note"})
    text = "".join(getattr(p, "alt", None) or str(p) for p in parts)
    assert len(parts) > 20 and "Kort fortalt" in text  # the cells really ran
    return ctx, text


def test_changed_pool_config_reaches_the_prose(config_dir, monkeypatch, data, index):
    """Pool to 2031, formal share 85 %, round 2 paid in 2027: new values in, old ones out."""
    def pulje(doc):
        doc["pulje"]["last_year"] = 2031
        doc["pulje"]["beloeb_kr"][2031] = 195_900_000
        r2 = next(r for r in doc["runder"] if r["id"] == 2)
        r2["aar"].append(2031)
        r2["udbetalingsaar"] = 2027
        r2["afsluttet_senest"] = dt.date(2031, 12, 31)

    def regler(doc):
        doc["regler"]["formel_andel"]["min_formel_andel"] = 0.85

    _edit(config_dir / "pulje.yaml", pulje)
    _edit(config_dir / "regler.yaml", regler)
    ctx, text = _note(monkeypatch, data, index)
    assert ctx["pulje"]["last_year"] == 2031 and ctx["regler"]["min_formel_andel"] == 0.85
    for new in ("2023–2031", "2026–2031", f"Mindst 85{NB}%", f"højst 15{NB}%",
                f"reglen om 85{NB}%", "samlet i 2027", "udbetales samlet i 2027",
                f"195,9{NB}mio.{NB}kr. årligt i 2024–2031", "31. december 2031"):
        assert new in text, new
    for old in ("2023–2030", "2026–2030", "Mindst 90", "højst 10", "reglen om 90",
                "samlet i 2026", "udbetales 2026", "31. december 2030"):
        assert old not in text, old


def test_rounds_listed_in_reverse_order_give_the_same_note(config_dir, monkeypatch, data,
                                                            index):
    ctx_before, before = _note(monkeypatch, data, index)
    _edit(config_dir / "pulje.yaml", lambda doc: doc["runder"].reverse())
    assert [r.id for r in config.load_config().runder] == [2, 1]  # the edit took
    ctx_after, after = _note(monkeypatch, data, index)
    assert after == before
    assert ctx_after == ctx_before


def test_a_round_role_must_be_unique(config_dir):
    def both(doc):
        for r in doc["runder"]:
            r["roller"] = [*r["roller"], "lokal_plan"] if r["id"] == 1 else r["roller"]
            r["betingelse"] = "lokal plan"
    _edit(config_dir / "pulje.yaml", both)
    with pytest.raises(config.ConfigError, match="rollen lokal_plan [(]2 har[)]"):
        config.load_config()


def test_the_note_names_no_hard_coded_pool_year(data, index, monkeypatch):
    """With the real config, every pool year in the prose is one the config holds."""
    _, text = _note(monkeypatch, data, index)
    cfg = config.load_config()
    spans = set(re.findall(r"\b(20\d\d)–(20\d\d)\b", text))
    assert (str(cfg.first_year), str(cfg.last_year)) in spans


OVERVIEW = PROJECT_ROOT / "notebooks" / "landsoversigt.py"


def _overview(monkeypatch, data, tmp_path) -> str:
    """The landsoversigt (its notebook's cells, in-process) and the index, as text."""
    from opkval import site
    from opkval.national import national_context

    nctx = national_context(data, tmp_path, 2026, generated_at=WHEN, run_manifest=MANIFEST)
    parts: list = []
    monkeypatch.setattr(present, "show", lambda *ps: parts.extend(p for p in ps if p))
    monkeypatch.setattr(site, "load_national_context", lambda *a, **k: nctx)
    exec(compile(OVERVIEW.read_text("utf-8"), str(OVERVIEW), "exec"), {"__name__": "overview"})
    assert len(parts) > 5
    return ("".join(getattr(p, "alt", None) or str(p) for p in parts)
            + site.index_html(nctx, tmp_path, ("html", "pdf")))


def test_changed_pool_config_reaches_the_overview_and_index(config_dir, monkeypatch, data,
                                                             tmp_path):
    before = _overview(monkeypatch, data, tmp_path)
    assert "Tilskud 2026–2030" in before and "Tilskud 2026 efter" in before

    def pulje(doc):
        doc["pulje"]["last_year"] = 2031
        doc["pulje"]["beloeb_kr"][2031] = 195_900_000
        r2 = next(r for r in doc["runder"] if r["id"] == 2)
        r2["aar"] = [2027, 2028, 2029, 2030, 2031]
        r2["udbetalingsaar"] = 2027
        r1 = next(r for r in doc["runder"] if r["id"] == 1)
        r1["aar"].append(2026)
        doc["pulje"]["engangsloeft"]["aar"] = 2027

    _edit(config_dir / "pulje.yaml", pulje)
    after = _overview(monkeypatch, data, tmp_path)
    for new in ("Tilskud 2023–2026", "Tilskud 2027–2031", "Tilskud 2027 efter fordelingsnøgle",
                "om året i 2027–2031", "2027–2031 uden engangsløftet"):
        assert new in after, new
    for old in ("2023–2025", "2026–2030", "Tilskud 2026 efter", "2026–2030 uden"):
        assert old not in after, old
