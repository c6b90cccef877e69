"""What a domain brings to the platform, declared in one place: its manifest.

Each domain package defines `DOMAIN = Domain(...)` in its `__init__.py`, and
`ninefold.domains.DOMAINS` lists the domains in their dependency order. The edges read that
list and nothing else: `app` mounts the API and page routers, `cli` the commands, `tables`
the mapped classes, `jobs` the job handlers, `web.pages` the templates and the navigation,
`config` the sections of the configuration files with their checks and how each is applied.
Adding a domain is a folder and a line in `DOMAINS` (see docs/architecture.md).

What a manifest names stays a dotted reference (`"package.module:attribute"`) until an edge
needs it, so that a package's `__init__` imports nothing heavy and a command loads only its
own domain. `tests/test_domains.py` loads every reference, so a typo fails there, not in use.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

Ref = str
"""`"package.module:attribute"`, or `"package.module"` for the module itself."""


def load(ref: Ref) -> Any:
    module, _, attribute = ref.partition(":")
    loaded = import_module(module)
    return getattr(loaded, attribute) if attribute else loaded


@dataclass(frozen=True)
class Command:
    """A top-level `ninefold` command: a Typer app with one command, or a group of them.

    `help` is what `ninefold --help` lists, without importing the command's module."""

    name: str
    app: Ref
    help: str


@dataclass(frozen=True)
class NavEntry:
    """A link of the navigation bar; entries of all domains are shown by `order`."""

    label: str
    path: str
    order: int
    admins_only: bool = False


@dataclass(frozen=True)
class Section:
    """A section of the configuration files (`teams:`, `routes:`, ...).

    `kind` is the `config.kinds.Kind` that `ninefold apply` writes the section's objects with.
    A section without one is read from the configuration directory by whatever uses it
    (`read_from_files=True` says so on purpose); a section with neither is a mistake that
    `tests/test_domains.py` reports."""

    name: str
    spec: Ref
    kind: Ref | None = None
    read_from_files: bool = False


@dataclass(frozen=True)
class Folder:
    """A folder of the configuration directory read in a format of its own (`slos/`).

    `read(folder, bundle)` returns its objects, adding its problems to `bundle.problems`; they
    are kept in `bundle.documents[name]`, and YAML files below the folder are not sections.
    With a `kind`, `ninefold apply` writes those objects as it writes a section's (runbooks);
    without one they are read from the files where they are used (SLOs)."""

    name: str
    read: Ref
    kind: Ref | None = None


@dataclass(frozen=True)
class Extension:
    """What a domain hands to a point another domain, below it, declares: the DORA figures
    (changes) count the incidents the incidents domain holds, without the changes domain
    importing it. `ref` names a callable of the signature the point documents."""

    point: str
    ref: Ref


@dataclass(frozen=True)
class Domain:
    """A domain's manifest. Every field but `name` and `package` is optional.

    - `api`: routers mounted under `/api/v1`; `pages`: routers of the web UI, whose templates
      live in the package's `templates/` folder and are named `"<domain>/<file>"`;
    - `web_setup`: called as `web_setup(app, settings)` after the routers are mounted, to
      hand other domains' pages what this one adds to them (panels);
    - `nav`: its links in the navigation bar; `commands`: its top-level commands;
      `imports`: its subcommands of `ninefold import` (history from other tools), whose
      `app` names the command function;
    - `tables`: the module of its mapped classes; `jobs`: `jobs(settings, clock)` returning
      its background jobs (`worker.runner.Jobs`);
    - `extensions`: what it hands to points of domains below it (`Extension`);
    - `collector`: `collector(session_factory, settings, clock)` returning a Prometheus
      collector whose metrics `/metrics` exports besides the process's own;
    - `sections`, `folders` and `checks`: its configuration sections, the folders it reads
      in formats of their own, and `checks(bundle, known)` returning the problems across
      objects (names that must resolve, cycles) of its sections.
    """

    name: str
    package: str
    api: tuple[Ref, ...] = ()
    pages: tuple[Ref, ...] = ()
    web_setup: Ref | None = None
    nav: tuple[NavEntry, ...] = ()
    commands: tuple[Command, ...] = ()
    imports: tuple[Command, ...] = ()
    tables: Ref | None = None
    jobs: Ref | None = None
    sections: tuple[Section, ...] = ()
    folders: tuple[Folder, ...] = ()
    checks: Ref | None = None
    extensions: tuple[Extension, ...] = ()
    collector: Ref | None = None

    @property
    def templates(self) -> Path | None:
        """The package's `templates/` folder, if it has one."""
        folder = Path(import_module(self.package).__file__ or "").parent / "templates"
        return folder if folder.is_dir() else None
