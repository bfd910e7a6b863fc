"""The Lessons menu: open a ready-made lesson (scenario file), or save the current set-up.

Opening a lesson never half-applies it: the file is read and validated by the engine
first, every problem becomes a message (status bar and a non-modal alert), and only a valid
scenario reaches the labs. A lesson switches to the lab that shows it and puts its text in
the banner above the labs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from engine.scenario import Scenario, builtin_scenarios, load_scenario, save_scenario

if TYPE_CHECKING:
    from gui.lab import Lab
    from gui.services import WindowServices

FILTERS = "Descent Lab lesson (*.json);;All files (*)"


class LessonMenu(QObject):
    """Owns the Lessons menu of ``window`` and opens or saves scenarios for it.

    The shipped lessons are read (and validated) by :meth:`populate`, not at construction:
    that costs ~0.1 s (measured; network lessons import the network engine), which the
    first frame does not need. The main window calls it once its first frame is painted;
    the menu calls it before it first opens, and :attr:`builtin_actions` before answering.

    Attributes
    ----------
    menu : QMenu
    act_open, act_save, act_hide : QAction
    current : Scenario or None
        The lesson opened last (its title and text are kept when saving).
    """

    def __init__(self, window: WindowServices) -> None:
        super().__init__(window)
        self.window = window
        self.current: Scenario | None = None
        # the banner was hidden because another lab's tab came to the front
        self._hidden_elsewhere = False
        self.menu = QMenu("L&essons", window)
        self.menu.setToolTipsVisible(True)
        self._builtin: list[QAction] | None = None
        self._builtin_end = self.menu.addSeparator()
        self.act_open = window.add_action("&Open lesson file…", "Ctrl+O", self._on_open)
        self.act_save = window.add_action("&Save as lesson…", "Ctrl+S", self._on_save)
        self.act_hide = window.add_action("Show or hide &lesson text", "Ctrl+L", self.toggle_banner)
        self.menu.addAction(self.act_open)
        self.menu.addAction(self.act_save)
        self.menu.addSeparator()
        self.menu.addAction(self.act_hide)
        self.menu.aboutToShow.connect(self.populate)

    @property
    def populated(self) -> bool:
        """Whether the shipped lessons are in the menu yet."""
        return self._builtin is not None

    @property
    def builtin_actions(self) -> list[QAction]:
        """One action per shipped lesson, in file-name order; ``data()`` is the file path."""
        self.populate()
        return list(self._builtin)

    def populate(self) -> None:
        """Read the shipped lessons into the menu (once; later calls do nothing)."""
        if self._builtin is not None:
            return
        self._builtin = []
        try:
            shipped = builtin_scenarios()
        except (ValueError, OSError) as exc:  # a broken install: say so, keep the app
            shipped = []
            self.window.show_message(f"built-in lessons unavailable: {exc}", "warning")
        for i, (path, sc) in enumerate(shipped):
            # Every lesson is numbered; 1-9 also get the number as their menu key.
            act = QAction(f"&{i + 1}  {sc.title}" if i < 9 else f"{i + 1}  {sc.title}", self.menu)
            act.setData(str(path))
            tip = sc.lesson or sc.title
            act.setToolTip(tip)
            act.setStatusTip(tip)
            act.triggered.connect(lambda _=False, s=sc: self.open_scenario(s))
            self.menu.insertAction(self._builtin_end, act)
            self._builtin.append(act)

    def show_lesson(self, scenario: Scenario) -> None:
        """Make ``scenario`` the open lesson and show its text (the labs are not touched)."""
        self.current = scenario
        self._hidden_elsewhere = False
        self.window.lesson_banner.show_lesson(scenario.title, scenario.lesson, self._hint(scenario))
        self.window.state_changed.emit()

    def close_lesson(self) -> None:
        """No lesson open any more; its text goes away."""
        self.current = None
        self.window.lesson_banner.dismiss()
        from gui.averaging_dock import hide_averaging

        hide_averaging(self.window)
        self.window.state_changed.emit()

    def follow_lab(self, scenario_keys: tuple[str, ...]) -> None:
        """The lab opening ``scenario_keys`` came to the front: a lesson belongs to the
        lab(s) it opened, so its text is hidden on another lab's tab and comes back on
        its own lab's (unless the reader had closed it there)."""
        cur = self.current
        if cur is None:
            return
        banner = self.window.lesson_banner
        mine = {k for k in ("race", "network") if getattr(cur, k, None) is not None}
        if mine & set(scenario_keys):
            if self._hidden_elsewhere:
                self._hidden_elsewhere = False
                banner.show_lesson(cur.title, cur.lesson, self._hint(cur))
        elif banner.isVisible():
            self._hidden_elsewhere = True
            banner.dismiss()

    def toggle_banner(self) -> None:
        """Hide the lesson banner, or show the current lesson's again."""
        banner = self.window.lesson_banner
        if banner.isVisible():
            banner.dismiss()
        elif self.current is not None:
            banner.show_lesson(self.current.title, self.current.lesson, self._hint(self.current))

    @staticmethod
    def _hint(scenario: Scenario) -> str:
        if scenario.steps:
            return f"Press Space to start; watch the first {scenario.steps:,} steps."
        return "Press Space to start."

    # ------------------------------------------------------------------ helpers
    def _error(self, title: str, text: str) -> None:
        self.window.show_message(text, "error")
        self.window.dialogs.alert(self.window.window_widget(), "error", title, text)

    def lab_for(self, key: str) -> Lab | None:
        """The lab showing scenario section ``key`` (``"race"`` or ``"network"``).

        A lab the window adds lazily is made here, so a lesson opens it on demand.
        """
        return self.window.lab_for(key)

    # ------------------------------------------------------------------ open
    def open_file(self, path: str | Path) -> bool:
        """Read, validate and open a lesson file; returns whether it opened."""
        try:
            scenario = load_scenario(path)
        except (ValueError, OSError) as exc:
            self._error("Cannot open lesson", _describe(exc, path))
            return False
        return self.open_scenario(scenario)

    def open_scenario(self, scenario: Scenario) -> bool:
        """Load every section of ``scenario`` into its lab and show the lesson text."""
        shown: Lab | None = None
        problems: list[str] = []
        if scenario.race is not None:
            lab = self.lab_for("race")
            if lab is None:
                problems.append("this window has no landscape lab for the lesson's race")
            else:
                try:
                    lab.apply_scenario(scenario)
                    shown = lab
                except (ValueError, NotImplementedError) as exc:
                    problems.append(f"race: {exc}")
        if scenario.network is not None:
            lab = self.lab_for("network")
            if lab is None:
                problems.append("this window has no network lab for the lesson's network")
            else:
                try:
                    lab.apply_scenario(scenario)
                    shown = shown or lab
                except (ValueError, NotImplementedError) as exc:
                    problems.append(f"network: {exc}")
        if shown is None:
            self._error("Cannot open lesson", f"{scenario.title}: " + "; ".join(problems))
            return False
        self.window.show_lab(shown)
        self._show_averaging(scenario)
        self.show_lesson(scenario)
        if problems:
            self.window.show_message("; ".join(problems), "warning")
        else:
            self.window.show_message(f"lesson: {scenario.title}")
        return True

    def _show_averaging(self, scenario: Scenario) -> None:
        from gui.averaging_dock import hide_averaging, show_averaging

        if scenario.averaging is None:
            hide_averaging(self.window)
        else:
            show_averaging(self.window, scenario.averaging, self.lab_for("race"))

    def _on_open(self) -> None:
        from gui.user_paths import lessons_dir

        path = self.window.dialogs.open_path(
            self.window.window_widget(), "Open lesson", lessons_dir(), FILTERS
        )
        if path:
            self.open_file(path)

    # ------------------------------------------------------------------ save
    def current_scenario(
        self, title: str = "My lesson", text: str | None = None
    ) -> Scenario | None:
        """The showing lab's set-up as a Scenario, or ``None`` (with a message) if it can't.

        ``title`` and ``text`` name and explain it; without ``text``, a set-up that is still
        the open lesson's keeps that lesson's title, text and steps.
        """
        lab = self.window.current_lab()
        if lab is None:
            self._error("Cannot save lesson", "there is no lab to save")
            return None
        try:
            section = lab.scenario_section()
        except NotImplementedError:
            self._error("Cannot save lesson", "this lab cannot save lessons")
            return None
        cur = self.current
        same = cur is not None and all(getattr(cur, k) == v for k, v in section.items())
        if text is not None:
            return Scenario(
                title=title,
                lesson=text,
                steps=cur.steps if same else None,
                averaging=cur.averaging if same else None,
                **section,
            )
        return Scenario(
            title=cur.title if same else title,
            lesson=cur.lesson if same else "",
            steps=cur.steps if same else None,
            averaging=cur.averaging if same else None,
            **section,
        )

    def save_file(
        self, path: str | Path, title: str | None = None, text: str | None = None
    ) -> bool:
        """Save the showing lab's set-up as a lesson file (atomically); returns success.

        ``title`` defaults to the file's name; ``text`` (the lesson's words) to the open
        lesson's when the set-up is still that lesson's.
        """
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(".json")
        scenario = self.current_scenario(title or path.stem.replace("_", " "), text)
        if scenario is None:
            return False
        try:
            save_scenario(scenario, path)
        except (ValueError, OSError) as exc:
            self._error("Cannot save lesson", _describe(exc, path))
            return False
        self.window.show_message(f"saved lesson {path}")
        return True

    def _on_save(self) -> None:
        """Ask for the lesson's title and text, then where to save it."""
        from gui.user_paths import lessons_dir

        cur = self.current
        details = self.window.dialogs.lesson_details(
            self.window.window_widget(),
            cur.title if cur is not None else "",
            cur.lesson if cur is not None else "",
        )
        if details is None:
            return
        title, text = details
        name = "".join(c if c.isalnum() else "-" for c in title.lower())
        name = "-".join(p for p in name.split("-") if p)[:60] or "my-lesson"
        folder = lessons_dir(create=True)
        path = self.window.dialogs.save_path(
            self.window.window_widget(), "Save as lesson", folder / f"{name}.json", FILTERS
        )
        if path:
            self.save_file(path, title.strip(), text.strip())


def _describe(exc: BaseException, path) -> str:
    if isinstance(exc, OSError):
        why = exc.strerror or str(exc)
        return f"{Path(path).name}: cannot read or write the file ({why})"
    return str(exc)


__all__ = ["FILTERS", "LessonMenu"]
