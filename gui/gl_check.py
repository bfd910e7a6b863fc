"""Whether this machine can draw the 3-D view, found out without risking the process.

Creating a ``QOpenGLWidget`` where OpenGL does not work can abort the whole process (Qt
calls ``qFatal`` when the window's RHI back end or a GLX visual cannot be had), so nothing
here creates one in the app's own process. The check is layered, cheapest first:

1. the Qt platform: ``offscreen`` and ``minimal`` draw nothing on a screen;
2. PyOpenGL must import (it loads ``libGL``; a missing library is an ``ImportError``);
3. a ``QOpenGLContext`` must be created and made current on a ``QOffscreenSurface`` (Qt
   returns ``False`` here rather than aborting);
4. in a child process on the same platform and display, a real GL view window with a
   surface on it is shown and must paint one frame (a crash there costs only the child).

The answer is computed once per process and cached. Setting ``DESCENT_LAB_OPENGL=0`` turns
the 3-D view off by hand (a remote desktop whose GL works but is too slow to use).
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys

from PySide6.QtGui import QGuiApplication, QOffscreenSurface, QOpenGLContext

NO_GL_PLATFORMS = frozenset({"offscreen", "minimal", "minimalegl", "vnc"})
ENV_SWITCH = "DESCENT_LAB_OPENGL"
CHILD_TIMEOUT_S = 20.0
CHILD_FLAG = "--probe-opengl"
MIN_GL = (2, 1)  # pyqtgraph.opengl's shaders are GLSL 1.20
GL_RENDERER, GL_VERSION = 0x1F01, 0x1F02


def opengl_available(child: bool = True) -> tuple[bool, str]:
    """Whether the 3-D view can be shown, and one line saying why (or why not).

    Parameters
    ----------
    child : bool
        Also show a real GL widget in a child process (the only check that catches a
        platform that creates contexts but aborts on the first GL window). The app passes
        True; False gives the in-process checks alone.

    Returns
    -------
    ok : bool
    reason : str
        One line for a status bar, e.g. ``"OpenGL 4.5 (llvmpipe (LLVM 15.0.6, 256 bits))"``
        or ``"3-D view off: the offscreen platform has no OpenGL"``.
    """
    return _cached(bool(child))


@functools.cache
def _cached(child: bool) -> tuple[bool, str]:
    if os.environ.get(ENV_SWITCH, "").strip().lower() in {"0", "off", "no", "false"}:
        return False, f"3-D view off: {ENV_SWITCH}=0 is set"
    app = QGuiApplication.instance()
    if app is None:
        return False, "3-D view off: no Qt application yet"
    platform = QGuiApplication.platformName()
    if platform in NO_GL_PLATFORMS:
        return False, f"3-D view off: the {platform} platform has no OpenGL"
    try:
        import OpenGL.GL  # noqa: F401  (loads libGL)
        import pyqtgraph.opengl  # noqa: F401
    except Exception as exc:  # ImportError, OSError, NullFunctionError: all mean "no GL"
        return False, f"3-D view off: OpenGL library not usable ({_one_line(exc)})"
    ok, info = _context_check()
    if not ok:
        return False, f"3-D view off: {info}"
    if child:
        ok, why = _child_check(platform)
        if not ok:
            return False, f"3-D view off: {why}"
    return True, info


def _context_check() -> tuple[bool, str]:
    ctx = QOpenGLContext()
    if not ctx.create():
        return False, "no OpenGL context could be created"
    surface = QOffscreenSurface()
    surface.setFormat(ctx.format())
    surface.create()
    try:
        if not surface.isValid() or not ctx.makeCurrent(surface):
            return False, "an OpenGL context could not be made current"
        fmt = ctx.format()
        version = (fmt.majorVersion(), fmt.minorVersion())
        funcs = ctx.functions()
        renderer = funcs.glGetString(GL_RENDERER) or "unknown renderer"
        ctx.doneCurrent()
    finally:
        surface.destroy()
    if version < MIN_GL:
        return False, f"OpenGL {version[0]}.{version[1]} is older than the 2.1 needed"
    return True, f"OpenGL {version[0]}.{version[1]} ({renderer})"


def probe_command() -> list[str]:
    """The child process's command line: the frozen app runs its own probe (main.py routes
    ``--probe-opengl`` to :func:`probe_main`); from source, ``python -m gui.gl_check``."""
    if getattr(sys, "frozen", False):
        return [sys.executable, CHILD_FLAG]
    return [sys.executable, "-m", "gui.gl_check", CHILD_FLAG]


def _child_check(platform: str) -> tuple[bool, str]:
    env = dict(os.environ, QT_QPA_PLATFORM=platform)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    try:
        proc = subprocess.run(
            probe_command(),
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, f"a test OpenGL window did not paint within {CHILD_TIMEOUT_S:g} s"
    except OSError as exc:
        return False, f"could not start the OpenGL test ({_one_line(exc)})"
    if proc.returncode == 0 and "painted" in proc.stdout:
        return True, ""
    if proc.returncode < 0:
        return False, f"a test OpenGL window crashed (signal {-proc.returncode})"
    last = (proc.stdout + proc.stderr).strip().splitlines()
    return False, f"a test OpenGL window failed ({last[-1] if last else proc.returncode})"


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:160]


def probe_main() -> int:
    """The child's side: show a small GL surface, wait for one painted frame, exit 0."""
    import numpy as np
    import pyqtgraph.opengl as gl
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    QApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication([sys.argv[0]])
    from pyqtgraph.opengl.GLViewWidget import GLViewMixin
    from PySide6.QtOpenGL import QOpenGLWindow

    painted = []

    class ProbeView(GLViewMixin, QOpenGLWindow):
        # The same kind of GL window as the 3-D view (gui.panels.surface3d_panel.SurfaceView).
        def paintGL(self, *args, **kwargs) -> None:
            super().paintGL(*args, **kwargs)
            painted.append(True)
            QTimer.singleShot(0, app.quit)

    view = ProbeView()
    z = np.add.outer(np.linspace(-1, 1, 8) ** 2, np.linspace(-1, 1, 8) ** 2)
    view.addItem(gl.GLSurfacePlotItem(z=z, shader="shaded"))
    view.resize(64, 64)
    view.show()
    QTimer.singleShot(int(CHILD_TIMEOUT_S * 1000) - 2000, app.quit)
    app.exec()
    if painted:
        print("painted")
        return 0
    print("no frame was painted")
    return 1


if __name__ == "__main__" and CHILD_FLAG in sys.argv:
    sys.exit(probe_main())
