"""The traffic of benchmark (d), the alert storm: distinct alerts shaped as Alertmanager sends
them, and the client that posts every delivery with a fixed number of requests in flight.

bench/storm.py runs the client as a process of its own, so that its CPU time is measured
apart, and so that the SMTP sink in the parent takes its receive times on an event loop this
load does not hold up; both read `time.monotonic()`, one clock for the whole machine on Linux:

    python -m bench.storm_load URL --alerts 10000 --repeated 50000 --services web,cart \
        --starts-at 2026-11-23T16:00:00+00:00 --concurrency 32 --seed 1 --out answers.json

Each request carries one alert (Alertmanager would often batch a group's alerts): one
transaction per alert is the hardest case for the intake, and every answer then speaks of
exactly one alert. Every delivery of an alert is the same bytes, so the repeats are the
retransmissions and `repeat_interval` re-sends a real storm brings.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import httpx

from ninefold.alerts.model import fingerprint_of

ALERT_NAMES = (
    "HighErrorRate",
    "HighLatency",
    "PodCrashLooping",
    "InstanceDown",
    "DiskFillingUp",
    "QueueBacklog",
    "ReplicationLag",
    "CertificateExpiring",
)
ALERTS_PER_GROUP = 10  # on average; see `storm_alerts`


@dataclass(frozen=True)
class StormAlert:
    group: int  # index of its Alertmanager group, 0-based
    group_key: str
    labels: dict[str, str]
    annotations: dict[str, str]
    fingerprint: str
    generator_url: str


class Answer(NamedTuple):
    """One request as the client saw it (times from `time.monotonic()`)."""

    alert: int
    sent: float
    answered: float
    status: int  # 0: no answer (connection refused, reset, timed out)
    accepted: int
    duplicates: int
    group: int  # the alert group's id when the alert was new; else -1
    error: str  # the body of a non-2xx answer, or the client's exception

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def storm_alerts(count: int, services: Sequence[str]) -> list[StormAlert]:
    """`count` distinct alerts in `count // 10` Alertmanager groups of very unequal sizes.

    Alert i joins group floor(G * (i / count)^2), so sizes fall off like 1 / sqrt(g): with
    10,000 alerts the first group (a cluster-wide outage) holds 317 alerts, the second 131,
    and the last ones 5 each; every group has at least 5. Groups are keyed as Alertmanager's
    `group_by: [alertname, cluster, service]` would key them and take the services in turn, so
    each of the example's routes gets its share of the pages.
    """
    groups = max(1, count // ALERTS_PER_GROUP)
    found = []
    for i in range(count):
        group = groups * i * i // (count * count)
        service = services[group % len(services)]
        name = ALERT_NAMES[group % len(ALERT_NAMES)]
        cluster = f"k8s-{group // len(services):03d}"
        instance = f"{service}-{i}.{cluster}.svc:8080"
        labels = {
            "alertname": name,
            "cluster": cluster,
            "service": service,
            "severity": "critical" if group % 3 == 0 else "warning",
            "job": service,
            "instance": instance,
        }
        found.append(
            StormAlert(
                group=group,
                group_key=f'{{}}:{{alertname="{name}", cluster="{cluster}", service="{service}"}}',
                labels=labels,
                annotations={
                    "summary": f"{name} on {service} in {cluster}",
                    "description": f"{instance} has been {name} for 5 minutes.",
                },
                fingerprint=fingerprint_of(labels),
                generator_url=f"http://prometheus.shop.example:9090/graph?g0.expr={name}",
            )
        )
    return found


def payload(alert: StormAlert, starts_at: str) -> bytes:
    """An Alertmanager webhook notification (payload version 4) carrying this one alert."""
    grouped = {name: alert.labels[name] for name in ("alertname", "cluster", "service")}
    return json.dumps(
        {
            "version": "4",
            "groupKey": alert.group_key,
            "truncatedAlerts": 0,
            "status": "firing",
            "receiver": "ninefold",
            "groupLabels": grouped,
            "commonLabels": alert.labels,
            "commonAnnotations": alert.annotations,
            "externalURL": "http://alertmanager.shop.example:9093",
            "alerts": [
                {
                    "status": "firing",
                    "labels": alert.labels,
                    "annotations": alert.annotations,
                    "startsAt": starts_at,
                    "endsAt": "0001-01-01T00:00:00Z",
                    "generatorURL": alert.generator_url,
                    "fingerprint": alert.fingerprint,
                }
            ],
        }
    ).encode()


def delivery_order(alerts: int, repeated: int, seed: int) -> list[int]:
    """Which alert each request carries: every alert once, `repeated` more spread evenly over
    them (alert k % alerts for the k-th repeat), all shuffled, so an alert's repeats may race
    its first delivery."""
    order = list(range(alerts)) + [k % alerts for k in range(repeated)]
    random.Random(seed).shuffle(order)
    return order


async def post_all(
    url: str, bodies: list[bytes], order: list[int], concurrency: int
) -> list[Answer]:
    """Post `bodies[order[k]]` for every k, `concurrency` at a time; the answers in the order
    they came.

    Each sender has a client of its own with one keep-alive connection: one client with a pool
    of `concurrency` connections spends most of the client's CPU matching requests to
    connections (httpcore's pool scans every connection for every waiting request), enough to
    make the client the bottleneck on a small machine.
    """
    answers: list[Answer] = []
    pending = iter(range(len(order)))  # shared by the senders: one event loop, no lock needed
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    headers = {"content-type": "application/json"}
    tls = ssl.create_default_context()  # unused on http://, but each client would load its own

    async def sender() -> None:
        async with httpx.AsyncClient(limits=limits, timeout=300, verify=tls) as client:
            for k in pending:
                alert = order[k]
                sent = time.monotonic()
                try:
                    response = await client.post(url, content=bodies[alert], headers=headers)
                except httpx.HTTPError as exc:
                    answers.append(Answer(alert, sent, time.monotonic(), 0, 0, 0, -1, repr(exc)))
                    continue
                answered = time.monotonic()
                if not response.is_success:
                    error = response.text[:500]
                    answers.append(
                        Answer(alert, sent, answered, response.status_code, 0, 0, -1, error)
                    )
                    continue
                result = response.json()
                group = result["groups"][0] if result["groups"] else -1
                answers.append(
                    Answer(
                        alert,
                        sent,
                        answered,
                        response.status_code,
                        result["accepted"],
                        result["duplicates"],
                        group,
                        "",
                    )
                )

    await asyncio.gather(*(sender() for _ in range(concurrency)))
    return answers


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.storm_load")
    parser.add_argument("url")
    parser.add_argument("--alerts", type=int, required=True)
    parser.add_argument("--repeated", type=int, required=True)
    parser.add_argument("--services", required=True, help="comma-separated")
    parser.add_argument("--starts-at", required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    alerts = storm_alerts(args.alerts, args.services.split(","))
    bodies = [payload(alert, args.starts_at) for alert in alerts]
    order = delivery_order(args.alerts, args.repeated, args.seed)
    started = time.monotonic()
    answers = asyncio.run(post_all(args.url, bodies, order, args.concurrency))
    finished = time.monotonic()
    args.out.write_text(json.dumps({"started": started, "finished": finished, "answers": answers}))


if __name__ == "__main__":
    main()
