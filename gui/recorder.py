"""Record what a widget shows into an animated GIF or an MP4, frame by frame to disk.

Frames are grabbed on the GUI thread at a fixed rate (15 fps by default), at the widget's
native resolution unless a ``max_width`` is given, and written at once, so memory stays
bounded however long the recording runs. Any widget can be recorded: the whole window, one
lab, or one panel (:meth:`Recorder.start`).

Timing is exact. A GIF stores each frame's delay in whole centiseconds, so 15 fps (6.67 cs)
written as 6 cs played 11 % fast: each delay here is the rounded time of the frame's end
minus that of its start (:func:`gif_delays_cs`: 7, 7, 6, 7, 7, 6... at 15 fps), so the
file's total is exact to a centisecond however long it runs. The grab timer is late now and
then; frames are written as often as the clock says are due (:func:`frames_due`), repeating
the picture for a late one, so the recording lasts as long as what it recorded.

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
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

__all__ = [
    "FFMPEG_MISSING",
    "GIF_MAX_FPS",
    "MP4_FPS",
    "Recorder",
    "find_ffmpeg",
    "frames_due",
    "gif_delay_cs",
    "gif_delays_cs",
    "image_to_rgb",
]

FFMPEG_MISSING = "MP4 needs ffmpeg, which was not found; GIF works (choose a .gif file)"
#: Frame rates offered for MP4 (GIF players honour at most about 50 fps: 2 cs delays).
MP4_FPS = (30.0, 60.0)
#: Fastest GIF: delays under 2 cs are played as 10 cs by browsers.
GIF_MAX_FPS = 50.0
# A grab that comes this many frames late is not made up with copies beyond this: a
# stalled GUI (a modal dialog) must not turn into seconds of a frozen picture at once.
MAX_REPEAT = 8


def gif_delay_cs(k: int, fps: float, repeat: int = 1) -> int:
    """Delay in centiseconds of frame ``k`` (0-based) of a GIF at ``fps``, shown for
    ``repeat`` frame times: its end time rounded minus its start time rounded, so the
    first ``n`` delays always add up to ``round(100 * n / fps)``."""
    return round(100.0 * (k + repeat) / fps) - round(100.0 * k / fps)


def gif_delays_cs(n: int, fps: float) -> list[int]:
    """Delays in centiseconds of the first ``n`` frames of a GIF at ``fps``."""
    return [gif_delay_cs(k, fps) for k in range(n)]


def frames_due(elapsed: float, fps: float, written: int) -> int:
    """How many frames to write now, ``elapsed`` seconds after the first one, with
    ``written`` already written: enough that frame ``k`` stands for time ``k / fps``
    (at most :data:`MAX_REPEAT`; none if the timer came early)."""
    due = int(elapsed * fps + 1e-9) + 1 - written
    return max(0, min(due, MAX_REPEAT))


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


class _Discard(Exception):
    """Thrown into :func:`engine.atomic.atomic_path` to drop a recording's temporary file."""


class _AtomicTarget:
    """The temporary file a recording is written to, renamed over the target at the end.

    A recording lasts minutes, so :func:`engine.atomic.atomic_path` is held open across
    calls: :meth:`commit` fsyncs and renames (an existing file is replaced only by a
    complete one), :meth:`discard` removes the temporary file (a full disk leaves neither
    a 0-byte nor a truncated file behind).
    """

    def __init__(self, path: Path) -> None:
        from engine.atomic import atomic_path

        self._ctx = atomic_path(path)
        self.tmp: Path = self._ctx.__enter__()  # SaveError: read-only, missing folder...

    def commit(self) -> None:
        ctx, self._ctx = self._ctx, None
        if ctx is not None:
            ctx.__exit__(None, None, None)  # SaveError if the rename or fsync fails

    def discard(self) -> None:
        ctx, self._ctx = self._ctx, None
        if ctx is not None:
            exc = _Discard()
            ctx.__exit__(_Discard, exc, None)  # removes the file; re-raises nothing


class _GifStream:
    """Animated GIF written one frame at a time (looping forever), atomically."""

    def __init__(self, path: Path, fps: float) -> None:
        from PIL import GifImagePlugin, Image

        self._gif = GifImagePlugin
        self._image = Image
        self._target = _AtomicTarget(path)
        try:
            self._fh = open(self._target.tmp, "wb")
        except OSError:
            self._target.discard()
            raise
        self._fps = fps
        self._count = 0
        self._started = False

    def append(self, rgb: np.ndarray, repeat: int = 1) -> None:
        """Write ``rgb`` as the next frame, shown for ``repeat`` frame times."""
        im = self._image.fromarray(rgb, "RGB").quantize(
            colors=256, method=self._image.Quantize.FASTOCTREE, dither=self._image.Dither.NONE
        )
        cs = gif_delay_cs(self._count, self._fps, repeat)
        if not self._started:
            header, _ = self._gif.getheader(im, info={"loop": 0})
            self._fh.write(b"".join(header))
            self._started = True
        # Pillow takes milliseconds and truncates them to centiseconds: give it whole ones.
        frame = self._gif.getdata(im, duration=10 * cs, include_color_table=True)
        self._fh.write(b"".join(frame))
        self._count += repeat

    def close(self) -> None:
        """Finish the file and put it in place; on any failure nothing is left behind."""
        try:
            if self._started:
                self._fh.write(b";")  # GIF trailer
            self._fh.close()
        except BaseException:
            self.abort()
            raise
        self._target.commit()

    def abort(self) -> None:
        """Drop the recording: the temporary file goes, an existing target stays."""
        try:
            self._fh.close()
        except OSError:  # the disk is full: the buffered rest cannot be written; dropped
            pass
        self._target.discard()


class _Mp4Stream:
    def __init__(self, path: Path, fps: float, ffmpeg: str) -> None:
        os.environ.setdefault("IMAGEIO_FFMPEG_EXE", ffmpeg)
        import imageio.v2 as imageio

        self._target = _AtomicTarget(path)
        self._writer = imageio.get_writer(
            str(self._target.tmp),
            format="FFMPEG",
            mode="I",
            fps=fps,
            codec="libx264",
            quality=7,
            macro_block_size=16,
            ffmpeg_log_level="error",
        )

    def append(self, rgb: np.ndarray, repeat: int = 1) -> None:
        # Constant frame rate: a late frame is written again for each frame time it covers.
        for _ in range(repeat):
            self._writer.append_data(rgb)

    def close(self) -> None:
        try:
            self._writer.close()
        except BaseException:
            self._target.discard()
            raise
        self._target.commit()

    def abort(self) -> None:
        try:
            self._writer.close()
        except Exception:  # ffmpeg died, the disk is full: the file is dropped anyway
            pass
        self._target.discard()


class Recorder(QObject):
    """Grab ``widget`` at ``fps`` into a GIF or MP4 until :meth:`stop`.

    Parameters
    ----------
    fps : float
        Frames per second grabbed (and played back), 1 to 60.
    max_width : int or None
        Frames wider than this are scaled down (aspect kept); None (the default) keeps the
        widget's native resolution.

    Signals
    -------
    frame_written(int)
        Number of frames written so far.
    failed(str)
        Writing failed; the recording has stopped and the file is closed.
    """

    frame_written = Signal(int)
    failed = Signal(str)

    def __init__(self, fps: float = 15.0, max_width: int | None = None, parent=None) -> None:
        super().__init__(parent)
        if not 1 <= fps <= 60:
            raise ValueError(f"fps must be between 1 and 60; got {fps}")
        if max_width is not None and max_width < 16:
            raise ValueError(f"max_width must be at least 16 pixels; got {max_width}")
        self.fps = float(fps)
        self.max_width = None if max_width is None else int(max_width)
        self._t0 = 0.0
        self._written = 0  # frame times covered (a repeated frame counts each time)
        self._widget: QWidget | None = None
        self._stream = None
        self._size: tuple[int, int] | None = None
        self._frames = 0
        self.path: Path | None = None
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        # Half the frame time: frames_due decides whether a tick writes (the timer alone
        # would drift, a 17 ms interval is 58.8 frames a second, not 60).
        self._timer.setInterval(max(1, int(500 / self.fps)))
        self._timer.timeout.connect(self._on_tick)

    @property
    def recording(self) -> bool:
        return self._stream is not None

    @property
    def frames(self) -> int:
        return self._frames

    def frame_size(self, width: int, height: int, mp4: bool) -> tuple[int, int]:
        """Output (width, height) for a widget of ``width`` x ``height`` pixels."""
        scale = 1.0 if self.max_width is None else min(1.0, self.max_width / max(width, 1))
        w, h = max(2, int(width * scale)), max(2, int(height * scale))
        if mp4:  # H.264 in yuv420p wants whole macro blocks
            w, h = max(16, w // 16 * 16), max(16, h // 16 * 16)
        return w, h

    def start(self, widget: QWidget, path: str | Path, timer: bool = True) -> None:
        """Start recording ``widget`` into ``path`` (``.gif`` or ``.mp4``).

        ``widget`` is what is recorded: the main window, one lab, or one panel. With
        ``timer=False`` nothing is grabbed by itself: call :meth:`capture` for each frame
        (tests, scripted recordings).

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
            if self.fps > GIF_MAX_FPS:
                raise ValueError(
                    f"GIF plays at most {GIF_MAX_FPS:g} frames/s; record {self.fps:g} as .mp4"
                )
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
        self._written = 0
        self._t0 = time.perf_counter()
        self.capture()
        if timer:
            self._timer.start()

    def _on_tick(self) -> None:
        n = frames_due(time.perf_counter() - self._t0, self.fps, self._written)
        if n:
            self.capture(repeat=n)

    def capture(self, repeat: int = 1) -> None:
        """Grab one frame now and write it for ``repeat`` frame times (the timer calls
        this whenever frames are due)."""
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
            self._stream.append(image_to_rgb(img), repeat)
        except Exception as exc:  # disk full, ffmpeg died...: stop cleanly, say why once
            self._abort()
            self.failed.emit(f"recording stopped: {_one_line(self.path, exc)}")
            return
        self._frames += 1
        self._written += repeat
        self.frame_written.emit(self._frames)

    def stop(self) -> Path | None:
        """Finish the file; returns its path (``None`` if not recording, or if it could
        not be finished: :attr:`failed` then says why, and no partial file is left)."""
        self._timer.stop()
        stream, self._stream, self._widget = self._stream, None, None
        if stream is None:
            return None
        try:
            stream.close()
        except Exception as exc:
            self.failed.emit(f"could not finish the recording: {_one_line(self.path, exc)}")
            return None
        return self.path

    def _abort(self) -> None:
        """Stop after a failed frame: the partial file is removed, nothing more reported."""
        self._timer.stop()
        stream, self._stream, self._widget = self._stream, None, None
        if stream is not None:
            stream.abort()


def _one_line(path: Path | None, exc: BaseException) -> str:
    """A write failure as the one line :mod:`engine.atomic` gives (full disk, read-only...)."""
    from engine.atomic import SaveError, _explain

    if isinstance(exc, OSError) and not isinstance(exc, SaveError) and path is not None:
        exc = _explain(path, exc)
    return str(exc) or type(exc).__name__
