"""User specs and the API shapes of tokens and audit entries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, EmailStr, Field

from ninefold.auth.model import Role
from ninefold.spec import Name, NameSet, Spec, TimeZone


class UserSpec(Spec):
    """A person: who logs in, who is paged and how to reach them."""

    name: Name = Field(description="Login name, unique.")
    full_name: str = Field(default="", max_length=200, description="Name shown in the UI.")
    email: EmailStr | None = Field(default=None, description="Email address for notifications.")
    chat_handle: str = Field(default="", max_length=100, description="Chat handle, e.g. @alice.")
    phone: str = Field(default="", max_length=40, description="Phone number, E.164 preferred.")
    time_zone: TimeZone = Field(default="UTC", description="IANA time zone, e.g. Europe/Berlin.")
    role: Role = Field(default=Role.VIEWER, description="admin, responder or viewer.")
    scope: NameSet = Field(
        default_factory=list,
        description="Teams whose objects this user may change; empty means every team.",
    )


class UserOut(UserSpec):
    managed_by: str
    has_password: bool
    disabled: bool


class TokenOut(BaseModel):
    id: int
    user: str
    name: str
    role: Role
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    via: str = Field(description="api, web, cli or config: the path the change came by.")
    action: str = Field(description="create, update or delete.")
    object_kind: str
    object_name: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
