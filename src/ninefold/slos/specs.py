"""Reading SLO spec files: every supported format, validated with `file:line: field:
message` problems, normalised into `model.Slo`.

Formats are told apart by their header: `apiVersion: openslo/v1` (OpenSLO; objects may refer
to each other across files), `apiVersion: openslo/v1alpha` (OpenSLO v1alpha, as Sloth reads
it) and `version: prometheus/v1` (Sloth).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from ninefold.errors import NinefoldError
from ninefold.slos import openslo_v1, openslo_v1alpha, sloth_v1
from ninefold.slos.durations import calendar_unit, parse_duration
from ninefold.slos.model import (
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
    warnings_for,
)
from ninefold.slos.promql import query_error, threshold_error
from ninefold.sourcefile import Problem, display_path, line_of, parse_yaml_documents, validate

DEFAULT_PERIOD = timedelta(days=30)


@dataclass
class Located:
    """A validated document with where it came from, for problems found after validation."""

    doc: Any
    file: str
    line: int
    node: CommentedMap

    def line_of(self, *loc: str | int) -> int:
        return line_of(self.node, loc, self.line)


@dataclass
class SpecSet:
    slos: list[Slo] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def spec_files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in {".yaml", ".yml"})
        else:
            found.append(path)
    return found


def load(
    paths: Iterable[Path],
    services: set[str] | None = None,
    period: timedelta = DEFAULT_PERIOD,
) -> SpecSet:
    """Every SLO in the files. With `services` (inside a configuration directory), an SLO's
    service must be one of them; without, any service name goes, as with Sloth."""
    result = SpecSet()
    openslo: dict[str, dict[str, Located]] = {kind: {} for kind in openslo_v1.KINDS}
    for path in spec_files(paths):
        _load_file(path, result, openslo, period)
    for located in openslo["SLO"].values():
        result.slos += _from_openslo(located, openslo, result.problems)
    _check(result, services)
    result.problems.sort()
    result.slos.sort(key=lambda s: (s.service, s.name))
    return result


def _load_file(
    path: Path, result: SpecSet, openslo: dict[str, dict[str, Located]], period: timedelta
) -> None:
    name = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        result.problems.append(Problem(name, 0, "file", f"cannot read: {exc}"))
        return
    documents, problem = parse_yaml_documents(text, name)
    if problem:
        result.problems.append(problem)
        return
    for node in documents:
        if node is None:
            continue
        line = node.lc.line + 1 if isinstance(node, CommentedMap) else 1
        if not isinstance(node, CommentedMap):
            result.problems.append(Problem(name, line, "document", "must be a mapping"))
        elif node.get("version") == sloth_v1.VERSION:
            spec = validate(sloth_v1.SlothSpec, node, name, "", line, result.problems)
            if spec is not None:
                located = Located(spec, name, line, node)
                result.slos += _from_sloth(located, period, result.problems)
        elif node.get("apiVersion") == openslo_v1.API_VERSION:
            _register_openslo(node, name, line, openslo, result.problems)
        elif node.get("apiVersion") == openslo_v1alpha.API_VERSION:
            result.slos += _from_openslo_v1alpha(node, name, line, period, result.problems)
        else:
            result.problems.append(
                Problem(
                    name,
                    line,
                    "apiVersion",
                    "not an SLO spec: expected apiVersion: openslo/v1 or openslo/v1alpha, "
                    "or version: prometheus/v1",
                )
            )


def _register_openslo(
    node: CommentedMap,
    file: str,
    line: int,
    registry: dict[str, dict[str, Located]],
    problems: list[Problem],
) -> None:
    kind = str(node.get("kind", ""))
    if kind not in openslo_v1.KINDS:
        where = line_of(node, ("kind",), line)
        known = ", ".join(openslo_v1.KINDS)
        problems.append(
            Problem(file, where, "kind", f"unknown OpenSLO kind {kind!r}; one of {known}")
        )
        return
    doc = validate(openslo_v1.KINDS[kind], node, file, "", line, problems)
    if doc is None:
        return
    assert isinstance(doc, openslo_v1.Document)  # noqa: S101 (KINDS holds Document types)
    name = doc.metadata.name
    if name in registry[kind]:
        first = registry[kind][name]
        problems.append(
            Problem(
                file,
                line_of(node, ("metadata", "name"), line),
                "metadata.name",
                f"duplicate {kind} name {name!r}; first defined at {first.file}:{first.line}",
            )
        )
        return
    registry[kind][name] = Located(doc, file, line, node)


def _labels(raw: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted((k, ",".join(v) if isinstance(v, list) else str(v)) for k, v in raw.items())
    )


def alert_name(service: str, slo: str) -> str:
    """`checkout`, `availability` -> "CheckoutAvailabilityErrorBudgetBurn"."""
    words = re.split(r"[^A-Za-z0-9]+", f"{service} {slo}")
    return "".join(w[:1].upper() + w[1:] for w in words if w) + "ErrorBudgetBurn"


def _from_sloth(located: Located, period: timedelta, problems: list[Problem]) -> list[Slo]:
    spec: sloth_v1.SlothSpec = located.doc
    slos = []
    for index, item in enumerate(spec.slos):
        if item.sli.events is not None:
            sli: EventsSli | RawSli = EventsSli(
                part=Query(item.sli.events.error_query.strip()),
                total=Query(item.sli.events.total_query.strip()),
            )
        else:
            assert item.sli.raw is not None  # noqa: S101 (SlothSli allows events or raw only)
            sli = RawSli(Query(item.sli.raw.error_ratio_query.strip()))
        alerting = item.alerting
        slos.append(
            Slo(
                service=spec.service,
                name=item.name,
                objective=round(item.objective / 100, 12),
                window=Rolling(period),
                sli=sli,
                description=item.description,
                labels=_labels({**spec.labels, **item.labels}),
                alerting=Alerting(
                    name=alerting.name or alert_name(spec.service, item.name),
                    conditions=default_conditions(period),
                    labels=_labels(alerting.labels),
                    annotations=_labels(alerting.annotations),
                    page=_tier(alerting.page_alert),
                    ticket=_tier(alerting.ticket_alert),
                ),
                file=located.file,
                line=located.line_of("slos", index),
            )
        )
    if not slos:
        problems.append(Problem(located.file, located.line, "slos", "no SLOs"))
    return slos


def _from_openslo_v1alpha(
    node: CommentedMap, file: str, line: int, period: timedelta, problems: list[Problem]
) -> list[Slo]:
    """An SLO per objective, as Sloth makes them (see `openslo_v1alpha`); nothing from a
    Service, which only names a service."""
    kind = str(node.get("kind", ""))
    if kind not in openslo_v1alpha.KINDS:
        known = ", ".join(openslo_v1alpha.KINDS)
        problems.append(
            Problem(
                file,
                line_of(node, ("kind",), line),
                "kind",
                f"unknown OpenSLO v1alpha kind {kind!r}; one of {known}",
            )
        )
        return []
    doc = validate(openslo_v1alpha.KINDS[kind], node, file, "", line, problems)
    if not isinstance(doc, openslo_v1alpha.SloDoc):
        return []
    located = Located(doc, file, line, node)
    spec = doc.spec
    if spec.budgetingMethod.lower() != "occurrences":
        problems.append(
            Problem(
                file,
                located.line_of("spec", "budgetingMethod"),
                "spec.budgetingMethod",
                f"{spec.budgetingMethod} is read as Occurrences (good events / total events), "
                "as Sloth reads it; for time slices use openslo/v1",
                "warning",
            )
        )
    if spec.indicator is not None:
        problems.append(
            Problem(
                file,
                located.line_of("spec", "indicator"),
                "spec.indicator",
                "ignored, as Sloth ignores it: each objective's ratioMetrics is its SLI",
                "warning",
            )
        )
    window = Rolling(timedelta(days=spec.timeWindows[0].count) if spec.timeWindows else period)
    slos = []
    for index, objective in enumerate(spec.objectives):
        ratio = objective.ratioMetrics
        assert ratio is not None  # noqa: S101 (Objective requires ratioMetrics)
        name = f"{doc.metadata.name}-{index}"
        slos.append(
            Slo(
                service=spec.service,
                name=name,
                objective=objective.target,
                window=window,
                sli=EventsSli(
                    part=Query(ratio.good.query.strip()),
                    total=Query(ratio.total.query.strip()),
                    part_is_good=True,
                ),
                description=spec.description,
                alerting=Alerting(
                    name=alert_name(spec.service, name),
                    conditions=default_conditions(window.duration),
                    page=AlertTier(enabled=False),
                    ticket=AlertTier(enabled=False),
                ),
                file=file,
                line=located.line_of("spec", "objectives", index),
            )
        )
    return slos


def _tier(tier: sloth_v1.SlothAlertTier) -> AlertTier:
    return AlertTier(not tier.disable, _labels(tier.labels), _labels(tier.annotations))


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
    from ninefold.slos.event_options import COLUMN_OPTIONS, EventOptions

    where = ("metadata", "annotations")
    unknown = [name for name, _ in found if name not in COLUMN_OPTIONS]
    if unknown:
        known = ", ".join(EVENTS_ANNOTATION + name for name in COLUMN_OPTIONS)
        for name in unknown:
            problem((*where, EVENTS_ANNOTATION + name), f"unknown event option; one of {known}")
        return ()
    try:
        EventOptions().with_spec(found).columns()
    except NinefoldError as exc:
        problem(where, exc.message)
        return ()
    return found


def _from_openslo(
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
            labels=_labels(doc.metadata.labels),
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


def _check(result: SpecSet, services: set[str] | None) -> None:
    seen: dict[tuple[str, str], Slo] = {}
    checked = []
    for slo in result.slos:
        # A composite's components are recorded under their own names: those are taken too.
        named = (slo, *(c.slo for c in slo.components))
        clash = next((part for part in named if (part.service, part.name) in seen), None)
        if clash is not None:
            first = seen[(clash.service, clash.name)]
            result.problems.append(
                Problem(
                    clash.file,
                    clash.line,
                    "name",
                    f"duplicate SLO {clash.name!r} of service {clash.service!r}; "
                    f"first defined at {first.file}:{first.line}",
                )
            )
            continue
        seen.update({(part.service, part.name): part for part in named})
        if services is not None and slo.service not in services:
            result.problems.append(
                Problem(
                    slo.file,
                    slo.line,
                    "service",
                    f"no service named {slo.service!r} in the catalog",
                )
            )
        for part in (slo, *(c.slo for c in slo.components)):
            for error in _query_errors(part.sli):
                result.problems.append(Problem(part.file, part.line, "query", error))
        warnings = tuple(warnings_for(slo))
        for warning in warnings:
            result.problems.append(Problem(slo.file, slo.line, "alerting", warning, "warning"))
        checked.append(replace(slo, warnings=warnings))
    result.slos = checked


def _query_errors(sli: Sli) -> list[str]:
    """What is wrong with the PromQL of an SLI (a composite's parts are checked on their own)."""
    if isinstance(sli, ThresholdSli):
        return [error] if (error := threshold_error(sli)) else []
    if isinstance(sli, EventsSli):
        queries = [sli.part, sli.total]
    elif isinstance(sli, RawSli):
        queries = [sli.ratio]
    else:
        queries = []
    return [error for query in queries if (error := query_error(query))]
