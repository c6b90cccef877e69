"""PagerDuty's incidents CSV read into the records of `history`, pure: the file its
Analytics > Reports > Incidents page downloads ("Download CSV", with advanced reporting's
columns), one row per incident, times in the account's zone with their offset. The mapping
is in `COLUMNS` and docs/paging.md#pagerdutys-incidents-csv.

The export says who was assigned, who acknowledged first and how many seconds after the
incident opened, who resolved it or whether it resolved itself. It does not say when an
escalation reached each assignee: all are taken as paged when the incident opened.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta

from ninefold.alerts.past import SOURCE, PastGroup
from ninefold.paging.history import Bad, GroupRecord, Notified, Record, Refused, Unreadable, instant

FORMAT = "pagerduty-csv"
VIA = "pagerduty"
COLUMNS = {
    "id": ("id", "incident_id"),
    "number": ("incident_number", "#"),
    "title": ("description", "title"),
    "service": ("service_name", "service"),
    "created": ("created_on", "created_at"),
    "resolved": ("resolved_on", "resolved_at"),
    "status": ("status",),
    "first_ack": ("seconds_to_first_ack",),
    "acknowledged_by": ("acknowledged_by_user_names", "acknowledged_by"),
    "assigned_to": ("assigned_to_user_names", "assigned_to"),
    "resolved_by": ("resolved_by_user_name", "resolved_by"),
    "auto_resolved": ("auto_resolved",),
    "urgency": ("urgency",),
}
"""What each Ninefold field is read from: the first of these columns the file has (names
compared in lower case, spaces as underscores)."""


def _column(name: str) -> str:
    return re.sub(r"\s+", "_", name.strip().lower())


def read(text: str, name: str, now: datetime) -> Iterator[Record]:
    """The incidents of an export, in order, each refused row with its line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    present = {_column(c): c for c in reader.fieldnames or []}
    columns = {
        key: next((present[c] for c in names if c in present), None)
        for key, names in COLUMNS.items()
    }
    for needed in (("id", "number"), ("created",), ("resolved",)):
        if all(columns[key] is None for key in needed):
            wanted = " or ".join(COLUMNS[key][0] for key in needed)
            raise Unreadable(f"{name}: no {wanted} column; is this PagerDuty's incidents CSV?")
    for row in reader:
        ref = f"{name}:line {reader.line_num}"
        cells = {
            key: (row.get(column) or "").strip() if column else ""
            for key, column in columns.items()
        }
        source_id = cells["id"] or cells["number"] or None
        try:
            yield _incident(cells, columns, ref, now)
        except Bad as exc:
            yield Refused(ref, source_id, str(exc))


def _names(cell: str) -> list[str]:
    return [n.strip() for n in re.split(r"[;,]", cell) if n.strip()]


def _incident(
    cells: dict[str, str], columns: dict[str, str | None], ref: str, now: datetime
) -> GroupRecord:
    def col(key: str) -> str:
        return columns[key] or COLUMNS[key][0]

    source_id = cells["id"] or cells["number"]
    if not source_id:
        raise Bad(col("id"), "empty")
    still_open = "the incident is still open at PagerDuty; import it once it is resolved"
    if cells["status"].lower() not in ("", "resolved"):
        raise Bad(col("status"), f"{cells['status']}: {still_open}")
    if not cells["resolved"]:
        raise Bad(col("resolved"), f"empty: {still_open}")
    opened = instant(cells["created"], col("created"), now)
    resolved = instant(cells["resolved"], col("resolved"), now)
    if resolved < opened:
        raise Bad(col("resolved"), f"before {col('created')}")
    people: list[tuple[str, str]] = []
    notified = []
    for person in _names(cells["assigned_to"]):
        people.append((col("assigned_to"), person))
        notified.append(Notified(person, opened, VIA))
    acks: list[tuple[str, datetime]] = []
    notes: list[str] = []
    ackers = _names(cells["acknowledged_by"])
    if cells["first_ack"]:
        try:
            at = opened + timedelta(seconds=float(cells["first_ack"]))
        except (ValueError, OverflowError):
            raise Bad(col("first_ack"), f"{cells['first_ack']!r} is not seconds") from None
        if not ackers:
            raise Bad(col("acknowledged_by"), f"empty, though {col('first_ack')} is set")
        if not opened <= at <= resolved:
            raise Bad(col("first_ack"), "acknowledged outside the incident's life")
        people.append((col("acknowledged_by"), ackers[0]))
        acks.append((ackers[0], at))
    elif ackers:
        notes.append(f"{col('first_ack')} is empty though acknowledged: left unacknowledged")
    if not notified:
        notes.append(f"{col('assigned_to')} is empty: nobody counted as paged")
    resolver = cells["resolved_by"]
    if resolver:
        people.append((col("resolved_by"), resolver))
    elif cells["auto_resolved"].lower() in ("1", "true", "yes"):
        resolver = SOURCE
    else:
        resolver = f"import:{FORMAT}"
    title = cells["title"][:500] or f"PagerDuty incident {cells['number'] or source_id}"
    group = PastGroup(
        external_id=source_id[:200],
        title=title,
        alertname=title[:200],
        service=cells["service"][:64] or None,
        severity=cells["urgency"][:32],
        opened_at=opened,
        resolved_at=resolved,
        resolved_by=resolver,
        acknowledgements=tuple(acks),
    )
    return GroupRecord(
        ref=ref,
        group=group,
        integration=None,
        notifications=tuple(notified),
        people=tuple(people),
        service_field=col("service"),
        notes=tuple(notes),
        content=json.dumps(cells, sort_keys=True),
    )
