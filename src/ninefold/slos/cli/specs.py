"""Spec loading shared by the `ninefold slo` commands: every problem printed, exit 1 on errors,
so no command acts on a half-valid set of specs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from ninefold.errors import Invalid

if TYPE_CHECKING:
    from ninefold.slos.spec.loader import ServiceLinks, SpecSet

err = Console(stderr=True, highlight=False, soft_wrap=True)


def parse_period(text: str) -> timedelta:
    from ninefold.slos.spec.durations import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise Invalid(f"--period: {exc}", field="period") from None


def load_specs(
    paths: list[Path], period: timedelta, *, require: bool = False
) -> tuple[SpecSet, dict[str, ServiceLinks]]:
    """`require` makes an empty set an error, for commands that would otherwise write nothing."""
    from ninefold.slos.spec.loader import read

    spec_set, links = read(paths, period)
    for problem in spec_set.problems:
        err.print(str(problem), markup=False)
    if spec_set.errors:
        err.print(f"{len(spec_set.errors)} error(s) in the SLO specs", markup=False)
        raise typer.Exit(1)
    if require and not spec_set.slos:
        raise Invalid("no SLO specs found in " + ", ".join(map(str, paths)))
    return spec_set, links
