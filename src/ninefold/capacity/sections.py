"""How `ninefold apply` writes the `resources:` section."""

from __future__ import annotations

from ninefold.capacity import service
from ninefold.declared import RowKind

RESOURCES = RowKind(
    "resource", service.resource_rows, service.resource_spec, service.write_resource
)
