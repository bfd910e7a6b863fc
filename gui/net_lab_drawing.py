"""The network lab's draw scheduler: booking frames and spreading the drawing over ticks.

A mixin of :class:`gui.network_lab.NetworkLab`, kept apart because it is one job of the
lab's: while running, each display tick does at most one piece of drawing (one part of one
column's picture, the shared curves or the headers), so no tick blocks the event loop long.
"""

from __future__ import annotations

import time

from engine.nn.paced import DIVERGING_FACTOR, NetFrame, good
from engine.nn.presets import headlines

# Shared curves: at most 15 redraws a second (a loss curve needs no more). Redrawn on
# every new point they took a third of the GUI thread's busy time (profile under
# bench/gui_bench_network.py), Python time that holds the GIL the worker needs.
CURVES_S = 1 / 15
TEXTS_S = 0.15  # column headers likewise
# Drawing time one display tick may take while running: jobs follow one another until it
# is spent (parts of one column drawn in one tick reach the screen in one repaint), so a
# fast machine draws every new picture at once and a slow one spreads them over ticks.
DRAW_BUDGET_S = 0.008


class NetDrawMixin:
    """Frames from the worker, booked and drawn in turns (see the module docstring)."""

    def _on_frame(self) -> None:
        frame = self.bridge.take()
        now = time.perf_counter()
        self._update_rates(now)
        if (
            frame is not None
            and frame.generation == self._generation
            and len(frame.columns) == len(self._panels)
        ):
            self._take(frame)
        if self._frame is None:
            return
        if not self._running:
            # Paused, each frame is a deliberate step (or the step-0 picture): draw it all.
            if frame is not None:
                self._frames += 1
            if self.history_bar.slider.maximum() != max(len(self._history) - 1, 0):
                self._sync_history_bar()
            self._curves_dirty = self._texts_dirty = False
            self.curves.redraw()
            if self._view is None:
                self._draw(self._frame)
                self._set_texts(self._frame)
            return
        t0 = time.perf_counter()
        while self._run_one_job(now) and time.perf_counter() - t0 < DRAW_BUDGET_S:
            pass

    def _run_one_job(self, now: float) -> bool:
        """While running, one piece of drawing (the tick's budget decides how many).

        The pieces: one part of one column's picture (histograms and unit bars, the
        variances, or the data plot), the shared curves (whenever they have new points) or
        the headers (about 6 times a second), taken in turns. Drawing a whole column, or
        all of them, in one tick would block the event loop for tens of milliseconds.

        Unlike the landscape lab, this lab does not hold the worker while it draws: a unit
        of the worker's work (a lockstep step of every column plus, at times, one column's
        snapshot part) lasts several milliseconds, and waiting for it cost more than the
        contention it saved (bench/gui_bench_network.py, 1280x720: p99 lag 18-20 ms
        without holding, 26-27 ms with).
        """
        frame = self._frame
        n = len(self._panels)
        jobs = n + 2
        picked = None
        for k in range(jobs):
            job = (self._next_job + k) % jobs
            if job < n:
                pic = frame.pictures[job]
                if self._view is None and pic is not None:
                    parts = self._panels[job].pending(pic, frame.boundaries[job])
                    if parts:
                        picked = (job, parts[0])
            elif job == n:
                if self._curves_dirty and now - self._curves_t >= CURVES_S:
                    picked = (job, "")
            elif self._view is None and self._texts_dirty and now - self._texts_t >= TEXTS_S:
                picked = (job, "")
            if picked is not None:
                break
        if picked is None:
            return False
        job, part = picked
        self._next_job = (job + 1) % jobs
        self._frames += 1
        if job < n:
            panel = self._panels[job]
            panel.show_part(part, frame.pictures[job], frame.boundaries[job])
            if part == "hist":
                self._pictures_drawn += 1
        elif job == n:
            self._curves_t, self._curves_dirty = now, False
            self.curves.redraw()
        else:
            self._texts_t, self._texts_dirty = now, False
            self._set_texts(frame)
        return True

    def _take(self, frame: NetFrame) -> None:
        """Book a new frame: loss points, history, status (drawing comes later)."""
        self._frame = frame
        self._snapshots += 1
        for i, col in enumerate(frame.columns):
            if col is self._last_cols[i]:
                continue
            self._last_cols[i] = col
            self._texts_dirty = True
            if col.step == 0:
                self._start_losses[i] = col.train_loss
            if good(col):
                self._curves_dirty = True
                values = (col.train_loss, col.val_loss, col.train_acc, col.val_acc)
                self.curves.append(i, col.step, values)
                self.loss_log.append(i, col.step, values)
        if all(p is not None for p in frame.pictures):
            self._record(frame)
        status = tuple(c.status for c in frame.columns)
        if status != self._status:
            self._report_status(frame, status)
        self.step_changed.emit(int(frame.step))

    def _set_texts(self, frame: NetFrame) -> None:
        for panel, col, pic in zip(self._panels, frame.columns, frame.pictures, strict=True):
            panel.set_status(col, pic, frame.step)

    def _draw_column(self, i: int, frame: NetFrame) -> bool:
        pic = frame.pictures[i]
        if pic is None:
            return False
        if self._panels[i].show_picture(pic, frame.boundaries[i], frame.columns[i], frame.step):
            self._pictures_drawn += 1
            return True
        return False

    def _draw(self, frame: NetFrame) -> None:
        """Redraw every column whose picture changed (a recorded frame, or paused)."""
        for i in range(len(self._panels)):
            self._draw_column(i, frame)

    def _report_status(self, frame: NetFrame, status: tuple[str, ...]) -> None:
        old = self._status
        self._status = status
        if len(old) != len(status):
            return
        heads = headlines(self.columns)
        for i, (a, b) in enumerate(zip(old, status, strict=True)):
            if a != b and b == "diverging" and i not in self._warned_diverging:
                # Once per column and run: a sawtooth loss must not repeat the warning.
                self._warned_diverging.add(i)
                col = frame.columns[i]
                start = self._start_losses.get(i, float("nan"))
                self.message.emit(
                    "warning",
                    f"column {i + 1} ({heads[i]}) is diverging: loss {col.train_loss:.3g} at "
                    f"step {col.step:,}, over {DIVERGING_FACTOR:g}x its start ({start:.3g}); "
                    "try a smaller learning rate.",
                )
            if a != b and b == "diverged":
                col = frame.columns[i]
                self.message.emit(
                    "warning",
                    f"column {i + 1} ({heads[i]}) diverged at step {col.diverged_at:,}: its "
                    "loss is no longer a number. It keeps its last good picture; the other "
                    "columns go on.",
                )
