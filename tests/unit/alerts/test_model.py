"""Normalised alerts: fingerprints, group keys and shared labels, without a database."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ninefold.alerts.model import Incoming, common_labels, fingerprint_of, group_key_of

labels = st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=8), max_size=6)


def alert(**label_values: str) -> Incoming:
    return Incoming(
        fingerprint="f",
        status="firing",
        labels=label_values,
        annotations={},
        starts_at=datetime(2026, 11, 23, tzinfo=UTC),
        ends_at=None,
        generator_url="",
        raw={},
    )


@given(labels)
def test_a_fingerprint_does_not_depend_on_label_order(values: dict[str, str]) -> None:
    reversed_order = dict(reversed(list(values.items())))
    assert fingerprint_of(values) == fingerprint_of(reversed_order)
    assert len(fingerprint_of(values)) == 16


def test_different_labels_give_different_fingerprints() -> None:
    assert fingerprint_of({"a": "1"}) != fingerprint_of({"a": "2"})
    assert fingerprint_of({"a": "1", "b": ""}) != fingerprint_of({"a": "1"})


@pytest.mark.parametrize(
    ("group_by", "source_key", "expected"),
    [
        pytest.param(
            ["env", "alertname"],
            "am-key",
            {"alertname": "Down", "env": ""},
            id="the integration's labels win, absent ones count as empty",
        ),
        pytest.param([], "am-key", "am-key", id="else the source's own group key"),
        pytest.param(
            [],
            None,
            {"alertname": "Down", "service": "cart"},
            id="else alert name and service",
        ),
    ],
)
def test_group_keys(group_by: list[str], source_key: str | None, expected: object) -> None:
    key = group_key_of(alert(alertname="Down", service="cart"), group_by, source_key)
    assert (json.loads(key) if isinstance(expected, dict) else key) == expected


def test_alerts_with_the_same_group_labels_share_a_key_whatever_else_differs() -> None:
    one = group_key_of(alert(alertname="Down", instance="a"), ["alertname"], None)
    two = group_key_of(alert(alertname="Down", instance="b"), ["alertname"], None)
    assert one == two


def test_common_labels_are_those_every_alert_has_with_the_same_value() -> None:
    shared = common_labels(
        [
            {"service": "cart", "severity": "page", "instance": "a"},
            {"service": "cart", "severity": "ticket", "instance": "b"},
            {"service": "cart", "severity": "page"},
        ]
    )
    assert shared == {"service": "cart"}
    assert common_labels([]) == {}


def test_the_title_prefers_the_summary_then_the_alert_name() -> None:
    named = alert(alertname="Down")
    assert named.title == "Down"
    summarised = Incoming(**{**named.__dict__, "annotations": {"summary": "Cart is down"}})
    assert summarised.title == "Cart is down"
