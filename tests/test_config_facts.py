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

from opkval import PROJECT_ROOT
from opkval.assembly import context
from opkval.assembly.context import build_context
from opkval.base import doc
from opkval.base.doc import plain_text
from opkval.inputs import config
from opkval.inputs.plan import find_plan
from opkval.sections import present
from tests.conftest import PLAN_CONFIG

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
                        plan=find_plan(kommune, index, config=PLAN_CONFIG))
    parts: list = []
    monkeypatch.setattr(present, "show", lambda *ps: parts.extend(doc.sequence(*ps)))
    monkeypatch.setattr(context, "load_context", lambda *a, **k: ctx)
    exec(compile(NOTEBOOK.read_text("utf-8"), str(NOTEBOOK), "exec"), {"__name__": "note"})
    # A chart by its alt text, an HTML section as it is, a document block by its exact text.
    text = "".join(getattr(p, "alt", None) or (p if isinstance(p, str) else plain_text(p))
                   for p in parts)
    assert len(parts) > 10 and "Kort fortalt" in text  # the cells really ran
    return ctx, text


def _changed_config(config_dir) -> None:
    """Pool to 2031, formal share 85 %, round 2 paid in 2027 (and spent by end 2031)."""
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


def test_changed_pool_config_reaches_the_prose(config_dir, monkeypatch, data, index):
    """Pool to 2031, formal share 85 %, round 2 paid in 2027: new values in, old ones out."""
    _changed_config(config_dir)
    ctx, text = _note(monkeypatch, data, index)
    assert ctx["pulje"]["last_year"] == 2031 and ctx["regler"]["min_formel_andel"] == 0.85
    for new in ("2023–2031", "2026–2031", f"Mindst 85{NB}%", f"højst 15{NB}%",
                f"reglen om 85{NB}%", "samlet i 2027", "udmøntes samlet i 2027",
                f"195,9{NB}mio.{NB}kr. årligt i 2024–2031", "31. december 2031"):
        assert new in text, new
    for old in ("2023–2030", "2026–2030", "Mindst 90", "højst 10", "reglen om 90",
                "samlet i 2026", "udbetales 2026", "31. december 2030"):
        assert old not in text, old


def test_changed_pool_config_reaches_a_note_without_a_plan(config_dir, monkeypatch, data,
                                                           index):
    """Most notes have no plan (Ballerup): their prose follows the config as well."""
    _changed_config(config_dir)
    ctx, text = _note(monkeypatch, data, index, "Ballerup")
    assert ctx["plan"] is None and "Ingen lokal plan registreret" in text
    for new in ("2023–2031", "2026–2031", f"Mindst 85{NB}%", "udmøntes i 2027",
                "udmøntes samlet i 2027"):
        assert new in text, new
    for old in ("2023–2030", "2026–2030", "Mindst 90", "samlet i 2026", "udbetales 2026"):
        assert old not in text, old


def test_renamed_rounds_reach_the_prose(config_dir, monkeypatch, data, index):
    def rename(doc):
        for r in doc["runder"]:
            r["navn"], r["kort"] = {1: ("Startpuljen", "Startrunde"),
                                    2: ("Planpuljen", "Planrunde")}[r["id"]]
    _edit(config_dir / "pulje.yaml", rename)
    _, text = _note(monkeypatch, data, index)
    for new in ("Startpuljen", "Planpuljen", "Startrundes midler", "før planrunde"):
        assert new in text, new
    for old in ("Første tildelingsrunde", "første tildelingsrunde", "Anden tildelingsrunde",
                "anden tildelingsrunde", "Første runde", "første runde", "anden runde",
                "Anden runde"):
        assert old not in text, old


@pytest.mark.parametrize("kommune", ["Ishøj", "Ballerup"])
def test_rounds_listed_in_reverse_order_give_the_same_note(config_dir, monkeypatch, data,
                                                            index, kommune):
    ctx_before, before = _note(monkeypatch, data, index, kommune)
    _edit(config_dir / "pulje.yaml", lambda doc: doc["runder"].reverse())
    assert [r.id for r in config.load_config().runder] == [2, 1]  # the edit took
    ctx_after, after = _note(monkeypatch, data, index, kommune)
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


@pytest.mark.parametrize("kommune", ["Ishøj", "Ballerup"])
def test_every_pool_span_in_the_note_is_one_the_config_holds(data, index, monkeypatch,
                                                             kommune):
    """A span of years inside the pool's years is the pool's or a round's span (or years of
    the plan's own spending); the data's spans (normering 2017–2023) lie outside the pool."""
    ctx, text = _note(monkeypatch, data, index, kommune)
    cfg = config.load_config()
    allowed = {(cfg.first_year, cfg.last_year)} | {(min(r.aar), max(r.aar)) for r in cfg.runder}
    for r in cfg.runder:  # years paid together ("2023–2024 udbetalt i 2023")
        for paid in set(map(r.payment_year, r.aar)):
            years = [y for y in r.aar if r.payment_year(y) == paid]
            allowed.add((min(years), max(years)))
    for amount in set(cfg.pulje.beloeb_kr.values()):  # "195,9 mio. kr. årligt i 2024–2030"
        years = [y for y, a in cfg.pulje.beloeb_kr.items() if a == amount]
        allowed.add((min(years), max(years)))
    plan = ctx["plan"]
    if plan:
        for i in plan["indsatser"]:
            allowed.add((min(map(int, i["pr_aar_kr"])), max(map(int, i["pr_aar_kr"]))))
        for r in plan["ledger"]["runder"]:
            if r["brugt_aar"]:
                allowed.add((min(r["brugt_aar"]), max(r["brugt_aar"])))
        allowed.add((plan["forbrug_foerste_aar"], plan["forbrug_sidste_aar"]))
    spans = {(int(a), int(b)) for a, b in re.findall(r"\b(20\d\d)–(20\d\d)\b", text)}
    inside = {s for s in spans if cfg.first_year <= s[0] and s[1] <= cfg.last_year}
    assert (cfg.first_year, cfg.last_year) in inside
    assert inside <= allowed, inside - allowed


OVERVIEW = PROJECT_ROOT / "notebooks" / "landsoversigt.py"


def _overview(monkeypatch, data, tmp_path) -> str:
    """The landsoversigt (its notebook's cells, in-process) and the index, as text."""
    from opkval.assembly.national import national_context
    from opkval.publish import site

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


@pytest.mark.parametrize(("name", "change", "message"), [
    ("regler.yaml", lambda d: d["regler"]["loen_vikar"].update(status_ved_fund="måske"),
     "felt 'regler.loen_vikar.status_ved_fund': skal være 'advarsel' eller 'brud' "
     "(værdi: 'måske')"),
    ("overvejelser.yaml", lambda d: d["punkter"][0]["fuld"].update(foo=["x"]),
     "felt 'punkter[1].fuld.foo' (punkt 'pau_merit'): ukendt felt"),
    ("overvejelser.yaml", lambda d: d["punkter"][1].update(titel=""),
     "felt 'punkter[2].titel' (punkt 'faglige_fyrtaarne'): må ikke være tom"),
    ("pulje.yaml", lambda d: d["pulje"]["beloeb_kr"].update({2024: "mange"}),
     "felt 'pulje.beloeb_kr.2024': skal være et heltal (værdi: 'mange')"),
    ("pulje.yaml", lambda d: d["runder"][0].pop("kort"), "felt 'runder[1].kort': feltet mangler"),
    ("maal.yaml", lambda d: d["maal"][0].update(andel_paedagoger_pct=180),
     "felt 'maal[1].andel_paedagoger_pct': skal være højst 100"),
    ("regler.yaml", lambda d: d["regler"]["formel_andel"].update(min_formel_andel="90 %"),
     "felt 'regler.formel_andel.min_formel_andel': skal være et tal (værdi: '90 %')"),
    ("regler.yaml", lambda d: d["regler"].pop("ikke_sfo"), "filen: regler mangler ikke_sfo"),
])
def test_a_broken_config_file_gets_one_danish_message(config_dir, name, change, message):
    _edit(config_dir / name, change)
    loader = {"pulje.yaml": config.load_config, "regler.yaml": config.load_rules,
              "overvejelser.yaml": config.load_points, "maal.yaml": config.load_maal}[name]
    with pytest.raises(config.ConfigError) as e:
        loader()
    assert str(e.value).startswith(f"{config_dir / name}: {message}")


def test_the_report_years_the_command_line_takes_follow_the_pool(config_dir):
    """The pool extended to 2031: a note may report on 2036 (five years after), not 2037, and
    the message names the new years."""
    import argparse

    from opkval.app import cli

    assert cli._year("2035") == 2035
    with pytest.raises(argparse.ArgumentTypeError, match="2023–2035"):
        cli._year("2036")
    _changed_config(config_dir)
    assert cli._year("2036") == 2036 and cli._year("0") == 0
    with pytest.raises(argparse.ArgumentTypeError) as e:
        cli._year("2037")
    assert "2023–2036" in str(e.value) and "2023–2031" in str(e.value)
    assert "2030" not in str(e.value) and "2035" not in str(e.value)
