"""How `ninefold apply` writes the runbooks of the `runbooks/` folder."""

from __future__ import annotations

from ninefold.declared import RowKind
from ninefold.runbooks import service

RUNBOOKS = RowKind("runbook", service.all_rows, service.spec_of, service.write_row)
