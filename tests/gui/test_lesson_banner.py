"""The lesson banner folds to one line, unfolds on a click, starts folded on a projector."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from gui import theme

TEXT = " ".join(["Watch the momentum run overshoot the valley floor and come back."] * 6)


@pytest.fixture
def banner(app, qtbot):
    from gui.panels.lesson_panel import LessonBanner

    b = LessonBanner()
    qtbot.addWidget(b)
    b.resize(1280, 400)
    b.show_lesson("Momentum on Rosenbrock: lr 0.05", TEXT, "Press Space to start")
    qtbot.waitExposed(b)
    return b


def _height(b) -> int:
    b.adjustSize()
    return b.sizeHint().height()


def test_folded_is_one_line_and_a_click_unfolds_it(banner, qtbot):
    assert not banner.collapsed  # normal mode: the whole lesson
    assert banner.text_label.isVisible()
    tall = _height(banner)
    banner.more_button.click()
    assert banner.collapsed and not banner.text_label.isVisible()
    short = _height(banner)
    line = banner.title_label.fontMetrics().height()
    assert short <= 2 * line + 24 < tall
    assert "lesson" in banner.more_button.toolTip().lower()
    # A click on the title unfolds it again; the text was kept.
    qtbot.mouseClick(banner.title_label, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert not banner.collapsed and banner.text_label.isVisible()
    assert "overshoot" in banner.text_label.text()


def test_presentation_mode_starts_folded(banner):
    with_signal = []
    banner.collapsed_changed.connect(with_signal.append)
    banner.apply_scale(theme.PRESENTATION)
    assert banner.collapsed and with_signal == [True]
    banner.apply_scale(theme.NORMAL)
    assert not banner.collapsed


def test_a_folded_title_that_does_not_fit_is_cut_at_a_word(banner, qtbot):
    banner.set_collapsed(True)
    banner.resize(260, 200)
    qtbot.wait(10)
    shown = banner.title_label.text()
    full = "Momentum on Rosenbrock: lr 0.05"
    assert shown != full and shown.endswith(" …")
    assert full.startswith(shown.removesuffix(" …"))
    assert banner.title_label.toolTip() == full
