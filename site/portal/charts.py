"""Server-rendered SVG charts: a histogram and horizontal bars, as markup strings.

Drawn on the server so the same chart serves a page, an image download and a PDF (WeasyPrint reads
inline SVG), with no JavaScript and no external font or library — the intranet has no internet.
Every chart has a fixed ``viewBox`` and ``width="100%"``, so it scales down to a 375 px phone; it
carries ``role="img"``, an ``aria-label`` and a ``<title>`` for screen readers, and each bar a
``<title>`` tooltip. All text is escaped; labels may be Chinese (the font list starts with the
CJK fonts the intranet machines have).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT_FAMILY = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"
BAR_COLOUR = "#2f6f9f"
HIGHLIGHT_COLOUR = "#c0392b"
AXIS_COLOUR = "#666666"
TEXT_COLOUR = "#222222"
WIDTH = 480


def _number(value: float | int | Decimal) -> str:
    """A value as people read it: 12, 12.5 (one decimal at most)."""
    value = float(value)
    return str(int(round(value))) if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def _coordinate(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _open(*, height: int, label: str, css_class: str, font_size: int = 14) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" style="display:block;width:100%;height:auto" preserveAspectRatio="xMidYMid meet" '
        f'role="img" aria-label="{escape(label)}" '
        f'font-family="{escape(FONT_FAMILY)}" font-size="{font_size}" fill="{TEXT_COLOUR}">',
        f"<title>{escape(label)}</title>",
    ]


def _heading(title: str) -> str:
    return (
        f'<text x="{WIDTH / 2:g}" y="24" text-anchor="middle" font-size="1.15em" font-weight="bold">'
        f"{escape(_shorten(title, 28))}</text>"
    )


def _highlighted(highlight: int | Iterable[int] | None) -> set[int]:
    if highlight is None:
        return set()
    if isinstance(highlight, int):
        return {highlight}
    return set(highlight)


def histogram_svg(
    bins: Sequence[tuple[str, int]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    highlight: int | Iterable[int] | None = None,
) -> SafeString:
    """Vertical bars, one per ``(label, count)`` bin, heights proportional to the counts.

    ``highlight``: index (or indices) of bins drawn in the accent colour, e.g. the bins below the
    pass mark.
    """
    height = 320
    left, right, top, bottom = 44, 8, 44, 56
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    highest = max((count for _label, count in bins), default=0)
    marked = _highlighted(highlight)
    parts = _open(height=height, label=title, css_class="chart-histogram")
    parts.append(_heading(title))
    base = top + plot_height
    # Axes, and the top count on the vertical one.
    parts.append(
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="{AXIS_COLOUR}" />'
        f'<line class="axis" x1="{left}" y1="{base}" x2="{WIDTH - right}" y2="{base}" stroke="{AXIS_COLOUR}" />'
        f'<text x="{left - 6}" y="{base + 4}" text-anchor="end">0</text>'
    )
    if highest:
        parts.append(f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{highest}</text>')
    if bins:
        slot = plot_width / len(bins)
        gap = min(6.0, slot * 0.15)
        for index, (label, count) in enumerate(bins):
            bar_height = plot_height * count / highest if highest else 0
            x = left + index * slot + gap / 2
            y = base - bar_height
            colour = HIGHLIGHT_COLOUR if index in marked else BAR_COLOUR
            tooltip = f"{label}: {count}"
            parts.append(
                f'<rect class="bar{" is-highlighted" if index in marked else ""}" x="{_coordinate(x)}" '
                f'y="{_coordinate(y)}" width="{_coordinate(slot - gap)}" height="{_coordinate(bar_height)}" '
                f'fill="{colour}" data-label="{escape(label)}" data-value="{count}">'
                f"<title>{escape(tooltip)}</title></rect>"
            )
            centre = _coordinate(left + index * slot + slot / 2)
            if count:
                parts.append(
                    f'<text x="{centre}" y="{_coordinate(y - 4)}" text-anchor="middle" font-size="13">{count}</text>'
                )
            parts.append(
                f'<text class="bin-label" x="{centre}" y="{base + 18}" text-anchor="middle" font-size="12">'
                f"{escape(_shorten(str(label), 12))}</text>"
            )
    parts.append(f'<text x="{left + plot_width / 2:g}" y="{height - 12}" text-anchor="middle">{escape(x_label)}</text>')
    parts.append(
        f'<text x="16" y="{top + plot_height / 2:g}" text-anchor="middle" '
        f'transform="rotate(-90 16 {top + plot_height / 2:g})">{escape(y_label)}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def bar_chart_svg(
    rows: Sequence[tuple[str, float | int | Decimal | None]],
    *,
    max_value: float | int | Decimal | None = None,
    unit: str = "%",
    title: str = "",
) -> SafeString:
    """Horizontal bars, one per ``(label, value)`` row, lengths proportional to ``value / max_value``
    (default: 100 for percentages, else the largest value). A row whose value is None shows "—"
    and no bar. Long labels are shortened; the full label is in the bar's tooltip."""
    row_height, top, bottom = 40, 12 + (34 if title else 0), 8
    label_width, value_width = 170, 72
    bar_space = WIDTH - label_width - value_width - 8
    height = top + row_height * max(len(rows), 1) + bottom
    values = [float(value) for _label, value in rows if value is not None]
    if max_value is None:
        max_value = 100 if unit == "%" else max(values, default=0)
    scale = float(max_value)
    # Larger type than the histogram: these charts sit beside a table, at half width or less.
    parts = _open(height=height, label=title or unit, css_class="chart-bars", font_size=18)
    if title:
        parts.append(_heading(title))
    parts.append(
        f'<line class="axis" x1="{label_width}" y1="{top - 4}" x2="{label_width}" '
        f'y2="{top + row_height * max(len(rows), 1)}" stroke="{AXIS_COLOUR}" />'
    )
    for index, (label, value) in enumerate(rows):
        y = top + index * row_height
        middle = y + row_height / 2 + 6
        label = str(label)
        parts.append(
            f'<text class="bar-label" x="{label_width - 8}" y="{_coordinate(middle)}" text-anchor="end">'
            f"{escape(_shorten(label, 9))}</text>"
        )
        if value is None:
            parts.append(f'<text x="{label_width + 6}" y="{_coordinate(middle)}">—</text>')
            continue
        length = bar_space * min(max(float(value) / scale, 0.0), 1.0) if scale > 0 else 0.0
        shown = f"{_number(value)}{unit}"
        parts.append(
            f'<rect class="bar" x="{label_width}" y="{_coordinate(y + 5)}" width="{_coordinate(length)}" '
            f'height="{row_height - 10}" fill="{BAR_COLOUR}" data-label="{escape(label)}" '
            f'data-value="{float(value):g}">'
            f"<title>{escape(f'{label}: {shown}')}</title></rect>"
        )
        parts.append(
            f'<text class="bar-value" x="{_coordinate(label_width + length + 6)}" y="{_coordinate(middle)}">'
            f"{escape(shown)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
