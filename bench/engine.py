"""Benchmark (a): the status and the multiwindow backtest of many SLOs over per-minute good
and total counts, against one NumPy pass over the same arrays.

Each operation runs in a process of its own (`python -m bench.engine OP`), which builds the
same seeded counts, times the operation in-process (data generation excluded) and reports its
own peak resident memory, so the memory of one operation is never mixed with another's:

- `floor-sum`: `good.sum()` and `total.sum()`, one read of every count: the memory-bandwidth
  floor of anything that looks at all the data;
- `floor-cumsum`: `np.cumsum` of both arrays along time into preallocated outputs, a read and
  a write of every count: the prefix sums that every window sum of the engine is a difference
  of;
- `status`: `ninefold.slos.core.status.status` for every SLO at the end of the data (burn rates
  over 5m to 3d, the 30-day period, budget and exhaustion);
- `backtest`: `ninefold.slos.backtest.replay.backtest` of every SLO with its own multiwindow,
  multi-burn-rate policy (`alert_policies.slo_policy`: page 14.4x over 1h and 5m or 6x over
  6h and 30m, ticket 3x over 1d and 2h or 1x over 3d and 6h), replayed every minute and scored
  against the SLO's known incidents.

The counts: SLO `i` serves a seeded random base traffic (log-normal around 300 requests a
minute, from 1 to 50,000) with a daily cycle, Poisson per minute, and a baseline error rate of
0.01% to 0.08%; up to three incidents at 2%, 10% or 50% errors for 5 to 180 minutes. The
SLOs are `examples/slos/checkout.yaml` renamed, with objectives of 99%, 99.5%, 99.9% and
99.95% in turn.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from bench.measure import own_peak_rss, own_rss, timed

if TYPE_CHECKING:
    from ninefold.slos.core.model import Slo

ROOT = Path(__file__).resolve().parent.parent
CHECKOUT = ROOT / "examples" / "slos" / "checkout.yaml"
END = datetime(2026, 11, 23, tzinfo=UTC)  # the data ends here (the last minute's end)
OBJECTIVES = (0.99, 0.995, 0.999, 0.9995)
OPS = ("floor-sum", "floor-cumsum", "status", "backtest")
DAY = 1440  # minutes

FloatArray = npt.NDArray[np.float64]
Incident = tuple[datetime, datetime]


@dataclass(frozen=True)
class Dataset:
    timestamps: FloatArray  # (minutes,): epoch seconds at the end of each minute
    good: FloatArray  # (slos, minutes), one C-contiguous row per SLO
    total: FloatArray
    incidents: list[list[Incident]]

    @property
    def nbytes(self) -> int:
        return self.timestamps.nbytes + self.good.nbytes + self.total.nbytes


def synthetic(slos: int, days: int, seed: int) -> Dataset:
    """Seeded per-minute counts of `slos` SLOs over `days` days ending at `END`, built one SLO
    at a time into preallocated arrays (so the peak memory is the arrays, not temporaries)."""
    minutes = days * DAY
    rng = np.random.default_rng(seed)
    end = END.timestamp()
    timestamps = end - 60.0 * np.arange(minutes - 1, -1, -1, dtype=np.float64)
    good = np.empty((slos, minutes), dtype=np.float64)
    total = np.empty((slos, minutes), dtype=np.float64)
    minute = np.arange(minutes, dtype=np.float64)
    incidents: list[list[Incident]] = []
    for i in range(slos):
        base = float(np.clip(rng.lognormal(np.log(300.0), 1.5), 1.0, 50_000.0))
        phase = rng.uniform(0.0, 1.0)
        rate = base * (1.0 + 0.6 * np.sin(2.0 * np.pi * (minute / DAY + phase)))
        requests = rng.poisson(rate)
        error_rate = np.full(minutes, rng.uniform(0.0001, 0.0008))
        found: list[Incident] = []
        for _ in range(int(rng.integers(0, 4))):
            start = int(rng.integers(0, minutes - 180))
            length = int(rng.integers(5, 181))
            error_rate[start : start + length] = rng.choice((0.02, 0.1, 0.5))
            # Minute `start` covers (t - 60 s, t]: the incident starts one minute before it.
            found.append(
                (
                    datetime.fromtimestamp(timestamps[start] - 60.0, UTC),
                    datetime.fromtimestamp(timestamps[start + length - 1], UTC),
                )
            )
        bad = rng.binomial(requests, error_rate)
        total[i] = requests
        good[i] = requests - bad
        incidents.append(sorted(found))
    return Dataset(timestamps, good, total, incidents)


def slo_set(count: int) -> list[Slo]:
    """`count` copies of the checkout SLO of the examples, renamed, objectives in turn."""
    from ninefold.slos.spec.loader import read

    spec_set, _ = read([CHECKOUT], timedelta(days=30))
    (checkout,) = spec_set.slos
    return [
        replace(checkout, name=f"slo-{i:04d}", objective=OBJECTIVES[i % len(OBJECTIVES)])
        for i in range(count)
    ]


Operation = Callable[[int], object]  # runs the first n SLOs; returns a small check value


def operation(name: str, data: Dataset, slos: list[Slo]) -> Operation:
    good, total, timestamps = data.good, data.total, data.timestamps
    if name == "floor-sum":
        return lambda n: float(good[:n].sum() + total[:n].sum())
    if name == "floor-cumsum":
        # Into outputs allocated and touched beforehand: the pass itself, not the page faults
        # of 2 x 330 MiB of fresh memory (which would make it vary from 0.35 s to 1.7 s here).
        good_sums, total_sums = np.empty_like(good), np.empty_like(total)
        good_sums.fill(0.0)
        total_sums.fill(0.0)

        def cumsum(n: int) -> float:
            np.cumsum(good[:n], axis=1, out=good_sums[:n])
            np.cumsum(total[:n], axis=1, out=total_sums[:n])
            return float(good_sums[:n, -1].sum() + total_sums[:n, -1].sum())

        return cumsum
    if name == "status":
        from ninefold.slos.core.status import status

        now = datetime.fromtimestamp(float(timestamps[-1]), UTC)

        def statuses(n: int) -> dict[str, float]:
            found = [status(slos[i], timestamps, good[i], total[i], now) for i in range(n)]
            return {
                "exhausted": sum(s.exhausted for s in found),
                "mean_attainment": float(np.mean([s.attainment for s in found])),
            }

        return statuses
    if name == "backtest":
        from ninefold.slos.backtest.replay import backtest
        from ninefold.slos.core.alert_policies import slo_policy

        policies = [[slo_policy(slo)] for slo in slos]

        def backtests(n: int) -> dict[str, float]:
            alerts = detected = incidents = 0
            for i in range(n):
                result = backtest(
                    timestamps,
                    good[i],
                    total[i],
                    objective=slos[i].objective,
                    period=slos[i].period,
                    policies=policies[i],
                    incidents=data.incidents[i],
                )
                for found in result.results:
                    alerts += len(found.alerts)
                    if found.severity == "page":
                        detected += sum(o.detected for o in found.incidents)
                        incidents += len(found.incidents)
            return {"alerts": alerts, "incidents": incidents, "paged": detected}

        return backtests
    raise ValueError(f"unknown operation {name!r}; choose from {', '.join(OPS)}")


def measure(name: str, slos: int, days: int, repeats: int, seed: int) -> dict[str, object]:
    """Build the data, then time `name` over all SLOs after a warm-up over the first 10."""
    data = synthetic(slos, days, seed)
    specs = slo_set(slos) if name in ("status", "backtest") else []
    rss_with_inputs = own_rss()
    run = operation(name, data, specs)
    run(min(slos, 10))  # warm-up: lazy imports and first-call caches
    check: list[object] = []
    seconds = timed(lambda: check.append(run(slos)), repeats, warmup=0)
    return {
        "op": name,
        "slos": slos,
        "minutes": int(data.timestamps.size),
        "seconds": seconds,
        "input_bytes": data.nbytes,
        "rss_with_inputs": rss_with_inputs,
        "peak_rss": own_peak_rss(),
        "check": check[-1] if check else None,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("op", choices=OPS)
    parser.add_argument("--slos", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args(argv)
    found = measure(args.op, args.slos, args.days, args.repeats, args.seed)
    json.dump(found, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
