"""How `ninefold apply` writes the domain's sections."""

from __future__ import annotations

from ninefold.incidents.settings import DECLARE_RULES, ROOT_CAUSES, SEVERITIES, STAKEHOLDERS

SEVERITY = SEVERITIES.kind("severity")
ROOT_CAUSE = ROOT_CAUSES.kind("root cause")
DECLARE_RULE = DECLARE_RULES.kind("declare rule")
STAKEHOLDER = STAKEHOLDERS.kind("stakeholder")
