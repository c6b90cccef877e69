from __future__ import annotations

import pytest

from ninefold.signing import sign, verify

SECRET = "It's a Secret to Everybody"
BODY = b"Hello, World!"
# GitHub's published example for X-Hub-Signature-256: the same scheme, so the same answer.
GITHUB_EXAMPLE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_signature_matches_githubs_published_example() -> None:
    assert sign(SECRET, BODY) == GITHUB_EXAMPLE


def test_own_signature_verifies() -> None:
    assert verify(SECRET, BODY, sign(SECRET, BODY))


def test_header_case_and_surrounding_space_do_not_matter() -> None:
    assert verify(SECRET, BODY, f"  {GITHUB_EXAMPLE.upper()} ")


@pytest.mark.parametrize(
    ("secret", "body", "header"),
    [
        pytest.param(SECRET, b"Hello, World?", GITHUB_EXAMPLE, id="a tampered body fails"),
        pytest.param("another secret", BODY, GITHUB_EXAMPLE, id="a wrong secret fails"),
        pytest.param(SECRET, BODY, GITHUB_EXAMPLE[7:], id="a header without sha256= fails"),
        pytest.param(SECRET, BODY, "sha1=" + GITHUB_EXAMPLE[7:], id="another algorithm fails"),
        pytest.param(SECRET, BODY, GITHUB_EXAMPLE[:-2], id="a truncated digest fails"),
        pytest.param(SECRET, BODY, "sha256=not-hex-at-all", id="a non-hex digest fails"),
        pytest.param(SECRET, BODY, "sha256=ünïcödé", id="a non-ASCII header fails"),
        pytest.param(SECRET, BODY, "", id="an empty header fails"),
        pytest.param(SECRET, BODY, None, id="a missing header fails"),
        pytest.param("", BODY, GITHUB_EXAMPLE, id="an empty secret verifies nothing"),
    ],
)
def test_verify_rejects(secret: str, body: bytes, header: str | None) -> None:
    assert not verify(secret, body, header)


def test_signing_with_an_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        sign("", BODY)
