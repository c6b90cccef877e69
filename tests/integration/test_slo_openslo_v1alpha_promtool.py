"""An OpenSLO v1alpha spec, as Sloth reads it, generates rules that Debian's promtool loads,
and tests that pass."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.integration.test_slo_rules_promtool import ROOT, ninefold, promtool

V1ALPHA_EXAMPLE = ROOT / "tests" / "fixtures" / "openslo-v1alpha" / "checkout.yaml"


def test_a_v1alpha_spec_generates_rules_that_promtool_accepts(tmp_path: Path) -> None:
    result = ninefold(
        "slo",
        "generate",
        str(V1ALPHA_EXAMPLE),
        "-o",
        str(tmp_path / "rules.yaml"),
        "--tests",
        str(tmp_path / "tests"),
    )
    assert result.returncode == 0, result.stderr
    checked = promtool("check", "rules", str(tmp_path / "rules.yaml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout

    rules = yaml.safe_load((tmp_path / "rules.yaml").read_text())
    groups = {g["name"] for g in rules["groups"]}
    assert any("checkout-requests-0" in name for name in groups)
    assert any("checkout-requests-1" in name for name in groups)
    alerts = [r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r]
    # As in Sloth, v1alpha SLOs have no page or ticket alerts; only the missing-SLI alert.
    assert alerts == [
        "CheckoutCheckoutRequests0ErrorBudgetBurnSLIMissing",
        "CheckoutCheckoutRequests1ErrorBudgetBurnSLIMissing",
    ]
    periods = [
        r["record"]
        for g in rules["groups"]
        for r in g["rules"]
        if r.get("record", "").endswith("rate28d")
    ]
    assert len(periods) == 2

    tests = sorted(p.name for p in (tmp_path / "tests").glob("*.test.yaml"))
    assert tests == [
        "checkout-checkout-requests-0.test.yaml",
        "checkout-checkout-requests-1.test.yaml",
    ]
    tested = promtool("test", "rules", *tests, cwd=tmp_path / "tests")
    assert tested.returncode == 0, tested.stdout + tested.stderr
