"""How `ninefold apply` writes the domain's sections."""

from __future__ import annotations

from ninefold.changes import hooks, service
from ninefold.declared import RowKind

ENVIRONMENTS = RowKind(
    "environment", service.environment_rows, service.environment_spec, service.write_environment
)
FREEZES = RowKind("freeze", service.freeze_rows, service.freeze_spec, service.write_freeze)
CHANGE_INTEGRATIONS = RowKind("change integration", hooks.all_rows, hooks.spec_of, hooks.write)
