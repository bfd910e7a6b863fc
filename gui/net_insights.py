"""The network lab's range test and Muon spectra panels, wired in one place.

:class:`NetLrRange` runs Smith's learning-rate range test for the selected column as a
one-off job on the worker (between training batches: the display never waits for it) and
applies the suggestion through the session (``SetColumnHyper``, undoable).
:class:`NetMuonSpectra` draws the selected Muon column's update spectra from each frame.
Each adds a checkable View action, as :class:`gui.net_sharpness.NetSharpness` does.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker

from engine.session.net_session import SetColumnHyper
from gui import theme
from gui.panels.lr_range_panel import LrRangePanel
from gui.panels.muon_spectra_panel import MuonSpectraPanel

RANGE_KEY = "T"
SPECTRA_KEY = "O"


def _range_job(i: int, seed: int):
    def command(engine):
        return engine.range_test(i, seed=seed)

    return command


def _place(lab, panel) -> None:
    panel.setVisible(False)
    lab.row.addWidget(panel)
    lab.row.setStretchFactor(lab.row.indexOf(panel), 1)


def _widen(lab, panel) -> None:
    """Give a panel that just appeared a quarter of the row, taken from the columns."""
    sizes = lab.row.sizes()
    want = sum(sizes) // 4
    k = lab.row.indexOf(panel)
    if sizes[k] < want:
        sizes[0] -= want - sizes[k]
        sizes[k] = want
        lab.row.setSizes(sizes)


def _label(lab, i: int) -> str:
    return lab.columns[i].label or f"column {i + 1}"


def _style(lab, i: int) -> theme.RunStyle:
    styles = getattr(lab, "_styles", ())
    return styles[i] if i < len(styles) else theme.run_style(i)


class NetLrRange:
    """Range-test panel and its action for one network lab."""

    def __init__(self, lab) -> None:
        self.lab = lab
        self.panel = LrRangePanel()
        _place(lab, self.panel)
        self.action = lab._lab_action(
            "Learning-rate &range test",
            RANGE_KEY,
            self.set_visible,
            checkable=True,
            tip="Sweep lr exponentially on a copy of the selected column; apply the suggestion",
        )
        self.panel.run_requested.connect(self.run)
        self.panel.apply_requested.connect(self.apply)
        self._job = 0

    def set_visible(self, on: bool) -> None:
        with QSignalBlocker(self.action):
            self.action.setChecked(bool(on))
        self.panel.setVisible(bool(on))
        if on:
            _widen(self.lab, self.panel)
            if self.panel.result is None or self.panel.column != self.lab.selected:
                self.run()

    def run(self) -> None:
        """Start a range test of the selected column on the worker."""
        i = self.lab.selected
        if not 0 <= i < len(self.lab.columns):
            return
        self._job += 1
        job = self._job
        self.panel.set_running(_label(self.lab, i))

        def done(result) -> None:
            if job == self._job and i < len(self.lab.columns):
                self.panel.show_result(result, i, _style(self.lab, i), _label(self.lab, i))

        def failed(text: str) -> None:
            if job == self._job:
                self.panel.show_error(text)

        seed = int(self.lab.columns[i].seed)
        self.lab.bridge.submit(_range_job(i, seed), on_result=done, on_error=failed)

    def apply(self, lr: float) -> None:
        """Set the tested column's learning rate to ``lr`` (one undoable edit)."""
        i = self.panel.column
        if 0 <= i < len(self.lab.columns):
            self.lab.edit(SetColumnHyper(i, "lr", float(lr)))

    def refresh(self, *_args) -> None:
        """A result of another column than the selected one is cleared."""
        if self.panel.result is not None and self.panel.column != self.lab.selected:
            self.panel.clear()

    def apply_scale(self, scale: theme.Scale) -> None:
        self.panel.apply_scale(scale)


class NetMuonSpectra:
    """Muon spectra panel and its action for one network lab."""

    def __init__(self, lab) -> None:
        self.lab = lab
        self.panel = MuonSpectraPanel()
        _place(lab, self.panel)
        self.action = lab._lab_action(
            "Muon &update spectra",
            SPECTRA_KEY,
            self.set_visible,
            checkable=True,
            tip="Singular values of each hidden layer's Muon update, before and after "
            "orthogonalisation",
        )
        lab.step_changed.connect(self.refresh)

    def set_visible(self, on: bool) -> None:
        with QSignalBlocker(self.action):
            self.action.setChecked(bool(on))
        self.panel.setVisible(bool(on))
        if on:
            _widen(self.lab, self.panel)
        self.refresh()

    def refresh(self, *_args) -> None:
        """Draw the selected column's spectra from the newest frame (if the panel shows)."""
        if not self.panel.isVisible():
            return
        i = self.lab.selected
        if not 0 <= i < len(self.lab.columns):
            return
        frame = self.lab.last_frame
        all_spectra = getattr(frame, "spectra", ()) if frame is not None else ()
        spectra = all_spectra[i] if i < len(all_spectra) else ()
        muon = self.lab.columns[i].optimizer == "muon"
        self.panel.show_spectra(spectra if muon else (), _label(self.lab, i), muon)

    def apply_scale(self, scale: theme.Scale) -> None:
        self.panel.apply_scale(scale)
