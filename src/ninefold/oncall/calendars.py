"""Calendar feeds: a secret per user in the feed URLs, since calendar apps cannot log in.

Only the secret's SHA-256 is stored (`users.calendar_token_hash`), like API tokens; making a
new one replaces it, so the old URLs stop working. A wrong secret and a schedule that does not
exist get the same 404, so the answers tell nothing about which secrets or schedules exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ninefold.auth import audit
from ninefold.auth import service as auth_service
from ninefold.auth.model import Principal
from ninefold.auth.passwords import digest, new_secret
from ninefold.errors import NotFound
from ninefold.oncall import ical, service
from ninefold.oncall.schemas import CalendarTokenOut

if TYPE_CHECKING:
    from ninefold.auth.tables import User

NO_SUCH_CALENDAR = "no calendar at this address"


def new_token(session: Session, actor: Principal, base_url: str, now: datetime) -> CalendarTokenOut:
    """A new calendar secret for `actor` (replacing theirs), with the feed URLs it opens."""
    user = auth_service.get_user_row(session, actor.name)
    token = new_secret()
    user.calendar_token_hash = digest(token)
    session.flush()
    audit.record(session, actor, now, "rotate", "calendar_token", user.name, None, None)
    names = [row.name for row in service.all_rows(session)]
    return CalendarTokenOut(token=token, urls=service.calendar_urls(base_url, token, names))


def owner(session: Session, token: str) -> User:
    user = auth_service.calendar_owner(session, digest(token))
    if user is None or user.disabled:
        raise NotFound(NO_SUCH_CALENDAR)
    return user


def person_feed(session: Session, token: str, now: datetime) -> bytes:
    """The token owner's shifts across every schedule."""
    user = owner(session, token)
    window = ical.feed_window(now)
    lookup = ical.lookup_range(window)
    schedules = [service.model(session, row, *lookup) for row in service.all_rows(session)]
    return ical.person_calendar(user.name, schedules, window, now)


def schedule_feed(session: Session, token: str, name: str, now: datetime) -> bytes:
    """Every shift of schedule `name`, for anyone holding a calendar token."""
    owner(session, token)
    try:
        row = service.get_row(session, name)
    except NotFound:
        raise NotFound(NO_SUCH_CALENDAR) from None
    window = ical.feed_window(now)
    return ical.schedule_calendar(
        service.model(session, row, *ical.lookup_range(window)), window, now
    )
