"""Log-axis ticks: whole decades, bounded however far the range reaches."""

from __future__ import annotations

import math

import pytest

from gui.graphics import MAX_DECADE_TICKS, decade_ticks


def test_a_short_range_labels_every_decade_and_the_2_to_9_minor_ticks():
    (spacing, major), (_, minor) = decade_ticks(-2.2, 1.3, 300)
    assert spacing == 1.0 and major == [-2.0, -1.0, 0.0, 1.0]
    # log10(k * 10^d) for k = 2..9, inside the range
    want = sorted(
        d + math.log10(k)
        for d in range(-3, 2)
        for k in range(2, 10)
        if -2.2 < d + math.log10(k) < 1.3
    )
    assert minor == pytest.approx(want)


@pytest.mark.parametrize(
    "lo, hi", [(-300.0, 300.0), (-1e9, 1e9), (-1e300, 1e300), (-214.3, 2.0), (1e6, 1e6 + 1e4)]
)
def test_a_range_far_out_is_decimated_not_listed(lo, hi):
    """A run far out of range once put 1e9 decades on the axis: the old tick code built a
    list of them all (MemoryError, a 35 s freeze)."""
    (spacing, major), (_, minor) = decade_ticks(lo, hi, 250)
    assert 1 <= len(major) <= MAX_DECADE_TICKS
    assert minor == []
    assert all(lo <= v <= hi and v == round(v) for v in major)
    assert all(v % spacing == 0 for v in major)  # labels stay put while the range moves


def test_non_finite_or_empty_ranges_give_no_ticks():
    for lo, hi in ((-math.inf, 2.0), (0.0, math.nan), (3.0, 1.0)):
        assert decade_ticks(lo, hi, 200) == [(1.0, []), (None, [])]


def test_the_axis_uses_the_bounded_ticks(app):
    import pyqtgraph as pg

    from gui.graphics import use_decade_ticks

    axis = pg.AxisItem("left")
    axis.setLogMode(True)
    use_decade_ticks(axis)
    levels = axis.tickValues(-1e12, 1e12, 400)
    assert sum(len(v) for _, v in levels) <= MAX_DECADE_TICKS
    strings = axis.tickStrings(levels[0][1], 1.0, levels[0][0])
    assert len(strings) == len(levels[0][1]) and all(strings)  # every major labelled
