"""Small builders for test data: users with roles and tokens, the example configuration.

Each takes the `now` it writes at, from the test's clock (tests/support/clock.py).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

from sqlalchemy import Engine

from ninefold.auth import service as auth_service
from ninefold.auth.model import Principal, Role
from ninefold.auth.schemas import UserSpec
from ninefold.config.apply import execute, make_plan
from ninefold.config.check import check_directory
from ninefold.db import make_session_factory, unit_of_work
from ninefold.declared import Bundle

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"
OPERATOR = Principal(name="cli:test", role=Role.ADMIN, via="cli")
PASSWORD = "correct horse battery staple"


@cache
def _checked(directory: Path) -> Bundle:
    """A directory checked once per process: `apply` only reads the bundle."""
    bundle = check_directory(directory)
    assert not bundle.problems, bundle.problems
    return bundle


def load_examples(engine: Engine, directory: Path = EXAMPLES, *, now: datetime) -> None:
    bundle = _checked(directory)
    with unit_of_work(make_session_factory(engine)) as session:
        execute(
            session,
            Principal("config:test", Role.ADMIN, "config"),
            make_plan(session, bundle),
            bundle,
            now,
        )


def make_user(
    engine: Engine,
    name: str,
    role: Role = Role.ADMIN,
    scope: list[str] | None = None,
    password: str | None = PASSWORD,
    *,
    now: datetime,
) -> None:
    with unit_of_work(make_session_factory(engine)) as session:
        spec = UserSpec(name=name, role=role, scope=scope or [])
        auth_service.create_user(session, OPERATOR, spec, now, password)


def make_token(engine: Engine, user: str, role: Role, *, now: datetime) -> str:
    with unit_of_work(make_session_factory(engine)) as session:
        return auth_service.create_token(session, OPERATOR, user, role, now).secret
