"""Shadows in escalation: who a step pages as a shadow of whom, and how that page reads.

A shadow learns on-call by getting the pages of the person they shadow, at the same step,
marked as shadow. Nothing waits on them: a step counts only its own people when it decides
whether to wait, and a shadow's acknowledgement is theirs alone (`actions.acknowledge`).
Someone a step pages in their own right (named, on call, in the team) is nobody's shadow in
that step: the page is theirs to answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ninefold.oncall.schedule import OnCall


@dataclass(frozen=True)
class Target:
    """Someone a step pages, why, and whether as a shadow."""

    name: str
    reason: str
    shadow: bool = False


def step_targets(
    primaries: Mapping[str, str], on_call: Iterable[tuple[str, OnCall]]
) -> list[Target]:
    """The step's own people (name: reason, in order), then the shadows of those of them on
    call for the step's schedules (schedule, who is on call there), each once, in order of
    appearance. A shadow of two people has one page naming both:
    "shadowing bob (on call for primary), carol (on call for db)"."""
    found = [Target(name, reason) for name, reason in primaries.items()]
    shadowed: dict[str, list[str]] = {}
    for schedule, now in on_call:
        for shadow, primary in now.shadows:
            if shadow in primaries or primary not in primaries:
                continue
            shadowed.setdefault(shadow, []).append(f"{primary} (on call for {schedule})")
    found += [
        Target(shadow, "shadowing " + ", ".join(whom), shadow=True)
        for shadow, whom in shadowed.items()
    ]
    return found


def subject(base: str, reason: str) -> str:
    """A shadow's notification says so first, and whom they shadow."""
    return f"[shadow] {base}: {reason}"


def preamble(reason: str) -> str:
    return (
        f"You are {reason}. This page is for you to learn from: acknowledging it records that "
        "you saw it, and the escalation goes on until someone on call acknowledges."
    )
