"""HMAC-SHA256 signatures over raw request bodies, as `sha256=<hex>` (GitHub's scheme).

One module for both directions: outbound webhooks sign with it, inbound webhooks verify with it,
so the two cannot drift apart. The signature covers the bytes on the wire, never a re-encoding
of parsed JSON, which could differ in key order or whitespace.
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


def sign(secret: str, body: bytes) -> str:
    if not secret:
        raise ValueError("a signing secret must not be empty")
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"{PREFIX}{digest}"


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """Whether `header` is the signature of `body` under `secret`.

    A missing or malformed header is simply not valid, and an empty secret verifies nothing:
    the caller answers 401 either way. The comparison takes constant time, so timing does not
    reveal how much of a forged signature was right.
    """
    if not secret or not header:
        return False
    # Bytes, not str: compare_digest refuses non-ASCII strings, and a header is attacker input.
    presented = header.strip().lower().encode("utf-8", "surrogateescape")
    return hmac.compare_digest(sign(secret, body).encode(), presented)
