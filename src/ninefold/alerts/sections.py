"""How `ninefold apply` writes the `integrations` section."""

from __future__ import annotations

from ninefold.alerts.integrations import all_rows, spec_of, write
from ninefold.declared import RowKind

INTEGRATIONS = RowKind("integration", all_rows, spec_of, write)
