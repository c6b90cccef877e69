"""How `ninefold apply` writes the `readiness_levels:` section: in order, lowest first."""

from __future__ import annotations

from ninefold.declared import RowKind
from ninefold.readiness import service

LEVELS = RowKind(
    "readiness_level", service.level_rows, service.level_spec, service.write_level, ordered=True
)
