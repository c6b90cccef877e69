"""Past paging from elsewhere, read into records, pure: the records every format is read into,
and Ninefold's JSON form. Each record is an alert group or an on-call shift to import, or
refused with where it is, which field and what is wrong; none is lost silently. Whether the people,
services, schedules and integration it names exist is the importer's question
(`history_import`): this module knows no database.

Ninefold's form is described field by field in docs/paging.md#history-from-elsewhere: an
object with `alert_groups` and `shifts` lists. PagerDuty's CSV is read into the same records
by `history_pagerduty`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ninefold.alerts.past import SOURCE, PastGroup

JSON = "json"
ANSWERS = ("yes", "no", "unsure")
GROUP_FIELDS = (
    "id",
    "title",
    "alertname",
    "service",
    "severity",
    "labels",
    "integration",
    "opened_at",
    "notifications",
    "acknowledgements",
    "resolved_at",
    "resolved_by",
    "actionable",
)
SHIFT_FIELDS = ("schedule", "user", "start", "end")
UNKNOWN_VIA = "unknown"


@dataclass(frozen=True)
class Notified:
    user: str
    at: datetime
    via: str


@dataclass(frozen=True)
class GroupRecord:
    """A past alert group and the notifications it sent, as its source describes them."""

    ref: str
    """Where it was read: `file:alert_groups#2` (the second in the list) or `file:line 7`."""
    group: PastGroup
    integration: str | None
    notifications: tuple[Notified, ...]
    people: tuple[tuple[str, str], ...]
    """(field, name) of every person it names, for the importer to find."""
    service_field: str = "service"
    """Where the service was read, for a refusal to name."""
    notes: tuple[str, ...] = ()
    content: str = field(default="", compare=False)
    """The record as read, canonical: a repeated id with other content is a conflict."""


@dataclass(frozen=True)
class ShiftRecord:
    ref: str
    schedule: str
    user: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Refused:
    ref: str
    source_id: str | None
    reason: str
    """`field: what is wrong`, or what is wrong with the record as a whole."""


Record = GroupRecord | ShiftRecord | Refused


class Unreadable(Exception):
    """The file as a whole is not in a form this module reads."""


class Bad(Exception):
    """One field of one record is wrong: `field: message`."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")


def read(text: str, name: str, now: datetime) -> Iterator[Record]:
    """The records of a file in Ninefold's form, in order. Instants after `now` are refused:
    this is history."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Unreadable(f"{name}: not JSON: {exc.msg} at line {exc.lineno}") from None
    yield from records_of(data, name, now)


def records_of(data: Any, name: str, now: datetime) -> Iterator[Record]:
    """The records of a document in Ninefold's form, already parsed (the demo builds one)."""
    lists = ("alert_groups", "shifts")
    if not isinstance(data, dict) or set(data) - set(lists):
        raise Unreadable(f"{name}: expected an object with `alert_groups` and `shifts` lists")
    for key in lists:
        if not isinstance(data.get(key, []), list):
            raise Unreadable(f"{name}: `{key}` must be a list")
    for number, item in enumerate(data.get("alert_groups", []), start=1):
        yield _guarded(_group, item, f"{name}:alert_groups#{number}", now)
    for number, item in enumerate(data.get("shifts", []), start=1):
        yield _guarded(_shift, item, f"{name}:shifts#{number}", now)


def _guarded(
    reader: Callable[[dict[str, Any], str, datetime], Record], item: Any, ref: str, now: datetime
) -> Record:
    if not isinstance(item, dict):
        return Refused(ref, None, "not an object")
    source_id = _id(item)
    try:
        return reader(item, ref, now)
    except Bad as exc:
        return Refused(ref, source_id, str(exc))


def _id(item: Mapping[str, Any]) -> str | None:
    value = item.get("id")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


def _text(item: Mapping[str, Any], key: str, limit: int, *, required: bool = False) -> str:
    value = item.get(key)
    if value is None or value == "":
        if required:
            raise Bad(key, "missing")
        return ""
    if not isinstance(value, str):
        raise Bad(key, f"{value!r} is not text")
    if len(value) > limit:
        raise Bad(key, f"longer than {limit} characters")
    return value.strip()


def instant(value: Any, key: str, now: datetime) -> datetime:
    """An ISO 8601 instant with an offset, not after `now`."""
    if not isinstance(value, str) or not value.strip():
        raise Bad(key, "missing" if value in (None, "") else f"{value!r} is not a time")
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Bad(key, f"{value!r} is not ISO 8601") from None
    if when.tzinfo is None:
        raise Bad(key, f"{value!r} has no offset")
    when = when.astimezone(UTC)
    if when > now:
        raise Bad(key, f"{value} is in the future: only history is imported")
    return when


def _unknown(item: Mapping[str, Any], known: tuple[str, ...], where: str = "") -> None:
    extra = sorted(set(item) - set(known))
    if extra:
        raise Bad(
            where or extra[0],
            f"unknown field{'s' if len(extra) > 1 else ''} "
            f"{', '.join(extra)}; known: {', '.join(known)}",
        )


def _group(item: dict[str, Any], ref: str, now: datetime) -> GroupRecord:
    source_id = _id(item)
    if source_id is None:
        raise Bad("id", "missing")
    if len(source_id) > 200:
        raise Bad("id", "longer than 200 characters")
    _unknown(item, GROUP_FIELDS)
    alertname = _text(item, "alertname", 200)
    title = _text(item, "title", 500) or alertname
    if not title:
        raise Bad("title", "missing (give a title or an alertname)")
    labels = item.get("labels") or {}
    if not isinstance(labels, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in labels.items()
    ):
        raise Bad("labels", "must be an object of text values")
    opened = instant(item.get("opened_at"), "opened_at", now)
    if item.get("resolved_at") in (None, ""):
        raise Bad("resolved_at", "missing: a group still open at its source is not history yet")
    resolved = instant(item["resolved_at"], "resolved_at", now)
    if resolved < opened:
        raise Bad("resolved_at", "before opened_at")
    people: list[tuple[str, str]] = []
    notified = []
    for n, entry in enumerate(_list(item, "notifications")):
        where = f"notifications[{n}]"
        _unknown(entry, ("user", "at", "via"), where)
        user = _person(entry, where, people)
        via = _text(entry, "via", 16) if "via" in entry else UNKNOWN_VIA
        notified.append(Notified(user, _within(entry, where, opened, resolved, now), via))
    acks = []
    for n, entry in enumerate(_list(item, "acknowledgements")):
        where = f"acknowledgements[{n}]"
        _unknown(entry, ("user", "at"), where)
        acks.append((_person(entry, where, people), _within(entry, where, opened, resolved, now)))
    resolver = _text(item, "resolved_by", 64) or f"import:{JSON}"
    if resolver not in (SOURCE, f"import:{JSON}"):
        people.append(("resolved_by", resolver))
    answer = item.get("actionable")
    if answer is not None and answer not in ANSWERS:
        raise Bad("actionable", f"{answer!r} is not yes, no or unsure")
    group = PastGroup(
        external_id=source_id,
        title=title,
        alertname=alertname or title[:200],
        service=_text(item, "service", 64) or None,
        severity=_text(item, "severity", 32),
        opened_at=opened,
        resolved_at=resolved,
        resolved_by=resolver,
        acknowledgements=tuple(sorted(acks, key=lambda a: a[1])),
        answer=answer,
        labels=dict(labels),
    )
    return GroupRecord(
        ref=ref,
        group=group,
        integration=_text(item, "integration", 64) or None,
        notifications=tuple(sorted(notified, key=lambda n: n.at)),
        people=tuple(people),
        content=json.dumps(item, sort_keys=True, default=str),
    )


def _list(item: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    value = item.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise Bad(key, "must be a list of objects")
    return value


def _person(entry: Mapping[str, Any], where: str, people: list[tuple[str, str]]) -> str:
    user = _text(entry, "user", 200, required=True) if "user" in entry else ""
    if not user:
        raise Bad(f"{where}.user", "missing")
    people.append((f"{where}.user", user))
    return user


def _within(
    entry: Mapping[str, Any], where: str, opened: datetime, resolved: datetime, now: datetime
) -> datetime:
    when = instant(entry.get("at"), f"{where}.at", now)
    if not opened <= when <= resolved:
        raise Bad(f"{where}.at", "outside the group's life (opened_at to resolved_at)")
    return when


def _shift(item: dict[str, Any], ref: str, now: datetime) -> ShiftRecord:
    _unknown(item, SHIFT_FIELDS)
    schedule = _text(item, "schedule", 64, required=True)
    user = _text(item, "user", 200, required=True)
    start = instant(item.get("start"), "start", now)
    end = instant(item.get("end"), "end", now)
    if end <= start:
        raise Bad("end", "not after start")
    return ShiftRecord(ref, schedule, user, start, end)
