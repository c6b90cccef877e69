"""`ninefold check` on the shadows of a schedule's layers: they must be users who can be
reached, shadow someone of the layer, and be written once; each problem as
`file:line: field: message`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.config.test_check import problems_of
from tests.unit.config.test_check_paging import oncall


def shadows(*lines: str) -> dict[str, str]:
    """The paging base of test_check_paging with these lines under the layer's `shadows:`."""
    written = "".join(f"                      {line}\n" for line in lines)
    return oncall(
        schedules=f"""\
            schedules:
              - name: primary
                layers:
                  - name: weekly
                    participants: [alice, bob]
                    start: 2026-01-05
                    shadows:
{written}"""
    )


CASES = [
    pytest.param(
        shadows("- person: dave", "  of: bob", "- person: carol"),
        [
            "oncall.yaml:10: schedules[0].layers[0].shadows[1].person: user 'carol' is a shadow "
            "on schedule 'primary' but has no contact method (add contact_methods or an email)"
        ],
        id="a shadow must be reachable: paged with the person they shadow",
    ),
    pytest.param(
        shadows("- person: zoe", "  of: alice"),
        ["oncall.yaml:8: schedules[0].layers[0].shadows[0].person: no user named 'zoe'"],
        id="an unknown shadow is pointed at where it is written",
    ),
    pytest.param(
        shadows("- {person: eve}"),
        [
            "oncall.yaml:8: schedules[0].layers[0].shadows[0].person: warning: user 'eve' is a "
            "shadow on schedule 'primary' but is a viewer: paged, they can neither acknowledge "
            "nor resolve (make them a responder)"
        ],
        id="a viewer shadowing is warned of",
    ),
    pytest.param(
        shadows("- person: dave", "  of: carol"),
        [
            "oncall.yaml:4: schedules[0].layers[0]: shadows[0].of: 'carol' is not "
            "a participant of layer 'weekly'"
        ],
        id="a shadow shadows turns of the layer",
    ),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_check_reports_shadow_problems(root: Path, files: dict[str, str], expected) -> None:
    assert problems_of(root, files) == expected
