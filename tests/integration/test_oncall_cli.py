"""`ninefold oncall who` and `ninefold oncall shifts` against a database with two schedules,
run in-process on SQLite and PostgreSQL; expected answers come from the spec's model."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import Engine

from ninefold.auth.model import Role
from ninefold.clock import Clock, system_clock
from ninefold.db import make_session_factory, unit_of_work
from ninefold.oncall import service
from ninefold.oncall.cli import GAP
from ninefold.oncall.schedule import Override
from ninefold.oncall.schemas import LayerSpec, RestrictionSpec, ScheduleSpec
from tests.factories import make_user
from tests.support.cli import ninefold as run_ninefold
from tests.support.clock import FrozenClock

OFFICE = ScheduleSpec(
    name="office",
    time_zone="Europe/Berlin",
    layers=[
        LayerSpec(
            name="weekly",
            participants=["bob", "alice"],
            start=date(2026, 1, 5),
            restrictions=[RestrictionSpec(start=time(9), end=time(17))],
        )
    ],
)
EXTRA = Override(
    "add", datetime(2026, 3, 24, 9, tzinfo=UTC), datetime(2026, 3, 24, 10, tzinfo=UTC), "bob"
)


@pytest.fixture
def office(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch, clock: FrozenClock
) -> Engine:
    monkeypatch.setenv("NINEFOLD_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "200")
    make_user(engine, "alice", Role.RESPONDER, password=None, now=clock())
    make_user(engine, "bob", Role.RESPONDER, password=None, now=clock())
    with unit_of_work(make_session_factory(engine)) as session:
        row = service.write(session, OFFICE, "config", clock())
        service.add_override(session, row, EXTRA, "root", EXTRA.start, "")
    return engine


def ninefold(*args: str, clock: Clock = system_clock) -> tuple[int, str]:
    """Exit code and what the command printed, errors included, as a shell shows them."""
    done = run_ninefold(*args, clock=clock)
    return done.returncode, done.stdout + done.stderr


def test_who_is_on_call_and_when(office: Engine, clock: FrozenClock) -> None:
    model = OFFICE.to_schedule([EXTRA])
    # Tuesday 24 March 2026: alice's week; 10:30 Berlin is 09:30Z, inside bob's extra hour.
    assert ninefold("oncall", "who", "office", "--at", "2026-03-24T10:30:00+01:00") == (
        0,
        "alice\nbob\n",
    )
    assert model.who(datetime(2026, 3, 24, 9, 30, tzinfo=UTC)) == ("alice", "bob")
    assert ninefold("oncall", "who", "office", "--at", "2026-03-24T20:00:00Z") == (0, f"{GAP}\n")
    # Without --at: now, on the command's clock.
    now = "".join(f"{person}\n" for person in model.who(clock())) or f"{GAP}\n"
    assert ninefold("oncall", "who", "office", clock=clock) == (0, now)

    code, output = ninefold(
        "oncall", "shifts", "office", "--from", "2026-03-23T00:00Z", "--to", "2026-03-25T00:00Z"
    )
    assert code == 0
    header, *lines = output.splitlines()
    assert header.split() == ["start", "end", "start", "(local)", "end", "(local)", "on", "call"]
    expected = model.shifts(datetime(2026, 3, 23, tzinfo=UTC), datetime(2026, 3, 25, tzinfo=UTC))
    assert len(lines) == len(expected) == 7
    assert lines[1].split() == [
        "2026-03-23", "08:00", "UTC", "2026-03-23", "16:00", "UTC",
        "2026-03-23", "09:00", "CET", "2026-03-23", "17:00", "CET", "alice",
    ]  # fmt: skip
    for line, segment in zip(lines, expected, strict=True):
        words = line.split()
        assert " ".join(words[0:2]) == f"{segment.start:%Y-%m-%d %H:%M}"
        assert " ".join(words[3:5]) == f"{segment.end:%Y-%m-%d %H:%M}"
        assert " ".join(words[12:]) == (", ".join(segment.people) or GAP)
    assert lines[4].split()[-2:] == ["alice,", "bob"]
    assert lines[0].endswith(GAP)

    code, output = ninefold(
        "oncall", "shifts", "office", "--from", "2026-03-23T00:00Z", "--to", "2026-03-25T00:00Z",
        "--person", "bob",
    )  # fmt: skip
    assert code == 0
    assert [line.split()[:2] + line.split()[3:5] for line in output.splitlines()[1:]] == [
        ["2026-03-24", "09:00", "2026-03-24", "10:00"]
    ]
    # The week of 30 March is bob's.
    code, output = ninefold(
        "oncall", "shifts", "office", "--from", "2026-04-01T00:00Z", "--to", "2026-04-03T00:00Z",
        "--person", "alice",
    )  # fmt: skip
    assert (code, output) == (0, "alice is not on call in office in that range\n")


BAD_INPUT = [
    (("who", "nope"), "error: no schedule named 'nope'"),
    (
        ("who", "office", "--at", "2026-03-24T10:30"),
        "error: --at: '2026-03-24T10:30' has no time zone",
    ),
    (
        ("shifts", "office", "--from", "yesterday"),
        "error: --from: 'yesterday' is not an ISO 8601 time",
    ),
    (
        ("shifts", "office", "--from", "2026-03-24T00:00Z", "--to", "2026-03-23T00:00Z"),
        "error: --to: to (2026-03-23T00:00:00+00:00) must be after from",
    ),
    (
        ("shifts", "office", "--from", "2026-01-01T00:00Z", "--to", "2026-06-01T00:00Z"),
        "error: --to: the range may span at most 93 days",
    ),
    (("shifts", "office", "--person", "mallory"), "error: --person: no user named 'mallory'"),
]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_bad_input_is_a_clear_error(office: Engine) -> None:
    for args, message in BAD_INPUT:
        code, output = ninefold("oncall", *args)
        assert code == 1, args
        assert output.startswith(message), output
