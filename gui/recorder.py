"""Record what a widget shows into an animated GIF or an MP4, frame by frame to disk.

Frames are grabbed on the GUI thread at a fixed rate (15 fps by default), downscaled, and
written at once, so memory stays bounded however long the recording runs:

* MP4 goes through imageio's FFMPEG writer, which pipes each frame to an ffmpeg process.
  The bundle leaves imageio-ffmpeg's binary out, so ffmpeg is looked for first
  (:func:`find_ffmpeg`); without one, MP4 is refused with a clear message.
* GIF is written with Pillow's frame-level GIF encoder (``GifImagePlugin.getheader`` /
  ``getdata``): imageio's GIF path (its Pillow plugin) keeps every frame in memory until it
  closes, which a long classroom recording cannot afford. Each frame gets its own palette.

imageio and Pillow are imported when a recording starts, not at application start-up.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

__all__ = ["FFMPEG_MISSING", "Recorder", "find_ffmpeg", "image_to_rgb"]

FFMPEG_MISSING = "MP4 needs ffmpeg, which was not found; GIF works (choose a .gif file)"


def find_ffmpeg() -> str | None:
    """Path of an ffmpeg executable, or ``None``.

    Looks at ``IMAGEIO_FFMPEG_EXE``, then imageio-ffmpeg's own binary (absent from the
    bundle), then ``ffmpeg`` on the PATH.
    """
    env = os.environ.get("IMAGEIO_FFMPEG_EXE")
    if env and Path(env).is_file():
        return env
    try:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
        if exe and Path(exe).is_file():
            return exe
    except Exception:  # no binary shipped, or the package is missing: fall through
        pass
    return shutil.which("ffmpeg")


def image_to_rgb(img: QImage) -> np.ndarray:
    """A QImage as a new ``(height, width, 3)`` uint8 RGB array."""
    img = img.convertToFormat(QImage.Format.Format_RGB888)
    h, w, bpl = img.height(), img.width(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=h * bpl).reshape(h, bpl)
    return buf[:, : w * 3].reshape(h, w, 3).copy()


class _GifStream:
    """Animated GIF written one frame at a time (looping forever)."""

    def __init__(self, path: Path, fps: float) -> None:
        from PIL import GifImagePlugin, Image

        self._gif = GifImagePlugin
        self._image = Image
        self._fh = open(path, "wb")
        self._duration = round(1000 / fps)
        self._started = False

    def append(self, rgb: np.ndarray) -> None:
        im = self._image.fromarray(rgb, "RGB").quantize(
            colors=256, method=self._image.Quantize.FASTOCTREE, dither=self._image.Dither.NONE
        )
        if not self._started:
            header, _ = self._gif.getheader(im, info={"loop": 0, "duration": self._duration})
            self._fh.write(b"".join(header))
            self._started = True
        frame = self._gif.getdata(im, duration=self._duration, include_color_table=True)
        self._fh.write(b"".join(frame))

    def close(self) -> None:
        if self._started:
            self._fh.write(b";")  # GIF trailer
        self._fh.close()


class _Mp4Stream:
    def __init__(self, path: Path, fps: float, ffmpeg: str) -> None:
        os.environ.setdefault("IMAGEIO_FFMPEG_EXE", ffmpeg)
        import imageio.v2 as imageio

        self._writer = imageio.get_writer(
            str(path),
            format="FFMPEG",
            mode="I",
            fps=fps,
            codec="libx264",
            quality=7,
            macro_block_size=16,
            ffmpeg_log_level="error",
        )

    def append(self, rgb: np.ndarray) -> None:
        self._writer.append_data(rgb)

    def close(self) -> None:
        self._writer.close()


class Recorder(QObject):
    """Grab ``widget`` at ``fps`` into a GIF or MP4 until :meth:`stop`.

    Parameters
    ----------
    fps : float
        Frames per second grabbed (and played back).
    max_width : int
        Frames wider than this are scaled down (aspect kept).

    Signals
    -------
    frame_written(int)
        Number of frames written so far.
    failed(str)
        Writing failed; the recording has stopped and the file is closed.
    """

    frame_written = Signal(int)
    failed = Signal(str)

    def __init__(self, fps: float = 15.0, max_width: int = 960, parent=None) -> None:
        super().__init__(parent)
        if not 1 <= fps <= 60:
            raise ValueError(f"fps must be between 1 and 60; got {fps}")
        self.fps = float(fps)
        self.max_width = int(max_width)
        self._widget: QWidget | None = None
        self._stream = None
        self._size: tuple[int, int] | None = None
        self._frames = 0
        self.path: Path | None = None
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(round(1000 / self.fps))
        self._timer.timeout.connect(self.capture)

    @property
    def recording(self) -> bool:
        return self._stream is not None

    @property
    def frames(self) -> int:
        return self._frames

    def frame_size(self, width: int, height: int, mp4: bool) -> tuple[int, int]:
        """Output (width, height) for a widget of ``width`` x ``height`` pixels."""
        scale = min(1.0, self.max_width / max(width, 1))
        w, h = max(2, int(width * scale)), max(2, int(height * scale))
        if mp4:  # H.264 in yuv420p wants whole macro blocks
            w, h = max(16, w // 16 * 16), max(16, h // 16 * 16)
        return w, h

    def start(self, widget: QWidget, path: str | Path, timer: bool = True) -> None:
        """Start recording ``widget`` into ``path`` (``.gif`` or ``.mp4``).

        Raises
        ------
        ValueError
            Unknown extension, or MP4 without ffmpeg (:data:`FFMPEG_MISSING`).
        OSError
            The file cannot be created.
        """
        if self.recording:
            raise ValueError("already recording; stop first")
        path = Path(path)
        ext = path.suffix.lower()
        if ext == ".gif":
            stream = _GifStream(path, self.fps)
        elif ext == ".mp4":
            ffmpeg = find_ffmpeg()
            if ffmpeg is None:
                raise ValueError(FFMPEG_MISSING)
            stream = _Mp4Stream(path, self.fps, ffmpeg)
        else:
            raise ValueError(f"recording file must end in .gif or .mp4; got {path.name!r}")
        dpr = widget.devicePixelRatioF()
        self._size = self.frame_size(
            int(widget.width() * dpr), int(widget.height() * dpr), ext == ".mp4"
        )
        self._widget, self._stream, self.path, self._frames = widget, stream, path, 0
        self.capture()
        if timer:
            self._timer.start()

    def capture(self) -> None:
        """Grab and write one frame now (the timer calls this at ``fps``)."""
        if self._stream is None or self._widget is None:
            return
        img = self._widget.grab().toImage()
        w, h = self._size
        if img.width() != w or img.height() != h:
            img = img.scaled(
                w,
                h,
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        try:
            self._stream.append(image_to_rgb(img))
        except Exception as exc:  # disk full, ffmpeg died...: stop cleanly and say why
            self.stop()
            self.failed.emit(f"recording stopped: {exc}")
            return
        self._frames += 1
        self.frame_written.emit(self._frames)

    def stop(self) -> Path | None:
        """Finish the file; returns its path (``None`` if not recording)."""
        self._timer.stop()
        stream, self._stream, self._widget = self._stream, None, None
        if stream is None:
            return None
        try:
            stream.close()
        except Exception as exc:
            self.failed.emit(f"could not finish the recording: {exc}")
        return self.path
