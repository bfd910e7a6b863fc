"""Descent Lab entry point.

``python main.py``                       opens the app
``python main.py --headless ...``        runs a race or a network comparison without a screen
``python main.py --list``                lists landscapes, optimizers, schedules, tasks...
``python main.py --self-test OUT.png``   opens the window offscreen, runs, saves a screenshot
"""

from __future__ import annotations

import gc
import sys

import engine  # noqa: F401  (pins BLAS to one thread before numpy loads)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--probe-opengl"]:
        # The 3-D view's OpenGL test window, run in a child process (gui/gl_check.py): a
        # frozen app has no `python -m`, so it starts itself with this flag.
        from gui.gl_check import probe_main

        return probe_main()
    if "--headless" in argv or "--list" in argv:
        from engine.cli import main as cli_main

        return cli_main([a for a in argv if a != "--headless"])
    from gui.preflight import preflight  # no Qt: says why the GUI cannot start, if so

    status = preflight(argv)
    if status is not None:
        return status
    # The GUI's imports make ~95k objects that live as long as the app; collecting while
    # they are made cost ~0.1 s of the start (measured). run() resumes after the first frame.
    gc.disable()
    from gui.app import run

    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
