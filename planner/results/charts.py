"""Charts drawn as SVG on the server: readable without JavaScript, printable by WeasyPrint.

Each chart is horizontal bars, one row per group, its label above its bar so long commune names
fit on a phone. A chart always sits beside its table (the table is what screen readers read).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from planner.results.tables import Kind, shown

WIDTH = 400
ROW = 44
BAR = 16
TOP = 4
COLOURS = {"outer": "#9cc3e6", "inner": "#1f5f99", "text": "#1a1a1a", "muted": "#555555"}


@dataclass(frozen=True)
class Bar:
    """One row: `value` draws the full bar, `part` (if any) the darker bar inside it."""

    label: str
    value: int
    part: int | None = None
    note: str = ""


def _number(value: int) -> str:
    return shown(value, Kind.COUNT)


def bar_chart(title: str, bars: list[Bar], *, legend: tuple[str, str] | None = None) -> Markup:
    """An SVG of `bars` scaled to the largest value; `legend` names the outer and inner bars."""
    top = TOP + (26 if legend else 0)
    height = top + ROW * max(1, len(bars)) + 4
    largest = max([b.value for b in bars] + [b.part or 0 for b in bars] + [1])
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'font-family="Noto Sans, sans-serif" font-size="14">',
        f"<title>{escape(title)}</title>",
    ]
    if legend:
        parts.append(
            f'<rect x="0" y="{TOP}" width="12" height="12" fill="{COLOURS["outer"]}"/>'
            f'<text x="16" y="{TOP + 12}" fill="{COLOURS["text"]}">{escape(legend[0])}</text>'
            f'<rect x="{WIDTH // 2}" y="{TOP}" width="12" height="12" fill="{COLOURS["inner"]}"/>'
            f'<text x="{WIDTH // 2 + 16}" y="{TOP + 12}" fill="{COLOURS["text"]}">'
            f"{escape(legend[1])}</text>"
        )
    usable = WIDTH - 150
    for index, bar in enumerate(bars):
        y = top + index * ROW
        width = round(usable * bar.value / largest) if bar.value else 0
        label = escape(bar.label if len(bar.label) <= 48 else bar.label[:47] + "…")
        parts.append(f'<text x="0" y="{y + 14}" fill="{COLOURS["text"]}">{label}</text>')
        parts.append(
            f'<rect x="0" y="{y + 20}" width="{max(width, 1)}" height="{BAR}" '
            f'fill="{COLOURS["outer"]}"/>'
        )
        shown = _number(bar.value)
        if bar.part is not None:
            inner = round(usable * bar.part / largest) if bar.part else 0
            parts.append(
                f'<rect x="0" y="{y + 20}" width="{inner}" height="{BAR}" '
                f'fill="{COLOURS["inner"]}"/>'
            )
            shown = f"{shown} · {_number(bar.part)}"
        if bar.note:
            shown = f"{shown} ({bar.note})"
        parts.append(
            f'<text x="{max(width, 1) + 4}" y="{y + 33}" fill="{COLOURS["muted"]}">'
            f"{escape(shown)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text inside went through escape())


def percent_note(value: Decimal | None) -> str:
    return shown(value, Kind.PERCENT) if value is not None else ""
