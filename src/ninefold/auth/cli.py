"""`ninefold user ...` and `ninefold token ...`: accounts and API tokens from the server's shell."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ninefold.auth import service
from ninefold.auth.model import Role
from ninefold.auth.schemas import UserSpec
from ninefold.cli_support import now_of, operator, settings_of, transaction
from ninefold.spec import MAX_INT

out = Console(highlight=False, soft_wrap=True)
# Notes go to stderr, so that `TOKEN=$(ninefold token create ...)` captures the token alone.
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _password(given: str | None) -> str:
    if given is not None:
        return given
    entered: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return entered


users = typer.Typer(no_args_is_help=True)
tokens = typer.Typer(no_args_is_help=True)


@users.command("create")
def user_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[
        Role, typer.Option(help="admin, responder, deployer (CI: records changes) or viewer.")
    ] = Role.VIEWER,
    email: Annotated[str | None, typer.Option(help="Email address.")] = None,
    full_name: Annotated[str, typer.Option(help="Name shown in the UI.")] = "",
    scope: Annotated[
        list[str] | None, typer.Option(help="A team this user may change (repeat).")
    ] = None,
    password: Annotated[
        str | None, typer.Option(help="Password; prompted for when omitted.")
    ] = None,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="API tokens only, no web login.")
    ] = False,
) -> None:
    """Create a user, with a password for the web UI unless --no-password."""
    spec = UserSpec(name=name, role=role, email=email, full_name=full_name, scope=scope or [])
    secret = None if no_password else _password(password)
    with transaction(settings_of(ctx)) as session:
        service.create_user(session, operator(), spec, now_of(ctx), secret)
    out.print(f"created user {name} ({role})")


@users.command("set-password")
def user_set_password(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Login name.")],
    password: Annotated[
        str | None, typer.Option(help="Password; prompted for when omitted.")
    ] = None,
) -> None:
    """Set or reset a user's web login password."""
    secret = _password(password)
    with transaction(settings_of(ctx)) as session:
        service.set_password(session, operator(), name, secret, now_of(ctx))
    out.print(f"password of {name} changed")


@users.command("list")
def user_list(ctx: typer.Context) -> None:
    """List users with their role and scope."""
    with transaction(settings_of(ctx)) as session:
        users = service.all_users(session)
    table = Table("name", "role", "scope", "email", "managed by", "password")
    for u in users:
        table.add_row(
            u.name,
            u.role,
            ", ".join(u.scope) or "all teams",
            u.email or "",
            u.managed_by,
            "yes" if u.has_password else "no",
        )
    out.print(table)


@tokens.command("create")
def token_create(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(help="User the token acts as.")],
    role: Annotated[
        Role, typer.Option(help="Role of the token; at most the user's.")
    ] = Role.VIEWER,
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'ci'.")] = "",
) -> None:
    """Create an API token; it is printed once and stored only as a hash."""
    with transaction(settings_of(ctx)) as session:
        new = service.create_token(session, operator(), user, role, now_of(ctx), name)
    err.print(f"token {new.info.id} for {user} ({role}); shown once, keep it now:")
    typer.echo(new.secret)


@tokens.command("list")
def token_list(ctx: typer.Context) -> None:
    """List API tokens (never their secrets)."""
    with transaction(settings_of(ctx)) as session:
        tokens = service.list_tokens(session)
    table = Table("id", "user", "name", "role", "prefix", "created", "last used", "revoked")
    for t in tokens:
        table.add_row(
            str(t.id),
            t.user,
            t.name,
            t.role,
            t.prefix + "…",
            f"{t.created_at:%Y-%m-%d %H:%M}",
            f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never",
            f"{t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "",
        )
    out.print(table)


@tokens.command("revoke")
def token_revoke(
    ctx: typer.Context,
    token_id: Annotated[int, typer.Argument(min=1, max=MAX_INT, help="Token id.")],
) -> None:
    """Revoke an API token; requests carrying it get 401 from now on."""
    with transaction(settings_of(ctx)) as session:
        service.revoke_token(session, operator(), token_id, now_of(ctx))
    out.print(f"token {token_id} revoked")
