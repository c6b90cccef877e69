"""Every list the API answers is one page, `{"items", "total", "limit", "offset"}`, and takes
`limit` and `offset`: no endpoint answers a bare JSON array (docs/api.md, "Pagination")."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ninefold.app import create_app
from ninefold.settings import Settings


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data = tmp_path_factory.mktemp("openapi")
    return create_app(Settings(data_dir=Path(data))).openapi()


def answer_schema(openapi: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    schema: dict[str, Any] = content.get("application/json", {}).get("schema", {})
    ref = schema.get("$ref")
    if ref:
        schema = openapi["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return schema


def test_no_endpoint_answers_a_bare_list_and_every_page_takes_limit_and_offset(
    openapi: dict[str, Any],
) -> None:
    bare, unpaged, pages = [], [], 0
    for path, methods in openapi["paths"].items():
        for method, operation in methods.items():
            schema = answer_schema(openapi, operation)
            if schema.get("type") == "array":
                bare.append(f"{method.upper()} {path}")
            if set(schema.get("properties", {})) == {"items", "total", "limit", "offset"}:
                pages += 1
                names = {p["name"] for p in operation.get("parameters", [])}
                if not {"limit", "offset"} <= names:
                    unpaged.append(f"{method.upper()} {path}")
    assert bare == []
    assert unpaged == []
    assert pages >= 10  # teams, services, users, audit, integrations, groups, schedules, ...


def test_times_of_day_are_declared_as_they_are_served(openapi: dict[str, Any]) -> None:
    """A schedule's "09:00" has no offset, which JSON Schema's `format: time` requires: such
    fields declare a pattern the served "09:00:00" matches (issue 12)."""
    handoff = openapi["components"]["schemas"]["LayerSpec"]["properties"]["handoff"]
    assert "format" not in handoff
    assert re.fullmatch(handoff["pattern"], "09:00:00")
    assert re.fullmatch(handoff["pattern"], "09:00")
    assert not re.fullmatch(handoff["pattern"], "25:00")
    assert '"format": "time"' not in json.dumps(openapi)
