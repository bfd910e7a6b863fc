"""View > 3-D view in the landscape lab: offscreen it says why in one line and stays 2-D."""

from __future__ import annotations

import pytest

from gui import gl_check


@pytest.fixture
def fresh_check():
    gl_check._cached.cache_clear()
    yield
    gl_check._cached.cache_clear()


def test_offscreen_the_3d_action_reports_why_and_the_lab_stays_2d(make_window, fresh_check):
    _window, lab = make_window()
    messages = []
    lab.message.connect(lambda level, text: messages.append((level, text)))
    top_before = [lab.top.widget(i) for i in range(lab.top.count())]
    lab.act_3d.trigger()
    assert not lab.act_3d.isChecked()
    assert lab.surface3d.panel is None
    assert [lab.top.widget(i) for i in range(lab.top.count())] == top_before
    (level, text), *_ = messages
    assert level == "warning" and "offscreen" in text and "\n" not in text
    ok, reason = gl_check.opengl_available()
    assert not ok and text == reason
    # The race goes on drawing in 2-D; a landscape change still works.
    lab.set_landscape("himmelblau", {})
    assert lab.landscape.name == "himmelblau" and lab.surface3d.panel is None
    assert lab.act_3d in lab.lab_actions()


def test_the_switch_off_by_hand_is_reported_too(make_window, fresh_check, monkeypatch):
    monkeypatch.setenv(gl_check.ENV_SWITCH, "0")
    _window, lab = make_window()
    messages = []
    lab.message.connect(lambda level, text: messages.append(text))
    assert lab.set_3d_visible(True) is False
    assert messages == [f"3-D view off: {gl_check.ENV_SWITCH}=0 is set"]
