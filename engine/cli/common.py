"""What both headless commands share: clean arguments, safe output, signals, the CSV target.

- Arguments: bytes that are not UTF-8 reach Python as lone surrogates (``$'\\xff'`` becomes
  ``'\\udcff'``), which no stream can print; :func:`clean_argv` turns them into U+FFFD.
- Output: :func:`say` writes one line to stdout or stderr whatever their encoding.
- Signals: inside :func:`signals_as_exceptions`, SIGTERM raises :class:`Terminated` like
  Ctrl+C raises KeyboardInterrupt, so ``finally`` blocks run and the temporary file of an
  unfinished CSV is removed.
- Target: :func:`open_csv` writes to standard output for ``-``, or atomically to a file.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import IO

from engine.atomic import SaveError, write_atomically
from engine.limits import MAX_LABEL_CHARS
from engine.validate import one_line, sanitize_text

PROG = "main.py --headless"


class Terminated(BaseException):
    """SIGTERM arrived (a BaseException, like KeyboardInterrupt: it is not an error)."""


def clean_argv(argv: Sequence[str]) -> list[str]:
    """Arguments with undecodable bytes (lone surrogates) replaced by U+FFFD."""
    out = []
    for a in argv:
        s = str(a)
        if any("\ud800" <= c <= "\udfff" for c in s):
            s = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in s)
        out.append(s)
    return out


def clean_label(text: str) -> str:
    """A label from the command line as it will be shown and written: one line, bounded."""
    return sanitize_text(text, MAX_LABEL_CHARS, keep_empty=True)


def say(text: str, *, err: bool = False) -> None:
    """Print ``text`` (may hold several lines) so that no character can make it fail."""
    stream = sys.stderr if err else sys.stdout
    enc = getattr(stream, "encoding", None) or "utf-8"
    safe = text.encode(enc, "backslashreplace").decode(enc, "replace")
    print(safe, file=stream)


def error(message: object) -> int:
    """Print ``main.py --headless: error: <one line>`` on stderr; return exit status 2."""
    say(f"{PROG}: error: {one_line(message, 500)}", err=True)
    return 2


@contextlib.contextmanager
def signals_as_exceptions() -> Iterator[None]:
    """SIGTERM raises :class:`Terminated` inside the block (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_term(signum, frame):
        raise Terminated

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def interrupted(exc: BaseException) -> int:
    """Message and exit status for Ctrl+C (130) or SIGTERM (143)."""
    status = 143 if isinstance(exc, Terminated) else 130
    say(f"{PROG}: interrupted; no file written", err=True)
    return status


def silence_stdout() -> None:
    """Send whatever is left for standard output to the null device (after EPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (e.g. captured)
        pass


def open_csv(path: str, fill) -> None:
    """Call ``fill(fh)`` with the CSV target: standard output for ``-``, else a file
    written atomically (complete or not at all).

    Raises
    ------
    engine.atomic.SaveError
        One line: a folder, a missing folder, read-only, full disk, no permission.
    """
    if path == "-":
        fill(_StdoutCsv(sys.stdout))
        sys.stdout.flush()
        return
    write_atomically(path, fill, newline="")


class _StdoutCsv:
    """Standard output for the csv module, which needs ``newline=""`` semantics."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        # csv writes "\r\n"; a text stdout would turn "\n" into the platform's line end.
        return self.stream.write(text.replace("\r\n", "\n"))


__all__ = [
    "PROG",
    "SaveError",
    "Terminated",
    "clean_argv",
    "clean_label",
    "error",
    "interrupted",
    "open_csv",
    "say",
    "signals_as_exceptions",
    "silence_stdout",
]
