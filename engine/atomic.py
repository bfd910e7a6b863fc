"""Write a file so that readers see the old content or the complete new one, never half."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO


def write_atomically(
    path: str | os.PathLike, fill: Callable[[IO[str]], None], *, newline: str | None = None
) -> None:
    """Call ``fill(fh)`` on a temporary file beside ``path``, then rename it over ``path``.

    If ``fill`` raises (or the process is interrupted), the temporary file is removed and
    any existing ``path`` is left untouched. The folder must exist.
    """
    target = Path(path)
    directory = target.resolve().parent
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=directory)
    try:
        with os.fdopen(fd, "w", newline=newline, encoding="utf-8") as fh:
            fill(fh)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
