"""Pieces every spec format's conversion into SLOs shares: a validated document with where
it came from, labels as the model keeps them, and the name of an SLO's alert."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap

from ninefold.sourcefile import line_of


@dataclass
class Located:
    """A validated document with where it came from, for problems found after validation."""

    doc: Any
    file: str
    line: int
    node: CommentedMap

    def line_of(self, *loc: str | int) -> int:
        return line_of(self.node, loc, self.line)


def labels(raw: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted((k, ",".join(v) if isinstance(v, list) else str(v)) for k, v in raw.items())
    )


def alert_name(service: str, slo: str) -> str:
    """`checkout`, `availability` -> "CheckoutAvailabilityErrorBudgetBurn"."""
    words = re.split(r"[^A-Za-z0-9]+", f"{service} {slo}")
    return "".join(w[:1].upper() + w[1:] for w in words if w) + "ErrorBudgetBurn"
