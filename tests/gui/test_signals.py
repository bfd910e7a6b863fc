"""SIGINT/SIGTERM become a quit from the event loop; a second signal gets the default."""

from __future__ import annotations

import os
import signal

import pytest

import gui.signals as signals


class FakeApp:
    quits = 0

    @classmethod
    def instance(cls):
        return cls

    @classmethod
    def quit(cls):
        cls.quits += 1


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_wakes_the_event_loop_and_quits_once(qtbot, qapp, monkeypatch, signum):
    monkeypatch.setattr(signals, "QApplication", FakeApp)
    FakeApp.quits = 0
    seen = []
    before = signal.getsignal(signum)
    quitter = signals.SignalQuitter(seen.append)
    try:
        assert quitter._notifier is not None  # the socket path, not the polling fallback
        os.kill(os.getpid(), signum)
        qtbot.waitUntil(lambda: FakeApp.quits == 1, timeout=3000)
        assert seen == [signum]
        # Closing is under way: a second signal must end the process the default way.
        assert signal.getsignal(signum) is signal.SIG_DFL
    finally:
        quitter.uninstall()
    assert signal.getsignal(signum) is before


def test_uninstall_restores_the_wakeup_fd(qapp):
    old = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(old)
    quitter = signals.SignalQuitter()
    assert signal.set_wakeup_fd(-1) != old  # ours was installed
    signal.set_wakeup_fd(quitter._wsock.fileno())
    quitter.uninstall()
    assert signal.set_wakeup_fd(old) == old
