"""Which SLOs a report covers: all of them, or the one `--slo SERVICE/NAME` (or a unique NAME)
names; an event file holds the requests of one SLO."""

from __future__ import annotations

from ninefold.errors import Invalid
from ninefold.slos.core.model import Slo, ThresholdSli


def select(slos: list[Slo], wanted: str | None, *, events: bool) -> list[Slo]:
    """The SLOs to report: all of them, or the one `--slo SERVICE/NAME` (or a unique NAME)
    names. An event file holds one SLO's events, so `--events` needs exactly one, and one
    measured in requests: not a composite, nor a threshold metric."""
    names = ", ".join(f"{s.service}/{s.name}" for s in slos) or "none"
    if wanted is not None:
        chosen = [s for s in slos if wanted in (f"{s.service}/{s.name}", s.name)]
        if not chosen:
            raise Invalid(f"--slo: no SLO {wanted!r}; the specs hold: {names}")
        if len(chosen) > 1:
            raise Invalid(f"--slo: {wanted!r} names several SLOs; give SERVICE/NAME: {names}")
        return chosen
    if events and len(slos) != 1:
        raise Invalid(
            f"--events holds the events of one SLO, and the specs hold {len(slos)}; "
            f"choose one with --slo SERVICE/NAME: {names}"
        )
    if events and slos[0].components:
        raise Invalid(
            f"--events: {slos[0].service}/{slos[0].name} is a composite SLO, whose components "
            "are separate SLIs; an event file holds the events of one SLI (read the composite "
            "from Prometheus)"
        )
    if events and isinstance(slos[0].sli, ThresholdSli):
        raise Invalid(
            f"--events: {slos[0].service}/{slos[0].name} is a threshold SLO, a metric sampled "
            "every minute; an event file holds requests (read it from Prometheus)"
        )
    return slos
