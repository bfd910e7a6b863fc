"""Lessons menu: built-in lessons open, bad files are refused, save/open round-trips."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.nn.config_io import comparison_from_dict, comparison_to_dict
from engine.runs import RaceConfig
from engine.scenario import builtin_scenarios

ROOT = Path(__file__).resolve().parents[2]


class ScriptedDialogs:
    """Stands in for gui.dialogs.Dialogs: returns prepared paths, records alerts."""

    def __init__(self, path=None):
        self.path = path
        self.alerts: list[tuple[str, str, str]] = []

    def open_path(self, parent, title, folder, filters):
        return None if self.path is None else str(self.path)

    def save_path(self, parent, title, suggested, filters):
        return None if self.path is None else str(self.path)

    def alert(self, parent, level, title, text):
        self.alerts.append((level, title, text))

    def lesson_details(self, parent, title="", text=""):
        # The user keeps the text and names the lesson after the file they will choose.
        return None if self.path is None else (Path(self.path).stem, text)


@pytest.fixture
def window_lab(make_window):
    window, lab = make_window()
    window.dialogs = ScriptedDialogs()
    return window, lab


def test_menu_lists_every_builtin_lesson(window_lab):
    window, _lab = window_lab
    shipped = builtin_scenarios()
    acts = window.lessons.builtin_actions
    assert [a.data() for a in acts] == [str(p) for p, _ in shipped]
    for n, (act, (_p, sc)) in enumerate(zip(acts, shipped, strict=True), start=1):
        assert sc.title in act.text()
        assert act.text().replace("&", "").startswith(f"{n}  ")  # every lesson numbered
        assert act.toolTip() == sc.lesson
    acts = (window.lessons.act_open, window.lessons.act_save)
    shortcuts = {a.shortcut().toString() for a in acts}
    assert shortcuts == {"Ctrl+O", "Ctrl+S"}


@pytest.mark.parametrize("index", range(len(builtin_scenarios())))
def test_each_builtin_lesson_opens_with_its_config(window_lab, index):
    window, lab = window_lab
    path, sc = builtin_scenarios()[index]
    net = None
    if sc.network is not None:
        from gui.network_lab import NetworkLab

        net = NetworkLab()
        window.add_lab("Network lab", net)
    window.lessons.builtin_actions[index].trigger()
    if sc.race is not None:
        assert lab.config == RaceConfig.from_dict(json.loads(path.read_text())["race"])
        assert window.current_lab() is lab
    if net is not None:
        assert window.current_lab() is net
        task, columns = comparison_from_dict(json.loads(path.read_text())["network"])
        assert net.scenario_section()["network"] == comparison_to_dict(task, columns)
    assert window.lesson_banner.isVisible()
    assert window.lesson_banner.title_label.text() == sc.title
    assert sc.lesson.split(".")[0] in window.lesson_banner.text_label.text()
    assert window.dialogs.alerts == []


def _bad_race_lr():
    d = json.loads(builtin_scenarios()[0][0].read_text())
    d["race"]["runs"][0]["hyper"]["lr"] = -1.0
    return json.dumps(d)


def _newer_schema():
    d = json.loads(builtin_scenarios()[0][0].read_text())
    d["schema_version"] = 99
    return json.dumps(d)


@pytest.mark.parametrize(
    "text, expect",
    [
        ('{"format": "descent-lab-scenario", "schema_version": 1,', "not valid JSON"),
        (_newer_schema(), "newer Descent Lab"),
        (_bad_race_lr(), "lr"),
    ],
    ids=["bad-json", "newer-schema", "bad-lr"],
)
def test_broken_lesson_gives_message_and_keeps_race(window_lab, tmp_path, text, expect):
    window, lab = window_lab
    # A race that is not any lesson's, so an accidental load would show.
    lab.set_landscape("himmelblau", {})
    before = lab.config
    path = tmp_path / "broken.json"
    path.write_text(text)
    assert window.lessons.open_file(path) is False
    assert lab.config == before
    assert len(window.dialogs.alerts) == 1
    level, _title, message = window.dialogs.alerts[0]
    assert level == "error" and expect in message and "broken.json" in message
    assert expect in window.statusBar().currentMessage()
    assert not window.lesson_banner.isVisible()


def test_unreadable_lesson_file_gives_message(window_lab, tmp_path):
    window, lab = window_lab
    before = lab.config
    assert window.lessons.open_file(tmp_path / "missing.json") is False
    assert lab.config == before
    assert "missing.json" in window.dialogs.alerts[0][2]


def test_save_then_open_round_trips(window_lab, tmp_path):
    window, lab = window_lab
    lab.set_landscape("beale", {})
    lab.add_run()
    saved = lab.config
    path = tmp_path / "mine.json"
    window.dialogs.path = path
    window.lessons.act_save.trigger()
    assert path.exists() and not list(tmp_path.glob(".scenario-*"))
    assert json.loads(path.read_text())["race"]["landscape"] == "beale"
    lab.set_landscape("rosenbrock", {})
    assert lab.config != saved
    window.lessons.act_open.trigger()
    assert lab.config == saved
    assert window.lesson_banner.title_label.text() == "mine"
    assert window.dialogs.alerts == []


def test_lab_without_lessons_says_so(window_lab, tmp_path):
    from gui.lab import Lab

    window, _lab = window_lab

    class Bare(Lab):
        def is_running(self):
            return False

        def set_speed(self, sps):
            pass

        def set_running(self, running):
            pass

    window.add_lab("Bare", Bare())
    window.tabs.setCurrentIndex(1)
    assert window.lessons.save_file(tmp_path / "x.json") is False
    assert "cannot save lessons" in window.dialogs.alerts[0][2]
    assert not (tmp_path / "x.json").exists()


def test_banner_dismisses_and_comes_back(window_lab):
    window, _lab = window_lab
    window.lessons.builtin_actions[0].trigger()
    banner = window.lesson_banner
    banner.close_button.click()
    assert not banner.isVisible()
    window.lessons.act_hide.trigger()
    assert banner.isVisible()


def test_first_frame_file_is_written(tmp_path):
    stamp = tmp_path / "first.txt"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DESCENTLAB_FIRST_FRAME_FILE=str(stamp))
    shot = str(tmp_path / "s.png")
    cmd = [sys.executable, str(ROOT / "main.py"), "--self-test", shot, "--self-test-seconds", "0.3"]
    proc = subprocess.run(
        cmd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    t = float(stamp.read_text().split()[0])
    # Written during this run: after the file's folder was made, before the screenshot.
    assert tmp_path.stat().st_ctime - 1 <= t <= (tmp_path / "s.png").stat().st_mtime
