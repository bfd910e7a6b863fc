"""The one bridge between an engine object and Qt: the only module that starts a thread.

:class:`EngineBridge` drives any object with ``step(n)`` and ``snapshot()`` on a worker
thread. The GUI never touches the engine directly: it hands the bridge *commands* (plain
callables ``fn(engine)``) that run on the worker thread between two batches of steps, and it
pulls the newest snapshot at display rate with :meth:`EngineBridge.take`.

Pacing
------
The worker counts steps against the wall clock: at a finite speed it runs the steps that are
due and sleeps until the next one; at full speed it runs batches sized so each takes about
``batch_seconds`` (1 ms) and then yields. Yielding matters: a thread looping over small numpy
calls without a pause starves the GUI thread of the GIL (measured: 4.8 frames per second
without yielding, 62 with a yield per batch).

Snapshots
---------
A snapshot is built only when the GUI has taken the previous one, so a slow display never
makes the engine copy arrays nobody looks at. Every command may *invalidate*: snapshots built
before such a command has run (an old landscape, an old set of runs) are dropped, whatever
the engine's own bookkeeping.

Errors
------
Floating-point errors are caught with a thread-local :func:`numpy.errstate` callback and
relayed by :attr:`EngineBridge.warning`; an exception from ``step``, ``snapshot``, a command
or the loop itself is relayed by :attr:`EngineBridge.failed` (the labs put it in the status
bar), logged with its traceback (logger ``gui.worker``), and pauses the run. Nothing
raises on the worker thread.

Stopping
--------
:meth:`EngineBridge.stop` must end a close in well under a second even when one step takes
seconds (a 4x512 network on a batch of 40,000: 3-5 s a step). It asks the loop to stop,
waits a moment, then raises :class:`WorkerCancelled` *inside* the step by
``PyThreadState_SetAsyncExc``: the interpreter delivers it at the next bytecode, i.e. as
soon as the numpy call under way returns, so every long Python-level step has cancellation
points without the engine knowing. If even that call outlasts the timeout, the thread is
abandoned: it is a daemon :class:`threading.Thread`, not a QThread, so the process can exit
while it finishes (a QThread still running when destroyed aborts the process: the issue's
"QThread: Destroyed while thread is still running", exit 134).
"""

from __future__ import annotations

import ctypes
import logging
import math
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal

__all__ = [
    "STOP_TIMEOUT_MS",
    "WORKER_NICE",
    "EngineBridge",
    "Steppable",
    "WorkerCancelled",
    "abandoned_threads",
    "exit_now_if_abandoned",
    "lower_priority",
]

log = logging.getLogger(__name__)


class Steppable(Protocol):
    """What the bridge needs from an engine object."""

    def step(self, n: int) -> Any: ...

    def snapshot(self) -> Any: ...


Command = Callable[[Any], Any]


class _Pending:
    __slots__ = ("epoch", "fn", "key", "on_error", "on_result")

    def __init__(self, fn, epoch, key, on_result, on_error):
        self.fn = fn
        self.epoch = epoch
        self.key = key
        self.on_result = on_result
        self.on_error = on_error


# Nice steps the worker runs below the GUI thread (Linux; see lower_priority).
WORKER_NICE = 10
# The interpreter's GIL switch interval while a worker runs (see EngineBridge.start).
SWITCH_INTERVAL_S = 0.001
#: How long :meth:`EngineBridge.stop` waits by default before it abandons the thread: a
#: close must be over within a second, and the rest of it (autosave, Qt) takes ~0.1 s.
STOP_TIMEOUT_MS = 300
# How long stop() lets the loop end by itself before cancelling the step under way.
_GRACE_S = 0.05


class WorkerCancelled(BaseException):
    """Raised inside the worker thread by :meth:`EngineBridge.stop` to end a long step.

    A BaseException, so the ``except Exception`` that relays engine errors lets it pass.
    """


def _raise_in_thread(ident: int, exc_type: type[BaseException]) -> bool:
    """Ask the interpreter to raise ``exc_type`` in thread ``ident`` at its next bytecode."""
    set_async = ctypes.pythonapi.PyThreadState_SetAsyncExc
    set_async.argtypes = (ctypes.c_ulong, ctypes.py_object)
    set_async.restype = ctypes.c_int
    return set_async(ident, exc_type) == 1


def lower_priority(nice: int = WORKER_NICE) -> None:
    """Run the calling thread (the worker) below the GUI thread.

    An engine at full speed keeps a core busy; at the GUI thread's own priority the
    scheduler lets it hold the CPU while a display frame waits (bench/gui_bench_network.py
    on two cores with other load: p99 event-loop lag 5-13 ms with the worker at nice 0,
    4-6 ms at nice 10, steps per second unchanged). Linux ignores QThread priorities other
    than idle, so there the thread's nice value goes up (always allowed); elsewhere
    QThread's low priority.
    """
    if nice <= 0:
        return
    if sys.platform.startswith("linux"):
        tid = threading.get_native_id()
        try:
            current = os.getpriority(os.PRIO_PROCESS, tid)
            os.setpriority(os.PRIO_PROCESS, tid, min(current + nice, 19))
        except OSError:
            pass  # a sandbox that forbids it: run at the usual priority
    else:
        QThread.currentThread().setPriority(QThread.Priority.LowPriority)


# Worker threads that stop() had to leave running (see exit_now_if_abandoned).
_ABANDONED: list[threading.Thread] = []


def abandoned_threads() -> list[threading.Thread]:
    """Worker threads left running by :meth:`EngineBridge.stop` that are still alive."""
    _ABANDONED[:] = [t for t in _ABANDONED if t.is_alive()]
    return list(_ABANDONED)


def exit_now_if_abandoned(code: int) -> None:
    """End the process with ``code`` at once if a worker thread is still inside a step.

    The interpreter's normal exit would run the C libraries' exit handlers while that
    thread is still in a numpy call: OpenBLAS's ``gotoblas_quit`` then waits forever for
    its thread (measured: a close that never ended) or frees buffers still in use. By the
    time this is called everything worth keeping is written (the autosave runs on
    ``aboutToQuit``), so the exit skips the handlers (:func:`os._exit`) after flushing the
    standard streams. Returns normally when no thread was abandoned.
    """
    if not abandoned_threads():
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(int(code))


class _Loop(threading.Thread):
    """The worker thread: runs the bridge's loop below the GUI's priority.

    A daemon thread so that one abandoned in a long numpy call (see :meth:`EngineBridge.stop`)
    never keeps the process alive; the loop stops between batches, and is cancelled inside
    one, long before the interpreter exits in every other case.
    """

    def __init__(self, bridge: EngineBridge) -> None:
        super().__init__(name="engine-worker", daemon=True)
        self._bridge = bridge

    def run(self) -> None:
        bridge = self._bridge
        try:
            lower_priority(bridge.worker_nice)
            bridge._loop()
        except WorkerCancelled:
            pass
        except BaseException as exc:  # never a traceback on a foreign thread
            if not bridge._stopping:
                bridge._relay_failure(exc)


class EngineBridge(QObject):
    """Run ``engine.step`` on a worker thread and hand its snapshots to the GUI.

    Parameters
    ----------
    engine : object with ``step(n)`` and ``snapshot()``
        Owned by the worker thread from :meth:`start` on; reach it only through
        :meth:`submit`.
    steps_per_second : float or None
        Initial speed; ``None`` or ``inf`` means as fast as the machine goes.
    batch_seconds : float
        Target duration of one batch at full speed.
    yield_seconds : float
        Pause after each batch at full speed (0 gives the GIL away without sleeping).
    worker_nice : int
        How far below the GUI thread the worker runs (see :func:`lower_priority`).

    Signals
    -------
    warning(str)
        A floating-point warning (overflow, invalid value...) raised while stepping; sent at
        most once per kind until :meth:`reset_warnings`.
    failed(str)
        ``step`` or a command raised; the message is the exception's text. Running stops.
    running_changed(bool)
        Emitted when running stops on the worker (after a failure or when ``stop_when``
        reports the engine is done).
    result(object, object)
        Internal: carries a command's result to its ``on_result`` callback on the GUI thread.
    """

    warning = Signal(str)
    failed = Signal(str)
    running_changed = Signal(bool)
    result = Signal(object, object)

    def __init__(
        self,
        engine: Steppable,
        *,
        steps_per_second: float | None = None,
        batch_seconds: float = 0.001,
        yield_seconds: float = 0.0,
        worker_nice: int = WORKER_NICE,
        stop_when: Callable[[Any], bool] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._engine = engine
        self._cond = threading.Condition()
        self._commands: list[_Pending] = []
        self._running = False
        self._extra_steps = 0
        self._stopping = False
        self._sps = math.inf
        self.set_speed(steps_per_second)
        self.batch_seconds = float(batch_seconds)
        self.yield_seconds = float(yield_seconds)
        self.worker_nice = int(worker_nice)
        self.max_batch = 5000
        self._stop_when = stop_when
        # GUI-side epoch: commands that invalidate bump it; snapshots older are dropped.
        self._epoch = 0
        self._applied_epoch = 0  # worker side
        self._snapshot: Any = None
        self._snapshot_epoch = -1
        self._want_snapshot = True
        self._dirty = True
        self._warned: set[str] = set()
        self._steps_done = 0
        self._step_cost = 1e-4  # seconds per step, running estimate
        self._thread: _Loop | None = None
        #: Whether the last :meth:`stop` had to cancel a step under way.
        self.cancelled = False
        self._gate = threading.Lock()
        self._held = False
        self._last = 0.0
        self._owed = 0.0
        self.result.connect(self._deliver)

    # ----------------------------------------------------------------- control (GUI thread)
    def start(self) -> None:
        """Start the worker thread (paused: call :meth:`set_running`)."""
        if self._thread is not None:
            return
        with self._cond:
            self._stopping = False
        # A thread that wants the GIL waits this long before asking the holder to let go:
        # Python's 5 ms default made the display wait up to 5 ms behind the worker (timer
        # lag p50 at 1920x1080: 4.4 ms at 5 ms, 1.0-2.0 ms at 1 ms; frames/s and steps/s
        # no lower). Process-wide, and only ever lowered.
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
        self._thread = _Loop(self)
        self._thread.start()

    def stop(self, timeout_ms: int = STOP_TIMEOUT_MS) -> bool:
        """Stop the worker and join it; returns whether it ended within ``timeout_ms``.

        The loop stops between batches; a batch still running after a moment is cancelled
        from inside (:class:`WorkerCancelled` at its next bytecode), and a thread that has
        not ended by the timeout is abandoned (a daemon: it never holds the process up).
        The engine must not be used after a stop that cancelled a step.
        """
        with self._cond:
            self._stopping = True
            self._running = False
            self._cond.notify_all()
        self.release()
        thread, self._thread = self._thread, None
        if thread is None:
            return True
        deadline = time.perf_counter() + max(0, timeout_ms) / 1000.0
        thread.join(min(_GRACE_S, max(0.0, deadline - time.perf_counter())))
        if thread.is_alive() and thread.ident is not None:
            self.cancelled = _raise_in_thread(thread.ident, WorkerCancelled)
            thread.join(max(0.0, deadline - time.perf_counter()))
        if thread.is_alive():
            log.warning("the engine thread did not stop within %d ms; left to end", timeout_ms)
            _ABANDONED.append(thread)
            return False
        return True

    @property
    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def set_running(self, running: bool) -> None:
        with self._cond:
            self._running = bool(running)
            self._cond.notify_all()

    @property
    def running(self) -> bool:
        return self._running

    def set_speed(self, steps_per_second: float | None) -> None:
        """Steps per second; ``None``, ``inf`` or ``<= 0`` mean as fast as possible."""
        sps = math.inf if steps_per_second is None else float(steps_per_second)
        if not math.isfinite(sps) or sps <= 0:
            sps = math.inf
        with self._cond:
            self._sps = sps
            self._cond.notify_all()

    @property
    def speed(self) -> float:
        return self._sps

    def step_once(self, n: int = 1) -> None:
        """Queue ``n`` steps to run even while paused."""
        with self._cond:
            self._extra_steps += int(n)
            self._cond.notify_all()

    def submit(
        self,
        fn: Command,
        *,
        invalidate: bool = False,
        key: str | None = None,
        on_result: Callable[[Any], Any] | None = None,
        on_error: Callable[[str], Any] | None = None,
    ) -> None:
        """Run ``fn(engine)`` on the worker thread before the next batch.

        Parameters
        ----------
        fn : callable
            Receives the engine; its return value goes to ``on_result`` on the GUI thread.
        invalidate : bool
            The command changes what snapshots mean (reset, new configuration): drop every
            snapshot built before it ran, and cancel queued single steps.
        key : str or None
            A later command with the same key replaces this one if it has not run yet
            (dragging a start point sends many; only the last matters).
        on_error : callable or None
            Receives the exception text; without it :attr:`failed` is emitted.
        """
        with self._cond:
            if invalidate:
                self._epoch += 1
                self._snapshot = None
                self._extra_steps = 0
            pending = _Pending(fn, self._epoch, key, on_result, on_error)
            if key is not None:
                # The newer command replaces the pending one and queues behind everything
                # sent since, so the order of effects is the order of the calls.
                self._commands = [c for c in self._commands if c.key != key]
            self._commands.append(pending)
            self._cond.notify_all()
        if self._thread is None and not self._stopping:
            # Not started (tests, or before show): run synchronously on this thread. After
            # a stop nothing runs: the engine may be mid-step in an abandoned thread.
            self._apply_commands()

    def take(self) -> Any:
        """The newest snapshot not taken yet, or ``None``; asks the worker for the next one."""
        with self._cond:
            snap = self._snapshot
            fresh = snap is not None and self._snapshot_epoch >= self._epoch
            self._snapshot = None
            self._want_snapshot = True
            self._cond.notify_all()
        if self._thread is None and snap is None and not self._stopping:
            snap = self._build_snapshot_now()
            fresh = snap is not None
        return snap if fresh else None

    def hold(self) -> None:
        """Keep the worker between batches until :meth:`release` (the GUI draws a frame).

        Waits at most for the batch in progress (a few milliseconds).
        """
        if not self._held:
            self._gate.acquire()
            self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._gate.release()

    def reset_warnings(self) -> None:
        self._warned.clear()

    @property
    def steps_done(self) -> int:
        """Steps taken by the worker since it was created (for speed read-outs)."""
        return self._steps_done

    # ------------------------------------------------------------------- worker side
    def _relay_failure(self, exc: BaseException, context: str = "step") -> str:
        """Log ``exc`` with its traceback and emit :attr:`failed`; returns the text sent."""
        text = _describe(exc)
        log.error("engine %s failed: %s", context, text, exc_info=exc)
        try:
            self.failed.emit(text)
        except RuntimeError:  # the bridge was deleted meanwhile (a window closing)
            pass
        return text

    def _deliver(self, callback: Callable[[Any], Any], value: Any) -> None:
        callback(value)

    def _on_fp_error(self, kind: str, flag: int) -> None:
        if kind not in self._warned:
            self._warned.add(kind)
            self.warning.emit(
                f"floating-point {kind} while stepping (the run is marked, not stopped)"
            )

    def _apply_commands(self) -> bool:
        """Run the queued commands; returns whether one of them invalidated snapshots."""
        with self._cond:
            commands, self._commands = self._commands, []
        before = self._applied_epoch
        for cmd in commands:
            try:
                with np.errstate(all="call", call=self._on_fp_error):
                    value = cmd.fn(self._engine)
            except Exception as exc:  # relayed: nothing may raise on the worker thread
                if cmd.on_error is not None:
                    text = _describe(exc)
                    log.info("engine command refused: %s", text)
                    self.result.emit(cmd.on_error, text)
                else:
                    self._relay_failure(exc, "command")
            else:
                if cmd.on_result is not None:
                    self.result.emit(cmd.on_result, value)
            self._applied_epoch = max(self._applied_epoch, cmd.epoch)
            self._dirty = True
        return self._applied_epoch != before

    def _build_snapshot_now(self) -> Any:
        try:
            with np.errstate(all="call", call=self._on_fp_error):
                snap = self._engine.snapshot()
        except Exception as exc:
            self._relay_failure(exc, "snapshot")
            return None
        self._dirty = False
        return snap

    def _publish(self) -> None:
        snap = self._build_snapshot_now()
        if snap is None:
            return
        with self._cond:
            self._snapshot = snap
            self._snapshot_epoch = self._applied_epoch
            self._want_snapshot = False

    def _run_steps(self, n: int) -> bool:
        t0 = time.perf_counter()
        try:
            with np.errstate(all="call", call=self._on_fp_error):
                self._engine.step(n)
        except Exception as exc:
            with self._cond:
                self._running = False
                self._extra_steps = 0
            self._relay_failure(exc)
            self.running_changed.emit(False)
            return False
        dt = time.perf_counter() - t0
        self._steps_done += n
        self._dirty = True
        # Exponential average of the cost of one step sizes the next batch.
        self._step_cost = 0.7 * self._step_cost + 0.3 * max(dt / n, 1e-7)
        return True

    def _loop(self) -> None:
        self._last = time.perf_counter()
        self._owed = 0.0  # fractional steps due at a finite speed
        while True:
            with self._cond:
                if self._stopping:
                    return
                idle = (
                    not self._commands
                    and not self._running
                    and self._extra_steps == 0
                    and not (self._want_snapshot and self._dirty)
                )
                if idle:
                    self._cond.wait(0.05)
                    self._last = time.perf_counter()
                    self._owed = 0.0
                    continue
                running, extra, sps = self._running, self._extra_steps, self._sps
                self._extra_steps = 0
            # The GUI holds the gate while it draws a frame: the worker waits outside the
            # GIL (a blocked lock releases it) instead of contending for it.
            with self._gate:
                try:
                    pause = self._work(running, extra, sps)
                except Exception as exc:  # a bug in the loop itself: relay, pause, go on
                    with self._cond:
                        self._running = False
                        self._extra_steps = 0
                    self._relay_failure(exc, "loop")
                    self.running_changed.emit(False)
                    pause = 0.0
            time.sleep(pause)

    def _work(self, running: bool, extra: int, sps: float) -> float:
        """One batch: commands, steps, a snapshot if wanted; returns the pause after it."""
        if self._commands and self._apply_commands() and self._want_snapshot:
            # Show the state a reset or new configuration starts from before stepping on.
            self._publish()
        # A pause sent together with the commands counts from now on.
        running = running and self._running
        n = extra
        pause = 0.0
        if running:
            now = time.perf_counter()
            cap = min(self.max_batch, max(1, int(self.batch_seconds / self._step_cost)))
            if math.isinf(sps):
                n += cap
                pause = self.yield_seconds
                self._owed = 0.0
            else:
                self._owed = min(self._owed + (now - self._last) * sps, sps + cap)
                due = min(int(self._owed), cap)
                self._owed -= due
                n += due
                # Sleep until the next step is due, but wake often enough for commands.
                pause = 0.0 if due == cap else min((1.0 - self._owed) / sps, 0.004)
            self._last = now
        if n > 0 and self._run_steps(n) and running and self._stop_when is not None:
            try:
                done = bool(self._stop_when(self._engine))
            except Exception as exc:
                log.warning("stop_when failed: %s", _describe(exc))
                done = False
            if done:
                with self._cond:
                    self._running = False
                self.running_changed.emit(False)
        if self._want_snapshot and self._dirty:
            self._publish()
        return pause


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if not isinstance(exc, ValueError):
        # Unexpected: keep the location so a bug report is useful.
        tb = traceback.extract_tb(exc.__traceback__)
        if tb:
            frame = tb[-1]
            text = (
                f"{type(exc).__name__}: {text} ({frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})"
            )
    return text
