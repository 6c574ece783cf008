"""All-kommuner runs: reproducible output, failures isolated, nothing rebuilt needlessly (slow)."""

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from opkval import PROJECT_ROOT
from opkval.app.batch import run
from opkval.assembly.context import build_context
from opkval.publish.render import Renderer

pytestmark = pytest.mark.slow


def test_same_inputs_give_identical_html_but_the_generation_line(data, index, tmp_path):
    kommune = index.resolve("Ishøj")
    html = []
    with Renderer() as renderer:
        times = (dt.datetime(2026, 11, 23, 9, 0), dt.datetime(2027, 1, 2, 17, 45))
        for i, when in enumerate(times):
            ctx = build_context(data, kommune, 2026, generated_at=when)
            files = renderer.render(ctx, tmp_path / str(i), formats=("html",))
            html.append([f.read_text(encoding="utf-8").splitlines()
                         for f in (files.html, files.analyse_html)])

    def differing(doc: int) -> list[tuple[str, str]]:
        a, b = html[0][doc], html[1][doc]
        assert len(a) == len(b)
        return [(x, y) for x, y in zip(a, b, strict=True) if x != y]

    # The analysis differs in its generation line only, the bilag in its date only.
    (a, b), = differing(1)
    assert "Dannet 23. november 2026 kl. 09:00" in a and "Dannet 2. januar 2027 kl. 17:45" in b
    (a, b), = differing(0)
    assert "23. november 2026" in a and "2. januar 2027" in b


@pytest.fixture
def plans(tmp_path):
    d = tmp_path / "plans"
    d.mkdir()
    shutil.copy(PROJECT_ROOT / "data" / "plans" / "ishoej.yaml", d / "ishoej.yaml")
    # Læsø's plan is broken: its kommune line names Læsø, but an amount is negative.
    text = (PROJECT_ROOT / "tests" / "fixtures" / "plans" / "good_minimal.yaml").read_text(
        encoding="utf-8")
    lines = [("kommune: Læsø" if ln.startswith("kommune:") else ln) for ln in text.splitlines()]
    broken = "\n".join(lines).replace("budget: {2024: ", "budget: {2024: -", 1)
    assert broken != "\n".join(lines)
    (d / "laesoe.yaml").write_text(broken + "\n", encoding="utf-8")
    return d


def test_broken_plan_fails_one_kommune_and_the_rest_are_built(plans, tmp_path, capsys):
    out = tmp_path / "reports"
    only = ["ishoej", "laesoe", "fanoe"]
    code = run(out, jobs=2, formats=("html", "pdf"), year=2026, only=only, plans_dir=plans)
    err = capsys.readouterr().err
    assert code == 1
    for slug in ("ishoej", "fanoe"):
        assert (out / f"{slug}.html").exists() and (out / f"{slug}.pdf").exists()
    assert not (out / "laesoe.html").exists() and not (out / "laesoe.pdf").exists()
    assert "1 fejl" in err and "Læsø (lokal plan)" in err and "laesoe.yaml" in err
    index_html = (out / "index.html").read_text(encoding="utf-8")
    assert index_html.count("<tr data-search=") == 98 and 'href="ishoej.html"' in index_html
    laesoe_row = next(r for r in index_html.split("<tr ") if ">Læsø<" in r)
    assert "Fejl (lokal plan)" in laesoe_row
    assert "http" not in index_html.replace('content="width=device-width', "")
    assert (out / "landsoversigt.pdf").exists()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kommuner"]["laesoe"]["status"] == "fejl"
    assert manifest["kommuner"]["ishoej"]["status"] == "ok"
    assert manifest["run"]["inputs"]["data/raw/municipalities.csv"]
    # Each file's hash, taken once when the note was made, is the file's: and the note's
    # JSON lists the same for the other files.
    import hashlib

    listed = manifest["kommuner"]["ishoej"]["sha256"]
    assert {"ishoej.html", "ishoej.pdf", "ishoej.json", "ishoej-analyse.pdf"} <= set(listed)
    for name, digest in listed.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
    in_json = json.loads((out / "ishoej.json").read_text(encoding="utf-8"))["filer_sha256"]
    assert {n: d for n, d in listed.items() if n != "ishoej.json"}.items() <= in_json.items()
    assert not list(out.glob(".*"))  # no temp leftovers


def test_second_run_with_nothing_changed_does_no_work(plans, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = Path("reports")  # relative, as `make reports` passes it
    only = ["ishoej", "fanoe"]
    assert run(out, jobs=2, formats=("html",), year=2026, only=only, plans_dir=plans) == 0
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    capsys.readouterr()
    assert run(out, jobs=2, formats=("html",), year=2026, only=only, plans_dir=plans) == 0
    assert "er opdaterede" in capsys.readouterr().err
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stamps
    assert (out / "ishoej.pdf").exists() is False and (out / "ishoej.html").exists()
    # A changed plan rebuilds that kommune (and the index and overview), not the others.
    with open(plans / "ishoej.yaml", "a", encoding="utf-8") as f:
        f.write("# ændret\n")
    assert run(out, jobs=2, formats=("html",), year=2026, only=only, plans_dir=plans) == 0
    after = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    assert after["ishoej.html"] != stamps["ishoej.html"]
    assert after["index.html"] != stamps["index.html"]
    assert after["fanoe.html"] == stamps["fanoe.html"]


def test_a_worker_that_dies_while_the_pool_starts_ahead_only_costs_a_new_pool(
        tmp_path, monkeypatch, capsys):
    """The pool starts its workers before the contexts are computed. If one dies at once
    (here: each worker of the first pool exits in its initializer, and the first warm-up
    submit waits until it has), the next submit finds the pool broken: that is one more pool,
    not the end of the run."""
    import time
    from concurrent.futures import ProcessPoolExecutor

    from opkval.app import batch

    pools = []
    real_pool, real_submit = batch._pool, ProcessPoolExecutor.submit

    def pool(workers, ctx_mp, started):
        pools.append(workers)
        if len(pools) == 1:  # parent=1: _worker_init sees another parent and exits
            return ProcessPoolExecutor(max(1, workers), mp_context=ctx_mp,
                                       initializer=batch._worker_init, initargs=(1, started))
        return real_pool(workers, ctx_mp, started)

    submits = []

    def submit(self, fn, *args, **kwargs):
        future = real_submit(self, fn, *args, **kwargs)
        submits.append(fn)
        if len(submits) == 1:
            time.sleep(3)  # the first worker dies before the second warm-up submit
        return future

    monkeypatch.setattr(batch, "_pool", pool)
    monkeypatch.setattr(ProcessPoolExecutor, "submit", submit)
    code = run(tmp_path / "out", jobs=2, formats=("html",), year=2026, only=["laesoe", "fanoe"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "uventet fejl" not in err and "Traceback" not in err, err
    assert len(pools) >= 2, pools  # a new pool built the notes
    assert all((tmp_path / "out" / f"{slug}.html").exists() for slug in ("laesoe", "fanoe"))
