"""Reading SLO spec files: every supported format, validated with `file:line: field:
message` problems, normalised into `model.Slo`.

Formats are told apart by their header: `apiVersion: openslo/v1` (OpenSLO; objects may refer
to each other across files), `apiVersion: openslo/v1alpha` (OpenSLO v1alpha, as Sloth reads
it) and `version: prometheus/v1` (Sloth).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from ninefold.catalog.schemas import ServiceSpec
from ninefold.declared import Bundle
from ninefold.directory import read_sections
from ninefold.slos.core.model import (
    Alerting,
    AlertTier,
    EventsSli,
    Query,
    RawSli,
    Rolling,
    Sli,
    Slo,
    ThresholdSli,
    default_conditions,
    warnings_for,
)
from ninefold.slos.spec import openslo_v1, openslo_v1alpha, sloth_plugins, sloth_v1
from ninefold.slos.spec.documents import Located, alert_name, labels
from ninefold.slos.spec.from_openslo import from_openslo
from ninefold.slos.spec.promql import query_error, threshold_error
from ninefold.sourcefile import (
    Problem,
    display_path,
    line_of,
    parse_yaml_documents,
    read_source,
    validate,
)

DEFAULT_PERIOD = timedelta(days=30)


@dataclass
class SpecSet:
    slos: list[Slo] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def spec_files(paths: Iterable[Path]) -> list[tuple[Path, Path | None]]:
    """Each file with the directory it was found in (None for a file named directly), so
    that a link out of that directory is not followed."""
    found: list[tuple[Path, Path | None]] = []
    for path in paths:
        if path.is_dir():
            found += sorted((p, path) for p in path.rglob("*") if p.suffix in {".yaml", ".yml"})
        else:
            found.append((path, None))
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
    for path, root in spec_files(paths):
        _load_file(path, root, result, openslo, period)
    for located in openslo["SLO"].values():
        result.slos += from_openslo(located, openslo, result.problems)
    _check(result, services)
    result.problems.sort()
    result.slos.sort(key=lambda s: (s.service, s.name))
    return result


SLO_DIRECTORY = "slos"


@dataclass(frozen=True)
class ServiceLinks:
    """A service's first runbook and dashboard, which its SLO alerts link to."""

    runbook_url: str = ""
    dashboard_url: str = ""


def config_root(path: Path) -> Path | None:
    """The configuration directory a spec path belongs to, if any."""
    if path.is_dir() and (path / SLO_DIRECTORY).is_dir():
        return path
    parts = path.resolve().parts
    if SLO_DIRECTORY in parts:
        index = len(parts) - 1 - parts[::-1].index(SLO_DIRECTORY)
        return Path(*parts[:index])
    return None


def spec_paths(path: Path) -> Path:
    root = config_root(path)
    return root / SLO_DIRECTORY if root is not None and root.resolve() == path.resolve() else path


def catalog_links(root: Path) -> tuple[set[str], dict[str, ServiceLinks]]:
    """Services of a configuration directory, with their first runbook and dashboard."""
    bundle = read_sections(root, {"services": ServiceSpec})
    links = {}
    for spec in bundle.specs("services"):
        links[spec.name] = ServiceLinks(
            spec.runbooks[0].url if spec.runbooks else "",
            spec.dashboards[0].url if spec.dashboards else "",
        )
    return set(links) | bundle.invalid_names["services"], links


def read(paths: list[Path], period: timedelta) -> tuple[SpecSet, dict[str, ServiceLinks]]:
    """Every SLO in the paths. Inside a configuration directory, SLOs are checked against the
    catalog's services, whose runbook and dashboard links come along; spec files alone work
    too."""
    roots = {root for root in (config_root(p) for p in paths) if root is not None}
    services: set[str] | None = None
    links: dict[str, ServiceLinks] = {}
    if roots:
        services = set()
        for root in sorted(roots):
            names, found = catalog_links(root)
            services |= names
            links |= found
    return load([spec_paths(p) for p in paths], services, period), links


def read_folder(folder: Path, bundle: Bundle) -> list[Slo]:
    """The SLOs of a configuration directory's `slos/` folder, for `ninefold check`: each
    SLO's service must be one of the directory's; the problems go to the bundle's."""
    services = {spec.name for spec in bundle.specs("services")} | bundle.invalid_names["services"]
    found = load([folder], services)
    bundle.problems.extend(found.problems)
    return found.slos


def _load_file(
    path: Path,
    root: Path | None,
    result: SpecSet,
    openslo: dict[str, dict[str, Located]],
    period: timedelta,
) -> None:
    name = display_path(path)
    text = read_source(path, name, root)
    if isinstance(text, Problem):
        result.problems.append(text)
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
            if isinstance(spec, sloth_v1.SlothSpec):
                located = Located(spec, name, line, node)
                result.slos += _from_sloth(located, spec, (), period, result.problems)
        elif node.get("apiVersion") == sloth_v1.API_VERSION:
            obj = validate(sloth_v1.SlothObject, node, name, "", line, result.problems)
            if isinstance(obj, sloth_v1.SlothObject):
                located = Located(obj, name, line, node)
                target = (obj.metadata.name, obj.metadata.namespace)
                result.slos += _from_sloth(
                    located, obj.spec, ("spec",), period, result.problems, target
                )
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
                    "not an SLO spec: expected apiVersion: openslo/v1, openslo/v1alpha or "
                    "sloth.slok.dev/v1, or version: prometheus/v1",
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


def _from_sloth(
    located: Located,
    spec: sloth_v1.SlothServiceLevel,
    at: tuple[str, ...],
    period: timedelta,
    problems: list[Problem],
    rule_object: tuple[str, str] | None = None,
) -> list[Slo]:
    """The SLOs of a Sloth service level, found at `at` in its document (the root of a
    prometheus/v1 file, `spec` of a Kubernetes object, whose name and namespace the
    PrometheusRule made from it takes)."""
    slos = []
    found: list[Problem] = []
    for index, item in enumerate(spec.slos):
        options, plugin_problems = sloth_plugins.rule_options(
            located, spec, at, index, item.sli.events is not None
        )
        found += plugin_problems
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
                labels=labels({**spec.labels, **item.labels}),
                alerting=Alerting(
                    name=alerting.name or alert_name(spec.service, item.name),
                    conditions=default_conditions(period),
                    labels=labels(alerting.labels),
                    annotations=labels(alerting.annotations),
                    page=_tier(alerting.page_alert),
                    ticket=_tier(alerting.ticket_alert),
                ),
                file=located.file,
                line=located.line_of(*at, "slos", index),
                rule_object=rule_object,
                rule_options=options,
            )
        )
    problems += dict.fromkeys(found)
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
    return AlertTier(not tier.disable, labels(tier.labels), labels(tier.annotations))


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
