"""What the main window needs from a lab: transport, presentation, actions, shut-down.

A *lab* is one page of the main window (the landscape lab, the network lab...). The main
window owns the transport (play/pause, step, reset, speed), menus, toolbar and status bar;
it drives whichever lab is showing through this interface, so adding a lab is
``window.add_lab(title, lab)`` and nothing else.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QGraphicsView, QWidget

from gui.icons import icon
from gui.theme import NORMAL, Scale


def make_action(
    parent: QObject,
    text: str,
    shortcuts: list[str] | str | QKeySequence.StandardKey,
    slot,
    *,
    icon_name: str | None = None,
    checkable: bool = False,
    tip: str = "",
) -> QAction:
    """A window-wide action with its shortcuts, icon and tooltip naming the keys.

    The one recipe for every action of the window and of the labs: ``slot`` takes
    ``toggled(bool)`` when ``checkable``, else ``triggered``.
    """
    act = QAction(text, parent)
    if isinstance(shortcuts, QKeySequence.StandardKey):
        act.setShortcut(QKeySequence(shortcuts))
    else:
        keys = [shortcuts] if isinstance(shortcuts, str) else shortcuts
        act.setShortcuts([QKeySequence(k) for k in keys])
    act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if icon_name:
        act.setIcon(icon(icon_name))
    act.setCheckable(checkable)
    plain = tip or text.replace("&", "")
    seq = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    act.setToolTip(f"{plain}  ({seq})" if seq else plain)
    act.setStatusTip(plain)
    (act.toggled if checkable else act.triggered).connect(slot)
    return act


class Lab(QWidget):
    """Base class of a lab page. Subclasses override the transport methods.

    Signals
    -------
    running_changed(bool)
        The lab started or stopped running (also when it stops by itself).
    message(str, str)
        ``(level, text)`` for the status bar; level is ``"info"``, ``"warning"`` or
        ``"error"``.
    step_changed(int)
        The step count shown changed (emitted at most once per frame).
    session_changed()
        The lab's session changed (an edit, undo or redo): menus refresh their labels.
    """

    running_changed = Signal(bool)
    message = Signal(str, str)
    step_changed = Signal(int)
    session_changed = Signal()

    #: The lab's :class:`engine.session.Session`, if it has one (undo, redo, autosave).
    session = None

    #: Title of the lab's own menu (its :meth:`lab_actions`).
    menu_title = "Lab"

    #: Sections of a scenario file this lab reads (``"race"``, ``"network"``).
    scenario_keys: tuple[str, ...] = ()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scale = NORMAL

    # -- transport ----------------------------------------------------------------------
    def set_running(self, running: bool) -> None:
        raise NotImplementedError

    def is_running(self) -> bool:
        raise NotImplementedError

    def step_once(self) -> None:
        raise NotImplementedError

    def reset(self) -> None:
        raise NotImplementedError

    def set_speed(self, steps_per_second: float | None) -> None:
        """``None`` means as fast as the machine goes."""
        raise NotImplementedError

    def current_step(self) -> int:
        raise NotImplementedError

    # -- read-outs for the status bar ----------------------------------------------------
    def frames_per_second(self) -> float:
        return 0.0

    def steps_per_second(self) -> float:
        return 0.0

    # -- presentation and actions -------------------------------------------------------
    def set_scale(self, scale: Scale) -> None:
        """Resize fonts, lines and markers (presentation mode)."""
        self._scale = scale

    def set_presentation(self, on: bool) -> None:
        """Presentation mode toggled (after :meth:`set_scale`): e.g. hide settings panels."""

    def lab_actions(self) -> list[QAction]:
        """Actions for this lab's menu; ``None`` entries become separators."""
        return []

    def toolbar_actions(self) -> list[QAction | QWidget | None]:
        """Actions or widgets for the toolbar while this lab shows."""
        return []

    # -- lessons (scenario files) ------------------------------------------------------
    def scenario_section(self) -> dict:
        """The lab's current set-up as :class:`~engine.scenario.Scenario` fields.

        E.g. ``{"race": RaceConfig(...)}``. Labs that cannot save lessons raise
        NotImplementedError (the default).
        """
        raise NotImplementedError

    def apply_scenario(self, scenario) -> None:
        """Load the lab's section of ``scenario`` at step 0, paused.

        Raises ValueError (lab unchanged) if the section is missing or invalid;
        NotImplementedError (the default) if the lab cannot open lessons.
        """
        raise NotImplementedError

    def export_csv(self, path) -> str:
        """Write the lab's data as CSV to ``path``; returns the status-bar text.

        Raises ValueError when there is nothing to export, OSError when unwritable.
        """
        raise ValueError("this lab has nothing to export as CSV")

    def activate(self, active: bool) -> None:
        """Called when the lab's tab is shown (True) or hidden (False).

        A hidden lab stops, and its actions go invisible: Qt ignores the shortcuts of
        invisible actions, so a hidden lab's keys never shadow the showing lab's.
        """
        if not active and self.is_running():
            self.set_running(False)
        for act in self.lab_actions():
            if act is not None:
                act.setVisible(active)

    def _lab_action(self, text, keys, slot, icon_name=None, checkable=False, tip="") -> QAction:
        """An action of this lab (:func:`make_action` with the lab as parent)."""
        return make_action(
            self, text, keys, slot, icon_name=icon_name, checkable=checkable, tip=tip
        )

    # -- session ------------------------------------------------------------------------
    def edit(self, edit) -> bool:
        """Send ``edit`` (an :mod:`engine.session` edit) to the lab's session.

        The session validates it once; a bad one becomes an error message and leaves the
        set-up unchanged. Returns success.
        """
        try:
            self.session.apply(edit)
        except ValueError as exc:
            self.message.emit("error", str(exc))
            return False
        return True

    def undo(self) -> None:
        """Take back the newest edit of the lab's session."""
        if self.session is not None and self.session.undo() is None:
            self.message.emit("info", "nothing to undo")

    def redo(self) -> None:
        """Apply again the edit undone last."""
        if self.session is not None and self.session.redo() is None:
            self.message.emit("info", "nothing to redo")

    # -- view settings (not part of the session: no undo, but autosaved) -----------------
    def smoothing_control(self):
        """The :class:`gui.panels.smoothing_control.SmoothingControl` of the lab's loss
        plot, or ``None``."""
        return None

    def recordable_panels(self) -> dict[str, QWidget]:
        """``{name: panel}`` a recording can show instead of the whole lab."""
        return {}

    def view_state(self) -> dict:
        """View settings to keep across a restart: ``{"smoothing": weight}``."""
        control = self.smoothing_control()
        return {} if control is None else {"smoothing": control.weight}

    def apply_view_state(self, state: dict) -> None:
        """Apply :meth:`view_state`'s dict; ValueError (nothing changed) if it is bad."""
        if not isinstance(state, dict):
            raise ValueError(f"view settings must be a mapping; got {state!r}")
        weight = state.get("smoothing")
        control = self.smoothing_control()
        if weight is None or control is None:
            return
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise ValueError(f"smoothing must be a number; got {weight!r}")
        control.set_weight(weight)
        # set_weight is quiet; the plot follows the control's signal.
        control.weight_changed.emit(control.weight)

    def self_test_check(self) -> str | None:
        """After a self-test run: ``None`` if the lab did its job, else what went wrong."""
        return None

    def shutdown(self) -> None:
        """Stop and join worker threads; called once, before the application quits."""


class BridgedLab(Lab):
    """A lab whose engine runs on an :class:`gui.worker.EngineBridge` held as ``self.bridge``.

    Provides the transport and read-outs every such lab shares; a subclass sets
    ``self.bridge`` and ``self._running``, bumps ``self._frames`` per frame drawn, calls
    :meth:`_update_rates` from its frame timer, and implements ``set_running``, ``reset``
    and ``current_step``.
    """

    #: Status-bar text when the engine raised and the lab stopped (followed by the error).
    stopped_text = "the engine stopped"
    #: Status-bar text when every run or column stopped by itself (converged, diverged).
    finished_text = "every run has stopped"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._running = False
        self._frames = 0
        self._fps = 0.0
        self._sps = 0.0
        self._rate_t = time.perf_counter()
        self._rate_frames = 0
        self._rate_step = 0

    def is_running(self) -> bool:
        return self._running

    def step_once(self) -> None:
        if self._running:
            self.set_running(False)
        self.bridge.step_once(1)

    def set_speed(self, steps_per_second: float | None) -> None:
        self.bridge.set_speed(steps_per_second)

    def frames_per_second(self) -> float:
        return self._fps

    def steps_per_second(self) -> float:
        return self._sps

    @property
    def frames_drawn(self) -> int:
        """Display frames that drew something new."""
        return self._frames

    def _update_rates(self, now: float) -> None:
        """Refresh frames/s and steps/s at most once a second (cheap enough per frame)."""
        if now - self._rate_t < 1.0:
            return
        dt = now - self._rate_t
        self._fps = (self._frames - self._rate_frames) / dt
        step = self.current_step()
        self._sps = max(0, step - self._rate_step) / dt
        self._rate_t, self._rate_frames, self._rate_step = now, self._frames, step

    def _hide_sidebar_for_presentation(self, on: bool) -> None:
        """Presentation hides the lab's settings sidebar and, leaving it, restores it as it
        was (the lab has ``sidebar``, ``act_sidebar`` and ``set_sidebar_visible``)."""
        if on:
            self._sidebar_before = (
                self.sidebar.isVisible() if self.isVisible() else self.act_sidebar.isChecked()
            )
            self.set_sidebar_visible(False)
        elif getattr(self, "_sidebar_before", None) is not None:
            self.set_sidebar_visible(self._sidebar_before)
            self._sidebar_before = None

    def set_sidebar_visible(self, on: bool) -> None:
        """Show or hide the settings sidebar (``self.sidebar``, toggled by ``act_sidebar``)."""
        with QSignalBlocker(self.act_sidebar):
            self.act_sidebar.setChecked(bool(on))
        self.sidebar.setVisible(bool(on))

    def _on_bridge_stopped(self, running: bool) -> None:
        """The worker stopped by itself (every run finished): the lab follows."""
        if not running and self._running:
            self._running = False
            self._on_finished()
            self.running_changed.emit(False)
            self.message.emit("info", self.finished_text)

    def _on_finished(self) -> None:
        """Hook: the engine stopped by itself, before the window hears of it."""

    def shutdown(self) -> None:
        """Stop the frame timer and join the worker (say so if it would not stop)."""
        self.frame_timer.stop()
        if not self.bridge.stop():
            self.message.emit("error", "the engine thread did not stop in time")

    def _paint_now(self, *views: QGraphicsView) -> None:
        """Paint what this frame changed right away, while the worker waits at the gate.

        Left to the event loop, the paint would come after the zero-timer that lets the
        worker go on, and the two threads would then trade the GIL at every call into Qt
        (measured: paint took 2-3 times its CPU time). A graphics scene hands its changes
        to the views by a queued call, so those are delivered first; then the window's
        pending update request is served, which paints every dirty widget at once.
        """
        for view in views:
            QCoreApplication.sendPostedEvents(view.scene(), QEvent.Type.MetaCall)
        QCoreApplication.sendPostedEvents(self.window(), QEvent.Type.UpdateRequest)

    def _on_engine_failed(self, text: str) -> None:
        """The worker's engine raised: stop, and say so (labs driving an EngineBridge)."""
        self._running = False
        self.bridge.set_running(False)
        self.running_changed.emit(False)
        self.message.emit("error", f"{self.stopped_text}: {text}")
