"""PromQL in SLI queries, checked with a real parser (promql-parser, Prometheus' grammar)."""

from __future__ import annotations

from datetime import timedelta

import promql_parser

from ninefold.slos.core.model import SAMPLE_STEP, Query, ThresholdSli


def query_error(query: Query) -> str | None:
    """Why the query is not valid PromQL, or None when it is."""
    text = query.at(timedelta(minutes=5))
    if not query.counter and "[" not in query.text and "{{" not in query.text:
        return (
            "query has no range: write it over {{.window}} "
            "(e.g. sum(rate(x[{{.window}}]))) or set counter: true and give a selector"
        )
    return _parse_error(text)


def _parse_error(text: str) -> str | None:
    """Why a query with its window filled in does not parse, or None when it does."""
    if "{{" in text:
        return "unknown template placeholder; only {{.window}} is replaced"
    try:
        promql_parser.parse(text)
    except ValueError as exc:
        return f"invalid PromQL: {exc} in {text!r}"
    return None


def threshold_error(sli: ThresholdSli) -> str | None:
    """Why a threshold SLI's query cannot be sampled, or None when it can. Any query that
    returns an instant vector goes (a gauge, a percentile); `{{.window}}` is optional."""
    text = sli.query.at(SAMPLE_STEP)
    problem = _parse_error(text)
    if problem is not None:
        return problem
    try:
        promql_parser.parse(sli.sample())
    except ValueError as exc:
        return (
            f"a thresholdMetric query must return an instant vector (series with one value "
            f"each), to compare with the threshold: {exc} in {text!r}"
        )
    return None


def vector_selectors(text: str) -> list[promql_parser.VectorSelector]:
    """Every series selector in a query, in the order written."""
    found: list[promql_parser.VectorSelector] = []

    def visit(node: object) -> bool:
        if isinstance(node, promql_parser.VectorSelector):
            found.append(node)
        return True

    promql_parser.walk(promql_parser.parse(text), visit)
    return found
