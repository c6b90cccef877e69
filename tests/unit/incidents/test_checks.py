"""`ninefold check` on the incidents sections: each problem at its file and line."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from ninefold.config.check import check_directory

FILES = {
    "teams.yaml": """\
        teams:
          - name: core
        services:
          - name: api
            tier: 0
            owner: core
        """,
    "incidents.yaml": """\
        severities:
          - name: SEV1
          - name: SEV2
            postmortem_due_business_days: 99
        declare_rules:
          - name: wait
            when: {unacknowledged_minutes: 15, services: [api, ghost]}
            severity: SEV3
          - name: nothing
            when: {tiers: [0]}
            severity: SEV2
        stakeholders:
          - name: leads
            kind: email
            address: not-an-address
          - name: chat
            kind: slack
            address: https://hooks.slack.example/x
            teams: [nobody]
        """,
}


def test_each_problem_is_named_at_its_line(tmp_path: Path) -> None:
    for name, text in FILES.items():
        (tmp_path / name).write_text(dedent(text), encoding="utf-8")
    found = [str(p).replace(f"{tmp_path}/", "") for p in check_directory(tmp_path).problems]
    assert found == [
        "incidents.yaml:4: severities[1].postmortem_due_business_days: "
        "Input should be less than or equal to 60",
        "incidents.yaml:7: declare_rules[0].when.services[1]: no service named 'ghost'",
        "incidents.yaml:8: declare_rules[0].severity: no severity named 'SEV3'",
        "incidents.yaml:10: declare_rules[1].when: give unacknowledged_minutes, slo_alert, or both",
        "incidents.yaml:15: stakeholders[0].address: "
        "address of this email stakeholder must be an email address",
        "incidents.yaml:19: stakeholders[1].teams[0]: no team named 'nobody'",
    ]
