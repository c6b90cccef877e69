"""Postmortems as documents: completeness, and Markdown out and back in."""

from __future__ import annotations

from datetime import date

from ninefold.incidents.model import Severity
from ninefold.incidents.postmortem import (
    SECTIONS,
    ActionItem,
    Document,
    ItemKind,
    completeness,
    from_markdown,
    to_markdown,
)

FILLED = {s.key: f"About {s.title.lower()}." for s in SECTIONS if s.required}
PREVENT = ActionItem(ItemKind.PREVENT, "Add a canary stage", "maria", date(2026, 3, 20), "high")
PROCESS = ActionItem(ItemKind.PROCESS, "Write the rollback down")


def test_a_complete_postmortem_scores_one() -> None:
    assert completeness(Document("Checkout down", FILLED, [PREVENT]), Severity.SEV1).score == 1.0


def test_what_is_missing_is_named_and_scored() -> None:
    # Six required sections, one action item, and for SEV1 a prevent or detect one: 8 checks.
    sections = {**FILLED, "trigger": "  "}
    found = completeness(Document("x", sections, [PROCESS]), Severity.SEV1)
    assert found.missing == ("section Trigger", "a prevent or detect action item (SEV1)")
    assert found.score == 6 / 8
    # A SEV2 needs no prevent or detect item: 7 checks, the trigger missing.
    assert completeness(Document("x", sections, [PROCESS]), Severity.SEV2).score == 6 / 7
    assert completeness(Document("x", {}, []), Severity.SEV3).score == 0.0


def test_markdown_out_and_back_in_is_the_same_document() -> None:
    document = Document("Checkout down on 2 March", {**FILLED, "lucky": "It was a Monday."},
                        (PREVENT, PROCESS))  # fmt: skip
    text = to_markdown(document)
    assert "## Root causes and contributing factors\n\nAbout root causes" in text
    assert "- prevent: Add a canary stage | owner: maria | due: 2026-03-20 | priority: high" in text
    back, problems = from_markdown(text)
    assert problems == []
    assert back.title == document.title
    assert {k: v for k, v in back.sections.items() if v} == dict(document.sections)
    assert back.items == document.items


def test_what_cannot_be_read_is_named_by_line_and_the_rest_kept() -> None:
    text = "\n".join(
        [
            "# Cart slow",  # 1
            "## Summary",  # 2
            "Slow carts.",  # 3
            "## Feelings",  # 4
            "Bad.",  # 5
            "## Action items",  # 6
            "- fix: everything",  # 7
            "- detect: Alert on p99 | owner: kenji | due: next week",  # 8
            "- mitigate: Shed load | colour: red",  # 9
            "* prevent: a star bullet",  # 10
            "- prevent: Cap the cart size | owner: diego",  # 11
        ]
    )
    document, problems = from_markdown(text)
    assert [(p.line, p.message.split(";")[0].split("(")[0].strip()) for p in problems] == [
        (4, "unknown section 'Feelings'"),
        (7, "an action item starts with its kind"),
        (8, "due: 'next week' is not a date"),
        (9, "unknown action item field 'colour: red'"),
        (10, "an action item is a list line: '- <kind>: <title> | ...'"),
    ]
    assert document.sections["summary"] == "Slow carts."
    assert document.items == (ActionItem(ItemKind.PREVENT, "Cap the cart size", "diego"),)


def test_a_document_without_a_title_says_so() -> None:
    _, problems = from_markdown("## Summary\nx\n")
    assert str(problems[0]) == "line 1: no title: the first heading must be '# <title>'"
