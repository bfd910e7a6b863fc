"""Single-key shortcuts act on the app, never type into a field (issue 12, gui/keys.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from gui.keys import AppKeys


def _lr_field(lab):
    return lab.editor.hyper_form.controls["lr"]._parts[0].field


def _focus(qtbot, window, field):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)


def _type_over(field, text):
    field.selectAll()
    QTest.keyClick(field, Qt.Key.Key_Delete)
    QTest.keyClicks(field, text)


def test_the_filter_is_installed_once(app):
    from gui.app import make_app

    make_app([])
    assert len(app.findChildren(AppKeys)) == 1


def test_enter_returns_focus_to_the_plot_then_space_plays(make_window, qtbot):
    window, lab = make_window()
    field = _lr_field(lab)
    _focus(qtbot, window, field)
    _type_over(field, "0.002")
    QTest.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: lab.config.runs[0].hyper.get("lr") == 0.002)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is lab.surface.plot_widget)
    assert not lab._running
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert lab._running and window.act_play.isChecked()
    assert field.text() == "0.002"
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert not lab._running


def test_single_keys_pressed_in_a_number_field_act_on_the_app(make_window, qtbot):
    window, lab = make_window()
    field = _lr_field(lab)
    _focus(qtbot, window, field)
    _type_over(field, "0.003")
    first = lab.config.landscape
    QTest.keyClick(field, Qt.Key.Key_N)  # next landscape, not an "n" in the field
    assert lab.config.landscape != first
    field = _lr_field(lab)
    _focus(qtbot, window, field)
    before = field.text()
    QTest.keyClick(field, Qt.Key.Key_Space)
    assert lab._running and field.text() == before
    QTest.keyClick(field, Qt.Key.Key_Space)
    assert not lab._running and field.text() == before
    assert "n" not in field.text() and " " not in field.text()


def test_escape_abandons_the_edit_and_leaves_the_field(make_window, qtbot):
    window, lab = make_window()
    field = _lr_field(lab)
    lr = lab.config.runs[0].hyper.get("lr")
    _focus(qtbot, window, field)
    before = field.text()
    _type_over(field, "0.7")
    QTest.keyClick(field, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is lab.surface.plot_widget)
    assert field.text() == before
    assert lab.config.runs[0].hyper.get("lr", lr) == lr  # an unchanged lr may be left implicit


def test_free_text_fields_still_take_letters(make_window, qtbot):
    window, lab = make_window()
    lab.editor.run_section.expand()
    label = lab.editor.field_controls["label"]
    qtbot.waitUntil(label.isVisible)
    _focus(qtbot, window, label)
    _type_over(label, "n r")
    assert label.text() == "n r"
    assert not lab._running
    QTest.keyClick(label, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: lab.config.runs[0].label == "n r")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is lab.surface.plot_widget)
