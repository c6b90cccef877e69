"""User specs and the API shapes of tokens and audit entries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, EmailStr, Field, TypeAdapter, ValidationError, model_validator

from ninefold.adapters.channels import CHANNELS, ChannelName
from ninefold.auth.model import Role
from ninefold.spec import Name, NameSet, Spec, TimeZone, Url

_EMAIL: TypeAdapter[EmailStr] = TypeAdapter(EmailStr)
_URL: TypeAdapter[Url] = TypeAdapter(Url)


class ContactMethodSpec(Spec):
    """One way to reach a person: a channel and its address, such as an email address or a
    chat's incoming-webhook URL."""

    name: Name = Field(description="Unique among the user's contact methods, e.g. work-email.")
    kind: ChannelName = Field(description=f"The channel: {', '.join(CHANNELS)}.")
    address: str = Field(
        max_length=500,
        description="; ".join(f"{name}: {c.description}" for name, c in CHANNELS.items()) + ".",
    )
    max_per_hour: int = Field(
        default=20,
        ge=1,
        le=1000,
        description="Notifications at most in any hour; beyond, they are held back and counted.",
    )

    @model_validator(mode="after")
    def _address_fits_kind(self) -> ContactMethodSpec:
        check_address(self.kind, self.address, "contact method")
        return self


def check_address(kind: str, address: str, what: str) -> None:
    """Refuse an address its channel cannot send to (shared by contact methods and every
    other list of recipients)."""
    rule = CHANNELS[kind].address
    try:
        (_EMAIL if rule == "email" else _URL).validate_python(address)
    except ValidationError:
        wanted = "an email address" if rule == "email" else "an http(s) URL"
        raise ValueError(f"address of this {kind} {what} must be {wanted}") from None


class NotificationRuleSpec(Spec):
    """When paged, use contact method `contact` after `after_minutes` unless acknowledged."""

    contact: Name = Field(description="Name of one of the user's contact methods.")
    after_minutes: int = Field(default=0, ge=0, le=1440, description="Minutes after the page.")


class UserSpec(Spec):
    """A person: who logs in, who is paged and how to reach them."""

    name: Name = Field(description="Login name, unique.")
    full_name: str = Field(default="", max_length=200, description="Name shown in the UI.")
    email: EmailStr | None = Field(default=None, description="Email address for notifications.")
    chat_handle: str = Field(default="", max_length=100, description="Chat handle, e.g. @alice.")
    phone: str = Field(default="", max_length=40, description="Phone number, E.164 preferred.")
    time_zone: TimeZone = Field(default="UTC", description="IANA time zone, e.g. Europe/Berlin.")
    role: Role = Field(
        default=Role.VIEWER,
        description="admin, responder, deployer (CI: records changes) or viewer.",
    )
    scope: NameSet = Field(
        default_factory=list,
        description="Teams whose objects this user may change; empty means every team.",
    )
    contact_methods: list[ContactMethodSpec] = Field(
        default_factory=list,
        description="How to reach the user when paged; with none, the `email` address is used.",
    )
    notification_rules: list[NotificationRuleSpec] = Field(
        default_factory=list,
        description="Which contact method when; with none, every contact method at once.",
    )

    @model_validator(mode="after")
    def _rules_name_contact_methods(self) -> UserSpec:
        names = [method.name for method in self.contact_methods]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"two contact methods are named {name!r}")
        for rule in self.notification_rules:
            if rule.contact not in names:
                raise ValueError(f"notification rule names no contact method {rule.contact!r}")
        return self

    def effective_contact_methods(self) -> list[ContactMethodSpec]:
        """The declared contact methods, or the login email when none are declared (as pagers
        do for a new user), so that a person with an address is never unreachable."""
        if self.contact_methods or not self.email:
            return list(self.contact_methods)
        return [ContactMethodSpec(name="email", kind="email", address=str(self.email))]

    def effective_rules(self) -> list[NotificationRuleSpec]:
        if self.notification_rules:
            return list(self.notification_rules)
        return [NotificationRuleSpec(contact=m.name) for m in self.effective_contact_methods()]


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
