"""Export: PNG screenshots, trajectory CSV, GIF recording, MP4 without ffmpeg."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PySide6.QtGui import QImage

from engine.runs import RaceConfig, RunConfig
from tests.gui.helpers import wait_for_snapshot
from tests.gui.test_lessons import ScriptedDialogs


@pytest.fixture
def window_lab(make_window):
    window, lab = make_window()
    window.dialogs = ScriptedDialogs()
    return window, lab


@pytest.mark.parametrize("lab_only", [False, True])
def test_screenshot_is_a_non_blank_png(window_lab, tmp_path, lab_only):
    from gui.app import image_is_blank

    window, lab = window_lab
    path = tmp_path / "shot.png"
    assert window.exporter.screenshot(path, lab_only=lab_only)
    img = QImage(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    widget = lab if lab_only else window
    assert (img.width(), img.height()) == (
        round(widget.width() * widget.devicePixelRatioF()),
        round(widget.height() * widget.devicePixelRatioF()),
    )
    assert image_is_blank(img) is None


def test_trajectory_csv_matches_snapshot_and_landscape(make_window, qtbot, tmp_path):
    config = RaceConfig(
        landscape="rosenbrock",
        runs=(RunConfig("sgd", {"lr": 0.001}), RunConfig("adam", {"lr": 0.05}, label="A")),
    )
    window, lab = make_window(config)
    window.dialogs = ScriptedDialogs()
    lab.bridge.step_once(25)
    snap = wait_for_snapshot(qtbot, lab, lambda s: s.step >= 25)
    path = tmp_path / "traj.csv"
    assert window.exporter.export_trajectories(path)
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["step", "run", "label", "x", "y", "loss", "grad_norm", "status"]
    assert len(rows) == sum(len(h) for h in snap.histories)
    second = [r for r in rows if r["run"] == "2"]
    assert [int(r["step"]) for r in second] == list(snap.histories[1].steps)
    assert second[0]["label"] == "A"  # the run's own label, as the legend shows it
    # Independent truth: Rosenbrock (a=1, b=100) and its gradient, by hand.
    r = second[-1]
    x, y = float(r["x"]), float(r["y"])
    assert (x, y) == tuple(snap.histories[1].xy[-1])  # written to the last bit
    assert float(r["loss"]) == pytest.approx((1 - x) ** 2 + 100 * (y - x * x) ** 2, rel=1e-12)
    gx = -2 * (1 - x) - 400 * x * (y - x * x)
    gy = 200 * (y - x * x)
    assert float(r["grad_norm"]) == pytest.approx(np.hypot(gx, gy), rel=1e-12)
    assert {row["status"] for row in rows} <= {"running", "converged", "diverged"}


def test_gif_recording_has_frames_of_the_right_size(window_lab, tmp_path):
    import imageio.v3 as iio

    window, lab = window_lab
    path = tmp_path / "rec.gif"
    exporter = window.exporter
    assert exporter.start_recording(path, timer=False)
    assert exporter.rec_label.isVisible() and exporter.act_record.isChecked()
    lab.set_landscape("himmelblau", {})  # the picture changes between frames
    exporter.recorder.capture()
    exporter.recorder.capture()
    assert exporter.stop_recording() == path
    assert not exporter.rec_label.isVisible() and not exporter.act_record.isChecked()
    frames = iio.imread(path, index=None)
    w, h = exporter.recorder.frame_size(
        round(lab.width() * lab.devicePixelRatioF()),
        round(lab.height() * lab.devicePixelRatioF()),
        mp4=False,
    )
    assert frames.shape[0] == 3
    assert frames.shape[1:3] == (h, w)
    assert not np.array_equal(frames[0], frames[-1])
    assert iio.immeta(path)["loop"] == 0


def test_mp4_without_ffmpeg_says_so(window_lab, tmp_path, monkeypatch):
    import gui.recorder

    window, _lab = window_lab
    monkeypatch.setattr(gui.recorder, "find_ffmpeg", lambda: None)
    path = tmp_path / "rec.mp4"
    assert window.exporter.start_recording(path, timer=False) is False
    assert not path.exists()
    text = window.dialogs.alerts[0][2]
    assert "MP4 needs ffmpeg" in text and "GIF works" in text
    assert "MP4 needs ffmpeg" in window.statusBar().currentMessage()
    assert not window.exporter.act_record.isChecked()
    assert not window.exporter.rec_label.isVisible()


def test_recording_toggle_uses_the_chosen_file(window_lab, tmp_path, qtbot):
    window, _lab = window_lab
    path = tmp_path / "toggle.gif"
    window.dialogs.path = path
    window.exporter.act_record.trigger()
    assert window.exporter.recording
    qtbot.waitUntil(lambda: window.exporter.recorder.frames >= 2, timeout=5000)
    window.exporter.act_record.trigger()
    assert not window.exporter.recording
    assert path.read_bytes()[:6] == b"GIF89a"
