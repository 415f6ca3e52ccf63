"""Markdown tables for the terminal and the chat, and the plain-Unicode bars beside the idea,
competitor and typed-figures tables; analytics and trend facts draw real charts with plotext
(`creator_assistant.plots`)."""

from __future__ import annotations

from collections.abc import Sequence

EIGHTHS = " ▏▎▍▌▋▊▉█"


def bar(value: float, top: float, width: int = 24) -> str:
    """A horizontal bar `width` cells long at `top`, drawn to an eighth of a cell."""
    if top <= 0 or value <= 0:
        return ""
    eighths = int(round(value / top * width * 8))
    return "█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")


def bar_chart(rows: Sequence[tuple[str, float]], width: int = 24,
              fmt: str = "{:,.0f}") -> str:
    """Labelled bars, one per line, in a code block so the terminal keeps them aligned."""
    if not rows:
        return ""
    top = max(v for _, v in rows)
    label_w = min(34, max(len(label) for label, _ in rows))
    lines = [f"{clip(label, label_w):<{label_w}} {bar(v, top, width):<{width}} {fmt.format(v)}"
             for label, v in rows]
    return "```\n" + "\n".join(lines) + "\n```"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table; numbers are formatted with thousands separators."""
    def cell(v: object) -> str:
        if v is None:
            return "–"
        if isinstance(v, float):
            return number(v)
        if isinstance(v, int):
            return f"{v:,}"
        return str(v).replace("|", "\\|").replace("\n", " ")
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(out)


def number(v: float) -> str:
    """12345.0 -> 12,345; 7.40 -> 7.4; 0.345 -> 0.35: how facts show numbers everywhere."""
    if float(v).is_integer():
        return f"{v:,.0f}"
    text = f"{v:,.1f}" if abs(v) >= 100 else f"{v:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    s = int(round(seconds))
    if s >= 3600:
        return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


class Sheet:
    """Facts written twice: Markdown with charts for the screen, plain text for the prompt."""

    def __init__(self) -> None:
        self.md: list[str] = []
        self.text: list[str] = []

    def section(self, title: str, body: str, chart: str = "") -> None:
        """`chart`: Markdown only (a `plots.chart_block`, or bars); the prompt gets the table."""
        self.md.append(f"**{title}**\n\n{body}" + (f"\n\n{chart}" if chart else ""))
        self.text.append(f"{title}:\n{body}")

    def note(self, text: str) -> None:
        """A line for both: where the numbers came from, what is left out."""
        self.md.append(text)
        self.text.append(text)

    def result(self) -> tuple[str, str]:
        return "\n\n".join(self.md), "\n\n".join(self.text)
