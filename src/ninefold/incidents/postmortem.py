"""A postmortem as a document, pure: its sections (the Google SRE book's template, blameless),
how complete it is, and its Markdown form, written out and read back, so that a team can
write it in its editor or repository (`ninefold postmortem export` / `import`).

The Markdown form: a `# ` title line, then one `## ` heading per section in any order, and
the action items as a list under `## Action items`, one per line:

    - prevent: Add a canary stage | owner: maria | due: 2026-03-20 | priority: high | url: https://...

Reading it back names the line of anything it cannot read. An export starts with a comment
naming its incident (`<!-- ninefold incident 4 -->`), so that the file alone says where it
goes back to; comments before the title are otherwise ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from ninefold.incidents.model import Severity


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    required: bool
    hint: str


SECTIONS = (
    Section("summary", "Summary", True, "What happened, in two or three sentences."),
    Section("impact", "Impact", True, "Who was affected, how, for how long; budget burned."),
    Section(
        "root_causes",
        "Root causes and contributing factors",
        True,
        "Why it happened: conditions, not people.",
    ),
    Section("trigger", "Trigger", True, "What set it off."),
    Section("resolution", "Resolution", True, "What ended it."),
    Section("detection", "Detection", True, "How we found out, and how we could sooner."),
    Section("went_well", "What went well", False, ""),
    Section("went_badly", "What went badly", False, ""),
    Section("lucky", "Where we got lucky", False, ""),
    Section("lessons", "Lessons", False, ""),
    Section("timeline", "Timeline", False, "The pinned events, in order."),
)
BY_TITLE = {s.title.lower(): s for s in SECTIONS}
ACTION_ITEMS = "Action items"
MARKER = re.compile(r"^<!-- ninefold incident (\d+) -->$")


class ItemKind(StrEnum):
    PREVENT = "prevent"
    MITIGATE = "mitigate"
    DETECT = "detect"
    PROCESS = "process"


@dataclass(frozen=True)
class ActionItem:
    kind: ItemKind
    title: str
    owner: str | None = None
    due: date | None = None
    priority: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Document:
    title: str
    sections: Mapping[str, str]
    items: Sequence[ActionItem] = ()


@dataclass(frozen=True)
class Completeness:
    score: float
    """Share of the checks passed, 0 to 1."""
    missing: tuple[str, ...] = field(default=())


def completeness(document: Document, severity: Severity) -> Completeness:
    """Every required section filled, at least one action item, and for SEV1 at least one
    that prevents or detects (a SEV1 must not end with process items only)."""
    missing = [
        f"section {s.title}"
        for s in SECTIONS
        if s.required and not document.sections.get(s.key, "").strip()
    ]
    checks = sum(1 for s in SECTIONS if s.required) + 1
    if not document.items:
        missing.append("an action item")
    if severity is Severity.SEV1:
        checks += 1
        if not any(i.kind in (ItemKind.PREVENT, ItemKind.DETECT) for i in document.items):
            missing.append("a prevent or detect action item (SEV1)")
    return Completeness((checks - len(missing)) / checks, tuple(missing))


def incident_named(text: str) -> int | None:
    """The incident an export names on its first line, if it does."""
    first = text.lstrip().partition("\n")[0].strip()
    found = MARKER.match(first)
    return int(found.group(1)) if found else None


def to_markdown(document: Document, incident: int | None = None) -> str:
    marker = [f"<!-- ninefold incident {incident} -->"] if incident is not None else []
    lines = [*marker, f"# {document.title}", ""]
    for section in SECTIONS:
        lines += [f"## {section.title}", "", document.sections.get(section.key, "").strip(), ""]
    lines += [f"## {ACTION_ITEMS}", ""]
    lines += [_item_line(item) for item in document.items]
    return "\n".join(lines).rstrip() + "\n"


def _item_line(item: ActionItem) -> str:
    parts = [f"- {item.kind}: {item.title}"]
    for key in ("owner", "due", "priority", "url"):
        value = getattr(item, key)
        if value is not None:
            parts.append(f"{key}: {value.isoformat() if isinstance(value, date) else value}")
    return " | ".join(parts)


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def from_markdown(text: str) -> tuple[Document, list[Problem]]:
    """The document, and a problem for each line it could not read (the rest is kept)."""
    title, sections, items, problems = "", dict[str, list[str]](), [], []
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not title and line.startswith("<!--"):
            continue
        if line.startswith("# ") and not title:
            title = line[2:].strip()
        elif line.startswith("## "):
            heading = line[3:].strip()
            if heading.lower() == ACTION_ITEMS.lower():
                current = ACTION_ITEMS
            elif heading.lower() in BY_TITLE:
                current = BY_TITLE[heading.lower()].key
                sections.setdefault(current, [])
            else:
                current = None
                known = ", ".join([s.title for s in SECTIONS] + [ACTION_ITEMS])
                problems.append(Problem(number, f"unknown section {heading!r}; known: {known}"))
        elif current == ACTION_ITEMS:
            if line.strip():
                item, problem = _read_item(line, number)
                if item is not None:
                    items.append(item)
                if problem is not None:
                    problems.append(problem)
        elif current is not None:
            sections[current].append(line)
    if not title:
        problems.insert(0, Problem(1, "no title: the first heading must be '# <title>'"))
    body = {key: "\n".join(lines).strip() for key, lines in sections.items()}
    return Document(title, body, tuple(items)), problems


def _read_item(line: str, number: int) -> tuple[ActionItem | None, Problem | None]:
    if not line.startswith("- "):
        return None, Problem(number, "an action item is a list line: '- <kind>: <title> | ...'")
    head, *rest = [part.strip() for part in line[2:].split(" | ")]
    kind, _, title = head.partition(":")
    if kind.strip() not in ItemKind.__members__.values() or not title.strip():
        kinds = ", ".join(ItemKind)
        return None, Problem(number, f"an action item starts with its kind ({kinds}) and title")
    fields: dict[str, str] = {}
    for part in rest:
        key, _, value = part.partition(":")
        if key.strip() not in ("owner", "due", "priority", "url") or not value.strip():
            return None, Problem(number, f"unknown action item field {part!r}")
        fields[key.strip()] = value.strip()
    try:
        due = date.fromisoformat(fields["due"]) if "due" in fields else None
    except ValueError:
        return None, Problem(number, f"due: {fields['due']!r} is not a date (YYYY-MM-DD)")
    item = ActionItem(
        ItemKind(kind.strip()),
        title.strip(),
        fields.get("owner"),
        due,
        fields.get("priority"),
        fields.get("url"),
    )
    return item, None
