"""`ninefold apply`: the plan (what the files would change) and its execution.

Objects carry `managed_by`: `config` when the files own them, `api` when they were made
through the API or UI. Apply creates and updates what the files declare (claiming an
API-made object of the same name), and deletes only objects it owns that the files dropped.

Every section a domain applies (`config.sections.applied_kinds`) is planned and
written the same way, in the order of the domains: a section refers only to those before it
(users, then teams with their members, services, ...), and deletions run the other way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from ninefold.auth import audit
from ninefold.auth.model import Principal, require_admin
from ninefold.config.sections import applied_kinds
from ninefold.conventions import MANAGED_BY_API, MANAGED_BY_CONFIG
from ninefold.declared import Bundle, Kind

Action = Literal["create", "update", "delete"]


@dataclass(frozen=True)
class Change:
    action: Action
    kind: str
    name: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    claim: bool = False

    def changed_fields(self) -> list[str]:
        before, after = self.before or {}, self.after or {}
        return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))

    def describe(self) -> str:
        sign = {"create": "+", "update": "~", "delete": "-"}[self.action]
        text = f"{sign} {self.action} {self.kind} {self.name}"
        details = []
        for key in self.changed_fields() if self.action == "update" else []:
            old, new = (self.before or {}).get(key), (self.after or {}).get(key)
            simple = isinstance(old, (int, str)) and isinstance(new, (int, str))
            details.append(f"{key}: {old!r} -> {new!r}" if simple else key)
        if self.claim:
            details.append("taken over from the API")
        return text + (f" ({'; '.join(details)})" if details else "")


@dataclass(frozen=True)
class Plan:
    changes: list[Change]

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action == action)

    def summary(self) -> str:
        if not self.changes:
            return "No changes: the database matches the configuration."
        return (
            f"Plan: {self.count('create')} to create, {self.count('update')} to update, "
            f"{self.count('delete')} to delete."
        )


def make_plan(session: Session, bundle: Bundle) -> Plan:
    changes: list[Change] = []
    for section, kind in applied_kinds().items():
        current, desired = kind.current(session), kind.desired(bundle.specs(section))
        for name in sorted(desired):
            after = desired[name]
            if name not in current:
                changes.append(Change("create", kind.name, name, None, after))
                continue
            before, owner = current[name]
            if before != after or owner != MANAGED_BY_CONFIG:
                changes.append(
                    Change(
                        "update", kind.name, name, before, after, claim=owner != MANAGED_BY_CONFIG
                    )
                )
        for name in sorted(current):
            before, owner = current[name]
            if owner == MANAGED_BY_CONFIG and name not in desired:
                changes.append(Change("delete", kind.name, name, before, None))
    return Plan(changes)


def execute(session: Session, actor: Principal, plan: Plan, bundle: Bundle, now: datetime) -> None:
    """Carry out a plan in the caller's transaction; any failure leaves the database as it was.

    Sections are written in the order of the domains, each creating and updating what the
    plan names in the order its references need (services after what they depend on, routes
    at their place in the files); deletions run last, in the reverse order, so that what is
    deleted is no longer referred to.
    """
    require_admin(actor, "apply configuration")
    kinds = applied_kinds()
    for section, kind in kinds.items():
        wanted = _named(plan, kind, ("create", "update"))
        if wanted:
            kind.write(session, bundle.specs(section), wanted, MANAGED_BY_CONFIG, now)
    for kind in reversed(kinds.values()):
        doomed = _named(plan, kind, ("delete",))
        if doomed:
            kind.delete(session, doomed)
    for change in plan.changes:
        before, after = change.before, change.after
        if change.claim:
            # Taking an object over is a change even when none of its fields moves.
            before = {**(before or {}), "managed_by": MANAGED_BY_API}
            after = {**(after or {}), "managed_by": MANAGED_BY_CONFIG}
        audit.record(session, actor, now, change.action, change.kind, change.name, before, after)


def _named(plan: Plan, kind: Kind, actions: tuple[Action, ...]) -> set[str]:
    return {c.name for c in plan.changes if c.kind == kind.name and c.action in actions}
