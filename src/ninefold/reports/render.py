"""One report in four formats: Markdown, HTML (with the SVG charts of the web UI), PDF (that
HTML through WeasyPrint) and JSON (raw values, keyed by column)."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ninefold.headers import CONTENT_SECURITY_POLICY
from ninefold.reports.catalogue import shown as kpi_words
from ninefold.reports.charts import bar_chart
from ninefold.reports.document import Cell, Chart, Measure, Report, Show, Table

Format = Literal["markdown", "html", "pdf", "json"]
FORMATS: tuple[Format, ...] = ("markdown", "html", "pdf", "json")
MEDIA = {
    "markdown": ("text/markdown; charset=utf-8", "md"),
    "html": ("text/html; charset=utf-8", "html"),
    "pdf": ("application/pdf", "pdf"),
    "json": ("application/json", "json"),
}
CHART_SIZE = (360, 90)
logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)

CSS = (Path(__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")
"""A report's own style, inline so that the page reads the same saved, mailed or printed."""
REPORT_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'",
    "style-src 'self' 'sha256-"
    + base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
    + "'",
)
"""The web UI's policy, allowing this one inline style (by its hash) and nothing else."""

_templates = Environment(
    loader=PackageLoader("ninefold.reports", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def shown(value: Cell, show: Show) -> str:
    """A cell in words; a missing number is "no data", never 0."""
    if isinstance(value, Measure):
        return kpi_words(value.value, value.unit)
    if value is None:
        return "" if show in ("text", "when") else "no data"
    if isinstance(value, str):
        return value
    if show == "ratio":
        return f"{value:.1%}"
    if show == "minutes":
        return f"{value:,.1f} min"
    if show == "hours":
        return f"{value:,.1f} h"
    if show == "count":
        return f"{value:,.0f}"
    if show == "number":
        return f"{value:,.2f}"
    return str(value)


def _when(instant: datetime) -> str:
    return f"{instant:%Y-%m-%d %H:%M} UTC"


def heading(report: Report) -> str:
    partial = " (partial: the period has not ended)" if report.partial else ""
    return f"{report.selection}, {_when(report.start)} to {_when(report.end)}{partial}"


def _svg(chart: Chart) -> str:
    width, height = CHART_SIZE
    return bar_chart(
        chart.bars,
        title=chart.title,
        goal=chart.goal,
        goal_label=chart.goal_label,
        meets=chart.meets,
        width=width,
        height=height,
        labels=True,
    )


def _cells(table: Table, row: tuple[Cell, ...]) -> list[str]:
    return [shown(v, c.show) for v, c in zip(row, table.columns, strict=True)]


def _markdown_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(report: Report, base_url: str = "") -> str:
    lines = [f"# {report.title}", "", heading(report), ""]
    for section in report.sections:
        lines += [f"## {section.heading}", ""]
        for paragraph in section.text:
            lines += [paragraph, ""]
        for chart in section.charts:
            values = ", ".join(f"{b.label}: {b.shown}" for b in chart.bars)
            lines += [f"{chart.title}: {values}.", ""]
        for table in section.tables:
            lines += [f"**{table.title}**", ""]
            if not table.rows:
                lines += [table.empty, ""]
                continue
            lines.append("| " + " | ".join(c.title for c in table.columns) + " |")
            lines.append("|" + "|".join("---" for _ in table.columns) + "|")
            for index, row in enumerate(table.rows):
                cells = [_markdown_cell(text) for text in _cells(table, row)]
                link = table.links[index] if index < len(table.links) else None
                if link and base_url:
                    cells[0] = f"[{cells[0]}]({base_url}{link})"
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
    lines.append(f"Made by Ninefold at {_when(report.generated_at)}.")
    return "\n".join(lines) + "\n"


def to_html(report: Report, base_url: str = "") -> str:
    """A whole page with its own style, so that it reads the same saved, mailed or printed."""
    template = _templates.get_template("report.html")
    return template.render(
        report=report,
        heading=heading(report),
        when=_when,
        cells=_cells,
        # charts.py escapes every text it writes into the SVG.
        svg=lambda chart: Markup(_svg(chart)),  # noqa: S704
        css=Markup(CSS),  # noqa: S704 (the package's own file)
        base_url=base_url,
    )


def to_pdf(report: Report, base_url: str = "") -> bytes:
    from weasyprint import HTML  # a second to import: only when a PDF is asked

    pdf: bytes = HTML(string=to_html(report, base_url)).write_pdf()
    return pdf


def _raw(value: Cell) -> Any:
    if isinstance(value, Measure):
        return {"value": value.value, "unit": value.unit}
    return value


def to_json(report: Report) -> dict[str, Any]:
    return {
        "kind": report.kind,
        "title": report.title,
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "selection": report.selection,
        "partial": report.partial,
        "generated_at": report.generated_at.isoformat(),
        "sections": [
            {
                "heading": section.heading,
                "text": list(section.text),
                "tables": [
                    {
                        "title": table.title,
                        "rows": [
                            {c.name: _raw(v) for c, v in zip(table.columns, row, strict=True)}
                            for row in table.rows
                        ],
                    }
                    for table in section.tables
                ],
                "charts": [
                    {
                        "title": chart.title,
                        "goal": chart.goal,
                        "points": [{"label": b.label, "value": b.value} for b in chart.bars],
                    }
                    for chart in section.charts
                ],
            }
            for section in report.sections
        ],
    }


def rendered(report: Report, fmt: Format, base_url: str = "") -> bytes:
    """The report as the bytes of a file of that format."""
    if fmt == "pdf":
        return to_pdf(report, base_url)
    if fmt == "json":
        return json.dumps(to_json(report)).encode()
    text = to_markdown(report, base_url) if fmt == "markdown" else to_html(report, base_url)
    return text.encode()
