"""The domain manifests: every reference loads and is what its field promises, every
configuration section is applied or read from the files on purpose, and the commands, pages
and templates of different domains never collide."""

from __future__ import annotations

import inspect
from collections import Counter

import pytest
import typer
from fastapi import APIRouter
from pydantic import BaseModel

from ninefold.changes import dora_report
from ninefold.cli import COMMANDS, load_command
from ninefold.declared import Kind
from ninefold.domain import Domain, Section, load
from ninefold.domains import DOMAINS
from ninefold.runbooks import coverage as runbook_coverage
from ninefold.web.pages import NAV

BY_NAME = {domain.name: domain for domain in DOMAINS}
POINTS = {dora_report.INCIDENTS, runbook_coverage.PAGED_RULES}
"""The extension points domains declare; an extension to any other point reaches nothing."""


def test_domains_have_unique_names_matching_their_packages() -> None:
    assert len(BY_NAME) == len(DOMAINS)
    for domain in DOMAINS:
        assert domain.package == f"ninefold.{domain.name}"


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.name)
def test_every_reference_of_a_manifest_loads_as_what_it_names(domain: Domain) -> None:
    for ref in (*domain.api, *domain.pages):
        assert isinstance(load(ref), APIRouter), ref
    for ref in (domain.web_setup, domain.jobs, domain.checks, domain.collector):
        if ref is not None:
            assert callable(load(ref)), ref
    if domain.tables:
        assert inspect.ismodule(load(domain.tables))
    for section in domain.sections:
        assert issubclass(load(section.spec), BaseModel), section.spec
        if section.kind:
            assert isinstance(load(section.kind), Kind), section.kind
    for folder in domain.folders:
        assert callable(load(folder.read)), folder.read
        if folder.kind:
            assert isinstance(load(folder.kind), Kind), folder.kind
    for command in domain.commands:
        assert isinstance(load(command.app), typer.Typer), command.app
    for command in domain.imports:
        assert callable(load(command.app)), command.app
    for extension in domain.extensions:
        assert extension.point in POINTS, extension.point
        assert callable(load(extension.ref)), extension.ref


@pytest.mark.parametrize(
    "section", [s for d in DOMAINS for s in d.sections], ids=lambda section: section.name
)
def test_every_section_is_applied_or_read_from_the_files_on_purpose(section: Section) -> None:
    """A section `check` validates and the reference documents, but that nothing applies and
    nothing reads, would be silently ignored."""
    assert (section.kind is None) == section.read_from_files, (
        f"section {section.name!r} needs a kind for `apply`, or read_from_files=True"
    )


def test_sections_commands_and_nav_entries_are_unique_across_domains() -> None:
    sections = Counter(s.name for d in DOMAINS for s in d.sections)
    assert [name for name, n in sections.items() if n > 1] == []
    commands = Counter(c.name for d in DOMAINS for c in d.commands)
    assert [name for name, n in commands.items() if n > 1] == []
    assert len({path for _, path, _ in NAV}) == len(NAV)
    orders = [e.order for d in DOMAINS for e in d.nav]
    assert len(set(orders)) == len(orders)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_command_listed_from_its_manifest_runs_as_listed(name: str) -> None:
    """`ninefold --help` shows the manifest's help without importing the command: it must be
    what the loaded command says of itself."""
    command = COMMANDS[name]
    loaded = load_command(command)
    assert loaded.name == name
    assert loaded.get_short_help_str(limit=200) == command.help
