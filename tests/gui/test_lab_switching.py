"""Two labs in one window: only the showing lab's shortcuts are live."""

from __future__ import annotations


def test_only_the_current_labs_shortcuts_are_on_the_window(app, qtbot):
    from gui.app import build_main_window

    window = build_main_window()
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    try:
        land, net = window.labs
        land_keys = {a for a in land.lab_actions() if a is not None}
        net_keys = {a for a in net.lab_actions() if a is not None}
        assert land_keys and net_keys
        on_window = set(window.actions())
        assert land_keys <= on_window and not (net_keys & on_window)
        window.tabs.setCurrentIndex(1)
        on_window = set(window.actions())
        assert net_keys <= on_window and not (land_keys & on_window)
        # no key sequence is claimed twice among the live actions
        seqs = [
            a.shortcut().toString()
            for a in window.actions()
            if not a.shortcut().isEmpty() and a.isEnabled()
        ]
        assert len(seqs) == len(set(seqs)), seqs
    finally:
        window.shutdown()
        window.deleteLater()
