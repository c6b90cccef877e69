"""Resources, as the `resources:` section declares them: their series are read where they
live (a file of the configuration directory, a Prometheus query) each time they are used."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ninefold.db import Base, Managed


class Resource(Managed, Base):
    __tablename__ = "resources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    service: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(32))
    limit: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    step: Mapped[str] = mapped_column(String(32))
    season: Mapped[str] = mapped_column(String(32))
    history: Mapped[str] = mapped_column(String(32))
    query: Mapped[str | None] = mapped_column(String(2000))
    file: Mapped[str | None] = mapped_column(String(500))
