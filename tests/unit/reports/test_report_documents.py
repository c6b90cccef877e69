"""Report periods by name, handoffs found in shifts, and one document in each format."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ninefold.errors import Invalid
from ninefold.reports import periods
from ninefold.reports.charts import Bar
from ninefold.reports.document import Chart, Column, Measure, Report, Section, Table
from ninefold.reports.handoff import handoffs
from ninefold.reports.paging_kpis import ShiftRecord
from ninefold.reports.render import to_html, to_json, to_markdown


def at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "text", "start", "end"),
    [
        ("weekly", "2026-W01", datetime(2025, 12, 29, tzinfo=UTC), at(1, 5)),  # ISO week 1
        ("monthly", "2026-12", at(12, 1), datetime(2027, 1, 1, tzinfo=UTC)),
        ("quarterly", "2026-Q4", at(10, 1), datetime(2027, 1, 1, tzinfo=UTC)),
    ],
)
def test_a_named_period(kind: str, text: str, start: datetime, end: datetime) -> None:
    found = periods.named(kind, text, at(6, 1))
    assert (found.start, found.end) == (start, end)
    assert periods.label(kind, found) == text


def test_without_a_name_the_last_whole_period_before_now() -> None:
    """Thursday 3 December 2026: the week of 23 November, November, the third quarter."""
    now = datetime(2026, 12, 3, 10, tzinfo=UTC)
    assert periods.label("weekly", periods.named("weekly", None, now)) == "2026-W48"
    assert periods.label("monthly", periods.named("monthly", None, now)) == "2026-11"
    assert periods.label("quarterly", periods.named("quarterly", None, now)) == "2026-Q3"
    january = datetime(2026, 1, 2, tzinfo=UTC)
    assert periods.label("monthly", periods.named("monthly", None, january)) == "2025-12"
    assert periods.label("quarterly", periods.named("quarterly", None, january)) == "2025-Q4"


def test_bad_names_are_refused() -> None:
    with pytest.raises(Invalid, match="2026-11, not '2026-00'"):
        periods.named("monthly", "2026-00", at(6, 1))
    with pytest.raises(Invalid, match="2025 has no ISO week 53"):
        periods.named("weekly", "2025-W53", at(6, 1))  # 2025 ends on a Wednesday
    assert periods.named("weekly", "2026-W53", at(6, 1)).start == at(12, 28)


def test_a_handoff_is_where_someones_shift_ends_and_another_takes_over() -> None:
    """ana is on call 1-8 June, then ben; cy, on a second layer, 5-10 June. On 8 June ana
    hands over to ben and cy; on 10 June cy leaves ben alone. dan's schedule is another."""
    shifts = [
        ShiftRecord("s", "ana", at(6, 1), at(6, 8)),
        ShiftRecord("s", "ben", at(6, 8), at(6, 15)),
        ShiftRecord("s", "cy", at(6, 5), at(6, 10)),
        ShiftRecord("other", "dan", at(6, 1), at(6, 9)),
    ]
    found = handoffs(shifts, "s", at(6, 1), at(6, 12))
    assert [(h.at, h.outgoing, h.incoming, h.shift_start) for h in found] == [
        (at(6, 8), ("ana",), ("ben", "cy"), at(6, 1)),
        (at(6, 10), ("cy",), ("ben",), at(6, 5)),
    ]
    assert handoffs(shifts, "s", at(6, 8), at(6, 9)) == []  # (since, until]: 8 June excluded


REPORT = Report(
    kind="monthly",
    title="Monthly reliability report, 2026-03",
    start=at(3, 1),
    end=at(4, 1),
    selection="team payments",
    generated_at=at(4, 2),
    partial=False,
    sections=(
        Section(
            "Incidents",
            ("1 incident | with a pipe.",),
            tables=(
                Table(
                    "Incidents",
                    (
                        Column("Incident"),
                        Column("Impact", "minutes"),
                        Column("Share", "ratio"),
                        Column("MTTR"),
                    ),
                    [("#1 <b>down</b>", 80.0, 0.25, Measure(None, "minutes"))],
                    links=["/incidents/1"],
                ),
                Table("Empty", (Column("X"),), [], "Nothing here."),
            ),
            charts=(Chart("MTTR", (Bar("2026-02", 100, "100"), Bar("2026-03", None, "no data"))),),
        ),
    ),
)


def test_one_document_in_markdown_html_and_json() -> None:
    markdown = to_markdown(REPORT, "http://n.test")
    assert (
        "| [#1 <b>down</b>](http://n.test/incidents/1) | 80.0 min | 25.0% | no data |" in markdown
    )
    assert "Nothing here." in markdown
    assert "MTTR: 2026-02: 100, 2026-03: no data." in markdown
    html = to_html(REPORT, "http://n.test")
    assert '<a href="http://n.test/incidents/1">#1 &lt;b&gt;down&lt;/b&gt;</a>' in html
    assert html.count("<svg") == 1
    rows = to_json(REPORT)["sections"][0]["tables"][0]["rows"]
    assert rows == [
        {"incident": "#1 <b>down</b>", "impact": 80.0, "share": 0.25,
         "mttr": {"value": None, "unit": "minutes"}}
    ]  # fmt: skip
    json.dumps(to_json(REPORT))
