"""A runbook file read: its front matter, its title and its sections, each problem at its line
of the file. Pure: text in, a `Parsed` out.

The front matter is YAML between a `---` first line and the next `---` line, as Jekyll, Hugo
and Backstage TechDocs write it. It is parsed with the lines before it kept blank, so every
line a problem names is the file's own, not the YAML's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from ninefold.runbooks.schemas import REQUIRED_SECTIONS, FrontMatter
from ninefold.sourcefile import Problem, parse_yaml, validate

FENCE = "---"
_markdown = MarkdownIt("commonmark")


@dataclass(frozen=True)
class Section:
    heading: str
    line: int
    empty: bool


@dataclass
class Parsed:
    front: FrontMatter | None
    title: str
    body: str
    body_line: int
    """The file's line where the body starts (after the front matter)."""
    sections: dict[str, Section] = field(default_factory=dict)
    """The required sections found, by their name in `REQUIRED_SECTIONS`."""
    problems: list[Problem] = field(default_factory=list)


def parse(text: str, file: str, name: str) -> Parsed:
    lines = text.splitlines()
    problems: list[Problem] = []
    end = _front_matter_end(lines)
    if end is None:
        problems.append(
            Problem(
                file,
                1,
                "front matter",
                "missing: start the file with a --- line, the YAML (service:, alerts:, ...) "
                "and a closing --- line",
            )
        )
        return Parsed(None, name, text, 1, problems=problems)
    front = _front_matter(lines[1:end], file, problems)
    body = "\n".join(lines[end + 1 :])
    body_line = end + 2
    title, sections = _outline(body, body_line)
    if front is not None and front.title:
        title = front.title
    parsed = Parsed(front, title or name, body, body_line, sections, problems)
    problems += _section_problems(parsed, file)
    return parsed


def _front_matter_end(lines: list[str]) -> int | None:
    if not lines or lines[0].rstrip() != FENCE:
        return None
    for i, line in enumerate(lines[1:], start=1):
        if line.rstrip() == FENCE:
            return i
    return None


def _front_matter(yaml_lines: list[str], file: str, problems: list[Problem]) -> FrontMatter | None:
    # One blank line for the opening fence keeps the parser's line numbers the file's.
    node, problem = parse_yaml("\n" + "\n".join(yaml_lines), file)
    if problem is not None:
        problems.append(problem)
        return None
    if not isinstance(node, dict):
        problems.append(
            Problem(file, 2, "front matter", "must be a mapping (service: ..., alerts: [...])")
        )
        return None
    found = validate(FrontMatter, node, file, "", 2, problems)
    return found if isinstance(found, FrontMatter) else None


def _outline(body: str, first_line: int) -> tuple[str, dict[str, Section]]:
    """The first `#` heading, and each required section's heading, line and whether anything
    follows it before the next heading of the same or a higher level."""
    tokens = _markdown.parse(body)
    headings = [
        (i, int(t.tag[1]), tokens[i + 1].content.strip(), (t.map or [0])[0])
        for i, t in enumerate(tokens)
        if t.type == "heading_open"
    ]
    title = next((text for _, level, text, _ in headings if level == 1), "")
    sections: dict[str, Section] = {}
    for n, (index, level, text, line) in enumerate(headings):
        name = next((s for s in REQUIRED_SECTIONS if text.lower().startswith(s)), None)
        if name is None or name in sections:
            continue
        following = [h for h in headings[n + 1 :] if h[1] <= level]
        stop = following[0][0] if following else len(tokens)
        content = [t for t in tokens[index + 3 : stop] if t.type != "heading_open"]
        sections[name] = Section(text, first_line + line, empty=not content)
    return title, sections


def _section_problems(parsed: Parsed, file: str) -> list[Problem]:
    missing = [s for s in REQUIRED_SECTIONS if s not in parsed.sections]
    problems = []
    if missing:
        headings = ", ".join(f"## {s.capitalize()}" for s in missing)
        problems.append(
            Problem(
                file, parsed.body_line, "sections", f"missing {', '.join(missing)} ({headings})"
            )
        )
    for name, section in parsed.sections.items():
        if section.empty:
            problems.append(
                Problem(file, section.line, "sections", f"{name}: the section is empty")
            )
    return problems
