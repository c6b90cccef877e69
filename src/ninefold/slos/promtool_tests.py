"""`promtool test rules` files that prove an SLO's alerts: synthetic traffic whose error
ratio is chosen from the SLO's own burn factors, so that a fast burn pages, a slow burn opens
a ticket and never pages, and an error rate within budget fires nothing.

Series are built from the selectors of the SLI queries: labels from their matchers (a value
matching each regular expression), and where bad and total events share a metric, a second
series that only the total query counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import exrex

from ninefold.slos.model import EventsSli, Slo
from ninefold.slos.promql import vector_selectors
from ninefold.slos.rules import alert_rules

TRAFFIC_PER_MINUTE = 100.0
MINUTES = 180
EVAL_TIME = "2h"

Labels = dict[str, str]


class CannotSynthesize(Exception):
    """The SLI's queries are not shaped so that matching input series can be derived."""


@dataclass(frozen=True)
class _Selector:
    name: str
    matchers: tuple[tuple[str, str, str], ...]  # label, op (=, !=, =~, !~), value

    def matches(self, labels: Labels) -> bool:
        if labels.get("__name__") != self.name:
            return False
        for label, op, value in self.matchers:
            actual = labels.get(label, "")
            if op == "=" and actual != value:
                return False
            if op == "!=" and actual == value:
                return False
            if op == "=~" and not re.fullmatch(value, actual):
                return False
            if op == "!~" and re.fullmatch(value, actual):
                return False
        return True


_OPS = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~"}


def _selector(text: str) -> _Selector:
    found = vector_selectors(text)
    if len(found) != 1:
        raise CannotSynthesize(f"query has {len(found)} series selectors, not one: {text}")
    node = found[0]
    matchers = []
    name = node.name or ""
    for matcher in node.matchers.matchers:
        op = _OPS.get(str(matcher.op))
        if op is None:
            raise CannotSynthesize(f"unknown matcher {matcher}")
        if matcher.name == "__name__" and op == "=":
            name = matcher.value
        else:
            matchers.append((matcher.name, op, matcher.value))
    if not name:
        raise CannotSynthesize(f"selector without a metric name: {text}")
    return _Selector(name, tuple(sorted(matchers)))


def _satisfying(op: str, value: str) -> str:
    if op == "=":
        return value
    if op == "=~":
        return _matching(value)
    return _failing("=~" if op == "!~" else "=", value)


def _matching(pattern: str) -> str:
    """A value the regular expression matches, preferring plain letters and digits
    (`5..` gives "500", not "5" and two spaces)."""
    first = None
    for count, candidate in enumerate(exrex.generate(pattern)):
        first = first if first is not None else str(candidate)
        if str(candidate).isalnum() or count > 5000:
            return str(candidate) if str(candidate).isalnum() else first
    if first is None:
        raise CannotSynthesize(f"the regular expression {pattern!r} matches nothing")
    return first


def _failing(op: str, value: str) -> str:
    """A label value that does not satisfy `op value`."""
    for candidate in ("200", "ok", "0", "ninefold-synthetic"):
        if (op == "=" and candidate != value) or (
            op == "=~" and not re.fullmatch(value, candidate)
        ):
            return candidate
    raise CannotSynthesize(f"no label value found that fails {op}{value!r}")


def _series_for(selector: _Selector, base: Labels | None = None) -> Labels:
    labels: Labels = {"__name__": selector.name, **(base or {})}
    for label, op, value in selector.matchers:
        if label not in labels:
            labels[label] = _satisfying(op, value)
    if not selector.matches(labels):
        raise CannotSynthesize(f"cannot build one series matching {selector}")
    return labels


def _other_than(part: _Selector, total: _Selector, part_labels: Labels) -> Labels:
    """A series the total query counts and the part query does not."""
    for label, op, value in part.matchers:
        candidate = {**part_labels, label: _failing(op if op in ("=", "=~") else "=", value)}
        if op in ("!=", "!~"):
            candidate[label] = value if op == "!=" else _matching(value)
        if total.matches(candidate) and not part.matches(candidate):
            return candidate
    raise CannotSynthesize(
        "cannot build a series that the total query counts but the part does not"
    )


def input_series(slo: Slo, error_ratio: float) -> list[tuple[Labels, float]]:
    """Counter series and their increase per minute that give `error_ratio`."""
    if not isinstance(slo.sli, EventsSli):
        raise CannotSynthesize("raw SLIs give the ratio directly; write their test by hand")
    five = timedelta(minutes=5)
    part = _selector(slo.sli.part.at(five))
    total = _selector(slo.sli.total.at(five))
    part_share = 1 - error_ratio if slo.sli.part_is_good else error_ratio
    part_labels = _series_for(part)
    if total.matches(part_labels):
        other = _other_than(part, total, part_labels)
        return [
            (part_labels, TRAFFIC_PER_MINUTE * part_share),
            (other, TRAFFIC_PER_MINUTE * (1 - part_share)),
        ]
    return [
        (part_labels, TRAFFIC_PER_MINUTE * part_share),
        (_series_for(total), TRAFFIC_PER_MINUTE),
    ]


def _series_text(labels: Labels) -> str:
    name = labels["__name__"]
    rest = ", ".join(
        f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for k, v in sorted(labels.items())
        if k != "__name__"
    )
    return f"{name}{{{rest}}}"


def scenarios(slo: Slo) -> list[tuple[str, float]]:
    """(name, burn rate) of each case the test proves, chosen from the SLO's factors."""
    pages = [cond.factor for cond in slo.alerting.conditions if cond.severity == "page"]
    tickets = [cond.factor for cond in slo.alerting.conditions if cond.severity == "ticket"]
    every = pages + tickets
    cases = []
    if pages and slo.alerting.page.enabled:
        cases.append(("a fast burn pages", min(1 / slo.budget, max(pages) * 1.25)))
    if tickets and slo.alerting.ticket.enabled:
        low = min(tickets)
        high = min(pages) if pages and slo.alerting.page.enabled else low * 4
        if low < high:
            cases.append(("a slow burn opens a ticket and does not page", (low + high) / 2))
    if every:
        cases.append(("an error rate within budget fires nothing", min(every) / 2))
    return cases


def promtool_test_file(
    slo: Slo, rule_file: str, runbook_url: str = "", dashboard_url: str = ""
) -> dict[str, Any]:
    rules = {
        r["labels"].get("ninefold_severity"): r
        for r in alert_rules(slo, runbook_url, dashboard_url)
        if r["alert"] == slo.alerting.name
    }
    tests = []
    for name, burn in scenarios(slo):
        ratio = min(1.0, burn * slo.budget)
        series = [
            {"series": _series_text(labels), "values": f"0+{per_minute:g}x{MINUTES}"}
            for labels, per_minute in input_series(slo, ratio)
        ]
        firing = [
            severity
            for severity, rule in sorted(rules.items())
            if any(
                cond.severity == severity and ratio > cond.factor * slo.budget
                for cond in slo.alerting.conditions
            )
        ]
        expected = [
            {
                "exp_labels": {**rules[severity]["labels"]},
                "exp_annotations": {**rules[severity]["annotations"]},
            }
            for severity in firing
        ]
        tests.append(
            {
                "name": f"{slo.service}/{slo.name}: {name} (burn rate {burn:g})",
                "interval": "1m",
                "input_series": series,
                "alert_rule_test": [
                    {
                        "eval_time": EVAL_TIME,
                        "alertname": slo.alerting.name,
                        "exp_alerts": expected,
                    },
                    {
                        "eval_time": EVAL_TIME,
                        "alertname": f"{slo.alerting.name}SLIMissing",
                        "exp_alerts": [],
                    },
                ],
            }
        )
    return {"rule_files": [rule_file], "evaluation_interval": "1m", "tests": tests}
