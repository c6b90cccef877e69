"""Sloth's formats, read as Sloth reads them, so that Sloth users can switch without rewriting
a line: `version: prometheus/v1` files and the Kubernetes object `PrometheusServiceLevel`
(`apiVersion: sloth.slok.dev/v1`), whose `spec` is the same service level with its keys in
camelCase (`errorQuery`, `pageAlert`, `sloPlugins`). Both spellings are read in both.

The SLO period is not in the formats: Sloth takes it from a flag (default 30 days), and so
does `ninefold slo generate --period`. Label values are text: Sloth reads `generated: true`
or `tier: 2` as the strings "true" and "2", and so does Ninefold.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BeforeValidator, Field, model_validator

from ninefold.spec import Spec

VERSION = "prometheus/v1"
API_VERSION = "sloth.slok.dev/v1"
KIND = "PrometheusServiceLevel"


def _as_text(value: Any) -> Any:
    """A YAML boolean or number as Go's YAML reader turns it into a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


Text = Annotated[str, BeforeValidator(_as_text)]
Labels = dict[str, Text]


class SlothEvents(Spec):
    error_query: str = Field(
        min_length=1, validation_alias=AliasChoices("error_query", "errorQuery")
    )
    total_query: str = Field(
        min_length=1, validation_alias=AliasChoices("total_query", "totalQuery")
    )


class SlothRaw(Spec):
    error_ratio_query: str = Field(
        min_length=1, validation_alias=AliasChoices("error_ratio_query", "errorRatioQuery")
    )


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
    labels: Labels = Field(default_factory=dict)
    annotations: Labels = Field(default_factory=dict)
    disable: bool = False


class SlothAlerting(Spec):
    name: str = ""
    labels: Labels = Field(default_factory=dict)
    annotations: Labels = Field(default_factory=dict)
    page_alert: SlothAlertTier = Field(
        default=SlothAlertTier(), validation_alias=AliasChoices("page_alert", "pageAlert")
    )
    ticket_alert: SlothAlertTier = Field(
        default=SlothAlertTier(), validation_alias=AliasChoices("ticket_alert", "ticketAlert")
    )


class SlothPlugin(Spec):
    """One SLO plugin of Sloth's chain: its id, where it runs (lowest priority first) and its
    configuration (see `sloth_plugins`)."""

    id: str = Field(min_length=1)
    priority: int = 0
    config: dict[str, Any] = Field(default_factory=dict)


class SlothPlugins(Spec):
    """`override_previous` drops the plugins declared before: Sloth's defaults at file level,
    the defaults and the file's plugins at SLO level."""

    override_previous: bool = Field(
        default=False, validation_alias=AliasChoices("override_previous", "overridePrevious")
    )
    chain: list[SlothPlugin] = Field(default_factory=list)


class SlothSlo(Spec):
    name: str = Field(min_length=1, max_length=100)
    objective: float = Field(gt=0, lt=100, description="Objective in percent, e.g. 99.9.")
    description: str = ""
    labels: Labels = Field(default_factory=dict)
    sli: SlothSli
    alerting: SlothAlerting = SlothAlerting()
    plugins: SlothPlugins = SlothPlugins()


class SlothServiceLevel(Spec):
    service: str = Field(min_length=1)
    labels: Labels = Field(default_factory=dict)
    slos: list[SlothSlo] = Field(min_length=1)
    slo_plugins: SlothPlugins = Field(
        default=SlothPlugins(), validation_alias=AliasChoices("slo_plugins", "sloPlugins")
    )


class SlothSpec(SlothServiceLevel):
    version: Literal["prometheus/v1"]


class ObjectMeta(Spec):
    """What Ninefold reads of a Kubernetes object's metadata: its name and namespace, which
    the PrometheusRule generated from it takes, as Sloth's does."""

    name: str = Field(min_length=1, max_length=253)
    namespace: str = Field(default="", max_length=63)
    labels: Labels = Field(default_factory=dict)
    annotations: Labels = Field(default_factory=dict)


class SlothObject(Spec):
    apiVersion: Literal["sloth.slok.dev/v1"]
    kind: Literal["PrometheusServiceLevel"]
    metadata: ObjectMeta
    spec: SlothServiceLevel
