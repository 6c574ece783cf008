"""Reliability, round 3 (issue 20): files a kommune sends can neither reach out, run code,
exhaust the machine nor change a figure in silence.

Every case runs ``opkval`` as a child process (its exit code, message, wall time and peak
memory from wait4) or calls the function that decides, and asserts the refusal (one Danish
message naming file, field, limit and value; exit code 2; nothing written) or the right figure.
Large or special files are made here by code (a sparse 1,5 GB logo, a PNG header claiming
30.000 × 30.000 pixels, a FIFO, a git repository with a hostile configuration).
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import signal
import socket
import struct
import subprocess
import threading
import zlib
from pathlib import Path

import pytest

from opkval import PROJECT_ROOT
from tests.conftest import PLAN_CONFIG
from tests.test_hostile import GOOD, MB, OPKVAL, RAW, plan_check, run, untouched  # noqa: F401
from tests.test_hostile import refused as _refused


def refused(r, *needles, **kw) -> None:
    """tests.test_hostile.refused; with OPKVAL_MEASURE=1 (and -s) it also prints the time and
    peak memory of each refusal, for the measurements in the issue."""
    if os.environ.get("OPKVAL_MEASURE"):
        test = os.environ.get("PYTEST_CURRENT_TEST", "?").split("::")[-1].split(" ")[0]
        print(f"\nMEASURE {test}: {r.seconds:.2f} s, {r.max_rss / MB:.0f} MB, exit {r.code}")
    _refused(r, *needles, **kw)

VEJLE = PROJECT_ROOT / "tests" / "fixtures" / "plans" / "vejle"


def plan_refused(path: Path, cli: bool, *needles: str, **kw) -> None:
    """The plan is refused with every needle in the message: as a child process (`opkval plan
    check`: exit code, time and peak memory measured) for the first case of a group, in this
    process (load_plan) for the others, so the suite stays fast on two busy cores."""
    if cli:
        refused(plan_check(path), *needles, **kw)
        return
    from opkval.inputs.data import load_all
    from opkval.inputs.kommune import KommuneIndex
    from opkval.inputs.plan import PlanError, load_plan

    with pytest.raises(PlanError) as e:
        load_plan(path, KommuneIndex(load_all(RAW).municipalities), config=PLAN_CONFIG)
    for n in needles:
        assert n in str(e.value), (n, str(e.value)[-1500:])


def cases(rows: list[tuple]) -> list[tuple]:
    """Parametrize rows with a leading `cli` flag: True for the first row only."""
    return [(i == 0, *row) for i, row in enumerate(rows)]


def plan_with(tmp_path: Path, extra: str = "", old: str = "", new: str = "",
              name: str = "plan.yaml") -> Path:
    text = GOOD.replace(old, new, 1) if old else GOOD
    assert not old or old in GOOD
    p = tmp_path / name
    p.write_text(text + extra, encoding="utf-8")
    return p


def logo_plan(tmp_path: Path, logo_name: str) -> Path:
    return plan_with(tmp_path, f"notat:\n  logo: {logo_name}\n")


# ------------------------------------------------------------------ 1. an SVG logo is data

class _Listener:
    """A TCP listener on localhost that records whether anything connected."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self._stop = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.hits += 1
            conn.close()

    def close(self):
        self._stop = True
        self.thread.join(2)
        self.sock.close()


SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ' \
           'width="120" height="40">'


@pytest.mark.parametrize("cli,body,needle", cases([
    ('<image href="http://127.0.0.1:{port}/x.png" width="10" height="10"/>', "<image>"),
    ('<image xlink:href="file:///etc/passwd" width="10" height="10"/>', "<image>"),
    ('<image href="fifo" width="10" height="10"/>', "<image>"),
    ('<use href="andet.svg#a"/>', "henviser uden for filen"),
    ('<use xlink:href="http://127.0.0.1:{port}/a.svg#a"/>', "henviser uden for filen"),
    ('<rect width="9" height="9" fill="url(http://127.0.0.1:{port}/p#x)"/>',
     "henviser uden for filen"),
    ('<rect width="9" height="9" style="fill: url(\'file:///dev/zero\')"/>',
     "henviser uden for filen"),
    ('<style>@import url(http://127.0.0.1:{port}/s.css);</style>', "@import"),
    ('<filter id="f"><feImage href="http://127.0.0.1:{port}/x.png"/></filter>', "<feImage>"),
    ('<foreignObject width="9" height="9"><p>x</p></foreignObject>', "<foreignObject>"),
    ('<script>alert(1)</script>', "<script>"),
    ('<a href="https://example.org/"><rect width="9" height="9"/></a>',
     "henviser uden for filen"),
    ('<rect width="9" height="9" onload="alert(1)"/>', "script"),
]))
def test_an_svg_logo_that_points_outside_itself_is_refused_unfetched(tmp_path, cli, body,
                                                                      needle):
    listener = _Listener()
    try:
        os.mkfifo(tmp_path / "fifo")  # would hang a renderer that opened it
        (tmp_path / "logo.svg").write_text(
            SVG_HEAD + body.format(port=listener.port) + "</svg>", encoding="utf-8")
        plan_refused(logo_plan(tmp_path, "logo.svg"), cli, "plan.yaml", "notat.logo",
                     "'logo.svg'", needle, seconds=10)
    finally:
        listener.close()
    assert listener.hits == 0, "the logo made opkval connect"


@pytest.mark.parametrize("cli,text,needle", cases([
    ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     + SVG_HEAD + "<text>&x;</text></svg>", "DOCTYPE"),
    ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
     + SVG_HEAD + "<text>&b;</text></svg>", "ENTITY"),
    ('<?xml-stylesheet href="http://127.0.0.1:1/s.css"?>' + SVG_HEAD + "</svg>",
     "stylesheet"),
    ("<html><body>no svg</body></html>", "ikke en SVG-fil"),
    (SVG_HEAD + "<g>" * 200 + "</g>" * 200 + "</svg>", "indlejret i over 64 niveauer"),
    ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100000 1">'
     '<rect width="9" height="1"/></svg>', "grænsen er 20"),
]))
def test_an_svg_with_a_dtd_a_stylesheet_or_no_svg_is_refused(tmp_path, cli, text, needle):
    (tmp_path / "logo.svg").write_text(text, encoding="utf-8")
    plan_refused(logo_plan(tmp_path, "logo.svg"), cli, "notat.logo", needle, seconds=10)


def test_a_valid_svg_is_drawn_once_to_a_png_even_if_svg_comes_after_4_kb(tmp_path, index):
    from PIL import Image

    from opkval.inputs.logo import SVG_PX
    from opkval.inputs.plan import load_plan

    svg = (VEJLE / "logo.svg").read_text(encoding="utf-8")
    (tmp_path / "logo.svg").write_text('<?xml version="1.0" encoding="UTF-8"?>\n<!-- '
                                       + "kommentar " * 600 + "-->\n" + svg, encoding="utf-8")
    assert (tmp_path / "logo.svg").read_bytes().index(b"<svg") > 4096
    logo = load_plan(logo_plan(tmp_path, "logo.svg"), index,
                     config=PLAN_CONFIG).notat.as_dict()["logo"]
    assert logo["mime"] == "image/png" and logo["navn"] == "logo.svg"
    with Image.open(io.BytesIO(base64.b64decode(logo["data"]))) as im:
        # width="120" height="40": drawn 354 px wide (3 cm at 300 dpi), 118 high.
        assert im.format == "PNG" and im.size == (SVG_PX, round(SVG_PX * 40 / 120))
        # The blue square of Vejle's logo (#00579c) at the left, drawn by resvg.
        assert im.convert("RGB").getpixel((10, 10)) == (0x00, 0x57, 0x9C)


# ----------------------------------------------------------------- PNG: bombs and damage

def _png(width: int, height: int, idat: bytes, color_type: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


def test_a_png_decompression_bomb_is_refused_by_its_header(tmp_path):
    # 30.000 × 30.000 RGB pixels: 2,7 GB decoded; the file holds the first rows only (~3 KB).
    rows = zlib.compress(b"\0" + b"\0" * 3 * 30_000, 9) * 1
    (tmp_path / "bombe.png").write_bytes(_png(30_000, 30_000, rows))
    assert (tmp_path / "bombe.png").stat().st_size < 10_000
    refused(plan_check(logo_plan(tmp_path, "bombe.png")), "notat.logo", "'bombe.png'",
            "30.000 × 30.000 punkter", "grænsen er 5.000", seconds=10)


def test_a_damaged_png_is_named_as_the_logo_not_the_output_folder(tmp_path):
    (tmp_path / "skadet.png").write_bytes(_png(40, 40, b"not zlib at all" * 10))
    r = plan_check(logo_plan(tmp_path, "skadet.png"))
    refused(r, "notat.logo", "'skadet.png'", "PNG-filen er beskadiget", seconds=10)
    assert "mappe" not in r.err


def test_a_valid_png_is_decoded_and_written_anew_without_its_text_chunks(tmp_path, index):
    from PIL import Image, PngImagePlugin

    from opkval.inputs.plan import load_plan

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "hemmelig tekst")
    Image.new("RGB", (60, 30), (10, 20, 30)).save(tmp_path / "logo.png", pnginfo=info)
    logo = load_plan(logo_plan(tmp_path, "logo.png"), index,
                     config=PLAN_CONFIG).notat.as_dict()["logo"]
    data = base64.b64decode(logo["data"])
    assert b"hemmelig" not in data and b"tEXt" not in data
    with Image.open(io.BytesIO(data)) as im:
        assert im.size == (60, 30) and im.convert("RGB").getpixel((5, 5)) == (10, 20, 30)


# ------------------------------------------------------ 7. files next to a plan: stat first

def test_a_huge_logo_is_refused_by_stat_before_it_is_read(tmp_path):
    with open(tmp_path / "stor.png", "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.truncate(1536 * MB)  # 1,5 GB, sparse
    refused(plan_check(logo_plan(tmp_path, "stor.png")), "notat.logo",
            "filen fylder 1.610.612.736 byte", "grænsen er 2.000.000 byte", seconds=10)


@pytest.mark.parametrize("cli,make,needle", cases([
    (lambda p: os.mkfifo(p), "ikke en almindelig fil"),
    (lambda p: p.symlink_to("/dev/zero"), "ikke en almindelig fil"),
    (lambda p: p.symlink_to(p), "løkke af symbolske links"),
    (lambda p: p.mkdir(), "er en mappe"),
]))
def test_a_logo_or_previous_plan_that_is_a_fifo_device_or_loop_says_so(tmp_path, cli, make,
                                                                        needle):
    make(tmp_path / "logo.png")
    plan_refused(logo_plan(tmp_path, "logo.png"), cli, "notat.logo", needle, seconds=10)
    make(tmp_path / "forrige.yaml")
    plan_refused(plan_with(tmp_path, "forrige: forrige.yaml\n", name="plan2.yaml"), False,
                 "forrige", needle)


# ----------------------------------------------------------------- 2. forrige: git, neutered

def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@x"}
    subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, env=env)


def test_forrige_git_runs_nothing_a_hostile_git_config_names(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "plan"
    repo.mkdir()
    marker = tmp_path / "KOERT"
    evil = tmp_path / "evil.sh"
    evil.write_text(f"#!/bin/sh\necho \"$0 $*\" >> {marker}\ncat\n", encoding="utf-8")
    evil.chmod(0o755)
    plan = repo / "plan.yaml"
    plan.write_text(GOOD + "forrige: git\n", encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", "plan.yaml")
    _git(repo, "commit", "-q", "-m", "første")
    # A signed-looking commit (of a changed plan), so log.showSignature would call gpg.program.
    plan.write_text(GOOD.replace("deltagere: 8", "deltagere: 7") + "forrige: git\n",
                    encoding="utf-8")
    _git(repo, "add", "plan.yaml")
    tree = subprocess.run(["git", "-C", str(repo), "write-tree"],
                          capture_output=True, text=True, check=True).stdout.strip()
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()
    commit = (f"tree {tree}\nparent {head}\nauthor t <t@x> 1700000000 +0000\n"
              "committer t <t@x> 1700000000 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n"
              " iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n\nsigneret\n")
    obj = subprocess.run(["git", "-C", str(repo), "hash-object", "-t", "commit", "-w",
                          "--stdin"], input=commit, capture_output=True, text=True,
                         check=True).stdout.strip()
    _git(repo, "update-ref", "HEAD", obj)
    (repo / ".gitattributes").write_text("*.yaml diff=ond filter=ond\n", encoding="utf-8")
    with open(repo / ".git" / "config", "a", encoding="utf-8") as f:
        f.write(f"[core]\n\tfsmonitor = {evil}\n\tpager = {evil}\n\thooksPath = {tmp_path}\n"
                f"\tsshCommand = {evil}\n[gpg]\n\tprogram = {evil}\n[log]\n\tshowSignature = "
                f"true\n[diff]\n\texternal = {evil}\n[diff \"ond\"]\n\ttextconv = {evil}\n"
                f"[filter \"ond\"]\n\tsmudge = {evil}\n\tclean = {evil}\n[pager]\n\tlog = "
                f"{evil}\n\tshow = {evil}\n[alias]\n\tlog = !{evil}\n")
    # The plan as it is now differs from the committed one: forrige reads the commit.
    plan.write_text(GOOD.replace("deltagere: 8", "deltagere: 9") + "forrige: git\n",
                    encoding="utf-8")
    out = tmp_path / "reports"
    r = run([OPKVAL, "report", "--kommune", "Ishøj", "--plan", str(plan), "--out", str(out),
             "--format", "html"], env={"GIT_DIR": str(tmp_path / "nowhere"),
                                       "GIT_CONFIG_COUNT": "1",
                                       "GIT_CONFIG_KEY_0": "core.pager",
                                       "GIT_CONFIG_VALUE_0": str(evil)}, timeout=300)
    assert not marker.exists(), marker.read_text()
    assert r.code == 0, r.err[-2000:]
    # The previous version was read (the signed-looking commit of 14 November 2023).
    note = (out / "ishoej-analyse.html").read_text(encoding="utf-8")  # the bilag names no tool
    assert "version i git af 14. november 2023" in note, note[:300]


def test_git_safely_neutralises_config_and_environment(tmp_path, monkeypatch):
    """The unit: a repository config naming a pager and gpg for `git log` runs neither."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    from opkval.base.fileio import git_safely

    marker = tmp_path / "KOERT"
    evil = tmp_path / "evil.sh"
    evil.write_text(f"#!/bin/sh\ntouch {marker}\n", encoding="utf-8")
    evil.chmod(0o755)
    _git(tmp_path, "init", "-q")
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    _git(tmp_path, "add", "a.txt")
    _git(tmp_path, "commit", "-q", "-m", "a")
    with open(tmp_path / ".git" / "config", "a", encoding="utf-8") as f:
        f.write(f"[core]\n\tpager = {evil}\n\tfsmonitor = {evil}\n[gpg]\n\tprogram = {evil}\n"
                "[log]\n\tshowSignature = true\n")
    monkeypatch.setenv("GIT_PAGER", str(evil))
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "nowhere"))
    r = git_safely(tmp_path, "log", "--format=%H")
    assert r.returncode == 0 and len(r.stdout.split()) == 1
    assert git_safely(tmp_path, "status").returncode == 0
    assert not marker.exists()


# --------------------------------------------------------------- 4 + 5. numbers as written

@pytest.mark.parametrize("cli,old,new,needles", cases([
    ("2024: 462000,", "2024: 0462000,", ["budget.2024", "'0462000'", "hele kroner"]),
    ("deltagere: 8", "deltagere: 010", ["deltagere", "'010'", "helt antal"]),
    ("2024: 462000,", "2024: 0x70CB0,", ["budget.2024", "'0x70CB0'"]),
    ("2024: 462000,", "2024: 462_000,", ["budget.2024", "'462_000'"]),
    ("deltagere: 8", "deltagere: +5", ["deltagere", "'+5'"]),
    ("deltagere: 8", "deltagere: 1:30", ["deltagere", "'1:30'"]),
    ("deltagere: 8", "deltagere: 0b101", ["deltagere", "'0b101'"]),
    ("2024: 462000,", "2024: +4.62e+5,", ["budget.2024", "'+4.62e+5'"]),
    ("deltagere: 8", "deltagere: off", ["deltagere", "'off'"]),
    ("2024: 462000,", "0x7E8: 462000,", ["budget.0x7E8", "skal være et årstal"]),
    ("2024: 462000,", "2_024: 462000,", ["budget.2_024", "skal være et årstal"]),
]))
def test_yaml_1_1_numbers_are_refused_with_the_text_as_written(tmp_path, cli, old, new,
                                                               needles):
    plan_refused(plan_with(tmp_path, old=old, new=new), cli, "plan.yaml", *needles,
                 seconds=10)


@pytest.mark.parametrize("cli,budget", cases([
    ("{2024: 462000, '2024 ': 5, 2025: 462000}",),
    ("{2024: 462000, ' 2024': 5, 2025: 462000}",),
    ("{'2024': 462000, 2024: 5, 2025: 462000}",),
]))
def test_the_same_year_twice_in_two_spellings_is_refused(tmp_path, cli, budget):
    plan_refused(plan_with(tmp_path, old="budget: {2024: 462000, 2025: 462000}",
                           new=f"budget: {budget}"), cli, "plan.yaml", "budget", "2024",
                 "står to gange", seconds=10)


def test_no_and_off_are_text_as_written_not_false(tmp_path):
    r = plan_check(plan_with(tmp_path, old="navn: Meritpædagoguddannelse", new="navn: No"))
    # "No" is a valid name now (text), so the plan passes.
    assert r.code == 0, r.err
    r = plan_check(plan_with(tmp_path, old="kategori: meritpaedagog", new="kategori: off"))
    refused(r, "kategori", "'off'", seconds=10)
    assert "False" not in r.err


# ------------------------------------------------------- 6. no-break spaces glue words

@pytest.mark.parametrize("cli,glue", cases([("\u00a0",), ("\u202f",), ("\u2007",),
                                           ("\u2060",)]))
def test_a_name_glued_with_no_break_spaces_is_one_long_word(tmp_path, cli, glue):
    name = glue.join(["Pædagogisk", "efteruddannelse", "for", "alle", "medarbejdere"])
    plan_refused(plan_with(tmp_path, old="navn: Meritpædagoguddannelse", new=f"navn: {name}"),
                 cli, "indsatser[1].navn", f"et ord på {len(name)} tegn", "grænsen er 30",
                 seconds=10)


def test_the_layout_long_word_checks_do_not_split_at_no_break_spaces():
    from opkval.base import fmt
    from opkval.base.html_writer import LONG_WORD, has_long_word

    glued = "\u00a0".join(["Pædagogisk", "efteruddannelse", "for", "alle"])
    assert len(glued) > LONG_WORD and has_long_word(glued)
    assert not has_long_word(glued.replace("\u00a0", " "))
    assert fmt.line_words("a\u202fb c\u200bd") == ["a\u202fb", "c", "d"]


# ---------------------------------------------------- Major: bidi, NFC, invisible names

@pytest.mark.parametrize("cli,name,needle", cases([
    ("Kursus \u202eneppoK", "U+202E"),
    ("Kursus \u2067x", "U+2067"),
    ("\u200b\u200b\u200b", "usynlige tegn"),
    ("\u2060\u00ad\ufeff", "usynlige tegn"),
]))
def test_bidi_controls_and_invisible_names_are_refused(tmp_path, cli, name, needle):
    p = plan_with(tmp_path, old="navn: Meritpædagoguddannelse", new=f'navn: "{name}"')
    plan_refused(p, cli, "indsatser[1].navn", needle, seconds=10)
    if cli:  # the message itself holds no control: it shows the code point
        r = plan_check(p)
        assert "\u202e" not in r.err and "\u2067" not in r.err


@pytest.mark.parametrize("cli,char", cases([("\x07",), ("\x00",), ("\x1b",), ("\x85",)]))
def test_a_control_character_in_a_plan_is_refused_naming_its_line(tmp_path, cli, char):
    plan_refused(plan_with(tmp_path, old="navn: Meritpædagoguddannelse",
                           new=f'navn: "Kursus{char}"'), cli, "plan.yaml", "linje 4",
                 "kontroltegn", f"U+{ord(char):04X}", seconds=10)


def test_names_are_nfc_normalised(tmp_path, index):
    from opkval.inputs.plan import load_plan

    decomposed = "Merit" + "pa\u0308dagog"  # ä as a + combining diaeresis
    p = plan_with(tmp_path, old="navn: Meritpædagoguddannelse", new=f"navn: {decomposed}")
    navn = load_plan(p, index, config=PLAN_CONFIG).indsatser[0].navn
    assert navn == "Meritpädagog" and len(navn) == 12


# ------------------------------------------------------------- 8 + 9. vendored data files

def _raw_copy(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    for f in raw.iterdir():
        f.chmod(0o644)
    return raw


def test_a_known_allocations_file_cut_at_a_row_boundary_is_refused(tmp_path):
    raw = _raw_copy(tmp_path)
    f = raw / "known_allocations.csv"
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    f.write_text("".join(lines[:-3]), encoding="utf-8")  # still valid CSV, 3 rows fewer
    pinned = next(line for line in (raw / "pins.csv").read_text().splitlines()
                  if line.startswith("known_allocations.csv,")).split(",")[1]
    r = run([OPKVAL, "report", "--kommune", "Ishøj", "--out", str(tmp_path / "reports")],
            env={"OPKVAL_DATA_DIR": str(raw)})
    refused(r, "known_allocations.csv", f"filen har {int(pinned) - 3} rækker",
            f"skal den have {pinned}", seconds=30)
    assert not (tmp_path / "reports").exists()


def test_a_changed_value_in_a_pinned_file_is_refused(tmp_path):
    from opkval.base.errors import DataError
    from opkval.inputs.data import load_all

    raw = _raw_copy(tmp_path)
    f = raw / "dagtilbud_kommune_stats.csv"
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    head = lines[0].split(",")
    col = head.index("pct_paedagoger_2024")
    row = lines[1].split(",")
    row[col] = "50.0" if row[col] != "50.0" else "51.0"
    lines[1] = ",".join(row)
    f.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(DataError, match="passer ikke med kontrolsummen i pins.csv"):
        load_all(raw)


def test_every_vendored_file_is_pinned_as_it_is():
    """data/raw/pins.csv names every file the data loader reads, with its rows as counted
    here (lines minus the header), independently of opkval.inputs.data."""
    import csv

    from opkval.inputs.data import FILES

    pins = {r["fil"]: r for r in csv.DictReader((RAW / "pins.csv").open(encoding="utf-8"))}
    assert set(pins) == set(FILES)
    for name in FILES:
        with (RAW / name).open(encoding="utf-8-sig", newline="") as fh:
            rows = sum(1 for _ in csv.reader(fh)) - 1
        assert int(pins[name]["raekker"]) == rows, name


@pytest.mark.parametrize("cli,byte", cases([(b"\x00",), (b"\x1b",), (b"\x7f",)]))
def test_a_control_character_in_a_data_file_is_refused_naming_the_line(tmp_path, cli, byte):
    raw = _raw_copy(tmp_path)
    f = raw / "dagtilbud_kommune_stats.csv"
    data = f.read_bytes()
    lines = data.split(b"\n")
    i = next(n for n, line in enumerate(lines) if b"Ish\xc3\xb8j" in line)
    head = lines[0].split(b",")
    col = head.index(b"pct_paedagoger_2024")
    cells = lines[i].split(b",")
    cells[col] = cells[col][:1] + byte + cells[col][1:]  # "43.9" -> "4\x003.9"
    lines[i] = b",".join(cells)
    f.write_bytes(b"\n".join(lines))
    needles = ("dagtilbud_kommune_stats.csv", f"linje {i + 1}", "kontroltegn",
               f"0x{byte[0]:02X}")
    if not cli:
        from opkval.base.errors import DataError
        from opkval.inputs.data import load_all

        with pytest.raises(DataError) as e:
            load_all(raw)
        assert all(n in str(e.value) for n in needles), str(e.value)
        return
    r = run([OPKVAL, "report", "--kommune", "Ishøj", "--out", str(tmp_path / "reports")],
            env={"OPKVAL_DATA_DIR": str(raw)})
    refused(r, *needles, seconds=30)
    assert not (tmp_path / "reports").exists()


# ------------------------------------------------------------------ 3. workbook bombs

def _template(tmp_path: Path, index) -> Path:
    """Ishøj's plan as the opkval template writes it (a valid .xlsx)."""
    from opkval.inputs.excel import write_workbook
    from opkval.inputs.plan import load_plan

    p = tmp_path / "plan.xlsx"
    write_workbook(p, index.resolve("Ishøj"),
                   load_plan(PROJECT_ROOT / "data" / "plans" / "ishoej.yaml", index,
                             config=PLAN_CONFIG), config=PLAN_CONFIG)
    return p


def _rewrite(src: Path, dst: Path, edit) -> Path:
    """Copy a zip container, passing each part's (name, bytes) through `edit`, which returns
    (new name, new bytes) or None to drop the part."""
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            out = edit(info.filename, zin.read(info.filename))
            if out is not None:
                zout.writestr(out[0], out[1])
    return dst


def _sheet_part(path: Path, title: str) -> str:
    import zipfile

    from opkval.inputs.workbook import _xlsx_sheet_parts

    with zipfile.ZipFile(path) as zf:
        return dict(_xlsx_sheet_parts(zf))[title]


def _inject(tmp_path, index, xml: bytes, name: str = "bombe.xlsx") -> Path:
    src = _template(tmp_path, index)
    part = _sheet_part(src, "Indsatser")
    return _rewrite(src, tmp_path / name, lambda n, b: (
        n, b.replace(b"</worksheet>", xml + b"</worksheet>") if n == part else b))


@pytest.mark.parametrize("cli,xml,needles", [(True, *row) if i < 2 else (False, *row)
                                             for i, row in enumerate([
    (b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>',
     ["flettet område A1:XFD1048576", "række 1.048.576", "grænsen er 5.000 rækker"]),
    (b'<hyperlinks><hyperlink ref="A1:XFD1048576" display="x" location="Plan!A1"/>'
     b'</hyperlinks>', ["link A1:XFD1048576", "grænsen er 5.000 rækker"]),
    (b'<mergeCells count="1"><mergeCell ref="A:A"/></mergeCells>',
     ["flettet område A:A", "række 1.048.576"]),
    (b'<hyperlinks><hyperlink ref="A1:CV2000" location="Plan!A1"/></hyperlinks>',
     ["antallet af celler i filen", "200.000"]),
    (b'<conditionalFormatting sqref="' + b" ".join(b"A%d" % i for i in range(1, 10_003))
     + b'"><cfRule type="expression" priority="1"><formula>TRUE</formula></cfRule>'
     b'</conditionalFormatting>', ["antallet af områder", "10.000"]),
])])
def test_a_range_a_reader_would_expand_is_bounded_first(tmp_path, index, cli, xml, needles):
    p = _inject(tmp_path, index, xml)
    assert p.stat().st_size < 200_000
    plan_refused(p, cli, "bombe.xlsx", *needles, seconds=15)


def _far_cell(part: str):
    """Edit: a value in cell A1048576 of `part` (over the row limit)."""
    def edit(n, b):
        if n == part:
            b = b.replace(b"</sheetData>", b'<row r="1048576"><c r="A1048576" t="inlineStr">'
                          b"<is><t>x</t></is></c></row></sheetData>")
        return n, b
    return edit


def test_row_limits_hold_for_a_sheet_part_addressed_through_dot_segments(tmp_path, index):
    src = _template(tmp_path, index)
    part = _sheet_part(src, "Indsatser")  # xl/worksheets/sheetN.xml
    leaf = part.split("/", 1)[1]
    far = _far_cell(part)

    def edit(n, b):
        n, b = far(n, b)
        if n == "xl/_rels/workbook.xml.rels":
            b = b.replace(f'Target="/{part}"'.encode(), f'Target="./{leaf}"'.encode())
            b = b.replace(f'Target="{leaf}"'.encode(), f'Target="./{leaf}"'.encode())
            assert f'"./{leaf}"'.encode() in b
        return n, b
    p = _rewrite(src, tmp_path / "prik.xlsx", edit)
    refused(plan_check(p), "prik.xlsx", "celle A1048576", "grænsen er 5.000 rækker",
            seconds=15)


def test_row_limits_hold_for_a_workbook_part_named_through_its_relations(tmp_path, index):
    src = _template(tmp_path, index)
    part = _sheet_part(src, "Indsatser")
    far = _far_cell(part)

    def edit(n, b):
        n, b = far(n, b)
        if n == "xl/workbook.xml":
            return "xl/bog.xml", b
        if n == "xl/_rels/workbook.xml.rels":
            return "xl/_rels/bog.xml.rels", b
        if n in ("[Content_Types].xml", "_rels/.rels"):
            b = b.replace(b"/xl/workbook.xml", b"/xl/bog.xml").replace(
                b"xl/workbook.xml", b"xl/bog.xml")
        return n, b
    p = _rewrite(src, tmp_path / "bog.xlsx", edit)
    refused(plan_check(p), "bog.xlsx", "celle A1048576", "grænsen er 5.000 rækker",
            seconds=15)


def test_two_sheets_matching_a_name_one_hidden_is_an_error_naming_both(tmp_path, index):
    from openpyxl import load_workbook

    src = _template(tmp_path, index)
    wb = load_workbook(src)
    copy = wb.copy_worksheet(wb["Indsatser"])
    copy.title = "indsatser "
    copy.sheet_state = "hidden"
    copy["B2"] = 5  # a different plan, out of sight
    wb.save(tmp_path / "to.xlsx")
    r = plan_check(tmp_path / "to.xlsx")
    refused(r, "to.xlsx", "2 ark svarer til 'Indsatser'", "'Indsatser'",
            "'indsatser ' (skjult)", seconds=15)


ODS_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
            b'<office:body><office:spreadsheet><table:table table:name="Plan">')
ODS_TAIL = b"</table:table></office:spreadsheet></office:body></office:document-content>"


def _ods(path: Path, rows: bytes) -> Path:
    import zipfile

    manifest = (b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
                b'"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                b'<manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
                b'vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path='
                b'"content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", ODS_HEAD + rows + ODS_TAIL)
    return path


@pytest.mark.parametrize("cell,needles", [
    (b'<table:table-cell table:number-columns-repeated="100"><text:list><text:list-item>'
     b"<text:p>x</text:p></text:list-item></text:list></table:table-cell>",
     ["antallet af udfyldte celler", "50.000"]),
    (b'<table:table-cell table:number-columns-repeated="100"><text:h>x</text:h>'
     b"</table:table-cell>", ["antallet af udfyldte celler", "50.000"]),
])
def test_an_ods_cell_repeated_a_million_times_is_counted_as_the_reader_reads_it(
        tmp_path, cell, needles):
    rows = b'<table:table-row table:number-rows-repeated="1000">' + cell + b"</table:table-row>"
    p = _ods(tmp_path / "gentaget.ods", rows)
    assert p.stat().st_size < 2_000
    refused(plan_check(p), "gentaget.ods", *needles, seconds=15)


def test_an_ods_comment_only_cell_repeated_a_million_times_is_not_expanded(tmp_path):
    """A comment is not a value: neither the scanner nor the reader counts it, and the reader
    does not build a million cells for it (the plan is refused for its missing sheets)."""
    from opkval.inputs.workbook import read_sheets

    cell = (b'<table:table-cell table:number-columns-repeated="1000"><office:annotation>'
            b"<text:p>kommentar</text:p></office:annotation></table:table-cell>")
    rows = b'<table:table-row table:number-rows-repeated="1000">' + cell + b"</table:table-row>"
    p = _ods(tmp_path / "kommentar.ods", rows)
    r = plan_check(p)
    refused(r, "kommentar.ods", "arket 'Indsatser' mangler", seconds=15)
    assert read_sheets(p)["Plan"].cells == {}


# ------------------------------------------------- 10 and the batch: locks, workers, signals

def test_an_own_reason_for_a_full_disk_is_kept():
    import errno

    from opkval.base.fileio import reason

    own = "der er kun 3 MB fri; der skal være mindst 50 MB"
    assert reason(OSError(errno.ENOSPC, own, "/x")) == own
    assert reason(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/x")) == "disken er fuld"


def test_a_full_output_folder_names_the_free_space_at_the_command_line(tmp_path, monkeypatch,
                                                                      capsys):
    """The check's own words reach the user (not the generic 'disken er fuld')."""
    import collections

    from opkval.app import cli
    from opkval.base import fileio

    usage = collections.namedtuple("usage", "total used free")
    monkeypatch.setattr(fileio.shutil, "disk_usage", lambda p: usage(10 * MB, 7 * MB, 3 * MB))
    rc = cli.main(["report", "--kommune", "Ishøj", "--out", str(tmp_path / "ud")])
    err = capsys.readouterr().err
    assert rc == 2 and "der er kun 3 MB fri; der skal være mindst 50 MB" in err, err
    assert "disken er fuld" not in err and not (tmp_path / "ud").exists()


def test_the_output_lock_excludes_a_second_writer(tmp_path):
    import errno

    from opkval.base.fileio import output_lock, reason

    out = tmp_path / "reports"
    with output_lock(out):
        with pytest.raises(OSError) as e, output_lock(out):
            pass
        assert e.value.errno == errno.EBUSY and "anden opkval-kørsel" in reason(e.value)
        assert list(out.iterdir()) == []  # no lock file: the lock is on the folder itself
    with output_lock(out):  # released with the first
        pass


def test_a_note_whose_json_another_command_rewrote_is_not_current(tmp_path):
    from opkval.app.batch import _current, _stats
    from opkval.base.fileio import file_sha256

    (tmp_path / "x.json").write_text('{"a": 1}', encoding="utf-8")
    (tmp_path / "x.html").write_text("<p>", encoding="utf-8")
    names = ["x.json", "x.html"]
    entry = {"fingerprint": "f", "status": "ok", "stat": _stats(tmp_path, names),
             "sha256": {"x.json": file_sha256(tmp_path / "x.json")}}
    assert _current(entry, "f", tmp_path, names)
    st = (tmp_path / "x.json").stat()
    (tmp_path / "x.json").write_text('{"a": 2}', encoding="utf-8")  # same size, other bytes
    os.utime(tmp_path / "x.json", ns=(st.st_atime_ns, st.st_mtime_ns))  # and the same mtime
    assert not _current(entry, "f", tmp_path, names)


def _start(args: list[str], **kw) -> subprocess.Popen:
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=PROJECT_ROOT, start_new_session=True, **kw)


@pytest.mark.slow
def test_make_report_during_make_reports_is_refused_naming_the_folder(tmp_path):
    from tests.test_hostile import descendants, kernels_of, living, wait_for

    out = tmp_path / "reports"
    batch = _start([OPKVAL, "reports", "--kommuner", "Fanø,Læsø", "--year", "2026",
                    "--format", "html", "--jobs", "1", "--out", str(out)])
    try:
        wait_for(lambda: kernels_of(descendants(batch.pid)), 90, "the batch's kernel")
        r = run([OPKVAL, "report", "--kommune", "Ishøj", "--year", "2026", "--format", "html",
                 "--out", str(out)], timeout=120)
        refused(r, str(out), "anden opkval-kørsel", seconds=60)
        assert not (out / "ishoej.html").exists()
    finally:
        tree = descendants(batch.pid)
        _, err = batch.communicate(timeout=180)
    assert batch.returncode == 0, err
    wait_for(lambda: not living(tree), 10, "the batch's workers to end")


@pytest.mark.slow
def test_a_killed_worker_fails_only_its_note_and_a_new_worker_builds_the_rest(tmp_path):
    from tests.test_hostile import descendants, kernels_of, living, temp_dirs, wait_for

    out = tmp_path / "reports"
    kommuner = {"fanoe": "Fanø", "laesoe": "Læsø", "aeroe": "Ærø"}
    batch = _start([OPKVAL, "reports", "--kommuner", ",".join(kommuner.values()), "--year",
                    "2026", "--format", "html", "--jobs", "1", "--out", str(out)])
    kernel = wait_for(lambda: kernels_of(descendants(batch.pid)), 90, "the worker's kernel")
    wait_for(lambda: temp_dirs(out), 90, "a note's temp folder")  # a task is running
    worker = {int(Path(f"/proc/{k}/stat").read_text().rsplit(")", 1)[1].split()[1])
              for k in kernel}
    assert len(worker) == 1
    os.kill(worker.pop(), signal.SIGKILL)
    _, err = batch.communicate(timeout=300)
    assert batch.returncode == 1, err
    assert "Traceback" not in err and "BrokenProcessPool" not in err
    assert err.count("(arbejdsproces)") == 1 and "starter en ny" in err, err
    assert "1 fejl:" in err, err
    built = [s for s in kommuner if (out / f"{s}.html").exists()]
    overview = (out / "landsoversigt.html").exists()
    assert len(built) + overview == len(kommuner), err  # all but the one that was running
    wait_for(lambda: not living(descendants(batch.pid)), 10, "workers to end")
    assert temp_dirs(out) == []


@pytest.mark.slow
def test_opkval_reports_ends_with_make_on_sigkill(tmp_path):
    """make's SIGKILL leaves `opkval reports` an orphan unless it asked for a signal when its
    parent ends (PR_SET_PDEATHSIG, under make)."""
    from tests.test_hostile import descendants, kernels_of, living, wait_for

    out = tmp_path / "reports"
    make = _start(["make", "--no-print-directory", "reports", "JOBS=1", "YEAR=2026",
                   "FORMAT=html", f"OUT={out}"])
    wait_for(lambda: kernels_of(descendants(make.pid)), 120, "the batch's kernel")
    tree = descendants(make.pid)
    os.kill(make.pid, signal.SIGKILL)
    make.communicate(timeout=30)
    wait_for(lambda: not living(tree), 30, "opkval reports, its workers and kernels to end")


@pytest.mark.slow
def test_sighup_stops_a_report_cleanly(tmp_path):
    from tests.test_hostile import descendants, kernels_of, wait_for

    out = tmp_path / "reports"
    p = _start([OPKVAL, "report", "--kommune", "Ishøj", "--format", "html", "--out", str(out)])
    wait_for(lambda: kernels_of(descendants(p.pid)), 60, "the kernel")
    os.kill(p.pid, signal.SIGHUP)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 129, err
    assert "Traceback" not in err and "afbrudt af SIGHUP" in err


# ------------------------------------------------------------------ majors and minors

def test_a_tilsagn_of_93_percent_of_the_pool_is_refused(tmp_path):
    # 2023's pool is 107,0 mio. kr. (opkval/config/pulje.yaml); 99.500.000 kr. is 93,0 % of
    # it, under the 100-mio. amount limit, and no kommune has more than 12,5 % of the key.
    r = plan_check(plan_with(tmp_path, "tilsagn:\n  - {aar: 2023, beloeb: 99500000, "
                                       "kilde: Brev}\n"))
    refused(r, "tilsagn[1].beloeb", "99.500.000 kr. er 93,0 % af hele puljen for 2023",
            "grænsen er 15 %", seconds=10)


def test_a_plausible_tilsagn_passes(tmp_path):
    r = plan_check(plan_with(tmp_path, "tilsagn:\n  - {aar: 2023, beloeb: 280000, "
                                       "kilde: Brev}\n"))
    assert r.code == 0, r.err


def test_an_allocation_row_spanning_years_without_a_pool_is_named(tmp_path):
    from opkval.inputs.data import FILES, pins_text, validate_file

    raw = _raw_copy(tmp_path)
    f = raw / "known_allocations.csv"
    f.write_text(f.read_text(encoding="utf-8").replace(",2023-2024,817000,", ",2030-2031,817000,"),
                 encoding="utf-8")
    # The analyst updated the pins with the file: the data are valid as data.
    tables = {n: validate_file(raw / n) for n in FILES}
    (raw / "pins.csv").write_text(pins_text(raw, tables), encoding="utf-8")
    r = run([OPKVAL, "report", "--kommune", "Dragør", "--format", "html", "--out",
             str(tmp_path / "reports")], env={"OPKVAL_DATA_DIR": str(raw)}, timeout=120)
    refused(r, "known_allocations.csv", "'2030-2031'", "2031", "puljen ikke har noget beløb",
            seconds=60)
    assert "KeyError" not in r.err and not (tmp_path / "reports").exists()


def test_a_plan_that_links_to_a_system_file_is_one_short_line(tmp_path):
    src = tmp_path / "system.conf"
    src.write_text("".join(f"Setting{i}: value {i} secret{i}\n" for i in range(300)),
                   encoding="utf-8")
    (tmp_path / "link.yaml").symlink_to(src)
    r = plan_check(tmp_path / "link.yaml")
    refused(r, "link.yaml", "ligner ikke en plan", "300 felter", seconds=10)
    assert "secret" not in r.err and "Setting1" not in r.err and len(r.err) < 600


def test_an_unknown_long_key_is_clipped(tmp_path):
    r = plan_check(plan_with(tmp_path, "x" * 900 + ": 1\n"))
    refused(r, "ukendt felt", seconds=10)
    assert "x" * 50 not in r.err and len(r.err) < 1500


def test_a_plan_over_the_value_limit_without_aliases_is_not_called_an_alias_bomb(tmp_path):
    head, item = GOOD.split("indsatser:\n")
    big = head + "indsatser:\n" + "".join(
        item.replace("Meritpædagoguddannelse", f"Indsats {i}") for i in range(2000))
    (tmp_path / "stor.yaml").write_text(big, encoding="utf-8")
    assert (tmp_path / "stor.yaml").stat().st_size < 512 * 1024
    r = plan_check(tmp_path / "stor.yaml")
    refused(r, "stor.yaml", "grænsen er 20.000", "højst 100 indsatser", seconds=15)
    assert "aliaser" not in r.err


def test_a_symlink_loop_as_plan_says_so(tmp_path):
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    r = plan_check(tmp_path / "loop.yaml")
    refused(r, "loop.yaml", "løkke af symbolske links", seconds=10)
    assert "uventet" not in r.err
    r = run([OPKVAL, "report", "--kommune", "Ishøj", "--plan", str(tmp_path / "loop.yaml"),
             "--out", str(tmp_path / "reports")])
    refused(r, "løkke af symbolske links", seconds=30)
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("var", ["KOMMUNE", "EXTRA", "PLAN"])
def test_a_newline_in_a_make_parameter_is_a_danish_message(tmp_path, var):
    value = {"KOMMUNE": "Ish\nøj", "EXTRA": "meritpaedagog:4:2026\nrm -rf x",
             "PLAN": "a\nb.yaml"}[var]
    args = ["make", "--no-print-directory", "report", f"{var}={value}",
            f"OUT={tmp_path / 'reports'}"]
    if var != "KOMMUNE":
        args.append("KOMMUNE=Ishøj")
    r = run(args, timeout=120)
    assert r.code == 2, r.err
    assert f"Parameteren {var} indeholder et linjeskift" in r.err, r.err
    assert "command not found" not in r.err and "syntax error" not in r.err
    assert not (tmp_path / "reports").exists()


def test_library_warnings_do_not_reach_the_user(tmp_path, index):
    """openpyxl warns in English about a data-validation extension it drops; the user sees
    opkval's own words only (OPKVAL_DEBUG=1 shows the warning: the test can fail)."""
    ext = (b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" xmlns:x14="http://'
           b'schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:dataValidations '
           b'count="0"/></ext></extLst>')
    p = _inject(tmp_path, index, ext, name="udvidelse.xlsx")
    debug = run([OPKVAL, "plan", "check", str(p)], env={"OPKVAL_DEBUG": "1"})
    assert "extension is not supported" in debug.err, debug.err[-1000:]
    r = plan_check(p)
    assert r.code == 0, r.err[-1000:]
    assert "extension" not in r.err and "Warning" not in r.err and "warn(" not in r.err


def test_a_decimal_comma_in_a_data_file_is_named_in_danish(tmp_path):
    raw = _raw_copy(tmp_path)
    f = raw / "dagtilbud_kommune_stats.csv"
    lines = f.read_text(encoding="utf-8").split("\n")
    head = lines[0].split(",")
    col = head.index("pct_paedagoger_2024")
    cells = lines[1].split(",")
    cells[col] = '"' + cells[col].replace(".", ",") + '"'
    lines[1] = ",".join(cells)
    f.write_text("\n".join(lines), encoding="utf-8")
    r = run([OPKVAL, "report", "--kommune", "Ishøj", "--out", str(tmp_path / "reports")],
            env={"OPKVAL_DATA_DIR": str(raw)})
    refused(r, "dagtilbud_kommune_stats.csv", "linje 2", "pct_paedagoger_2024",
            "decimalkomma", seconds=30)
    assert "TypeError" not in r.err and not (tmp_path / "reports").exists()


# ------------------------------------------------ 7. what a batch reads next to a plan

def test_the_fingerprint_reads_only_what_the_plan_names_and_never_a_fifo(tmp_path,
                                                                        monkeypatch):
    from opkval.app import batch
    from opkval.base import fileio

    read: list[str] = []
    real = fileio.file_sha256
    monkeypatch.setattr(fileio, "file_sha256", lambda p: read.append(Path(p).name) or real(p))
    (tmp_path / "kommentar.png").write_bytes(b"x" * 1000)  # named only in a comment
    (tmp_path / "logo.png").write_bytes(b"logo")
    os.mkfifo(tmp_path / "forrige.yaml")  # opening it would hang the batch
    plan = tmp_path / "plan.yaml"
    plan.write_text(GOOD + "# se kommentar.png\nnotat:\n  logo: logo.png\n"
                    "forrige: forrige.yaml\n", encoding="utf-8")
    content = plan.read_bytes()
    done = threading.Event()
    out: list[bytes] = []
    t = threading.Thread(target=lambda: (out.append(batch._plan_inputs(plan, content)),
                                         done.set()), daemon=True)
    t.start()
    assert done.wait(10), "the fingerprint opened the FIFO"
    assert read == ["logo.png"]
    assert b"kommentar.png" not in out[0] and b"forrige.yaml" in out[0]
    # A changed logo changes the fingerprint; a changed commented-on file does not.
    (tmp_path / "kommentar.png").write_bytes(b"y" * 1000)
    assert batch._plan_inputs(plan, content) == out[0]
    (tmp_path / "logo.png").write_bytes(b"logo2")
    assert batch._plan_inputs(plan, content) != out[0]
