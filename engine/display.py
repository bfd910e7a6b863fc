"""What a plot shows as text and where its axes go: number labels, word-wise eliding,
1-2-5 steps, axis ranges that rarely move and the decades of a log axis.

Pure Python and math, so every rule is tested without a window.
"""

from __future__ import annotations

import math

# Labelled decades on one axis at most; a range of 600 decades (a run far out of range)
# once made the old tick code list every one of them and freeze the window.
MAX_DECADE_TICKS = 12

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_value(v: float) -> str:
    """Compact, honest number: 4 significant digits, scientific when very small or big."""
    if v is None or not math.isfinite(v):
        return "—" if v is None or math.isnan(v) else ("+∞" if v > 0 else "−∞")
    if v == 0:
        return "0"
    a = abs(v)
    if 1e-3 <= a < 1e5:
        return f"{v:.4g}"
    return f"{v:.3e}".replace("e-0", "e-").replace("e+0", "e+")


def elide_words(text: str, advance, width: float) -> str:
    """``text`` if it fits in ``width`` pixels, else its longest run of whole words that
    fits with " …" after it (at least the first word, whole).

    Words are never cut, so a number is shown whole or not at all: Qt's own eliding cut
    "lr 0.05" to "lr 0.0", a wrong number. Pair the result with a tooltip of the full text.

    Parameters
    ----------
    text : str
    advance : callable, str -> float
        Width of a string in pixels (``QFontMetrics.horizontalAdvance``).
    width : float
        Room in pixels.
    """
    if advance(text) <= width:
        return text
    words = text.split()
    if not words:
        return text
    out = words[0] + " …"
    for k in range(2, len(words)):
        cand = " ".join(words[:k]) + " …"
        if advance(cand) > width:
            break
        out = cand
    return out


def nice_ceil(v: float) -> float:
    """Smallest number of the 1-2-5 ladder (…, 1, 2, 5, 10, 20, …) that is >= ``v`` > 0."""
    if not (v > 0 and math.isfinite(v)):
        return 1.0
    e = math.floor(math.log10(v))
    for m in (1.0, 2.0, 5.0, 10.0):
        c = m * 10.0**e
        if c >= v * (1 - 1e-12):
            return c
    return 10.0 ** (e + 1)


def snapped_range(lo: float, hi: float, log: bool) -> tuple[float, float]:
    """An axis range around [lo, hi] that only changes when the data outgrow it.

    On a log axis (values are log10) the ends snap to half decades; on a linear axis to a
    1-2-5 step of about a fifth of the span. Plots that follow growing data therefore
    re-lay their axes and grid a few times, not on every frame.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return (0.0, 1.0)
    if log:
        a, b = math.floor(2 * lo) / 2, math.ceil(2 * hi) / 2
        if b - a < 2:
            # Under two decades a log axis labels its minor ticks, which crowd a small plot.
            mid = math.floor(0.5 * (a + b))
            a, b = mid - 1.0, mid + 1.0
        return (a, b)
    span = hi - lo
    if span <= 0:
        span = abs(hi) or 1.0
    step = nice_ceil(span / 5)
    return (math.floor(lo / step) * step, math.ceil(hi / step) * step)


def sticky_range(
    current: tuple[float, float] | None, lo: float, hi: float, log: bool
) -> tuple[float, float]:
    """An axis range for data in [lo, hi] that changes as rarely as possible.

    It grows (to :func:`snapped_range`) only when the data leave it, then
    with a margin on the side they left by (half the span shown so far and at least a
    decade on a log axis, a quarter of the span on a linear one) since data that left once
    tend to go on: the range grows geometrically, so a loss falling by thirty decades moves
    it a handful of times, not thirty. It shrinks only when the data fill less than a
    quarter of it. Every change of range re-lays the axis and its grid, the most expensive
    repaint of a small plot (20-30 ms for a loss plot at 1920x1080, measured).
    """
    if current is not None:
        a, b = current
        inside = a <= lo and hi <= b
        if inside and (hi - lo) >= 0.25 * (b - a):
            return current
        if not inside:
            margin = max(1.0, 0.5 * (b - a)) if log else 0.25 * max(hi - lo, b - a)
            # Grow over what was shown too, so the range does not swing back and forth.
            lo, hi = min(lo - margin if lo < a else lo, a), max(hi + margin if hi > b else hi, b)
    return snapped_range(lo, hi, log)


def decade_ticks(min_val: float, max_val: float, size: float) -> list:
    """Ticks of a log axis showing ``log10`` values ``min_val..max_val`` on ``size`` pixels.

    Returns
    -------
    list
        pyqtgraph's tick levels: ``[(spacing, majors), (None, minors)]``. Majors are whole
        decades, every ``spacing``-th one so that at most about one per 28 pixels and never
        more than :data:`MAX_DECADE_TICKS` are labelled; minors (log10 of 2..9 times a
        decade) only when the range spans six decades or fewer. The work is bounded by the
        number of ticks returned, not by the range, and a non-finite or empty range gives
        no ticks.
    """
    if not (math.isfinite(min_val) and math.isfinite(max_val)) or max_val < min_val:
        return [(1.0, []), (None, [])]
    lo, hi = math.ceil(min_val), math.floor(max_val)
    room = min(MAX_DECADE_TICKS, max(2, int(size // 28) if math.isfinite(size) else 2))
    count = hi - lo + 1  # whole decades inside the range
    step = max(1, math.ceil(count / room))
    # Multiples of the step, so the labelled decades stay put while the range moves.
    first = math.ceil(lo / step) * step
    major = [float(v) for v in range(first, hi + 1, step)]
    minor = []
    if max_val - min_val <= 6:
        for v in range(math.floor(min_val), math.ceil(max_val)):
            minor.extend(v + math.log10(k) for k in range(2, 10))
        minor = [m for m in minor if min_val < m < max_val]
    return [(1.0 * step, major), (None, minor)]


def decade_label(v: float) -> str:
    """Label of the log-axis tick at ``log10`` value ``v``: ``"0.01"``..``"1000"`` for
    whole decades -3..3, ``"10⁻⁷"`` beyond, ``""`` for a tick between decades."""
    if abs(v - round(v)) > 1e-9:
        return ""
    e = round(v)
    if -3 <= e <= 3:
        return f"{10.0**e:g}"
    return "10" + str(e).translate(_SUPERSCRIPT)
