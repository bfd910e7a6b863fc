"""A projector's window keeps its size through presentation mode, lessons and tab switches.

While the panels rearrange, the window's minimum size can pass 720 px for a moment; Qt then
grows the window (1280x730 on a 1280x720 projector) and never shrinks it back. The offscreen
platform does not grow windows, so this runs in a child process on a real X server (Xvfb).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.gui.helpers import start_xvfb

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import engine  # noqa: F401
from PySide6.QtCore import QTimer
from engine.scenario import builtin_scenarios
from gui.app import build_main_window, make_app

app = make_app([])
window = build_main_window()
window.resize(1280, 720)
window.show()
sizes = []
lesson = next(p for p, _ in builtin_scenarios() if p.name.startswith("11"))
steps = [
    lambda: (window.lessons.open_file(lesson), window.set_presentation(True),
             window.act_play.setChecked(True)),
    lambda: window.show_lab(window.labs[0]),
    lambda: window.set_presentation(False),
    lambda: None,
]

def step(k=0):
    if k:
        sizes.append([window.width(), window.height()])
    if k == len(steps):
        window.act_play.setChecked(False)
        print(json.dumps(sizes))
        window.shutdown()
        app.quit()
        return
    steps[k]()
    QTimer.singleShot(1500, lambda: step(k + 1))

QTimer.singleShot(500, step)
app.exec()
"""


def test_presentation_with_a_network_lesson_keeps_1280x720(tmp_path):
    proc, display = start_xvfb("1920x1080x24")
    try:
        env = dict(
            os.environ,
            DISPLAY=display,
            QT_QPA_PLATFORM="xcb",
            DESCENTLAB_STATE_DIR=str(tmp_path),
        )
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(ROOT)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        proc.terminate()
        proc.wait(10)
    assert out.returncode == 0, out.stderr[-2000:]
    sizes = [tuple(s) for s in __import__("json").loads(out.stdout.strip().splitlines()[-1])]
    assert sizes == [(1280, 720)] * 4, sizes
