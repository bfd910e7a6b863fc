"""A Descent Lab process for the autosave tests: ``python autosave_probe.py MODE``.

It starts as the app does (``gui.app``: the same window, autosave on, restored after the
first paint), then, once restored:

* ``change``: switches the landscape lab to Himmelblau, waits 3 s and kills itself with
  SIGKILL (no quit, no save on quit: only the timed autosave can have kept the change);
* ``resize``: makes the window 1180x700, shows the network lab at 1000 steps/s, and quits
  normally;
* ``report``: prints what it restored as one JSON line and quits.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer

from gui.app import build_main_window, make_app


def main(mode: str) -> int:
    app = make_app([])
    window = build_main_window()
    autosave = window.enable_autosave()
    app.aboutToQuit.connect(autosave.save_now)
    app.aboutToQuit.connect(window.shutdown)
    window.resize(1440, 900)

    def act() -> None:
        lab = window.lab_at(0)
        if mode == "change":
            lab.set_landscape("himmelblau", {})
            QTimer.singleShot(3000, lambda: os.kill(os.getpid(), signal.SIGKILL))
        elif mode == "resize":
            window.resize(1180, 700)
            window.tabs.setCurrentIndex(1)
            window.set_speed(1000)
            QTimer.singleShot(200, window.close)
        else:
            report = {
                "landscape": lab.config.landscape,
                "size": [window.width(), window.height()],
                "lab": window.tabs.currentIndex(),
                "speed": window.speed(),
            }
            print(json.dumps(report), flush=True)
            QTimer.singleShot(0, window.close)

    # After the restore (itself queued after the first paint).
    window.first_frame_painted.connect(lambda: QTimer.singleShot(50, act))
    window.show()
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
