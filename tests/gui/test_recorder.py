"""Recording: exact GIF timing read back from the file, native size, any widget, MP4."""

from __future__ import annotations

import math
import re
import subprocess

import numpy as np
import pytest

from gui.recorder import GIF_MAX_FPS, Recorder, find_ffmpeg, frames_due, gif_delays_cs


@pytest.mark.parametrize("fps", [10.0, 12.0, 15.0, 24.0, 30.0, 50.0])
def test_gif_delays_add_up_to_the_exact_time_at_every_frame(fps):
    delays = gif_delays_cs(600, fps)
    assert set(delays) <= {math.floor(100 / fps), math.ceil(100 / fps)}
    total = np.cumsum(delays)
    for n in range(1, 601):
        # n frames last n / fps seconds, to the nearest centisecond
        assert total[n - 1] == round(100 * n / fps)
    if fps == 15.0:
        assert delays[:6] == [7, 6, 7, 7, 6, 7]  # 6.67 cs each, never 6 throughout


def test_frames_due_keeps_the_frame_count_on_the_clock():
    fps, written = 15.0, 1  # the first frame is written at t = 0
    for t in np.arange(0.0, 3.0, 0.013):  # a timer ticking now and then
        n = frames_due(t, fps, written)
        written += n
        assert written == math.floor(t * fps + 1e-9) + 1
    assert frames_due(0.01, 15.0, 1) == 0  # early tick: nothing
    assert frames_due(60.0, 15.0, 1) == 8  # a long stall: a few copies, not 900


class _Swatch:
    """A small widget whose colour changes frame to frame."""

    def __init__(self, qtbot, size=(67, 41)):
        from PySide6.QtWidgets import QLabel

        self.widget = QLabel()
        self.widget.setFixedSize(*size)
        qtbot.addWidget(self.widget)
        self.widget.show()
        qtbot.waitExposed(self.widget)
        self.k = 0

    def next(self):
        self.k += 1
        self.widget.setStyleSheet(f"background: rgb({(37 * self.k) % 256}, 40, 200);")
        self.widget.repaint()


def test_a_gif_read_back_has_exact_frame_times_and_the_widgets_native_size(app, qtbot, tmp_path):
    from PIL import Image

    swatch = _Swatch(qtbot)
    path = tmp_path / "panel.gif"
    rec = Recorder(fps=15.0)
    rec.start(swatch.widget, path, timer=False)  # frame 0
    for _ in range(13):
        swatch.next()
        rec.capture()
    swatch.next()
    rec.capture(repeat=3)  # a late grab covers three frame times
    rec.stop()
    with Image.open(path) as im:
        durations, sizes = [], set()
        for k in range(im.n_frames):
            im.seek(k)
            durations.append(im.info["duration"])
            sizes.add(im.size)
    want = [*gif_delays_cs(14, 15.0), round(100 * 17 / 15) - round(100 * 14 / 15)]
    assert durations == [10 * d for d in want]
    assert sum(durations) == round(1000 * 17 / 15, -1)  # 17 frame times: 1.13 s
    dpr = swatch.widget.devicePixelRatioF()
    assert sizes == {(round(67 * dpr), round(41 * dpr))}  # native: not scaled


def test_a_maximum_width_scales_frames_down(app, qtbot, tmp_path):
    from PIL import Image

    swatch = _Swatch(qtbot, size=(200, 100))
    rec = Recorder(fps=10.0, max_width=100)
    rec.start(swatch.widget, tmp_path / "small.gif", timer=False)
    rec.stop()
    with Image.open(tmp_path / "small.gif") as im:
        assert im.size == (100, 50)


def test_bad_settings_are_refused_with_a_message(app, qtbot, tmp_path):
    swatch = _Swatch(qtbot)
    with pytest.raises(ValueError, match="fps"):
        Recorder(fps=0.5)
    rec = Recorder(fps=60.0)
    with pytest.raises(ValueError, match=f"at most {GIF_MAX_FPS:g}.*mp4"):
        rec.start(swatch.widget, tmp_path / "fast.gif", timer=False)
    with pytest.raises(ValueError, match=r"\.gif or \.mp4"):
        rec.start(swatch.widget, tmp_path / "x.avi", timer=False)
    assert not rec.recording


@pytest.mark.parametrize("fps", [30.0, 60.0])
def test_mp4_plays_at_the_chosen_rate(app, qtbot, tmp_path, fps):
    if find_ffmpeg() is None:
        pytest.skip("no ffmpeg here")
    import imageio_ffmpeg

    swatch = _Swatch(qtbot, size=(64, 48))
    path = tmp_path / "clip.mp4"
    rec = Recorder(fps=fps)
    rec.start(swatch.widget, path, timer=False)
    for _ in range(5):
        swatch.next()
        rec.capture()
    rec.capture(repeat=4)
    rec.stop()
    # ffmpeg's own account of the file, run to completion (no pipes left open).
    info = subprocess.run(
        [find_ffmpeg(), "-hide_banner", "-i", str(path)], capture_output=True, text=True
    ).stderr
    video = re.search(r"Video: .*?, (\d+)x(\d+)\b.*?([\d.]+) fps", info)
    assert video, info
    assert (int(video[1]), int(video[2])) == (64, 48)
    assert float(video[3]) == pytest.approx(fps)
    n, _secs = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert n == 10  # 6 grabs, the last written for four frame times
