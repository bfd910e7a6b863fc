"""The main window's pieces: help, lesson details, line width, recording targets and rates,
smoothing and line width through the autosave, command-line flags over the restore, and
what the labs' one base does (actions, undo messages, hidden lab's keys)."""

from __future__ import annotations

import json

import pytest
from PIL import Image
from PySide6.QtWidgets import QTextBrowser

from engine import __version__
from engine.scenario import load_scenario
from engine.session.race_session import SetLandscape
from gui import theme


class ScriptedDialogs:
    """Stands in for gui.dialogs.Dialogs: prepared answers, and a record of what was asked."""

    def __init__(self, path=None, details=None):
        self.path = path
        self.details = details
        self.asked: list[str] = []
        self.alerts: list[tuple[str, str, str]] = []

    def open_path(self, parent, title, folder, filters):
        self.asked.append("open_path")
        return None if self.path is None else str(self.path)

    def save_path(self, parent, title, suggested, filters):
        self.asked.append(f"save_path:{suggested.name}")
        return None if self.path is None else str(self.path)

    def alert(self, parent, level, title, text):
        self.alerts.append((level, title, text))

    def lesson_details(self, parent, title="", text=""):
        self.asked.append(f"lesson_details:{title}")
        return self.details


@pytest.fixture
def window_lab(make_window):
    window, lab = make_window()
    window.dialogs = ScriptedDialogs()
    return window, lab


def _restored(make_window, qtbot, pins=()):
    window, lab = make_window()
    autosave = window.enable_autosave()
    autosave.pin(*pins)
    qtbot.waitUntil(lambda: autosave._restored)
    return window, lab


# ---------------------------------------------------------------------- help
def test_f1_shows_the_grouped_sheet_and_about_the_version(window_lab, qtbot):
    window, _lab = window_lab
    assert window.act_shortcuts.shortcut().toString() == "F1"
    window.act_shortcuts.trigger()
    sheet = window.help_dialog
    assert sheet.isVisible() and sheet.windowTitle() == "Keyboard shortcuts"
    plain = sheet.findChild(QTextBrowser).toPlainText()
    # Keys of actions in three different menus, each listed.
    for key in ("F1", "Ctrl+Z", "Ctrl+Shift+R"):
        assert key in plain
    sheet.close()
    window.act_about.trigger()
    about = window.help_dialog
    assert about.isVisible() and __version__ in about.findChild(QTextBrowser).toPlainText()
    about.close()


# ---------------------------------------------------------------------- save as lesson
def test_save_as_lesson_asks_title_and_text_then_the_file(window_lab, tmp_path):
    window, lab = window_lab
    path = tmp_path / "mine.json"
    window.dialogs = ScriptedDialogs(path, details=("Momentum overshoots", "Watch run 2."))
    window.lessons.act_save.trigger()
    # The suggested file name comes from the title typed.
    assert window.dialogs.asked == ["lesson_details:", "save_path:momentum-overshoots.json"]
    saved = load_scenario(path)
    assert (saved.title, saved.lesson, saved.race) == (
        "Momentum overshoots",
        "Watch run 2.",
        lab.config,
    )


def test_cancelled_lesson_details_save_nothing(window_lab, tmp_path):
    window, _lab = window_lab
    window.dialogs = ScriptedDialogs(tmp_path / "x.json", details=None)
    window.lessons.act_save.trigger()
    assert window.dialogs.asked == ["lesson_details:"]
    assert not (tmp_path / "x.json").exists()


# ---------------------------------------------------------------------- line width
def test_view_line_width_reaches_the_surface_and_default_goes_back(window_lab):
    window, lab = window_lab
    labels = [a.text() for a in window.line_width.menu.actions()]
    assert labels == ["&Default", *[f"{px:g} px" for px in theme.LINE_WIDTH_CHOICES]]
    window.line_width.actions[5.0].trigger()
    assert lab.surface.line_width == 5.0 and window.line_width.width == 5.0
    window.line_width.actions[None].trigger()
    assert lab.surface.line_width == theme.NORMAL.line_width
    with pytest.raises(ValueError, match="one of"):
        window.line_width.set_width(7.25)


def test_line_width_and_smoothing_survive_a_restart(make_window, qtbot):
    window, lab = _restored(make_window, qtbot)
    window.line_width.set_width(4.0)
    lab.loss.smoothing_control.slider.setValue(60)  # as a drag of the slider does
    assert lab.loss.smoothing == pytest.approx(0.6)
    state = window.autosave.collect()
    assert state["line_width"] == 4.0
    assert state["views"]["landscape"] == {"smoothing": pytest.approx(0.6)}
    assert window.autosave.save_now()
    window2, lab2 = _restored(make_window, qtbot)
    assert window2.line_width.width == 4.0 and lab2.surface.line_width == 4.0
    assert lab2.loss.smoothing_control.weight == pytest.approx(0.6)
    assert lab2.loss.smoothing == pytest.approx(0.6)  # the plot follows, not just the slider


@pytest.mark.parametrize(
    "bad",
    [{"line_width": 7.25}, {"line_width": "wide"}, {"views": {"landscape": {"smoothing": 2}}}],
)
def test_a_bad_line_width_or_smoothing_sets_the_file_aside(make_window, qtbot, bad):
    from gui.user_paths import state_file

    window, _lab = _restored(make_window, qtbot)
    state = {**window.autosave.collect(), **bad, "speed": 5}
    state_file().write_text(json.dumps({"schema": 1, "kind": "descent-lab-state", **state}))
    window2, _lab2 = _restored(make_window, qtbot)
    assert window2.speed() != 5 and window2.line_width.width is None
    assert "could not be applied" in window2.statusBar().currentMessage()


def test_a_smoothing_for_a_lab_not_made_yet_waits_for_it(make_window, qtbot):
    window, lab = make_window()
    window.set_view_states({"network": {"smoothing": 0.3}, "landscape": {"smoothing": 0.2}})
    assert lab.loss.smoothing == pytest.approx(0.2)
    assert window.view_states()["network"] == {"smoothing": 0.3}


# ---------------------------------------------------------------------- command line
def test_command_line_presentation_wins_over_the_restored_state(make_window, qtbot):
    window, _lab = _restored(make_window, qtbot)
    assert not window.presentation and window.autosave.save_now()
    window2, _lab2 = make_window()
    window2.set_presentation(True)  # what --presentation does before the restore
    autosave = window2.enable_autosave()
    autosave.pin("presentation")
    qtbot.waitUntil(lambda: autosave._restored)
    assert window2.presentation
    window2.set_presentation(False)
    with pytest.raises(ValueError, match="cannot pin"):
        autosave.pin("speed")


def test_without_a_flag_the_restore_sets_presentation(make_window, qtbot):
    window, _lab = _restored(make_window, qtbot)
    window.set_presentation(True)
    assert window.autosave.save_now()
    window.autosave.disable()  # its own later saves must not race the restore below
    window.set_presentation(False)
    window2, _lab2 = _restored(make_window, qtbot)
    assert window2.presentation
    window2.set_presentation(False)


def test_fullscreen_flag_keeps_the_restored_size_out(make_window, qtbot):
    window, _lab = _restored(make_window, qtbot)
    window.resize(900, 600)
    assert window.autosave.save_now()
    window2, _lab2 = make_window(size=(1100, 700))
    autosave = window2.enable_autosave()
    autosave.pin("geometry")
    qtbot.waitUntil(lambda: autosave._restored)
    assert (window2.width(), window2.height()) == (1100, 700)


# ---------------------------------------------------------------------- recording
def _gif_size(path):
    with Image.open(path) as im:
        return im.size, im.info.get("duration")


def test_recording_shows_the_target_chosen(window_lab, tmp_path):
    window, lab = window_lab
    targets = {
        "Whole window": window,
        "Current lab": lab,
        "Surface": lab.surface,
        "Loss plot": lab.loss,
    }
    for target, widget in targets.items():
        path = tmp_path / f"{target}.gif"
        assert window.exporter.start_recording(path, timer=False, target=target)
        window.exporter.recorder.capture()
        assert window.exporter.stop_recording() == path
        dpr = widget.devicePixelRatioF()
        (w, h), duration = _gif_size(path)
        assert (w, h) == (int(widget.width() * dpr), int(widget.height() * dpr)), target
        # 15 fps: 1/15 s is 66.7 ms, stored in whole centiseconds (70 or 60 ms).
        assert window.exporter.recorder.fps == 15.0 and duration in (60, 70)


def test_recording_an_unknown_panel_is_refused_with_a_message(window_lab, tmp_path):
    window, _lab = window_lab
    assert not window.exporter.start_recording(tmp_path / "r.gif", timer=False, target="Nope")
    assert not window.exporter.recording
    level, _title, text = window.dialogs.alerts[-1]
    assert level == "error" and "Surface" in text and "Nope" in text


def test_recording_options_list_the_labs_panels_and_mp4_rates(window_lab):
    from gui.recorder import MP4_FPS

    window, _lab = window_lab
    menu = window.exporter.options_menu
    menu.aboutToShow.emit()
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts[:2] == ["Whole window", "Current lab"]
    assert "Panel: Surface" in texts and "GIF at 15 fps" in texts
    assert [t for t in texts if t.startswith("MP4")] == [f"MP4 at {f:g} fps" for f in MP4_FPS]
    next(a for a in menu.actions() if a.text() == "Panel: Loss plot").trigger()
    assert window.exporter.record_target == "Loss plot"
    next(a for a in menu.actions() if a.text() == f"MP4 at {MP4_FPS[-1]:g} fps").trigger()
    assert window.exporter.mp4_fps == MP4_FPS[-1]
    with pytest.raises(ValueError, match="MP4 frame rate"):
        window.exporter.set_mp4_fps(25.0)


# ---------------------------------------------------------------------- the labs' base
def test_the_labs_base_edits_undoes_hides_and_finishes(window_lab, qtbot):
    _window, lab = window_lab
    # A bad edit: one error line, the set-up unchanged.
    before = lab.config
    with qtbot.waitSignal(lab.message) as sig:
        assert lab.edit(SetLandscape("nowhere", {})) is False
    assert sig.args[0] == "error" and "\n" not in sig.args[1]
    assert lab.config == before
    # Nothing to undo: said so.
    with qtbot.waitSignal(lab.message) as sig:
        lab.undo()
    assert sig.args == ["info", "nothing to undo"]
    # A hidden lab stops, and its keys go quiet until it shows again.
    lab.set_running(True)
    lab.activate(False)
    assert not lab.is_running()
    assert not any(a.isVisible() for a in lab.lab_actions() if a is not None)
    lab.activate(True)
    assert all(a.isVisible() for a in lab.lab_actions() if a is not None)
    # The engine finishing by itself stops the lab with the lab's own words.
    lab.set_running(True)
    with qtbot.waitSignal(lab.message) as sig:
        lab._on_bridge_stopped(False)
    assert not lab.is_running() and sig.args == ["info", lab.finished_text]
    assert "converged or diverged" in lab.finished_text
