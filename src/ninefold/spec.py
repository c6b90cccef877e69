"""The base model and field types every user-written spec shares (YAML and API alike)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Annotated, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from ninefold.errors import Invalid
from ninefold.instants import bounded
from ninefold.weblinks import is_web_url

# The largest whole number a column or a count may hold: an INTEGER on PostgreSQL (and
# within SQLite's range), so a larger one is refused as invalid, naming its field, before it
# reaches the database.
MAX_INT = 2**31 - 1
Count = Annotated[int, Field(ge=0, le=MAX_INT)]


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
    if not is_web_url(value):
        raise ValueError("must be an http:// or https:// URL")
    return value


Url = Annotated[str, StringConstraints(max_length=500), AfterValidator(_check_url)]


def _check_optional_url(value: str) -> str:
    return _check_url(value) if value else value


# An address that may be left empty (`""`); never a javascript: or data: address.
OptionalUrl = Annotated[str, StringConstraints(max_length=500), AfterValidator(_check_optional_url)]


def _in_utc_calendar(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("lies outside years 1 to 9999 once in UTC") from None


# An instant a sender wrote, in UTC (its offset applied); one without a zone is left to its
# reader to refuse with its own words. Year 1 in UTC stays: Alertmanager's "no end yet".
SentInstant = Annotated[datetime, AfterValidator(_in_utc_calendar)]
# An instant a person typed in an API body: with a zone, between 1970 and 9000, in UTC
# (ninefold.instants.bounded).
Instant = Annotated[AwareDatetime, AfterValidator(bounded)]

# A time of day on a local wall clock ("09:00", "17:30:00"), without a zone: the zone is the
# schedule's. JSON Schema's `format: time` is RFC 3339's, which requires an offset, so the
# document declares the pattern instead.
_TIME_OF_DAY = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"
LocalTime = Annotated[
    time,
    WithJsonSchema({"type": "string", "pattern": _TIME_OF_DAY, "examples": ["09:00"]}),
]

S = TypeVar("S", bound=Spec)


def patched(before: S, changes: BaseModel) -> S:
    """`before` with the fields `changes` names, as JSON Merge Patch (RFC 7396) reads a
    PATCH body: a field left out keeps its value, a field given replaces it whole, and an
    explicit null puts it back to its default. A field without a default cannot be null."""
    patch = changes.model_dump(exclude_unset=True)
    merged = before.model_dump()
    for name, value in patch.items():
        if value is not None:
            merged[name] = value
            continue
        field = type(before).model_fields[name]
        if field.is_required():
            raise Invalid(f"{name} cannot be null: it has no default", field=name)
        merged.pop(name)
    return type(before).model_validate(merged)


class Link(Spec):
    title: str = Field(min_length=1, max_length=200, description="Text shown for the link.")
    url: Url = Field(description="http:// or https:// address.")
