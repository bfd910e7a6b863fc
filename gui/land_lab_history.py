"""The landscape lab's history scrub: drag back through the race, every panel at that step.

A mixin of :class:`gui.landscape_lab.LandscapeLab` (it uses the lab's panels and its newest
snapshot), kept apart because it is one job of the lab's. The race keeps a bounded, thinned
history (:class:`engine.trajectory.TrajectoryBuffer`: the recent points exactly, the distant
past every ``stride``-th step), so the slider runs over the *recorded* steps of the snapshot
on screen when scrubbing began; the step shown is always a recorded one and the bar names
it. The race goes on meanwhile; "Live", the End of the slider or pressing play return.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from engine.runs import RaceSnapshot
from engine.trajectory import History
from gui.controls.history_bar import HistoryBar

HISTORY_BAR_S = 0.5  # while live the slider's range follows at this pace (see net lab)


def snapshot_at(snap: RaceSnapshot, index: int) -> RaceSnapshot:
    """``snap`` as it was at its ``index``-th recorded point (0 = the start).

    Positions, losses and trajectories are the recorded ones; a run that stopped later than
    that step is shown running; what the history does not record (gradient vectors, the
    last update, optimizer moments) is NaN.

    Parameters
    ----------
    snap : RaceSnapshot
        With ``n_runs`` histories of ``m`` recorded points each (lockstep: one steps array).
    index : int
        In ``[0, m)``.
    """
    hists = snap.histories
    m = len(hists[0]) if hists else 0
    if not 0 <= index < m:
        raise ValueError(f"recorded point {index} of {m}")
    k = int(hists[0].steps[index])
    cut = tuple(
        History(
            h.steps[: index + 1], h.xy[: index + 1], h.loss[: index + 1], h.grad_norm[: index + 1]
        )
        for h in hists
    )
    n = snap.n_runs
    nan2 = np.full((n, 2), np.nan)
    nan2.flags.writeable = False
    stopped = [e is not None and e <= k for e in snap.event_step]
    positions = np.array([h.xy[-1] for h in cut]).reshape(n, 2)
    losses = np.array([h.loss[-1] for h in cut])
    for a in (positions, losses):
        a.flags.writeable = False
    return replace(
        snap,
        step=k,
        positions=positions,
        losses=losses,
        grads=nan2,
        updates=nan2,
        velocity=nan2,
        first_moment=nan2,
        second_moment=nan2,
        effective_lr=nan2,
        status=tuple(
            s if done else "running" for s, done in zip(snap.status, stopped, strict=True)
        ),
        event_step=tuple(
            e if done else None for e, done in zip(snap.event_step, stopped, strict=True)
        ),
        histories=cut,
        stability=None,
        sf_points=None,
        equation=None,
    )


class LandHistoryMixin:
    """The history bar of the landscape lab and the scrubbed view of the race."""

    def _build_history(self) -> None:
        self.history_bar = HistoryBar()
        self.history_bar.slider.setToolTip(
            "Scrub back through the race's recorded steps (the distant past is thinned); "
            "the race goes on meanwhile"
        )
        self.history_bar.live_button.setToolTip("Back to the race as it is now")
        # Under the surface, inside its card: it takes its height from the surface, so the
        # right column keeps its plots' minimum sizes on a 1280x720 projector.
        self.surface.add_body(self.history_bar, 0)
        self.history_bar.scrubbed.connect(self.show_recorded)
        self.history_bar.live_requested.connect(self.go_live)
        self._hist_source: RaceSnapshot | None = None  # the race as it was when scrubbing began
        self._hist_view: RaceSnapshot | None = None
        self._hist_t = 0.0
        self.loss_cursor = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen("#444", width=2, style=Qt.PenStyle.DashLine)
        )
        self.loss_cursor.setZValue(20)
        self.loss_cursor.setVisible(False)
        self.loss.plot_widget.addItem(self.loss_cursor)

    @property
    def viewing_history(self) -> bool:
        return self._hist_view is not None

    @property
    def shown_snapshot(self) -> RaceSnapshot | None:
        """What the panels show: a recorded step while scrubbing, else the newest frame."""
        return self._hist_view if self._hist_view is not None else self._last_snap

    def _history_holds(self, snap: RaceSnapshot) -> bool:
        """A new frame came: count its recorded steps; True if history is on screen (then
        the frame is not drawn)."""
        if self._hist_view is not None:
            return True
        now = time.perf_counter()
        if not self._running or now - self._hist_t >= HISTORY_BAR_S:
            self._hist_t = now
            self.history_bar.set_count(len(snap.histories[0]) if snap.histories else 0)
        return False

    def show_recorded(self, index: int) -> RaceSnapshot | None:
        """Show the ``index``-th recorded point of the race (0 = the start) on every panel."""
        if self._hist_source is None:
            self._hist_source = self._last_snap
            if self._hist_source is None:
                return None
            self.history_bar.set_count(len(self._hist_source.histories[0]))
        src = self._hist_source
        m = len(src.histories[0])
        index = min(max(int(index), 0), m - 1)
        if self.history_bar.live:
            self.history_bar.set_live(False)
        self.history_bar.set_index(index)
        view = self._hist_view = snapshot_at(src, index)
        self.history_bar.set_position_text(f"step {view.step:,} of {src.step:,}")
        self.surface.restart_trails()
        self.surface.update_snapshot(view)
        self.surface3d.update_snapshot(view)
        self.table.update_snapshot(view)
        self.loss_cursor.setPos(view.step)
        self.loss_cursor.setVisible(True)
        return view

    def show_step(self, step: int) -> RaceSnapshot | None:
        """Show the recorded step nearest ``step`` (the past is thinned: see the bar's text)."""
        src = self._hist_source if self._hist_source is not None else self._last_snap
        if src is None or not src.histories:
            return None
        steps = src.histories[0].steps
        return self.show_recorded(int(np.argmin(np.abs(steps - int(step)))))

    def _forget_history(self) -> None:
        """The race starts over: no recorded steps, live."""
        self._hist_source = self._hist_view = None
        self.history_bar.set_live(True)
        self.history_bar.set_count(0)
        self.history_bar.set_position_text("live")
        self.loss_cursor.setVisible(False)

    def go_live(self) -> None:
        """Back to the race as it is, following on."""
        was = self._hist_view is not None
        self._hist_source = self._hist_view = None
        self.history_bar.set_live(True)
        self.history_bar.set_position_text("live")
        self.loss_cursor.setVisible(False)
        if was and self._last_snap is not None:
            self.surface.restart_trails()
            self._draw_frame(self._last_snap, time.perf_counter())
