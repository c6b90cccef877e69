"""`ninefold check`: every file read and validated (`directory`), the folders of other formats
read by their domains, then the checks across objects: duplicate names here, the rest (names
that must resolve, cycles) by each domain's `checks`.

Runs on the files alone (no database), so that `ninefold check` works in CI on a pull request.
"""

from __future__ import annotations

from pathlib import Path

from ninefold.config.sections import FOLDERS, SCHEMAS
from ninefold.declared import Bundle, duplicates
from ninefold.directory import read_sections
from ninefold.domain import load
from ninefold.domains import DOMAINS
from ninefold.sourcefile import Problem


def check_directory(root: Path) -> Bundle:
    bundle = read_sections(root, SCHEMAS, every_section=True)
    bundle.root = root
    bundle.problems.extend(cross_check(bundle))
    for name, folder in FOLDERS.items():
        path = root / name
        bundle.documents[name] = load(folder.read)(path, bundle) if path.is_dir() else []
    bundle.problems.sort()
    return bundle


def cross_check(bundle: Bundle) -> list[Problem]:
    problems: list[Problem] = []
    for section, items in bundle.items.items():
        problems += duplicates(section, items)
    known = bundle.known_names()
    for domain in DOMAINS:
        if domain.checks:
            problems += load(domain.checks)(bundle, known)
    return problems
