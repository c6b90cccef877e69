"""A real Prometheus (Debian's package) on a loopback port, over backfilled history.

History is written as OpenMetrics and turned into TSDB blocks with
`promtool tsdb create-blocks-from openmetrics`, so queries see weeks of data at once.

promtool (2.x) writes one block per two hours of samples and parses its whole input file again
for each of them (and, unless quiet, reloads every block written so far to print the new one),
so weeks of history go in quietly, one file per day: the same blocks for a third of the work.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
import numpy.typing as npt

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_counters(
    path: Path,
    family: str,
    timestamps: npt.NDArray[np.int64],
    series: dict[str, npt.NDArray[np.float64]],
) -> None:
    """One counter family; `series` maps a label text (`job="x",code="200"`) to cumulative values."""
    with path.open("w") as out:
        out.write(f"# TYPE {family} counter\n")
        for labels, values in series.items():
            lines = (
                f"{family}_total{{{labels}}} {v:.6f} {t}\n"
                for t, v in zip(timestamps, values, strict=True)
            )
            out.writelines(lines)
        out.write("# EOF\n")


def backfill(openmetrics: Path, tsdb: Path) -> None:
    tsdb.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [PROMTOOL, "tsdb", "create-blocks-from", "openmetrics", "-q", str(openmetrics), str(tsdb)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


BLOCK_SECONDS = 2 * 3600  # promtool's block length; its blocks start at multiples of it
CHUNK_SECONDS = 12 * BLOCK_SECONDS


def backfill_counters(
    work: Path,
    tsdb: Path,
    family: str,
    timestamps: npt.NDArray[np.int64],
    series: dict[str, npt.NDArray[np.float64]],
) -> None:
    """`write_counters` and `backfill`, a day of samples at a time. Days start at multiples of
    the block length, so each day's blocks are exactly the blocks that one file of the whole
    history would give: every sample lands in the same two-hour block either way."""
    day_of = timestamps // CHUNK_SECONDS
    for day in np.unique(day_of):
        inside = day_of == day
        data = work / f"{family}-{int(day) * CHUNK_SECONDS}.om"
        write_counters(data, family, timestamps[inside], {k: v[inside] for k, v in series.items()})
        backfill(data, tsdb)


@contextmanager
def running_prometheus(tsdb: Path, workdir: Path, scrape: str | None = None) -> Iterator[str]:
    """`scrape`: a URL whose /metrics it scrapes every second."""
    port = free_port()
    config = workdir / "prometheus.yml"
    text = "global:\n  evaluation_interval: 1m\n"
    if scrape is not None:
        host = scrape.removeprefix("http://")
        text += (
            "scrape_configs:\n  - job_name: ninefold\n    scrape_interval: 1s\n"
            f"    static_configs:\n      - targets: ['{host}']\n"
        )
    config.write_text(text)
    process = subprocess.Popen(
        [
            PROMETHEUS,
            f"--config.file={config}",
            f"--storage.tsdb.path={tsdb}",
            "--storage.tsdb.retention.time=3650d",
            f"--web.listen-address=127.0.0.1:{port}",
            "--query.lookback-delta=5m",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "prometheus.log").open("w"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (workdir / "prometheus.log").read_text()[-2000:]
            try:
                if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "Prometheus did not become ready in 60 s"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextmanager
def checkout_prometheus(
    work: Path,
    timestamps: npt.NDArray[np.int64],
    good: npt.NDArray[np.float64],
    bad: npt.NDArray[np.float64],
) -> Iterator[str]:
    """A Prometheus serving checkout's `http_requests_total` counters (`code="200"` and
    `code="500"`), cumulated from the good and bad requests of each step ending at
    `timestamps`."""
    backfill_checkout(work, work / "tsdb", timestamps, good, bad)
    with running_prometheus(work / "tsdb", work) as url:
        yield url


def backfill_checkout(
    work: Path,
    tsdb: Path,
    timestamps: npt.NDArray[np.int64],
    good: npt.NDArray[np.float64],
    bad: npt.NDArray[np.float64],
) -> None:
    """The TSDB `checkout_prometheus` serves, written into `tsdb`."""
    backfill_counters(
        work,
        tsdb,
        "http_requests",
        timestamps,
        {
            'job="checkout",code="200"': np.cumsum(good),
            'job="checkout",code="500"': np.cumsum(bad),
        },
    )
