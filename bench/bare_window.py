"""A bare PySide6 window: the start-up baseline bench/bundle_bench.py compares the app with.

Imports QtWidgets, makes a QApplication and an empty 1440x900 main window, shows it, and on
its first paint writes the same stamp as the app (``"<time.time()> <process_time()>"`` to
``$DESCENTLAB_FIRST_FRAME_FILE``), then quits. Arguments (``--self-test PATH``) are ignored,
so the bench starts it exactly like the app.
"""

from __future__ import annotations

import os
import sys
import time


def main() -> int:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("bare")
    path = os.environ.get("DESCENTLAB_FIRST_FRAME_FILE")

    class Stamp(QObject):
        seen = False

        def eventFilter(self, obj, event) -> bool:
            if not self.seen and obj is window and event.type() == QEvent.Type.Paint:
                self.seen = True
                QTimer.singleShot(0, self.write)
            return False

        def write(self) -> None:
            if path:
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(f"{time.time()!r} {time.process_time()!r}")
            app.quit()

    stamp = Stamp()
    window.installEventFilter(stamp)
    window.resize(1440, 900)
    window.show()
    QTimer.singleShot(20_000, app.quit)  # never hang a bench
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
