"""The network lab's sharpness plot, wired in one place.

:class:`NetSharpness` builds the panel beside the loss curves, adds its View action (K, as
the landscape lab's curvature view) and, while it shows, asks the worker to measure every
:data:`EVERY` steps (nothing is measured while it is hidden). Each frame carries the
tracks; the panel draws the selected column's.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker

from gui import theme
from gui.panels.sharpness_panel import SharpnessPanel

KEY = "K"
#: Steps between two measurements of one column (each costs ~2 x 12 full-batch passes).
EVERY = 25


def _measure_every(every: int):
    def command(engine) -> None:
        engine.set_sharpness_every(every)

    return command


class NetSharpness:
    """Sharpness panel and its action for one network lab."""

    def __init__(self, lab) -> None:
        self.lab = lab
        self.panel = SharpnessPanel()
        self.panel.setVisible(False)
        lab.row.addWidget(self.panel)
        lab.row.setStretchFactor(lab.row.indexOf(self.panel), 1)
        self.action = lab._lab_action(
            "Show &sharpness vs 2/lr",
            KEY,
            self.set_visible,
            checkable=True,
            tip="Top Hessian eigenvalue of the training loss against 2/lr (edge of stability)",
        )
        lab.step_changed.connect(self.refresh)

    def set_visible(self, on: bool) -> None:
        with QSignalBlocker(self.action):
            self.action.setChecked(bool(on))
        self.panel.setVisible(bool(on))
        if on:
            # a readable plot: a third of the row, taken from the columns
            sizes = self.lab.row.sizes()
            want = sum(sizes) // 4
            k = self.lab.row.indexOf(self.panel)
            if sizes[k] < want:
                sizes[0] -= want - sizes[k]
                sizes[k] = want
                self.lab.row.setSizes(sizes)
        self.lab.bridge.submit(_measure_every(EVERY if on else 0), key="sharpness-every")
        self.refresh()

    def refresh(self, *_args) -> None:
        """Draw the selected column's track from the newest frame (if the panel shows)."""
        if not self.panel.isVisible():
            return
        frame = self.lab.last_frame
        i = int(getattr(self.lab, "_selected", 0))
        tracks = getattr(frame, "sharpness", ()) if frame is not None else ()
        columns = self.lab.columns
        if not 0 <= i < len(columns):
            return
        track = tracks[i] if i < len(tracks) else None
        label = columns[i].label or f"column {i + 1}"
        styles = getattr(self.lab, "_styles", ())
        style = styles[i] if i < len(styles) else theme.run_style(i)
        self.panel.show_track(track, style, label, EVERY)

    def apply_scale(self, scale: theme.Scale) -> None:
        self.panel.apply_scale(scale)
