"""Sloth's `prometheus/v1` spec format, read as Sloth reads it, so that Sloth users can switch
without rewriting a line. The SLO period is not in the format: Sloth takes it from a flag
(default 30 days), and so does `ninefold slo generate --period`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from ninefold.spec import Spec

VERSION = "prometheus/v1"


class SlothEvents(Spec):
    error_query: str = Field(min_length=1)
    total_query: str = Field(min_length=1)


class SlothRaw(Spec):
    error_ratio_query: str = Field(min_length=1)


class SlothSli(Spec):
    events: SlothEvents | None = None
    raw: SlothRaw | None = None
    plugin: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> SlothSli:
        given = [k for k in ("events", "raw", "plugin") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("sli needs exactly one of events, raw or plugin")
        if self.plugin is not None:
            raise ValueError("Sloth SLI plugins are Go code and cannot run here; use events or raw")
        return self


class SlothAlertTier(Spec):
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    disable: bool = False


class SlothAlerting(Spec):
    name: str = ""
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    page_alert: SlothAlertTier = SlothAlertTier()
    ticket_alert: SlothAlertTier = SlothAlertTier()


class SlothSlo(Spec):
    name: str = Field(min_length=1, max_length=100)
    objective: float = Field(gt=0, lt=100, description="Objective in percent, e.g. 99.9.")
    description: str = ""
    labels: dict[str, str] = Field(default_factory=dict)
    sli: SlothSli
    alerting: SlothAlerting = SlothAlerting()


class SlothSpec(Spec):
    version: Literal["prometheus/v1"]
    service: str = Field(min_length=1)
    labels: dict[str, str] = Field(default_factory=dict)
    slos: list[SlothSlo] = Field(min_length=1)
