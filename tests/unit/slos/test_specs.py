"""SLO spec files: every format into one model, and every bad input with file:line: field."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from textwrap import dedent

import pytest

from ninefold.slos.core.model import Calendar, EventsSli, RawSli, Rolling
from ninefold.slos.spec import loader as specs

OPENSLO_SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: availability
spec:
  service: checkout
  indicator:
    metadata:
      name: requests
    spec:
      ratioMetric:
        counter: true
        bad:
          metricSource:
            type: Prometheus
            spec:
              query: http_requests_total{{code=~"5.."}}
        total:
          metricSource:
            type: Prometheus
            spec:
              query: {total}
  timeWindow:
    - duration: {duration}
      isRolling: {rolling}
  budgetingMethod: Occurrences
  objectives:
    - {objective}
"""


def openslo(
    *,
    total: str = "http_requests_total",
    duration: str = "30d",
    rolling: str = "true",
    objective: str = "target: 0.999",
) -> str:
    return OPENSLO_SLO.format(total=total, duration=duration, rolling=rolling, objective=objective)


SLOTH = """\
version: "prometheus/v1"
service: "payments"
slos:
  - name: "charges"
    objective: {objective}
    sli:
      events:
        error_query: sum(rate(charges_total{{outcome="error"}}[{{{{.window}}}}]))
        total_query: {total}
"""


def sloth(*, objective: str = "99.9", total: str = "sum(rate(charges_total[{{.window}}]))") -> str:
    return SLOTH.format(objective=objective, total=total)


def load_text(tmp_path: Path, text: str, services: set[str] | None = None) -> specs.SpecSet:
    path = tmp_path / "slo.yaml"
    path.write_text(dedent(text))
    return specs.load([path], services)


def problems(result: specs.SpecSet, tmp_path: Path) -> list[str]:
    return [str(p).replace(str(tmp_path) + "/", "") for p in result.problems]


def test_openslo_ratio_counter_becomes_an_events_sli(tmp_path: Path) -> None:
    result = load_text(tmp_path, openslo())
    assert result.problems == []
    (slo,) = result.slos
    assert (slo.service, slo.name, slo.objective) == ("checkout", "availability", 0.999)
    assert slo.window == Rolling(timedelta(days=30))
    assert isinstance(slo.sli, EventsSli)
    assert slo.sli.error_ratio(timedelta(hours=1)) == (
        '(sum(rate(http_requests_total{code=~"5.."}[1h])))\n/\n(sum(rate(http_requests_total[1h])))'
    )
    assert [c.factor for c in slo.alerting.conditions] == [14.4, 6.0, 3.0, 1.0]


def test_a_28_day_window_scales_the_burn_factors(tmp_path: Path) -> None:
    (slo,) = load_text(tmp_path, openslo(duration="28d")).slos
    assert [c.factor for c in slo.alerting.conditions] == [13.44, 5.6, 2.8, 0.933333]


def test_calendar_windows_and_percent_targets(tmp_path: Path) -> None:
    text = openslo(duration="1M", rolling="false", objective="targetPercent: 99.5")
    text = text.replace(
        "      isRolling: false",
        "      isRolling: false\n      calendar:\n        startTime: '2026-01-01 00:00:00'\n        timeZone: Europe/Berlin",
    )
    (slo,) = load_text(tmp_path, text).slos
    assert slo.window == Calendar("month", "Europe/Berlin")
    assert slo.objective == 0.995


def test_sloth_format_reads_as_sloth_does(tmp_path: Path) -> None:
    (slo,) = load_text(tmp_path, sloth()).slos
    assert (slo.service, slo.name, slo.objective) == ("payments", "charges", 0.999)
    assert slo.window == Rolling(timedelta(days=30))
    assert slo.alerting.name == "PaymentsChargesErrorBudgetBurn"
    assert slo.sli.error_ratio(timedelta(minutes=5)).startswith(
        '(sum(rate(charges_total{outcome="error"}[5m])))'
    )


def test_sloth_raw_error_ratio_query(tmp_path: Path) -> None:
    text = sloth().replace(
        '      events:\n        error_query: sum(rate(charges_total{outcome="error"}[{{.window}}]))\n        total_query: sum(rate(charges_total[{{.window}}]))\n',
        "      raw:\n        error_ratio_query: avg_over_time(charge_error_ratio[{{.window}}])\n",
    )
    (slo,) = load_text(tmp_path, text).slos
    assert isinstance(slo.sli, RawSli)
    assert slo.sli.error_ratio(timedelta(hours=6)) == "avg_over_time(charge_error_ratio[6h])"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            openslo(total="sum(rate(http_requests_total[5m])"),
            "slo.yaml:1: query: invalid PromQL: unclosed left parenthesis",
            id="invalid PromQL",
        ),
        pytest.param(
            openslo(objective="target: 1.0"),
            "slo.yaml:28: spec.objectives[0].target: Input should be less than 1",
            id="objective at 100%",
        ),
        pytest.param(
            openslo(objective="target: 0"),
            "slo.yaml:28: spec.objectives[0].target: Input should be greater than 0",
            id="objective at 0",
        ),
        pytest.param(
            sloth(objective="100"),
            "slo.yaml:5: slos[0].objective: Input should be less than 100",
            id="sloth objective at 100%",
        ),
        pytest.param(
            openslo(duration="30x"),
            "slo.yaml:24: spec.timeWindow[0].duration: String should match pattern",
            id="unknown duration unit",
        ),
        pytest.param(
            openslo(duration="0d"),
            "slo.yaml:24: spec.timeWindow[0]: malformed duration '0d'",
            id="zero duration",
        ),
        pytest.param(
            openslo().replace("kind: SLO", "kind: Slo"),
            "slo.yaml:2: kind: unknown OpenSLO kind 'Slo'",
            id="unknown kind",
        ),
        pytest.param(
            "apiVersion: v1\nkind: ConfigMap\n",
            "slo.yaml:1: apiVersion: not an SLO spec",
            id="not an SLO spec",
        ),
        pytest.param(
            openslo().replace("  service: checkout", "  service: checkout\n  colour: blue"),
            "slo.yaml:7: spec.colour: unknown key",
            id="unknown key",
        ),
        pytest.param(
            openslo().replace("  indicator:\n", "  indicatorRef: nope\n  unused:\n"),
            "slo.yaml:8: spec.unused: unknown key",
            id="unknown key beside a reference",
        ),
    ],
)
def test_bad_specs_are_reported_where_they_are(tmp_path: Path, text: str, expected: str) -> None:
    found = problems(load_text(tmp_path, text), tmp_path)
    assert any(p.startswith(expected) for p in found), found


def test_an_unknown_indicator_reference(tmp_path: Path) -> None:
    text = openslo()
    start = text.index("  indicator:")
    end = text.index("  timeWindow:")
    result = load_text(tmp_path, text[:start] + "  indicatorRef: missing-sli\n" + text[end:])
    assert problems(result, tmp_path) == [
        "slo.yaml:7: spec.indicatorRef: no SLI named 'missing-sli'"
    ]


def test_duplicate_slo_names_point_at_the_first(tmp_path: Path) -> None:
    result = load_text(tmp_path, openslo() + "---\n" + openslo())
    assert problems(result, tmp_path) == [
        "slo.yaml:33: metadata.name: duplicate SLO name 'availability'; first defined at slo.yaml:1"
    ]
    assert len(result.slos) == 1


def test_inside_a_configuration_directory_the_service_must_exist(tmp_path: Path) -> None:
    result = load_text(tmp_path, sloth(), services={"checkout"})
    assert problems(result, tmp_path) == [
        "slo.yaml:4: service: no service named 'payments' in the catalog"
    ]


def test_a_burn_factor_that_can_never_fire_is_a_warning(tmp_path: Path) -> None:
    result = load_text(tmp_path, sloth(objective="90"))
    warnings = [p for p in result.problems if p.severity == "warning"]
    assert [w.message for w in warnings][:1] == [
        "page alert over 1h: burn factor 14.4 x budget 0.1 >= 1, so the error ratio can never "
        "exceed it and the alert never fires"
    ]
    assert result.errors == []


def test_sloth_plugins_are_refused_with_the_reason(tmp_path: Path) -> None:
    text = sloth().replace(
        '      events:\n        error_query: sum(rate(charges_total{outcome="error"}[{{.window}}]))\n        total_query: sum(rate(charges_total[{{.window}}]))\n',
        "      plugin:\n        id: sloth-common/availability\n",
    )
    found = problems(load_text(tmp_path, text), tmp_path)
    assert found == [
        "slo.yaml:6: slos[0].sli: Sloth SLI plugins are Go code and cannot run here; use events or raw"
    ]


SLOTH_OBJECT = """\
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata:
  name: payments-slos
  namespace: monitoring
spec:
  service: payments
  labels:
    tier: 2
    generated: true
  slos:
    - name: charges
      objective: 99.5
      sli:
        events:
          errorQuery: sum(rate(charges_total{outcome="error"}[{{.window}}]))
          totalQuery: sum(rate(charges_total[{{.window}}]))
      alerting:
        name: ChargesFailing
        pageAlert:
          labels:
            severity: critical
        ticketAlert:
          disable: true
"""


def test_sloths_kubernetes_object_reads_like_its_prometheus_v1_file(tmp_path: Path) -> None:
    result = load_text(tmp_path, SLOTH_OBJECT)
    assert result.problems == []
    (slo,) = result.slos
    assert (slo.service, slo.name, slo.objective) == ("payments", "charges", 0.995)
    assert slo.rule_object == ("payments-slos", "monitoring")
    assert slo.alerting.name == "ChargesFailing"
    assert dict(slo.alerting.page.labels) == {"severity": "critical"}
    assert not slo.alerting.ticket.enabled
    # Sloth (Go) reads label values as text: 2 is "2" and true is "true", not "True".
    assert dict(slo.labels) == {"generated": "true", "tier": "2"}


@pytest.mark.parametrize(
    ("chain", "expected"),
    [
        pytest.param(
            "[{id: sloth.dev/core/debug/v1, priority: 10, config: {msg: hi}}]",
            [],
            id="debug only logs: the rules are the same",
        ),
        pytest.param(
            "[{id: example.com/team/our-plugin/v1}]",
            [
                "slo.yaml:4: slo_plugins.chain[0].id: Sloth plugin "
                "'example.com/team/our-plugin/v1': an SLO plugin Ninefold does not know"
            ],
            id="an unknown plugin is refused by name",
        ),
        pytest.param(
            "[{id: sloth.dev/contrib/validate_victoria_metrics/v1}]",
            [
                "slo.yaml:4: slo_plugins.chain[0].id: Sloth plugin "
                "'sloth.dev/contrib/validate_victoria_metrics/v1': queries in MetricsQL "
                "(VictoriaMetrics) are not supported: Ninefold checks and generates PromQL"
            ],
            id="MetricsQL is refused with the reason",
        ),
    ],
)
def test_sloth_slo_plugins_run_or_are_refused_by_name(
    tmp_path: Path, chain: str, expected: list[str]
) -> None:
    text = sloth().replace(
        'service: "payments"\n', f'service: "payments"\nslo_plugins:\n  chain: {chain}\n'
    )
    found = [p for p in problems(load_text(tmp_path, text), tmp_path) if "warning" not in p]
    assert found == expected


def with_plugins(file_chain: str = "", slo_chain: str = "") -> str:
    """The Sloth spec with a file-level and an SLO-level plugin chain (flow YAML)."""
    text = sloth()
    if file_chain:
        text = text.replace(
            'service: "payments"\n', f'service: "payments"\nslo_plugins: {file_chain}\n'
        )
    if slo_chain:
        text = text.replace("    objective:", f"    plugins: {slo_chain}\n    objective:")
    return text


def test_sloths_contrib_plugins_set_how_the_rules_are_written(tmp_path: Path) -> None:
    file_chain = (
        "{chain: [{id: sloth.dev/contrib/info_labels/v1, priority: 5, config: {labels: {a: x}}},"
        " {id: sloth.dev/contrib/rule_intervals/v1, config: {interval: {default: 2m, alert: 30s}}}]}"
    )
    slo_chain = (
        "{chain: [{id: sloth.dev/contrib/info_labels/v1, priority: 10, config: {labels: {a: y, b: 2}}},"
        " {id: sloth.dev/contrib/denominator_corrected_rules/v1}]}"
    )
    result = load_text(tmp_path, with_plugins(file_chain, slo_chain))
    assert [p for p in problems(result, tmp_path) if "warning" not in p] == []
    options = result.slos[0].rule_options
    # Run by priority: the SLO's info_labels (10) after the file's (5), its values winning.
    assert options.info_labels == (("a", "y"), ("b", "2"))
    assert (options.sli_interval, options.meta_interval, options.alert_interval) == (
        timedelta(minutes=2),
        timedelta(minutes=2),
        timedelta(seconds=30),
    )
    assert options.traffic_corrected


def test_an_slo_that_overrides_the_file_chain_drops_its_plugins(tmp_path: Path) -> None:
    file_chain = "{chain: [{id: sloth.dev/contrib/info_labels/v1, config: {labels: {a: x}}}]}"
    slo_chain = (
        "{overridePrevious: true, chain: ["
        + ", ".join(
            f"{{id: sloth.dev/core/{name}/v1}}"
            for name in ("sli_rules", "metadata_rules", "alert_rules")
        )
        + "]}"
    )
    (slo,) = load_text(tmp_path, with_plugins(file_chain, slo_chain)).slos
    assert slo.rule_options.info_labels == ()


@pytest.mark.parametrize(
    ("slo_chain", "expected"),
    [
        pytest.param(
            "{chain: [{id: sloth.dev/contrib/rule_intervals/v1, config: {interval: {alert: 1m}}}]}",
            "slos[0].plugins.chain[0].config.interval.default: Field required",
            id="rule intervals need a default",
        ),
        pytest.param(
            "{chain: [{id: sloth.dev/contrib/rule_intervals/v1, config: {interval: {default: soon}}}]}",
            "slos[0].plugins.chain[0].config.interval.default: malformed duration 'soon'; use a "
            "number and a unit: s, m, h, d or w (e.g. 28d)",
            id="a duration that is none",
        ),
        pytest.param(
            "{chain: [{id: sloth.dev/contrib/info_labels/v1, config: {labels: {}}}]}",
            "slos[0].plugins.chain[0].config.labels: Dictionary should have at least 1 item after "
            "validation, not 0",
            id="info labels need labels",
        ),
    ],
)
def test_a_plugins_configuration_is_checked_where_it_is_written(
    tmp_path: Path, slo_chain: str, expected: str
) -> None:
    found = [
        p
        for p in problems(load_text(tmp_path, with_plugins(slo_chain=slo_chain)), tmp_path)
        if "warning" not in p
    ]
    assert len(found) == 1
    assert found[0].split(": ", 1)[1] == expected


def test_traffic_correction_needs_an_events_sli(tmp_path: Path) -> None:
    text = with_plugins(
        slo_chain="{chain: [{id: sloth.dev/contrib/denominator_corrected_rules/v1}]}"
    )
    text = text.replace(
        '      events:\n        error_query: sum(rate(charges_total{outcome="error"}[{{.window}}]))\n        total_query: sum(rate(charges_total[{{.window}}]))\n',
        "      raw:\n        error_ratio_query: avg_over_time(charge_error_ratio[{{.window}}])\n",
    )
    found = [p for p in problems(load_text(tmp_path, text), tmp_path) if "warning" not in p]
    assert [p.split(": ", 1)[1] for p in found] == [
        "slos[0].plugins.chain[0].id: Sloth plugin 'sloth.dev/contrib/denominator_corrected_rules/v1': "
        "needs an events SLI (error_query and total_query)"
    ]


def test_overriding_sloths_default_plugins_must_keep_the_rules_ninefold_writes(
    tmp_path: Path,
) -> None:
    chain = "{overridePrevious: true, chain: [{id: sloth.dev/core/sli_rules/v1}]}"
    text = sloth().replace('service: "payments"\n', f'service: "payments"\nslo_plugins: {chain}\n')
    assert problems(load_text(tmp_path, text), tmp_path) == [
        "slo.yaml:3: slo_plugins.chain: overrides Sloth's default plugins without "
        "sloth.dev/core/metadata_rules/v1, sloth.dev/core/alert_rules/v1: Sloth would leave "
        "those rules out, and Ninefold always writes them"
    ]


def test_timeslices_that_cannot_fit_the_short_window_are_warned_about(tmp_path: Path) -> None:
    text = openslo(
        objective="target: 0.99\n      timeSliceTarget: 0.95\n      timeSliceWindow: 10m"
    )
    text = text.replace("budgetingMethod: Occurrences", "budgetingMethod: Timeslices")
    result = load_text(tmp_path, text)
    messages = [p.message for p in result.problems if p.severity == "warning"]
    assert (
        "budgetingMethod Timeslices: the generated Prometheus rules measure occurrences (bad events / all events), not time slices"
        in messages
    )
    assert any("time slice 10m is longer than the short window 5m" in m for m in messages)
    assert result.errors == []


# --- the event file mapping in a spec ---------------------------------------------------------


def with_annotations(lines: str) -> str:
    return openslo().replace(
        "  name: availability\n", "  name: availability\n  annotations:\n" + lines, 1
    )


def test_annotations_give_the_event_file_mapping(tmp_path: Path) -> None:
    text = with_annotations(
        "    ninefold.dev/events-time-column: ts\n"
        "    ninefold.dev/events-status-column: code\n"
        "    ninefold.dev/events-bad-status: 5xx,429\n"
        "    team-wiki: https://wiki.example/checkout\n"
    )
    (slo,) = load_text(tmp_path, text).slos
    assert slo.event_columns == (
        ("bad-status", "5xx,429"),
        ("status-column", "code"),
        ("time-column", "ts"),
    )


def test_a_wrong_event_mapping_is_reported_at_its_line(tmp_path: Path) -> None:
    unknown = with_annotations("    ninefold.dev/events-colour: blue\n")
    assert problems(load_text(tmp_path, unknown), tmp_path)[0].startswith(
        "slo.yaml:6: metadata.annotations.ninefold.dev/events-colour: unknown event option; "
        "one of ninefold.dev/events-time-column, "
    )
    two_flags = with_annotations(
        "    ninefold.dev/events-status-column: code\n    ninefold.dev/events-good-column: ok\n"
    )
    (message,) = problems(load_text(tmp_path, two_flags), tmp_path)
    assert message.startswith("slo.yaml:5: metadata.annotations: ")
    assert "--good-column" in message
    assert "--status-column" in message
