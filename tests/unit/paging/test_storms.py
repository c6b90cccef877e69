"""Alert storms: when a route's groups fold, when the fold ends, how a route's fold is written
and checked, and what the timeline says about it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from textwrap import dedent

import pytest
from pydantic import ValidationError

from ninefold.paging.schemas import FoldSpec, RouteSpec
from ninefold.paging.storms import fold_end, over_limit, storm_title
from ninefold.paging.timeline import describe
from tests.unit.config.test_check import problems_of
from tests.unit.config.test_check_paging import BASE, POLICY, SCHEDULE

AT = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
TEN_IN_FIVE = FoldSpec(groups=10, minutes=5)


@pytest.mark.parametrize(
    ("opened", "folds"),
    [
        pytest.param(1, False, id="the first group of the window pages"),
        pytest.param(10, False, id="the tenth group of ten allowed pages"),
        pytest.param(11, True, id="the eleventh group opens the storm"),
        pytest.param(500, True, id="far beyond the limit still folds"),
    ],
)
def test_a_route_folds_beyond_its_limit_of_groups(opened: int, folds: bool) -> None:
    assert over_limit(opened, TEN_IN_FIVE) is folds


def test_a_fold_of_one_group_folds_the_second() -> None:
    assert not over_limit(1, FoldSpec(groups=1, minutes=1))
    assert over_limit(2, FoldSpec(groups=1, minutes=1))


@pytest.mark.parametrize(
    ("quiet", "ended"),
    [
        pytest.param(timedelta(0), None, id="a group just came: it lasts"),
        pytest.param(timedelta(minutes=4, seconds=59), None, id="a second short of quiet: lasts"),
        pytest.param(timedelta(minutes=5), AT + timedelta(minutes=5), id="quiet for the window"),
        pytest.param(
            timedelta(hours=3),
            AT + timedelta(minutes=5),
            id="noticed late, it ended when the window ran out",
        ),
    ],
)
def test_a_fold_ends_once_the_route_was_quiet_for_its_window(
    quiet: timedelta, ended: datetime | None
) -> None:
    assert fold_end(AT, TEN_IN_FIVE, AT + quiet) == ended


def test_a_route_that_no_longer_folds_ends_its_storm_now() -> None:
    now = AT + timedelta(seconds=30)
    assert fold_end(AT, None, now) == now


def test_the_storm_group_is_titled_with_the_route_and_the_count() -> None:
    assert storm_title("payments", 11, 5) == "Alert storm on route payments: 11 groups in 5 minutes"


def test_a_route_reads_its_fold_and_writes_no_fold_when_absent() -> None:
    route = RouteSpec.model_validate(
        {"name": "all", "default": True, "policy": "p", "fold": {"groups": 10, "minutes": 5}}
    )
    assert route.fold == TEN_IN_FIVE
    assert RouteSpec(name="all", default=True, policy="p").fold is None


@pytest.mark.parametrize(
    ("fold", "field"),
    [
        pytest.param({"groups": 0, "minutes": 5}, ("fold", "groups"), id="no groups at all"),
        pytest.param({"groups": 10, "minutes": 0}, ("fold", "minutes"), id="an empty window"),
        pytest.param({"groups": 10, "minutes": 1441}, ("fold", "minutes"), id="over a day"),
        pytest.param({"groups": 10}, ("fold", "minutes"), id="the window missing"),
        pytest.param({"groups": 10, "minutes": 5, "hours": 1}, ("fold", "hours"), id="a typo"),
        pytest.param(10, ("fold",), id="a number instead of a mapping"),
    ],
)
def test_a_bad_fold_is_refused_naming_its_field(fold: object, field: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError) as caught:
        RouteSpec.model_validate({"name": "all", "default": True, "policy": "p", "fold": fold})
    assert [error["loc"] for error in caught.value.errors()] == [field]


def test_check_points_at_the_line_and_field_of_a_bad_fold(tmp_path: Path) -> None:
    routes = """\
        routes:
          - name: catch-all
            default: true
            policy: default
            fold: {groups: 0, minutes: 5}
        """
    files = {**BASE, "oncall.yaml": "".join(dedent(p) for p in (SCHEDULE, POLICY, routes))}
    assert problems_of(tmp_path, files) == [
        f"{tmp_path / 'oncall.yaml'}:16: routes[0].fold.groups: "
        "Input should be greater than or equal to 1"
    ]


def test_storm_events_read_as_sentences() -> None:
    folded = {"storm_group": 42, "route": "payments", "groups": 10, "minutes": 5}
    assert describe("folded", folded) == (
        "Not paged: route payments opened more than 10 groups in 5 minutes; folded into the "
        "alert storm of group 42, which pages once for all"
    )
    started = {"route": "payments", "opened": 11, "groups": 10, "minutes": 5}
    assert describe("storm_started", started) == (
        "Alert storm: route payments opened 11 groups in 5 minutes (it folds beyond 10); its "
        "new groups fold into this one and page nobody until it is quiet"
    )
    quiet = {"route": "payments", "why": "quiet", "minutes": 5, "folded": 7, "open": 2}
    assert describe("storm_ended", quiet) == (
        "The storm is over: route payments opened no group for 5 minutes; 7 groups were "
        "folded into this one, 2 still open"
    )
    assert describe("storm_ended", {"route": "payments", "why": "resolved"}) == (
        "The storm is over: this group was resolved; route payments pages group by group again"
    )
    assert describe("storm_ended", {"route": "payments", "why": "unfolded"}) == (
        "The storm is over: route payments no longer folds storms"
    )
    assert describe("storm_resolved", {"folded": 7}) == (
        "Every group folded into the storm (7) is resolved; so is this one"
    )
    assert describe("escalated", {"by": "jonas", "unfolded": True}) == (
        "Escalated now by jonas, out of the alert storm: it pages on its own"
    )
