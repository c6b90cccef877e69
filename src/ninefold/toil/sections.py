"""How `ninefold apply` writes the `automations:` section."""

from __future__ import annotations

from ninefold.declared import RowKind
from ninefold.toil import service

AUTOMATIONS = RowKind(
    "automation", service.automation_rows, service.automation_spec, service.write_automation
)
