"""The save-as-lesson dialog: a title and a text, checked as typed."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from gui.dialogs import TEXT_MAX, TITLE_MAX, LessonDialog, lesson_problem


@pytest.mark.parametrize(
    ("title", "text", "problem"),
    [
        ("Momentum overshoots", "", None),
        ("  Momentum  ", "Watch the valley.", None),
        ("", "text", "needs a title"),
        ("   ", "text", "needs a title"),
        ("two\nlines", "", "one line"),
        ("x" * TITLE_MAX, "", None),
        ("x" * (TITLE_MAX + 1), "", f"at most {TITLE_MAX}"),
        ("ok", "y" * TEXT_MAX, None),
        ("ok", "y" * (TEXT_MAX + 1), f"at most {TEXT_MAX}"),
    ],
)
def test_lesson_problem_names_what_is_wrong(title, text, problem):
    got = lesson_problem(title, text)
    if problem is None:
        assert got is None
    else:
        assert problem in got and "\n" not in got


def test_the_dialog_saves_only_a_valid_lesson_and_returns_it_trimmed(app, qtbot):
    dlg = LessonDialog(None, "", "")
    qtbot.addWidget(dlg)
    save = dlg.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert not save.isEnabled() and "title" in dlg.problem_label.text()
    dlg.accept()  # Enter with no title: refused
    assert dlg.result() != dlg.DialogCode.Accepted
    dlg.title_edit.setText("  Adam on the cliff ")
    dlg.text_edit.setPlainText("The clipped run stays on the cliff.\n")
    assert save.isEnabled() and dlg.problem_label.text() == ""
    assert f"/{TITLE_MAX}" in dlg.count_label.text()
    dlg.text_edit.setPlainText("z" * (TEXT_MAX + 5))
    assert not save.isEnabled()
    dlg.text_edit.setPlainText("The clipped run stays on the cliff.")
    save.click()
    assert dlg.result() == dlg.DialogCode.Accepted
    assert dlg.values() == ("Adam on the cliff", "The clipped run stays on the cliff.")
