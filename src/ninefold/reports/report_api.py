"""REST and the web UI's downloads: any report in any format. The API answers JSON by
default; the same route gives Markdown, HTML or PDF with `format`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ninefold.changes.dora_report import Selection
from ninefold.http import CurrentUser, Now, SessionDep, SettingsDep, TeamQuery, TierQuery
from ninefold.reports.document import Kind
from ninefold.reports.render import MEDIA, REPORT_POLICY, Format, rendered
from ninefold.reports.reporting import Wanted, make
from ninefold.settings import Settings

router = APIRouter(tags=["reports"])


@dataclass(frozen=True)
class Download:
    wanted: Wanted
    fmt: Format


def download(
    kind: Annotated[Kind, Path(description="weekly, handoff, monthly or quarterly.")],
    team: TeamQuery = None,
    service: Annotated[str | None, Query(description="This service.")] = None,
    tier: TierQuery = None,
    period: Annotated[
        str | None,
        Query(
            max_length=40,
            description="2026-W48, 2026-11 or 2026-Q4; for a handoff an instant (the last "
            "handoff at or before it). Default: the last whole period, the last handoff.",
        ),
    ] = None,
    schedule: Annotated[
        str | None, Query(max_length=64, description="A handoff's schedule.")
    ] = None,
    fmt: Annotated[Format, Query(alias="format", description="The file's format.")] = "json",
) -> Download:
    selection = Selection(team=team or None, service=service or None, tier=tier)
    return Download(Wanted(kind, selection, period or None, schedule or None), fmt)


Downloaded = Annotated[Download, Depends(download)]


def answer(session: Session, settings: Settings, asked: Download, now: Now) -> Response:
    """The report as a file named after it (`monthly-2026-11-01.pdf`)."""
    found = make(session, settings, asked.wanted, now)
    media, extension = MEDIA[asked.fmt]
    name = f"{found.kind}-{found.start:%Y-%m-%d}.{extension}"
    shown = "inline" if asked.fmt in ("html", "json") else "attachment"
    headers = {"Content-Disposition": f'{shown}; filename="{name}"'}
    if asked.fmt == "html":
        headers["Content-Security-Policy"] = REPORT_POLICY
    return Response(
        rendered(found, asked.fmt, settings.resolved_public_url()),
        media_type=media,
        headers=headers,
    )


@router.get(
    "/reports/{kind}",
    summary="A report (weekly SLO snapshot, handoff, monthly, quarterly) as JSON, Markdown, "
    "HTML or PDF",
    response_model=None,
    responses={
        200: {
            "description": "The report in the `format` asked for.",
            "content": {media.split(";")[0]: {} for media, _ in MEDIA.values()},
        }
    },
)
def get_report(
    asked: Downloaded, session: SessionDep, settings: SettingsDep, now: Now, _me: CurrentUser
) -> Response:
    """A period that has not ended gives a report marked `partial`."""
    return answer(session, settings, asked, now)
