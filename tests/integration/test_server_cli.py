"""The server and account commands as a user runs them: real databases; `serve` and `db` in
real processes, the token commands in-process (`tests.support.cli`: the same `main`, argv,
environment and streams, without an interpreter start per command)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import httpx
from sqlalchemy import Engine

from tests.factories import EXAMPLES
from tests.support.cli import Completed
from tests.support.cli import ninefold as in_process
from tests.support.waiting import eventually


def ninefold(
    args: list[str], database_url: str, tmp_path: Path, **kwargs
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NINEFOLD_DATABASE_URL": database_url, "NINEFOLD_DATA_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "ninefold", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,
    )


def ninefold_in_process(args: list[str], database_url: str, tmp_path: Path) -> Completed:
    env = {"NINEFOLD_DATABASE_URL": database_url, "NINEFOLD_DATA_DIR": str(tmp_path)}
    return in_process(*args, env=env)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = ninefold(["serve", "--port", str(_free_port())], url, tmp_path)
    assert result.returncode == 1
    assert "ninefold db upgrade" in result.stderr
    assert "--migrate" in result.stderr


def test_serve_with_migrate_starts_and_answers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    port = _free_port()
    env = {**os.environ, "NINEFOLD_DATABASE_URL": url}
    process = subprocess.Popen(
        [sys.executable, "-m", "ninefold", "serve", "--migrate", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "server did not start in 30 s"
                time.sleep(0.2)
        assert response.json()["status"] == "ready"
    finally:
        process.terminate()
        process.wait(timeout=10)


# The token tests take `engine` for its clean-up: on PostgreSQL it empties the tables afterwards,
# so the examples and tokens written here are not left for the next test of this worker.


def test_tokens_are_shown_once_work_and_can_be_revoked(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    run = partial(ninefold_in_process, database_url=database_url, tmp_path=tmp_path)
    assert run(["apply", str(EXAMPLES)]).returncode == 0
    created = run(["token", "create", "maria", "--role", "admin", "--name", "ci"])
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("nf_")
    listed = run(["token", "list"])
    assert secret not in listed.stdout
    assert secret[:10] in listed.stdout
    revoked = run(["token", "revoke", "1"])
    assert revoked.returncode == 0
    again = run(["token", "revoke", "99"])
    assert again.returncode == 1
    assert "no API token with id 99" in again.stderr


def test_a_token_for_more_than_the_users_role_is_refused(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    run = partial(ninefold_in_process, database_url=database_url, tmp_path=tmp_path)
    run(["apply", str(EXAMPLES)])
    result = run(["token", "create", "sam", "--role", "admin"])
    assert result.returncode == 1
    assert "sam is responder, asked for admin" in result.stderr


def test_db_upgrade_then_current(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert "empty -> " in ninefold(["db", "upgrade"], url, tmp_path).stdout
    current = ninefold(["db", "current"], url, tmp_path).stdout.splitlines()
    assert current[0].split()[-1] == current[1].split()[-1]


def _workers_of(pid: int) -> list[int]:
    """The live `ninefold worker` processes whose parent is `pid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z" and b"worker" in command:
            found.append(int(stat.parent.name))
    return sorted(found)


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_serve_runs_its_workers_beside_itself_restarts_one_that_dies_and_takes_them_along(
    tmp_path: Path,
) -> None:
    """Paging never shares the server's interpreter: `serve` starts worker processes, starts
    another when one dies, and they do not outlive it, even when it is killed."""
    port = _free_port()
    env = {
        **os.environ,
        "NINEFOLD_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
        "NINEFOLD_WORKER_PROCESSES": "2",
    }
    log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen(
        [sys.executable, "-m", "ninefold", "serve", "--migrate", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        first = eventually(lambda: len(w := _workers_of(serve.pid)) == 2 and w, "two workers")
        for worker in first:
            command = Path(f"/proc/{worker}/cmdline").read_bytes().split(b"\0")
            assert command[-4:-1] == [b"worker", b"--exit-with", str(serve.pid).encode()]

        def workers_up() -> str | None:
            try:
                text = httpx.get(f"{base}/metrics", timeout=2).text
            except httpx.TransportError:
                return None
            return "ninefold_workers_up 2.0" in text and text

        eventually(workers_up, "both workers' heartbeats on /metrics", 30)
        os.kill(first[0], signal.SIGKILL)
        again = eventually(
            lambda: len(w := _workers_of(serve.pid)) == 2 and first[0] not in w and w,
            "a worker started in place of the one killed",
            20,
        )
        assert first[1] in again
        serve.kill()
        serve.wait(timeout=10)
        eventually(lambda: not any(_alive(w) for w in again), "the workers gone with serve", 20)
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait(timeout=10)
