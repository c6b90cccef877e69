"""Resources kept (`ninefold apply` writes the `resources:` section) and their forecasts:
the series read where it lives, made regular, forecast and backtested."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.capacity import model, sources
from ninefold.capacity.schemas import AccuracyOut, ForecastOut, ForecastPoint, Point, ResourceSpec
from ninefold.capacity.tables import Resource
from ninefold.catalog import service as catalog
from ninefold.declared import spec_of_columns, write_columns
from ninefold.errors import Invalid, NinefoldError, NotFound
from ninefold.slos.spec.durations import parse_duration

HORIZON_DAYS = 30


def resource_rows(session: Session) -> list[Resource]:
    return list(session.scalars(select(Resource).order_by(Resource.name)))


def resource_spec(row: Resource) -> ResourceSpec:
    return spec_of_columns(ResourceSpec, row)


def write_resource(
    session: Session, spec: ResourceSpec, managed_by: str, now: datetime, row: Resource | None
) -> Resource:
    if catalog.find_service(session, spec.service) is None:
        raise Invalid(f"resource {spec.name!r}: no service {spec.service!r}")
    return write_columns(session, Resource, spec, managed_by, now, row)


def get_spec(session: Session, name: str) -> ResourceSpec:
    row = session.scalar(select(Resource).where(Resource.name == name))
    if row is None:
        raise NotFound(f"no resource named {name!r}")
    return resource_spec(row)


def _seconds(text: str) -> int:
    return int(parse_duration(text).total_seconds())


def series_of(
    spec: ResourceSpec, config_dir: Path, prometheus_url: str, now: datetime
) -> model.Series:
    """The resource's utilisation on its grid; `Invalid` naming the resource otherwise."""
    step = _seconds(spec.step)
    try:
        if spec.query is None:
            times, values = sources.read_file(config_dir / str(spec.file))
        else:
            history = parse_duration(spec.history)
            times, values = sources.read_prometheus(prometheus_url, spec.query, now, history, step)
        return model.regular(times, values, step)
    except Invalid as exc:
        raise Invalid(f"resource {spec.name}: {exc.message}") from None


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def forecast(
    spec: ResourceSpec,
    config_dir: Path,
    prometheus_url: str,
    now: datetime,
    days: int = HORIZON_DAYS,
) -> ForecastOut:
    series = series_of(spec, config_dir, prometheus_url, now)
    step, season = _seconds(spec.step), _seconds(spec.season) // _seconds(spec.step)
    steps = max(1, int(timedelta(days=days).total_seconds()) // step)
    threshold = spec.limit * spec.threshold
    try:
        ahead = model.forecast(series, season, steps, threshold)
        accuracy = model.backtest(series, season)
    except Invalid as exc:
        raise Invalid(f"resource {spec.name}: {exc.message}") from None
    return ForecastOut(
        resource=spec.name,
        service=spec.service,
        kind=spec.kind,
        unit=spec.unit,
        limit=spec.limit,
        threshold=threshold,
        last=Point(at=_at(series.times[-1]), value=float(series.values[-1])),
        p95=model.p95(series.values),
        headroom=model.headroom(series.values, spec.limit),
        days_until_threshold=ahead.days_until,
        crossing_at=None if ahead.crossing is None else _at(ahead.crossing),
        filled=series.filled,
        accuracy=AccuracyOut(
            metric=accuracy.metric,
            model=accuracy.model,
            seasonal_naive=accuracy.naive,
            held_out=accuracy.held_out,
        ),
        history=[
            Point(at=_at(t), value=float(v))
            for t, v in zip(series.times, series.values, strict=True)
        ],
        forecast=[
            ForecastPoint(at=_at(t), mean=float(m), low=float(lo), high=float(hi))
            for t, m, lo, hi in zip(ahead.times, ahead.mean, ahead.low, ahead.high, strict=True)
        ],
    )


def readings(
    session: Session, config_dir: Path, prometheus_url: str, now: datetime
) -> list[model.Reading]:
    """Every resource's series for the KPIs; one that cannot be read is kept with why."""
    found = []
    for row in resource_rows(session):
        spec = resource_spec(row)
        season = _seconds(spec.season) // _seconds(spec.step)
        try:
            series = series_of(spec, config_dir, prometheus_url, now)
        except NinefoldError as exc:
            found.append(
                model.Reading(spec.name, spec.service, spec.limit, season, None, exc.message)
            )
            continue
        found.append(model.Reading(spec.name, spec.service, spec.limit, season, series))
    return found
