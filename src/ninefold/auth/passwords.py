"""Password and token hashing.

Passwords use argon2id (slow on purpose); API tokens and session ids are 256-bit random
values, so a single SHA-256 is enough to keep a stolen database from yielding usable secrets.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ninefold.conventions import TOKEN_PREFIX

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when a user name is unknown, so a failed login takes as long either way."""
    return _hasher.hash("not a password anyone has")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return (
            _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def new_api_token() -> str:
    return TOKEN_PREFIX + new_secret()


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
