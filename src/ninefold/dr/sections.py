"""How `ninefold apply` writes the `dr_tiers:` section."""

from __future__ import annotations

from ninefold.declared import RowKind
from ninefold.dr import service

DR_TIERS = RowKind("dr_tier", service.tier_rows, service.tier_spec, service.write_tier)
