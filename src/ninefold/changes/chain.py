"""A service's production deploys as one chain: which are rollbacks, what each undoes, and
which deploy a hotfix fixes. Pure: it reads the chain in order and decides (KPIS.md, DORA).

The chain is re-read whole whenever a change of the service is recorded, so a change recorded
late (history imported, a CI job retried hours later) lands where its finish time puts it and
every mark after it is decided again.

Rules, as KPIS.md states them and where it is silent (docs/changes.md, "Rollbacks and
hotfixes"):

- a change recorded as a rollback is one; so is a redeploy of an *earlier* version: a version
  first deployed before the version live at the time. Redeploying the live version again is a
  plain deploy, and so is deploying a version that came after the live one (a roll forward
  after a rollback);
- a rollback undoes the deploy it replaces, the latest real deploy of the live version (or
  the one it names), which is then rolled back at the rollback's finish; a rollback is not a
  deploy;
- a hotfix is a deploy; it fixes the deploy it names or, by default, the deploy before it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    DEPLOY = "deploy"
    ROLLBACK = "rollback"


@dataclass(frozen=True)
class Link:
    """One successful production deploy-kind change of a service, as the chain reads it."""

    id: int
    version: str
    finished_at: datetime
    rollback: bool = False
    reverts: int | None = None
    hotfix: bool = False
    hotfix_of: int | None = None


@dataclass(frozen=True)
class Decided:
    """What the chain made of a change: its role, the deploy it undoes (a rollback) and the
    deploy it fixes (a hotfix)."""

    role: Role
    undoes: int | None = None
    fixes: int | None = None


def decide(links: Iterable[Link]) -> dict[int, Decided]:
    """Each change's role and targets, by change id; `links` in any order."""
    ordered = sorted(links, key=lambda link: (link.finished_at, link.id))
    first_seen: dict[str, int] = {}  # version -> position of its first deploy
    latest_of: dict[str, int] = {}  # version -> id of its latest real deploy
    live: str | None = None
    previous_deploy: int | None = None
    decided: dict[int, Decided] = {}
    for position, link in enumerate(ordered):
        older = (
            live is not None
            and link.version != live
            and link.version in first_seen
            and first_seen[link.version] < first_seen[live]
        )
        if link.rollback or older:
            undoes = link.reverts
            if undoes is None and live is not None:
                undoes = latest_of.get(live)
            decided[link.id] = Decided(Role.ROLLBACK, undoes=undoes)
        else:
            fixes = (link.hotfix_of or previous_deploy) if link.hotfix else None
            decided[link.id] = Decided(Role.DEPLOY, fixes=fixes)
            latest_of[link.version] = link.id
            previous_deploy = link.id
        first_seen.setdefault(link.version, position)
        live = link.version
    return decided
