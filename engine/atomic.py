"""Write a file so that readers see the old content or the complete new one, never half.

Every file Descent Lab writes (lessons, CSVs, screenshots, GIFs, autosave) goes through
here. The new content goes to a temporary file in the target's folder, which is flushed and
fsynced, renamed over the target, and the folder is fsynced so the rename survives a power
cut. Any failure (a full disk, a read-only medium, an exception in the caller's writer, an
interrupt) removes the temporary file and leaves an existing target untouched.

The new file gets the permissions an ordinary ``open()`` would give it (``0o666`` minus
the umask), or keeps the mode of the file it replaces; :func:`tempfile.mkstemp` would make
it ``0o600``. A target that is a device or a pipe (``/dev/null``, ``/dev/stdout``) cannot be
replaced by a rename and is written directly.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

__all__ = [
    "SaveError",
    "atomic_path",
    "write_atomically",
    "write_bytes_atomically",
    "write_text_atomically",
]

#: Suffix of every temporary file (hidden: its name starts with a dot).
TEMP_SUFFIX = ".part"


class SaveError(OSError):
    """A file could not be written; ``str(exc)`` is one line saying why and what to do.

    Attributes
    ----------
    reason : {"read-only", "disk-full", "is-a-folder", "no-folder", "permission", "other"}
    path : str
    """

    def __init__(self, path: str | os.PathLike, reason: str, detail: str) -> None:
        self.reason = reason
        self.path = os.fspath(path)
        self.message = f"cannot write {self.path}: {detail}"
        super().__init__(_ERRNO_OF.get(reason, 0), self.message)

    def __str__(self) -> str:
        return self.message


_ERRNO_OF = {
    "read-only": errno.EROFS,
    "disk-full": errno.ENOSPC,
    "is-a-folder": errno.EISDIR,
    "no-folder": errno.ENOENT,
    "permission": errno.EACCES,
}


def _explain(path: str | os.PathLike, exc: OSError) -> SaveError:
    """The one-line :class:`SaveError` for an OSError met while writing ``path``."""
    if isinstance(exc, SaveError):
        return exc
    e = exc.errno
    if e == errno.EROFS:
        return SaveError(path, "read-only", "the drive is read-only; choose another folder")
    if e in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG):
        return SaveError(path, "disk-full", "the disk is full; free some space or choose another")
    if e == errno.EISDIR:
        return SaveError(path, "is-a-folder", "that is a folder; give a file name")
    if e in (errno.ENOENT, errno.ENOTDIR):
        return SaveError(path, "no-folder", "the folder does not exist")
    if e in (errno.EACCES, errno.EPERM):
        return SaveError(path, "permission", "permission denied; choose another folder")
    reason = (exc.strerror or type(exc).__name__).strip().rstrip(".")
    return SaveError(path, "other", reason.lower() if reason else "unknown error")


def _check_target(target: Path) -> Path:
    """The folder to write in; SaveError if the target is a folder or has no folder."""
    if target.is_dir():
        raise SaveError(target, "is-a-folder", "that is a folder; give a file name")
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise SaveError(target, "no-folder", f"the folder {directory} does not exist")
    return directory


def _is_special(target: Path) -> bool:
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable. Windows cannot open a folder; there the rename is
    # made durable by the file system's own journal.
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(directory, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems (e.g. network mounts) refuse fsync on a folder
        pass
    finally:
        os.close(fd)


def _temp_name(target: Path) -> Path:
    # Hidden, beside the target, with the target's own suffix last so that writers that
    # choose a format by extension (Qt's QImage.save, imageio) pick the right one.
    token = secrets.token_hex(4)
    return target.with_name(f".{target.stem}.{token}{TEMP_SUFFIX}{target.suffix}")


def _open_new(tmp: Path, mode: int | None) -> int:
    # 0o666 is what open() uses: the process umask then applies, as for any new file.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    if mode is not None:
        with contextlib.suppress(OSError):
            os.chmod(tmp, mode)
    return fd


def _existing_mode(target: Path) -> int | None:
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return None


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically.

    For writers that need a file name rather than a file object (``QImage.save``,
    ``imageio``): write the whole content to the yielded path inside the ``with`` block.
    When the block ends without an exception, the file is fsynced and renamed over
    ``path`` and the folder fsynced; when it raises (or the writer produced no file), the
    temporary file is removed and ``path`` is untouched. The yielded name ends with the
    target's suffix.

    Raises
    ------
    SaveError
        The target is a folder, its folder is missing, the medium is read-only or full,
        or permission is denied. Errors raised by the block itself propagate unchanged
        (an OSError from the block becomes a SaveError).
    """
    target = Path(path)
    directory = _check_target(target)
    tmp = _temp_name(target)
    mode = _existing_mode(target)
    try:
        os.close(_open_new(tmp, mode))
    except OSError as exc:
        raise _explain(target, exc) from None
    try:
        yield tmp
        if not tmp.exists():
            raise SaveError(target, "other", "the writer produced no file")
        fd = os.open(tmp, os.O_RDWR | getattr(os, "O_BINARY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except OSError as exc:
        _remove(tmp)
        raise _explain(target, exc) from None
    except BaseException:
        _remove(tmp)
        raise
    _fsync_dir(directory)


def _remove(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        tmp.unlink()


def write_atomically(
    path: str | os.PathLike,
    fill: Callable[[IO[str]], None],
    *,
    newline: str | None = None,
    encoding: str = "utf-8",
) -> None:
    """Call ``fill(fh)`` on a temporary text file beside ``path``, then rename it over ``path``.

    Parameters
    ----------
    path : str or PathLike
        The target file. A device or pipe is written directly.
    fill : callable
        Writes the content to the text file object it is given.
    newline, encoding
        As for :func:`open`.

    Raises
    ------
    SaveError
        One line: read-only drive, full disk, a folder, a missing folder, no permission.
        Any other exception from ``fill`` propagates unchanged. In every failure the old
        file is untouched and no temporary file is left.
    """
    target = Path(path)
    if _is_special(target):
        try:
            with open(target, "w", newline=newline, encoding=encoding) as fh:
                fill(fh)
        except OSError as exc:
            raise _explain(target, exc) from None
        return
    with atomic_path(target) as tmp, open(tmp, "w", newline=newline, encoding=encoding) as fh:
        fill(fh)
        fh.flush()


def write_text_atomically(
    path: str | os.PathLike, text: str, *, newline: str | None = None
) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; see :func:`write_atomically`."""
    write_atomically(path, lambda fh: fh.write(text), newline=newline)


def write_bytes_atomically(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (screenshots, encoded images, GIFs in memory).

    Raises
    ------
    SaveError
        As :func:`write_atomically`.
    """
    target = Path(path)
    if _is_special(target):
        try:
            with open(target, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise _explain(target, exc) from None
        return
    with atomic_path(target) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
