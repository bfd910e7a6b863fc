"""SIGINT and SIGTERM end the app as a close does: the session is saved, the workers stop.

Python runs a signal handler only when the main thread executes bytecode, and Qt's event
loop sits in C++ for as long as nothing happens, so Ctrl+C used to print KeyboardInterrupt
at some later callback and leave the app running, and SIGTERM killed it with no clean-up.
Here the C-level handler writes the signal's number to a socket
(:func:`signal.set_wakeup_fd`), a :class:`QSocketNotifier` on the other end wakes the event
loop at once, and the slot quits the application: ``aboutToQuit`` then runs the autosave
and the labs' shut-down (:func:`gui.app.run`). Where the wake-up socket cannot be set up, a
periodic timer gives the interpreter a chance to run the handler instead.

The first signal asks for a clean exit; a second one while it is under way gets the
default behaviour (Ctrl+C twice always ends the process).
"""

from __future__ import annotations

import signal
import socket
import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier, QTimer
from PySide6.QtWidgets import QApplication

__all__ = ["HANDLED_SIGNALS", "POLL_MS", "SignalQuitter", "install_signal_handlers"]

#: The signals that end the app cleanly (SIGTERM does not exist as such on Windows).
HANDLED_SIGNALS = tuple(
    s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if s
)
#: Fallback: how often the interpreter gets to run pending handlers without the socket.
POLL_MS = 200


class SignalQuitter(QObject):
    """Turns SIGINT/SIGTERM into ``on_signal(signum)`` on the GUI thread, then a quit.

    Parameters
    ----------
    on_signal : callable or None
        Called with the signal number on the GUI thread before the application quits
        (e.g. to say why in the log).
    parent : QObject or None
    """

    def __init__(self, on_signal: Callable[[int], None] | None = None, parent=None) -> None:
        super().__init__(parent)
        self.on_signal = on_signal
        self.received: list[int] = []
        self._previous: dict[int, object] = {}
        self._old_wakeup_fd: int | None = None
        self._rsock = self._wsock = None
        self._notifier: QSocketNotifier | None = None
        self._timer: QTimer | None = None
        for signum in HANDLED_SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handler)
        try:
            self._rsock, self._wsock = socket.socketpair()
            for s in (self._rsock, self._wsock):
                s.setblocking(False)
            self._old_wakeup_fd = signal.set_wakeup_fd(
                self._wsock.fileno(), warn_on_full_buffer=False
            )
            self._notifier = QSocketNotifier(self._rsock.fileno(), QSocketNotifier.Type.Read, self)
            self._notifier.activated.connect(self._on_wakeup)
        except (OSError, ValueError):  # no socket pair, or not the main thread
            self._close_socket()
            self._timer = QTimer(self)
            self._timer.timeout.connect(lambda: None)  # Python code runs: handlers too
            self._timer.start(POLL_MS)

    def _handler(self, signum, frame) -> None:
        # Runs in the main thread at a bytecode boundary (maybe inside a slot): only note
        # it; the quit happens from the event loop (the wake-up socket, or right away).
        self.received.append(signum)
        # A second signal while closing gets the default action.
        signal.signal(signum, signal.SIG_DFL)
        if self._notifier is None:
            QTimer.singleShot(0, self._quit)

    def _on_wakeup(self) -> None:
        try:
            while self._rsock.recv(64):
                pass
        except OSError:  # drained
            pass
        if self.received:
            self._quit()

    def _quit(self) -> None:
        if not self.received:
            return
        signum = self.received[0]
        if self.on_signal is not None:
            self.on_signal(signum)
        app = QApplication.instance()
        if app is not None:
            # exit() leaves every running event loop (a modal dialog's too), so the quit is
            # never held up by an open alert.
            app.quit()

    def _close_socket(self) -> None:
        for s in (self._rsock, self._wsock):
            if s is not None:
                s.close()
        self._rsock = self._wsock = None

    def uninstall(self) -> None:
        """Give the signals back their previous handlers (tests; a second window)."""
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        self._previous.clear()
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier = None
        if self._old_wakeup_fd is not None:
            signal.set_wakeup_fd(self._old_wakeup_fd)
            self._old_wakeup_fd = None
        if self._timer is not None:
            self._timer.stop()
        self._close_socket()


def install_signal_handlers(window=None) -> SignalQuitter:
    """SIGINT and SIGTERM quit the app cleanly (autosave and shut-down run on aboutToQuit).

    Call from the main thread after the QApplication exists. ``window`` (a MainWindow), if
    given, owns the handler and gets a status-bar line; a line goes to stderr in any case.
    """

    def say(signum: int) -> None:
        name = signal.Signals(signum).name
        print(f"Descent Lab: {name} received; saving the session and quitting", file=sys.stderr)
        if window is not None:
            window.show_message(f"{name}: saving and quitting", "warning")

    return SignalQuitter(say, parent=window)
