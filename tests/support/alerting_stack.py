"""Debian's Prometheus and Alertmanager on loopback ports, wired to page through Ninefold.

    with MetricsTarget() as target, alertmanager(work, webhook_url) as am, \
         prometheus_with_rules(work, target, am, RULES):
        target.set("shop_checkout_broken", 1)    # the rule fires; Alertmanager posts the webhook

Everything is timed for tests: scrapes and rule evaluations every second, Alertmanager groups
for one second. Clustering is off, so nothing listens beyond the loopback ports chosen here.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from tests.integration.prometheus_server import PROMETHEUS, free_port

ALERTMANAGER = shutil.which("prometheus-alertmanager") or "/usr/bin/prometheus-alertmanager"


class MetricsTarget:
    """A /metrics endpoint whose gauges the test sets."""

    def __init__(self) -> None:
        self.values: dict[str, float] = {}
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = "".join(f"{k} {v}\n" for k, v in sorted(target.values.items())).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.address = f"127.0.0.1:{self._server.server_address[1]}"

    def set(self, name: str, value: float) -> None:
        self.values[name] = value

    def __enter__(self) -> MetricsTarget:
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def _process(args: list[str], log: Path, ready_url: str) -> Iterator[None]:
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=log.open("w"))
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()[-2000:]
            try:
                if httpx.get(ready_url, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"{args[0]} not ready in 60 s"
            time.sleep(0.2)
        yield
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextmanager
def alertmanager(work: Path, webhook_url: str) -> Iterator[str]:
    """An Alertmanager sending every alert to `webhook_url`; yields its host:port."""
    port = free_port()
    config = work / "alertmanager.yml"
    config.write_text(
        "route:\n"
        "  receiver: ninefold\n"
        "  group_by: [alertname]\n"
        "  group_wait: 1s\n"
        "  group_interval: 1s\n"
        "  repeat_interval: 1h\n"
        "receivers:\n"
        "  - name: ninefold\n"
        "    webhook_configs:\n"
        f"      - url: {webhook_url}\n"
        "        send_resolved: true\n"
    )
    (work / "am-data").mkdir(exist_ok=True)
    args = [
        ALERTMANAGER,
        f"--config.file={config}",
        f"--storage.path={work / 'am-data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
    ]
    with _process(args, work / "alertmanager.log", f"http://127.0.0.1:{port}/-/ready"):
        yield f"127.0.0.1:{port}"


@contextmanager
def prometheus_with_rules(
    work: Path, target: MetricsTarget, alertmanager_address: str, rules: str
) -> Iterator[str]:
    """A Prometheus scraping `target` every second and sending alerts to Alertmanager."""
    port = free_port()
    (work / "rules.yml").write_text(rules)
    config = work / "prometheus.yml"
    config.write_text(
        "global:\n"
        "  scrape_interval: 1s\n"
        "  evaluation_interval: 1s\n"
        "rule_files: [rules.yml]\n"
        "alerting:\n"
        "  alertmanagers:\n"
        f"    - static_configs: [{{targets: ['{alertmanager_address}']}}]\n"
        "scrape_configs:\n"
        "  - job_name: shop\n"
        f"    static_configs: [{{targets: ['{target.address}']}}]\n"
    )
    args = [
        PROMETHEUS,
        f"--config.file={config}",
        f"--storage.tsdb.path={work / 'prom-data'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    with _process(args, work / "prometheus.log", f"http://127.0.0.1:{port}/-/ready"):
        yield f"http://127.0.0.1:{port}"
