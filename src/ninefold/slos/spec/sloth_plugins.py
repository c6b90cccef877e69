"""Sloth's SLO plugins (the `slo_plugins` of a file and the `plugins` of an SLO): which
Ninefold carries out, with what effect on the rules, and why it refuses the rest.

Sloth runs a chain of plugins over each SLO, lowest priority first: by default a validator
and the three that write the SLI, metadata and alert rules. Ninefold writes those rules
itself, so the default plugins, and a chain that overrides them with the same ones, change
nothing; `debug` and `noop` change nothing either. Sloth's contrib plugins that change the
rules are carried out as `RuleOptions`:

- `info_labels`: labels added to the SLO's info series;
- `rule_intervals`: evaluation intervals of the SLI, metadata and alert groups;
- `denominator_corrected_rules`: each window's error ratio weighed by that window's share of
  the period's traffic, at most 1 (Sloth's current rule; its first version had no bound).

Any other plugin is refused, naming it, rather than generating rules that differ from
Sloth's in silence. The chain of an SLO is the file's chain (unless the SLO's
`override_previous` drops it) followed by its own, run by priority; a later plugin's setting
replaces an earlier one's.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationError

from ninefold.slos.core.model import RuleOptions
from ninefold.slos.spec.documents import Located
from ninefold.slos.spec.durations import parse_duration
from ninefold.slos.spec.sloth_v1 import Labels, SlothPlugin, SlothPlugins, SlothServiceLevel
from ninefold.sourcefile import Problem, error_message, field_path
from ninefold.spec import Spec

VALIDATE = "sloth.dev/core/validate/v1"
RULES = (
    "sloth.dev/core/sli_rules/v1",
    "sloth.dev/core/metadata_rules/v1",
    "sloth.dev/core/alert_rules/v1",
)
INFO_LABELS = "sloth.dev/contrib/info_labels/v1"
RULE_INTERVALS = "sloth.dev/contrib/rule_intervals/v1"
TRAFFIC_CORRECTED = "sloth.dev/contrib/denominator_corrected_rules/v1"
# Plugins that leave the generated rules as Ninefold writes them anyway.
SAME_RULES = {VALIDATE, *RULES, "sloth.dev/core/debug/v1", "sloth.dev/core/noop/v1"}
REFUSED = {
    "sloth.dev/contrib/validate_victoria_metrics/v1": (
        "queries in MetricsQL (VictoriaMetrics) are not supported: Ninefold checks and "
        "generates PromQL"
    ),
}

CLASSIC_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")

Duration = Annotated[str, AfterValidator(lambda text: parse_duration(text) and text)]


class InfoLabelsConfig(Spec):
    labels: Labels = Field(min_length=1)


class Intervals(Spec):
    default: Duration
    sliError: Duration | None = None
    metadata: Duration | None = None
    alert: Duration | None = None


class RuleIntervalsConfig(Spec):
    interval: Intervals


class TrafficCorrectedConfig(Spec):
    disableOptimized: bool = False


def rule_options(
    located: Located, spec: SlothServiceLevel, at: tuple[str, ...], index: int, events: bool
) -> tuple[RuleOptions, list[Problem]]:
    """How the `index`th SLO's rules are written, and the problems of its plugins (those of
    the file's chain come again with each SLO; the caller keeps one of each); `events` says
    whether its SLI counts events (the traffic correction needs them)."""
    slo = spec.slos[index]
    chain: list[tuple[SlothPlugin, tuple[str | int, ...]]] = []
    if not slo.plugins.override_previous:
        chain += _located(spec.slo_plugins, (*at, _file_key(located, at)))
    chain += _located(slo.plugins, (*at, "slos", index, "plugins"))
    problems = _overrides(located, spec.slo_plugins, (*at, _file_key(located, at)))
    problems += _overrides(located, slo.plugins, (*at, "slos", index, "plugins"))
    options = RuleOptions()
    for plugin, where in sorted(chain, key=lambda found: found[0].priority):
        if plugin.id == INFO_LABELS:
            problems += _utf8_names(located, plugin, where)
        try:
            options = _apply(plugin, options, events)
        except _Refused as refused:
            problems.append(
                _problem(located, (*where, "id"), f"Sloth plugin {plugin.id!r}: {refused}")
            )
        except ValidationError as exc:
            error = exc.errors()[0]
            loc = (*where, "config", *error["loc"])
            problems.append(_problem(located, loc, error_message(error)))
    return options, problems


class _Refused(Exception):
    pass


def _apply(plugin: SlothPlugin, options: RuleOptions, events: bool) -> RuleOptions:
    config: dict[str, Any] = plugin.config
    if plugin.id in SAME_RULES:
        return options
    if plugin.id == INFO_LABELS:
        labels = InfoLabelsConfig.model_validate(config).labels
        merged = {**dict(options.info_labels), **labels}
        return replace(options, info_labels=tuple(sorted(merged.items())))
    if plugin.id == RULE_INTERVALS:
        interval = RuleIntervalsConfig.model_validate(config).interval

        def pick(value: str | None) -> timedelta:
            return parse_duration(value or interval.default)

        return replace(
            options,
            sli_interval=pick(interval.sliError),
            meta_interval=pick(interval.metadata),
            alert_interval=pick(interval.alert),
        )
    if plugin.id == TRAFFIC_CORRECTED:
        TrafficCorrectedConfig.model_validate(config)
        if not events:
            raise _Refused("needs an events SLI (error_query and total_query)")
        return replace(options, traffic_corrected=True)
    raise _Refused(REFUSED.get(plugin.id, "an SLO plugin Ninefold does not know"))


def _utf8_names(
    located: Located, plugin: SlothPlugin, where: tuple[str | int, ...]
) -> list[Problem]:
    """Label names beyond Prometheus' classic rule (letters, digits, `_`): Prometheus 3
    reads them, Prometheus 2 refuses the whole rule file, as Sloth's own example shows."""
    labels = plugin.config.get("labels")
    if not isinstance(labels, dict):
        return []
    return [
        replace(
            _problem(
                located,
                (*where, "config", "labels", name),
                f"label name {name!r} needs Prometheus 3 (UTF-8 names); Prometheus 2 refuses "
                "the rule file",
            ),
            severity="warning",
        )
        for name in labels
        if not CLASSIC_LABEL.fullmatch(str(name))
    ]


def _located(
    plugins: SlothPlugins, at: tuple[str | int, ...]
) -> list[tuple[SlothPlugin, tuple[str | int, ...]]]:
    return [(plugin, (*at, "chain", i)) for i, plugin in enumerate(plugins.chain)]


def _overrides(located: Located, plugins: SlothPlugins, at: tuple[str | int, ...]) -> list[Problem]:
    """A chain that drops Sloth's defaults must keep the three rule plugins: without them
    Sloth leaves those rules out, and Ninefold always writes them."""
    if not plugins.override_previous:
        return []
    ids = {plugin.id for plugin in plugins.chain}
    missing = [rule for rule in RULES if rule not in ids]
    if not missing:
        return []
    message = (
        f"overrides Sloth's default plugins without {', '.join(missing)}: Sloth would leave "
        "those rules out, and Ninefold always writes them"
    )
    return [_problem(located, (*at, "chain"), message)]


def _problem(located: Located, loc: tuple[str | int, ...], message: str) -> Problem:
    return Problem(located.file, located.line_of(*loc), field_path(loc).lstrip("."), message)


def _file_key(located: Located, at: tuple[str, ...]) -> str:
    node: object = located.node
    for part in at:
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return "sloPlugins" if isinstance(node, dict) and "sloPlugins" in node else "slo_plugins"
