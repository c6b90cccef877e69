"""A service's deploys read as one chain: rollbacks recognised, what each undoes, what a
hotfix fixes (KPIS.md, DORA; docs/changes.md, "Rollbacks and hotfixes")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ninefold.changes.chain import Decided, Link, Role, decide

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def deploys(*versions: str) -> list[Link]:
    """Deploys one hour apart, ids 1, 2, 3, ..."""
    return [Link(i + 1, v, T0 + timedelta(hours=i)) for i, v in enumerate(versions)]


def test_a_redeploy_of_an_earlier_version_is_a_rollback_of_the_live_deploy() -> None:
    decided = decide(deploys("v1", "v2", "v3", "v2"))
    assert decided[4] == Decided(Role.ROLLBACK, undoes=3)
    assert [decided[i].role for i in (1, 2, 3)] == [Role.DEPLOY] * 3


def test_redeploying_the_live_version_is_a_plain_deploy() -> None:
    decided = decide(deploys("v1", "v2", "v2"))
    assert decided[3] == Decided(Role.DEPLOY)


def test_going_forward_again_after_a_rollback_is_a_deploy() -> None:
    # v2 came after v1 (live after the rollback): deploying it again rolls forward.
    decided = decide(deploys("v1", "v2", "v1", "v2"))
    assert decided[3] == Decided(Role.ROLLBACK, undoes=2)
    assert decided[4] == Decided(Role.DEPLOY)


def test_a_rollback_of_a_rollback_undoes_the_deploy_of_the_version_it_left() -> None:
    decided = decide(deploys("v0", "v1", "v2", "v1", "v0"))
    assert decided[4] == Decided(Role.ROLLBACK, undoes=3)
    assert decided[5] == Decided(Role.ROLLBACK, undoes=2)


def test_a_recorded_rollback_is_one_whatever_its_version_and_may_name_its_target() -> None:
    links = [
        *deploys("v1", "v2", "v3"),
        Link(4, "v3-revert", T0 + timedelta(hours=5), rollback=True),
        Link(5, "v4", T0 + timedelta(hours=6)),
        Link(6, "v5", T0 + timedelta(hours=7), rollback=True, reverts=1),
    ]
    decided = decide(links)
    assert decided[4] == Decided(Role.ROLLBACK, undoes=3)
    assert decided[6] == Decided(Role.ROLLBACK, undoes=1)


def test_a_hotfix_fixes_the_deploy_before_it_unless_it_names_another() -> None:
    links = [
        *deploys("v1", "v2"),
        Link(3, "v2.1", T0 + timedelta(hours=3), hotfix=True),
        Link(4, "v2.2", T0 + timedelta(hours=4), hotfix=True, hotfix_of=2),
    ]
    decided = decide(links)
    assert decided[3] == Decided(Role.DEPLOY, fixes=2)
    assert decided[4] == Decided(Role.DEPLOY, fixes=2)


def test_a_hotfix_after_a_rollback_fixes_the_last_real_deploy() -> None:
    links = [*deploys("v1", "v2", "v1"), Link(4, "v2.1", T0 + timedelta(hours=4), hotfix=True)]
    assert decide(links)[4] == Decided(Role.DEPLOY, fixes=2)


def test_the_order_of_recording_does_not_matter_only_finish_times_do() -> None:
    links = deploys("v1", "v2", "v3", "v2")
    assert decide(reversed(links)) == decide(links)
