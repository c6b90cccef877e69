"""OpenSLO v1 documents into SLOs: an SLO with its indicator (inline or by reference), its
alert policies, time slices, threshold and composite objectives, and the event-file mapping
of its annotations. `specs` finds the documents and hands each SLO here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from ninefold.errors import NinefoldError
from ninefold.slos.core.model import (
    Alerting,
    AlertTier,
    BurnCondition,
    Calendar,
    Component,
    CompositeSli,
    EventsSli,
    Query,
    RawSli,
    Rolling,
    Sli,
    Slo,
    ThresholdSli,
    composite_objective,
    default_conditions,
    normalised,
)
from ninefold.slos.spec import openslo_v1
from ninefold.slos.spec.documents import Located, alert_name, labels
from ninefold.slos.spec.durations import calendar_unit, parse_duration
from ninefold.slos.spec.event_columns import COLUMN_OPTIONS, columns_from
from ninefold.sourcefile import Problem

ProblemAt = Callable[[tuple[str | int, ...], str], None]

EVENTS_ANNOTATION = "ninefold.dev/events-"


def _event_annotations(
    annotations: dict[str, str], problem: Callable[[tuple[str | int, ...], str], None]
) -> tuple[tuple[str, str], ...]:
    """The `--events` column options an SLO's annotations give, checked as the command line's
    would be, so a wrong mapping is reported at its line by `ninefold check`."""
    found = tuple(
        (key.removeprefix(EVENTS_ANNOTATION), value)
        for key, value in sorted(annotations.items())
        if key.startswith(EVENTS_ANNOTATION)
    )
    if not found:
        return ()
    where = ("metadata", "annotations")
    unknown = [name for name, _ in found if name not in COLUMN_OPTIONS]
    if unknown:
        known = ", ".join(EVENTS_ANNOTATION + name for name in COLUMN_OPTIONS)
        for name in unknown:
            problem((*where, EVENTS_ANNOTATION + name), f"unknown event option; one of {known}")
        return ()
    try:
        columns_from(dict(found))
    except NinefoldError as exc:
        problem(where, exc.message)
        return ()
    return found


def from_openslo(
    located: Located, registry: dict[str, dict[str, Located]], problems: list[Problem]
) -> list[Slo]:
    doc: openslo_v1.SloDoc = located.doc
    spec = doc.spec

    def problem(loc: tuple[str | int, ...], message: str) -> None:
        # Named as validation names fields: spec.objectives[0].op.
        field_name = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)[1:]
        problems.append(Problem(located.file, located.line_of(*loc), field_name, message))

    window = spec.timeWindow[0]
    unit = calendar_unit(window.duration)
    slo_window: Rolling | Calendar = (
        Rolling(parse_duration(window.duration) if unit != "week" else timedelta(days=7))
        if window.isRolling
        else Calendar(unit, window.calendar.timeZone if window.calendar else "UTC")  # type: ignore[arg-type]
    )
    conditions = _openslo_conditions(spec, registry, slo_window.nominal, problem)
    event_columns = _event_annotations(doc.metadata.annotations, problem)

    def build(name: str, objective: float, sli: Sli, line: int, alerts: bool = True) -> Slo:
        return Slo(
            service=spec.service,
            name=name,
            objective=objective,
            window=slo_window,
            sli=sli,
            description=spec.description,
            budgeting=spec.budgetingMethod,
            labels=labels(doc.metadata.labels),
            event_columns=event_columns,
            alerting=Alerting(
                name=alert_name(spec.service, name),
                conditions=conditions,
                page=AlertTier(enabled=alerts and any(c.severity == "page" for c in conditions)),
                ticket=AlertTier(
                    enabled=alerts and any(c.severity == "ticket" for c in conditions)
                ),
            ),
            file=located.file,
            line=line,
        )

    if any(o.composite for o in spec.objectives):
        return _openslo_composite(located, registry, build, problem)
    sli_spec = spec.indicator.spec if spec.indicator else None
    if spec.indicatorRef is not None:
        ref = registry["SLI"].get(spec.indicatorRef)
        if ref is None:
            problem(("spec", "indicatorRef"), f"no SLI named {spec.indicatorRef!r}")
            return []
        sli_spec = ref.doc.spec
    assert sli_spec is not None  # noqa: S101 (SloSpec requires indicator or indicatorRef)
    slos = []
    for index, objective in enumerate(spec.objectives):
        loc = ("spec", "objectives", index)
        if objective.compositeWeight is not None:
            problem(
                (*loc, "compositeWeight"),
                "only the objectives of a composite SLO have weights: give each objective its "
                "own indicator or indicatorRef (and no SLO-level indicator), or remove it",
            )
            continue
        sli = _objective_sli(sli_spec, objective, spec.budgetingMethod, loc, problem)
        if sli is None:
            continue
        suffix = "" if len(spec.objectives) == 1 else f"-{objective.displayName or index}"
        slos.append(
            _sliced(
                build(f"{doc.metadata.name}{suffix}", objective.ratio, sli, located.line), objective
            )
        )
    return slos


def _sliced(slo: Slo, objective: openslo_v1.Objective) -> Slo:
    """The SLO with its objective's time slices."""
    return replace(
        slo,
        timeslice=(
            parse_duration(objective.timeSliceWindow) if objective.timeSliceWindow else None
        ),
        timeslice_target=objective.timeSliceTarget,
    )


def _openslo_composite(
    located: Located,
    registry: dict[str, dict[str, Located]],
    build: Callable[..., Slo],
    problem: ProblemAt,
) -> list[Slo]:
    """A composite SLO: one component per objective, each with its own indicator and weight.

    Components are named `COMPOSITE.INDICATOR` (SLO names cannot hold '/'), and their weights
    are normalised to sum to 1; a weight left out counts as 1, as in OpenSLO.
    """
    doc: openslo_v1.SloDoc = located.doc
    spec = doc.spec
    valid = True
    for key in ("indicator", "indicatorRef"):
        if getattr(spec, key) is not None:
            problem(
                ("spec", key),
                "a composite SLO (objectives with their own indicator or indicatorRef) takes "
                "every indicator from its objectives: move this one into an objective",
            )
            valid = False
    parts: list[tuple[str, openslo_v1.Objective, Sli, int]] = []
    seen: dict[str, int] = {}
    for index, objective in enumerate(spec.objectives):
        loc: tuple[str | int, ...] = ("spec", "objectives", index)
        if objective.indicator is not None:
            sli_name, sli_spec = objective.indicator.metadata.name, objective.indicator.spec
        elif objective.indicatorRef is not None:
            ref = registry["SLI"].get(objective.indicatorRef)
            if ref is None:
                problem((*loc, "indicatorRef"), f"no SLI named {objective.indicatorRef!r}")
                valid = False
                continue
            sli_name, sli_spec = objective.indicatorRef, ref.doc.spec
        else:
            problem(
                loc,
                "every objective of a composite SLO needs its own indicator or indicatorRef "
                "(and a compositeWeight); this one has none",
            )
            valid = False
            continue
        if sli_name in seen:
            problem(
                loc,
                f"objectives {seen[sli_name]} and {index} both measure SLI {sli_name!r}; a "
                "composite combines different SLIs",
            )
            valid = False
            continue
        seen[sli_name] = index
        sli = _objective_sli(sli_spec, objective, spec.budgetingMethod, loc, problem)
        if sli is None:
            valid = False
            continue
        parts.append((sli_name, objective, sli, located.line_of(*loc)))
    if not valid or not parts:
        return []
    weights = normalised(tuple(o.compositeWeight or 1.0 for _, o, _, _ in parts))
    components = tuple(
        Component(
            _sliced(build(f"{doc.metadata.name}.{name}", o.ratio, sli, line, False), o), weight
        )
        for (name, o, sli, line), weight in zip(parts, weights, strict=True)
    )
    composite = build(
        doc.metadata.name, composite_objective(components), CompositeSli(components), located.line
    )
    return [composite]


def _objective_sli(
    sli_spec: openslo_v1.SliSpec,
    objective: openslo_v1.Objective,
    budgeting: str,
    loc: tuple[str | int, ...],
    problem: ProblemAt,
) -> Sli | None:
    """The SLI an objective measures: a ratio, or a threshold with the objective's op and
    value."""
    if sli_spec.thresholdMetric is not None:
        if objective.op is None or objective.value is None:
            problem(
                loc,
                "a thresholdMetric SLI needs op (lt, lte, gt or gte) and value on each "
                "objective: the metric is good while `metric op value` holds",
            )
            return None
        if budgeting != "Occurrences" and objective.timeSliceWindow is None:
            problem(
                loc,
                f"budgetingMethod {budgeting} needs timeSliceWindow on each objective (e.g. 5m)",
            )
            return None
        query = Query(sli_spec.thresholdMetric.metricSource.query)
        return ThresholdSli(query, objective.op, objective.value)
    for key in ("op", "value"):
        if getattr(objective, key) is not None:
            problem(
                (*loc, key),
                "op and value are the threshold of a thresholdMetric SLI; a ratioMetric SLI "
                "has none (its target is the share of good events)",
            )
            return None
    assert sli_spec.ratioMetric is not None  # noqa: S101 (SliSpec has exactly one metric)
    return _openslo_sli(sli_spec.ratioMetric)


def _openslo_sli(metric: openslo_v1.RatioMetric) -> EventsSli | RawSli:
    def query(ref: openslo_v1.MetricRef | None) -> Query:
        assert ref is not None  # noqa: S101 (RatioMetric validated its shape)
        return Query(ref.metricSource.query, counter=metric.counter)

    if metric.raw is not None:
        return RawSli(query(metric.raw), good=metric.rawType == "success")
    if metric.good is not None:
        return EventsSli(part=query(metric.good), total=query(metric.total), part_is_good=True)
    return EventsSli(part=query(metric.bad), total=query(metric.total))


def _openslo_conditions(
    spec: openslo_v1.SloSpec,
    registry: dict[str, dict[str, Located]],
    period: timedelta,
    problem: Any,
) -> tuple[BurnCondition, ...]:
    """The burn conditions of the SLO's alert policies; the workbook's when it names none."""
    if not spec.alertPolicies:
        return default_conditions(period)
    conditions = []
    for index, entry in enumerate(spec.alertPolicies):
        if isinstance(entry, str):
            ref = registry["AlertPolicy"].get(entry)
            if ref is None:
                problem(("spec", "alertPolicies", index), f"no AlertPolicy named {entry!r}")
                continue
            policy = ref.doc.spec
        else:
            policy = entry.spec
        for item in policy.conditions:
            if isinstance(item, openslo_v1.ConditionRef):
                found = registry["AlertCondition"].get(item.conditionRef)
                if found is None:
                    problem(
                        ("spec", "alertPolicies", index),
                        f"no AlertCondition named {item.conditionRef!r}",
                    )
                    continue
                condition_spec = found.doc.spec
            else:
                condition_spec = item.spec
            severity = condition_spec.severity.lower()
            if severity not in ("page", "ticket"):
                problem(
                    ("spec", "alertPolicies", index),
                    f"alert severity {condition_spec.severity!r}: use page or ticket",
                )
                continue
            burn = condition_spec.condition
            conditions.append(
                BurnCondition(
                    severity,
                    parse_duration(burn.lookbackWindow),
                    parse_duration(burn.alertAfter),
                    burn.threshold,
                )
            )
    return tuple(conditions)
