"""The error answers of every operation, written into the OpenAPI document by one rule.

Errors come from a handful of places that do not depend on the operation's own code: the
authentication dependency (401, 403), a path that names a record (404), a body or a
parameter the schema or a domain rule refuses (422), a body over the size limit (413), a
write that races another (409). Declaring them by rule keeps the document true for every
operation a domain adds, and `tests/integration/test_api_fuzz.py` holds the app to it: an
answer the document does not declare fails the suite.
"""

from __future__ import annotations

from typing import Any

WRITES = {"post", "put", "patch", "delete"}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "field"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": ["string", "null"]},
            },
        }
    },
}

WHY = {
    "401": "No credentials, or an unknown, expired or revoked token.",
    "403": "The role or team scope does not allow this, or a cookie-authenticated change "
    "lacks its CSRF header.",
    "404": "Nothing by that name or id (or, at intake, no integration with that key).",
    "409": "The change conflicts with the current state or with a change made at the same time.",
    "413": "The body is larger than NINEFOLD_MAX_BODY_BYTES.",
    "422": "The request is not valid: `field` names what to fix.",
}


def declared_errors(method: str, operation: dict[str, Any]) -> list[str]:
    secured = bool(operation.get("security"))
    parameters = operation.get("parameters", [])
    writes = method in WRITES
    codes = ["422"] if parameters or writes else []
    if secured:
        codes += ["401", "403"]
    if any(p.get("in") == "path" for p in parameters):
        codes.append("404")
    if writes:
        codes.append("413")
    if writes and secured:
        codes.append("409")
    return codes


def add_error_answers(document: dict[str, Any]) -> dict[str, Any]:
    """Declare on each operation the errors it can answer, each with the error body."""
    document.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for methods in document.get("paths", {}).values():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            for code in declared_errors(method, operation):
                responses[code] = {"description": WHY[code], "content": body}
    return document
