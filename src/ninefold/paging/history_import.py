"""Writing imported paging history: one transaction per run, each alert group imported once
by its id at the source, each shift once, every refused record and every gap reported.

What a record names must exist: its people (by user name, or by full name when that is one
user's), its service in the catalog, its integration, a shift's schedule. A record naming
something that does not is refused, never half-written, and nothing is created for it.

An imported group gets the rows the live system would have written (`alerts.past` for the
group and its timeline): its escalation (stopped; no route or policy, since another tool
paged), a page per notification with the recipient's local time and part of day, and each
notification, sent. The KPIs read them as they read Ninefold's own (a page is a person's
first notification of a group).

An imported shift is an `add` override of its schedule for its person (reason `imported
(<format>)`), so `ninefold oncall shifts`, the schedule pages and the KPIs show it. Where the
schedule's layers (or other overrides) have someone else on call in it too, both count as on
call, and the import says so: give the layers a start after the history ends.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ninefold.alerts import past
from ninefold.auth.model import Principal, require_admin
from ninefold.auth.service import all_users, users_by_name
from ninefold.catalog.service import find_service
from ninefold.errors import Conflict
from ninefold.oncall import service as schedules
from ninefold.oncall.schedule import Override
from ninefold.oncall.schedule import Schedule as ScheduleModel
from ninefold.paging.escalation import STOPPED, SYSTEM
from ninefold.paging.history import GroupRecord, Notified, Record, Refused, ShiftRecord
from ninefold.paging.hours import local_view
from ninefold.paging.notifications.delivery import SENT
from ninefold.paging.tables import Escalation, Notification, Page

if TYPE_CHECKING:
    from ninefold.alerts.tables import AlertGroup, Integration
    from ninefold.auth.tables import User
    from ninefold.oncall.tables import Schedule


EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC)


@dataclass
class Report:
    groups: int = 0
    shifts: int = 0
    unchanged: int = 0
    refused: list[Refused] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    """(where, what it lacks) of imported records."""


class People:
    """Users as records name them: by user name, else by a full name only one user has."""

    def __init__(self, session: Session) -> None:
        self.rows = users_by_name(session, [u.name for u in all_users(session)])
        self.folded = {row.name.casefold(): row for row in self.rows.values()}
        self.full: dict[str, list[User]] = defaultdict(list)
        for row in self.rows.values():
            if row.full_name:
                self.full[row.full_name.casefold()].append(row)

    def find(self, name: str) -> tuple[User | None, str]:
        """The user, or None and why not."""
        row = self.rows.get(name) or self.folded.get(name.casefold())
        if row is not None:
            return row, ""
        matches = self.full.get(name.casefold(), [])
        if len(matches) == 1:
            return matches[0], ""
        if matches:
            return None, f"{name!r} is the full name of {len(matches)} users; use a user name"
        return None, f"no user named {name!r}"


@dataclass
class _Lookups:
    """What the records name, each looked up once per run."""

    people: People
    integrations: dict[str, Integration | None] = field(default_factory=dict)
    services: dict[str, bool] = field(default_factory=dict)
    schedules: dict[str, Schedule | None] = field(default_factory=dict)
    models: dict[int, ScheduleModel] = field(default_factory=dict)

    def model(self, session: Session, row: Schedule) -> ScheduleModel:
        """The schedule with all its overrides, those this run adds included."""
        if row.id not in self.models:
            self.models[row.id] = schedules.model(session, row, EARLIEST, LATEST)
        return self.models[row.id]


def import_records(
    session: Session,
    actor: Principal,
    records: Iterable[Record],
    fmt: str,
    now: datetime,
    integration: str | None = None,
) -> Report:
    """Import what reads and resolves; `integration` is the one groups came through when a
    record names none."""
    require_admin(actor, "import paging history")
    report = Report()
    found = _Lookups(People(session))
    read = list(records)
    stored = past.known(session, [r.group.external_id for r in read if isinstance(r, GroupRecord)])
    seen: dict[object, GroupRecord | ShiftRecord] = {}
    ready: list[tuple[GroupRecord, past.Past, dict[str, User]]] = []
    for record in read:
        if isinstance(record, Refused):
            report.refused.append(record)
            continue
        key = _key(record)
        first = seen.get(key)
        if first is not None:
            report.refused.append(Refused(record.ref, _id(record), _again(first, record)))
            continue
        seen[key] = record
        if isinstance(record, GroupRecord):
            if record.group.external_id in stored:
                report.unchanged += 1
                continue
            checked = _check_group(session, record, fmt, integration, found)
            if isinstance(checked, str):
                report.refused.append(Refused(record.ref, record.group.external_id, checked))
            else:
                ready.append((record, *checked))
        else:
            _import_shift(session, actor, record, fmt, now, found, report)
    rows = past.write(session, [p for _, p, _ in ready], actor.name, fmt, now)
    written = [(row, record, names) for row, (record, _, names) in zip(rows, ready, strict=True)]
    _pages(session, written, fmt)
    report.groups = len(rows)
    report.notes += [(record.ref, note) for record, _, _ in ready for note in record.notes]
    return report


def _key(record: GroupRecord | ShiftRecord) -> object:
    if isinstance(record, GroupRecord):
        return ("group", record.group.external_id)
    return ("shift", record.schedule, record.user, record.start, record.end)


def _again(first: GroupRecord | ShiftRecord, record: GroupRecord | ShiftRecord) -> str:
    """Why a record whose key came before is refused (a shift's key is all of it)."""
    groups = isinstance(first, GroupRecord) and isinstance(record, GroupRecord)
    if groups and getattr(first, "content", "") != getattr(record, "content", ""):
        return f"the same id with other content (first at {first.ref})"
    return f"the same record again (first at {first.ref})"


def _id(record: GroupRecord | ShiftRecord) -> str | None:
    return record.group.external_id if isinstance(record, GroupRecord) else None


def _check_group(
    session: Session,
    record: GroupRecord,
    fmt: str,
    default_integration: str | None,
    found: _Lookups,
) -> tuple[past.Past, dict[str, User]] | str:
    """The group to write, with the users it names, or why it is refused."""
    resolved = _resolve_group(session, record, default_integration, found)
    if isinstance(resolved, str):
        return resolved
    source, names = resolved
    group = replace(
        record.group,
        acknowledgements=tuple((names[u].name, at) for u, at in record.group.acknowledgements),
        resolved_by=names[r].name if (r := record.group.resolved_by) in names else r,
    )
    events = [
        event
        for sequence, sent in enumerate(record.notifications, start=1)
        for event in _events(sequence, sent, names, fmt)
    ]
    return past.Past(source, group, events), names


def _resolve_group(
    session: Session, record: GroupRecord, default_integration: str | None, found: _Lookups
) -> tuple[Integration, dict[str, User]] | str:
    """The integration and the users a record names, or why it is refused."""
    names: dict[str, User] = {}
    for where, name in record.people:
        user, why = found.people.find(name)
        if user is None:
            return f"{where}: {why}"
        names[name] = user
    service = record.group.service
    if service is not None:
        if service not in found.services:
            found.services[service] = find_service(session, service) is not None
        if not found.services[service]:
            return f"{record.service_field}: no service named {service!r} in the catalog"
    through = record.integration or default_integration
    if through is None:
        return "integration: none named; name one in the record or with --integration"
    if through not in found.integrations:
        found.integrations[through] = past.find_integration(session, through)
    source = found.integrations[through]
    if source is None:
        where = "integration" if record.integration else "--integration"
        return f"{where}: no integration named {through!r}"
    return source, names


def _reason(fmt: str) -> str:
    return f"imported ({fmt})"


def _events(sequence: int, sent: Notified, names: dict[str, User], fmt: str) -> list[past.Event]:
    """The `paged` and `notified` entries of one notification, as escalation writes them."""
    user = names[sent.user]
    local, period = local_view(sent.at, user.time_zone)
    paged: dict[str, object] = {
        "user": user.name,
        "reason": _reason(fmt),
        "step": sequence,
        "local_time": local.strftime("%a %H:%M"),
        "period": period,
    }
    notified: dict[str, object] = {"via": sent.via, "contact": sent.via, "user": user.name}
    return [(sent.at, "paged", SYSTEM, paged), (sent.at, "notified", SYSTEM, notified)]


def _pages(
    session: Session, written: list[tuple[AlertGroup, GroupRecord, dict[str, User]]], fmt: str
) -> None:
    """Each group's escalation, over, and a page with its sent notification per notification
    of its record (one flush for the pages of all, whose ids the notifications need)."""
    pages: list[tuple[Page, Notified]] = []
    for group, record, names in written:
        session.add(
            Escalation(
                group_id=group.id,
                route=None,
                unrouted=False,
                policy=None,
                round=1,
                level=0,
                pass_number=0,
                step=0,
                sequence=len(record.notifications),
                next_at=None,
                state=STOPPED,
                started_at=group.created_at,
            )
        )
        for sequence, sent in enumerate(record.notifications, start=1):
            user = names[sent.user]
            local, period = local_view(sent.at, user.time_zone)
            page = Page(
                group_id=group.id,
                sequence=sequence,
                step=sequence,
                policy="",
                user_id=user.id,
                user_name=user.name,
                reason=_reason(fmt),
                paged_at=sent.at,
                time_zone=user.time_zone,
                local_time=local.strftime("%a %H:%M"),
                period=period,
            )
            pages.append((page, sent))
    session.add_all(page for page, _ in pages)
    session.flush()
    session.add_all(
        Notification(
            page_id=page.id,
            group_id=page.group_id,
            user_id=page.user_id,
            contact=sent.via,
            kind=sent.via,
            address="",
            idempotency_key=f"ninefold-import-{page.group_id}-{page.sequence}",
            due_at=sent.at,
            status=SENT,
            attempts=1,
            sent_at=sent.at,
            error="",
        )
        for page, sent in pages
    )


def _import_shift(
    session: Session,
    actor: Principal,
    record: ShiftRecord,
    fmt: str,
    now: datetime,
    found: _Lookups,
    report: Report,
) -> None:
    target = _shift_target(session, record, found)
    if isinstance(target, str):
        report.refused.append(Refused(record.ref, None, target))
        return
    row, user = target
    model = found.model(session, row)
    override = Override("add", record.start, record.end, user.name)
    if override in model.overrides:
        report.unchanged += 1
        return
    beside = sorted(
        {p for s in model.shifts(record.start, record.end) for p in s.people} - {user.name}
    )
    try:
        schedules.add_override(session, row, override, actor.name, now, f"imported ({fmt})")
    except Conflict as exc:
        report.refused.append(Refused(record.ref, None, f"{exc.field or 'start'}: {exc.message}"))
        return
    found.models[row.id] = replace(model, overrides=(*model.overrides, override))
    report.shifts += 1
    if beside:
        report.notes.append(
            (record.ref, f"{', '.join(beside)} on call in {row.name} then too: both count")
        )


def _shift_target(
    session: Session, record: ShiftRecord, found: _Lookups
) -> tuple[Schedule, User] | str:
    """The schedule and the user a shift names, or why it is refused."""
    user, why = found.people.find(record.user)
    if user is None:
        return f"user: {why}"
    if record.schedule not in found.schedules:
        found.schedules[record.schedule] = schedules.find_row(session, record.schedule)
    row = found.schedules[record.schedule]
    if row is None:
        return f"schedule: no schedule named {record.schedule!r}"
    return row, user
