"""Checks made before Qt is imported, so a first start that cannot work says why.

Without them, Qt aborts (exit status 134) with "This application failed to start because no
Qt platform plugin could be initialized. Reinstalling the application may fix this
problem", which sends users the wrong way. Two causes are common on Linux:

- **No display**: started over plain ``ssh``, in a container or a CI job (no ``DISPLAY``
  or ``WAYLAND_DISPLAY``, and no headless ``QT_QPA_PLATFORM`` such as ``offscreen``).
- **Missing xcb libraries**: Qt's xcb platform plugin links system libraries that a bare
  Debian or Ubuntu install lacks (:data:`XCB_LIBRARIES`). They are loaded here with
  ``ctypes`` (``dlopen``, the loader Qt uses), which fails exactly when Qt's would.

This module imports no Qt (and nothing outside the standard library), so it runs in a few
milliseconds before anything heavy. :func:`preflight` is called by ``main.py`` on the GUI
path, which the frozen app runs too.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import NamedTuple, TextIO


class XcbLibrary(NamedTuple):
    """A system library of Qt's xcb plugin and the package that installs it per distro."""

    soname: str
    apt: str
    dnf: str
    pacman: str


XCB_LIBRARIES: tuple[XcbLibrary, ...] = (
    XcbLibrary("libxcb-cursor.so.0", "libxcb-cursor0", "xcb-util-cursor", "xcb-util-cursor"),
    XcbLibrary("libxcb-icccm.so.4", "libxcb-icccm4", "xcb-util-wm", "xcb-util-wm"),
    XcbLibrary("libxcb-keysyms.so.1", "libxcb-keysyms1", "xcb-util-keysyms", "xcb-util-keysyms"),
    XcbLibrary(
        "libxkbcommon-x11.so.0", "libxkbcommon-x11-0", "libxkbcommon-x11", "libxkbcommon-x11"
    ),
    XcbLibrary("libxcb-image.so.0", "libxcb-image0", "xcb-util-image", "xcb-util-image"),
    XcbLibrary(
        "libxcb-render-util.so.0",
        "libxcb-render-util0",
        "xcb-util-renderutil",
        "xcb-util-renderutil",
    ),
    XcbLibrary("libxcb-shape.so.0", "libxcb-shape0", "libxcb", "libxcb"),
    XcbLibrary("libxcb-xinerama.so.0", "libxcb-xinerama0", "libxcb", "libxcb"),
)
"""What Qt 6's xcb plugin needs beyond libxcb itself (Qt's "X11 Requirements" page)."""

# Qt platform plugins that need no display server.
HEADLESS_PLATFORMS = frozenset(
    {"offscreen", "minimal", "minimalegl", "vnc", "eglfs", "linuxfb", "vkkhrdisplay"}
)

NO_DISPLAY = """\
Descent Lab: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set).
It is a desktop application and needs a screen to draw on. Run it
  - from a terminal on a Linux desktop (X11 or Wayland session), or
  - over SSH with X forwarding: ssh -X user@host, then run it again, or
  - without a screen, as a check that it works: QT_QPA_PLATFORM=offscreen with --self-test
    OUT.png (e.g. QT_QPA_PLATFORM=offscreen {prog} --self-test out.png).
Scripted runs need no display at all: {prog} --headless --help."""


def program() -> str:
    """How the user started the app: the frozen executable, or ``python main.py``."""
    if getattr(sys, "frozen", False):
        return f"./{os.path.basename(sys.executable)}"
    return "python main.py"


def _platform(argv: Sequence[str], env: Mapping[str, str]) -> str:
    """The Qt platform plugin asked for (``-platform`` wins over ``QT_QPA_PLATFORM``), or
    ``""``; of a fallback list (``"wayland;xcb"``) the first entry, with its options cut."""
    name = env.get("QT_QPA_PLATFORM", "")
    for i, a in enumerate(argv):
        if a == "-platform" and i + 1 < len(argv):
            name = argv[i + 1]
        elif a.startswith("-platform="):
            name = a.split("=", 1)[1]
    return name.split(";")[0].split(":")[0].strip().lower()


def _loads(soname: str) -> bool:
    import ctypes  # here: only an X11 start needs it, and it costs a few ms to import

    try:
        ctypes.CDLL(soname)
        return True
    except OSError:
        pass
    bundle = getattr(sys, "_MEIPASS", None)  # frozen: a copy may ship beside the app
    if bundle and os.path.exists(os.path.join(bundle, soname)):
        try:
            ctypes.CDLL(os.path.join(bundle, soname))
            return True
        except OSError:
            return False
    return False


def missing_xcb_libraries(load=_loads) -> list[XcbLibrary]:
    """The :data:`XCB_LIBRARIES` that fail to load (``load(soname) -> bool``)."""
    return [lib for lib in XCB_LIBRARIES if not load(lib.soname)]


def missing_message(missing: Sequence[XcbLibrary]) -> str:
    """What is missing and the one command per package manager that installs it."""

    def pkgs(field: str) -> str:
        return " ".join(dict.fromkeys(getattr(lib, field) for lib in missing))

    names = ", ".join(lib.soname for lib in missing)
    return (
        f"Descent Lab: Qt's X11 (xcb) platform plugin cannot start: these system "
        f"libraries are missing: {names}.\n"
        f"Install them with your distribution's package manager, then start again:\n"
        f"  Debian/Ubuntu:  sudo apt install {pkgs('apt')}\n"
        f"  Fedora/RHEL:    sudo dnf install {pkgs('dnf')}\n"
        f"  Arch:           sudo pacman -S {pkgs('pacman')}"
    )


def check(
    argv: Sequence[str], env: Mapping[str, str], platform: str = sys.platform, load=_loads
) -> str | None:
    """Why the GUI cannot start here, or None if it can (as far as can be told).

    Parameters
    ----------
    argv : sequence of str
        Command-line arguments (without the program name).
    env : mapping
        Environment variables.
    platform : str
        ``sys.platform``; the checks apply to Linux only.
    load : callable
        ``load(soname) -> bool``, whether a shared library loads.
    """
    if not platform.startswith("linux"):
        return None
    qpa = _platform(argv, env)
    if qpa in HEADLESS_PLATFORMS:
        return None
    has_x, has_wayland = bool(env.get("DISPLAY")), bool(env.get("WAYLAND_DISPLAY"))
    if not (has_x or has_wayland):
        if not qpa and any(a == "--self-test" or a.startswith("--self-test=") for a in argv):
            return None  # gui.app.run picks offscreen for a self-test with no display
        return NO_DISPLAY.format(prog=program())
    # xcb is used when asked for, or by default when no Wayland compositor is there
    if qpa == "xcb" or (not qpa and not has_wayland):
        missing = missing_xcb_libraries(load)
        if missing:
            return missing_message(missing)
    return None


def preflight(argv: Sequence[str] | None = None, stream: TextIO | None = None) -> int | None:
    """Run :func:`check` on this process; print the reason and return 1 if the GUI cannot
    start, None if it can."""
    argv = list(sys.argv[1:] if argv is None else argv)
    why = check(argv, os.environ)
    if why is None:
        return None
    print(why, file=stream or sys.stderr)
    return 1
