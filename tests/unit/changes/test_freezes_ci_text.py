"""Freeze windows, the CI run a change comes from, and figures as people read them."""

from __future__ import annotations

from datetime import UTC, datetime

from ninefold.changes.ci import CiRun, ci_run
from ninefold.changes.figures_text import duration, rate, trend
from ninefold.changes.freezes import Window, excepted, holding

START = datetime(2026, 11, 26, tzinfo=UTC)
END = datetime(2026, 11, 30, tzinfo=UTC)
GLOBAL = Window("black-friday", START, END, "peak sales")
PAYMENTS = Window("pci-audit", START, END, "audit", teams=("payments",))
CHECKOUT = Window("checkout-migration", START, END, "migration", services=("checkout",))


def test_a_window_holds_everyone_its_team_or_its_services_while_it_runs() -> None:
    windows = [GLOBAL, PAYMENTS, CHECKOUT]
    assert holding(windows, START, "checkout", "payments") == windows
    assert holding(windows, START, "search", "storefront") == [GLOBAL]
    assert holding(windows, END, "checkout", "payments") == []  # the end is excluded
    assert holding([PAYMENTS], START, "ledger", None) == []


def test_rollbacks_and_security_fixes_pass_a_freeze() -> None:
    assert excepted(rollback=True, security_fix=False) == "rollback"
    assert excepted(rollback=False, security_fix=True) == "security fix"
    assert excepted(rollback=False, security_fix=False) is None


def test_the_ci_run_names_the_run_not_the_attempt() -> None:
    github = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_RUN_ID": "42",
        "GITHUB_RUN_ATTEMPT": "2",
        "GITHUB_REPOSITORY": "shop/checkout",
        "GITHUB_JOB": "deploy",
        "GITHUB_ACTOR": "priya",
        "GITHUB_SERVER_URL": "https://github.example.com",
    }
    assert ci_run(github, "checkout", "production") == CiRun(
        external_id="github:shop/checkout:run:42:deploy:checkout:production",
        url="https://github.example.com/shop/checkout/actions/runs/42",
        author="priya",
    )
    gitlab = {
        "GITLAB_CI": "true",
        "CI_PIPELINE_ID": "7",
        "CI_PROJECT_PATH": "shop/cart",
        "CI_JOB_NAME": "deploy",
        "CI_PIPELINE_URL": "https://gitlab.example.com/shop/cart/-/pipelines/7",
        "GITLAB_USER_LOGIN": "maria",
    }
    assert ci_run(gitlab, "cart", "staging").external_id == (
        "gitlab:shop/cart:pipeline:7:deploy:cart:staging"
    )
    assert ci_run({}, "cart", "production") == CiRun()


def test_durations_rates_and_trends_as_shown() -> None:
    assert duration(None) == "no data"
    assert duration(42.46) == "42.5 min"
    assert duration(65) == "1 h 05 min"
    assert duration(3 * 1440 + 250) == "3 d 4 h"
    assert rate(0.125) == "12.5%"
    assert rate(None) == "no data"
    assert trend(3.0, 2.0) == "↑50%"
    assert trend(1.0, 2.0) == "↓50%"
    assert trend(1.0, 1.0) == "="
    assert trend(1.0, 0.0) == "↑"
    assert trend(None, 1.0) == ""
