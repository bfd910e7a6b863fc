"""Entry script frozen by test_bundle_export.py: record a few frames the way the app does.

Built with the app's own spec (`--entry`), so the frozen probe holds exactly the modules and
libraries the app bundle holds: the spec's hidden imports already cover engine, gui and the
export modules, and this script imports nothing beyond them.

    export_probe OUT_DIR [mp4]

Writes OUT_DIR/probe.gif (and OUT_DIR/probe.mp4 when asked, with ffmpeg taken from
IMAGEIO_FFMPEG_EXE) by driving gui.recorder.Recorder over a solid-colour widget, one frame
per colour in COLOURS, then OUT_DIR/done.txt. Exits 1 with the error in OUT_DIR/error.txt.
"""

import os
import sys
import traceback
from pathlib import Path

# (red, green, blue) of each recorded frame; the test decodes the GIF and expects these
COLOURS = ((213, 94, 0), (0, 114, 178), (240, 228, 66))
SIZE = (64, 48)


def record(path: Path) -> int:
    from PySide6.QtWidgets import QWidget

    from gui.recorder import Recorder

    widget = QWidget()
    widget.setFixedSize(*SIZE)
    widget.show()
    rec = Recorder(fps=10.0)
    for i, (r, g, b) in enumerate(COLOURS):
        widget.setStyleSheet(f"background-color: rgb({r}, {g}, {b});")
        widget.setAutoFillBackground(True)
        widget.repaint()
        if i == 0:
            rec.start(widget, path, timer=False)  # start() grabs the first frame itself
        else:
            rec.capture()
    rec.stop()
    return rec.frames


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    try:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication

        app = QApplication([sys.argv[0]])
        lines = [f"gif_frames {record(out / 'probe.gif')}"]
        if "mp4" in sys.argv[2:]:
            lines.append(f"mp4_frames {record(out / 'probe.mp4')}")
        del app
        (out / "done.txt").write_text("\n".join(lines) + "\n")
        return 0
    except BaseException:
        (out / "error.txt").write_text(traceback.format_exc())
        return 1


if __name__ == "__main__":
    sys.exit(main())
