"""Line charts as inline SVG, built in Python with presentation attributes.

The CSP forbids inline ``style`` attributes, so geometry and colours are SVG
attributes; text is escaped here because the result is handed to templates as
``Markup``.  Every chart has ``<title>`` and ``<desc>`` and is paired with a
data table on the page for screen readers.  The SVG has a fixed pixel size
(readable on phones); a wider chart scrolls inside its box.
"""

from __future__ import annotations

from decimal import Decimal

from markupsafe import Markup, escape

_INK = "#1f2937"
_GRID = "#d1d5db"
_LINE = "#0b5cad"
_H = 220
_TOP, _BOTTOM, _LEFT, _RIGHT = 24, 44, 44, 20


def _fmt(v: Decimal) -> str:
    text = format(v, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _ticks(lo: Decimal, hi: Decimal, invert: bool) -> list[Decimal]:
    if invert:  # ranks: whole numbers from 1
        n = int(hi)
        step = max(1, (n + 3) // 4)
        return [Decimal(v) for v in range(1, n + 1, step)] + (
            [Decimal(n)] if (n - 1) % step else []
        )
    span = hi - lo
    step = Decimal(1)
    for candidate in (Decimal(1), Decimal(2), Decimal(5), Decimal(10), Decimal(20), Decimal(50)):
        step = candidate
        if span / candidate <= 5:
            break
    first = (lo / step).to_integral_value(rounding="ROUND_FLOOR") * step
    out, v = [], first
    while v <= hi:
        out.append(v)
        v += step
    return out


def line_chart(
    chart_id: str,
    labels: list[str],
    values: list[Decimal | None],
    *,
    title: str,
    desc: str,
    invert: bool = False,
) -> Markup:
    """A line chart of ``values`` (None = gap) over ``labels``; ``invert`` puts 1 at the top."""
    n = len(labels)
    width = max(320, 64 * n + _LEFT + _RIGHT)
    present = [v for v in values if v is not None]
    if not present:
        return Markup("")
    if invert:
        lo, hi = Decimal(1), max(max(present), Decimal(2))
    else:
        lo, hi = min(present), max(present)
        pad = max((hi - lo) / 5, Decimal(1))
        lo, hi = max(Decimal(0), lo - pad), hi + pad
    ticks = _ticks(lo, hi, invert)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    plot_w, plot_h = width - _LEFT - _RIGHT, _H - _TOP - _BOTTOM

    def x(i: int) -> float:
        return _LEFT + (plot_w * (i + 0.5) / n)

    def y(v: Decimal) -> float:
        frac = float((v - lo) / (hi - lo)) if hi != lo else 0.5
        return _TOP + (frac * plot_h if invert else (1 - frac) * plot_h)

    tid, did = f"{chart_id}-t", f"{chart_id}-d"
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{_H}" viewBox="0 0 {width} {_H}" '
            f'role="img" aria-labelledby="{tid} {did}" class="chart" font-size="12" '
            f'font-family="PingFang SC, Hiragino Sans GB, Microsoft YaHei, Noto Sans CJK SC, sans-serif">'
        ),
        f'<title id="{tid}">{escape(title)}</title>',
        f'<desc id="{did}">{escape(desc)}</desc>',
    ]
    for t in ticks:
        ty = round(y(t), 1)
        out.append(
            f'<line x1="{_LEFT}" x2="{width - _RIGHT}" y1="{ty}" y2="{ty}" stroke="{_GRID}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{_LEFT - 6}" y="{ty + 4}" text-anchor="end" fill="{_INK}">{escape(_fmt(t))}</text>'
        )
    every = max(1, (n + 5) // 6)
    for i, label in enumerate(labels):
        if i % every == 0 or i == n - 1:
            out.append(
                f'<text x="{round(x(i), 1)}" y="{_H - _BOTTOM + 18}" text-anchor="middle" fill="{_INK}">{escape(label)}</text>'
            )
    segment: list[str] = []
    segments = []
    for i, v in enumerate(values):
        if v is None:
            if segment:
                segments.append(segment)
            segment = []
        else:
            segment.append(f"{round(x(i), 1)},{round(y(v), 1)}")
    if segment:
        segments.append(segment)
    for seg in segments:
        if len(seg) > 1:
            out.append(
                f'<polyline points="{" ".join(seg)}" fill="none" stroke="{_LINE}" stroke-width="2.5"/>'
            )
    for i, v in enumerate(values):
        if v is None:
            continue
        cx, cy = round(x(i), 1), round(y(v), 1)
        out.append(f'<circle cx="{cx}" cy="{cy}" r="4" fill="{_LINE}"/>')
        out.append(
            f'<text x="{cx}" y="{round(cy - 9, 1)}" text-anchor="middle" fill="{_INK}" font-weight="bold">{escape(_fmt(v))}</text>'
        )
    out.append("</svg>")
    return Markup("\n".join(out))
