"""Users, API tokens, web sessions and logins.

Every function takes the caller's session and flushes at most; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ninefold.auth import audit
from ninefold.auth.model import Principal, Role, require_admin, role_within
from ninefold.auth.passwords import (
    digest,
    hash_password,
    new_api_token,
    new_secret,
    verify_password,
)
from ninefold.auth.schemas import (
    ContactMethodSpec,
    NotificationRuleSpec,
    TokenOut,
    UserOut,
    UserSpec,
)
from ninefold.auth.tables import ApiToken, LoginFailure, User, UserScope, WebSession
from ninefold.conventions import MANAGED_BY_API
from ninefold.errors import Conflict, Invalid, NotFound, TooManyRequests, Unauthenticated
from ninefold.pagination import MAX_LIMIT, Page, every, paged


def user_spec(user: User) -> UserSpec:
    return UserSpec(
        name=user.name,
        full_name=user.full_name,
        email=user.email or None,
        chat_handle=user.chat_handle,
        phone=user.phone,
        time_zone=user.time_zone,
        role=Role(user.role),
        scope=[s.team_name for s in user.scopes],
        contact_methods=[ContactMethodSpec.model_validate(m) for m in user.contact_methods],
        notification_rules=[
            NotificationRuleSpec.model_validate(r) for r in user.notification_rules
        ],
    )


def user_out(user: User) -> UserOut:
    return UserOut(
        **user_spec(user).model_dump(),
        managed_by=user.managed_by,
        has_password=user.password_hash is not None,
        disabled=user.disabled,
    )


def get_user_row(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFound(f"no user named {name!r}", field="user")
    return user


def find_user(session: Session, name: str) -> User | None:
    return session.scalar(select(User).where(User.name == name))


def user_by_id(session: Session, user_id: int) -> User:
    return session.get_one(User, user_id)


def users_by_name(
    session: Session, names: Iterable[str], *, enabled: bool = False
) -> dict[str, User]:
    """The users of these names that exist (and, with `enabled`, are not disabled)."""
    query = select(User).where(User.name.in_(list(names)))
    if enabled:
        query = query.where(User.disabled.is_(False))
    return {user.name: user for user in session.scalars(query)}


def calendar_owner(session: Session, token_hash: str) -> User | None:
    """The user whose calendar feeds this token (its SHA-256) opens."""
    return session.scalar(select(User).where(User.calendar_token_hash == token_hash))


def list_users(session: Session, *, limit: int = 50, offset: int = 0) -> Page[UserOut]:
    query = select(User).order_by(User.name)
    return paged(session, query, user_out, limit=limit, offset=offset)


def all_users(session: Session) -> list[UserOut]:
    return every(lambda offset: list_users(session, limit=MAX_LIMIT, offset=offset))


def write_user(
    session: Session, spec: UserSpec, managed_by: str, now: datetime, row: User | None = None
) -> User:
    """Create or overwrite a user row from a spec; passwords and tokens are left alone."""
    if row is None:
        row = User(name=spec.name)
        session.add(row)
    row.full_name = spec.full_name
    row.email = str(spec.email or "")
    row.chat_handle = spec.chat_handle
    row.phone = spec.phone
    row.time_zone = spec.time_zone
    row.role = spec.role.value
    row.managed_by = managed_by
    row.scopes = [UserScope(team_name=t) for t in sorted(set(spec.scope))]
    row.contact_methods = [m.model_dump(mode="json") for m in spec.contact_methods]
    row.notification_rules = [r.model_dump(mode="json") for r in spec.notification_rules]
    row.touch(now)
    session.flush()
    return row


def create_user(
    session: Session,
    actor: Principal,
    spec: UserSpec,
    now: datetime,
    password: str | None = None,
) -> UserOut:
    require_admin(actor, "create users")
    if session.scalar(select(User.id).where(User.name == spec.name)) is not None:
        raise Conflict(f"a user named {spec.name!r} already exists", field="name")
    row = write_user(session, spec, MANAGED_BY_API, now)
    if password is not None:
        set_password_row(row, password)
    out = user_out(row)
    audit.record(session, actor, now, "create", "user", spec.name, None, _audit_view(out))
    return out


def set_password(
    session: Session, actor: Principal, name: str, password: str, now: datetime
) -> None:
    require_admin(actor, "set passwords")
    row = get_user_row(session, name)
    set_password_row(row, password)
    audit.record(
        session, actor, now, "update", "user", name, {"password": "***"}, {"password": "(changed)"}
    )


def set_password_row(row: User, password: str) -> None:
    if len(password) < 8:
        raise Invalid("password must have at least 8 characters", field="password")
    row.password_hash = hash_password(password)


def _audit_view(user: UserOut) -> dict[str, Any]:
    return user.model_dump(mode="json", exclude={"has_password", "disabled", "managed_by"})


# --- API tokens -------------------------------------------------------------------------


@dataclass(frozen=True)
class NewToken:
    """The token in clear is here and nowhere else: it is shown once, then only its hash is kept."""

    secret: str
    info: TokenOut


def _token_out(token: ApiToken) -> TokenOut:
    return TokenOut(
        id=token.id,
        user=token.user.name,
        name=token.name,
        role=Role(token.role),
        prefix=token.prefix,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )


def create_token(
    session: Session, actor: Principal, user_name: str, role: Role, now: datetime, name: str = ""
) -> NewToken:
    require_admin(actor, "create API tokens")
    user = get_user_row(session, user_name)
    if not role_within(role, Role(user.role)):
        raise Invalid(
            f"a token cannot carry more than its user's role: {user_name} is {user.role}, "
            f"asked for {role}",
            field="role",
        )
    secret = new_api_token()
    token = ApiToken(
        user=user,
        name=name,
        role=role.value,
        prefix=secret[:10],
        token_hash=digest(secret),
        created_at=now,
    )
    session.add(token)
    session.flush()
    info = _token_out(token)
    audit.record(
        session, actor, now, "create", "token", f"{info.id}", None, info.model_dump(mode="json")
    )
    return NewToken(secret=secret, info=info)


def list_tokens(session: Session) -> list[TokenOut]:
    return [_token_out(t) for t in session.scalars(select(ApiToken).order_by(ApiToken.id))]


def revoke_token(session: Session, actor: Principal, token_id: int, now: datetime) -> TokenOut:
    require_admin(actor, "revoke API tokens")
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"no API token with id {token_id}", field="id")
    before = _token_out(token).model_dump(mode="json")
    if token.revoked_at is None:
        token.revoked_at = now
    session.flush()
    info = _token_out(token)
    audit.record(
        session, actor, now, "update", "token", f"{token_id}", before, info.model_dump(mode="json")
    )
    return info


def _principal(user: User, role: Role, via: str, csrf: str | None = None) -> Principal:
    return Principal(
        name=user.name,
        role=role,
        via=via,
        scope=frozenset(s.team_name for s in user.scopes),
        csrf_token=csrf,
    )


def principal_from_token(session: Session, secret: str, now: datetime) -> Principal:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None:
        raise Unauthenticated("invalid API token")
    if token.revoked_at is not None:
        raise Unauthenticated("API token has been revoked")
    if token.user.disabled:
        raise Unauthenticated("the token's user is disabled")
    token.last_used_at = now
    return _principal(token.user, Role(token.role), "api")


# --- web logins and sessions ------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    session_id: str | None
    error: str | None


def login(
    session: Session,
    name: str,
    password: str,
    client: str,
    now: datetime,
    *,
    max_failures: int,
    window: timedelta,
    lifetime: timedelta,
) -> LoginResult:
    """Check a password; on failure count it (the caller must commit either way).

    Failures are counted per user name and client address, so one attacker cannot lock a
    user out from everywhere, and refused once `max_failures` fall within `window`.
    """
    key = f"{name}|{client}"
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - window))
    recent = session.scalar(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.key == key)
    )
    if (recent or 0) >= max_failures:
        raise TooManyRequests(
            f"too many failed logins for {name!r}; "
            f"try again in {int(window.total_seconds() // 60)} minutes"
        )
    user = session.scalar(select(User).where(User.name == name))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or user.disabled:
        session.add(LoginFailure(key=key, at=now))
        return LoginResult(None, "wrong user name or password")
    session_id = new_secret()
    session.add(
        WebSession(
            id_hash=digest(session_id),
            user=user,
            csrf_token=new_secret(),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.execute(delete(LoginFailure).where(LoginFailure.key == key))
    return LoginResult(session_id, None)


def principal_from_session(session: Session, session_id: str, now: datetime) -> Principal:
    row = session.get(WebSession, digest(session_id))
    if row is None or row.expires_at <= now or row.user.disabled:
        raise Unauthenticated("not logged in or session expired")
    return _principal(row.user, Role(row.user.role), "web", row.csrf_token)


def logout(session: Session, session_id: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id_hash == digest(session_id)))
