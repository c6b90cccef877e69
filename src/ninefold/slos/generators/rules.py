"""Prometheus rules for an SLO: SLI recordings per window, meta recordings, and the
multiwindow, multi-burn-rate alerts. Output is plain data, deterministic for a given SLO.

The period SLI is traffic-weighted: it divides the bad and total event rates summed over the
whole period (each 5-minute rate sample counts in proportion to its traffic), where a plain
average of 5-minute ratios would weigh a quiet night as much as the busiest hour.

A threshold SLI records whether its metric meets the threshold at each evaluation, and its
error ratio over a window is the share of bad samples (Occurrences) or of bad time slices
(Timeslices). A composite records each component as an SLO of its own, then its error ratio
per window as the weighted sum of theirs; only the composite alerts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ninefold import conventions as c
from ninefold.slos.core.model import (
    SLI_WINDOWS,
    BurnCondition,
    CompositeSli,
    EventsSli,
    RawSli,
    Severity,
    Slo,
    ThresholdSli,
    prometheus_duration,
)

Rule = dict[str, Any]

# Divides one SLO's series by another of the same SLO, whatever other labels either has.
PER_SLO = f"/ on({c.SLO_LABEL_SERVICE}, {c.SLO_LABEL_SLO}) group_left"


def identity(slo: Slo) -> dict[str, str]:
    """The labels that name an SLO's series: service, SLO, then the spec's own labels."""
    return {
        **dict(slo.labels),
        c.SLO_LABEL_SERVICE: slo.service,
        c.SLO_LABEL_SLO: slo.name,
    }


def selector(slo: Slo) -> str:
    service, name = _escape(slo.service), _escape(slo.name)
    return f'{{{c.SLO_LABEL_SERVICE}="{service}", {c.SLO_LABEL_SLO}="{name}"}}'


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def error_ratio_name(window: str) -> str:
    return c.SLO_ERROR_RATIO.format(window=window)


def windows(slo: Slo) -> dict[str, timedelta]:
    """Every window the SLO records, short to long, by its Prometheus name; the period last."""
    spans = [
        *SLI_WINDOWS,
        *(w for cond in slo.alerting.conditions for w in (cond.long, cond.short)),
    ]
    found = {prometheus_duration(w): w for w in sorted(spans) if w < slo.period}
    return {**found, prometheus_duration(slo.period): slo.period}


def sli_rules(slo: Slo) -> list[Rule]:
    """The error ratio of each window, and what it is computed from. A composite's group
    holds its components' rules first, so that one evaluation sees them all."""
    labels = identity(slo)
    if isinstance(slo.sli, CompositeSli):
        rules = [rule for part in slo.sli.components for rule in sli_rules(part.slo)]
        for span in windows(slo):
            rules.append(
                {
                    "record": error_ratio_name(span),
                    "expr": composite_ratio(slo, span),
                    "labels": labels,
                }
            )
        return rules
    if isinstance(slo.sli, ThresholdSli):
        rules = [{"record": c.SLO_THRESHOLD_MET, "expr": slo.sli.sample(), "labels": labels}]
        for span, window in windows(slo).items():
            rules.append(
                {
                    "record": error_ratio_name(span),
                    "expr": threshold_ratio(slo, window),
                    "labels": labels,
                }
            )
        return rules
    period = prometheus_duration(slo.period)
    rules = []
    if isinstance(slo.sli, EventsSli):
        five = SLI_WINDOWS[0]
        rules.append({"record": c.SLO_BAD_RATE, "expr": slo.sli.bad_rate(five), "labels": labels})
        rules.append(
            {"record": c.SLO_TOTAL_RATE, "expr": slo.sli.total_rate(five), "labels": labels}
        )
    for span, window in windows(slo).items():
        if span != period:
            record = error_ratio_name(span)
            expr = _window_ratio(slo, slo.sli, window)
            rules.append({"record": record, "expr": expr, "labels": labels})
    if isinstance(slo.sli, EventsSli):
        period_expr = (
            f"sum_over_time({c.SLO_BAD_RATE}{selector(slo)}[{period}])\n/\n"
            f"sum_over_time({c.SLO_TOTAL_RATE}{selector(slo)}[{period}])"
        )
    else:
        period_expr = f"avg_over_time({error_ratio_name('5m')}{selector(slo)}[{period}])"
    rules.append({"record": error_ratio_name(period), "expr": period_expr, "labels": labels})
    return rules


def _window_ratio(slo: Slo, sli: EventsSli | RawSli, window: timedelta) -> str:
    """The error ratio over a window; with traffic correction (Sloth's denominator-corrected
    rules), weighed by the window's share of the period's traffic, at most 1, so that a few
    errors in a quiet hour burn less than the same share of a busy one."""
    ratio = sli.error_ratio(window)
    if not (slo.rule_options.traffic_corrected and isinstance(sli, EventsSli)):
        return ratio
    total = sli.total_rate
    share = f"clamp_max(({total(window)}) / ({total(slo.period)}), 1)"
    return f"{share}\n*\n(\n{ratio}\n)"


def threshold_ratio(slo: Slo, window: timedelta) -> str:
    """A threshold SLI's error ratio over `window`: the share of bad samples (Occurrences), of
    bad slices (Timeslices: a slice is good when the share of good samples in it reaches the
    slice target), or one minus the mean share of good samples per slice (RatioTimeslices).

    Slices are the steps of a subquery, aligned to multiples of the slice length since the
    Unix epoch; each covers the slice length before its step, so the slice in progress is
    left out, as in `ninefold slo status`. Example, 99% of 5-minute slices with every sample
    good: `1 - avg_over_time((avg_over_time(MET[5m]) >= bool 0.99)[1h:5m])`.
    """
    met = f"{c.SLO_THRESHOLD_MET}{selector(slo)}"
    span = prometheus_duration(window)
    if slo.budgeting == "Occurrences" or slo.timeslice is None:
        return f"1 - avg_over_time({met}[{span}])"
    length = prometheus_duration(slo.timeslice)
    share = f"avg_over_time({met}[{length}])"
    if slo.budgeting == "Timeslices":
        share = f"({share} >= bool {slo.slice_target!r})"
    return f"1 - avg_over_time(\n  {share}[{span}:{length}]\n)"


def composite_ratio(slo: Slo, span: str) -> str:
    """A composite's error ratio over a window: its components' recorded ratios, weighted.

    Example: `0.75 * RATIO{latency} + on(ninefold_service) 0.25 * RATIO{availability}`. The
    result keeps only the service label (the rule adds the composite's own), and is missing
    while any component is, so the composite's SLIMissing alert covers every component.
    """
    assert isinstance(slo.sli, CompositeSli)  # noqa: S101 (only called for composites)
    terms = [
        f"{part.weight!r} * {error_ratio_name(span)}{selector(part.slo)}"
        for part in slo.sli.components
    ]
    return f"\n+ on({c.SLO_LABEL_SERVICE})\n".join(terms)


def meta_rules(slo: Slo) -> list[Rule]:
    labels = identity(slo)
    period = prometheus_duration(slo.period)
    sel = selector(slo)
    components = [rule for part in slo.components for rule in meta_rules(part.slo)]
    info = {**labels, **dict(slo.rule_options.info_labels)}
    return [
        *components,
        {"record": c.SLO_INFO, "expr": "vector(1)", "labels": info},
        {"record": c.SLO_OBJECTIVE, "expr": f"vector({slo.objective!r})", "labels": labels},
        {"record": c.SLO_ERROR_BUDGET, "expr": f"vector({slo.budget!r})", "labels": labels},
        {
            "record": c.SLO_PERIOD,
            "expr": f"vector({int(slo.period.total_seconds())})",
            "labels": labels,
        },
        {
            "record": c.SLO_CURRENT_BURN,
            "expr": f"{error_ratio_name('5m')}{sel}\n{PER_SLO}\n{c.SLO_ERROR_BUDGET}{sel}",
            "labels": labels,
        },
        {
            "record": c.SLO_PERIOD_BURN,
            "expr": f"{error_ratio_name(period)}{sel}\n{PER_SLO}\n{c.SLO_ERROR_BUDGET}{sel}",
            "labels": labels,
        },
        {
            "record": c.SLO_BUDGET_REMAINING,
            "expr": f"1 - {c.SLO_PERIOD_BURN}{sel}",
            "labels": labels,
        },
    ]


def _condition_expr(slo: Slo, condition: BurnCondition) -> str:
    sel = selector(slo)
    threshold = f"({condition.factor!r} * {slo.budget!r})"
    long = error_ratio_name(prometheus_duration(condition.long))
    short = error_ratio_name(prometheus_duration(condition.short))
    return f"({long}{sel} > {threshold}\nand\n{short}{sel} > {threshold})"


def alert_rules(slo: Slo, runbook_url: str = "", dashboard_url: str = "") -> list[Rule]:
    rules: list[Rule] = []
    severities: tuple[Severity, ...] = ("page", "ticket")
    for severity in severities:
        tier = slo.alerting.tier(severity)
        conditions = [cond for cond in slo.alerting.conditions if cond.severity == severity]
        if not tier.enabled or not conditions:
            continue
        rules.append(
            {
                "alert": slo.alerting.name,
                "expr": "\nor\n".join(_condition_expr(slo, cond) for cond in conditions),
                "labels": {
                    **identity(slo),
                    **dict(slo.alerting.labels),
                    **dict(tier.labels),
                    c.SLO_LABEL_SEVERITY: severity,
                },
                "annotations": alert_annotations(
                    slo, severity, conditions, runbook_url, dashboard_url
                ),
            }
        )
    rules.append(
        {
            "alert": f"{slo.alerting.name}SLIMissing",
            "expr": f"absent({error_ratio_name('5m')}{selector(slo)})",
            "for": "15m",
            "labels": {**identity(slo), c.SLO_LABEL_SEVERITY: "ticket"},
            "annotations": {
                "summary": f"No SLI data for {slo.service}/{slo.name}",
                "description": (
                    f"The SLI queries of {slo.service}/{slo.name} return no series: its "
                    "burn-rate alerts cannot fire. Check the metrics and the query."
                ),
            },
        }
    )
    return rules


def alert_annotations(
    slo: Slo,
    severity: Severity,
    conditions: list[BurnCondition],
    runbook_url: str,
    dashboard_url: str,
) -> dict[str, str]:
    windows_text = "; ".join(
        f"{cond.factor:g}x over {prometheus_duration(cond.long)} "
        f"and {prometheus_duration(cond.short)}"
        for cond in conditions
    )
    annotations = {
        "summary": f"{slo.service}/{slo.name} is burning its error budget too fast ({severity})",
        "description": (
            f"The {slo.objective * 100:g}% objective of {slo.service}/{slo.name} over "
            f"{prometheus_duration(slo.period)} is burning its error budget faster than "
            f"{windows_text}."
        ),
        **dict(slo.alerting.annotations),
        **dict(slo.alerting.tier(severity).annotations),
    }
    if runbook_url:
        annotations.setdefault("runbook_url", runbook_url)
    if dashboard_url:
        annotations.setdefault("dashboard_url", dashboard_url)
    return annotations


def rule_groups(slo: Slo, runbook_url: str = "", dashboard_url: str = "") -> list[dict[str, Any]]:
    names = {"service": slo.service, "slo": slo.name}
    options = slo.rule_options
    groups = [
        (c.SLO_GROUP_SLI, options.sli_interval, sli_rules(slo)),
        (c.SLO_GROUP_META, options.meta_interval, meta_rules(slo)),
        (c.SLO_GROUP_ALERTS, options.alert_interval, alert_rules(slo, runbook_url, dashboard_url)),
    ]
    return [_group(name.format(**names), interval, rules) for name, interval, rules in groups]


def _group(name: str, interval: timedelta | None, rules: list[Rule]) -> dict[str, Any]:
    """A rule group, with its own evaluation interval when one is set (Prometheus' global
    one otherwise)."""
    group: dict[str, Any] = {"name": name}
    if interval is not None:
        group["interval"] = prometheus_duration(interval)
    group["rules"] = rules
    return group
