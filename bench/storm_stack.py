"""The real things around the alert storm (bench/storm.py): the configuration it applies, the
databases, the `serve` process, an SMTP server that notes when mail arrives, and the CPU
counters of /proc.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from email.parser import BytesHeaderParser
from pathlib import Path

import httpx
from aiosmtpd.smtp import SMTP, Envelope, Session
from ruamel.yaml import YAML
from sqlalchemy import Connection, create_engine, make_url
from tests.support.smtp_sink import AnyPortController

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MAX_PER_HOUR = 1000  # the most a contact method allows
HOST = "127.0.0.1"


class SmtpSink:
    """A real SMTP server on a loopback port, keeping of each message only when it arrived
    (end of DATA, `time.monotonic()`), its Message-ID and its idempotency key."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[tuple[float, str, str]] = []
        self._controller = AnyPortController(self, hostname=HOST, port=0)
        self.port = 0

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:
        at = time.monotonic()
        headers = BytesHeaderParser().parsebytes(envelope.original_content or b"")
        with self._lock:
            self._received.append(
                (at, str(headers["Message-ID"]), str(headers["X-Ninefold-Idempotency-Key"]))
            )
        return "250 OK"

    @property
    def received(self) -> list[tuple[float, str, str]]:
        with self._lock:
            return list(self._received)

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        self.port = self._controller.port
        return self

    def __exit__(self, *_: object) -> None:
        self._controller.stop()


def storm_config(directory: Path) -> list[str]:
    """Copy examples/ to `directory`, every person reached by email only, at once, up to
    MAX_PER_HOUR an hour (bench/storm.py says why); the catalog's services, in file order."""
    shutil.copytree(EXAMPLES, directory)
    yaml = YAML()
    users_file = directory / "users.yaml"
    users = yaml.load(users_file)
    for user in users["users"]:
        user["contact_methods"] = [
            {
                "name": "work-email",
                "kind": "email",
                "address": user["email"],
                "max_per_hour": MAX_PER_HOUR,
            }
        ]
        user.pop("notification_rules", None)
    yaml.dump(users, users_file)
    return [service["name"] for service in yaml.load(directory / "services.yaml")["services"]]


def postgres_problem(url: str) -> str | None:
    """Why the PostgreSQL storm cannot run, or None."""
    if (make_url(url).database or "").startswith("ninefold_test"):
        return f"{url} names a database of the test suite; the benchmark drops its database"
    try:
        with _admin(url) as admin:
            admin.exec_driver_sql("SELECT 1")
    except Exception as exc:
        return f"no PostgreSQL at {make_url(url).render_as_string()}: {exc}".splitlines()[0]
    return None


@contextmanager
def _admin(url: str) -> Iterator[Connection]:
    engine = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def recreate_database(url: str) -> str:
    """Drop and create the database `url` names; the server's version."""
    name = make_url(url).database
    with _admin(url) as admin:
        admin.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.exec_driver_sql(f'CREATE DATABASE "{name}"')
        return str(admin.exec_driver_sql("SHOW server_version").scalar())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def process_cpu(pid: int) -> float:
    """CPU seconds (user and system, every thread) of a running process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """CPU seconds of a running process and of its children (the workers `serve` starts
    beside itself), from /proc."""
    total = process_cpu(pid)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                total += process_cpu(int(stat.parent.name))
        except OSError:  # the process ended meanwhile
            continue
    return total


def machine_cpu() -> tuple[float, float]:
    """CPU seconds busy and in all, summed over every core, since boot (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = values[3] + values[4]  # idle and iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(values) - idle) / tick, sum(values) / tick


def serve_env(work: Path, url: str) -> tuple[str, dict[str, str]]:
    """The base URL of a `ninefold serve` on a free loopback port, and the environment that
    puts it there, its data in `work` and its database at `url`."""
    port = free_port()
    base = f"http://{HOST}:{port}"
    env = {
        **os.environ,
        "NINEFOLD_DATA_DIR": str(work),
        "NINEFOLD_DATABASE_URL": url,
        "NINEFOLD_PORT": str(port),
        "NINEFOLD_PUBLIC_URL": base,
    }
    return base, env


@contextmanager
def serving(
    env: dict[str, str], log: Path, workers: int
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`ninefold serve`, with its worker inside (`workers` 0) or, with `--no-worker`, beside
    `workers` separate `ninefold worker` processes; the serve process comes first."""
    commands = [["serve"]] if not workers else [["serve", "--no-worker"]]
    commands += [["worker"]] * workers
    with running(env, log, commands) as processes:
        yield processes


@contextmanager
def running(
    env: dict[str, str], log: Path, commands: Sequence[Sequence[str]]
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`ninefold` with each of `commands` in a process of its own, all logging to `log`:
    yielded once NINEFOLD_PUBLIC_URL answers /readyz (within 60 s, none having exited),
    stopped on leaving."""
    url = env["NINEFOLD_PUBLIC_URL"]
    processes: list[subprocess.Popen[bytes]] = []
    with log.open("wb") as out:
        try:
            for command in commands:
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "ninefold", *command],
                        env=env,
                        stdout=out,
                        stderr=out,
                        cwd=ROOT,
                    )
                )
            deadline = time.monotonic() + 60
            while True:
                if any(process.poll() is not None for process in processes):
                    raise RuntimeError(f"ninefold exited: {log.read_text()[-2000:]}")
                try:
                    if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("ninefold serve did not answer /readyz within 60 s")
                time.sleep(0.1)
            yield processes
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def serve_errors(log: Path) -> Counter[str]:
    """The server's ERROR lines and exception lines, by message, to be read by a person."""
    found = Counter[str]()
    for line in log.read_text(errors="replace").splitlines():
        if " ERROR " in line or line.startswith(("sqlalchemy.", "sqlite3.", "psycopg.")):
            found[line.split(" ", 2)[-1][:300]] += 1
    return found
