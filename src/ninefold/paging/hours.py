"""Which part of a person's day a page fell in, the measure of on-call load.

The bands are fixed so that the KPIs compare across teams and months: working hours are
Monday to Friday 09:00-18:00; sleeping hours are 22:00-07:00 every day; late evening is
18:00-22:00 every day; the rest (early mornings, weekend days) is off hours. Times are the
recipient's own wall clock, so a page at 03:00 UTC is daytime for someone in Sydney.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

Period = Literal["working", "off_hours", "evening", "sleeping"]

WORK_START, WORK_END = time(9), time(18)
EVENING_END = time(22)
SLEEP_END = time(7)


def period_of(local: datetime) -> Period:
    clock = local.time()
    if clock >= EVENING_END or clock < SLEEP_END:
        return "sleeping"
    if clock >= WORK_END:
        return "evening"
    if local.weekday() < 5 and clock >= WORK_START:
        return "working"
    return "off_hours"


def local_view(instant: datetime, zone: str) -> tuple[datetime, Period]:
    local = instant.astimezone(ZoneInfo(zone))
    return local, period_of(local)
