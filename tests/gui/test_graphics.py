"""Log-axis ticks: whole decades, bounded however far the range reaches."""

from __future__ import annotations

from engine.display import MAX_DECADE_TICKS


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
