"""How `ninefold apply` writes the `schedules` section."""

from __future__ import annotations

from ninefold.declared import RowKind
from ninefold.oncall.service import all_rows, spec_of, write

SCHEDULES = RowKind("schedule", all_rows, spec_of, write)
