"""The main window: labs as tabs, one transport for whichever lab shows, menus and shortcuts.

A lab can be added built (:meth:`MainWindow.add_lab`) or as a factory
(:meth:`MainWindow.add_lazy_lab`): a lazy lab is made the first time its tab shows or
something asks for it (a lesson for its scenario section, :meth:`MainWindow.lab_at`), so a
lab nobody opens costs the start-up nothing (its imports included).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QSignalBlocker, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QSlider,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine import APP_NAME
from gui import theme
from gui.dialogs import Dialogs
from gui.export import Exporter
from gui.icons import icon
from gui.lab import Lab, make_action
from gui.lessons import LessonMenu
from gui.line_width import LineWidthMenu
from gui.panels.lesson_panel import LessonBanner

# Speed slider positions: steps per second on a 1-2-5 ladder, then "as fast as possible".
SPEEDS: tuple[float | None, ...] = (
    1,
    2,
    5,
    10,
    20,
    50,
    100,
    200,
    500,
    1000,
    2000,
    5000,
    10000,
    None,
)
DEFAULT_SPEED = 200


def speed_text(sps: float | None) -> str:
    return "max speed" if sps is None else f"{sps:g} steps/s"


@dataclass
class _Page:
    """One tab: its lab (``None`` until a lazy lab is made) and what the window added for it."""

    title: str
    scenario_keys: tuple[str, ...]
    factory: Callable[[], Lab] | None = None
    lab: Lab | None = None
    menu: QAction | None = None
    # Shortcuts live on the window only while their lab is showing (two labs may use the
    # same key); _on_tab_changed adds and removes them.
    shortcuts: list[QAction] = field(default_factory=list)
    toolbar_items: list[QAction] = field(default_factory=list)
    # Whether the lab is styled for presentation: a hidden lab is re-styled when shown.
    presenting: bool = False


class MainWindow(QMainWindow):
    """Top-level window. Labs are added with :meth:`add_lab`.

    Signals
    -------
    presentation_changed(bool)
    first_frame_painted()
        Once, just after the window's first paint: work the first frame does not need
        (the Lessons menu's shipped lessons) waits for it.
    """

    presentation_changed = Signal(bool)
    first_frame_painted = Signal()
    #: Something worth autosaving changed (a session, the lab shown, speed, presentation).
    state_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME}")
        self.setWindowIcon(icon("app"))
        self._pages: list[_Page] = []
        # Sessions restored for labs not made yet (lazy labs take theirs when made).
        self._pending_sessions: dict = {}
        # View settings (smoothing...) restored for labs not made yet, by session kind.
        self._pending_views: dict[str, dict] = {}
        #: The help dialog shown last (shortcut sheet or About), kept for tests.
        self.help_dialog = None
        #: The :class:`gui.autosave.Autosave` once :meth:`enable_autosave` made it.
        self.autosave = None
        self._presentation = False
        self._shut_down = False
        self._step = 0
        self._step_t = 0.0

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        # File choosers and alerts go through this object so tests can script them.
        self.dialogs = Dialogs()
        self.lesson_banner = LessonBanner()
        central = QWidget()
        central_lay = QVBoxLayout(central)
        central_lay.setContentsMargins(0, 0, 0, 0)
        central_lay.setSpacing(0)
        central_lay.addWidget(self.lesson_banner)
        central_lay.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self._build_actions()
        self._build_status_bar()
        self.exporter = Exporter(self)
        self.lessons = LessonMenu(self)
        self.line_width = LineWidthMenu(self)
        self.line_width.changed.connect(self.state_changed)
        self._build_menus()
        self._build_toolbar()

        self._readout = QTimer(self)
        self._readout.setInterval(250)
        self._readout.timeout.connect(self._on_readout)
        self._readout.start()

        self._painted = False
        self.first_frame_painted.connect(self.lessons.populate)
        self.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if obj is self and not self._painted and event.type() == QEvent.Type.Paint:
            self._painted = True
            self.removeEventFilter(self)
            # After the paint has been handled, not inside it.
            QTimer.singleShot(0, self.first_frame_painted.emit)
        return super().eventFilter(obj, event)

    # ------------------------------------------------------------------ building
    def add_action(
        self,
        text: str,
        shortcuts: list[str] | str | QKeySequence.StandardKey,
        slot,
        *,
        icon_name: str | None = None,
        checkable: bool = False,
        tip: str = "",
    ) -> QAction:
        act = make_action(
            self, text, shortcuts, slot, icon_name=icon_name, checkable=checkable, tip=tip
        )
        self.addAction(act)  # shortcuts work even when the menu bar is hidden (full screen)
        return act

    def add_status_widget(self, widget: QWidget) -> None:
        self.statusBar().addPermanentWidget(widget)

    def window_widget(self) -> QWidget:
        return self

    def _build_actions(self) -> None:
        self.act_play = self.add_action(
            "&Play",
            "Space",
            self._on_play_toggled,
            icon_name="play",
            checkable=True,
            tip="Play or pause the race",
        )
        self.act_step = self.add_action(
            "&Step", "Right", self._on_step, icon_name="step", tip="Take one step (pauses)"
        )
        self.act_reset = self.add_action(
            "&Reset", "R", self._on_reset, icon_name="reset", tip="Back to step 0"
        )
        self.act_faster = self.add_action("&Faster", ["]", "+"], self._on_faster)
        self.act_slower = self.add_action("S&lower", ["[", "-"], self._on_slower)
        self.act_max_speed = self.add_action("&Maximum speed", "M", self._on_max_speed)
        self.act_fullscreen = self.add_action(
            "&Full screen", "F11", self._on_fullscreen, icon_name="fullscreen", checkable=True
        )
        self.act_presentation = self.add_action(
            "&Presentation mode",
            ["F5", "Ctrl+P"],
            self.set_presentation,
            icon_name="presentation",
            checkable=True,
            tip="Large fonts and thick lines for a projector",
        )
        self.act_screenshot = self.add_action(
            "Save &screenshot…", "Ctrl+Shift+S", self._on_screenshot, icon_name="camera"
        )
        self.act_start_fresh = self.add_action(
            "Start &fresh",
            "Ctrl+Shift+F",
            self.start_fresh,
            tip="Every lab back to its default set-up, no lesson open",
        )
        self.act_quit = self.add_action("&Quit", QKeySequence.StandardKey.Quit, self.close)
        if not self.act_quit.shortcuts():
            self.act_quit.setShortcut(QKeySequence("Ctrl+Q"))
        self.act_undo = self.add_action(
            "&Undo", ["Ctrl+Z"], self._on_undo, tip="Undo the last edit"
        )
        self.act_redo = self.add_action(
            "&Redo", ["Ctrl+Shift+Z", "Ctrl+Y"], self._on_redo, tip="Redo the edit undone last"
        )
        self._sync_undo_actions()
        self.act_shortcuts = self.add_action("&Keyboard shortcuts", "F1", self.show_shortcuts)
        self.act_about = self.add_action("&About", "Ctrl+Shift+A", self.show_about)

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu("&File")
        m.addAction(self.lessons.act_open)
        m.addAction(self.lessons.act_save)
        m.addSeparator()
        export = m.addMenu("&Export")
        export.addAction(self.act_screenshot)
        export.addAction(self.exporter.act_screenshot_lab)
        export.addAction(self.exporter.act_export_csv)
        export.addSeparator()
        export.addAction(self.exporter.act_record)
        export.addMenu(self.exporter.options_menu)
        m.addSeparator()
        m.addAction(self.act_start_fresh)
        m.addAction(self.act_quit)
        m = mb.addMenu("&Edit")
        m.addAction(self.act_undo)
        m.addAction(self.act_redo)
        self.edit_menu = m
        m = mb.addMenu("&Run")
        for a in (
            self.act_play,
            self.act_step,
            self.act_reset,
            None,
            self.act_faster,
            self.act_slower,
            self.act_max_speed,
        ):
            m.addSeparator() if a is None else m.addAction(a)
        mb.addMenu(self.lessons.menu)
        self._lab_menu_anchor = mb.addMenu("&View")
        self._view_menu = self._lab_menu_anchor
        self._view_menu.addAction(self.act_presentation)
        self._view_menu.addAction(self.act_fullscreen)
        self._view_menu.addSeparator()
        self._view_menu.addMenu(self.line_width.menu)
        self._help_menu = mb.addMenu("&Help")
        self._help_menu.addAction(self.act_shortcuts)
        self._help_menu.addAction(self.act_about)

    def _build_toolbar(self) -> None:
        tb = QToolBar("Transport")
        tb.setObjectName("transport")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        tb.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.addToolBar(tb)
        self.toolbar = tb
        tb.addAction(self.act_play)
        tb.addAction(self.act_step)
        tb.addAction(self.act_reset)
        tb.addSeparator()
        lab = QLabel("Speed")
        lab.setObjectName("Hint")
        tb.addWidget(lab)
        self.speed_slider = QSlider(Qt.Orientation.Horizontal)
        self.speed_slider.setRange(0, len(SPEEDS) - 1)
        self.speed_slider.setPageStep(1)
        self.speed_slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.speed_slider.setToolTip(
            "Steps per second, from 1 to as fast as the machine goes ([ and ])"
        )
        self.speed_slider.valueChanged.connect(self._on_speed_index)
        self.speed_slider.setMaximumWidth(240)
        tb.addWidget(self.speed_slider)
        self.speed_label = QLabel()
        tb.addWidget(self.speed_label)
        tb.addSeparator()
        self._lab_toolbar_anchor = tb.addSeparator()
        spacer = QWidget()
        spacer.setSizePolicy(
            spacer.sizePolicy().horizontalPolicy().Expanding,
            spacer.sizePolicy().verticalPolicy().Preferred,
        )
        tb.addWidget(spacer)
        tb.addAction(self.act_presentation)
        tb.addAction(self.act_fullscreen)
        self._sync_speed_widgets(SPEEDS.index(DEFAULT_SPEED))

    def _style_toolbar(self) -> None:
        # Large fonts leave no room for every label: only the transport keeps its words.
        keep_text = {self.act_play, self.act_step, self.act_reset}
        for act in self.toolbar.actions():
            button = self.toolbar.widgetForAction(act)
            if isinstance(button, QToolButton):
                style = (
                    Qt.ToolButtonStyle.ToolButtonIconOnly
                    if self._presentation and act not in keep_text
                    else Qt.ToolButtonStyle.ToolButtonTextBesideIcon
                )
                button.setToolButtonStyle(style)

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        sb.setSizeGripEnabled(False)
        self.step_label = QLabel("step 0")
        self.rate_label = QLabel("")
        self.fps_label = QLabel("")
        for w in (self.step_label, self.rate_label, self.fps_label):
            w.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            sb.addPermanentWidget(w)
        self._fit_status_labels()

    def _fit_status_labels(self) -> None:
        # Wide enough for long readings: a label that grows with its text re-lays the
        # status bar and repaints the window under it (measured: on half the frames).
        for w, widest in (
            (self.step_label, "step 88,888,888"),
            (self.rate_label, "88,888 steps/s"),
            (self.fps_label, "888 fps"),
        ):
            w.setMinimumWidth(w.fontMetrics().horizontalAdvance(widest) + 8)

    # ------------------------------------------------------------------ labs
    def add_lab(self, title: str, lab: Lab) -> int:
        """Add ``lab`` as a tab titled ``title``; returns its index.

        The lab's :meth:`Lab.lab_actions` become a menu named :attr:`Lab.menu_title` and its
        :meth:`Lab.toolbar_actions` join the toolbar while its tab shows.
        """
        if not isinstance(lab, Lab):
            raise TypeError("a lab must subclass gui.lab.Lab")
        page = _Page(title, tuple(lab.scenario_keys), lab=lab)
        self._pages.append(page)
        self._wire(page)
        return self._add_tab(page, lab)

    def add_lazy_lab(
        self, title: str, factory: Callable[[], Lab], scenario_keys: tuple[str, ...] = ()
    ) -> int:
        """Add a tab whose lab ``factory()`` makes when the tab first shows; returns its index.

        ``scenario_keys`` are the scenario sections the lab will open (its
        :attr:`Lab.scenario_keys`), so a lesson for them can make it on demand.
        """
        if not callable(factory):
            raise TypeError("factory must be callable, returning a gui.lab.Lab")
        page = _Page(title, tuple(scenario_keys), factory=factory)
        self._pages.append(page)
        placeholder = QLabel(f"Opening the {title.lower()}…")
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        placeholder.setObjectName("Hint")
        return self._add_tab(page, placeholder)

    def _add_tab(self, page: _Page, widget: QWidget) -> int:
        idx = self.tabs.addTab(widget, page.title)
        self.tabs.tabBar().setVisible(self.tabs.count() > 1)
        self._on_tab_changed(self.tabs.currentIndex())
        return idx

    def _wire(self, page: _Page) -> None:
        """Connect a made lab to the window: signals, its menu, toolbar items, scale."""
        lab = page.lab
        lab.running_changed.connect(self._on_lab_running_changed)
        lab.message.connect(self._on_lab_message)
        lab.step_changed.connect(self._on_lab_step)
        lab.session_changed.connect(self._sync_undo_actions)
        lab.session_changed.connect(self.state_changed)
        smoothing = lab.smoothing_control()
        if smoothing is not None:
            smoothing.weight_changed.connect(self.state_changed)
        self.line_width.apply_to(lab)
        kind = getattr(lab.session, "KIND", None)
        if kind in self._pending_views:
            lab.apply_view_state(self._pending_views.pop(kind))
        menu = self.menuBar().addMenu(lab.menu_title)
        for act in lab.lab_actions():
            if act is None:
                menu.addSeparator()
            else:
                menu.addAction(act)
                page.shortcuts.append(act)
        # Keep lab menus between Run and View.
        self.menuBar().insertMenu(self._view_menu.menuAction(), menu)
        page.menu = menu.menuAction()
        for item in lab.toolbar_actions():
            if item is None:
                a = self.toolbar.insertSeparator(self._lab_toolbar_anchor)
            elif isinstance(item, QAction):
                self.toolbar.insertAction(self._lab_toolbar_anchor, item)
                a = item
            else:
                a = self.toolbar.insertWidget(self._lab_toolbar_anchor, item)
            page.toolbar_items.append(a)
        self._style_toolbar()
        # A new lab is at the normal scale (gui.lab.Lab.__init__); re-applying it re-styles
        # every panel for nothing (50-120 ms for the landscape lab, measured).
        self._style_lab(page)
        lab.set_speed(self.speed())

    def _make(self, index: int) -> Lab | None:
        """The lab of tab ``index``, made now if it is lazy and not made yet."""
        page = self._pages[index]
        if page.lab is not None or self._shut_down:
            return page.lab
        lab = page.factory()
        if not isinstance(lab, Lab):
            raise TypeError("a lab factory must return a gui.lab.Lab subclass")
        page.lab, page.factory = lab, None
        page.scenario_keys = tuple(lab.scenario_keys) or page.scenario_keys
        self._wire(page)
        # Swap the placeholder for the lab at the same index, quietly (the caller is either
        # _on_tab_changed, which goes on with this index, or lab_at). The lab goes in before
        # the placeholder goes out, so no other tab is shown in between.
        shown = self.tabs.currentIndex() == index
        placeholder = self.tabs.widget(index)
        with QSignalBlocker(self.tabs):
            self.tabs.insertTab(index + 1, lab, page.title)
            if shown:
                self.tabs.setCurrentIndex(index + 1)
            self.tabs.removeTab(index)
        placeholder.deleteLater()
        if not shown:
            lab.activate(False)
            page.menu.setVisible(False)
            for a in page.toolbar_items:
                a.setVisible(False)
        return lab

    # ------------------------------------------------------------------ undo / redo
    def sessions(self) -> dict:
        """``{kind: session}`` of the labs made so far (``"landscape"``, ``"network"``)."""
        return {lab.session.KIND: lab.session for lab in self.labs if lab.session is not None}

    def set_pending_session(self, kind: str, session) -> None:
        """Keep ``session`` for the lab of ``kind`` that is not made yet."""
        self._pending_sessions[kind] = session

    def take_pending_session(self, kind: str):
        """The session kept for a lab about to be made (None: the lab makes its own)."""
        return self._pending_sessions.pop(kind, None)

    def pending_sessions(self) -> dict:
        return dict(self._pending_sessions)

    def view_states(self) -> dict[str, dict]:
        """``{kind: lab.view_state()}`` of every lab, made or still pending."""
        made = {lab.session.KIND: lab.view_state() for lab in self.labs if lab.session}
        return {**self._pending_views, **made}

    def set_view_states(self, states: dict[str, dict]) -> None:
        """Apply each lab's view settings now, or when a lazy lab is made."""
        made = {lab.session.KIND: lab for lab in self.labs if lab.session is not None}
        for kind, state in states.items():
            if kind in made:
                made[kind].apply_view_state(state)
            else:
                self._pending_views[kind] = dict(state)

    def enable_autosave(self, path=None):
        """Save the set-up after changes and on quit, and restore it after the first paint.

        ``path`` defaults to :func:`gui.user_paths.state_file`. Returns the Autosave.
        """
        from gui.autosave import Autosave

        self.autosave = Autosave(self, path)
        if self._painted:
            QTimer.singleShot(0, self.autosave.restore)
        else:
            self.first_frame_painted.connect(self.autosave.restore)
        return self.autosave

    def start_fresh(self) -> None:
        """Every lab back to its defaults, no lesson open (saved at once)."""
        for session in self.sessions().values():
            session.start_fresh()
        self._pending_sessions.clear()
        self.lessons.close_lesson()
        if self.autosave is not None:
            self.autosave.save_now()
        self.show_message("started fresh: every lab is back to its default set-up")

    def _current_session(self):
        lab = self.current_lab()
        return getattr(lab, "session", None) if lab is not None else None

    def _sync_undo_actions(self) -> None:
        """Label Undo and Redo with what they would do in the lab showing."""
        session = self._current_session()
        for act, word, label in (
            (self.act_undo, "Undo", session.undo_label if session is not None else None),
            (self.act_redo, "Redo", session.redo_label if session is not None else None),
        ):
            act.setEnabled(label is not None)
            act.setText(f"&{word}: {label}" if label else f"&{word}")
            seq = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            act.setToolTip(f"{word}: {label}  ({seq})" if label else f"Nothing to {word.lower()}")

    def _on_undo(self) -> None:
        lab = self.current_lab()
        if lab is not None:
            lab.undo()

    def _on_redo(self) -> None:
        lab = self.current_lab()
        if lab is not None:
            lab.redo()

    @property
    def labs(self) -> list[Lab]:
        """The labs made so far, in tab order (a lazy lab joins once it is made)."""
        return [p.lab for p in self._pages if p.lab is not None]

    def lab_at(self, index: int) -> Lab | None:
        """The lab of tab ``index``, made first if it is lazy (``None`` after shut-down)."""
        if not 0 <= index < len(self._pages):
            raise ValueError(f"index: no lab at tab {index} (there are {len(self._pages)})")
        return self._make(index)

    def is_lab_made(self, index: int) -> bool:
        """Whether tab ``index`` holds its lab yet (always, unless it was added lazily)."""
        return self._pages[index].lab is not None

    def lab_for(self, key: str) -> Lab | None:
        """The lab that opens scenario section ``key`` (made on demand), or ``None``."""
        for i, page in enumerate(self._pages):
            if key in page.scenario_keys:
                return self._make(i)
        return None

    def show_lab(self, lab: Lab) -> None:
        """Bring ``lab``'s tab to the front."""
        index = self.tabs.indexOf(lab)
        if index >= 0:
            self.tabs.setCurrentIndex(index)

    def current_lab(self) -> Lab | None:
        w = self.tabs.currentWidget()
        return w if isinstance(w, Lab) else None

    def _on_tab_changed(self, index: int) -> None:
        if 0 <= index < len(self._pages):
            self._make(index)
            self._style_lab(self._pages[index])
        for i, page in enumerate(self._pages):
            lab = page.lab
            if lab is None:
                continue
            active = i == index
            if not active and lab.is_running():
                lab.set_running(False)
            page.menu.setVisible(active)
            for act in page.shortcuts:
                if active:
                    self.addAction(act)
                else:
                    self.removeAction(act)
            for a in page.toolbar_items:
                a.setVisible(active)
            lab.activate(active)
        lab = self.current_lab()
        if lab is not None:
            lab.set_speed(self.speed())
            self._set_play_checked(lab.is_running())
            self.setWindowTitle(f"{APP_NAME} — {self.tabs.tabText(index)}")
        if hasattr(self, "act_undo"):
            self._sync_undo_actions()
        if hasattr(self, "lessons") and 0 <= index < len(self._pages):
            self.lessons.follow_lab(self._pages[index].scenario_keys)
        self.state_changed.emit()

    # ------------------------------------------------------------------ transport
    def speed(self) -> float | None:
        return SPEEDS[self.speed_slider.value()]

    def set_speed(self, steps_per_second: float | None) -> None:
        """Snap to the nearest rung of the speed ladder (``None`` = maximum)."""
        if steps_per_second is None or math.isinf(steps_per_second):
            idx = len(SPEEDS) - 1
        else:
            finite = [s for s in SPEEDS if s is not None]
            idx = min(
                range(len(finite)),
                key=lambda i: abs(math.log(finite[i] / max(steps_per_second, 1e-9))),
            )
        self.speed_slider.setValue(idx)

    def _sync_speed_widgets(self, idx: int) -> None:
        with QSignalBlocker(self.speed_slider):
            self.speed_slider.setValue(idx)
        self.speed_label.setText(speed_text(SPEEDS[idx]))
        self.speed_label.setMinimumWidth(
            self.speed_label.fontMetrics().horizontalAdvance("10000 steps/s ")
        )

    def _on_speed_index(self, idx: int) -> None:
        self._sync_speed_widgets(idx)
        lab = self.current_lab()
        if lab is not None:
            lab.set_speed(SPEEDS[idx])
        self.state_changed.emit()

    def _on_faster(self) -> None:
        self.speed_slider.setValue(min(self.speed_slider.value() + 1, len(SPEEDS) - 1))

    def _on_slower(self) -> None:
        self.speed_slider.setValue(max(self.speed_slider.value() - 1, 0))

    def _on_max_speed(self) -> None:
        self.speed_slider.setValue(len(SPEEDS) - 1)

    def _set_play_checked(self, running: bool) -> None:
        with QSignalBlocker(self.act_play):
            self.act_play.setChecked(running)
        self.act_play.setText("&Pause" if running else "&Play")
        self.act_play.setIcon(icon("pause" if running else "play"))

    def _on_play_toggled(self, checked: bool) -> None:
        lab = self.current_lab()
        if lab is not None:
            lab.set_running(checked)
        self._set_play_checked(checked)

    def _on_step(self) -> None:
        lab = self.current_lab()
        if lab is not None:
            lab.step_once()

    def _on_reset(self) -> None:
        lab = self.current_lab()
        if lab is not None:
            lab.reset()

    def _on_lab_running_changed(self, running: bool) -> None:
        if self.sender() is self.current_lab():
            self._set_play_checked(running)

    def _on_lab_step(self, step: int) -> None:
        if self.sender() is not self.current_lab():
            return
        self._step = step
        # Relabelling re-lays the status bar: at most ten times a second while running.
        now = time.perf_counter()
        if not self.current_lab().is_running() or now - self._step_t >= 0.1:
            self._step_t = now
            self.step_label.setText(f"step {step:,}")

    def _on_readout(self) -> None:
        lab = self.current_lab()
        if lab is None:
            return
        self.step_label.setText(f"step {self._step:,}")
        if lab.is_running():
            self.rate_label.setText(f"{lab.steps_per_second():,.0f} steps/s")
            self.fps_label.setText(f"{lab.frames_per_second():.0f} fps")
        else:
            self.rate_label.setText("paused")
            self.fps_label.setText("")

    def _on_lab_message(self, level: str, text: str) -> None:
        timeout = 4000 if level == "info" else 9000
        prefix = {"warning": "⚠ ", "error": "✖ "}.get(level, "")
        self.statusBar().showMessage(prefix + text, timeout)

    def show_message(self, text: str, level: str = "info") -> None:
        self._on_lab_message(level, text)

    # ------------------------------------------------------------------ view
    def set_presentation(self, on: bool) -> None:
        """Large fonts, thick lines and big markers for a projector."""
        on = bool(on)
        self._presentation = on
        with QSignalBlocker(self.act_presentation):
            self.act_presentation.setChecked(on)
        scale = theme.PRESENTATION if on else theme.NORMAL
        app = QApplication.instance()
        if app is not None:
            # Never app.setStyleSheet here: it re-polishes every widget (about 1 s).
            theme.set_presentation_style(app, on, root=self)
        self.lesson_banner.apply_scale(scale)
        self.toolbar.setIconSize(QSize(int(20 * scale.factor), int(20 * scale.factor)))
        self._style_toolbar()
        self._fit_status_labels()
        self._sync_speed_widgets(self.speed_slider.value())
        # The lab on show now; a hidden one when its tab is chosen (20-60 ms a lab, and
        # its relayout, kept off the toggle's stall).
        current = self.current_lab()
        for page in self._pages:
            if page.lab is not None and page.lab is current:
                self._style_lab(page)
        self.presentation_changed.emit(on)
        self.state_changed.emit()

    def _style_lab(self, page: _Page) -> None:
        """Style ``page``'s lab for the window's mode, if it is not yet."""
        lab = page.lab
        if lab is None or page.presenting == self._presentation:
            return
        page.presenting = self._presentation
        lab.set_scale(theme.PRESENTATION if page.presenting else theme.NORMAL)
        lab.set_presentation(page.presenting)

    @property
    def presentation(self) -> bool:
        return self._presentation

    def _on_fullscreen(self, on: bool) -> None:
        if on:
            self.showFullScreen()
        else:
            self.showNormal()

    def _on_screenshot(self) -> None:
        self.exporter._ask_screenshot(lab_only=False)

    def show_shortcuts(self) -> None:
        """The grouped keyboard-shortcut sheet (F1), built from the actions themselves."""
        from gui.help import show_shortcut_sheet

        self.help_dialog = show_shortcut_sheet(self)

    def show_about(self) -> None:
        """Version, licence and the libraries with their own metadata."""
        from gui.help import show_about

        self.help_dialog = show_about(self)

    # ------------------------------------------------------------------ shut-down
    def shutdown(self) -> None:
        """Stop every lab's worker (idempotent; also runs on aboutToQuit)."""
        if self._shut_down:
            return
        self._shut_down = True
        self._readout.stop()
        self.exporter.shutdown()
        for lab in self.labs:
            lab.shutdown()

    def closeEvent(self, event) -> None:
        if self.autosave is not None and not self._shut_down:
            self.autosave.save_now()
        self.shutdown()
        super().closeEvent(event)
