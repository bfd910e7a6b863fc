"""The generic engine bridge, driven with small fake engines (no landscape involved)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from gui.worker import (
    SWITCH_INTERVAL_S,
    WORKER_NICE,
    EngineBridge,
    abandoned_threads,
    exit_now_if_abandoned,
)

ROOT = Path(__file__).resolve().parents[2]


class Counter:
    """An engine whose state is a step count; snapshots are (generation, count, thread)."""

    def __init__(self) -> None:
        self.count = 0
        self.generation = 0
        self.threads: set[str] = set()

    def step(self, n: int) -> None:
        self.threads.add(threading.current_thread().name)
        self.count += n

    def snapshot(self):
        return (self.generation, self.count)

    def reset(self) -> None:
        self.generation += 1
        self.count = 0


@pytest.fixture
def bridge(qapp):
    made = []

    def _make(engine, **kw):
        b = EngineBridge(engine, **kw)
        b.start()
        made.append(b)
        return b

    yield _make
    for b in made:
        b.stop()


def take_until(qtbot, bridge, predicate, timeout=5000):
    box = {}

    def ok():
        snap = bridge.take()
        if snap is not None and predicate(snap):
            box["snap"] = snap
            return True
        return False

    qtbot.waitUntil(ok, timeout=timeout)
    return box["snap"]


def test_steps_run_on_the_worker_thread_only(qtbot, bridge):
    eng = Counter()
    b = bridge(eng)
    b.step_once(7)
    assert take_until(qtbot, b, lambda s: s[1] == 7) == (0, 7)
    assert len(eng.threads) == 1
    assert threading.current_thread().name not in eng.threads


def settle(qtbot, b):
    """Return once the worker has finished whatever batch was in flight."""
    done = []
    b.submit(lambda e: None, on_result=done.append)
    qtbot.waitUntil(lambda: bool(done))


def test_running_and_pausing(qtbot, bridge):
    eng = Counter()
    b = bridge(eng)
    b.set_running(True)
    take_until(qtbot, b, lambda s: s[1] > 1000)
    b.set_running(False)
    settle(qtbot, b)
    held = eng.count
    settle(qtbot, b)
    settle(qtbot, b)
    assert eng.count == held
    b.step_once(3)
    assert take_until(qtbot, b, lambda s: s[1] == held + 3) == (0, held + 3)


def test_finite_speed_is_paced(qtbot, bridge):
    eng = Counter()
    b = bridge(eng, steps_per_second=50)
    b.set_running(True)
    take_until(qtbot, b, lambda s: s[1] >= 5)
    # 50 steps/s: the first five steps can not arrive in a single batch of thousands.
    assert eng.count < 200
    b.set_running(False)


def test_commands_run_in_order_between_batches(qtbot, bridge):
    eng = Counter()
    b = bridge(eng)
    seen = []
    b.submit(lambda e: seen.append(("a", threading.current_thread().name)))
    b.submit(lambda e: seen.append(("b", threading.current_thread().name)))
    qtbot.waitUntil(lambda: len(seen) == 2)
    assert [s[0] for s in seen] == ["a", "b"]
    assert all(name != threading.current_thread().name for _, name in seen)


def test_results_come_back_on_the_gui_thread(qtbot, bridge):
    eng = Counter()
    b = bridge(eng)
    got = []
    b.submit(lambda e: 41 + 1, on_result=lambda v: got.append((v, threading.current_thread())))
    qtbot.waitUntil(lambda: bool(got))
    assert got[0] == (42, threading.main_thread())


def test_invalidating_command_drops_stale_snapshots(qtbot, bridge):
    eng = Counter()
    b = bridge(eng)
    b.set_running(True)
    take_until(qtbot, b, lambda s: s[1] > 100)
    b.submit(lambda e: e.reset(), invalidate=True)
    # Every snapshot handed out after the reset was built after it ran.
    for _ in range(10):
        snap = take_until(qtbot, b, lambda s: True)
        assert snap[0] == 1
    b.set_running(False)


def test_keyed_commands_coalesce(qtbot, bridge):
    eng = Counter()
    b = bridge(eng)
    done = []
    gate = threading.Event()
    b.submit(lambda e: gate.wait(5))  # hold the worker while we queue
    for k in range(10):
        b.submit(lambda e, k=k: done.append(k), key="drag")
    gate.set()
    qtbot.waitUntil(lambda: bool(done))
    b.step_once(1)
    take_until(qtbot, b, lambda s: s[1] == 1)
    assert done == [9]


def test_exceptions_are_relayed_and_stop_the_run(qtbot, bridge):
    class Broken(Counter):
        def step(self, n):
            raise RuntimeError("engine bug")

    b = bridge(Broken())
    with qtbot.waitSignal(b.failed, timeout=5000) as sig:
        b.set_running(True)
    assert "engine bug" in sig.args[0]
    qtbot.waitUntil(lambda: not b.running)
    assert b.is_alive


def test_command_errors_go_to_their_handler(qtbot, bridge):
    b = bridge(Counter())
    errors = []

    def bad(e):
        raise ValueError("lr must be > 0; got -1")

    b.submit(bad, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert errors == ["lr must be > 0; got -1"]


def test_floating_point_errors_are_relayed_not_raised(qtbot, bridge):
    class Overflowing(Counter):
        def step(self, n):
            super().step(n)
            np.exp(np.array([1000.0]))  # overflow: a warning, not an exception

    b = bridge(Overflowing())
    with qtbot.waitSignal(b.warning, timeout=5000) as sig:
        b.step_once(1)
    assert "overflow" in sig.args[0]
    take_until(qtbot, b, lambda s: s[1] == 1)


def test_stop_when_pauses_and_reports(qtbot, bridge):
    eng = Counter()
    b = bridge(eng, stop_when=lambda e: e.count >= 500)
    with qtbot.waitSignal(b.running_changed, timeout=5000) as sig:
        b.set_running(True)
    assert sig.args == [False]
    assert not b.running
    assert eng.count >= 500


def test_stop_joins_the_thread(qtbot, bridge):
    b = bridge(Counter())
    b.set_running(True)
    assert b.is_alive
    assert b.stop()
    assert not b.is_alive


def test_snapshots_are_built_only_when_taken(qtbot, bridge):
    class Counting(Counter):
        built = 0

        def snapshot(self):
            Counting.built += 1
            return super().snapshot()

    eng = Counting()
    b = bridge(eng)
    b.set_running(True)
    take_until(qtbot, b, lambda s: s[1] > 0)
    qtbot.waitUntil(lambda: eng.count > 20000)
    # Thousands of batches ran while nobody took a snapshot: at most one was built.
    assert Counting.built <= 3
    b.set_running(False)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="nice values are Linux's")
def test_the_worker_runs_below_the_gui_threads_priority(qtbot, bridge):
    b = bridge(Counter())
    got = []
    b.submit(
        lambda eng: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()),
        on_result=got.append,
    )
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    gui = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert got[0] == min(gui + WORKER_NICE, 19)  # the worker, not the GUI thread, went down


def test_a_started_worker_shortens_the_gil_switch_interval(bridge):
    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)
        bridge(Counter())
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S)
        sys.setswitchinterval(0.0005)
        bridge(Counter())  # only ever lowered
        assert sys.getswitchinterval() == pytest.approx(0.0005)
    finally:
        sys.setswitchinterval(before)


# ------------------------------------------------------------------ stopping and errors


class Slow(Counter):
    """A step of many short Python-level pieces (a network's layers), ``pieces`` long."""

    def __init__(self, pieces: int, piece_s: float) -> None:
        super().__init__()
        self.pieces, self.piece_s = pieces, piece_s
        self.started = threading.Event()
        self.finished_steps = 0

    def step(self, n):
        self.started.set()
        for _ in range(self.pieces):
            time.sleep(self.piece_s)
        self.finished_steps += 1


class Stuck(Counter):
    """A step that is one long C call (a huge matmul): no bytecode for ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self.started = threading.Event()

    def step(self, n):
        self.started.set()
        time.sleep(self.seconds)  # one C call: an async exception waits for its end


def test_stop_cancels_a_long_step_from_inside(qtbot, qapp):
    eng = Slow(pieces=400, piece_s=0.01)  # a 4 s step
    b = EngineBridge(eng)
    b.start()
    b.step_once(1)
    assert eng.started.wait(5)
    t0 = time.perf_counter()
    assert b.stop(timeout_ms=2000)
    assert time.perf_counter() - t0 < 1.0  # not the 4 s the step would take
    assert b.cancelled
    assert eng.finished_steps == 0  # the step was cut, not waited for
    assert not b.is_alive


def test_stop_abandons_a_thread_stuck_in_one_call_within_the_timeout(qtbot, qapp):
    eng = Stuck(3.0)
    b = EngineBridge(eng)
    b.start()
    b.step_once(1)
    assert eng.started.wait(5)
    thread = b._thread
    t0 = time.perf_counter()
    assert not b.stop(timeout_ms=200)
    assert time.perf_counter() - t0 < 0.6
    assert thread.daemon  # never holds the process up
    assert thread in abandoned_threads()
    # Nothing runs on the GUI thread after a stop (the engine is busy in that thread).
    ran = []
    b.submit(lambda e: ran.append(threading.current_thread().name))
    b.take()  # the last snapshot published before the stop, if any
    assert b.take() is None  # and none built on this thread
    assert ran == []
    thread.join(10)  # the cancel lands when the call returns: the thread ends by itself
    assert not thread.is_alive()
    assert thread not in abandoned_threads()


def test_exit_now_if_abandoned_returns_when_no_thread_is_left():
    assert abandoned_threads() == [] or all(t.is_alive() for t in abandoned_threads())
    if not abandoned_threads():
        exit_now_if_abandoned(0)  # returns: nothing to cut short


def test_a_stuck_worker_does_not_stop_the_process_from_exiting_0(tmp_path):
    # A process whose worker is inside a long C call exits at once, with the code given,
    # and no C library exit handler waits for that thread.
    script = tmp_path / "stuck.py"
    script.write_text(
        "import sys, time, threading\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import engine\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "from gui.worker import EngineBridge, exit_now_if_abandoned\n"
        "app = QCoreApplication([])\n"
        "started = threading.Event()\n"
        "class E:\n"
        "    def step(self, n):\n"
        "        started.set(); time.sleep(30)\n"
        "    def snapshot(self):\n"
        "        return None\n"
        "b = EngineBridge(E()); b.start(); b.step_once(1); started.wait(5)\n"
        "ok = b.stop(timeout_ms=100)\n"
        "print('stopped', ok, flush=True)\n"
        "exit_now_if_abandoned(3)\n"
        "print('not reached')\n",
        encoding="utf-8",
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, env=env
    )
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout.split() == ["stopped", "False"]
    assert time.perf_counter() - t0 < 20  # not the 30 s of the step


def test_engine_errors_reach_the_failed_signal_and_the_log(qtbot, bridge, caplog):
    class Broken(Counter):
        def step(self, n):
            raise KeyError("w3")

    b = bridge(Broken())
    with caplog.at_level(logging.ERROR, logger="gui.worker"):
        with qtbot.waitSignal(b.failed, timeout=5000) as sig:
            b.step_once(1)
        qtbot.waitUntil(lambda: any("w3" in r.getMessage() for r in caplog.records))
    assert sig.args[0].startswith("KeyError: 'w3' (test_worker.py:")
    record = next(r for r in caplog.records if "w3" in r.getMessage())
    assert record.exc_info is not None  # the traceback is in the log


def test_snapshot_errors_are_relayed_too(qtbot, bridge):
    class BadSnapshot(Counter):
        def snapshot(self):
            raise RuntimeError("snapshot bug")

    b = bridge(BadSnapshot())
    with qtbot.waitSignal(b.failed, timeout=5000) as sig:
        b.step_once(1)
    assert "snapshot bug" in sig.args[0]
    assert b.is_alive


def test_a_bug_in_the_loop_itself_is_relayed_and_the_worker_lives_on(qtbot, bridge):
    eng = Counter()
    b = bridge(eng)
    real = b._work
    calls = {"n": 0}

    def flaky(*args):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ZeroDivisionError("loop bug")
        return real(*args)

    b._work = flaky
    with qtbot.waitSignal(b.failed, timeout=5000) as sig:
        b.set_running(True)
    assert "ZeroDivisionError" in sig.args[0]
    assert not b.running  # paused, not dead
    b.step_once(3)
    take_until(qtbot, b, lambda s: s[1] >= 3)
