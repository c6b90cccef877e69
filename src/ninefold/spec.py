"""The base model and field types every user-written spec shares (YAML and API alike)."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints


class Spec(BaseModel):
    """Unknown keys are errors: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=True)


def _check_name(value: str) -> str:
    if value != value.strip():
        raise ValueError("must not start or end with white space")
    if "/" in value:
        raise ValueError("must not contain '/'")
    if value in {".", ".."}:
        raise ValueError("must not be '.' or '..' (browsers rewrite such paths)")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValueError("must not contain control characters")
    return value


# Names are kept exactly as typed: any printable text but '/', so they can stand in a URL path.
Name = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_check_name)]


def _as_set(values: list[str]) -> list[str]:
    return sorted(set(values))


# A list of names whose order carries no meaning: kept sorted and without repeats, so that
# the same set always compares equal (and `apply` plans no change for a reordered list).
NameSet = Annotated[list[Name], AfterValidator(_as_set)]


def _check_time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r}; use an IANA name such as Europe/Berlin"
        ) from None
    return value


TimeZone = Annotated[str, AfterValidator(_check_time_zone)]


def _check_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return value


Url = Annotated[str, StringConstraints(max_length=500), AfterValidator(_check_url)]


def _check_optional_url(value: str) -> str:
    return _check_url(value) if value else value


# An address that may be left empty (`""`); never a javascript: or data: address.
OptionalUrl = Annotated[str, StringConstraints(max_length=500), AfterValidator(_check_optional_url)]


class Link(Spec):
    title: str = Field(min_length=1, max_length=200, description="Text shown for the link.")
    url: Url = Field(description="http:// or https:// address.")
