"""A runbook file read: front matter, title, sections, and each problem at the file's line."""

from __future__ import annotations

from datetime import date

from ninefold.runbooks.document import parse

GOOD = """---
service: payments
alerts: [PaymentsDown]
review_days: 30
last_tested: 2026-11-02
---
# Payments are down

## Triage
Look at the dashboard.

## Mitigation
Fail over.

## Escalation
Page the lead.

## Rollback plan
Fail back.

## Verification
Errors under 1%.
"""


def test_a_good_runbook_reads_whole() -> None:
    parsed = parse(GOOD, "runbooks/payments-down.md", "payments-down")
    assert parsed.problems == []
    assert parsed.front is not None
    assert (parsed.front.service, parsed.front.alerts) == ("payments", ["PaymentsDown"])
    assert (parsed.front.review_days, parsed.front.last_tested) == (30, date(2026, 11, 2))
    assert parsed.title == "Payments are down"
    assert parsed.body.startswith("# Payments are down")
    assert {name: s.line for name, s in parsed.sections.items()} == {
        "triage": 9,
        "mitigation": 12,
        "escalation": 15,
        "rollback": 18,
        "verification": 21,
    }


def test_without_front_matter_it_says_how_to_write_it() -> None:
    [problem] = parse("# Just text\n", "r.md", "r").problems
    assert (problem.line, problem.field) == (1, "front matter")
    assert "---" in problem.message


def test_front_matter_that_does_not_parse_is_named_at_its_line() -> None:
    text = "---\nservice: payments\nalerts: [A, B\n---\n" + GOOD.split("---\n", 2)[2]
    problems = parse(text, "r.md", "r").problems
    assert [(p.field, p.line) for p in problems] == [("yaml", 3)]  # the unclosed list


def test_unknown_keys_and_bad_values_point_at_their_line() -> None:
    text = GOOD.replace("review_days: 30", "review_days: 0\nreviewer: ana").replace(
        "[PaymentsDown]", "[payments-down]"
    )
    problems = {(p.line, p.field): p.message for p in parse(text, "r.md", "r").problems}
    assert set(problems) == {(3, "alerts[0]"), (4, "review_days"), (5, "reviewer")}
    assert problems[(5, "reviewer")] == "unknown key"


def test_missing_and_empty_sections_are_named() -> None:
    text = GOOD.replace("## Rollback plan\nFail back.\n", "").replace("Fail over.\n", "")
    problems = [(p.line, p.message) for p in parse(text, "r.md", "r").problems]
    assert problems == [
        (7, "missing rollback (## Rollback)"),
        (12, "mitigation: the section is empty"),
    ]


def test_a_subsection_is_content_and_the_title_falls_back_to_the_name() -> None:
    text = GOOD.replace("# Payments are down\n", "").replace("Page the lead.", "### Who\nThe lead.")
    parsed = parse(text, "r.md", "payments-down")
    assert parsed.problems == []
    assert parsed.title == "payments-down"
