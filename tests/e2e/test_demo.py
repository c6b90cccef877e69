"""The demo as a newcomer meets it: `ninefold demo examples` starts a server they can log into."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from ninefold.reports.catalogue import CATALOGUE
from tests.factories import EXAMPLES
from tests.integration.prometheus_server import running_prometheus
from tests.support.waiting import eventually


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_demo(data_dir: Path, port: int) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "NINEFOLD_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    env.pop("NINEFOLD_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "ninefold", "demo", str(EXAMPLES), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    for line in process.stdout:
        found = re.search(r"log in as demo-admin with password (\S+)", line)
        if found:
            return process, found.group(1)
        assert time.monotonic() < deadline, "demo printed no login in 60 s"
    raise AssertionError(f"demo exited with {process.wait()} before printing a login")


def _log_in(client: httpx.Client, password: str) -> httpx.Response:
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "the login form carries no CSRF token"
    data = {"username": "demo-admin", "password": password, "csrf_token": token.group(1)}
    return client.post("/login", data=data)


def _wait_ready(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("demo server not ready in 30 s")


def test_demo_serves_the_example_shop_with_a_working_admin_login(tmp_path: Path) -> None:
    port = _free_port()
    process, password = _start_demo(tmp_path, port)
    try:
        _wait_ready(port)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=True) as client:
            page = _log_in(client, password)
            assert page.status_code == 200
            assert "Service overview" in page.text
            assert "14 services owned by 3 teams" in page.text
            assert "checkout" in client.get("/services").text
            slos = client.get("/slos").text
            assert slos.count('<tr data-slo="') == 3
            assert "sample data" in slos
            slo = client.get("/slos/checkout/availability").text
            assert '<polyline class="remaining"' in slo
            # 90 days of changes: a deploy marked just before each sample incident.
            assert 'class="change change-deploy"' in slo
            dora = client.get("/dora").text
            deploys = re.search(r"(\d+) deploys, on demand", dora)
            assert deploys, dora
            assert int(deploys.group(1)) > 50

            # Sample alerts came in through the intake; the in-process worker routes them.
            # Three of them still fire, above 90 days of paging history, all resolved.
            firing = client.get("/alerts?state=triggered").text
            assert firing.count('data-testid="alert-group"') == 3
            listing = client.get("/alerts").text
            assert "RedisMemoryHigh on redis" in client.get("/alerts?service=redis").text
            found = re.search(r'href="/alerts/(\d+)">Checkout budget burn', listing)
            assert found, listing
            checkout = f"/alerts/{found.group(1)}"
            eventually(
                lambda: (
                    "Routed by payments to policy payments-default" in client.get(checkout).text
                ),
                "the demo's worker routing the checkout alert",
                30,
            )
            paged = r"Paged (priya|diego) \(step 1, on call for payments-primary\)"
            assert re.search(paged, client.get(checkout).text)

            # The incidents of those sample SLO burns, with postmortems and action items.
            incidents = client.get("/incidents?service=checkout").text
            numbers = re.findall(r'<tr data-incident="(\d+)">', incidents)
            assert len(numbers) >= 9  # one every nine days over 90 days
            latest = client.get(f"/incidents/{numbers[0]}").text
            assert 'id="recurrence"' in latest  # the same cause on checkout, again
            assert "the last deploy of the service or a dependency before impact" in latest
            reviewed = client.get(f"/incidents/{numbers[-1]}/postmortem").text
            assert "of checkout/availability&#39;s 30-day error budget" in reviewed
            assert re.search(r'data-testid="pm-state">reviewed', reviewed)
            items = client.get("/action-items?team=payments").text
            assert 'data-overdue="true"' in items

            # The KPI page: every figure a link to its records, each of those a link too.
            kpis = client.get("/kpis").text
            figures = re.findall(r'<a href="(/kpis/\w+)\?">', kpis)
            assert len(figures) == len(CATALOGUE), kpis
            assert kpis.count("<svg") == len(CATALOGUE)
            ack = client.get("/kpis/mtta_p50").text
            assert re.search(r'<a href="/alerts/\d+">alert group \d+</a>', ack)
            assert "never acknowledged" in ack  # the left out, with why
            assert 'data-rule="RedisMemoryHigh/redis" class="error"' in kpis  # tune or delete
            assert 'data-schedule="payments-primary"' in kpis

            # Runbooks: the paging alerts without one, most pages first; fresh and stale ones.
            runbooks = client.get("/runbooks").text
            uncovered = re.findall(r"<tr><td>(\w+)</td><td><a href=\"/services/", runbooks)
            assert uncovered[0] == "KafkaConsumerLagSpike", runbooks
            assert "CheckoutLatencyHigh" not in uncovered
            assert runbooks.count('<span class="badge">stale</span>') == 2

            # DR: readiness by tier, a failed test's follow-ups, the overdue services.
            dr = client.get("/dr").text
            assert re.search(r'<tr data-tier="0"><td>0</td><td>4</td><td>3</td>\s*<td>75%', dr), dr
            for overdue in ("api-gateway", "kafka", "redis"):
                assert f'<span class="badge">{overdue}</span>' in dr
            assert "Speed up the base backup restore" in client.get("/dr/3").text

            # Readiness: which services fail which rules, and why.
            grid = client.get("/readiness").text
            checkout = re.search(r'<tr data-service="checkout">.*?</tr>', grid, re.S)
            assert checkout is not None
            assert re.search(r'data-rule="dr_test" title="passed a DR test on [\d-]+, next due',
                             checkout.group(0))  # fmt: skip
            assert re.search(r'data-rule="runbooks" title="paged without a runbook: '
                             r'KafkaConsumerLagSpike"', grid)  # fmt: skip
            assert re.search(r'data-rule="dr_test" title="last passing DR test [\d-]+, was due '
                             r'again by', grid)  # fmt: skip

            # Capacity: a forecast with its measured accuracy.
            capacity = client.get("/capacity/orders-db-disk").text
            assert "Forecast to cross 400 GiB in 28 days" in capacity
            assert re.search(r"MAPE \d+\.\d+% on the last 7 points held out", capacity)

            # Risks: the heat map, and the review that is overdue.
            risks = client.get("/risks").text
            assert 'data-cell="3x4" title="payment-provider-outage"' in risks
            reindex = re.search(r'<tr data-risk="search-reindex-load">.*?</tr>', risks, re.S)
            assert reindex is not None
            assert "review overdue" in reindex.group(0)

            # Each report in each format.
            for kind in ("weekly", "handoff", "monthly", "quarterly"):
                query = "schedule=payments-primary&" if kind == "handoff" else ""
                for fmt, start in (("markdown", b"# "), ("html", b"<!doctype html>"),
                                   ("pdf", b"%PDF-"), ("json", b'{"kind": ')):  # fmt: skip
                    got = client.get(f"/reports/{kind}?{query}format={fmt}")
                    assert got.status_code == 200, (kind, fmt, got.text[:300])
                    assert got.content.startswith(start), (kind, fmt)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert (tmp_path / "ninefold.db").exists()


def test_prometheus_scrapes_the_demos_kpis(tmp_path: Path) -> None:
    port = _free_port()
    process, _ = _start_demo(tmp_path / "demo", port)
    try:
        _wait_ready(port)
        ninefold = f"http://127.0.0.1:{port}"
        with running_prometheus(tmp_path / "tsdb", tmp_path, ninefold) as prometheus:

            def scraped() -> bool:
                found = httpx.get(
                    f"{prometheus}/api/v1/query",
                    params={"query": 'ninefold_kpi_mtta_p50_seconds{team="payments"}'},
                    timeout=5,
                ).json()["data"]["result"]
                return bool(found) and float(found[0]["value"][1]) > 0

            eventually(scraped, "Prometheus scraping the demo's ack time P50 of payments", 30)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_running_the_demo_again_keeps_the_data_and_issues_a_new_password(tmp_path: Path) -> None:
    first, old = _start_demo(tmp_path, _free_port())
    first.terminate()
    first.wait(timeout=10)
    port = _free_port()
    second, new = _start_demo(tmp_path, port)
    try:
        _wait_ready(port)
        assert new != old
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            assert _log_in(client, old).status_code == 401
            assert _log_in(client, new).status_code == 303
    finally:
        second.terminate()
        second.wait(timeout=10)
