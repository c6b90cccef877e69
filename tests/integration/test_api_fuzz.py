"""Schemathesis against the whole API, as a careless or hostile client would call it.

Every operation of the OpenAPI document gets generated requests, valid and invalid, with an
admin token on the example shop; the intake endpoints get the shop's real integration keys,
so their bodies are parsed rather than refused at the key. Every answer must be one the
document declares (status, headers, body schema), and none may be a server error.

Two of Schemathesis's checks are left out, on purpose: `positive_data_acceptance` (a request
the schema allows must succeed) cannot hold where a domain rule refuses well-formed data with
a declared 422 (a member who is no user, an owner that is no team, a duration that is no
duration), and `negative_data_rejection` counts unknown query parameters as errors, which
the API ignores as most HTTP APIs do.

Hypothesis runs derandomized (a fixed seed), so CI sees the same requests every run; a
failure prints the request to replay with curl.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from ninefold.alerts.integrations import all_rows
from ninefold.app import create_app
from ninefold.auth.model import Role
from ninefold.db import make_engine, make_session_factory, unit_of_work
from ninefold.settings import Settings
from tests.factories import load_examples, make_token, make_user
from tests.support.clock import FrozenClock

EXAMPLES_PER_OPERATION = 30


# Schemathesis reads the operations when the module is collected, so the app exists from
# import on; its database is filled before the first request (`target`). Schemathesis's
# fixture-based loading does not run under pytest 9.
FOLDER = Path(tempfile.mkdtemp(prefix="ninefold-fuzz-"))
URL = f"sqlite:///{FOLDER / 'ninefold.db'}"
CLOCK = FrozenClock()
ENGINE = make_engine(URL)
APP = create_app(Settings(data_dir=FOLDER, database_url=URL), ENGINE, CLOCK)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@dataclass(frozen=True)
class Target:
    headers: dict[str, str]
    keys: dict[str, str]


@pytest.fixture(scope="module")
def target(sqlite_template: Path) -> Iterator[Target]:
    ENGINE.dispose()
    shutil.copy(sqlite_template, FOLDER / "ninefold.db")
    load_examples(ENGINE, now=CLOCK())
    make_user(ENGINE, "root", Role.ADMIN, now=CLOCK())
    token = make_token(ENGINE, "root", Role.ADMIN, now=CLOCK())
    with unit_of_work(make_session_factory(ENGINE)) as session:
        keys = {row.kind: row.key for row in all_rows(session)}
    yield Target({"Authorization": f"Bearer {token}"}, keys)
    ENGINE.dispose()
    shutil.rmtree(FOLDER, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented_and_never_with_a_server_error(
    case: schemathesis.Case, target: Target
) -> None:
    kind = case.operation.path.split("/")[-2] if case.operation.path.endswith("{key}") else None
    if kind in target.keys and case.path_parameters:
        case.path_parameters["key"] = target.keys[kind]
    case.call_and_validate(
        headers=target.headers, excluded_checks=[positive_data_acceptance, negative_data_rejection]
    )
