"""Commits read from a git workspace with the git CLI, as a CI job has it checked out."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

FIELD, RECORD = "\x1f", "\x1e"
FORMAT = FIELD.join(("%H", "%aI", "%an <%ae>", "%s")) + RECORD


class GitError(Exception):
    """git could not read what was asked; the message is git's own, cut to its first line."""


@dataclass(frozen=True)
class GitCommit:
    sha: str
    authored_at: datetime
    author: str
    title: str


def commits(workspace: Path, rev_range: str, at_most: int) -> list[GitCommit]:
    """The commits of `rev_range` (`A..B`), newest first, at most `at_most` + 1 of them, so
    that the caller can tell "too many" from "exactly enough"."""
    if rev_range.startswith("-"):
        raise GitError(f"{rev_range!r} is not a revision range")
    git = shutil.which("git")
    if git is None:
        raise GitError("git is not installed (the git CLI reads --git-range)")
    arguments = ["log", f"--format={FORMAT}", f"--max-count={at_most + 1}", rev_range, "--"]
    done = subprocess.run(  # noqa: S603 (git itself, the range passed as one argument)
        [git, "-C", str(workspace), *arguments], capture_output=True, check=False, timeout=120
    )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[0] if message else f"git log exited {done.returncode}")
    found = []
    for record in done.stdout.decode("utf-8", "replace").split(RECORD):
        parts = record.strip("\n").split(FIELD)
        if len(parts) != 4:
            continue
        sha, authored, author, title = parts
        found.append(
            GitCommit(sha, datetime.fromisoformat(authored).astimezone(UTC), author, title[:500])
        )
    return found
