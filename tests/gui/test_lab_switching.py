"""Two labs in one window: only the showing lab's shortcuts are live."""

from __future__ import annotations


def _assert_no_key_twice(window):
    seqs = [
        a.shortcut().toString()
        for a in window.actions()
        if not a.shortcut().isEmpty() and a.isEnabled()
    ]
    assert len(seqs) == len(set(seqs)), seqs


def test_only_the_current_labs_shortcuts_are_on_the_window(app, qtbot):
    from gui.app import build_main_window

    window = build_main_window()
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    try:
        (land,) = window.labs  # the network lab is made when its tab first shows
        land_keys = {a for a in land.lab_actions() if a is not None}
        assert land_keys and land_keys <= set(window.actions())
        window.tabs.setCurrentIndex(1)
        land, net = window.labs
        net_keys = {a for a in net.lab_actions() if a is not None}
        assert net_keys
        on_window = set(window.actions())
        assert net_keys <= on_window and not (land_keys & on_window)
        _assert_no_key_twice(window)
        window.tabs.setCurrentIndex(0)
        on_window = set(window.actions())
        assert land_keys <= on_window and not (net_keys & on_window)
        _assert_no_key_twice(window)
    finally:
        window.shutdown()
        window.deleteLater()


def test_an_engine_error_stops_the_lab_with_a_message(make_window, qtbot):
    window, lab = make_window()
    messages = []
    lab.message.connect(lambda level, text: messages.append((level, text)))

    def boom(n):
        raise RuntimeError("deliberate failure")

    # Replace the race's step on the worker thread, between batches, as commands run.
    lab.bridge.submit(lambda race: setattr(race, "step", boom))
    lab.set_running(True)
    qtbot.waitUntil(lambda: any(level == "error" for level, _ in messages), timeout=5000)
    text = next(t for lv, t in messages if lv == "error")
    assert text.startswith("the race stopped:") and "deliberate failure" in text
    assert not lab.is_running()
    qtbot.waitUntil(lambda: not window.act_play.isChecked(), timeout=2000)
