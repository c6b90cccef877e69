"""Reading SLO spec files: every supported format, validated with `file:line: field:
message` problems, normalised into `model.Slo`.

Formats are told apart by their header: `apiVersion: openslo/v1` (OpenSLO; objects may refer
to each other across files) and `version: prometheus/v1` (Sloth).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from ninefold.slos import openslo_v1, sloth_v1
from ninefold.slos.durations import calendar_unit, parse_duration
from ninefold.slos.model import (
    Alerting,
    AlertTier,
    BurnCondition,
    Calendar,
    EventsSli,
    Query,
    RawSli,
    Rolling,
    Slo,
    default_conditions,
    warnings_for,
)
from ninefold.slos.promql import query_error
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
        else:
            result.problems.append(
                Problem(
                    name,
                    line,
                    "apiVersion",
                    "not an SLO spec: expected apiVersion: openslo/v1 or version: prometheus/v1",
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


def _tier(tier: sloth_v1.SlothAlertTier) -> AlertTier:
    return AlertTier(not tier.disable, _labels(tier.labels), _labels(tier.annotations))


def _from_openslo(
    located: Located, registry: dict[str, dict[str, Located]], problems: list[Problem]
) -> list[Slo]:
    doc: openslo_v1.SloDoc = located.doc
    spec = doc.spec

    def problem(loc: tuple[str | int, ...], message: str) -> None:
        field_name = ".".join(str(p) for p in loc)
        problems.append(Problem(located.file, located.line_of(*loc), field_name, message))

    if any(o.indicator or o.indicatorRef for o in spec.objectives):
        problem(("spec", "objectives"), "composite SLOs are not supported yet")
        return []
    sli_spec = spec.indicator.spec if spec.indicator else None
    if spec.indicatorRef is not None:
        ref = registry["SLI"].get(spec.indicatorRef)
        if ref is None:
            problem(("spec", "indicatorRef"), f"no SLI named {spec.indicatorRef!r}")
            return []
        sli_spec = ref.doc.spec
    assert sli_spec is not None  # noqa: S101 (SloSpec requires indicator or indicatorRef)
    if sli_spec.ratioMetric is None:
        problem(("spec",), "thresholdMetric SLIs are not supported yet; use a ratioMetric")
        return []
    sli = _openslo_sli(sli_spec.ratioMetric)
    window = spec.timeWindow[0]
    unit = calendar_unit(window.duration)
    slo_window: Rolling | Calendar = (
        Rolling(parse_duration(window.duration) if unit != "week" else timedelta(days=7))
        if window.isRolling
        else Calendar(unit, window.calendar.timeZone if window.calendar else "UTC")  # type: ignore[arg-type]
    )
    conditions = _openslo_conditions(spec, registry, slo_window.nominal, problem)
    slos = []
    for index, objective in enumerate(spec.objectives):
        suffix = "" if len(spec.objectives) == 1 else f"-{objective.displayName or index}"
        name = f"{doc.metadata.name}{suffix}"
        slos.append(
            Slo(
                service=spec.service,
                name=name,
                objective=objective.ratio,
                window=slo_window,
                sli=sli,
                description=spec.description,
                budgeting=spec.budgetingMethod,
                timeslice=(
                    parse_duration(objective.timeSliceWindow) if objective.timeSliceWindow else None
                ),
                timeslice_target=objective.timeSliceTarget,
                labels=_labels(doc.metadata.labels),
                alerting=Alerting(
                    name=alert_name(spec.service, name),
                    conditions=conditions,
                    page=AlertTier(enabled=any(c.severity == "page" for c in conditions)),
                    ticket=AlertTier(enabled=any(c.severity == "ticket" for c in conditions)),
                ),
                file=located.file,
                line=located.line,
            )
        )
    return slos


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
        key = (slo.service, slo.name)
        if key in seen:
            first = seen[key]
            result.problems.append(
                Problem(
                    slo.file,
                    slo.line,
                    "name",
                    f"duplicate SLO {slo.name!r} of service {slo.service!r}; "
                    f"first defined at {first.file}:{first.line}",
                )
            )
            continue
        seen[key] = slo
        if services is not None and slo.service not in services:
            result.problems.append(
                Problem(
                    slo.file,
                    slo.line,
                    "service",
                    f"no service named {slo.service!r} in the catalog",
                )
            )
        for query in _queries(slo):
            error = query_error(query)
            if error:
                result.problems.append(Problem(slo.file, slo.line, "query", error))
        warnings = tuple(warnings_for(slo))
        for warning in warnings:
            result.problems.append(Problem(slo.file, slo.line, "alerting", warning, "warning"))
        checked.append(replace(slo, warnings=warnings))
    result.slos = checked


def _queries(slo: Slo) -> list[Query]:
    if isinstance(slo.sli, EventsSli):
        return [slo.sli.part, slo.sli.total]
    return [slo.sli.ratio]
