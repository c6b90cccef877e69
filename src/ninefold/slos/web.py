"""What the SLO domain adds to other pages: the release gate's recent decisions on a
service page (a panel the catalog's page renders without knowing where it comes from)."""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy.orm import Session

from ninefold.slos.service import recent_decisions
from ninefold.web.pages import render_fragment


def gate_panel(session: Session, service: str) -> Markup:
    decisions = recent_decisions(session, service)
    return render_fragment("gate_decisions.html", {"decisions": decisions, "service": service})
