"""Autosave and restore: what survives a quit and a kill -9, and what a bad file does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.runs import RaceConfig
from engine.session.state import read_state
from gui.user_paths import state_file

PROBE = Path(__file__).with_name("autosave_probe.py")


def _probe(mode: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(PROBE), mode],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_state_dir_is_fresh_per_test():
    path = state_file()
    assert path.parent == Path(os.environ["DESCENTLAB_STATE_DIR"])
    assert not path.exists()


def test_kill_9_keeps_the_landscape_and_quit_keeps_size_lab_and_speed(tmp_path):
    env = {**os.environ, "DESCENTLAB_STATE_DIR": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    killed = _probe("change", env)
    assert killed.returncode == -9, killed.stderr  # it really was SIGKILLed
    report = _probe("report", env)
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout.strip().splitlines()[-1])["landscape"] == "himmelblau"
    quit_ = _probe("resize", env)
    assert quit_.returncode == 0, quit_.stderr
    shown = json.loads(_probe("report", env).stdout.strip().splitlines()[-1])
    assert shown == {"landscape": "himmelblau", "size": [1180, 700], "lab": 1, "speed": 1000}


def _window(qtbot, make_window):
    window, lab = make_window()
    window.enable_autosave()
    qtbot.waitUntil(lambda: window.autosave._restored)
    return window, lab


def test_an_edit_is_saved_within_the_delay(make_window, qtbot):
    from gui.autosave import SAVE_DELAY_MS

    window, lab = _window(qtbot, make_window)
    saves = window.autosave.saves
    lab.set_landscape("beale", {})
    qtbot.waitUntil(lambda: window.autosave.saves > saves, timeout=SAVE_DELAY_MS + 1500)
    state, _ = read_state(state_file())
    assert state["landscape"]["config"]["landscape"] == "beale"


def test_a_restore_brings_back_sessions_lesson_speed_and_folder(make_window, qtbot, tmp_path):
    from engine.scenario import builtin_scenarios

    window, lab = _window(qtbot, make_window)
    _path, scenario = next((p, s) for p, s in builtin_scenarios() if s.race is not None)
    window.lessons.open_scenario(scenario)
    window.set_speed(50)
    window.exporter.folder = tmp_path
    assert window.autosave.save_now()
    window2, lab2 = make_window()
    window2.enable_autosave()
    qtbot.waitUntil(lambda: window2.autosave._restored)
    assert lab2.config == lab.config == scenario.race
    assert window2.lessons.current.title == scenario.title
    assert window2.speed() == 50 and window2.exporter.folder == tmp_path
    assert not lab2.session.can_undo  # a restore is not an edit


@pytest.mark.parametrize(
    "content", [b"{oops", json.dumps({"kind": "descent-lab-state", "schema": 99}).encode()]
)
def test_a_bad_file_is_set_aside_with_a_message(make_window, qtbot, content):
    path = state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    window, lab = make_window()
    window.enable_autosave()
    qtbot.waitUntil(lambda: window.autosave._restored)
    assert lab.config == RaceConfig()
    assert "starting fresh" in window.statusBar().currentMessage()
    assert [p.name for p in path.parent.iterdir() if ".unusable-" in p.name]


def test_a_file_with_an_invalid_section_changes_nothing(make_window, qtbot):
    window, _lab = _window(qtbot, make_window)
    state = window.autosave.collect()
    state["landscape"]["config"]["landscape"] = "nowhere"
    state["speed"] = 5
    path = state_file()
    path.write_text(json.dumps({"schema": 1, "kind": "descent-lab-state", **state}))
    window2, lab2 = make_window()
    window2.enable_autosave()
    qtbot.waitUntil(lambda: window2.autosave._restored)
    assert lab2.config == RaceConfig() and window2.speed() != 5
    assert "could not be applied" in window2.statusBar().currentMessage()


def test_start_fresh_resets_every_lab_and_the_lesson(make_window, qtbot):
    window, lab = _window(qtbot, make_window)
    lab.set_landscape("beale", {})
    window.act_start_fresh.trigger()
    assert lab.config == RaceConfig() and not lab.session.can_undo
    assert window.lessons.current is None
    state, _ = read_state(state_file())
    assert state["landscape"]["config"]["landscape"] == "rosenbrock"
