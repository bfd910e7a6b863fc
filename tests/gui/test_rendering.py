"""What the window draws: colours at the heads, streamed updates, the self-test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage

from engine.runs import Race, RaceConfig, RunConfig, eight_run_race
from gui import theme
from tests.gui.helpers import wait_for_snapshot

ROOT = Path(__file__).resolve().parents[2]


def image_array(img: QImage) -> np.ndarray:
    img = img.convertToFormat(QImage.Format.Format_RGB888)
    arr = np.frombuffer(img.constBits(), dtype=np.uint8).reshape(img.height(), img.bytesPerLine())
    return arr[:, : img.width() * 3].reshape(img.height(), img.width(), 3).astype(int)


def test_each_runs_colour_is_drawn_at_its_head(make_window, qtbot):
    # Four runs with their own, well separated starts, barely moving.
    starts = [(-1.5, 2.2), (1.5, 2.2), (-1.5, -0.4), (1.3, -0.4)]
    runs = tuple(
        RunConfig(opt, {"lr": 1e-5}, start=s)
        for opt, s in zip(("sgd", "momentum", "rmsprop", "adam"), starts, strict=True)
    )
    _, lab = make_window(RaceConfig(runs=runs))
    lab.bridge.step_once(5)
    snap = wait_for_snapshot(qtbot, lab, lambda s: s.step == 5)
    qtbot.waitUntil(lambda: lab.frames_drawn > 0)
    widget = lab.surface.plot_widget
    img = widget.grab().toImage()
    dpr = img.devicePixelRatio()
    arr = image_array(img)
    for i, (x, y) in enumerate(snap.positions):
        p = widget.mapFromScene(lab.surface.view.mapViewToScene(QPointF(x, y)))
        cx, cy = round(p.x() * dpr), round(p.y() * dpr)
        r = int(8 * dpr)
        patch = arr[cy - r : cy + r + 1, cx - r : cx + r + 1]
        want = QColor(theme.run_style(i).colour)
        rgb = np.array([want.red(), want.green(), want.blue()])
        dist = np.abs(patch - rgb).sum(axis=-1)
        assert dist.min() <= 30, f"run {i + 1}: colour {want.name()} not found near its head"
        # ...and it is not merely everywhere: far from the heads it is absent.
    corner = arr[: int(30 * dpr), -int(60 * dpr) :]
    for i in range(4):
        want = QColor(theme.run_style(i).colour)
        rgb = np.array([want.red(), want.green(), want.blue()])
        assert np.abs(corner - rgb).sum(axis=-1).min() > 30


def _found_along(widget, vb, x, y, colour, picks=12) -> int:
    """At how many of ``picks`` points of the second half of the curve (x, y) the plot
    shows ``colour`` within six pixels."""
    img = widget.grab().toImage()
    dpr = img.devicePixelRatio()
    arr = image_array(img)
    r = int(6 * dpr)
    want = QColor(colour)
    rgb = np.array([want.red(), want.green(), want.blue()])
    found = 0
    # The second half, where the curves have parted.
    for j in np.linspace(len(x) // 2, len(x) - 1, picks).astype(int):
        p = widget.mapFromScene(vb.mapViewToScene(QPointF(x[j], y[j])))
        cx, cy = round(p.x() * dpr), round(p.y() * dpr)
        patch = arr[max(cy - r, 0) : cy + r + 1, max(cx - r, 0) : cx + r + 1]
        found += int(np.abs(patch - rgb).sum(axis=-1).min() <= 90)
    return found


def test_each_runs_loss_and_internals_curves_are_drawn_along_their_values(make_window, qtbot):
    """Both plots grow their curves piece by piece (only new segments are drawn on each
    update): after several updates each run's colour lies along its whole curve."""
    _, lab = make_window()
    lab.act_internals.trigger()
    for k in range(1, 7):
        lab.bridge.step_once(60)
        wait_for_snapshot(qtbot, lab, lambda s, k=k: s.step == 60 * k)
        qtbot.wait(50)
    loss = lab.loss
    for i in range(loss.n_curves):
        x, y = loss.curve_data(i)
        assert x[-1] == 360
        found = _found_along(
            loss.plot_widget, loss.plot_item.getViewBox(), x, y, theme.run_style(i).colour
        )
        # Curves still cross and hide one another in places; most of each must show.
        assert found >= 8, f"loss of run {i + 1}: found at {found} of 12"
    internals = lab.internals
    curves = internals.curves()
    assert len(curves) == 4
    for i, c in enumerate(curves):
        found = _found_along(
            internals.plot_widget, internals.plot.getViewBox(), c.x, c.y, theme.run_style(i).colour
        )
        # This plot is short and its curves run close together: more of them hide.
        assert found >= 5, f"internals of run {i + 1}: found at {found} of 12"


def test_two_thousand_streamed_updates_through_the_real_panels(make_window, qtbot, app):
    """PySide6 6.12.0 crashed after a few thousand void calls; 6.11.3 must not.

    Each of the 2,000 frames goes through the real panels (the race layer's update, the
    loss curves) and also streams a pyqtgraph curve ``setData`` directly, so the check does
    not depend on how the panels happen to draw: over 10,000 void calls into Qt in all,
    with a paint every tenth frame.
    """
    _, lab = make_window(RaceConfig(runs=(RunConfig("adam", {"lr": 0.05}),)), size=(900, 600))
    lab.frame_timer.stop()
    race = Race(lab.config)
    snaps = []
    for _ in range(4):
        race.step(7)
        snaps.append(race.snapshot())
    lab._running = True
    probe = pg.PlotCurveItem()
    lab.loss.plot_item.addItem(probe)
    for k in range(2000):
        snap = snaps[k % 4]
        lab.surface.update_snapshot(snap)
        lab.loss.update_snapshot(snap)
        xy = snap.histories[0].xy
        probe.setData(xy[:, 0], xy[:, 1])
        if k % 10 == 0:
            app.processEvents()
    app.processEvents()
    x, y = probe.getData()
    assert len(x) == len(snaps[(2000 - 1) % 4].histories[0]) and np.isfinite(y).all()
    head = lab.surface.head_position(0)
    last = snaps[(2000 - 1) % 4].positions[0]
    assert head == (last[0], last[1])


def test_self_test_flag_exits_zero_and_writes_a_picture(tmp_path):
    out = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--self-test", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "self-test: ok" in proc.stdout
    img = QImage(str(out))
    assert not img.isNull() and img.width() == 1280 and img.height() == 720
    arr = image_array(img)
    assert arr.std() > 20
    assert len(np.unique(arr[::8, ::8].reshape(-1, 3), axis=0)) > 200


def test_static_layers_stay_cached_while_the_race_runs(make_window, qtbot):
    """Heatmap, contours and markers are pixmaps blitted per frame, never re-rendered.

    At 1920x1080 their pixmaps outgrow Qt's default 10 MB pixmap cache; the lab must make
    room, or every few frames each of them is painted again from scratch.
    """
    window, lab = make_window(size=(1920, 1080))
    surface = lab.surface
    paints = {"image": 0, "contours": 0}
    for name, item in (("image", surface.image), ("contours", surface.contours)):
        original = item.paint

        def counted(*args, _name=name, _original=original):
            paints[_name] += 1
            return _original(*args)

        item.paint = counted
    window.set_speed(None)
    window.act_play.setChecked(True)
    frames0 = lab.frames_drawn
    qtbot.waitUntil(lambda: lab.frames_drawn >= frames0 + 5, timeout=10000)
    before = dict(paints)
    qtbot.waitUntil(lambda: lab.frames_drawn >= frames0 + 40, timeout=20000)
    window.act_play.setChecked(False)
    assert paints == before, f"static layers re-rendered while running: {before} -> {paints}"


def test_zooming_repaints_the_backdrop_in_the_new_place(make_window, qtbot, app):
    """Heatmap, contours and critical points live in the view's cached background; a zoom
    must draw them again, where the new view puts them."""
    _, lab = make_window()
    surface = lab.surface
    calls = []
    original = surface.critical.paint

    def counted(*args):
        calls.append(1)
        return original(*args)

    surface.critical.paint = counted
    # Rosenbrock's minimum (1, 1) is marked; zoom so that it sits at the view's centre.
    surface.view.setRange(xRange=(0.5, 1.5), yRange=(0.5, 1.5), padding=0)
    app.processEvents()
    surface.plot_widget.viewport().repaint()
    assert calls, "the backdrop was not repainted after the zoom"
    img = image_array(surface.plot_widget.grab().toImage())
    vb = surface.view
    p = surface.plot_widget.mapFromScene(vb.mapViewToScene(QPointF(1.0, 1.0)))
    dpr = surface.plot_widget.devicePixelRatioF()
    cx, cy = round(p.x() * dpr), round(p.y() * dpr)
    patch = img[cy - 6 : cy + 7, cx - 6 : cx + 7]
    # The white star of the global minimum is drawn there.
    assert (patch.min(axis=-1) > 240).sum() >= 6


def _backing_store(widget) -> np.ndarray:
    """What the window's backing store holds for ``widget``: the pixels left by every
    partial repaint so far (``widget.grab()`` instead paints the widget afresh)."""
    win = widget.window()
    top_left = widget.mapTo(win, widget.rect().topLeft())
    pixmap = win.screen().grabWindow(
        win.winId(), top_left.x(), top_left.y(), widget.width(), widget.height()
    )
    return image_array(pixmap.toImage())


def test_partial_repaints_leave_no_stale_pixels(make_window, qtbot, app):
    """Frames repaint only the rectangles that changed (tails, heads, new segments, loss
    ends). What the window shows after many such frames must equal a fresh paint of the
    same content: a rectangle drawn too small leaves old tails and markers behind."""
    from PySide6.QtWidgets import QGraphicsView

    window, lab = make_window(eight_run_race())
    lab.act_internals.trigger()  # arrows at the heads, and the internals plot
    window.set_speed(None)
    window.act_play.setChecked(True)
    frames0 = lab.frames_drawn
    qtbot.waitUntil(lambda: lab.frames_drawn >= frames0 + 90, timeout=30000)
    window.act_play.setChecked(False)
    # Let the last batch land and be drawn, with nothing left to paint.
    qtbot.waitUntil(lambda: not lab.bridge.running, timeout=5000)
    qtbot.wait(300)
    app.processEvents()
    assert lab.last_snapshot.step > 100
    for view in (lab.surface.plot_widget, lab.loss.plot_widget, lab.internals.plot_widget):
        assert isinstance(view, QGraphicsView)
        shown = _backing_store(view.viewport())
        fresh = image_array(view.viewport().grab().toImage())
        assert shown.shape == fresh.shape
        stale = np.abs(shown - fresh).max(axis=-1) > 24
        assert stale.sum() <= 3, f"{stale.sum()} stale pixels in {type(view).__name__}"


def test_a_racing_frame_repaints_a_small_part_of_the_plots(make_window, qtbot, app):
    """Runs that crawl along Rosenbrock's valley change a few small rectangles per frame;
    the plots must not repaint their whole area every frame."""
    from PySide6.QtCore import QEvent, QObject

    window, lab = make_window(eight_run_race(), size=(1920, 1080))
    areas = {"surface": [], "loss": []}

    class Spy(QObject):
        def __init__(self, name, widget):
            super().__init__()
            self.name, self.widget = name, widget

        def eventFilter(self, obj, ev):
            if ev.type() == QEvent.Type.Paint:
                full = self.widget.width() * self.widget.height()
                areas[self.name].append(sum(r.width() * r.height() for r in ev.region()) / full)
            return False

    spies = [
        Spy("surface", lab.surface.plot_widget.viewport()),
        Spy("loss", lab.loss.plot_widget.viewport()),
    ]
    for spy in spies:
        spy.widget.installEventFilter(spy)
    window.set_speed(None)
    window.act_play.setChecked(True)
    # Past the first second, the runs crawl.
    qtbot.waitUntil(lambda: lab.last_snapshot is not None and lab.last_snapshot.step > 400)
    for v in areas.values():
        v.clear()
    frames0 = lab.frames_drawn
    qtbot.waitUntil(lambda: lab.frames_drawn >= frames0 + 60, timeout=30000)
    window.act_play.setChecked(False)
    for spy in spies:
        spy.widget.removeEventFilter(spy)
    assert len(areas["surface"]) >= 20 and len(areas["loss"]) >= 5
    assert np.median(areas["surface"]) < 0.25, np.median(areas["surface"])
    assert np.median(areas["loss"]) < 0.25, np.median(areas["loss"])
