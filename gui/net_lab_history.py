"""The network lab's picture history: recording frames, scrubbing back, going live.

A mixin of :class:`gui.network_lab.NetworkLab` (it uses the lab's ``history_bar``,
``curves`` and drawing methods), kept apart because it is one job of the lab's.
"""

from __future__ import annotations

import time

import numpy as np

from engine.nn.paced import NetFrame

HISTORY_MAX = 400  # recorded pictures; thinned by half when full
# While live the slider's handle sits at its end whatever the count, so its range follows
# at this pace (each change repaints the slider and the widgets behind it); it is brought
# up to date before any scrubbing.
HISTORY_BAR_S = 0.5


def picture_steps(frame: NetFrame) -> list[int]:
    """Sorted distinct steps of ``frame``'s column pictures."""
    return sorted({int(p.step) for p in frame.pictures if p is not None})


def name_steps(steps: list[int]) -> str:
    """``"step 1,200"`` or ``"steps 1,180-1,200"`` (each column's header names its own)."""
    if not steps:
        return "step 0"
    if len(steps) == 1:
        return f"step {steps[0]:,}"
    return f"steps {steps[0]:,}–{steps[-1]:,}"


class NetHistoryMixin:
    """Recorded pictures of the network lab and the history bar that scrubs them."""

    def _clear_history(self) -> None:
        self._history = []
        self._view = None
        self.history_bar.set_live(True)
        self.history_bar.set_count(0)
        self.history_bar.set_position_text("live")
        self.curves.set_cursor(None)

    def _record(self, frame: NetFrame) -> None:
        last = self._history[-1] if self._history else None
        if last is not None and all(
            a is b for a, b in zip(last.pictures, frame.pictures, strict=True)
        ):
            return
        self._history.append(frame)
        if len(self._history) > HISTORY_MAX:
            # Thin out evenly, keeping the newest: old times stay reachable, coarser.
            self._history = self._history[-1::-2][::-1]
            if self._view is not None:
                self.history_bar.set_count(len(self._history))
                self.history_bar.set_index(self._history_index(self._view))
        stale = time.perf_counter() - self._history_t >= HISTORY_BAR_S
        if not self._running or self._view is not None or stale:
            self._sync_history_bar()

    def _sync_history_bar(self) -> None:
        """Give the history bar the current number of recorded pictures."""
        self._history_t = time.perf_counter()
        self.history_bar.set_count(len(self._history))

    def _history_index(self, frame: NetFrame) -> int:
        for k, f in enumerate(self._history):
            if f is frame:
                return k
        steps = [f.step for f in self._history]
        return int(np.argmin(np.abs(np.asarray(steps) - frame.step))) if steps else 0

    def _on_scrub(self, index: int) -> None:
        if not 0 <= index < len(self._history):
            return
        view = self._view = self._history[index]
        # The pictures' own steps (a running column's picture may be a little older than
        # the frame's step): the bar, the cursor and each header name what is drawn.
        steps = picture_steps(view)
        live = self._frame.step if self._frame else 0
        self.history_bar.set_position_text(f"{name_steps(steps)} of {live:,}")
        self.curves.set_cursor(steps[-1] if steps else view.step)
        self._draw(view)
        one = steps[0] if len(steps) == 1 else None
        for panel, pic in zip(self._panels, view.pictures, strict=True):
            if pic is not None:
                panel.set_status(pic, pic, one)

    def _scrub_by(self, delta: int) -> None:
        if not self._history:
            return
        self._sync_history_bar()
        if self._view is None:
            self.history_bar.set_live(False)
            self.history_bar.set_index(len(self._history) - 1)
        self.history_bar.step_by(delta)

    def go_live(self) -> None:
        """Show the newest picture again and follow on."""
        self._view = None
        self.history_bar.set_live(True)
        self.history_bar.set_position_text("live")
        self.curves.set_cursor(None)
        if self._frame is not None:
            self._draw(self._frame)

    @property
    def viewing_history(self) -> bool:
        return self._view is not None

    @property
    def shown_frame(self) -> NetFrame | None:
        """The frame on screen: a recorded one while scrubbing, else the newest."""
        return self._view if self._view is not None else self._frame
