"""Benchmark (c): Ninefold and Google's slo-generator 2.6.0 side by side, computing the same
SLO report from the same real Prometheus: the numbers must agree, and the whole-process
times are compared.

slo-generator is a benchmark peer, not a dependency: it lives in its own virtual environment,
`bench/.venv-slo-generator` (made by `scripts/bench`, with `setuptools<81`, because it
imports `pkg_resources`). When that environment is missing or broken, this benchmark says so
and the others still run.

The history: 35 days of one-minute counter samples of checkout ending 2026-11-23T00:00Z,
seeded Poisson traffic of about 1,000 requests a minute with a daily cycle and 0.05% errors,
a 30-minute outage at 20% errors ten days before the end and a 20-minute burst at 5% errors
that ended half an hour before it. It is written as OpenMetrics, backfilled into TSDB blocks
with promtool and served by Debian's Prometheus on a loopback port, with the helpers of the
integration tests (`tests/integration/prometheus_server.py`); the timings start once
Prometheus has compacted the backfilled blocks (about a minute after it starts).

The same report, as of the end of the history `T`:
- Ninefold: `ninefold slo status examples/slos/checkout.yaml --prometheus URL --json --at T`,
  which reads the raw counters every minute over the 30-day period and differences them;
- slo-generator: `slo-generator compute -f slo.yaml -c config.yaml -t T`, an SLO of method
  `good_bad_ratio` with `filter_good` (status codes other than 5xx) and `filter_valid` (every
  request), and one error budget policy step per window (1h, 6h, 1d, 3d and 30d). For each step
  it asks Prometheus for `sum(increase(SELECTOR[WINDOWs]))`, good and valid.

Differences of definition, and how the comparison handles them:
- slo-generator's Prometheus backend sends no evaluation time: its queries are evaluated at
  the server's current time, whatever `-t` says. The config therefore pins the instant in the
  selector with PromQL's `@` modifier (`...[window] @ T`), which its `[window` placeholder
  keeps intact.
- `increase()` extrapolates to the window's edges. With a sample exactly at both ends of the
  window (one-minute samples, `T` on a minute, and Prometheus 2.x's closed ranges) there is
  nothing to extrapolate, and it is the exact difference of the counter, as Ninefold's.
  Between samples, or with Prometheus 3's left-open ranges, the two differ slightly.
- slo-generator rounds the SLI to 6 digits and the burn rate to one decimal, and its
  "remaining minutes" are the window's minutes times the SLI's gap to the goal; Ninefold's
  budget is in events. The comparison uses the good and bad counts slo-generator reports
  (exact integers), and Ninefold's burn rate times the budget for the windows whose counts
  Ninefold's JSON does not print.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np
import numpy.typing as npt

from bench.measure import MIB, ProcessRun, Spread, alternate, ratio, run_process

ROOT = Path(__file__).resolve().parent.parent
PEER = ROOT / "bench" / ".venv-slo-generator"
PEER_VERSION = "2.6.0"
CHECKOUT = ROOT / "examples" / "slos" / "checkout.yaml"
END = datetime(2026, 11, 23, tzinfo=UTC)
DAY = 1440
HISTORY = 35 * DAY  # minutes
GOAL = 0.999
# (step name, Ninefold's window name, seconds, burn-rate threshold)
WINDOWS = (
    ("1 hour", "1h", 3_600, 14.4),
    ("6 hours", "6h", 21_600, 6.0),
    ("1 day", "1d", 86_400, 3.0),
    ("3 days", "3d", 259_200, 1.0),
    ("30 days", "30d", 2_592_000, 1.0),
)


def peer_problem() -> str | None:
    """Why slo-generator cannot run here, or None when it can."""
    command = PEER / "bin" / "slo-generator"
    if not command.exists():
        return f"slo-generator is not installed in {PEER.relative_to(ROOT)} (scripts/bench does it)"
    found = subprocess.run([command, "--version"], capture_output=True, text=True, check=False)
    if found.returncode != 0:
        return f"slo-generator cannot run here: {found.stderr.strip()[-800:]}"
    if found.stdout.split() != ["slo-generator", f"v{PEER_VERSION}"]:
        return f"{found.stdout.strip()} is installed; this compares {PEER_VERSION}"
    return None


@dataclass(frozen=True)
class History:
    timestamps: npt.NDArray[np.int64]  # epoch seconds, one a minute, the last at END
    good: npt.NDArray[np.float64]  # requests per minute
    bad: npt.NDArray[np.float64]

    def window(self, seconds: int) -> tuple[float, float]:
        """Good and bad requests in `(END - seconds, END]`, counted here by hand."""
        minutes = seconds // 60
        return float(self.good[-minutes:].sum()), float(self.bad[-minutes:].sum())


def history(seed: int) -> History:
    rng = np.random.default_rng(seed)
    minute = np.arange(HISTORY, dtype=np.float64)
    total = rng.poisson(1000.0 * (1.0 + 0.5 * np.sin(2.0 * np.pi * minute / DAY)))
    error_rate = np.full(HISTORY, 0.0005)
    outage = HISTORY - 10 * DAY
    error_rate[outage : outage + 30] = 0.2
    error_rate[HISTORY - 50 : HISTORY - 30] = 0.05
    bad = rng.binomial(total, error_rate)
    end = int(END.timestamp())
    timestamps = end - 60 * np.arange(HISTORY - 1, -1, -1, dtype=np.int64)
    return History(timestamps, (total - bad).astype(np.float64), bad.astype(np.float64))


@contextmanager
def prometheus(found: History, work: Path) -> Iterator[str]:
    """A real Prometheus over the history, on a loopback port; yields its URL."""
    sys.path.insert(0, str(ROOT))  # tests/ is no installed package: import it from the tree
    from tests.integration.prometheus_server import backfill, running_prometheus, write_counters

    data = work / "history.om"
    write_counters(
        data,
        "http_requests",
        found.timestamps,
        {
            'job="checkout",code="200"': np.cumsum(found.good),
            'job="checkout",code="500"': np.cumsum(found.bad),
        },
    )
    backfill(data, work / "tsdb")
    data.unlink()
    with running_prometheus(work / "tsdb", work) as url:
        wait_for_compaction(url)
        yield url


def _metric(text: str, name: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def wait_for_compaction(url: str, timeout: float = 300, quiet: float = 10) -> None:
    """Wait until Prometheus has compacted the backfilled blocks, so that it does not do it
    during the timings. promtool writes one block per 2 hours (421 for 35 days); a minute
    after start Prometheus merges them into a few large ones, as a long-running server's
    are. Done: some compaction ran and the number of blocks has not changed for `quiet`
    seconds. After `timeout`, go on anyway."""
    deadline = time.monotonic() + timeout
    blocks, since = None, time.monotonic()
    while time.monotonic() < deadline:
        text = httpx.get(f"{url}/metrics", timeout=10).text
        loaded = _metric(text, "prometheus_tsdb_blocks_loaded")
        if loaded != blocks:
            blocks, since = loaded, time.monotonic()
        elif (_metric(text, "prometheus_tsdb_compactions_total") or 0) > 0 and (
            time.monotonic() - since >= quiet
        ):
            return
        time.sleep(2)


def write_configs(work: Path, url: str, at: int) -> tuple[Path, Path]:
    """slo-generator's SLO config and its shared config (backend, error budget policy)."""
    slo = work / "slo.yaml"
    pinned = f"[window] @ {at}"
    slo.write_text(
        "apiVersion: sre.google.com/v2\n"
        "kind: ServiceLevelObjective\n"
        "metadata:\n"
        "  name: checkout-availability\n"
        "  labels:\n"
        "    service_name: checkout\n"
        "    feature_name: availability\n"
        "spec:\n"
        "  description: Orders placed without a server error.\n"
        "  backend: prometheus\n"
        "  method: good_bad_ratio\n"
        "  exporters: []\n"
        "  service_level_indicator:\n"
        f'    filter_good: http_requests_total{{job="checkout", code!~"5.."}}{pinned}\n'
        f'    filter_valid: http_requests_total{{job="checkout"}}{pinned}\n'
        f"  goal: {GOAL}\n"
    )
    config = work / "config.yaml"
    steps = "".join(
        f"      - name: {name}\n"
        f"        window: {seconds}\n"
        f"        burn_rate_threshold: {threshold}\n"
        "        alert: true\n"
        "        message_alert: Burning too fast\n"
        "        message_ok: On track\n"
        for name, _, seconds, threshold in WINDOWS
    )
    config.write_text(
        "backends:\n"
        "  prometheus:\n"
        f"    url: {url}\n"
        "exporters: {}\n"
        "error_budget_policies:\n"
        "  default:\n"
        "    steps:\n" + steps
    )
    return slo, config


@dataclass(frozen=True)
class WindowRow:
    window: str
    by_hand: tuple[float, float]  # good, bad
    peer: tuple[float, float]  # good, bad as slo-generator reports them
    peer_sli: float
    peer_burn: float
    ninefold_error_ratio: float
    ninefold_counts: tuple[float, float] | None  # good, bad (the period only)

    @property
    def peer_error_ratio(self) -> float:
        good, bad = self.peer
        return bad / (good + bad)

    @property
    def agree(self) -> bool:
        counts_ok = self.peer == self.by_hand
        if self.ninefold_counts is not None:
            counts_ok = counts_ok and self.ninefold_counts == self.by_hand
        # Ninefold's JSON rounds burn rates to 6 decimals: 1e-9 of error ratio at 99.9%.
        return counts_ok and abs(self.peer_error_ratio - self.ninefold_error_ratio) <= 1e-9


@dataclass(frozen=True)
class PeerResult:
    runs: int
    ninefold: list[ProcessRun]
    peer: list[ProcessRun]
    ninefold_startup: list[ProcessRun]  # `--help` of each: start-up and imports alone
    peer_startup: list[ProcessRun]
    rows: list[WindowRow]
    prometheus_version: str

    @property
    def agree(self) -> bool:
        return all(row.agree for row in self.rows)

    @property
    def wall_ratio(self) -> Spread:
        return ratio([r.wall for r in self.ninefold], [r.wall for r in self.peer])

    def summary(self) -> dict[str, object]:
        return {
            "runs": self.runs,
            "ninefold_wall_s": vars(Spread.of([r.wall for r in self.ninefold])),
            "ninefold_cpu_s": vars(Spread.of([r.cpu for r in self.ninefold])),
            "ninefold_peak_rss_mib": vars(Spread.of([r.peak_rss / MIB for r in self.ninefold])),
            "slo_generator_wall_s": vars(Spread.of([r.wall for r in self.peer])),
            "slo_generator_cpu_s": vars(Spread.of([r.cpu for r in self.peer])),
            "slo_generator_peak_rss_mib": vars(Spread.of([r.peak_rss / MIB for r in self.peer])),
            "wall_ratio": vars(self.wall_ratio),
            "ninefold_startup_wall_s": vars(Spread.of([r.wall for r in self.ninefold_startup])),
            "slo_generator_startup_wall_s": vars(Spread.of([r.wall for r in self.peer_startup])),
            "windows": [
                {
                    "window": row.window,
                    "by_hand_good_bad": row.by_hand,
                    "slo_generator_good_bad": row.peer,
                    "slo_generator_sli": row.peer_sli,
                    "slo_generator_burn_rate": row.peer_burn,
                    "slo_generator_error_ratio": row.peer_error_ratio,
                    "ninefold_error_ratio": row.ninefold_error_ratio,
                    "ninefold_good_bad": row.ninefold_counts,
                    "agree": row.agree,
                }
                for row in self.rows
            ],
            "agree": self.agree,
        }

    def text(self) -> str:
        nine = Spread.of([r.wall for r in self.ninefold])
        peer = Spread.of([r.wall for r in self.peer])
        lines = [
            f"(c) the same SLO report as slo-generator {PEER_VERSION}, from one Prometheus "
            f"({self.prometheus_version}), {self.runs} runs each after one warm-up, "
            "whole processes",
            f"  ninefold slo status --prometheus   wall {nine.show()}   peak RSS "
            f"{Spread.of([r.peak_rss / MIB for r in self.ninefold]).show('MiB', 0)}",
            f"  slo-generator compute              wall {peer.show()}   peak RSS "
            f"{Spread.of([r.peak_rss / MIB for r in self.peer]).show('MiB', 0)}",
            f"  ratio ninefold / slo-generator     wall {self.wall_ratio.show('x', 2)}",
            f"  start-up alone (--help)            ninefold "
            f"{Spread.of([r.wall for r in self.ninefold_startup]).show()}, slo-generator "
            f"{Spread.of([r.wall for r in self.peer_startup]).show()}",
            "  window  good (by hand)   bad  slo-generator good/bad  SLI       burn"
            "  error ratio: slo-generator  ninefold       agree",
        ]
        for row in self.rows:
            lines.append(
                f"  {row.window:>6}  {row.by_hand[0]:>13,.0f} {row.by_hand[1]:>6,.0f}  "
                f"{row.peer[0]:>13,.0f} {row.peer[1]:>6,.0f}  {row.peer_sli:.6f}  "
                f"{row.peer_burn:>4.1f}  {row.peer_error_ratio:.9f}  "
                f"{row.ninefold_error_ratio:.9f}  {'yes' if row.agree else 'NO'}"
            )
        return "\n".join(lines)


def compare(found: History, ninefold: dict, reports: list[dict]) -> list[WindowRow]:
    by_step = {report["error_budget_policy_step_name"]: report for report in reports}
    budget = ninefold["error_budget"]
    rows = []
    for name, window, seconds, _ in WINDOWS:
        report = by_step[name]
        if not report.get("valid", True):
            raise RuntimeError(f"slo-generator's {name} report is invalid: {report['errors']}")
        if window == "30d":
            counts = (ninefold["good_events"], ninefold["bad_events"])
            error_ratio = ninefold["bad_events"] / ninefold["total_events"]
        else:
            counts = None
            error_ratio = ninefold["burn_rates"][window] * budget
        rows.append(
            WindowRow(
                window=window,
                by_hand=found.window(seconds),
                peer=(float(report["good_events_count"]), float(report["bad_events_count"])),
                peer_sli=report["sli_measurement"],
                peer_burn=report["error_budget_burn_rate"],
                ninefold_error_ratio=error_ratio,
                ninefold_counts=counts,
            )
        )
    return rows


def run(runs: int, seed: int = 20261123) -> PeerResult:
    found = history(seed)
    at = int(found.timestamps[-1])
    at_text = datetime.fromtimestamp(at, UTC).isoformat()
    version = subprocess.run(
        ["prometheus", "--version"], capture_output=True, text=True, check=False
    ).stdout.split("(")[0]
    with tempfile.TemporaryDirectory(prefix="ninefold-bench-") as tmp:
        work = Path(tmp)
        with prometheus(found, work) as url:
            slo, config = write_configs(work, url, at)
            ninefold_command = [
                sys.executable,
                "-m",
                "ninefold",
                "slo",
                "status",
                CHECKOUT,
                "--prometheus",
                url,
                "--json",
                "--at",
                at_text,
            ]
            peer_command = [PEER / "bin" / "slo-generator", "compute", "-f", slo, "-c", config]
            peer_command += ["-t", str(at)]
            env = {**os.environ, "COLORED_OUTPUT": "0"}
            ninefold_help = [sys.executable, "-m", "ninefold", "slo", "status", "--help"]
            peer_help = [PEER / "bin" / "slo-generator", "compute", "--help"]
            timings = alternate(
                {
                    "ninefold": lambda: run_process(ninefold_command, cwd=ROOT).check("ninefold"),
                    "peer": lambda: run_process(peer_command, cwd=work, env=env).check(
                        "slo-generator"
                    ),
                    "ninefold_startup": lambda: run_process(ninefold_help, cwd=ROOT),
                    "peer_startup": lambda: run_process(peer_help, cwd=work, env=env),
                },
                runs,
            )
            api = [PEER / "bin" / "python", ROOT / "bench" / "slo_generator_report.py"]
            reports = run_process([*api, slo, config, str(at)], cwd=work, env=env)
            reports.check("slo-generator's report")
        (ninefold,) = json.loads(timings["ninefold"][-1].stdout)
    return PeerResult(
        runs=runs,
        ninefold=timings["ninefold"],
        peer=timings["peer"],
        ninefold_startup=timings["ninefold_startup"],
        peer_startup=timings["peer_startup"],
        rows=compare(found, ninefold, json.loads(reports.stdout)),
        prometheus_version=version.strip(),
    )
