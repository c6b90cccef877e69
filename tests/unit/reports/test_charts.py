"""The server-side SVG bar charts: what each bar and the target line say, and where they
are drawn."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from ninefold.reports.catalogue import Target
from ninefold.reports.charts import Bar, bar_chart, goal_of

SVG = "{http://www.w3.org/2000/svg}"


def parsed(markup: str) -> ElementTree.Element:
    return ElementTree.fromstring(markup)  # noqa: S314 (markup made by the test itself)


def test_bars_scale_to_the_tallest_and_no_data_is_a_hollow_stub_not_a_zero() -> None:
    """Height 44, no labels: the plot is 42 px tall. Values 10 and 20 (the top): 21 and 42
    px; the no-data bar is a 3 px dashed outline with no fill."""
    markup = bar_chart(
        [Bar("w1", 10, "10"), Bar("w2", None, "no data"), Bar("w3", 20, "20")], title="t"
    )
    rects = parsed(markup).findall(f"{SVG}rect")
    assert [r.get("height") for r in rects] == ["21.0", "3", "42.0"]
    assert rects[1].get("fill") == "none"
    assert [r.findtext(f"{SVG}title") for r in rects] == ["w1: 10", "w2: no data", "w3: 20"]


def test_the_last_bar_says_whether_it_meets_and_the_target_is_a_dashed_line() -> None:
    """Goal 5 on a top of 20: 42 - 5 x 42 / 20 = 31.5 px from the top."""
    markup = bar_chart(
        [Bar("a", 20, "20"), Bar("b", 8, "8")], title="t", goal=5, goal_label="≤ 5", meets=False
    )
    root = parsed(markup)
    last = root.findall(f"{SVG}rect")[-1]
    assert last.get("fill") == "#c62828"
    line = root.find(f"{SVG}line")
    assert line is not None
    assert (line.get("y1"), line.findtext(f"{SVG}title")) == ("31.5", "≤ 5")


def test_text_is_escaped() -> None:
    markup = bar_chart([Bar("<b>", 1, "&")], title='"x"')
    assert "<b>" not in markup
    assert re.search(r"&lt;b&gt;: &amp;", markup)
    parsed(markup)


def test_the_goal_of_a_bound_or_of_a_change_against_the_period_before() -> None:
    assert goal_of(Target(at_most=5), previous=None) == 5
    assert goal_of(Target(change_at_most=-0.1), previous=200) == 180
    assert goal_of(Target(change_at_most=-0.1), previous=None) is None
    assert goal_of(Target(), previous=3) is None
