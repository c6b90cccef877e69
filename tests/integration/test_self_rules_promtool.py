"""The rules Ninefold generates for itself against Debian's promtool: they load, each alert
fires when its test says and not before (tests/fixtures/self-rules/ninefold-self.test.yaml),
a wrong threshold fails those tests, and `serve` hands out the same bytes as the command."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from ninefold.clock import system_clock
from ninefold.jobs import all_jobs
from ninefold.settings import Settings
from tests.integration.test_slo_rules_promtool import promtool
from tests.support.cli import ninefold

TESTS = Path(__file__).parent.parent / "fixtures" / "self-rules" / "ninefold-self.test.yaml"
ALERTS = {
    "NinefoldDown",
    "NinefoldServerDown",
    "NinefoldNoWorker",
    "NinefoldWorkerLost",
    "NinefoldPagingQueueStuck",
    "NinefoldQueueStuck",
    "NinefoldJobsFailing",
    "NinefoldJobsRetrying",
    "NinefoldNotificationsFailing",
    "NinefoldFirstPageSlow",
    "NinefoldWatchdog",
}


@pytest.fixture
def generated(tmp_path: Path) -> Path:
    """`ninefold self-rules -o` beside a copy of the promtool tests."""
    result = ninefold("self-rules", "-o", tmp_path / "ninefold-self.yaml")
    assert result.returncode == 0, result.stderr
    assert "written to" in result.stdout
    shutil.copy(TESTS, tmp_path)
    return tmp_path


def test_the_rules_load_in_prometheus_and_name_the_urgent_kinds(generated: Path) -> None:
    checked = promtool("check", "rules", str(generated / "ninefold-self.yaml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 11 rules found" in checked.stdout
    [group] = yaml.safe_load((generated / "ninefold-self.yaml").read_text())["groups"]
    assert {rule["alert"] for rule in group["rules"]} == ALERTS
    [stuck] = [r for r in group["rules"] if r["alert"] == "NinefoldPagingQueueStuck"]
    urgent = all_jobs(Settings(), system_clock).urgent
    assert "notification.send" in urgent  # the kind the promtool tests feed as urgent
    for kind in urgent:
        assert kind.replace(".", "\\\\.") in stuck["expr"]


def test_every_alert_has_a_promtool_test_that_fires_it(generated: Path) -> None:
    tests = yaml.safe_load(TESTS.read_text())["tests"]
    fired = {
        check["alertname"]
        for test in tests
        for check in test["alert_rule_test"]
        if check["exp_alerts"]
    }
    assert fired == ALERTS
    result = promtool("test", "rules", TESTS.name, cwd=generated)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_tests_fail_when_a_threshold_is_wrong(generated: Path) -> None:
    """A test that cannot fail proves nothing: pages may wait two minutes instead of one."""
    rules = generated / "ninefold-self.yaml"
    text = rules.read_text()
    assert text.count('notification\\\\.send"}) > 60') == 1
    rules.write_text(
        text.replace('notification\\\\.send"}) > 60', 'notification\\\\.send"}) > 200')
    )
    result = promtool("test", "rules", TESTS.name, cwd=generated)
    assert result.returncode == 1
    assert "NinefoldPagingQueueStuck" in result.stdout + result.stderr


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_serve_hands_out_the_rules_the_command_writes(client: TestClient, tmp_path: Path) -> None:
    written = ninefold("self-rules", "--job", "ninefold-prod", "-o", tmp_path / "rules.yaml")
    assert written.returncode == 0, written.stderr
    served = client.get("/metrics/rules", params={"job": "ninefold-prod"})
    assert served.status_code == 200
    assert served.headers["content-type"] == "application/yaml; charset=utf-8"
    assert served.text == (tmp_path / "rules.yaml").read_text()
    assert 'up{job="ninefold-prod"} == 0' in served.text
    assert ninefold("self-rules").stdout == client.get("/metrics/rules").text
