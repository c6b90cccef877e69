"""`--events FILE` and its column options, shared by `slo status` and `slo backtest`: declared
once here and checked once, so the two commands cannot drift apart.

A command takes them as one parameter, `events: EventOptions`, and `@event_options` puts the
options themselves into its signature for Typer (in that parameter's place, so `--help` lists
them there) and hands the command what they said as one `EventOptions`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ninefold.errors import Invalid

if TYPE_CHECKING:
    from ninefold.slos.sources.prometheus import Counts
    from ninefold.slos.spec.event_columns import EventColumns


def _text(flag: str, help_text: str) -> tuple[str, object]:
    return flag, Annotated[str | None, typer.Option(flag, help=help_text)]


# Parameter name -> (option, Typer annotation), in the order `--help` lists them. The names are
# the fields of `EventOptions`.
OPTIONS: dict[str, tuple[str, object]] = {
    "file": (
        "--events",
        Annotated[
            Path | None,
            typer.Option(
                "--events",
                help="Read the SLO's events from this file (CSV, Parquet or NDJSON, one row a "
                "request) instead of Prometheus.",
            ),
        ],
    ),
    "fmt": _text("--format", "Format of --events: csv, parquet or ndjson; default: suffix."),
    "time_column": _text("--time-column", "--events: column of the time (default: timestamp)."),
    "time_unit": _text(
        "--time-unit", "--events: epoch times are in s or ms; default: from their size."
    ),
    "good_column": _text("--good-column", "--events: column saying good (true/1/good) or bad."),
    "status_column": _text("--status-column", "--events: column of the HTTP status code."),
    "bad_status": _text(
        "--bad-status", "--events: bad status codes, e.g. 5xx,429 or 500-504 (default >= 500)."
    ),
    "latency_column": _text("--latency-column", "--events: column of the request latency."),
    "latency_threshold": _text(
        "--latency-threshold",
        "--events: a request is good up to this latency, e.g. 300ms, 1.5s.",
    ),
    "latency_unit": _text(
        "--latency-unit",
        "--events: the latency column is in s or ms; default: from its name "
        "(duration_ms, latency_seconds).",
    ),
}


@dataclass(frozen=True)
class EventOptions:
    """What the event options said; `file` is None without `--events`."""

    file: Path | None = None
    fmt: str | None = None
    time_column: str | None = None
    time_unit: str | None = None
    good_column: str | None = None
    status_column: str | None = None
    bad_status: str | None = None
    latency_column: str | None = None
    latency_threshold: str | None = None
    latency_unit: str | None = None

    def check(self, prometheus: str | None) -> None:
        """`Invalid` for a column option without `--events`, or `--events` with
        `--prometheus`."""
        if self.file is None:
            stray = [flag for name, (flag, _) in OPTIONS.items() if getattr(self, name) is not None]
            if stray:
                raise Invalid(f"{', '.join(stray)}: only with --events FILE")
        elif prometheus is not None:
            raise Invalid(
                "--events and --prometheus are exclusive: read an event file or Prometheus"
            )

    def with_spec(self, spec_options: tuple[tuple[str, str], ...]) -> EventOptions:
        """These options, with the SLO spec's mapping (`ninefold.dev/events-NAME` annotations,
        by option name) where the command line said nothing. The file and its format belong
        to the command line."""
        given: dict[str, Any] = {_field(name): value for name, value in spec_options}
        return replace(
            self, **{field: value for field, value in given.items() if getattr(self, field) is None}
        )

    def columns(self) -> EventColumns:
        """The column mapping, checked."""
        from ninefold.slos.spec.event_columns import COLUMN_OPTIONS, columns_from

        return columns_from({name: getattr(self, _field(name)) for name in COLUMN_OPTIONS})

    def read(self, at: datetime | None) -> tuple[Counts, datetime]:
        """The file's per-minute counts, and the time to report at: `--at`, or by default the
        end of the minute of the last event (so an old file does not read as a dead service).
        """
        from ninefold.slos.sources.events import event_counts, last_event

        if self.file is None:
            raise Invalid("--events FILE is needed to read events")
        counts = event_counts(self.file, self.columns(), self.fmt)
        return counts, at if at is not None else last_event(counts)


def _field(option: str) -> str:
    """The field of `EventOptions` an option sets: `time-column` -> `time_column`."""
    return option.replace("-", "_")


def event_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give a Typer command the event options in place of its parameter
    `events: EventOptions`, which receives what they said."""
    signature = inspect.signature(command, eval_str=True)
    declared: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        if parameter.name == "events":
            declared += [
                inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=a)
                for name, (_, a) in OPTIONS.items()
            ]
        else:
            declared.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY))
    if len(declared) != len(signature.parameters) + len(OPTIONS) - 1:
        raise TypeError(f"{command.__name__} takes no parameter `events: EventOptions`")

    @functools.wraps(command)
    def with_events(**values: Any) -> None:
        options = EventOptions(**{name: values.pop(name) for name in OPTIONS})
        command(**values, events=options)

    # Typer reads the parameters from the signature and their types from the annotations.
    with_events.__signature__ = signature.replace(parameters=declared)  # type: ignore[attr-defined]
    with_events.__annotations__ = {p.name: p.annotation for p in declared}
    return with_events
