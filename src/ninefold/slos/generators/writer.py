"""Rule files as Prometheus and the Prometheus Operator read them, byte-identical for the
same input: keys in a fixed order, multi-line expressions as YAML block text."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any, Literal

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

from ninefold import conventions as c
from ninefold.conventions import GENERATED_MARK

Format = Literal["prometheus", "kubernetes"]


def _blocks(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _blocks(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_blocks(v) for v in value]
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value + "\n")
    return value


def dump(documents: list[Any], mark: str = GENERATED_MARK) -> str:
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 4096
    stream = StringIO()
    yaml.dump_all([_blocks(d) for d in documents], stream)
    return f"# {mark}\n" + stream.getvalue()


def kubernetes_name(text: str) -> str:
    """A Kubernetes object name: lower case, digits and '-', at most 253 characters."""
    name = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return name[:253] or "slos"


def render(
    groups_by_service: dict[str, list[dict[str, Any]]],
    fmt: Format,
    objects: dict[str, tuple[str, str]] | None = None,
) -> str:
    """One rule file, or one PrometheusRule per service: named after the Kubernetes object
    its specs came from (`objects`: service -> name and namespace), as Sloth names it, or
    else after the service."""
    if fmt == "prometheus":
        groups = [g for service in sorted(groups_by_service) for g in groups_by_service[service]]
        return dump([{"groups": groups}])
    found = objects or {}
    return dump([_rule_object(s, groups_by_service[s], found) for s in sorted(groups_by_service)])


def _rule_object(
    service: str, groups: list[dict[str, Any]], objects: dict[str, tuple[str, str]]
) -> dict[str, Any]:
    name, namespace = objects.get(service, (kubernetes_name(f"ninefold-slos-{service}"), ""))
    metadata: dict[str, Any] = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    metadata["labels"] = {
        "app.kubernetes.io/component": "SLO",
        "app.kubernetes.io/managed-by": "ninefold",
    }
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": metadata,
        "spec": {"groups": groups},
    }


def inhibit_rules() -> str:
    """An Alertmanager configuration fragment: while an SLO pages, its ticket stays quiet.

    One rule covers every SLO, because page and ticket of the same SLO share
    `ninefold_service` and `ninefold_slo`. Merge it into alertmanager.yml's `inhibit_rules`.
    """
    rule = {
        "source_matchers": [f'{c.SLO_LABEL_SEVERITY}="page"'],
        "target_matchers": [f'{c.SLO_LABEL_SEVERITY}="ticket"'],
        "equal": [c.SLO_LABEL_SERVICE, c.SLO_LABEL_SLO],
    }
    return dump([{"inhibit_rules": [rule]}])
