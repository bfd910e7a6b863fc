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

from engine.runs import Race, RaceConfig, RunConfig
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
