"""The forecast chart: the history as a line, the forecast dashed inside its band, the
threshold and the limit as level lines; SVG text, every label escaped."""

from __future__ import annotations

from markupsafe import escape

from ninefold.capacity.schemas import ForecastOut

WIDTH, HEIGHT, PAD = 720, 240, 36


def forecast_chart(found: ForecastOut) -> str:
    times = [p.at.timestamp() for p in found.history] + [p.at.timestamp() for p in found.forecast]
    values = [p.value for p in found.history] + [v for p in found.forecast for v in (p.low, p.high)]
    low, high = 0.0, max([*values, found.limit]) * 1.05
    start, end = times[0], times[-1]

    def x(t: float) -> float:
        return round(PAD + (WIDTH - 2 * PAD) * (t - start) / (end - start or 1), 1)

    def y(v: float) -> float:
        return round(HEIGHT - PAD - (HEIGHT - 2 * PAD) * (v - low) / (high - low or 1), 1)

    def line(points: list[tuple[float, float]]) -> str:
        return " ".join(f"{x(t)},{y(v)}" for t, v in points)

    history = line([(p.at.timestamp(), p.value) for p in found.history])
    mean = line([(p.at.timestamp(), p.mean) for p in found.forecast])
    band = line(
        [(p.at.timestamp(), p.high) for p in found.forecast]
        + [(p.at.timestamp(), p.low) for p in reversed(found.forecast)]
    )
    label = escape(f"{found.resource}: utilisation in {found.unit} and forecast")
    parts = [
        f'<svg role="img" aria-label="{label}" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" class="capacity-chart">',
        f'<polygon class="band" points="{band}" fill="currentColor" opacity="0.15"></polygon>',
        f'<polyline class="history" points="{history}" fill="none" stroke="currentColor">'
        "</polyline>",
        f'<polyline class="forecast" points="{mean}" fill="none" stroke="currentColor" '
        'stroke-dasharray="4 3"></polyline>',
    ]
    for name, level in (("threshold", found.threshold), ("limit", found.limit)):
        parts.append(
            f'<line class="{name}" x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(level)}" y2="{y(level)}" '
            'stroke="currentColor" stroke-dasharray="2 2" opacity="0.6"></line>'
            f'<text x="{WIDTH - PAD}" y="{y(level) - 3}" font-size="11" text-anchor="end">'
            f"{name} {level:g} {escape(found.unit)}</text>"
        )
    parts += [
        f'<text x="{PAD}" y="{HEIGHT - 8}" font-size="11">{found.history[0].at:%Y-%m-%d}</text>',
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 8}" font-size="11" text-anchor="end">'
        f"{found.forecast[-1].at:%Y-%m-%d}</text>",
        "</svg>",
    ]
    return "".join(parts)
