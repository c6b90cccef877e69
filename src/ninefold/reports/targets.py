"""The KPI targets in force: the configuration directory's `kpi_targets` over the defaults.
They stay in the files (like budget policies): the reports domain writes nothing."""

from __future__ import annotations

from pathlib import Path

from ninefold.directory import read_sections
from ninefold.reports.catalogue import BY_KEY, Target
from ninefold.reports.schemas import KpiTargetSpec


def configured(config_dir: Path) -> dict[str, Target]:
    """Targets by KPI key; a directory with errors in this section changes no default (and
    `ninefold check` says why)."""
    if not Path(config_dir).is_dir():
        return {}
    bundle = read_sections(Path(config_dir), {"kpi_targets": KpiTargetSpec})
    if any(p.severity == "error" for p in bundle.problems):
        return {}
    return {
        spec.name: Target(spec.at_most, spec.at_least, spec.change_at_most, spec.change_at_least)
        for spec in bundle.specs("kpi_targets")
        if spec.name in BY_KEY
    }
