"""The configuration directory's `runbooks/` folder, read for `ninefold check` and `apply`:
each Markdown file a runbook named after the file, checked against the rest of the directory.
Its services and teams must be declared, its alerts must be rules Ninefold can see (the SLOs'
alerts and the rule files of `rules/`), and every `runbook_url` annotation that points at a
runbook (`.../runbooks/NAME`) must find it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from ninefold.declared import Bundle
from ninefold.runbooks.document import parse
from ninefold.runbooks.schemas import RunbookSpec
from ninefold.sourcefile import Problem, display_path, read_source

_RUNBOOK_URL = re.compile(r"(?:^|/)runbooks/(?P<name>[^/?#]+?)(?:\.md)?/?(?:[?#].*)?$")
_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$")


def runbook_named_by(url: str) -> str | None:
    """The runbook a `runbook_url` names: `https://ninefold.example/runbooks/db-failover`,
    `/runbooks/db-failover` or `runbooks/db-failover.md`; None for any other address."""
    found = _RUNBOOK_URL.search(url.strip())
    return found.group("name") if found else None


def read_folder(folder: Path, bundle: Bundle) -> list[RunbookSpec]:
    runbooks = read_runbooks(folder, bundle.problems)
    known = bundle.known_names()
    alerts = alert_names(bundle)
    for spec, file, lines in runbooks:
        bundle.problems.extend(_references(spec, file, lines, known, alerts))
    names = {spec.name for spec, _, _ in runbooks} | _unreadable(folder, runbooks)
    for rule in bundle.documents.get("rules", []):
        wanted = runbook_named_by(rule.runbook_url or "")
        if wanted is not None and wanted not in names:
            bundle.problems.append(
                Problem(
                    rule.file,
                    rule.runbook_url_line,
                    f"{rule.name}.annotations.runbook_url",
                    f"no runbook {wanted!r} in runbooks/",
                )
            )
    return [spec for spec, _, _ in runbooks]


def alert_names(bundle: Bundle) -> set[str]:
    """The alert rules the directory declares: each SLO's burn-rate alert and its SLI-missing
    alert (`slo generate` writes both), and the alerts of the rule files in `rules/`."""
    names = {rule.name for rule in bundle.documents.get("rules", [])}
    for slo in bundle.documents.get("slos", []):
        names |= {slo.alerting.name, f"{slo.alerting.name}SLIMissing"}
    return names


Lines = dict[str, int]


def read_runbooks(folder: Path, problems: list[Problem]) -> list[tuple[RunbookSpec, str, Lines]]:
    """Every readable runbook of the folder, with its file and the line of each front-matter
    key; the problems of the others (and of these) go to `problems`."""
    found = []
    for path in sorted(folder.rglob("*.md")):
        if not path.is_file() or path.name.lower() == "readme.md":
            continue
        file = display_path(path)
        text = read_source(path, file, folder)
        if isinstance(text, Problem):
            problems.append(text)
            continue
        name = path.stem
        if not _NAME.match(name):
            problems.append(
                Problem(
                    file,
                    0,
                    "name",
                    "a runbook is named after its file: lowercase letters, digits and "
                    "hyphens (db-failover.md)",
                )
            )
            continue
        parsed = parse(text, file, name)
        problems.extend(parsed.problems)
        if parsed.front is None or parsed.problems:
            continue
        front = parsed.front
        spec = RunbookSpec(
            name=name,
            path=str(path.relative_to(folder)),
            title=parsed.title,
            service=front.service,
            alerts=sorted(set(front.alerts)),
            owner=front.owner,
            review_days=front.review_days,
            last_tested=front.last_tested,
            last_reviewed=front.last_reviewed,
            body=parsed.body,
        )
        found.append((spec, file, _key_lines(text)))
    return found


def _unreadable(folder: Path, read: Iterable[tuple[RunbookSpec, str, Lines]]) -> set[str]:
    """Runbooks that exist but did not read: named by a URL, they are there, only broken
    (their own problems say how)."""
    good = {spec.name for spec, _, _ in read}
    return {p.stem for p in folder.rglob("*.md") if p.stem not in good}


def _key_lines(text: str) -> Lines:
    """The file's line of each front-matter key, and of each item below it (`alerts` items
    as `alerts[Name]`), for problems to point at."""
    lines: Lines = {}
    key = ""
    for number, line in enumerate(text.splitlines()[1:], start=2):
        if line.rstrip() == "---":
            break
        head = line.split(":", 1)[0]
        if head and not head.startswith((" ", "#", "-")):
            key = head.strip()
            lines.setdefault(key, number)
        for item in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", line.split("#", 1)[0]):
            lines.setdefault(f"{key}[{item}]", number)
    return lines


def _references(
    spec: RunbookSpec, file: str, lines: Lines, known: dict[str, set[str]], alerts: set[str]
) -> list[Problem]:
    problems = []
    if spec.service not in known.get("services", set()):
        problems.append(
            Problem(file, lines.get("service", 2), "service", f"no service {spec.service!r}")
        )
    if spec.owner is not None and spec.owner not in known.get("teams", set()):
        problems.append(Problem(file, lines.get("owner", 2), "owner", f"no team {spec.owner!r}"))
    for alert in spec.alerts:
        if alert not in alerts:
            problems.append(
                Problem(
                    file,
                    lines.get(f"alerts[{alert}]", lines.get("alerts", 2)),
                    "alerts",
                    f"no alert rule {alert!r} in slos/ or rules/ (keep the Prometheus rule "
                    "files of other alerts in rules/)",
                )
            )
    return problems
