"""Helpers shared by the GUI tests."""

from __future__ import annotations


def wait_for_snapshot(qtbot, lab, predicate, timeout=10000):
    """Wait until the lab has drawn a snapshot satisfying ``predicate``; return it."""
    qtbot.waitUntil(
        lambda: lab.last_snapshot is not None and predicate(lab.last_snapshot), timeout=timeout
    )
    return lab.last_snapshot


def frame_ticks(qtbot, lab, n):
    """Let the lab's display timer fire ``n`` more times (the event loop keeps running)."""
    count = {"n": 0}

    def tick():
        count["n"] += 1

    lab.frame_timer.timeout.connect(tick)
    try:
        qtbot.waitUntil(lambda: count["n"] >= n, timeout=10000)
    finally:
        lab.frame_timer.timeout.disconnect(tick)


def bare_plot(qtbot, x_range, y_range, size=(400, 300)):
    """A shown white PlotWidget without axes whose view spans exactly the given ranges."""
    import pyqtgraph as pg

    w = pg.PlotWidget()
    w.setBackground("w")
    qtbot.addWidget(w)
    w.resize(*size)
    item = w.getPlotItem()
    item.hideAxis("left")
    item.hideAxis("bottom")
    item.getViewBox().setRange(xRange=x_range, yRange=y_range, padding=0)
    w.show()
    qtbot.waitExposed(w)
    return w


def grab_rgb(widget):
    """What ``widget`` shows, as an int array of shape (height, width, 3)."""
    import numpy as np
    from PySide6.QtGui import QImage

    img = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    return arr[:, : 3 * img.width()].reshape(img.height(), img.width(), 3).astype(int)


def device_point(plot_widget, x, y):
    """Widget pixel (x, y) where the data point (x, y) of the plot's view lands."""
    from PySide6.QtCore import QPointF

    vb = plot_widget.getPlotItem().getViewBox()
    p = plot_widget.mapFromScene(vb.mapViewToScene(QPointF(x, y)))
    return p.x(), p.y()


def start_xvfb(screen: str = "1024x768x24"):
    """A fresh Xvfb on a free display: ``(process, ":N")``; the test skips without Xvfb.

    The offscreen platform does not show what a screen receives (window sizes a window
    manager would keep, OpenGL): tests of those run a child on a real X server.
    """
    import os
    import shutil
    import subprocess

    import pytest

    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb is not installed")
    r, w = os.pipe()
    proc = subprocess.Popen(
        [xvfb, "-displayfd", str(w), "-screen", "0", screen, "-nolisten", "tcp"],
        pass_fds=(w,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(w)
    with os.fdopen(r) as f:
        number = f.readline().strip()
    if not number:
        proc.kill()
        proc.wait()
        pytest.skip("Xvfb did not start")
    return proc, f":{number}"


def close_other_windows() -> None:
    """Close and delete every top-level window earlier tests left, as in the app's one
    window: an application-wide change (the presentation font) reaches each of them, and
    a test that times such a change would be charged for them."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication, QWidget

    for w in QApplication.topLevelWidgets():
        # QWidget's own close: pyqtgraph's PlotWidget.close fails on a plot closed before
        QWidget.close(w)
        w.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
