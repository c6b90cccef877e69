"""How `ninefold apply` writes the `users` section."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.auth.service import user_spec, write_user
from ninefold.auth.tables import User
from ninefold.declared import RowKind


def _rows(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


USERS = RowKind("user", _rows, user_spec, write_user)
