"""Sloth's SLO plugins (the `slo_plugins` of a file and the `plugins` of an SLO): which
Ninefold carries out, and why it refuses the rest.

Sloth runs a chain of plugins over each SLO, lowest priority first: by default a validator
and the three that write the SLI, metadata and alert rules. Ninefold writes those rules
itself, so the default plugins, and a chain that overrides them with the same ones, change
nothing; `debug` only logs. Any other plugin changes the rules, and a file that names one
Ninefold does not carry out is refused, naming the plugin, rather than generating rules
that differ from Sloth's in silence.
"""

from __future__ import annotations

from ninefold.slos.spec.documents import Located
from ninefold.slos.spec.sloth_v1 import SlothPlugins, SlothServiceLevel
from ninefold.sourcefile import Problem, field_path

VALIDATE = "sloth.dev/core/validate/v1"
RULES = (
    "sloth.dev/core/sli_rules/v1",
    "sloth.dev/core/metadata_rules/v1",
    "sloth.dev/core/alert_rules/v1",
)
# Plugins that leave the generated rules as Ninefold writes them anyway.
SAME_RULES = {VALIDATE, *RULES, "sloth.dev/core/debug/v1", "sloth.dev/core/noop/v1"}
REFUSED = {
    "sloth.dev/contrib/validate_victoria_metrics/v1": (
        "queries in MetricsQL (VictoriaMetrics) are not supported: Ninefold checks and "
        "generates PromQL"
    ),
    "sloth.dev/contrib/info_labels/v1": "not supported yet",
    "sloth.dev/contrib/rule_intervals/v1": "not supported yet",
    "sloth.dev/contrib/denominator_corrected_rules/v1": "not supported yet",
}


def check(located: Located, spec: SlothServiceLevel, at: tuple[str, ...]) -> list[Problem]:
    """A problem for each plugin of the service level that Ninefold would not carry out."""
    key = "sloPlugins" if "sloPlugins" in _node(located, at) else "slo_plugins"
    problems = _chain(located, spec.slo_plugins, (*at, key))
    for index, slo in enumerate(spec.slos):
        problems += _chain(located, slo.plugins, (*at, "slos", index, "plugins"))
    return problems


def _chain(located: Located, plugins: SlothPlugins, at: tuple[str | int, ...]) -> list[Problem]:
    problems = []
    for index, plugin in enumerate(plugins.chain):
        where = (*at, "chain", index, "id")
        if plugin.id in SAME_RULES:
            continue
        why = REFUSED.get(plugin.id, "an SLO plugin Ninefold does not know")
        problems.append(_problem(located, where, f"Sloth plugin {plugin.id!r}: {why}"))
    if plugins.override_previous:
        ids = {plugin.id for plugin in plugins.chain}
        missing = [rule for rule in RULES if rule not in ids]
        if missing:
            problems.append(
                _problem(
                    located,
                    (*at, "chain"),
                    f"overrides Sloth's default plugins without {', '.join(missing)}: Sloth "
                    "would leave those rules out, and Ninefold always writes them",
                )
            )
    return problems


def _problem(located: Located, loc: tuple[str | int, ...], message: str) -> Problem:
    return Problem(located.file, located.line_of(*loc), field_path(loc).lstrip("."), message)


def _node(located: Located, at: tuple[str, ...]) -> dict[str, object]:
    node: object = located.node
    for part in at:
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return node if isinstance(node, dict) else {}
