"""Users, roles and scopes, API tokens, web sessions and logins, and the audit log."""

from ninefold.domain import Command, Domain, NavEntry, Section

DOMAIN = Domain(
    name="auth",
    package=__name__,
    api=("ninefold.auth.api:router",),
    pages=("ninefold.auth.web:router",),
    nav=(NavEntry("Audit log", "/audit", order=90, admins_only=True),),
    commands=(
        Command("user", "ninefold.auth.cli:users", "User accounts."),
        Command("token", "ninefold.auth.cli:tokens", "API tokens."),
    ),
    tables="ninefold.auth.tables",
    sections=(Section("users", "ninefold.auth.schemas:UserSpec", "ninefold.auth.sections:USERS"),),
)
