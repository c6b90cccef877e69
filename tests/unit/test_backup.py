"""How `ninefold db backup|restore` talks to PostgreSQL's client programs: the connection
string libpq reads back exactly, the password kept off the command line, and a pg_dump too
old for the server named before it runs."""

from __future__ import annotations

import pytest
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy.engine import make_url

from ninefold.backup import conninfo, dump_refusal

DEBIAN_15 = "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n"


@pytest.mark.parametrize(
    ("url", "keywords", "password"),
    [
        pytest.param(
            "postgresql+psycopg://ninefold@db.internal:5432/ninefold",
            {"host": "db.internal", "port": "5432", "user": "ninefold", "dbname": "ninefold"},
            None,
            id="host, port, user and database",
        ),
        pytest.param(
            "postgresql+psycopg://ninefold:p%40ss%20w'rd%5C@db.internal/ninefold",
            {"host": "db.internal", "user": "ninefold", "dbname": "ninefold"},
            "p@ss w'rd\\",
            id="the password goes to PGPASSWORD, decoded, and nowhere else",
        ),
        pytest.param(
            "postgresql+psycopg://o'neil@localhost/it's%20a%20db%5C",
            {"host": "localhost", "user": "o'neil", "dbname": "it's a db\\"},
            None,
            id="quotes, spaces and backslashes are quoted as libpq reads them",
        ),
        pytest.param(
            "postgresql+psycopg://ninefold@/ninefold?host=/run/postgresql&sslmode=disable",
            {
                "user": "ninefold",
                "dbname": "ninefold",
                "host": "/run/postgresql",
                "sslmode": "disable",
            },
            None,
            id="the query's libpq keywords are passed on: a Unix socket, sslmode",
        ),
        pytest.param(
            "postgresql+psycopg://ninefold@db/ninefold?password=s3cret&sslmode=verify-full",
            {"host": "db", "user": "ninefold", "dbname": "ninefold", "sslmode": "verify-full"},
            "s3cret",
            id="a password in the query goes to PGPASSWORD too",
        ),
    ],
)
def test_the_connection_string_says_what_the_url_says_but_the_password(
    url: str, keywords: dict[str, str], password: str | None
) -> None:
    text, env = conninfo(make_url(url))
    assert conninfo_to_dict(text) == keywords
    assert env == ({"PGPASSWORD": password} if password else {})
    if password:
        assert password not in text


@pytest.mark.parametrize(
    ("client", "server", "refusal"),
    [
        pytest.param(DEBIAN_15, 150020, None, id="the same major version dumps"),
        pytest.param(DEBIAN_15, 120004, None, id="a newer pg_dump dumps an older server"),
        pytest.param(
            DEBIAN_15,
            160004,
            "pg_dump 15 cannot back up a PostgreSQL 16 server: install the client programs of "
            "version 16 or newer (Debian: postgresql-client-16) and put them first on PATH",
            id="an older pg_dump is refused, naming the client to install",
        ),
        pytest.param(
            "pg_dump (PostgreSQL) 18beta1\n", 170002, None, id="a beta reads as its major"
        ),
        pytest.param(
            "something else\n",
            150020,
            "cannot tell the version of pg_dump from 'something else'",
            id="an unknown answer to --version is said",
        ),
    ],
)
def test_pg_dump_is_refused_only_for_a_newer_server(
    client: str, server: int, refusal: str | None
) -> None:
    assert dump_refusal(client, server) == refusal
