"""The rubric's levels, in the order the configuration lists them (lowest first)."""

from __future__ import annotations

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ninefold.db import Base, Managed


class ReadinessLevel(Managed, Base):
    __tablename__ = "readiness_levels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    rules: Mapped[list[str]] = mapped_column(JSON, default=list)
    required_for_tiers: Mapped[list[int]] = mapped_column(JSON, default=list)
