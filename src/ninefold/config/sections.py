"""The sections a configuration file may hold and the folders read in formats of their own:
every domain's (`Domain.sections`, `Domain.folders`), in the order of `ninefold.domains`.

`check`, `apply` and the configuration reference all read this table, so a domain's new
section is checked, applied (or, on purpose, read from the files where it is used) and
documented without any edit here. The schemas load with this module; how each section is
written to the database (`applied_kinds`) loads only for `apply`.
"""

from __future__ import annotations

from pydantic import BaseModel

from ninefold.declared import Kind
from ninefold.domain import Folder, Section, load
from ninefold.domains import DOMAINS

SCHEMAS: dict[str, type[BaseModel]] = {
    section.name: load(section.spec) for domain in DOMAINS for section in domain.sections
}
FOLDERS: dict[str, Folder] = {
    folder.name: folder for domain in DOMAINS for folder in domain.folders
}


def applied_kinds() -> dict[str, Kind]:
    """The sections `apply` writes, in the order of the domains, then the folders (runbooks),
    which refer to sections only; with how each is written."""
    parts: list[Section | Folder] = [*(s for d in DOMAINS for s in d.sections)]
    parts += [f for d in DOMAINS for f in d.folders]
    return {part.name: load(part.kind) for part in parts if part.kind is not None}
