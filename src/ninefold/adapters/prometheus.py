"""Prometheus' HTTP query API (`/api/v1/query`, `/api/v1/query_range`).

Every failure becomes a `DataSourceError` naming the URL and the reason: callers turn it into
exit code 2, never into a silent "no data".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt

from ninefold.errors import NinefoldError

MAX_POINTS = 11_000


class DataSourceError(NinefoldError):
    code = "data_source_unavailable"
    http_status = 502
    exit_code = 2


@dataclass(frozen=True)
class Series:
    labels: dict[str, str]
    timestamps: npt.NDArray[np.float64]
    values: npt.NDArray[np.float64]


class PrometheusClient:
    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self._client = httpx.Client(base_url=self.url, timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PrometheusClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _get(self, path: str, params: dict[str, str]) -> Any:
        where = f"{self.url}{path}"
        try:
            response = self._client.get(path, params=params)
        except httpx.HTTPError as exc:
            raise DataSourceError(f"Prometheus at {self.url} is unreachable: {exc}") from None
        try:
            body = response.json()
        except ValueError:
            raise DataSourceError(
                f"{where} answered {response.status_code} with something that is not JSON"
            ) from None
        if response.status_code != 200 or body.get("status") != "success":
            reason = body.get("error") or f"HTTP {response.status_code}"
            raise DataSourceError(f"{where} refused the query {params.get('query')!r}: {reason}")
        return body["data"]

    def query(self, expr: str, at: datetime) -> list[Series]:
        data = self._get("/api/v1/query", {"query": expr, "time": f"{at.timestamp():.3f}"})
        return [
            Series(
                dict(item["metric"]),
                np.array([float(item["value"][0])]),
                np.array([float(item["value"][1])]),
            )
            for item in data["result"]
        ]

    def query_range(
        self, expr: str, start: datetime, end: datetime, step_seconds: int
    ) -> list[Series]:
        """Samples from `start` to `end` every `step_seconds`, fetched in chunks: Prometheus
        answers at most 11,000 points per series and query."""
        begin, finish = start.timestamp(), end.timestamp()
        chunk = step_seconds * (MAX_POINTS - 1)
        parts: dict[tuple[tuple[str, str], ...], list[Series]] = {}
        while begin <= finish:
            stop = min(begin + chunk, finish)
            for series in self._range(expr, begin, stop, step_seconds):
                parts.setdefault(tuple(sorted(series.labels.items())), []).append(series)
            begin = stop + step_seconds
        return [
            Series(
                dict(key),
                np.concatenate([p.timestamps for p in found]),
                np.concatenate([p.values for p in found]),
            )
            for key, found in sorted(parts.items())
        ]

    def _range(self, expr: str, start: float, end: float, step_seconds: int) -> list[Series]:
        params = {
            "query": expr,
            "start": f"{start:.3f}",
            "end": f"{end:.3f}",
            "step": str(step_seconds),
        }
        data = self._get("/api/v1/query_range", params)
        result = []
        for item in data["result"]:
            pairs = item["values"]
            result.append(
                Series(
                    dict(item["metric"]),
                    np.array([float(t) for t, _ in pairs], dtype=np.float64),
                    np.array([float(v) for _, v in pairs], dtype=np.float64),
                )
            )
        return result
