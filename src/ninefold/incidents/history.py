"""Past incidents from elsewhere, read into records, pure: Ninefold's JSON and CSV forms, and
the keyed JSON of public cloud post-mortem collections. Each record is either an incident to
import, with the notes on what it lacks, or refused with its reason; none is lost silently.

Ninefold's form (JSON: a list of objects, or `{"incidents": [...]}`; CSV: one row each, a
header naming the columns, services separated by `;`):

| field | meaning |
|---|---|
| `id` | the incident's id at its source (required): importing it again changes nothing |
| `title` | required |
| `severity` | SEV1-SEV4 (default: the import's `--severity`) |
| `services` | impacted services |
| `category` | root-cause category (a configured one, or left unknown with a note) |
| `provider` | where it happened or who reported it (a cloud, a vendor) |
| `summary` | free text |
| `impact_start` ... `impact_end` | the six instants, ISO 8601 with an offset; impact start |
| | (or, without one, `resolved`) is required |

The keyed form (an object whose keys are incident ids and values objects with `title` and
`time`, as in the ISSRE 2022 cloud post-mortem dataset) maps: `time` (MM/DD/YYYY) to impact
start at midnight UTC of that date; `duration` (minutes) to mitigated, resolved and impact end
that many minutes later; `detection time` (minutes) to detected; `service_name` to services;
the first `root cause` label's layer-2 to a category (table `CLOUD_CATEGORIES`, spelling
variants folded); the id's leading word, else the link's host, to the provider (AWS, Azure,
Google).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from ninefold.incidents.model import Severity

FIELDS = (
    "id",
    "title",
    "severity",
    "services",
    "category",
    "provider",
    "summary",
    "impact_start",
    "detected",
    "acknowledged",
    "mitigated",
    "resolved",
    "impact_end",
)
INSTANTS = ("impact_start", "detected", "acknowledged", "mitigated", "resolved", "impact_end")
CLOUD_CATEGORIES = {
    "software bugs": "software-bug",
    "softwares bugs": "software-bug",
    "software failures": "software-bug",
    "hardware failures": "hardware",
    "insufficient resource": "capacity",
    "excessive flow": "traffic",
    "third-party failures": "dependency",
    "component removal": "process",
    "network": "network",
    "others": "other",
}
PROVIDERS = {"amazon": "AWS", "aws": "AWS", "azure": "Azure", "microsoft": "Azure"}
PROVIDERS |= {"google": "Google"}
ID_PREFIXES = {"aws": "AWS", "azure": "Azure", "google": "Google", "gc": "Google"}
"""Google's ids start gc (gcnet, gcs, gcdc: the product's code)."""
MAX_TEXT = 20_000


@dataclass(frozen=True)
class Record:
    """An incident to import, as its source describes it."""

    source_id: str
    ref: str
    """Where it was read: `file:#12` (the 12th record) or `file:line 7` (CSV)."""
    title: str
    severity: Severity
    services: tuple[str, ...]
    category: str | None
    provider: str | None
    summary: str
    instants: Mapping[str, datetime]
    notes: tuple[str, ...] = ()
    content: str = field(default="", compare=False)
    """The record as read, canonical: a repeated id with other content is a conflict."""


@dataclass(frozen=True)
class Refused:
    ref: str
    source_id: str | None
    reason: str


class Unreadable(Exception):
    """The file as a whole is not in a form this module reads."""


def read(text: str, fmt: str, name: str, severity: Severity) -> Iterator[Record | Refused]:
    """The records of a file, in order."""
    if fmt == "csv":
        yield from _csv(text, name, severity)
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Unreadable(f"{name}: not JSON: {exc.msg} at line {exc.lineno}") from None
    if isinstance(data, dict) and isinstance(data.get("incidents"), list):
        data = data["incidents"]
    if isinstance(data, list):
        for number, item in enumerate(data, start=1):
            yield _ninefold(item, f"{name}:#{number}", severity)
    elif isinstance(data, dict):
        for number, (key, item) in enumerate(data.items(), start=1):
            yield _keyed(key, item, f"{name}:#{number} ({key})", severity)
    else:
        raise Unreadable(f"{name}: expected a list of incidents or an object of them by id")


def _csv(text: str, name: str, severity: Severity) -> Iterator[Record | Refused]:
    reader = csv.DictReader(io.StringIO(text))
    unknown = [c for c in reader.fieldnames or [] if c not in FIELDS]
    if not reader.fieldnames or "id" not in reader.fieldnames:
        raise Unreadable(f"{name}: the first line must name the columns, `id` among them")
    if unknown:
        raise Unreadable(
            f"{name}: unknown columns {', '.join(unknown)}; known: {', '.join(FIELDS)}"
        )
    for row in reader:
        item: dict[str, Any] = {
            k: v for k, v in row.items() if k is not None and v not in ("", None)
        }
        if "services" in item:
            item["services"] = [s.strip() for s in item["services"].split(";") if s.strip()]
        yield _ninefold(item, f"{name}:line {reader.line_num}", severity)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _ninefold(item: Any, ref: str, severity: Severity) -> Record | Refused:
    if not isinstance(item, dict):
        return Refused(ref, None, "not an object")
    source_id = _text(str(item["id"])) if item.get("id") not in (None, "") else ""
    if not source_id:
        return Refused(ref, None, "no id")
    unknown = sorted(set(item) - set(FIELDS))
    if unknown:
        return Refused(ref, source_id, f"unknown fields {', '.join(unknown)}")
    title = _text(item.get("title"))
    if not title:
        return Refused(ref, source_id, "no title")
    try:
        level = Severity(item["severity"]) if item.get("severity") else severity
    except ValueError:
        return Refused(ref, source_id, f"severity {item['severity']!r} is not SEV1-SEV4")
    instants: dict[str, datetime] = {}
    for name in INSTANTS:
        if item.get(name) in (None, ""):
            continue
        try:
            when = datetime.fromisoformat(str(item[name]).replace("Z", "+00:00"))
        except ValueError:
            return Refused(ref, source_id, f"{name}: {item[name]!r} is not ISO 8601")
        if when.tzinfo is None:
            return Refused(ref, source_id, f"{name}: {item[name]!r} has no offset")
        instants[name] = when.astimezone(UTC)
    if "impact_start" not in instants and "resolved" not in instants:
        return Refused(ref, source_id, "neither impact_start nor resolved: no place in time")
    services = item.get("services") or []
    if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
        return Refused(ref, source_id, "services must be a list of names")
    return _record(source_id, ref, title, level, services, item, instants, [])


def _record(
    source_id: str,
    ref: str,
    title: str,
    severity: Severity,
    services: list[str],
    item: Mapping[str, Any],
    instants: Mapping[str, datetime],
    notes: list[str],
) -> Record:
    names = tuple(dict.fromkeys(s.strip()[:64] for s in services if s.strip()))
    if not names:
        notes.append("no service")
    if "resolved" not in instants:
        notes.append("no duration: time to recover unknown")
    return Record(
        source_id=source_id[:200],
        ref=ref,
        title=title[:500],
        severity=severity,
        services=names,
        category=_text(item.get("category")) or None,
        provider=_text(item.get("provider"))[:64] or None,
        summary=_text(item.get("summary"))[:MAX_TEXT],
        instants=dict(instants),
        notes=tuple(notes),
        content=json.dumps(item, sort_keys=True, default=str),
    )


DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _keyed(key: str, item: Any, ref: str, severity: Severity) -> Record | Refused:
    if not isinstance(item, dict):
        return Refused(ref, key, "not an object")
    title = _text(item.get("title"))
    if not title:
        return Refused(ref, key, "no title")
    found = DATE.match(_text(item.get("time")))
    if found is None:
        return Refused(ref, key, f"time {item.get('time')!r} is not MM/DD/YYYY")
    month, day, year = (int(part) for part in found.groups())
    try:
        start = datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return Refused(ref, key, f"time {item.get('time')!r} is not a date")
    instants = {"impact_start": start}
    notes: list[str] = []
    duration = item.get("duration")
    if isinstance(duration, int | float) and not isinstance(duration, bool) and duration >= 0:
        end = start + timedelta(minutes=float(duration))
        instants |= {"mitigated": end, "resolved": end, "impact_end": end}
    elif duration is not None:
        notes.append(f"duration {duration!r} is not minutes: left out")
    detection = item.get("detection time")
    if isinstance(detection, int | float) and not isinstance(detection, bool) and detection >= 0:
        instants["detected"] = start + timedelta(minutes=float(detection))
    category, label = _cloud_category(item.get("root cause"))
    if label not in (None, "unknown") and category is None:
        notes.append(f"root cause {label!r} maps to no category: left unknown")
    services = item.get("service_name") or []
    if not isinstance(services, list):
        services = [str(services)]
    fields = {
        "category": category,
        "provider": _provider(key, item.get("link")),
        "summary": _text(item.get("summary")),
    }
    return _record(key, ref, title, severity, [str(s) for s in services], fields, instants, notes)


def _cloud_category(root: Any) -> tuple[str | None, str | None]:
    labels = root.get("label") if isinstance(root, dict) else None
    if not isinstance(labels, list) or not labels or not isinstance(labels[0], dict):
        return None, None
    layer = labels[0].get("layer-2") or labels[0].get("layer-1")
    if not isinstance(layer, str):
        return None, None
    label = " ".join(layer.lower().split())
    return CLOUD_CATEGORIES.get(label), label


def _provider(key: str, links: Any) -> str | None:
    """From the id's leading word (`aws-...`, `azure20180711-1`, `gcnet-...`), else the
    link's host (many links point at mirrors, so the id comes first)."""
    word = key.lower()
    for prefix, provider in ID_PREFIXES.items():
        if word.startswith(prefix):
            return provider
    for link in links if isinstance(links, list) else [links]:
        host = urlsplit(str(link)).hostname or ""
        for name, provider in PROVIDERS.items():
            if name in host:
                return provider
    return None
