"""The capacity pages: every resource with its headroom, days until its threshold and
accuracy; each resource's forecast chart with its band."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from ninefold.capacity import chart, service
from ninefold.capacity.schemas import ForecastOut
from ninefold.errors import Invalid
from ninefold.http import Now, SessionDep, SettingsDep
from ninefold.web.pages import PageUser, render

router = APIRouter(include_in_schema=False)


@router.get("/capacity")
def capacity_page(
    request: Request, session: SessionDep, settings: SettingsDep, me: PageUser, now: Now
) -> HTMLResponse:
    found: list[tuple[str, ForecastOut | None, str]] = []
    for row in service.resource_rows(session):
        spec = service.resource_spec(row)
        try:
            found.append(
                (
                    spec.name,
                    service.forecast(spec, settings.config_dir, settings.prometheus_url, now),
                    "",
                )
            )
        except Invalid as exc:
            found.append((spec.name, None, exc.message))
    return render(request, "capacity/capacity.html", {"me": me, "found": found})


@router.get("/capacity/{name}")
def resource_page(
    request: Request,
    name: str,
    session: SessionDep,
    settings: SettingsDep,
    me: PageUser,
    now: Now,
    days: int = service.HORIZON_DAYS,
) -> HTMLResponse:
    spec = service.get_spec(session, name)
    found = service.forecast(
        spec, settings.config_dir, settings.prometheus_url, now, min(max(days, 1), 365)
    )
    # chart.py escapes every text it writes into the SVG.
    svg = Markup(chart.forecast_chart(found))  # noqa: S704
    return render(
        request, "capacity/resource.html", {"me": me, "found": found, "spec": spec, "chart": svg}
    )
