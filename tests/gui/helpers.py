"""Helpers shared by the GUI tests."""

from __future__ import annotations


def wait_for_snapshot(qtbot, lab, predicate, timeout=10000):
    """Wait until the lab has drawn a snapshot satisfying ``predicate``; return it."""
    qtbot.waitUntil(
        lambda: lab.last_snapshot is not None and predicate(lab.last_snapshot), timeout=timeout
    )
    return lab.last_snapshot


def frame_ticks(qtbot, lab, n):
    """Let the lab's display timer fire ``n`` more times (the event loop keeps running)."""
    count = {"n": 0}

    def tick():
        count["n"] += 1

    lab.frame_timer.timeout.connect(tick)
    try:
        qtbot.waitUntil(lambda: count["n"] >= n, timeout=10000)
    finally:
        lab.frame_timer.timeout.disconnect(tick)
