"""How `ninefold apply` writes the `risks:` section."""

from __future__ import annotations

from ninefold.declared import RowKind
from ninefold.risks import service

RISKS = RowKind("risk", service.risk_rows, service.risk_spec, service.write_risk)
