"""Reading past incidents, record by record: what is imported with which instants, and what
is refused with which reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from ninefold.incidents.history import Record, Refused, Unreadable, read
from ninefold.incidents.model import Severity


def records(text: str, fmt: str = "json") -> list[Record | Refused]:
    return list(read(text, fmt, "f", Severity.SEV2))


def test_ninefold_json_maps_every_field_and_defaults_the_severity() -> None:
    [found] = records(
        json.dumps(
            [
                {
                    "id": "pd-42",
                    "title": "Checkout down",
                    "services": ["checkout", "payments"],
                    "category": "capacity",
                    "impact_start": "2026-01-05T10:00:00+01:00",
                    "resolved": "2026-01-05T10:45:00Z",
                }
            ]
        )
    )
    assert isinstance(found, Record)
    assert (found.source_id, found.severity, found.services) == (
        "pd-42",
        Severity.SEV2,
        ("checkout", "payments"),
    )
    assert found.instants == {
        "impact_start": datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
        "resolved": datetime(2026, 1, 5, 10, 45, tzinfo=UTC),
    }
    assert found.notes == ()


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ({"title": "x", "resolved": "2026-01-05T10:45:00Z"}, "no id"),
        ({"id": "a", "resolved": "2026-01-05T10:45:00Z"}, "no title"),
        ({"id": "a", "title": "x"}, "neither impact_start nor resolved: no place in time"),
        (
            {"id": "a", "title": "x", "resolved": "2026-01-05T10:45"},
            "resolved: '2026-01-05T10:45' has no offset",
        ),
        (
            {"id": "a", "title": "x", "resolved": "yesterday"},
            "resolved: 'yesterday' is not ISO 8601",
        ),
        (
            {"id": "a", "title": "x", "severity": "P1", "resolved": "2026-01-05T10:45:00Z"},
            "severity 'P1' is not SEV1-SEV4",
        ),
        (
            {"id": "a", "title": "x", "colour": "red", "resolved": "2026-01-05T10:45:00Z"},
            "unknown fields colour",
        ),
        (
            {"id": "a", "title": "x", "services": "checkout", "resolved": "2026-01-05T10:45:00Z"},
            "services must be a list of names",
        ),
        ("just text", "not an object"),
    ],
)
def test_a_broken_record_is_refused_with_its_reason_and_place(item: object, reason: str) -> None:
    good = {"id": "ok", "title": "fine", "resolved": "2026-01-05T10:45:00Z"}
    found = records(json.dumps([good, item]))
    assert isinstance(found[0], Record)
    assert isinstance(found[1], Refused)
    assert (found[1].ref, found[1].reason) == ("f:#2", reason)


def test_csv_splits_services_and_names_the_line() -> None:
    text = (
        "id,title,services,impact_start,resolved\n"
        "a,Checkout down,checkout; payments,2026-01-05T09:00:00Z,2026-01-05T09:30:00Z\n"
        "b,,search,2026-01-06T09:00:00Z,\n"
    )
    first, second = records(text, "csv")
    assert isinstance(first, Record)
    assert first.services == ("checkout", "payments")
    assert second == Refused("f:line 3", "b", "no title")
    with pytest.raises(Unreadable, match="unknown columns colour"):
        records("id,colour\n1,red\n", "csv")


def test_the_keyed_cloud_form_maps_date_duration_labels_and_provider() -> None:
    item = {
        "title": "Storage errors",
        "link": ["https://github.com/mirror/azure-status"],
        "time": "7/11/2018",
        "service_name": ["Storage"],
        "duration": 95,
        "detection time": 12,
        "root cause": {"label": [{"layer-1": "internal causes", "layer-2": "Softwares  bugs"}]},
    }
    [found] = records(json.dumps({"azure20180711-1": item}))
    assert isinstance(found, Record)
    start = datetime(2018, 7, 11, tzinfo=UTC)
    assert found.instants == {
        "impact_start": start,
        "detected": start + timedelta(minutes=12),
        "mitigated": start + timedelta(minutes=95),
        "resolved": start + timedelta(minutes=95),
        "impact_end": start + timedelta(minutes=95),
    }
    assert (found.category, found.provider, found.services) == (
        "software-bug",
        "Azure",
        ("Storage",),
    )


def test_the_keyed_form_imports_what_lacks_a_duration_or_service_with_a_note() -> None:
    bare = {"title": "Something", "time": "02/29/2020", "service_name": None, "duration": None}
    odd = {"title": "Odd", "time": "13/01/2020"}
    found, refused = records(json.dumps({"gcs-1": bare, "x": odd}))
    assert isinstance(found, Record)
    assert found.provider == "Google"
    assert found.notes == ("no service", "no duration: time to recover unknown")
    assert refused == Refused("f:#2 (x)", "x", "time '13/01/2020' is not a date")
