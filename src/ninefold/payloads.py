"""Request bodies from other programs (webhooks, intake): JSON read with errors that name
the field as the sender wrote it (`alerts[3].startsAt`), so whoever configures the sender
sees what to fix."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ninefold.errors import Invalid
from ninefold.sourcefile import error_message, field_path

M = TypeVar("M", bound=BaseModel)


def parse_json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        position = f" at character {exc.pos}" if isinstance(exc, json.JSONDecodeError) else ""
        raise Invalid(f"the body is not valid JSON{position}") from None
    except RecursionError:
        raise Invalid("the JSON body is nested too deeply") from None
    if not isinstance(data, dict):
        raise Invalid("the body must be a JSON object")
    return data


def validated(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = field_path(tuple(error["loc"])).lstrip(".")
        message = error_message(error, unknown="unknown field")
        more = len(exc.errors()) - 1
        raise Invalid(
            f"{field}: {message}" + (f" (and {more} more problems)" if more else ""),
            field=field or None,
        ) from None
