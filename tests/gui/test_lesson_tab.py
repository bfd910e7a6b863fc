"""A lesson belongs to the lab it opened: its banner follows that lab's tab."""

from __future__ import annotations

from pathlib import Path

import pytest

SCENARIOS = Path(__file__).resolve().parents[2] / "resources" / "scenarios"


@pytest.fixture
def window(app, qtbot):
    from gui.app import build_main_window

    w = build_main_window()
    qtbot.addWidget(w)
    w.resize(1280, 720)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.shutdown()
    w.deleteLater()


def _net_index(window):
    return next(i for i in range(window.tabs.count()) if "Network" in window.tabs.tabText(i))


def test_a_network_lessons_text_leaves_with_its_lab_and_comes_back(window, qtbot):
    banner = window.lesson_banner
    assert window.lessons.open_file(SCENARIOS / "11_init_lesson.json")
    net = _net_index(window)
    assert window.tabs.currentIndex() == net and banner.isVisible()
    window.tabs.setCurrentIndex(1 - net)  # the landscape lab: not this lesson's
    assert not banner.isVisible()
    assert window.lessons.current is not None  # hidden, not closed
    window.tabs.setCurrentIndex(net)
    assert banner.isVisible()
    # closed by the reader on its own tab: switching tabs does not bring it back
    window.lessons.toggle_banner()
    assert not banner.isVisible()
    window.tabs.setCurrentIndex(1 - net)
    window.tabs.setCurrentIndex(net)
    assert not banner.isVisible()


def test_a_landscape_lesson_hides_on_the_network_tab(window, qtbot):
    banner = window.lesson_banner
    assert window.lessons.open_file(SCENARIOS / "01_rosenbrock_valley.json")
    net = _net_index(window)
    assert window.tabs.currentIndex() != net and banner.isVisible()
    window.tabs.setCurrentIndex(net)
    assert not banner.isVisible()
    window.tabs.setCurrentIndex(1 - net)
    assert banner.isVisible()
    # a new lesson for the other lab takes over the banner on its own tab
    assert window.lessons.open_file(SCENARIOS / "12_batchnorm_lesson.json")
    assert window.tabs.currentIndex() == net and banner.isVisible()
