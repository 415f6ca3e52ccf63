"""Charts in the terminal, drawn with plotext from numbers computed elsewhere.

A `Chart` is the data; `render_text` draws it as text lines (a terminal, a Markdown code block),
`draw` onto any plotext figure (the chat's `ChartView` draws with it). Facts carry charts inside
their Markdown as a fenced block (`chart_block`): its info string holds the chart as JSON and its
body the chart drawn as text, so a reader that knows nothing of charts still shows the picture;
`split` and `as_text` read them back.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

MIN_WIDTH = 30  # narrower than this, a chart says so instead of drawing
MIN_HEIGHT = 6
COLORS = ("cyan", "orange", "green", "magenta", "blue")
MARK_COLOR = "red"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_BLOCK = re.compile(r"^(?P<fence>`{3,})chart (?P<spec>\{[^\n]*\})\n(?P<body>.*?)\n(?P=fence)[ \t]*$",
                    re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Chart:
    title: str
    x: list[str]                       # labels along the x axis (dates "2026-11-02", weeks "W45", ...)
    series: dict[str, list[float]]     # name -> one value per x label
    kind: str = "line"                 # "line" | "bar"
    y_label: str = ""
    marks: dict[str, int] = field(default_factory=dict)  # label -> index into x (e.g. {"seasonal peak": 7})


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def points(chart: Chart, name: str) -> list[tuple[int, float]]:
    """(index, value) of the series' drawable points: NaN, None and missing values left out."""
    values = chart.series.get(name, [])
    return [(i, float(v)) for i, v in enumerate(values[:len(chart.x)]) if _finite(v)]


def problem(chart: Chart, width: int = 80, height: int = 15) -> str | None:
    """Why the chart cannot be drawn, as a line to show in its place; None when it can."""
    known = sum(len(points(chart, name)) for name in chart.series)
    if chart.kind not in ("line", "bar"):
        return f"{chart.title}: unknown chart kind {chart.kind!r} (line or bar)."
    if not chart.x or not known:
        return f"{chart.title}: no data to chart."
    if chart.kind == "line" and max(len(points(chart, n)) for n in chart.series) < 2:
        one = next((chart.x[i], v) for n in chart.series for i, v in points(chart, n))
        return f"{chart.title}: only one point ({one[0]}: {_number(one[1])}), nothing to chart."
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        return (f"{chart.title}: too small to draw ({width}x{height}; "
                f"{MIN_WIDTH}x{MIN_HEIGHT} needed).")
    return None


def _number(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}".rstrip("0").rstrip(".")


def _ticks(labels: list[str], width: int) -> tuple[list[int], list[str]]:
    """Evenly spaced x ticks that fit `width` columns without running into each other."""
    if not labels:
        return [], []
    room = max(1, (width - 8) // (max(len(s) for s in labels) + 2))
    count = min(len(labels), room)
    if count == 1:
        picked = [0]
    else:
        step = (len(labels) - 1) / (count - 1)
        picked = sorted({round(k * step) for k in range(count)})
    return [i + 1 for i in picked], [labels[i] for i in picked]


def draw(fig: Any, chart: Chart, width: int, color: bool = True) -> None:
    """Plot `chart` on a plotext figure (its size already set; `width` picks the x ticks)."""
    fig.title(chart.title)
    if chart.y_label:
        fig.ylabel(chart.y_label)
    names = [n for n in chart.series if points(chart, n)]
    for k, name in enumerate(names):
        pts = points(chart, name)
        xs, ys = [i + 1 for i, _ in pts], [v for _, v in pts]
        shade = COLORS[k % len(COLORS)] if color else None
        label = name if len(names) > 1 else None
        if chart.kind == "bar":
            fig.bar(xs, ys, color=shade, label=label, width=0.6, reset_ticks=False)
        else:
            fig.plot(xs, ys, color=shade, label=label)
    first = dict(points(chart, names[0])) if names else {}
    top = max(v for n in names for _, v in points(chart, n)) if names else 0.0
    for i in chart.marks.values():
        if not 0 <= i < len(chart.x):
            continue
        shade = MARK_COLOR if color else None
        fig.vertical_line(i + 1, color=shade)
        fig.scatter([i + 1], [first.get(i, top)], marker="◆", color=shade)
    ticks, labels = _ticks(chart.x, width)
    fig.xticks(ticks, labels)
    low = min(v for n in names for _, v in points(chart, n)) if names else 0.0
    if chart.kind == "bar":  # bars stand on zero, whatever the lowest value
        low, top = min(0.0, low), max(0.0, top)
        fig.xlim(0.4, len(chart.x) + 0.6)
    pad = (top - low) * 0.05 or abs(top) * 0.05 or 1.0
    low, top = (low - pad if low < 0 or chart.kind == "line" else low), top + pad
    fig.ylim(low, top)
    steps = nice_ticks(low, top)
    fig.yticks(steps, [compact(v, top - low) for v in steps])


def nice_ticks(low: float, top: float, count: int = 4) -> list[float]:
    """Round values (…, 1, 2, 2.5, 5, 10, …) between `low` and `top`, about `count` steps apart."""
    raw = (top - low) / count
    if raw <= 0:
        return [low]
    unit = 10 ** math.floor(math.log10(raw))
    step = next(m * unit for m in (1, 2, 2.5, 5, 10) if m * unit >= raw)
    first = math.ceil(low / step)
    return [k * step for k in range(first, math.floor(top / step) + 1)]


def compact(v: float, span: float = 0.0) -> str:
    """An axis label: 1234 -> 1.2K, 15503810 -> 15.5M, 0.25 -> 0.25 (decimals as `span` needs)."""
    for unit, size in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(v) >= size:
            return f"{v / size:.1f}{unit}"
    if span >= 10 or float(v).is_integer():
        return f"{v:.0f}"
    return f"{v:.1f}" if span >= 1 else f"{v:.2f}"


def shown(chart: Chart) -> Chart:
    """The chart with every label safe to print: control and escape sequences shown, not
    obeyed (titles and labels come from the creator's files)."""
    from creator_assistant.terminal_text import safe

    return Chart(safe(chart.title), [safe(s) for s in chart.x],
                 {safe(k): v for k, v in chart.series.items()}, chart.kind, safe(chart.y_label),
                 {safe(k): i for k, i in chart.marks.items()})


def render_text(chart: Chart, width: int = 80, height: int = 15, color: bool = False) -> str:
    """The chart drawn with plotext as plain text lines (no escape codes unless color).

    `height` rows of plot, then a line per mark; a chart that cannot be drawn is one line
    saying why."""
    chart = shown(chart)
    why = problem(chart, width, height)
    if why:
        return why
    from plotext._figure import _figure_class  # a figure of its own: no global state shared

    fig = _figure_class()
    fig._limit_size(False, False)  # the size asked for, not the terminal's
    fig.plot_size(width, height)
    fig.theme("clear")
    draw(fig, chart, width, color)
    text = fig.build()
    lines = [line.rstrip() for line in (text if color else _ANSI.sub("", text)).splitlines()]
    while lines and not _ANSI.sub("", lines[-1]).strip():
        lines.pop()
    return "\n".join(lines + [_clip(line, width) for line in mark_lines(chart)])


def mark_lines(chart: Chart) -> list[str]:
    """A line under the chart per mark: its label, where it is and the value there (the legend
    would hide the line it explains, and drops out on a narrow chart)."""
    out = []
    first = next((dict(points(chart, n)) for n in chart.series if points(chart, n)), {})
    for label, i in chart.marks.items():
        if 0 <= i < len(chart.x):
            value = f" ({_number(first[i])})" if i in first else ""
            out.append(f"◆ {label}: {chart.x[i]}{value}")
    return out


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def to_json(chart: Chart) -> str:
    """One line of JSON; backticks escaped so it can sit in a code fence's info string."""
    return json.dumps(asdict(_jsonable(chart)), ensure_ascii=True, allow_nan=False,
                      default=str).replace("`", "\\u0060")


def from_json(text: str) -> Chart:
    d = json.loads(text)
    return Chart(title=str(d["title"]), x=[str(s) for s in d["x"]],
                 series={str(k): [v if _finite(v) else math.nan for v in vs]
                         for k, vs in d["series"].items()},
                 kind=str(d.get("kind", "line")), y_label=str(d.get("y_label", "")),
                 marks={str(k): int(v) for k, v in (d.get("marks") or {}).items()})


def _jsonable(chart: Chart) -> Chart:
    """NaN has no JSON: missing values travel as null."""
    return Chart(chart.title, chart.x, {k: [v if _finite(v) else None for v in vs]  # type: ignore[misc]
                                        for k, vs in chart.series.items()},
                 chart.kind, chart.y_label, dict(chart.marks))


def chart_block(chart: Chart, width: int = 80, height: int = 15) -> str:
    """The chart as a Markdown code block: the data in its info string, the drawing inside."""
    return _fenced(render_text(chart, width, height), f"chart {to_json(chart)}")


def _fenced(body: str, info: str = "") -> str:
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", body)), default=0) + 1)
    return f"{fence}{info}\n{body}\n{fence}"


def split(markdown: str) -> Iterator[str | Chart]:
    """Markdown in pieces: text, and each chart block as its Chart (one that does not parse
    stays text)."""
    at = 0
    for m in _BLOCK.finditer(markdown):
        try:
            chart = from_json(m.group("spec"))
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
        if markdown[at:m.start()].strip():
            yield markdown[at:m.start()].strip("\n")
        yield chart
        at = m.end()
    if markdown[at:].strip():
        yield markdown[at:].strip("\n")


def as_text(markdown: str, width: int = 80, height: int = 15, charts: bool = True) -> str:
    """Markdown with each chart block redrawn at `width` as a plain code block (no JSON), or
    left out when not `charts`."""
    parts: list[str] = []
    for piece in split(markdown):
        if isinstance(piece, str):
            parts.append(piece)
        elif charts:
            parts.append(_fenced(render_text(piece, width, height)))
    return "\n\n".join(parts)
