"""How the benchmarks measure: whole processes from outside (wall time, and the peak resident
memory the kernel accounted to that one child), code inside a process with `perf_counter`, and
the median of several runs. Standard library only, so anyone can rerun the figures; Linux
only (`wait4`'s peak RSS in KiB, /proc).
"""

from __future__ import annotations

import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

MIB = 1024 * 1024


@dataclass(frozen=True)
class ProcessRun:
    """One finished child process: wall seconds from start to reaping, CPU seconds (user and
    system, all its threads), its own peak RSS."""

    wall: float
    cpu: float
    peak_rss: int  # bytes
    returncode: int
    stdout: str
    stderr: str

    def check(self, what: str) -> ProcessRun:
        if self.returncode != 0:
            raise RuntimeError(
                f"{what} exited {self.returncode}:\n{self.stderr[-3000:] or self.stdout[-3000:]}"
            )
        return self


# A bare Python (isolated, no site) that forks and execs the command and reports its wall time,
# CPU time and peak RSS. Through it, a command's peak starts from this launcher's few MiB rather
# than from the benchmark's own: Linux carries a process' peak RSS across exec, and a child that
# subprocess starts with vfork() is charged its parent's peak when it execs.
_LAUNCHER = """
import os, sys, time
report, command = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(command[0], command)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(report, "w") as out:
    cpu = usage.ru_utime + usage.ru_stime
    out.write(f"{wall!r} {cpu!r} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def run_process(
    command: Sequence[str | Path],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 3600,
) -> ProcessRun:
    """Run `command` to the end and measure it as a whole process: wall time from fork to
    reaping, and the CPU time and peak RSS that `wait4` reports for exactly that child.

    Output goes to temporary files, so a chatty command cannot block on a full pipe.
    """
    with tempfile.TemporaryDirectory(prefix="ninefold-bench-run-") as tmp:
        report = Path(tmp) / "report"
        out_path, err_path = Path(tmp) / "stdout", Path(tmp) / "stderr"
        with out_path.open("wb") as out, err_path.open("wb") as err:
            launcher = [sys.executable, "-I", "-S", "-c", _LAUNCHER, report]
            process = subprocess.Popen(
                [str(part) for part in (*launcher, *command)],
                stdout=out,
                stderr=err,
                env=env,
                cwd=cwd,
                start_new_session=True,  # a timeout ends the command with its launcher
            )
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                raise RuntimeError(f"{command[0]} ran longer than {timeout} s") from None
        if process.returncode != 0 or not report.exists():
            raise RuntimeError(f"could not run {command[0]}: {err_path.read_text()[-2000:]}")
        wall, cpu, peak_kib, returncode = report.read_text().split()
        return ProcessRun(
            wall=float(wall),
            cpu=float(cpu),
            peak_rss=int(peak_kib) * 1024,
            returncode=int(returncode),
            stdout=out_path.read_text(errors="replace"),
            stderr=err_path.read_text(errors="replace"),
        )


def alternate(
    commands: dict[str, Callable[[], ProcessRun]], runs: int, warmup: int = 1
) -> dict[str, list[ProcessRun]]:
    """Run each command `warmup` times uncounted, then `runs` rounds of A, B, ... in turn, so
    that a machine whose speed drifts slows every command alike."""
    for _ in range(warmup):
        for run in commands.values():
            run()
    found: dict[str, list[ProcessRun]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, run in commands.items():
            found[name].append(run())
    return found


@dataclass(frozen=True)
class Spread:
    """Median, minimum and maximum of a figure over runs."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        return cls(statistics.median(values), min(values), max(values))

    def show(self, unit: str = "s", digits: int = 3) -> str:
        return f"{self.median:.{digits}f} {unit} ({self.low:.{digits}f}-{self.high:.{digits}f})"


def ratio(numerators: Sequence[float], denominators: Sequence[float]) -> Spread:
    """Ratios pair by pair (run k of A over run k of B), then their spread."""
    return Spread.of([a / b for a, b in zip(numerators, denominators, strict=True)])


def timed(function: Callable[[], object], repeats: int, warmup: int = 1) -> list[float]:
    """Seconds per call of `function`, `repeats` times after `warmup` uncounted calls."""
    for _ in range(warmup):
        function()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - start)
    return seconds


def own_peak_rss() -> int:
    """This process' peak resident set so far, in bytes."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def own_rss() -> int:
    """This process' resident set now, in bytes."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")
