"""Atomic writes: complete or not at all, fsynced, ordinary permissions, one-line errors.

We run as root in CI, where chmod cannot make a folder read-only; read-only and full-disk
media are simulated by making the os functions fail with the errno the kernel would give
(EROFS, ENOSPC), and /dev/full is used where it exists.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from engine import atomic
from engine.atomic import (
    SaveError,
    atomic_path,
    write_atomically,
    write_bytes_atomically,
    write_text_atomically,
)


def _leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


@pytest.fixture
def umask():
    """Set a umask for the test and restore the old one."""
    old = os.umask(0o022)
    yield lambda m: os.umask(m)
    os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_new_files_get_0666_minus_the_umask(tmp_path, umask, mask):
    umask(mask)
    for i, write in enumerate(
        (
            lambda p: write_text_atomically(p, "x"),
            lambda p: write_bytes_atomically(p, b"x"),
            lambda p: write_atomically(p, lambda fh: fh.write("x")),
        )
    ):
        p = tmp_path / f"f{i}.csv"
        write(p)
        # what open() gives a new file under the same umask: the independent reference
        ref = tmp_path / f"ref{i}"
        with open(ref, "w"):
            pass
        assert stat.S_IMODE(p.stat().st_mode) == 0o666 & ~mask
        assert stat.S_IMODE(p.stat().st_mode) == stat.S_IMODE(ref.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_replacing_a_file_keeps_its_mode(tmp_path, umask):
    umask(0o022)
    p = tmp_path / "lesson.json"
    p.write_text("old")
    os.chmod(p, 0o640)
    write_text_atomically(p, "new")
    assert p.read_text() == "new"
    assert stat.S_IMODE(p.stat().st_mode) == 0o640


def test_fill_failure_leaves_the_old_file_and_no_temporary(tmp_path):
    p = tmp_path / "race.csv"
    p.write_text("old content")

    def fill(fh):
        fh.write("half of the new")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_atomically(p, fill)
    assert p.read_text() == "old content"
    assert _leftovers(tmp_path, {"race.csv"}) == []


def test_interrupt_leaves_no_temporary(tmp_path):
    p = tmp_path / "race.csv"

    def fill(fh):
        fh.write("x")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(p, fill)
    assert list(tmp_path.iterdir()) == []


def test_file_and_folder_are_fsynced_before_and_after_the_rename(tmp_path, monkeypatch):
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        kind = "dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"
        events.append(f"fsync {kind}")
        real_fsync(fd)

    def replace(a, b):
        events.append("rename")
        real_replace(a, b)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    monkeypatch.setattr(atomic.os, "replace", replace)
    write_text_atomically(tmp_path / "a.json", "{}")
    expected = ["fsync file", "rename"] + (["fsync dir"] if os.name == "posix" else [])
    assert events == expected


def _fail_with(code):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return fail


@pytest.mark.parametrize(
    ("target", "code", "reason", "words"),
    [
        ("open", errno.EROFS, "read-only", "read-only"),
        ("open", errno.EACCES, "permission", "permission denied"),
        ("fsync", errno.ENOSPC, "disk-full", "disk is full"),
        ("fsync", errno.EDQUOT, "disk-full", "disk is full"),
        ("replace", errno.EROFS, "read-only", "read-only"),
        ("replace", errno.EIO, "other", "input/output error"),
    ],
)
def test_os_failures_become_one_line_save_errors(
    tmp_path, monkeypatch, target, code, reason, words
):
    p = tmp_path / "shot.png"
    p.write_bytes(b"old picture")
    if target == "open":
        real_open = os.open

        def fake_open(path, flags, *a, **k):
            if flags & os.O_CREAT:
                raise OSError(code, os.strerror(code))
            return real_open(path, flags, *a, **k)

        monkeypatch.setattr(atomic.os, "open", fake_open)
    else:
        monkeypatch.setattr(atomic.os, target, _fail_with(code))
    with pytest.raises(SaveError) as info:
        write_bytes_atomically(p, b"new picture")
    exc = info.value
    assert exc.reason == reason and isinstance(exc, OSError)
    assert str(exc).startswith(f"cannot write {p}: ") and words in str(exc)
    assert "\n" not in str(exc) and "Errno" not in str(exc)
    monkeypatch.undo()
    assert p.read_bytes() == b"old picture"
    assert _leftovers(tmp_path, {"shot.png"}) == []


def test_a_full_disk_during_the_write_itself(tmp_path):
    p = tmp_path / "race.csv"
    p.write_text("old")

    def fill(fh):
        fh.write("row\n")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(SaveError, match="disk is full"):
        write_atomically(p, fill)
    assert p.read_text() == "old"
    assert _leftovers(tmp_path, {"race.csv"}) == []


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_dev_full_gives_a_disk_full_error_and_stays_a_device():
    with pytest.raises(SaveError, match=r"^cannot write /dev/full: the disk is full"):
        write_atomically("/dev/full", lambda fh: fh.write("x" * 100_000))
    with pytest.raises(SaveError, match="disk is full"):
        write_bytes_atomically("/dev/full", b"x" * 100_000)
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)  # never renamed over


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
def test_a_device_target_is_written_directly():
    write_text_atomically("/dev/null", "ignored")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_folder_and_missing_folder_targets(tmp_path):
    with pytest.raises(SaveError, match="that is a folder") as info:
        write_text_atomically(tmp_path, "x")
    assert info.value.reason == "is-a-folder"
    with pytest.raises(SaveError, match="does not exist") as info:
        write_text_atomically(tmp_path / "no" / "such.json", "x")
    assert info.value.reason == "no-folder"
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_for_writers_that_need_a_file_name(tmp_path):
    p = tmp_path / "lab.png"
    p.write_bytes(b"old")
    with atomic_path(p) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".png" and tmp.name.startswith(".")
        tmp.write_bytes(b"new picture")  # what QImage.save / imageio would do
    assert p.read_bytes() == b"new picture"
    assert _leftovers(tmp_path, {"lab.png"}) == []

    with pytest.raises(ValueError, match="encoder failed"), atomic_path(p) as tmp:
        tmp.write_bytes(b"trunc")
        raise ValueError("encoder failed")
    assert p.read_bytes() == b"new picture"
    assert _leftovers(tmp_path, {"lab.png"}) == []


def test_atomic_path_refuses_a_writer_that_made_no_file(tmp_path):
    p = tmp_path / "anim.gif"
    with pytest.raises(SaveError, match="produced no file"), atomic_path(p) as tmp:
        tmp.unlink()  # a writer that failed quietly and cleaned up after itself
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_turns_os_errors_of_the_block_into_save_errors(tmp_path):
    p = tmp_path / "anim.gif"
    with pytest.raises(SaveError, match="disk is full"), atomic_path(p) as tmp:
        tmp.write_bytes(b"GIF89a")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert list(tmp_path.iterdir()) == []
