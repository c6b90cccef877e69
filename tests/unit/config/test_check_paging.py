"""`check_directory` on schedules, escalation policies and routes: each problem exactly, as
`file:line: field: message`."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from tests.unit.config.test_check import problems_of

# A small valid paging setup the cases below replace `oncall.yaml` of, one piece at a time.
# carol has neither contact methods nor an email; dave has contact methods but no email;
# eve is a viewer. Those on call are responders.
BASE = {
    "users.yaml": """\
        users:
          - name: alice
            email: alice@example.com
            role: responder
          - name: bob
            email: bob@example.com
            role: responder
          - name: carol
            role: responder
          - name: eve
            email: eve@example.com
          - name: dave
            role: responder
            contact_methods:
              - name: pager
                kind: webhook
                address: https://pager.example/dave
        """,
    "teams.yaml": "teams:\n  - name: core\n    members: [alice, bob, carol, dave]\n",
    "services.yaml": "services:\n  - name: web\n    tier: 1\n    owner: core\n",
}

SCHEDULE = """\
    schedules:
      - name: primary
        team: core
        layers:
          - name: weekly
            participants: [alice, bob, dave]
            start: 2026-01-05
    """
POLICY = """\
    escalation_policies:
      - name: default
        steps:
          - schedules: [primary]
    """
ROUTE = """\
    routes:
      - name: catch-all
        default: true
        policy: default
    """


def oncall(
    *, schedules: str = SCHEDULE, policies: str = POLICY, routes: str = ROUTE
) -> dict[str, str]:
    """The base with these sections in `oncall.yaml` (each dedented on its own)."""
    return {**BASE, "oncall.yaml": "".join(dedent(part) for part in (schedules, policies, routes))}


CASES = [
    pytest.param(oncall(), [], id="the base is clean: an email or a contact method is enough"),
    pytest.param(
        oncall(
            schedules="""\
                schedules:
                  - name: primary
                    team: ops
                    layers:
                      - name: weekly
                        participants: [alice]
                        start: 2026-01-05
                      - name: weekend
                        participants:
                          - bob
                          - alice
                          - zoe
                        start: 2026-01-05
                """
        ),
        [
            "oncall.yaml:3: schedules[0].team: no team named 'ops'",
            "oncall.yaml:12: schedules[0].layers[1].participants[2]: no user named 'zoe'",
        ],
        id="a schedule's team and each participant must exist, pointed at where written",
    ),
    pytest.param(
        oncall(
            schedules="""\
                schedules:
                  - name: primary
                    layers:
                      - name: weekly
                        participants: [alice, carol]
                        start: 2026-01-05
                      - name: nights
                        participants: [carol]
                        start: 2026-01-05
                """
        ),
        [
            "oncall.yaml:5: schedules[0].layers[0].participants[1]: user 'carol' is on schedule "
            "'primary' but has no contact method (add contact_methods or an email)"
        ],
        id="a participant without contact method or email is reported once per schedule",
    ),
    pytest.param(
        oncall(
            schedules="""\
                schedules:
                  - name: primary
                    layers:
                      - name: weekly
                        participants: [alice, eve]
                        start: 2026-01-05
                """
        ),
        [
            "oncall.yaml:5: schedules[0].layers[0].participants[1]: warning: user 'eve' is on "
            "schedule 'primary' but is a viewer: paged, they can neither acknowledge nor resolve "
            "(make them a responder)"
        ],
        id="a viewer on call is warned of: their links and forms would be refused",
    ),
    pytest.param(
        oncall(
            schedules="""\
                schedules:
                  - name: primary
                    layers:
                      - name: weekly
                        participants: [alice]
                        start: 2026-01-05
                        time_zone: Europe/Atlantis
                      - name: empty
                        participants: []
                        start: 2026-01-05
                """
        ),
        [
            "oncall.yaml:7: schedules[0].layers[0].time_zone: unknown time zone "
            "'Europe/Atlantis'; use an IANA name such as Europe/Berlin",
            "oncall.yaml:9: schedules[0].layers[1].participants: "
            "List should have at least 1 item after validation, not 0",
        ],
        id="a layer's time zone must exist and it needs participants; policies naming the "
        "invalid schedule are not told it is missing",
    ),
    pytest.param(
        oncall(
            policies="""\
                escalation_policies:
                  - name: default
                    steps:
                      - schedules: [primary]
                      - users: [alice, zed]
                        schedules: [secondary]
                        teams: [core, ops]
                      - users: [carol]
                """
        ),
        [
            "oncall.yaml:12: escalation_policies[0].steps[1].users[1]: no user named 'zed'",
            "oncall.yaml:13: escalation_policies[0].steps[1].schedules[0]: "
            "no schedule named 'secondary'",
            "oncall.yaml:14: escalation_policies[0].steps[1].teams[1]: no team named 'ops'",
            "oncall.yaml:15: escalation_policies[0].steps[2].users[0]: user 'carol' is in policy "
            "'default' but has no contact method (add contact_methods or an email)",
        ],
        id="a step's users, schedules and teams must exist, and its users be reachable",
    ),
    pytest.param(
        oncall(
            policies="""\
                escalation_policies:
                  - name: default
                    steps:
                      - schedules: [primary]
                    then: nights
                  - name: empty
                    steps:
                      - wait_minutes: 5
                """
        ),
        [
            "oncall.yaml:12: escalation_policies[0].then: no escalation policy named 'nights'",
            "oncall.yaml:15: escalation_policies[1].steps[0]: "
            "a step notifies at least one user, schedule or team",
        ],
        id="`then` must name a policy; a step must notify someone",
    ),
    pytest.param(
        oncall(
            policies="""\
                escalation_policies:
                  - name: default
                    steps:
                      - schedules: [primary]
                    then: b
                  - name: b
                    steps:
                      - users: [alice]
                    then: a
                  - name: a
                    steps:
                      - users: [bob]
                    then: b
                """
        ),
        ["oncall.yaml:20: escalation_policies[2].then: cycle through `then`: a -> b -> a"],
        id="a cycle through `then` is reported once, from its first name",
    ),
    pytest.param(
        oncall(
            policies="""\
                escalation_policies:
                  - name: default
                    steps:
                      - schedules: [primary]
                  - name: default
                    steps:
                      - users: [alice]
                """
        ),
        [
            "oncall.yaml:12: escalation_policies[1].name: duplicate escalation policy name "
            "'default'; first defined at oncall.yaml:9"
        ],
        id="a duplicate policy name reads as a policy",
    ),
    pytest.param(
        oncall(
            routes="""\
                routes:
                  - name: web
                    match: ['service="web"']
                    policy: web-default
                    service: webshop
                  - name: catch-all
                    default: true
                    policy: default
                """
        ),
        [
            "oncall.yaml:15: routes[0].policy: no escalation policy named 'web-default'",
            "oncall.yaml:16: routes[0].service: no service named 'webshop'",
        ],
        id="a route's policy and service must exist",
    ),
    pytest.param(
        oncall(
            routes="""\
                routes:
                  - name: catch-all
                    default: true
                    policy: default
                  - name: fallback
                    default: true
                    policy: default
                """
        ),
        [
            "oncall.yaml:17: routes[1].default: only one route may be the default; "
            "'catch-all' already is (oncall.yaml:13)"
        ],
        id="a second default route is a problem",
    ),
    pytest.param(
        oncall(
            routes="""\
                routes:
                  - name: web
                    match: ['service="web"']
                    policy: default
                  - name: critical
                    match: [severity=critical]
                    policy: default
                """
        ),
        [
            "oncall.yaml:13: routes[0]: no default route: alerts no route matches would page "
            "nobody; add a route with default: true"
        ],
        id="routes without a default route are reported at the first route",
    ),
    pytest.param(
        oncall(
            routes="""\
                routes:
                  - name: web
                    match: ['service=="web"']
                    policy: default
                  - name: catch-all
                    default: true
                    match: ['severity="critical"']
                    policy: default
                """
        ),
        [
            "oncall.yaml:14: routes[0].match[0]: invalid label matcher 'service==\"web\"'; "
            'write name="value", name!="value", name=~"regex" or name!~"regex"',
            "oncall.yaml:16: routes[1]: the default route takes every unmatched alert; "
            "give it no `match`",
        ],
        id="an invalid matcher points at it; an invalid default route is not also missing",
    ),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_reports_exactly_these_problems(
    root: Path, files: dict[str, str], expected: list[str]
) -> None:
    assert problems_of(root, files) == expected
