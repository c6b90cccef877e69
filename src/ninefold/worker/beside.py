"""The worker processes `serve` starts beside itself, and keeps running while it serves.

A worker thread inside `serve` shared one Python process, and so one interpreter lock, with
every request thread: in an alert storm it got a sliver of a core, and the first pages came
minutes after their alerts (docs/benchmarks.md, (d)). A process of its own gets a core the
operating system shares fairly. The children are plain `ninefold worker` processes: the same
settings (passed as NINEFOLD_* variables), logging to the same output, stopping when `serve`
stops or dies, and started again if one dies while `serve` runs.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

from ninefold.settings import Settings

log = logging.getLogger(__name__)
RESTART_DELAY = 1.0  # seconds before a worker that died is started again
STOP_GRACE = 30.0  # seconds a worker has to finish its job after SIGTERM


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a child process these settings, as resolved here (the
    database and public URL included, which depend on the data directory and the port)."""
    values = settings.model_dump()
    values["database_url"] = settings.resolved_database_url()
    values["public_url"] = settings.resolved_public_url()
    env = {}
    for name, value in values.items():
        if value is None:
            continue
        text = str(value).lower() if isinstance(value, bool) else str(value)
        env[f"NINEFOLD_{name.upper()}"] = text
    return env


class WorkerProcesses:
    def __init__(self, settings: Settings, count: int) -> None:
        self.env = {**os.environ, **settings_env(settings)}
        self.count = count
        self.processes: list[subprocess.Popen[bytes]] = []
        self.stopping = threading.Event()
        self.watcher = threading.Thread(target=self._watch, name="worker-watch", daemon=True)

    def command(self) -> list[str]:
        return [sys.executable, "-m", "ninefold", "worker", "--exit-with", str(os.getpid())]

    def start(self) -> None:
        self.processes = [self._spawn() for _ in range(self.count)]
        log.info(
            "started %d worker process(es): pid %s",
            self.count,
            ", ".join(str(p.pid) for p in self.processes),
        )
        self.watcher.start()

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(  # noqa: S603 (this Python running ninefold, no outside input)
            self.command(), env=self.env, cwd=Path.cwd()
        )

    def _watch(self) -> None:
        while not self.stopping.wait(RESTART_DELAY):
            for index, process in enumerate(self.processes):
                code = process.poll()
                if code is not None and not self.stopping.is_set():
                    log.error(
                        "worker process %d exited with %d; starting another", process.pid, code
                    )
                    self.processes[index] = self._spawn()

    def stop(self) -> None:
        self.stopping.set()
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
