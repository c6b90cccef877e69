"""The KPI targets in force: the configuration directory's `kpi_targets` over the defaults.
They stay in the files (like budget policies): the reports domain writes nothing."""

from __future__ import annotations

from pathlib import Path

from ninefold.config.check import check_directory
from ninefold.reports.catalogue import BY_KEY, Target


def configured(config_dir: Path) -> dict[str, Target]:
    """Targets by KPI key; a directory with errors in this section changes no default (and
    `ninefold check` says why)."""
    if not Path(config_dir).is_dir():
        return {}
    bundle = check_directory(config_dir)
    if any(p.field.startswith("kpi_targets") and p.severity == "error" for p in bundle.problems):
        return {}
    return {
        spec.name: Target(spec.at_most, spec.at_least, spec.change_at_most, spec.change_at_least)
        for spec in bundle.specs("kpi_targets")
        if spec.name in BY_KEY
    }
