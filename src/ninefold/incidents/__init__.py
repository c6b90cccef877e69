"""Incidents: declared from alert groups or by hand, their timeline and postmortems (being
built: issue 15; its pure rules come first, in model.py)."""

from ninefold.domain import Domain

DOMAIN = Domain(name="incidents", package=__name__)
