"""Screenshots and recordings on a full disk, a read-only drive, a folder: the old file is
intact, no partial or 0-byte file is left, and the user gets one clear line, once.

Failures are injected where the operating system would report them (the write, the
creation of the file): the tests run as root, so permissions alone would not stop them.
"""

from __future__ import annotations

import errno
import io

import pytest
from PIL import Image

import engine.atomic
from tests.gui.test_lessons import ScriptedDialogs

OLD = b"the picture from last week"


@pytest.fixture
def window(make_window):
    window, _lab = make_window(size=(640, 400))
    window.dialogs = ScriptedDialogs()
    return window


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


class FullDisk(io.RawIOBase):
    """A file whose writes fail as on a full disk, after ``room`` bytes."""

    def __init__(self, real, room: int = 8192) -> None:
        self.real, self.room = real, room

    def writable(self):
        return True

    def write(self, b):
        # What fits is written (a real disk leaves that much), then ENOSPC.
        n = min(len(b), self.room)
        self.room -= n
        self.real.write(bytes(b[:n]))
        if n < len(b):
            raise OSError(errno.ENOSPC, "No space left on device")
        return n

    def close(self):
        self.real.close()
        super().close()


def fill_disk_after(monkeypatch, module, room: int = 8192):
    """``open(..., "wb")`` in ``module`` gives files that fill up after ``room`` bytes."""
    real_open = open

    def fake_open(path, mode="r", *args, **kw):
        fh = real_open(path, mode, *args, **kw)
        return FullDisk(fh, room) if "w" in mode and "b" in mode else fh

    monkeypatch.setattr(module, "open", fake_open, raising=False)


def read_only(monkeypatch):
    def refuse(tmp, mode):
        raise OSError(errno.EROFS, "Read-only file system", str(tmp))

    monkeypatch.setattr(engine.atomic, "_open_new", refuse)


# ------------------------------------------------------------------ screenshots


def test_a_screenshot_on_a_full_disk_keeps_the_old_file(window, tmp_path, monkeypatch):
    path = tmp_path / "shot.png"
    path.write_bytes(OLD)
    fill_disk_after(monkeypatch, engine.atomic, room=2048)  # the issue: a truncated 8 KB PNG
    assert not window.exporter.screenshot(path)
    assert path.read_bytes() == OLD
    assert leftovers(tmp_path) == []
    assert len(window.dialogs.alerts) == 1
    text = window.dialogs.alerts[0][2]
    assert text == f"cannot write {path}: the disk is full; free some space or choose another"


def test_a_screenshot_on_a_read_only_drive_says_so_in_one_line(window, tmp_path, monkeypatch):
    path = tmp_path / "shot.png"
    read_only(monkeypatch)
    assert not window.exporter.screenshot(path)
    assert not path.exists()
    assert leftovers(tmp_path) == []
    [(_level, _title, text)] = window.dialogs.alerts
    assert "\n" not in text and "read-only" in text


def test_a_screenshot_named_like_a_folder_is_refused(window, tmp_path):
    assert not window.exporter.screenshot(tmp_path)
    [(_level, _title, text)] = window.dialogs.alerts
    assert "folder" in text


def test_a_screenshot_replaces_an_old_file_with_a_whole_png(window, tmp_path):
    path = tmp_path / "shot.png"
    path.write_bytes(OLD)
    assert window.exporter.screenshot(path)
    with Image.open(path) as im:
        im.load()  # the whole PNG decodes
        assert im.size[0] > 100
    assert leftovers(tmp_path) == []


# ------------------------------------------------------------------ recordings


def test_a_gif_on_a_full_disk_leaves_no_file_and_one_alert(window, tmp_path, monkeypatch):
    import gui.recorder

    path = tmp_path / "rec.gif"
    fill_disk_after(monkeypatch, gui.recorder, room=4096)  # the header fits, frames do not
    assert window.exporter.start_recording(path, timer=False)
    rec = window.exporter.recorder
    for _ in range(5):
        rec.capture()
    assert not rec.recording
    assert not path.exists()  # no 0-byte (or truncated) GIF
    assert leftovers(tmp_path) == []
    assert len(window.dialogs.alerts) == 1  # the issue: two
    text = window.dialogs.alerts[0][2]
    assert "disk is full" in text and "\n" not in text
    window.exporter.stop_recording()  # the user presses stop afterwards: nothing more
    assert len(window.dialogs.alerts) == 1


def test_a_gif_whose_end_hits_a_full_disk_keeps_the_old_file(window, tmp_path, monkeypatch):

    path = tmp_path / "rec.gif"
    path.write_bytes(OLD)
    assert window.exporter.start_recording(path, timer=False)
    rec = window.exporter.recorder
    rec.capture()
    # The disk fills up now: the buffered frames and the trailer cannot be written.
    rec._stream._fh = FullDisk(rec._stream._fh, room=0)
    assert window.exporter.stop_recording() is None
    assert path.read_bytes() == OLD
    assert leftovers(tmp_path) == []
    [(_level, _title, text)] = window.dialogs.alerts
    assert "disk is full" in text


def test_a_gif_on_a_read_only_drive_is_refused_at_the_start(window, tmp_path, monkeypatch):
    path = tmp_path / "rec.gif"
    read_only(monkeypatch)
    assert not window.exporter.start_recording(path, timer=False)
    assert not window.exporter.recording
    assert not path.exists()
    [(_level, _title, text)] = window.dialogs.alerts
    assert "read-only" in text and "\n" not in text


def test_a_finished_gif_replaces_the_old_file_whole(window, tmp_path):
    path = tmp_path / "rec.gif"
    path.write_bytes(OLD)
    assert window.exporter.start_recording(path, timer=False)
    rec = window.exporter.recorder
    # While recording, the old file is still there, untouched.
    for _ in range(3):
        rec.capture()
    assert path.read_bytes() == OLD
    assert window.exporter.stop_recording() == path
    with Image.open(path) as im:
        assert im.n_frames == 4
    assert leftovers(tmp_path) == []
    assert window.dialogs.alerts == []
