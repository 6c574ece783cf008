"""Text alternatives say what each chart shows, every series included, and every figure has a
visible caption. Expected values come from the context's own numbers, formatted by hand."""

import re
from html.parser import HTMLParser

import pytest

from opkval.assembly.context import build_context
from opkval.sections import charts
from tests.conftest import SITE_SLUGS


@pytest.fixture(scope="module")
def helsingoer(data, index):
    return build_context(data, index.resolve("Helsingør"), 2026)


@pytest.fixture(scope="module")
def ishoej_ctx(data, index):
    return build_context(data, index.resolve("Ishøj"), 2026)


def test_normering_alt_names_the_median_series_and_says_an_empty_series_is_empty(helsingoer):
    n = helsingoer["gaps"]["normering"]
    assert n["kommune"]["Dagpleje"] == [None] * 7  # Helsingør has no dagpleje figures
    alt = charts.normering_trend(helsingoer).alt
    assert "Dagpleje: Helsingør: ingen tal (serien er tom)" in alt
    assert "Dagpleje ;" not in alt
    # The median of kommunerne for dagpleje, 2017 and 2023 (3.3 and 3.2 in the context).
    assert "medianen af kommunerne 2017: 3,3" in alt and "2023: 3,2." in alt
    # The kommune's own 0-2 år series, first and last year.
    assert "Helsingør 2017: 3,1" in alt and "Opgørelsesmetoden skiftede i 2023." in alt
    assert alt.count("medianen af kommunerne ") == 1 + 3  # intro + one per panel


@pytest.mark.parametrize("kommune", ["Ishøj", "Helsingør", "Læsø", "København"])
def test_normering_axis_labels_say_their_ticks_exactly(data, index, kommune):
    """Each panel's y labels (one decimal) are evenly spaced values: no 0,25 steps shown
    rounded (2,5 2,8 3,0 3,3 would say 2,75 is 2,8)."""
    from decimal import Decimal

    svg = charts.normering_trend(build_context(data, index.resolve(kommune), 2026)).svg
    ys = [[Decimal(t.replace(",", ".")) for t in re.findall(r">(\d+,\d)</text>", axis)]
          for axis in re.split(r'<g id="matplotlib\.axis_\d+">', svg)[1:]]
    ys = [y for y in ys if len(y) > 2 and len(set(y)) == len(y)]  # the three y axes
    assert len(ys) == 3
    for labels in ys:
        steps = {b - a for a, b in zip(labels, labels[1:], strict=False)}
        assert len(steps) == 1 and steps.pop() in {Decimal("0.1"), Decimal("0.2"),
                                                   Decimal("0.5"), Decimal("1.0")}, labels


def test_grants_alt_includes_the_key_estimate_dots_when_they_differ(ishoej_ctx):
    chart = charts.grants_by_year(ishoej_ctx)
    g2023 = next(g for g in ishoej_ctx["grants"] if g["aar"] == 2023)
    assert g2023["skoen_kr"] != g2023["beloeb_kr"]  # Ishøj: the key does not explain it
    assert "2023: 280.000\xa0kr. (tilsagn)" in chart.alt
    dots = chart.alt.split("Prikker: skøn efter nøglen")[1]
    skoen = f"{g2023['skoen_kr']:,}".replace(",", ".")
    assert f"2023: {skoen}\xa0kr." in dots and "kr.." not in chart.alt
    assert "prikkerne" in chart.caption


def test_grants_alt_has_no_dots_when_the_estimate_is_the_grant(helsingoer):
    chart = charts.grants_by_year(helsingoer)
    assert "Prikker" not in chart.alt and "prikkerne" not in chart.caption


def test_national_histogram_alt_counts_every_kommune(data):
    from opkval import PROJECT_ROOT
    from opkval.assembly.national import national_context

    nctx = national_context(data, PROJECT_ROOT / "reports", 2026)
    alt = charts.national_staff_distribution(nctx).alt
    counts = [int(c) for c in re.findall(r"%: (\d+)", alt)]
    assert sum(counts) == 98


class _Figures(HTMLParser):
    def __init__(self):
        super().__init__()
        self.figures: list[dict] = []
        self._in = None

    def handle_starttag(self, tag, attrs):
        if tag == "figure":
            self.figures.append({"img": [], "caption": ""})
        elif tag == "img":
            self.figures[-1]["img"].append(dict(attrs).get("alt"))
        elif tag == "figcaption":
            self._in = self.figures[-1]

    def handle_endtag(self, tag):
        if tag == "figcaption":
            self._in = None

    def handle_data(self, text):
        if self._in is not None:
            self._in["caption"] += text


@pytest.mark.slow
@pytest.mark.parametrize("slug", (*SITE_SLUGS, *(f"{s}-analyse" for s in SITE_SLUGS),
                                  "landsoversigt"))
def test_every_image_in_a_built_note_has_a_real_alternative_and_a_caption(built_site, slug):
    html = (built_site / f"{slug}.html").read_text(encoding="utf-8")
    p = _Figures()
    p.feed(html)
    # The analysis and the overview carry the charts; the bilag may have none.
    assert p.figures or slug in SITE_SLUGS
    assert html.count("<img") == sum(len(f["img"]) for f in p.figures)
    for f in p.figures:
        (alt,) = f["img"]
        assert alt and alt.strip() not in ("Diagram", "Chart", "")
        assert not re.search(r"<.*object at 0x|Chart\(|Figure\(|\bNone\b|\bnan\b", alt), alt
        assert len(alt) > 80 and re.search(r"\d", alt), alt  # says what the chart shows
        assert " ;" not in alt and ": ;" not in alt
        assert len(f["caption"].strip()) > 20, f
