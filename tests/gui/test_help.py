"""The F1 shortcut sheet is built from the actions, grouped by menu and sorted; About is
true about the version, the licence and the libraries."""

from __future__ import annotations

from importlib import metadata

import pytest
from PySide6.QtGui import QAction, QKeySequence


@pytest.fixture
def window(app, qtbot):
    from PySide6.QtWidgets import QMainWindow

    w = QMainWindow()
    qtbot.addWidget(w)

    def act(text, keys=None):
        a = QAction(text, w)
        if keys:
            a.setShortcut(QKeySequence(keys))
        w.addAction(a)
        return a

    mb = w.menuBar()
    m = mb.addMenu("&File")
    m.addAction(act("&Save scenario…", "Ctrl+S"))
    m.addAction(act("&Open scenario…", "Ctrl+O"))
    m.addAction(act("Recent"))  # no shortcut: not listed
    run = mb.addMenu("&Run")
    run.addAction(act("&Reset", "R"))
    run.addAction(act("&Play", "Space"))
    speed = run.addMenu("Speed")
    speed.addAction(act("&Faster", "+"))
    mb.addMenu("&Empty").addAction(act("Nothing"))
    act("Next lab", "Ctrl+Tab")  # window-wide, in no menu
    return w


def test_shortcuts_are_grouped_by_menu_in_menu_order_and_sorted(window):
    from gui.help import OTHER, shortcut_groups

    groups = shortcut_groups(window.menuBar(), window.actions())
    assert [g for g, _ in groups] == ["File", "Run", OTHER]
    file_rows, run_rows, other = (rows for _, rows in groups)
    assert [name for name, _ in file_rows] == ["Open scenario", "Save scenario"]
    native = QKeySequence.SequenceFormat.NativeText
    assert dict(file_rows)["Save scenario"] == QKeySequence("Ctrl+S").toString(native)
    # The submenu's action sits in its top-level menu's group, sorted with the rest.
    assert [name for name, _ in run_rows] == ["Faster", "Play", "Reset"]
    assert other == [("Next lab", QKeySequence("Ctrl+Tab").toString(native))]


def test_the_sheet_lists_every_shortcut_once_and_escapes_text(window, qtbot):
    from gui.help import shortcut_groups, shortcut_sheet_html, show_shortcut_sheet

    a = QAction("Loss && accuracy", window)
    a.setShortcut(QKeySequence("Ctrl+L"))
    window.menuBar().actions()[0].menu().addAction(a)
    groups = shortcut_groups(window.menuBar(), window.actions())
    text = shortcut_sheet_html(groups)
    assert "Loss &amp; accuracy" in text
    assert text.count("<h3>") == 3
    dlg = show_shortcut_sheet(window)
    qtbot.addWidget(dlg)
    assert dlg.isVisible() and not dlg.isModal()
    dlg.close()


def test_about_gives_the_version_licence_and_each_librarys_own_metadata(app, qtbot):
    from engine.version import __version__
    from gui.help import CREDITS, LICENCE, about_html, credits, show_about

    text = about_html()
    assert __version__ in text and "Licence" in text
    assert LICENCE.split(":")[0] in text
    rows = credits()
    assert [r[0] for r in rows] == [name for name, _ in CREDITS]
    for name, version, licence, _role in rows:
        assert version == metadata.version(name)
        assert licence and licence != "?"
        assert name in text and version in text
    dlg = show_about(None)
    qtbot.addWidget(dlg)
    assert dlg.isVisible()
    dlg.close()
