"""`ninefold slo dashboard`: the Grafana dashboards it writes, and every panel query evaluated
by Debian's promtool over the rules `slo generate` writes for the same spec.

The history for the checkout example: 1,000 requests a minute, 2 of them 500s, for three
hours. So every window's error ratio is 0.002; with checkout's 99.9% objective the budget is
0.001, every burn rate is 2, and the budget left is 1 - 2 = -1 (overspent). The spec's period
is shortened to 2 hours for promtool, which refuses queries over more than 10,000 samples
(the burn-down samples a whole period); Prometheus itself allows 50 million.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.factories import EXAMPLES

PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
ERROR_RATIO = 0.002
BUDGET = 0.001


def ninefold(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ninefold", "slo", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def boards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dashboards")
    result = ninefold("dashboard", EXAMPLES, "-o", out)
    assert result.returncode == 0, result.stderr
    return out


def targets(board: dict) -> dict[tuple[str, str], str]:
    return {
        (panel["title"], target["refId"]): target["expr"]
        for panel in board["panels"]
        for target in panel.get("targets", [])
    }


def test_one_dashboard_per_service_with_a_row_per_slo(boards: Path) -> None:
    files = sorted(p.name for p in boards.iterdir())
    assert files == ["api-gateway.json", "checkout.json", "payments.json"]
    checkout = json.loads((boards / "checkout.json").read_text())
    assert checkout["title"] == "checkout SLOs"
    rows = [p["title"] for p in checkout["panels"] if p["type"] == "row"]
    assert rows == ["availability: 99.9% over 30d"]
    uids = {json.loads((boards / f).read_text())["uid"] for f in files}
    assert len(uids) == 3


def test_generating_again_gives_the_same_bytes(boards: Path, tmp_path: Path) -> None:
    assert ninefold("dashboard", EXAMPLES, "-o", tmp_path).returncode == 0
    for again in tmp_path.iterdir():
        assert again.read_bytes() == (boards / again.name).read_bytes(), again.name


def test_every_panel_query_gives_the_hand_computed_value_in_promtool(
    boards: Path, tmp_path: Path
) -> None:
    spec = tmp_path / "checkout.yaml"
    original = (EXAMPLES / "slos" / "checkout.yaml").read_text()
    spec.write_text(original.replace("duration: 30d", "duration: 2h"))
    rules = tmp_path / "checkout.rules.yaml"
    result = ninefold("generate", spec, "-o", rules)
    assert result.returncode == 0, result.stderr
    assert ninefold("dashboard", spec, "-o", tmp_path).returncode == 0
    queries = targets(json.loads((tmp_path / "checkout.json").read_text()))
    expected: dict[tuple[str, str], list[dict]] = {}
    labels = '{ninefold_service="checkout", ninefold_slo="availability", team="payments"}'
    recorded = 'ninefold_slo:{}:ratio{{ninefold_service="checkout", ninefold_slo="availability", team="payments"}}'
    for key in queries:
        title, ref = key
        value: float | None = {
            "SLI": 0.999 if ref == "C" else 1 - ERROR_RATIO,
            "Burn rate": ERROR_RATIO / BUDGET,
            "Budget left": 1 - ERROR_RATIO / BUDGET,
            "Budget left over time": 1 - ERROR_RATIO / BUDGET,
            # Evaluated as an instant query, the range starts at the instant itself: the
            # ideal line is at 100% and no event falls after the start.
            "Budget burn-down": 1.0 if ref == "B" else None,
        }[title]
        if value is None:
            expected[key] = []
        elif title == "Budget burn-down":
            expected[key] = [{"labels": "{}", "value": value}]
        elif title.startswith("Budget left"):
            expected[key] = [{"labels": recorded.format("error_budget_remaining"), "value": value}]
        elif key == ("SLI", "C"):
            expected[key] = [{"labels": recorded.format("objective"), "value": value}]
        else:
            expected[key] = [{"labels": labels, "value": value}]
    assert {title for title, _ in expected} == {
        "SLI",
        "Burn rate",
        "Budget left",
        "Budget left over time",
        "Budget burn-down",
    }
    test_file = tmp_path / "dashboard.test.yaml"
    test_file.write_text(
        yaml.safe_dump(
            {
                "rule_files": [rules.name],
                "evaluation_interval": "1m",
                "tests": [
                    {
                        "interval": "1m",
                        "input_series": [
                            {
                                "series": 'http_requests_total{job="checkout", code="200"}',
                                "values": "0+998x180",
                            },
                            {
                                "series": 'http_requests_total{job="checkout", code="500"}',
                                "values": "0+2x180",
                            },
                        ],
                        "promql_expr_test": [
                            {"expr": queries[key], "eval_time": "170m", "exp_samples": samples}
                            for key, samples in expected.items()
                        ],
                    }
                ],
            }
        )
    )
    result = subprocess.run(
        [PROMTOOL, "test", "rules", test_file.name],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_spec_with_errors_writes_nothing(tmp_path: Path) -> None:
    spec = tmp_path / "broken.yaml"
    spec.write_text("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec: {}\n")
    result = ninefold("dashboard", spec, "-o", tmp_path / "out")
    assert result.returncode == 1
    assert "broken.yaml:" in result.stderr
    assert not (tmp_path / "out").exists()
