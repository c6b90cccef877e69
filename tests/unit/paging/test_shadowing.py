"""Who a step pages as a shadow of whom, and how a shadow's message reads."""

from __future__ import annotations

import pytest

from ninefold.oncall.schedule import OnCall
from ninefold.paging.shadowing import Target, preamble, step_targets, subject

PRIMARY = OnCall(("bob",), (("ana", "bob"),))


@pytest.mark.parametrize(
    ("primaries", "on_call", "expected"),
    [
        pytest.param(
            {"bob": "on call for primary"},
            [("primary", PRIMARY)],
            [
                Target("bob", "on call for primary"),
                Target("ana", "shadowing bob (on call for primary)", shadow=True),
            ],
            id="the shadow follows the person they shadow, after the step's own people",
        ),
        pytest.param(
            {"bob": "on call for primary", "ana": "member of core"},
            [("primary", PRIMARY)],
            [Target("bob", "on call for primary"), Target("ana", "member of core")],
            id="someone the step pages in their own right is no shadow",
        ),
        pytest.param(
            {},
            [("primary", PRIMARY)],
            [],
            id="the shadow of someone the step does not page (disabled) is not paged",
        ),
        pytest.param(
            {"bob": "on call for primary", "cy": "on call for db"},
            [("primary", PRIMARY), ("db", OnCall(("cy",), (("ana", "cy"),)))],
            [
                Target("bob", "on call for primary"),
                Target("cy", "on call for db"),
                Target(
                    "ana", "shadowing bob (on call for primary), cy (on call for db)", shadow=True
                ),
            ],
            id="a shadow of two people is paged once, naming both",
        ),
    ],
)
def test_step_targets(primaries, on_call, expected) -> None:
    assert step_targets(primaries, on_call) == expected


def test_a_shadows_message_says_whom_they_shadow_and_that_nothing_waits_on_them() -> None:
    reason = "shadowing bob (on call for primary)"
    assert subject("[CRITICAL] Checkout down (checkout)", reason) == (
        "[shadow] [CRITICAL] Checkout down (checkout): shadowing bob (on call for primary)"
    )
    assert preamble(reason).startswith("You are shadowing bob (on call for primary).")
    assert "the escalation goes on" in preamble(reason)
