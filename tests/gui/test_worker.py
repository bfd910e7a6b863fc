"""The generic engine bridge, driven with small fake engines (no landscape involved)."""

from __future__ import annotations

import os
import sys
import threading

import numpy as np
import pytest

from gui.worker import SWITCH_INTERVAL_S, WORKER_NICE, EngineBridge


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
