"""Domain exceptions and where they map to.

Domains raise these; the HTTP layer (`app.py`) and the CLI (`cli.py`) turn them into a status
code or an exit code, each in one place.
"""

from __future__ import annotations


class NinefoldError(Exception):
    """Base of every error Ninefold reports to a user."""

    code = "error"
    http_status = 400
    exit_code = 1

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(NinefoldError):
    code = "invalid"
    http_status = 422


class NotFound(NinefoldError):
    code = "not_found"
    http_status = 404


class Conflict(NinefoldError):
    code = "conflict"
    http_status = 409


class Unauthenticated(NinefoldError):
    code = "unauthenticated"
    http_status = 401


class Forbidden(NinefoldError):
    code = "forbidden"
    http_status = 403


class TooManyRequests(NinefoldError):
    code = "too_many_requests"
    http_status = 429


class SecretMissing(NinefoldError):
    """The server lacks a configured secret: the sender should retry once it is set."""

    code = "secret_missing"
    http_status = 503


class NotMigrated(NinefoldError):
    code = "not_migrated"
    http_status = 503
